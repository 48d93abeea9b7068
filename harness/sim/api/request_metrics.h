// The API server's own /metrics, in the Prometheus text format kube-apiserver writes: the
// requests it served (apiserver_request_total, with kube-apiserver's labels) and the objects
// it stores (apiserver_storage_objects). Only these two families: the sim has no etcd, no
// admission webhooks and no Go runtime to report on.
#ifndef SRE_EVAL_SIM_API_REQUEST_METRICS_H_
#define SRE_EVAL_SIM_API_REQUEST_METRICS_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace sre_eval {
namespace sim {

// apiserver_request_total's labels, as kube-apiserver sets them: verb is LIST, GET, WATCH,
// POST, PUT, PATCH, APPLY, DELETE or CONNECT (exec, proxy); scope is cluster, namespace or
// resource; a request for no resource (/version, /api) has only its path as subresource.
struct RequestLabels {
  std::string code;
  std::string group;
  std::string resource;
  std::string scope;
  std::string subresource;
  std::string verb;
  std::string version;
  bool dry_run = false;

  auto Key() const {
    return std::tie(code, dry_run, group, resource, scope, subresource, verb, version);
  }
  bool operator<(const RequestLabels& o) const { return Key() < o.Key(); }
};

// Thread-safe.
class RequestMetrics {
 public:
  void Count(const RequestLabels& labels);

  // The exposition: each family's HELP and TYPE, then its series sorted by labels.
  // `stored` is (resource as "pods" or "deployments.apps", count) for each stored resource.
  std::string Text(const std::vector<std::pair<std::string, int64_t>>& stored) const;

 private:
  mutable absl::Mutex mu_;
  std::map<RequestLabels, int64_t> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_REQUEST_METRICS_H_
