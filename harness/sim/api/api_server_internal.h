// Internal to the API server (api_server.cc, api_server_objects.cc): the Status errors, the
// request helpers and the request handler both halves define. Not part of the sim's interface.
#ifndef SRE_EVAL_SIM_API_API_SERVER_INTERNAL_H_
#define SRE_EVAL_SIM_API_API_SERVER_INTERNAL_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/api/request_metrics.h"
#include "sim/api/resources.h"
#include "sim/shop/metrics.h"
#include "sim/sim.h"
#include "sim/store/selector.h"

namespace sre_eval {
namespace sim {
namespace api_internal {

// An API error, rendered as a Status object.
struct ApiError {
  int code;
  std::string reason;
  std::string message;
  // The Status' details when the error brings its own (422 Invalid: name, group, kind and the
  // field causes); else null, and StatusJson makes them from the name and kind it is given.
  nlohmann::json details = nullptr;
};

ApiError FromStatus(const absl::Status& s);

nlohmann::json StatusJson(const ApiError& e, const std::string& name = "",
                          const std::string& kind = "");

std::string Param(const httplib::Request& req, const std::string& name);

bool ParamTrue(const httplib::Request& req, const std::string& name);

std::string MetaString(const nlohmann::json& o, const char* field);

// A path under /api/VERSION or /apis/GROUP/VERSION, split as the routing reads it: `rest` is
// what follows the version, after "namespaces/NS" when NS names the namespace of a namespaced
// resource. Nullopt for any other path (/apis/GROUP included).
struct ApiPath {
  std::string group;
  std::string version;
  std::string ns;
  std::vector<std::string> rest;
};
std::optional<ApiPath> ParseApiPath(const std::vector<std::string>& segs);

// What a request names: /api/v1/namespaces/sock-shop/pods/NAME/log, and so on.
struct Target {
  const ResourceInfo* info = nullptr;
  std::string ns;
  std::string name;
  std::string sub;
  std::string rest;  // After a proxy subresource: the path to forward.
};

// Moves every time field of the API in `doc` (creationTimestamp, lastTimestamp, startedAt,
// eventTime, ... at any depth; RFC 3339 in UTC, the precision kept) by `shift`.
void ShiftTimes(nlohmann::json* doc, absl::Duration shift);

}  // namespace api_internal

// The request handler, called from cpp-httplib's worker threads, several at once.
// The routing, logs, metrics, the services proxy and /sim/v1 are in api_server.cc, the object
// endpoints (list, get, watch, create, replace, patch, delete, scale) in api_server_objects.cc.
class ApiServer::Handler {
 public:
  explicit Handler(Sim* sim) : sim_(sim) {}

  void set_port(int port) { port_ = port; }
  void set_time_shift(const std::atomic<int64_t>* seconds) { shift_seconds_ = seconds; }
  // See ApiServer::set_control_token. Set before serving.
  void set_control_token(std::string token) { control_token_ = std::move(token); }

  // `agent_port`: the label of the agent whose port the request came in on; null on the main
  // port.
  void Serve(const httplib::Request& req, httplib::Response& res, const AgentIdentity* agent_port);

  // See ApiServer::OpenAgentPort and TakeAudit (sim/api/api_server_access.cc).
  void set_agent_ports(
      std::function<absl::StatusOr<int>(const std::string&, const AgentScope&)> open,
      std::function<void()> close) {
    open_agent_port_ = std::move(open);
    close_agent_ports_ = std::move(close);
  }
  std::vector<nlohmann::json> TakeAudit();

  void Stop() {
    stopping_ = true;
    SetGate(ApiServer::Gate::kRefusing);
  }
  void SetGate(ApiServer::Gate state) {
    absl::MutexLock lock(&gate_mu_);
    gate_ = state;
  }
  // Waits while the gate is closed, at most `limit`: whether it is open.
  bool PassGate(absl::Duration limit) {
    absl::MutexLock lock(&gate_mu_);
    auto not_closed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(gate_mu_) {
      return gate_ != ApiServer::Gate::kClosed;
    };
    gate_mu_.AwaitWithTimeout(absl::Condition(&not_closed), limit);
    return gate_ == ApiServer::Gate::kOpen;
  }

