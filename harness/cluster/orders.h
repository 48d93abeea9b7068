// Sock Shop's orders, read as an SRE reads them: through the API server's services proxy to
// the orders service's HAL API (`kubectl get --raw .../services/orders:80/proxy/orders?page=N
// &size=1000`). The service keeps its orders in creation order, 1000 a page, so the orders of
// the last minutes are on the last pages: a shop with a long history costs a call or two.
// One reader for the recorder's probe, the action tasks' guard and the reference agent.
#ifndef SRE_EVAL_CLUSTER_ORDERS_H_
#define SRE_EVAL_CLUSTER_ORDERS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cluster/kubectl.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace cluster {

// The orders created at or after `since` (and those whose date does not parse), oldest first:
// page 0 (for the number of pages), then from the newest page back to the first that holds an
// order older than `since`. With `since` InfinitePast: every order, page by page from the
// first. At most `max_pages` pages. DataLoss when a page is not a JSON object; kubectl's error
// when the call fails (NotFound-like text when the namespace has no orders service).
absl::StatusOr<std::vector<nlohmann::json>> ReadOrders(Kubectl* k, absl::Time since,
                                                       int max_pages = 1000);

// An order's "date" ("2026-11-24T10:23:05.123+0000", as the orders service writes it; RFC 3339
// is accepted too), or InfinitePast.
absl::Time OrderTime(const nlohmann::json& order);

}  // namespace cluster
}  // namespace sre_eval

#endif  // SRE_EVAL_CLUSTER_ORDERS_H_
