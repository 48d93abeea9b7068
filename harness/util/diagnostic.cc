#include "util/diagnostic.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sre_eval {

std::string EscapeControls(absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      unsigned char cp = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[cp >> 4];
      out += kHex[cp & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Diagnostic::ToString() const {
  std::string f = EscapeControls(file);
  std::string m = EscapeControls(message);
  if (line <= 0) return absl::StrCat(f, ": ", m);
  if (column <= 0) return absl::StrCat(f, ":", line, ": ", m);
  return absl::StrCat(f, ":", line, ":", column, ": ", m);
}

void Diagnostics::Add(std::string file, int line, int column, std::string message) {
  list_.push_back(Diagnostic{std::move(file), line, column, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = list_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  return sorted;
}

size_t Diagnostics::FileCount() const {
  std::set<std::string> files;
  for (const Diagnostic& d : list_) files.insert(d.file);
  return files.size();
}

absl::Status Diagnostics::ToStatus() const {
  if (list_.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Diagnostic& d : Sorted()) lines.push_back(d.ToString());
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace sre_eval