  // Answers with `e` as a Status, before any routing (a body that could not be read).
  void Reject(httplib::Response& res, const api_internal::ApiError& e) { Error(res, e); }

 private:
  using ApiError = api_internal::ApiError;
  using Target = api_internal::Target;

  void Json(httplib::Response& res, int code, const nlohmann::json& body) {
    res.status = code;
    absl::Duration shift = Shift();
    // Bytes that are not UTF-8 (a name from a request's path) become U+FFFD, never a throw.
    constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
    if (shift == absl::ZeroDuration()) {
      return res.set_content(body.dump(-1, ' ', false, kReplace), "application/json");
    }
    nlohmann::json shown = body;
    api_internal::ShiftTimes(&shown, shift);
    res.set_content(shown.dump(-1, ' ', false, kReplace), "application/json");
  }

  // See ApiServer::set_time_shift.
  absl::Duration Shift() const {
    return shift_seconds_ == nullptr ? absl::ZeroDuration() : absl::Seconds(shift_seconds_->load());
  }

  void Error(httplib::Response& res, const ApiError& e, const std::string& name = "",
             const std::string& kind = "") {
    Json(res, e.code, api_internal::StatusJson(e, name, kind));
  }

  void NotFoundPath(httplib::Response& res) {
    Error(res, {404, "NotFound", "the server could not find the requested resource"});
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res);

  // Label and field selectors of a list or watch; false (with the error sent) when malformed.
  struct Filter {
    std::optional<LabelSelector> labels;
    std::optional<FieldSelector> fields;
    bool Matches(const nlohmann::json& o) const {
      if (labels.has_value()) {
        auto m = o.find("metadata");
        nlohmann::json none;
        const nlohmann::json& l = m != o.end() && m->contains("labels") ? (*m)["labels"] : none;
        if (!labels->Matches(l)) return false;
      }
      return !fields.has_value() || fields->Matches(o);
    }
  };

