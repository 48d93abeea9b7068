// Resources a kind cluster has that the sim computes from what it stores, on each read, as
// kube-controller-manager and the API server would keep them: a service's Endpoints and
// EndpointSlice (its selected pods, ready or not), each namespace's "default" ServiceAccount,
// the (empty) Secrets and StatefulSets of a cluster that runs none, and events.k8s.io/v1
// Events, the core Events as that API shows them. Computed, not stored:
// they take nothing from the store's random stream nor its resource versions, so recordings
// stay byte-identical per seed. Read-only: get and list (no watch).
#ifndef SRE_EVAL_SIM_KUBE_DERIVED_H_
#define SRE_EVAL_SIM_KUBE_DERIVED_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

// Whether the resource `resource` of API group `group` is computed here: core endpoints,
// serviceaccounts, secrets and replicationcontrollers, apps statefulsets and daemonsets,
// discovery.k8s.io endpointslices, and events.k8s.io events (the core Events in that API's
// shape).
bool IsDerived(const std::string& group, const std::string& resource);

// Its objects in namespace `ns` ("" for all), sorted by namespace and name, each with kind
// and apiVersion. Requires the model lock.
std::vector<nlohmann::json> DerivedObjects(const ObjectStore& store, const std::string& group,
                                           const std::string& resource, const std::string& ns);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_KUBE_DERIVED_H_
