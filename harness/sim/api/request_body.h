// The sim's bounds on what a client sends: request bodies (size, UTF-8, JSON or YAML, nesting
// depth) and JSON patches (operation count, growth by copy), with the limits and the Status
// messages of a real API server. Pure functions, safe from any thread.
#ifndef SRE_EVAL_SIM_API_REQUEST_BODY_H_
#define SRE_EVAL_SIM_API_REQUEST_BODY_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "sim/store/object_store.h"  // kMaxObjectBytes.

namespace sre_eval {
namespace sim {

// The API server's request body limit (MaxRequestBodyBytes): larger bodies get 413.
constexpr size_t kMaxRequestBody = size_t{3} << 20;
// The API server's cap on the operations of one JSON patch.
constexpr size_t kMaxJsonPatchOperations = 10000;

// "Request entity too large: limit is 3145728", as ResourceExhausted (413).
absl::Status BodyTooLarge();

// A request body as one JSON value: JSON, or YAML (apply-patch+yaml, or a person's curl).
// Checked before anything else looks at it:
//   ResourceExhausted (413) BodyTooLarge() above kMaxRequestBody;
//   InvalidArgument (400) when empty, not valid UTF-8 ("the body is not valid UTF-8: invalid
//   byte at line L, column C"), nested deeper than kMaxJsonDepth (JSON and YAML alike), not JSON
//   nor YAML (with the YAML reader's "the body:L:C: message", which includes its alias and
//   depth limits), or holding other than one YAML document.
absl::StatusOr<nlohmann::json> ParseRequestBody(absl::string_view body);

// RFC 6902 JSON patch (application/json-patch+json) of `target`. ResourceExhausted (413) with
// "The allowed maximum operations in a JSON patch is 10000, got N"; InvalidArgument for a
// malformed patch or a failed operation ("invalid JSON patch: ..."), and for copies that would
// grow the object by more than kMaxObjectBytes in total ("Unable to complete the copy, the
// accumulated size increase of copy is N, exceeding the limit 1572864"). The size is checked
// before each copy is made, so a doubling patch stops at the limit.
absl::StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& target,
                                              const nlohmann::json& patch);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_REQUEST_BODY_H_
