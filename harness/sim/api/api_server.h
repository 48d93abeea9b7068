// The sim's Kubernetes API over HTTP on 127.0.0.1: discovery, the OpenAPI documents kubectl
// reads, get/list/watch/create/update/patch/apply/delete with server-side printing, logs,
// scale, the services proxy, metrics.k8s.io, and the /sim/v1 control endpoint.
#ifndef SRE_EVAL_SIM_API_API_SERVER_H_
#define SRE_EVAL_SIM_API_API_SERVER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "sim/sim.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sre_eval {
namespace sim {

class HeaderDeadline;

// What an agent's port may change besides reading (the act tasks of issue 21): a write with one
// of `verbs` on one of `resources` (plural, with a subresource: "deployments/scale") in
// namespace `ns`. Empty: read-only.
struct AgentScope {
  std::string ns;
  std::vector<std::string> verbs;
  std::vector<std::string> resources;
};

// Whose port a request came in on.
struct AgentIdentity {
  std::string label;
  AgentScope scope;
};

// The kubeconfig context the sim writes.
constexpr char kContext[] = "sre-eval-sim";

class ApiServer {
 public:
  // `sim` is not owned and must outlive the server.
  explicit ApiServer(Sim* sim);
  ~ApiServer();  // Stops.

  // Listens on 127.0.0.1:`port` (0 picks a free one) and serves on a background thread.
  // Returns the port. Unavailable when the port cannot be bound.
  absl::StatusOr<int> Start(int port);
  // Stops serving; open watches end. Idempotent.
  void Stop();
  int port() const { return port_; }

  // The longest a connection may take to send a request line and its headers before it is
  // closed, as the kube-apiserver's ReadHeaderTimeout (32 s, the default). Before Start().
  void set_header_timeout(std::chrono::steady_clock::duration d) { header_timeout_ = d; }
  // Connections closed so far for taking too long over their headers.
  size_t header_timeouts() const;

  // How far back every time the server shows is moved (0 or negative, in whole seconds), read
  // on each response: `sre-eval sim --speed X` with X > 1 runs the virtual clock ahead of the
  // wall clock, and clients compute ages from their own clock (kubectl describe, kubectl
  // events): shown as they are, times would lie in the clients' future ("<invalid>" ages).
  // Moved back by how far the clock is ahead, every time reads as the same age as the
  // model's: what a client computes from the shown times is what the sim computes (the
  // AGE columns of `kubectl get`). Times in requests (sinceTime) are moved forward again.
  // Only the API's time fields (creationTimestamp, lastTimestamp, startedAt, ...) and log
  // timestamps move; a time a client wrote elsewhere (an annotation) is left alone. Not the
  // /sim/v1 control API, which speaks virtual time.
  void set_time_shift(const std::atomic<int64_t>* seconds);

  // With a token, /sim/v1/* answers only requests carrying "Authorization: Bearer TOKEN"
  // (others get 403): what `record` and `run` set, so that an agent cannot read or move the
  // clock. Without one (`sre-eval sim`, the tests) they are open. Call before Start.
  void set_control_token(std::string token);

  // The sample gate, for the harness's samples: its requests under /auth/TOKEN/gate/ wait
  // while the gate is closed (at most 40 s, then 503), pass while it is open, and are answered
  // 503 at once while it refuses. A kubectl started early against that path spends its
  // start-up (most of a call's cost) while the harness does other things, and reads the
  // cluster when the harness opens the gate: cluster::Kubectl's prefetched samples. Closed at
  // first; Stop refuses.
  enum class Gate { kClosed, kOpen, kRefusing };
  void SetGate(Gate state);
  // The path prefix of the gated requests, after the token: "/gate".
  static constexpr char kGatePrefix[] = "/gate";

  // Serves one request in-process, without a socket, as a worker thread would: for fuzzing.
  // `req` needs method, path, params, headers and body set; a watch leaves its stream in
  // `res`'s content provider. `agent`, when given, serves it as on that agent's port
  // (OpenAgentPort). Thread-safe like the server.
  void Handle(const httplib::Request& req, httplib::Response& res,
              const AgentIdentity* agent = nullptr);

  // A kubeconfig with one context, kContext, pointing at this server, namespace sock-shop; with
  // a `token`, at the server's /auth/TOKEN/ (see AddAgentToken); `gated`, at its sample gate
  // (/auth/TOKEN/gate, see SetGate).
  std::string Kubeconfig(const std::string& token = "", bool gated = false) const;

  // The agent under test's credential is a port of its own: kubectl sends no bearer token
  // over plain HTTP (client-go reads a kubeconfig's user only for https), and drops a path
  // prefix of the server URL on `get --raw`, so a port is the one identity every client keeps.
  // The port serves everything the main one does (the Kubernetes API, the monitoring APIs),
  // but only reads: a write is refused 403 as RBAC refuses it, /sim/v1 403; and every request
  // on it is recorded with `label` for the audit trail (TakeAudit). Over HTTP the harness
  // opens one with POST /sim/v1/agents {"label", "scope"?: {"namespace", "verbs": [...],
  // "resources": [...]}} (201 {"label", "port"}), closes them all with
  // DELETE /sim/v1/agents, and collects the records with POST /sim/v1/audit
  // ({"entries": [...]}, each {time, label, tool, verb, group?, resource, path?, namespace,
  // name, query, status, bytes, latency_ms, unsafe?}; taken, not copied).
  //
  // On the main port, with a control token set, writes need the harness's credential, a
  // server URL under /auth/TOKEN (Kubeconfig(token)); anonymous requests may read, as an agent
  // that found the port could, but never change the cluster (403 for system:anonymous).
  // With a `scope`, the writes it names are served (and recorded as writes, not unsafe).
  absl::StatusOr<int> OpenAgentPort(const std::string& label, const AgentScope& scope = {});
  void CloseAgentPorts();
  std::vector<nlohmann::json> TakeAudit();

 private:
  class Handler;
  struct AgentPort;

  // Routes and limits of a listener; `agent` (null on the main port) names its agent.
  void Configure(httplib::Server* http, const AgentIdentity* agent);

  std::chrono::steady_clock::duration header_timeout_ = std::chrono::seconds(32);
  std::unique_ptr<HeaderDeadline> header_deadline_;
  Sim* sim_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Handler> handler_;
  std::thread thread_;
  int port_ = 0;
  absl::Mutex agents_mu_;
  std::vector<std::unique_ptr<AgentPort>> agent_ports_ ABSL_GUARDED_BY(agents_mu_);
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_API_SERVER_H_
