// Bounded JSON: parsing untrusted text with a nesting-depth cap, and checking a JSON value
// (from any parser) for depth, valid UTF-8 and serialized size before it is kept. Every
// function here is iterative, so no input can exhaust the stack.
#ifndef SRE_EVAL_UTIL_JSON_LIMITS_H_
#define SRE_EVAL_UTIL_JSON_LIMITS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sre_eval {

// The real API server is said to accept 10000 levels (not checked here); no Kubernetes object needs
// more than a few dozen, and the recursive code that later walks a value (merge patches, dump,
// comparison) must stay far from the end of a worker thread's stack.
constexpr size_t kMaxJsonDepth = 512;

// Parses `text` as one JSON value. InvalidArgument when it is not JSON, with
// "<what>: ..." and the parser's message, or "<what>: nesting depth exceeds <max_depth>" for
// a deeper value (the parse stops there, before building anything deeper).
absl::StatusOr<nlohmann::json> ParseJsonBounded(absl::string_view text, absl::string_view what,
                                                size_t max_depth = kMaxJsonDepth);

// True when ParseJsonBounded failed because of the depth cap (not a syntax error).
bool IsDepthError(const absl::Status& s);

// Checks a value built by another parser (YAML): nesting depth at most `max_depth`, and every
// string and object key valid UTF-8 (NUL allowed, as JSON's \u0000 is). InvalidArgument
// "<what>: nesting depth exceeds N" or "<what>: invalid UTF-8 in <path>" otherwise.
absl::Status CheckJsonValue(const nlohmann::json& value, absl::string_view what,
                            size_t max_depth = kMaxJsonDepth);

// The number of bytes value.dump() would produce (compact, no indentation), computed without
// building it. Floating-point numbers count as their shortest round-trip form's upper bound
// (24 bytes), so the figure may be a little above the real one, never below.
size_t JsonDumpSize(const nlohmann::json& value);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_JSON_LIMITS_H_
