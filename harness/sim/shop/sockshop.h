// The starting cluster of the simulation: kind-like namespaces and node, and Sock Shop as
// `kubectl apply -f complete-demo.yaml` leaves it once every pod is Running and Ready.
#ifndef SRE_EVAL_SIM_SHOP_SOCKSHOP_H_
#define SRE_EVAL_SIM_SHOP_SOCKSHOP_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/kube/controllers.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

constexpr char kNamespace[] = "sock-shop";

struct SeedOptions {
  absl::Time deployed_at;  // When `kubectl apply -f complete-demo.yaml` happened.
};

// Creates the starting cluster in `store` (which should be empty): namespaces sock-shop,
// default, kube-system, kube-public and kube-node-lease; the node kNodeName; every Deployment
// and Service of the compiled-in manifest with the API server's defaults (and kubectl's
// last-applied-configuration annotation). Then runs `controllers` from options.deployed_at in
// one-second steps until every pod is Running and Ready, leaving the store's time there.
// Neither pointer is owned. InvalidArgument if the manifest does not parse; DeadlineExceeded
// if the pods are not all Ready within an hour of virtual time.
absl::Status SeedSockShop(ObjectStore* store, Controllers* controllers, const SeedOptions& options);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_SOCKSHOP_H_