  bool MakeFilter(const httplib::Request& req, httplib::Response& res, const Target& t, Filter* f);
  bool WantsTable(const httplib::Request& req);
  nlohmann::json WithKind(nlohmann::json o, const ResourceInfo& info);
  // An object a client sent for `info`, in the form the store keeps: WithKind, and for
  // autoscaling/v1 HPAs the conversion to the stored autoscaling/v2.
  nlohmann::json ForStorage(nlohmann::json o, const ResourceInfo& info);
  void List(const httplib::Request& req, httplib::Response& res, const Target& t);
  // `items` as a Table when the client asks for one, else as a <Kind>List at version `rv`.
  void ServeList(const httplib::Request& req, httplib::Response& res, const Target& t,
                 std::vector<nlohmann::json> items, absl::Time now, uint64_t rv);
  void Get(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Watch(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Create(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Replace(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Patch(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Delete(const httplib::Request& req, httplib::Response& res, const Target& t);
  nlohmann::json ScaleOf(const nlohmann::json& o);
  void GetScale(httplib::Response& res, const Target& t);
  void ChangeScale(const httplib::Request& req, httplib::Response& res, const Target& t);

  void Logs(const httplib::Request& req, httplib::Response& res, const Target& t);
  void Exec(const httplib::Request& req, httplib::Response& res, const Target& t);
  // The socket of `req`'s connection, taken over for an upgrade (the 101 is the caller's to
  // write); -1 with a 500 Status sent when it is not found.
  int TakeOver(const httplib::Request& req, httplib::Response& res);
  // `kubectl port-forward` (sim/api/api_server_portforward.cc).
  void PortForward(const httplib::Request& req, httplib::Response& res, const Target& t);
  // What `port` of `pod` reaches: "" with the service whose targetPort it is in *service, or
  // the kubelet's error for the error stream. Requires the model lock.
  std::string OpenPodPort(const nlohmann::json& pod, int port, std::string* service);
  // GET /metrics: apiserver_request_total and apiserver_storage_objects.
  void ServerMetrics(httplib::Response& res);
  // A pod's containers' usage at a scrape time, for PodMetrics. Requires the model lock while
  // it is called.
  std::function<Usage(const std::string&, absl::Time)> UsageOf(const nlohmann::json& pod);
  void Metrics(const httplib::Request& req, httplib::Response& res, const Target& t);
  // Endpoints, EndpointSlices, ServiceAccounts, Secrets, StatefulSets (sim/kube/derived.h): get and
  // list, computed from the store.
  void Derived(const httplib::Request& req, httplib::Response& res, const Target& t);
  // `kubectl auth can-i`: the sim's user may do everything, as kind's admin may.
  void AccessReview(const httplib::Request& req, httplib::Response& res);
  void Proxy(const httplib::Request& req, httplib::Response& res, const Target& t);
  // Routes a request for a stored or derived resource by method and subresource.
  void Dispatch(const httplib::Request& req, httplib::Response& res, const Target& t);
  // nodes/NAME/proxy: the kubelet's /stats/summary and /healthz.
  void NodeProxy(const httplib::Request& req, httplib::Response& res, const Target& t);
  // /prometheus/api/v1/<endpoint>: the monitoring history (sim/monitoring/prometheus_api.h).
  void Prometheus(const httplib::Request& req, httplib::Response& res, const std::string& endpoint);
  // /loki/api/v1/<endpoint>: every container instance's logs (sim/monitoring/loki_api.h).
  void Loki(const httplib::Request& req, httplib::Response& res, const std::string& endpoint);
  // /datadog/api/...: a subset of Datadog's API (sim/monitoring/datadog_api.h).
  void Datadog(const httplib::Request& req, httplib::Response& res, const std::string& path);
  void Control(const httplib::Request& req, httplib::Response& res, const std::string& what);

  // Who calls: on an agent's port, that agent; on the main port, under /auth/TOKEN/ with the
  // control token, the harness (`*path` becomes what follows the prefix; another token is
  // unknown), else anonymous.
  struct Caller {
    enum Kind { kAnonymous, kHarness, kAgent, kUnknown } kind = kAnonymous;
    std::string label;                  // an agent's
    const AgentScope* scope = nullptr;  // an agent's
  };
  Caller CallerOf(const httplib::Request& req, const AgentIdentity* agent_port, std::string* path);
  // Whether `req` (its path without the prefix) may go on; else the refusal is in `res`: an
  // unknown token is 401, an agent's write 403 as RBAC says it, an agent's /sim/v1 request
  // 403, and with a control token set an anonymous write 403.
  bool Admit(const httplib::Request& req, httplib::Response& res, const Caller& caller);
  bool Deny(httplib::Response& res);
  // Records an agent's request, answered with `res`, for the audit trail.
  void Audit(const httplib::Request& req, const httplib::Response& res, const Caller& caller,
             absl::Time start);

  static constexpr char kAuthPrefix[] = "/auth/";
  static constexpr char kAgentUser[] = "system:serviceaccount:sock-shop:sre-eval-agent";
  static constexpr size_t kMaxAudit = 200000;

  Sim* sim_;
  int port_ = 0;
  RequestMetrics metrics_;  // What /metrics reports.
  std::atomic<bool> stopping_{false};
  absl::Mutex gate_mu_;
  ApiServer::Gate gate_ ABSL_GUARDED_BY(gate_mu_) = ApiServer::Gate::kClosed;
  const std::atomic<int64_t>* shift_seconds_ = nullptr;  // Not owned; see Shift().
  std::string control_token_;  // "" when /sim/v1 is open; see ApiServer::set_control_token
  std::function<absl::StatusOr<int>(const std::string&, const AgentScope&)> open_agent_port_;
  std::function<void()> close_agent_ports_;
  absl::Mutex access_mu_;
  std::vector<nlohmann::json> audit_ ABSL_GUARDED_BY(access_mu_);
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_API_SERVER_INTERNAL_H_
