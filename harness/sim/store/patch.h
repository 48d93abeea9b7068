// The three ways a client changes part of an object: JSON merge patch, Kubernetes strategic
// merge patch, and server-side apply. Pure functions of their arguments (time comes in as a
// string), safe to call from any thread.
#ifndef SRE_EVAL_SIM_STORE_PATCH_H_
#define SRE_EVAL_SIM_STORE_PATCH_H_

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// RFC 7386 JSON merge patch (application/merge-patch+json): objects merge recursively, null
// deletes a key, anything else (lists too) replaces. InvalidArgument when `patch` is not an
// object.
absl::StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& target,
                                               const nlohmann::json& patch);

// Kubernetes strategic merge patch (application/strategic-merge-patch+json) for the built-in
// types the sim serves; `resource` is the plural (pods, deployments, replicasets, jobs,
// services, configmaps, namespaces, nodes, events). Lists with a patch merge key (containers
// by name, env by name, ports by containerPort, ...) merge element by element, lists of
// primitives with strategy merge (finalizers) merge as sets, other lists are replaced.
// Understands the directives kubectl sends: "$patch": replace|merge|delete (in maps and list
// elements), "$retainKeys", "$setElementOrder/<list>", "$deleteFromPrimitiveList/<list>", and
// null to delete a key. An unknown resource merges without merge keys. InvalidArgument when
// `patch` is not an object, a list element lacks its merge key, or a directive is unknown.
absl::StatusOr<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& target,
                                                        const nlohmann::json& patch,
                                                        const std::string& resource);

// Server-side apply (application/apply-patch+yaml, parsed to JSON). `existing` is null when
// the object does not exist. Returns the object to store: `applied` merged into `existing`
// (maps recursively, keyed lists by key, other lists replaced, as in strategic merge; nulls
// in `applied` are ignored). Fields that `field_manager` applied before and `applied` now
// omits are removed unless another manager's managedFields entry claims them. Records the
// manager's metadata.managedFields entry {"manager", "operation": "Apply", "apiVersion",
// "time": time_rfc3339, "fieldsType": "FieldsV1", "fieldsV1"}, replacing its previous one.
// InvalidArgument when `applied` is not an object, lacks apiVersion or kind, or when
// apiVersion, kind, metadata.name or metadata.namespace differ from `existing`'s.
// Conflicts between managers are not detected (every apply behaves as with --force-conflicts).
absl::StatusOr<nlohmann::json> ApplyServerSide(const nlohmann::json& existing,
                                               const nlohmann::json& applied,
                                               const std::string& resource,
                                               const std::string& field_manager,
                                               const std::string& time_rfc3339);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_STORE_PATCH_H_
