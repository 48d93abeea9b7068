#include "util/json_parse.h"

#include "absl/strings/str_cat.h"
#include "util/utf8.h"

namespace sre_eval {

namespace {

// nlohmann words an error "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal".
// The reason is the part after " - " up to "; " (what follows repeats the input, which may
// be anything); an error with no " - " keeps what follows "] ".
std::string ReasonIn(absl::string_view what) {
  size_t dash = what.find(" - ");
  if (dash != absl::string_view::npos) {
    what.remove_prefix(dash + 3);
  } else if (size_t bracket = what.find("] "); bracket != absl::string_view::npos) {
    what.remove_prefix(bracket + 2);
  }
  return std::string(what.substr(0, what.find("; ")));
}

}  // namespace

std::string JsonErrorReason(const std::exception& e) { return ReasonIn(e.what()); }

absl::Status JsonParseError(const std::exception& e, absl::string_view text,
                            const std::string& file, int line) {
  std::string reason = JsonErrorReason(e);
  std::string message =
      reason.empty() ? "not valid JSON" : absl::StrCat("not valid JSON: ", reason);
  const auto* parse_error = dynamic_cast<const nlohmann::json::parse_error*>(&e);
  if (parse_error == nullptr) return absl::InvalidArgumentError(absl::StrCat(file, ": ", message));
  // `byte` is 1-based: the byte the parser stopped at (one past the end for a cut document).
  size_t offset = parse_error->byte > 0 ? parse_error->byte - 1 : 0;
  int column = 0;
  if (line > 0) {
    column = static_cast<int>(offset) + 1;
  } else {
    LineAndColumn(text, offset, &line, &column);
  }
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ":", column, ": ", message));
}

}  // namespace sre_eval
