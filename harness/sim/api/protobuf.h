// Kubernetes' protobuf encoding of request bodies (what kubectl's typed clients send:
// `kubectl create configmap|namespace|secret`, `kubectl autoscale`), decoded into the JSON the
// rest of the sim reads. The wire format: the 4 bytes "k8s\0", then a runtime.Unknown
// {typeMeta {apiVersion, kind}, raw, contentEncoding, contentType} whose `raw` is the object's
// own message (k8s.io/api's generated.proto field numbers).
//
// Only the kinds a typed kubectl command creates are known: v1 ConfigMap, Namespace, Secret
// and autoscaling/v1 HorizontalPodAutoscaler (with ObjectMeta's name, generateName, namespace,
// labels, annotations and finalizers). A field the decoder does not know is refused, never
// dropped: the error names it and says to apply a manifest instead.
#ifndef SRE_EVAL_SIM_API_PROTOBUF_H_
#define SRE_EVAL_SIM_API_PROTOBUF_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// The content type kubectl's typed clients send.
inline constexpr char kProtobufContentType[] = "application/vnd.kubernetes.protobuf";

// The object in `body` as JSON, with apiVersion and kind. Unimplemented (served as 415) for a
// kind the sim does not decode or a field it does not know; InvalidArgument (400) for a body
// that is not well-formed (no "k8s\0" prefix, a cut or malformed message).
absl::StatusOr<nlohmann::json> DecodeProtobufObject(absl::string_view body);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_PROTOBUF_H_
