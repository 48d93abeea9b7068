// What the API server checks of an object's meaning before it stores it, beyond its shape
// (request_body.h, object_store.h CheckStorable): here, that no container requests more of a
// resource than its limit, as kube-apiserver's ValidateResourceRequirements does, with its
// message: `Deployment.apps "front-end" is invalid: spec.template.spec.containers[0].
// resources.requests: Invalid value: "300Mi": must be less than or equal to memory limit of
// 200Mi`; and an HPA's target and replica bounds.
#ifndef SRE_EVAL_SIM_STORE_VALIDATION_H_
#define SRE_EVAL_SIM_STORE_VALIDATION_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// The payload of ValidateObject's errors: the Status' `details` as kube-apiserver sends them
// for 422 Invalid, JSON {name, group, kind, causes: [{reason, message, field}]}. kubectl
// prints them as `The Kind "name" is invalid: \n* field: message`.
inline constexpr char kInvalidDetailsUrl[] = "type.googleapis.com/sre_eval.sim.InvalidDetails";

// OkStatus, or FailedPrecondition (served as 422 Invalid) with every problem of `object`, a
// `resource` ("pods", "deployments", "replicasets", "jobs", "horizontalpodautoscalers"; others
// are not checked), its details as the kInvalidDetailsUrl payload.
absl::Status ValidateObject(const std::string& resource, const nlohmann::json& object);

// What an update may not change, as kube-apiserver's ValidateDeploymentUpdate (and the
// ReplicaSet's and Job's) check it: spec.selector. OkStatus, or FailedPrecondition (422) like
// ValidateObject's: `Deployment.apps "carts" is invalid: spec.selector: Invalid value:
// v1.LabelSelector{...}: field is immutable`.
absl::Status ValidateUpdate(const std::string& resource, const nlohmann::json& old,
                            const nlohmann::json& updated);

// Go's %q of a plain (ASCII) string: "a\"b" for a"b.
std::string GoQuote(absl::string_view s);

// apimachinery's field.Invalid(path, value, detail).Error():
// `PATH: Invalid value: "VALUE": DETAIL`.
std::string FieldInvalid(absl::string_view path, absl::string_view value, absl::string_view detail);

// A resource.Quantity ("300Mi", "100m", "0.5", "1e3", "2Gi") in thousandths of its unit
// (millicores for CPU, millibytes for memory); nullopt when it is not one.
std::optional<long double> QuantityMillis(absl::string_view quantity);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_STORE_VALIDATION_H_
