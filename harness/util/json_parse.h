// Parsing JSON read from a file, with errors that say where: "file:line:col: reason".
#ifndef SRE_EVAL_UTIL_JSON_PARSE_H_
#define SRE_EVAL_UTIL_JSON_PARSE_H_

#include <exception>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sre_eval {

// The reason in the text of `e`, an exception nlohmann threw while parsing: "unexpected end
// of input", "number overflow parsing '1e999'". Never quotes more of the input than nlohmann's
// own out_of_range text (a number's digits).
std::string JsonErrorReason(const std::exception& e);

// The InvalidArgument status for `e`, an exception nlohmann threw while parsing `text`:
// "file:line:col: not valid JSON: reason", the line and column (1-based, in bytes) counted in
// `text`, or, when `line` is positive, `text` being that line of a JSON Lines file. Without a
// position (a number too large) it reads "file: not valid JSON: reason".
absl::Status JsonParseError(const std::exception& e, absl::string_view text,
                            const std::string& file, int line = 0);

// Parses `text` as one JSON document into `*out` without exceptions, several times faster
// than nlohmann's parser, but only when the document is plain: objects with no repeated key,
// arrays, strings (escapes included), integers that fit 64 bits, literals, nesting up to 64
// levels. The result is then exactly what nlohmann::json::parse gives (the same value, and
// the same types: unsigned for a non-negative integer). Returns false, with `*out`
// unspecified, for anything else (a fraction or exponent, a repeated key, any error): parse
// it with nlohmann then, which also words the error.
bool ParseJsonFast(absl::string_view text, nlohmann::json* out);

// Parses `text`, the content of `file` (or its line `line` when positive) as one JSON
// document (`Json` is nlohmann::json or nlohmann::ordered_json). Errors as JsonParseError.
// Never throws.
template <typename Json = nlohmann::json>
absl::StatusOr<Json> ParseJson(absl::string_view text, const std::string& file, int line = 0) {
  if constexpr (std::is_same_v<Json, nlohmann::json>) {
    Json fast;
    if (ParseJsonFast(text, &fast)) return fast;
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return JsonParseError(e, text, file, line);
  }
}

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_JSON_PARSE_H_
