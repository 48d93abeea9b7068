// The cluster driver: every operation the harness performs on a cluster, as one kubectl
// invocation each (argv only, never a shell), with `--context`, `--namespace` and
// `--request-timeout` always explicit and JSON output parsed into the types of types.h.
// The same code drives the simulated cluster and a real kind cluster.
//
// Every invocation, read or write, is appended to a KubectlLog (the run's kubectl.log), so a
// user can see exactly what was done to the cluster.
#ifndef SRE_EVAL_CLUSTER_KUBECTL_H_
#define SRE_EVAL_CLUSTER_KUBECTL_H_

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/types.h"
#include "nlohmann/json_fwd.hpp"
#include "util/clock.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace cluster {

// Where kubectl points.
struct KubectlTarget {
  std::string kubectl = "kubectl";                     // program, looked up on PATH
  std::string kubeconfig;                              // --kubeconfig; empty: kubectl's own default
  std::string context;                                 // --context; must not be empty
  std::string ns = "sock-shop";                        // --namespace
  absl::Duration request_timeout = absl::Seconds(30);  // --request-timeout
};

// The append-only record of kubectl invocations. One line each, flushed at once:
//   2026-12-01T10:00:00.123Z  0.084s  exit 0  W  kubectl --context sre-eval-sim --namespace
//   sock-shop scale deployment/payment --replicas=0
// The timestamp is the wall clock's (the log is for people, and is never compared); "W" marks
// a mutating call, "R" a read. The outcome is "exit N", "signal N", "timeout", "not found" or
// "error". Arguments a shell would need quoted (spaces, quotes, '&', '?', ...) are
// single-quoted. Thread-safe.
class KubectlLog {
 public:
  // Opens (creating or appending to) `path`.
  static absl::StatusOr<std::unique_ptr<KubectlLog>> Open(const std::string& path);
  ~KubectlLog();

  void Append(absl::Time when, absl::Duration took, const std::string& outcome, bool mutating,
              const std::vector<std::string>& argv);
  // Invocations appended so far, and those of them that were mutating.
  int calls() const;
  int mutating_calls() const;

 private:
  explicit KubectlLog(std::FILE* file) : file_(file) {}
  mutable absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int mutating_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

class Kubectl {
 public:
  // `runner`, `wall` and `log` must outlive this; `log` may be null.
  Kubectl(KubectlTarget target, ProcessRunner* runner, Clock* wall, KubectlLog* log);

  const KubectlTarget& target() const { return target_; }

  // kubectl [--kubeconfig K] --context C --namespace N --request-timeout T ARGS...
  // Returns stdout when kubectl exits 0. Otherwise: NotFound when kubectl is not installed
  // ("kubectl not found on PATH; install it: ..."), DeadlineExceeded on the timeout (the
  // request timeout plus 15 s), FailedPrecondition when the target has no context, and
  // Unavailable with kubectl's own error ("kubectl get pods: exit 1: error: ...", stderr's
  // last non-empty lines joined by "; ", at most 400 bytes). RunJson: Internal when stdout is
  // not JSON; the typed reads below pass on the parsers' InvalidArgument.
  absl::StatusOr<std::string> Run(const std::vector<std::string>& args, bool mutating,
                                  std::optional<std::string> stdin_data = std::nullopt);
  absl::StatusOr<nlohmann::json> RunJson(const std::vector<std::string>& args);

  // Context safety. The contexts of the kubeconfig (`config get-contexts -o name`) and the
  // current one (`config current-context`). These two read only the kubeconfig: no
  // --namespace or --request-timeout, and --context only when the target has one.
  absl::StatusOr<std::vector<std::string>> Contexts();
  absl::StatusOr<std::string> CurrentContext();
  // Whether the target namespace exists (`get namespace N --ignore-not-found -o name`).
  absl::StatusOr<bool> NamespaceExists();

  // Writes. `manifest` is a file path. Server-side apply with field manager "sre-eval" and
  // --force-conflicts; delete with --ignore-not-found and --wait=false.
  absl::Status Apply(const std::string& manifest);
  absl::Status Delete(const std::string& manifest);
  absl::Status Scale(const std::string& deployment, int replicas);

  // Reads.
  absl::StatusOr<std::vector<Pod>> GetPods();
  absl::StatusOr<std::vector<Deployment>> GetDeployments();
  absl::StatusOr<Deployment> GetDeployment(const std::string& name);
  absl::StatusOr<std::vector<Job>> GetJobs();
  absl::StatusOr<std::vector<Event>> GetEvents();
  // Pods, deployments, jobs, events and pod metrics in ONE invocation (`get pods,
  // deployments.apps,jobs.batch,events,pods.metrics.k8s.io -o json`). When the cluster does not
  // serve the metrics API (no metrics-server: kubectl reports NotFound, ServiceUnavailable or
  // "doesn't have a resource type"), the same call without pods.metrics.k8s.io, from then on;
  // metrics stay empty. GetPodMetrics reads them alone (`get --raw` of metrics.k8s.io).
  absl::StatusOr<Snapshot> GetSnapshot();
  absl::StatusOr<std::vector<PodMetrics>> GetPodMetrics();
  // `logs POD -c CONTAINER [--previous] [--since-time=T]` (T in whole seconds, UTC).
  absl::StatusOr<std::string> Logs(const std::string& pod, const std::string& container,
                                   bool previous, absl::Time since = absl::InfinitePast());
  // The logs of every container of every pod matching the label `selector`, in one
  // invocation: `logs -l SELECTOR --all-containers=true --prefix=true --tail=-1
  // --max-log-requests=50 [--since-time=T]`. Split by kubectl's "[pod/POD/CONTAINER] " prefix
  // into text per (pod, container); lines keep their order within a container.
  absl::StatusOr<std::map<std::pair<std::string, std::string>, std::string>> LogsBySelector(
      const std::string& selector, absl::Time since = absl::InfinitePast());
  // `logs job/NAME`, with `--timestamps` when `timestamps`: each line then starts with the
  // time the container wrote it, RFC 3339 with nanoseconds, and a space.
  absl::StatusOr<std::string> JobLogs(const std::string& job, bool timestamps = false);
  // A GET through the API server's services proxy: `get --raw
  // /api/v1/namespaces/N/services/SERVICE:PORT/proxy/PATH` (PATH starts with '/',
  // else InvalidArgument; it may carry a query string).
  absl::StatusOr<std::string> ProxyGet(const std::string& service, int port,
                                       const std::string& path);

 private:
  std::vector<std::string> BaseArgv() const;

  static const char kSnapshotKinds[];

  KubectlTarget target_;
  ProcessRunner* runner_;
  Clock* wall_;
  KubectlLog* log_;
  bool metrics_in_snapshot_ = true;  // false once the cluster said it serves no metrics API
};

// Context allow-list: glob patterns where '*' matches any run of characters ("kind-*").
bool ContextAllowed(const std::string& context, const std::vector<std::string>& patterns);
// The default allow-list: "kind-*" and "sre-eval-sim".
const std::vector<std::string>& DefaultAllowedContexts();

}  // namespace cluster
}  // namespace sre_eval

#endif  // SRE_EVAL_CLUSTER_KUBECTL_H_
