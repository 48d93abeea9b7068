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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
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
  // kubectl's discovery and HTTP caches (the KUBECACHEDIR of its environment); empty:
  // kubectl's own, ~/.kube/cache. A run keeps them in its folder: nothing is left behind.
  std::string cache_dir;
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

// A kubectl invocation's outcome as kubectl.log writes it: "exit N", "signal N", "timeout",
// "not found" (no kubectl) or "error".
std::string KubectlOutcome(const absl::StatusOr<SubprocessResult>& r);

// The state of the simulated cluster's sample gate (sim::ApiServer::SetGate).
enum class SampleGate { kClosed, kOpen, kRefusing };

class Kubectl {
 public:
  // `runner`, `wall` and `log` must outlive this; `log` may be null.
  Kubectl(KubectlTarget target, ProcessRunner* runner, Clock* wall, KubectlLog* log);

  const KubectlTarget& target() const { return target_; }
  KubectlLog* log() const { return log_; }

  // Prefetched samples, on the simulated cluster. A kubectl call costs its start-up more than
  // its requests (measured: ~75 of ~125 ms a sample): with a gate, GetSnapshot's kubectl reads
  // through `gated_kubeconfig` (the same cluster, at the sim's gated path) and is started
  // before it is needed, right after the previous sample, so its start-up overlaps whatever the
  // harness does in between; `gate` opens the sim's gate for the read and closes it after, so
  // the sample shows the cluster at the moment GetSnapshot is called, as without a gate. Its
  // line in kubectl.log is the ordinary command, timed from the gate's opening, whatever its
  // outcome. A prefetched kubectl that gave up waiting before the gate opened (its request
  // timeout) is thrown away unlogged: it read nothing. A gated read that fails is made again
  // the ordinary way.
  void set_sample_gate(std::string gated_kubeconfig, std::function<void(SampleGate)> gate);

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
  // deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io -o json`). The metrics are
  // named with their version: kubectl first reads "pods.metrics.k8s.io" as resource.version.group
  // (group "k8s.io"), misses, and reloads the whole discovery on every call (11 requests more).
  // When the cluster does not serve the metrics API (no metrics-server: kubectl reports NotFound,
  // ServiceUnavailable or "doesn't have a resource type"), the same call without the metrics,
  // from then on; metrics stay empty. GetPodMetrics reads them alone (`get --raw`).
  absl::StatusOr<Snapshot> GetSnapshot();
  absl::StatusOr<std::vector<PodMetrics>> GetPodMetrics();
  // `logs POD -c CONTAINER [--previous] [--since-time=T]` (T in whole seconds, UTC).
  absl::StatusOr<std::string> Logs(const std::string& pod, const std::string& container,
                                   bool previous, absl::Time since = absl::InfinitePast());
  // The logs of every container of every pod that has the label `label` (Sock Shop's
  // "name"): `logs -l SELECTOR --all-containers=true --prefix=true --tail=-1
  // --max-log-requests=50 [--since-time=T]`, split by kubectl's "[pod/POD/CONTAINER] " prefix
  // into text per (pod, container); lines keep their order within a container.
  // kubectl makes one request to list the pods and one per container, and past 10 requests its
  // client-side rate limiter (burst 10, then 5 a second) makes it wait: 16 containers cost a
  // second. So `pods` (what a snapshot just showed; empty: one invocation `-l LABEL`) say the
  // label's values and their containers, and the values are grouped into invocations of at
  // most 9 containers each (`-l 'LABEL in (a,b)'`), the last one reading every pod with the
  // label that no other group has (`-l 'LABEL,LABEL notin (a,b,...)'`: also the pods the
  // snapshot did not show), run at once. The result is the same as one invocation's.
  using LogsByContainer = std::map<std::pair<std::string, std::string>, std::string>;
  absl::StatusOr<LogsByContainer> LogsBySelector(const std::string& label,
                                                 absl::Time since = absl::InfinitePast(),
                                                 const std::vector<Pod>& pods = {});
  // The selectors LogsBySelector reads `pods`' logs with, in order.
  static std::vector<std::string> LogSelectors(const std::string& label,
                                               const std::vector<Pod>& pods);
  // `logs job/NAME`, with `--timestamps` when `timestamps`: each line then starts with the
  // time the container wrote it, RFC 3339 with nanoseconds, and a space.
  absl::StatusOr<std::string> JobLogs(const std::string& job, bool timestamps = false);
  // A GET through the API server's services proxy: `get --raw
  // /api/v1/namespaces/N/services/SERVICE:PORT/proxy/PATH` (PATH starts with '/',
  // else InvalidArgument; it may carry a query string).
  absl::StatusOr<std::string> ProxyGet(const std::string& service, int port,
                                       const std::string& path);

 private:
  // kubectl [--kubeconfig K] --context C --namespace N --request-timeout=T
  static std::vector<std::string> BaseArgv(const KubectlTarget& t);
  // The gated read of a sample, or nullopt when it failed (the caller reads the ordinary way).
  std::optional<std::string> GatedSnapshot(const std::vector<std::string>& args);

  static const char kSnapshotKinds[];

  // A sample's kubectl, started ahead and waiting at the gate. Its destruction refuses the
  // gate, waits for the process, and closes the gate again.
  struct Prefetch {
    std::function<void(SampleGate)> gate;
    std::thread thread;
    absl::Notification done;
    absl::StatusOr<SubprocessResult> result = absl::UnknownError("not run");
    ~Prefetch();
  };
  void StartPrefetch(const std::vector<std::string>& args);

  KubectlTarget target_;
  ProcessRunner* runner_;
  Clock* wall_;
  KubectlLog* log_;
  bool metrics_in_snapshot_ = true;  // false once the cluster said it serves no metrics API
  std::string gated_kubeconfig_;
  std::function<void(SampleGate)> gate_;
  std::unique_ptr<Prefetch> prefetch_;
};

// Context allow-list: glob patterns where '*' matches any run of characters ("kind-*").
bool ContextAllowed(const std::string& context, const std::vector<std::string>& patterns);
// The default allow-list: "kind-*" and "sre-eval-sim".
const std::vector<std::string>& DefaultAllowedContexts();

}  // namespace cluster
}  // namespace sre_eval

#endif  // SRE_EVAL_CLUSTER_KUBECTL_H_
