#include "sim/api/api_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "sim/api/api_server_internal.h"
#include "sim/api/connection_threads.h"
#include "sim/api/discovery.h"
#include "sim/api/header_deadline.h"
#include "sim/api/protobuf.h"
#include "sim/api/request_body.h"
#include "sim/api/resources.h"
#include "sim/api/server_sockets.h"
#include "sim/api/websocket.h"
#include "sim/kube/controllers_internal.h"
#include "sim/kube/derived.h"
#include "sim/monitoring/datadog_api.h"
#include "sim/monitoring/loki_api.h"
#include "sim/monitoring/prometheus_api.h"
#include "sim/shop/log_book.h"
#include "sim/shop/logs.h"
#include "sim/shop/metrics.h"
#include "sim/shop/service_proxy.h"
#include "sim/shop/sockshop.h"
#include "sim/shop/userland.h"
#include "sim/store/object_store.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {

namespace {

// Connections served at once, each on its own thread (watches included); more wait for one
// to close. Far above what the harness, kubectl and an agent open together.
constexpr size_t kMaxConnections = 1024;

// cpp-httplib 0.11 listens with a backlog of 5: a burst of connections (an agent's watches)
// overflowed it and each dropped SYN cost its client a 1 s retransmit.
constexpr int kListenBacklog = 1024;

// The longest wait for the next bytes of a request.
constexpr time_t kReadTimeoutSeconds = 30;

bool Chunked(const httplib::Request& req) {
  return absl::StrContains(absl::AsciiStrToLower(req.get_header_value("Transfer-Encoding")),
                           "chunked");
}

}  // namespace

namespace api_internal {

ApiError FromStatus(const absl::Status& s) {
  std::string m(s.message());
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return {404, "NotFound", m};
    case absl::StatusCode::kAlreadyExists:
      return {409, "AlreadyExists", m};
    case absl::StatusCode::kAborted:
      return {409, "Conflict", m};
    case absl::StatusCode::kInvalidArgument:
      return {400, "BadRequest", m};
    case absl::StatusCode::kFailedPrecondition: {
      ApiError e{422, "Invalid", m};
      if (auto details = s.GetPayload(kInvalidDetailsUrl)) {
        e.details = nlohmann::json::parse(std::string(*details), nullptr, false);
        if (!e.details.is_object()) e.details = nullptr;
      }
      return e;
    }
    case absl::StatusCode::kResourceExhausted:
      return {413, "RequestEntityTooLarge", m};
    case absl::StatusCode::kOutOfRange:
      return {410, "Expired", m};
    case absl::StatusCode::kUnimplemented:
      return {405, "MethodNotAllowed", m};
    default:
      return {500, "InternalError", m};
  }
}

nlohmann::json StatusJson(const ApiError& e, const std::string& name, const std::string& kind) {
  nlohmann::json s = {
      {"kind", "Status"},    {"apiVersion", "v1"},   {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", e.message}, {"reason", e.reason},
      {"code", e.code}};
  if (e.details.is_object()) {
    s["details"] = e.details;
  } else if (!name.empty() || !kind.empty()) {
    s["details"] = nlohmann::json::object();
    if (!name.empty()) s["details"]["name"] = name;
    if (!kind.empty()) s["details"]["kind"] = kind;
  }
  return s;
}

std::string Param(const httplib::Request& req, const std::string& name) {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : "";
}

// A boolean query parameter as the API server converts one (apimachinery's
// Convert_Slice_string_To_bool): absent, "0" or "false" in any case is false; anything else,
// the empty value included, is true. The Python client sends "True".
bool ParamTrue(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return false;
  std::string v = req.get_param_value(name.c_str());
  return !(v == "0" || absl::EqualsIgnoreCase(v, "false"));
}

std::string MetaString(const nlohmann::json& o, const char* field) {
  auto m = o.find("metadata");
  if (m == o.end() || !m->is_object()) return "";
  auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : "";
}

namespace {

// The API server, Prometheus and Loki answer gzip (or nothing) whatever else a client accepts;
// cpp-httplib would pick brotli for a client that lists it (Node's fetch, curl's
// --compressed), at about 0.7 ms a response. Takes br and zstd out of Accept-Encoding before
// cpp-httplib decides how to encode the response.
void OfferGzipOnly(httplib::Request* req) {
  auto it = req->headers.find("Accept-Encoding");
  if (it == req->headers.end()) return;
  std::vector<std::string> kept;
  for (absl::string_view e : absl::StrSplit(it->second, ',')) {
    e = absl::StripAsciiWhitespace(e);
    const absl::string_view name = e.substr(0, e.find(';'));
    if (name == "br" || name == "zstd") continue;
    kept.emplace_back(e);
  }
  it->second = absl::StrJoin(kept, ", ");
}

// The API's time fields: metav1.Time and metav1.MicroTime values of the kinds served.
bool IsTimeField(const std::string& key) {
  static const auto* keys = new absl::flat_hash_set<std::string>{"creationTimestamp",
                                                                 "deletionTimestamp",
                                                                 "firstTimestamp",
                                                                 "lastTimestamp",
                                                                 "eventTime",
                                                                 "lastObservedTime",
                                                                 "startedAt",
                                                                 "finishedAt",
                                                                 "startTime",
                                                                 "completionTime",
                                                                 "lastTransitionTime",
                                                                 "lastProbeTime",
                                                                 "lastUpdateTime",
                                                                 "lastHeartbeatTime",
                                                                 "lastScaleTime",
                                                                 "timestamp",
                                                                 "time",
                                                                 "deprecatedFirstTimestamp",
                                                                 "deprecatedLastTimestamp"};
  return keys->contains(key);
}

// `value` ("2026-11-24T10:00:00Z", "2026-11-24T10:00:00.123456Z") moved by `shift`, with as
// many decimals as it had; anything else as it is.
void ShiftTime(nlohmann::json* value, absl::Duration shift) {
  if (!value->is_string()) return;
  const std::string& text = value->get_ref<const std::string&>();
  if (text.size() < 20 || text.back() != 'Z' || text[10] != 'T') return;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return;
  size_t decimals = text.size() > 21 && text[19] == '.' ? text.size() - 21 : 0;
  std::string format =
      decimals == 0 ? "%Y-%m-%d%ET%H:%M:%SZ" : absl::StrCat("%Y-%m-%d%ET%H:%M:%E", decimals, "SZ");
  *value = absl::FormatTime(format, t + shift, absl::UTCTimeZone());
}

}  // namespace

void ShiftTimes(nlohmann::json* doc, absl::Duration shift) {
  if (doc->is_object()) {
    for (auto it = doc->begin(); it != doc->end(); ++it) {
      if (IsTimeField(it.key())) {
        ShiftTime(&it.value(), shift);
      } else if (it->is_structured()) {
        ShiftTimes(&it.value(), shift);
      }
    }
  } else if (doc->is_array()) {
    for (nlohmann::json& v : *doc) {
      if (v.is_structured()) ShiftTimes(&v, shift);
    }
  }
}

std::optional<ApiPath> ParseApiPath(const std::vector<std::string>& segs) {
  ApiPath p;
  size_t i;
  if (segs.size() >= 2 && segs[0] == "api") {
    p.version = segs[1];
    i = 2;
  } else if (segs.size() >= 3 && segs[0] == "apis") {
    p.group = segs[1];
    p.version = segs[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  p.rest.assign(segs.begin() + i, segs.end());
  if (p.rest.size() >= 3 && p.rest[0] == "namespaces") {
    const ResourceInfo* r = FindResource(p.group, p.version, p.rest[2]);
    if (r != nullptr && r->namespaced) {
      p.ns = p.rest[1];
      p.rest.erase(p.rest.begin(), p.rest.begin() + 2);
    }
  }
  return p;
}

}  // namespace api_internal

using namespace api_internal;  // The helpers this file shares with api_server_objects.cc.

namespace {

// apiserver_request_total's labels for a request answered with `code`, read from its path as
// the routing reads it.
RequestLabels LabelsOf(const httplib::Request& req, int code) {
  RequestLabels l;
  l.code = absl::StrCat(code);
  l.dry_run = !Param(req, "dryRun").empty();
  l.verb = req.method;
  std::optional<ApiPath> path = ParseApiPath(absl::StrSplit(req.path, '/', absl::SkipEmpty()));
  if (!path.has_value() || path->rest.empty()) {
    l.subresource = req.path;  // A path that names no resource: /version, /api, /openapi/v3.
    return l;
  }
  l.group = path->group;
  l.version = path->version;
  const std::string& ns = path->ns;
  const std::vector<std::string>& rest = path->rest;
  l.resource = rest[0];
  const std::string name = rest.size() >= 2 ? rest[1] : "";
  l.subresource = rest.size() >= 3 ? rest[2] : "";
  l.scope = !name.empty() ? "resource" : !ns.empty() ? "namespace" : "cluster";
  const bool connect = l.subresource == "exec" || l.subresource == "proxy" ||
                       l.subresource == "attach" || l.subresource == "portforward";
  if (req.method == "GET") {
    l.verb = connect                   ? "CONNECT"
             : !name.empty()           ? "GET"
             : ParamTrue(req, "watch") ? "WATCH"
                                       : "LIST";
  } else if (connect) {
    l.verb = "CONNECT";
  } else if (req.method == "PATCH" &&
             absl::StartsWith(req.get_header_value("Content-Type"), "application/apply-patch")) {
    l.verb = "APPLY";
  } else if (req.method == "DELETE" && name.empty()) {
    l.verb = "DELETECOLLECTION";
  }
  return l;
}

}  // namespace

void ApiServer::Handler::Serve(const httplib::Request& req, httplib::Response& res,
                               const AgentIdentity* agent_port) {
  std::string path;
  const Caller caller = CallerOf(req, agent_port, &path);
  const bool agent = caller.kind == Caller::kAgent;
  const absl::Time start = agent ? absl::Now() : absl::InfinitePast();
  std::optional<httplib::Request> unprefixed;
  if (caller.kind == Caller::kHarness) {
    unprefixed = req;
    unprefixed->path = std::move(path);
    const size_t at = unprefixed->target.find('/', sizeof(kAuthPrefix) - 1);
    unprefixed->target = at == std::string::npos ? "/" : unprefixed->target.substr(at);
  }
  if (unprefixed.has_value() &&
      (unprefixed->path == ApiServer::kGatePrefix ||
       absl::StartsWith(unprefixed->path, absl::StrCat(ApiServer::kGatePrefix, "/")))) {
    // A prefetched sample: it reads the cluster when the harness opens the gate.
    const size_t n = sizeof(ApiServer::kGatePrefix) - 1;
    unprefixed->path = unprefixed->path.size() == n ? "/" : unprefixed->path.substr(n);
    if (absl::StartsWith(unprefixed->target, ApiServer::kGatePrefix)) {
      unprefixed->target = unprefixed->target.size() == n ? "/" : unprefixed->target.substr(n);
    }
    if (!PassGate(absl::Seconds(40))) {
      return Error(res, {503, "ServiceUnavailable", "the harness's sample gate is not open"});
    }
  }
  const httplib::Request& r = unprefixed.has_value() ? *unprefixed : req;
  try {
    if (Admit(r, res, caller)) Dispatch(r, res);
  } catch (const std::exception& e) {
    Error(res, {500, "InternalError", absl::StrCat("internal error: ", e.what())});
  }
  if (agent) Audit(r, res, caller, start);
  // The sim's own control API is no part of the Kubernetes API's traffic.
  if (!absl::StartsWith(r.path, "/sim/")) {
    metrics_.Count(LabelsOf(r, res.status > 0 ? res.status : 200));
  }
}

void ApiServer::Handler::ServerMetrics(httplib::Response& res) {
  std::vector<std::pair<std::string, int64_t>> stored;
  for (const ResourceInfo& r : Resources()) {
    if (!r.stored || IsDerived(r.group, r.resource)) continue;
    std::string name = r.group.empty() ? r.resource : absl::StrCat(r.resource, ".", r.group);
    bool seen = false;
    for (const auto& [n, count] : stored) seen = seen || n == name;
    if (seen) continue;  // autoscaling/v1 and v2 are one stored resource
    int64_t count = 0;
    sim_->store()->ForEach(r.resource, "", [&](const nlohmann::json&) { ++count; });
    stored.emplace_back(name, count);
  }
  res.status = 200;
  res.set_content(metrics_.Text(stored), "text/plain; version=0.0.4; charset=utf-8");
}

void ApiServer::Handler::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  if (path == "/version" || path == "/version/") return Json(res, 200, VersionInfo());
  if (path == "/metrics" && req.method == "GET") return ServerMetrics(res);
  if (path == "/healthz" || path == "/readyz" || path == "/livez") {
    res.set_content("ok", "text/plain");
    return;
  }
  if (path == "/api" || path == "/api/") {
    return Json(res, 200, CoreApiVersions(absl::StrCat("127.0.0.1:", port_)));
  }
  if (path == "/apis" || path == "/apis/") return Json(res, 200, ApiGroupList());
  if (path == "/openapi/v2") {
    // An empty protobuf Document: kubectl then has no client-side schema.
    res.status = 200;
    res.set_content("", kOpenApiV2Protobuf);
    return;
  }
  if (path == "/openapi/v3") return Json(res, 200, OpenApiV3Index());
  if (absl::StartsWith(path, "/openapi/v3/")) {
    auto doc = OpenApiV3Document(path.substr(12));
    if (!doc.has_value()) return NotFoundPath(res);
    return Json(res, 200, *doc);
  }
  if (absl::StartsWith(path, "/sim/v1/")) return Control(req, res, path.substr(8));
  if (absl::StartsWith(path, "/prometheus/api/v1/")) return Prometheus(req, res, path.substr(19));
  if (absl::StartsWith(path, "/loki/api/v1/")) return Loki(req, res, path.substr(13));
  if (absl::StartsWith(path, "/datadog/")) return Datadog(req, res, path.substr(8));

  std::vector<std::string> segs = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (segs.size() == 2 && segs[0] == "apis") {
    auto g = ApiGroup(segs[1]);
    if (!g.has_value()) return NotFoundPath(res);
    return Json(res, 200, *g);
  }
  std::optional<ApiPath> parsed = ParseApiPath(segs);
  if (!parsed.has_value()) return NotFoundPath(res);
  const std::string& group = parsed->group;
  const std::string& version = parsed->version;
  if (parsed->rest.empty()) {
    auto list = ApiResourceList(group.empty() ? version : absl::StrCat(group, "/", version));
    if (!list.has_value()) return NotFoundPath(res);
    return Json(res, 200, *list);
  }
  Target t;
  t.ns = parsed->ns;
  const std::vector<std::string>& rest = parsed->rest;
  t.info = FindResource(group, version, rest[0]);
  if (t.info == nullptr) return NotFoundPath(res);
  if (rest.size() >= 2) t.name = rest[1];
  if (rest.size() >= 3) t.sub = rest[2];
  if (rest.size() >= 4) {
    t.rest = "/" + absl::StrJoin(std::vector<std::string>(rest.begin() + 3, rest.end()), "/");
  }
  if (t.info->namespaced && t.ns.empty() && !t.name.empty()) return NotFoundPath(res);
  if (t.info->resource == "pods" && !t.name.empty() && t.sub == "exec" &&
      (req.method == "GET" || req.method == "POST")) {
    return Exec(req, res, t);
  }
  if (t.info->resource == "pods" && !t.name.empty() && t.sub == "portforward" &&
      (req.method == "GET" || req.method == "POST")) {
    return PortForward(req, res, t);
  }
  if (t.info->resource == "pods" && !t.name.empty() &&
      (t.sub == "attach" || t.sub == "ephemeralcontainers")) {
    // No process runs in the sim: say so in a Status kubectl can print (a bare 404 made
    // `kubectl debug` panic).
    return Error(res,
                 {405, "MethodNotAllowed",
                  absl::StrCat("the simulated cluster runs no processes: pods/", t.sub,
                               " (kubectl attach, debug) is not available; use kubectl exec (a "
                               "simulated userland), port-forward, logs, events, metrics and "
                               "the services proxy instead")},
                 t.name, "pods");
  }
  if (!t.sub.empty() && t.sub != "proxy" &&
      std::find(t.info->subresources.begin(), t.info->subresources.end(), t.sub) ==
          t.info->subresources.end()) {
    return NotFoundPath(res);
  }
  if (t.sub == "proxy") {
    if (t.info->resource == "nodes" && !t.name.empty()) return NodeProxy(req, res, t);
    if (t.info->resource != "services") return NotFoundPath(res);
    if (t.rest.empty() && path.back() == '/') t.rest = "/";
    return Proxy(req, res, t);
  }
  if (!t.info->stored) return Metrics(req, res, t);
  if (t.info->resource == "selfsubjectaccessreviews") return AccessReview(req, res);
  if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") &&
      absl::StartsWith(req.get_header_value("Content-Type"), kProtobufContentType)) {
    // kubectl's typed clients (create configmap|secret|namespace, autoscale) send protobuf:
    // the request goes on with the object as JSON.
    absl::StatusOr<nlohmann::json> decoded =
        req.method == "POST" ? DecodeProtobufObject(req.body)
                             : absl::UnimplementedError(
                                   "the simulated cluster decodes protobuf only to create "
                                   "objects: write the object as a manifest and use kubectl "
                                   "apply -f");
    if (!decoded.ok()) {
      return Error(
          res, decoded.status().code() == absl::StatusCode::kUnimplemented
                   ? ApiError{415, "UnsupportedMediaType", std::string(decoded.status().message())}
                   : FromStatus(decoded.status()));
    }
    httplib::Request as_json = req;
    as_json.body = decoded->dump();
    as_json.headers.erase("Content-Type");
    as_json.headers.emplace("Content-Type", "application/json");
    return Dispatch(as_json, res, t);
  }
  return Dispatch(req, res, t);
}

void ApiServer::Handler::Dispatch(const httplib::Request& req, httplib::Response& res,
                                  const Target& t) {
  if (IsDerived(t.info->group, t.info->resource)) return Derived(req, res, t);

  const std::string& m = req.method;
  if (m == "GET" && t.name.empty()) {
    if (ParamTrue(req, "watch")) return Watch(req, res, t);
    return List(req, res, t);
  }
  if (m == "GET" && t.sub == "log") return Logs(req, res, t);
  if (m == "GET" && t.sub == "scale") return GetScale(res, t);
  if (m == "GET") return Get(req, res, t);
  if (m == "POST" && t.name.empty()) return Create(req, res, t);
  if ((m == "PUT" || m == "PATCH") && t.sub == "scale") return ChangeScale(req, res, t);
  if (m == "PUT" && !t.name.empty()) return Replace(req, res, t);
  if (m == "PATCH" && !t.name.empty()) return Patch(req, res, t);
  if (m == "DELETE" && !t.name.empty() && t.sub.empty()) return Delete(req, res, t);
  Error(res, {405, "MethodNotAllowed",
              absl::StrCat("the server does not allow this method on the requested resource")});
}

namespace {

using internal::At;
using internal::Str;

// The container a logs or exec request names (`container`), or the pod's only one; the API
// server's 400 when it names none of several, or one the pod does not have.
std::optional<ApiError> PickContainer(const httplib::Request& req, const nlohmann::json& pod,
                                      const std::string& pod_name, std::string* container) {
  std::vector<std::string> names;
  for (const nlohmann::json& c : At(pod, {"spec", "containers"})) {
    names.push_back(Str(At(c, {"name"})));
  }
  *container = Param(req, "container");
  if (container->empty()) {
    if (names.size() != 1) {
      return ApiError{400, "BadRequest",
                      absl::StrCat("a container name must be specified for pod ", pod_name,
                                   ", choose one of: [", absl::StrJoin(names, " "), "]")};
    }
    *container = names[0];
  }
  if (std::find(names.begin(), names.end(), *container) == names.end()) {
    return ApiError{400, "BadRequest",
                    absl::StrCat("container ", *container, " is not valid for pod ", pod_name)};
  }
  return std::nullopt;
}

// One line as `kubectl logs` prints it: with `timestamps`, the time first (RFC 3339, ns).
// `shift` as ApiServer::set_time_shift.
void AppendLogLine(const LogLine& line, bool timestamps, absl::Duration shift, std::string* out) {
  if (timestamps) {
    absl::StrAppend(
        out, absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", line.time + shift, absl::UTCTimeZone()), " ");
  }
  absl::StrAppend(out, line.text, "\n");
}

// Whether `container` of `pod` still runs the instance that started at `started_at` (an API
// time); when that instance has ended, `*ended_at` becomes its `terminated.finishedAt`.
bool InstanceRuns(const nlohmann::json& pod, const std::string& container,
                  const std::string& started_at, absl::Time* ended_at) {
  auto started = [&](const nlohmann::json& state, const char* phase) {
    const nlohmann::json& at = At(state, {phase, "startedAt"});
    return at.is_string() && at.get<std::string>() == started_at;
  };
  const nlohmann::json& statuses = At(pod, {"status", "containerStatuses"});
  if (!statuses.is_array()) return false;
  bool runs = false;
  for (const nlohmann::json& cs : statuses) {
    if (Str(At(cs, {"name"})) != container) continue;
    runs = runs || started(At(cs, {"state"}), "running");
    for (const char* which : {"state", "lastState"}) {
      const nlohmann::json& state = At(cs, {which});
      if (started(state, "terminated"))
        *ended_at = ParseApiTime(At(state, {"terminated", "finishedAt"}));
    }
  }
  return runs;
}

}  // namespace

// `kubectl exec` over WebSocket (the v5.channel.k8s.io and v4.channel.k8s.io subprotocols,
// as kubectl 1.30+ and the Python client speak them): the pod and container are checked as
// the API server and kubelet check them, the connection is upgraded on the socket cpp-httplib
// serves it on, stdin (when asked for) is read to its end, the command runs in the simulated
// userland (sim/shop/userland.h), and its stdout, stderr and exit status go back on channels 1, 2
// and 3. SPDY, which kubectl falls back to when a server refuses WebSocket, is not spoken.
void ApiServer::Handler::Exec(const httplib::Request& req, httplib::Response& res,
                              const Target& t) {
  std::vector<std::string> argv;
  for (auto [it, end] = req.params.equal_range("command"); it != end; ++it) {
    argv.push_back(it->second);
  }
  const bool want_stdin = ParamTrue(req, "stdin");
  const bool want_stdout = ParamTrue(req, "stdout");
  const bool want_stderr = ParamTrue(req, "stderr");
  const bool tty = ParamTrue(req, "tty");
  if (argv.empty()) {
    return Error(res, {400, "BadRequest", "you must specify at least 1 command"});
  }
  if (!want_stdin && !want_stdout && !want_stderr) {
    return Error(res, {400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr"});
  }
  nlohmann::json pod;
  {
    absl::MutexLock lock(sim_->mu());
    auto p = sim_->store()->Get("pods", t.ns, t.name);
    if (!p.ok()) return Error(res, FromStatus(p.status()), t.name, "pods");
    pod = *std::move(p);
  }
  std::string container;
  if (std::optional<ApiError> e = PickContainer(req, pod, t.name, &container)) {
    return Error(res, *e);
  }
  const std::string phase = Str(At(pod, {"status", "phase"}));
  if (phase == "Succeeded" || phase == "Failed") {
    return Error(res, {400, "BadRequest",
                       absl::StrCat("cannot exec into a container in a completed pod; current "
                                    "phase is ",
                                    phase)});
  }
  bool running = false;
  for (const nlohmann::json& s : At(pod, {"status", "containerStatuses"})) {
    if (Str(At(s, {"name"})) == container && At(s, {"state", "running"}).is_object()) {
      running = true;
    }
  }
  if (!running) {
    return Error(res,
                 {400, "BadRequest", absl::StrCat("container not found (\"", container, "\")")});
  }
  // The upgrade.
  if (!absl::EqualsIgnoreCase(req.get_header_value("Upgrade"), "websocket")) {
    return Error(res, {400, "BadRequest",
                       absl::StrCat("Upgrade request required: the simulated cluster runs exec "
                                    "over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io), not ",
                                    req.get_header_value("Upgrade").empty()
                                        ? std::string("a plain request")
                                        : req.get_header_value("Upgrade"))});
  }
  std::string protocol;
  for (absl::string_view p : absl::StrSplit(req.get_header_value("Sec-WebSocket-Protocol"), ',')) {
    p = absl::StripAsciiWhitespace(p);
    if (p == "v5.channel.k8s.io" || (p == "v4.channel.k8s.io" && protocol.empty())) {
      protocol = std::string(p);
    }
  }
  const std::string key = req.get_header_value("Sec-WebSocket-Key");
  if (protocol.empty() || key.empty()) {
    return Error(res, {400, "BadRequest",
                       "the WebSocket handshake must offer the subprotocol v5.channel.k8s.io or "
                       "v4.channel.k8s.io and a Sec-WebSocket-Key"});
  }
  const int fd = TakeOver(req, res);
  if (fd < 0) return;
  if (!WriteAll(fd, absl::StrCat("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: ",
                                 WebSocketAccept(key), "\r\nSec-WebSocket-Protocol: ", protocol,
                                 "\r\n\r\n"))) {
    return;
  }
  WebSocketReader reader(fd, kMaxRequestBody);
  WebSocketMessage m;
  std::string input;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (want_stdin && reader.Next(deadline, &m)) {
    if (m.opcode == kWsClose) break;
    if (m.opcode == kWsPing) {
      WriteAll(fd, WebSocketFrame(kWsPong, m.payload));
      continue;
    }
    if (m.payload.empty()) continue;
    const auto channel = static_cast<uint8_t>(m.payload[0]);
    if (channel == 0) input.append(m.payload, 1);
    if (channel == 255 && m.payload.size() >= 2 && m.payload[1] == 0) break;  // v5: stdin closed
    if (input.size() > kMaxRequestBody) break;
  }
  ExecResult r;
  {
    absl::MutexLock lock(sim_->mu());
    r = RunInContainer(sim_, pod, container, argv, input, Shift());
  }
  if (tty) r.out += std::exchange(r.err, "");
  auto frame = [](uint8_t channel, absl::string_view data) {
    std::string payload(1, static_cast<char>(channel));
    payload.append(data.data(), data.size());
    return WebSocketFrame(kWsBinary, payload);
  };
  // An empty message on the lowest writable channel says the streams are ready, as the
  // kubelet's server sends one.
  std::string out = frame(want_stdout ? 1 : want_stderr ? 2 : 3, "");
  if (want_stdout && !r.out.empty()) out += frame(1, r.out);
  if (want_stderr && !r.err.empty()) out += frame(2, r.err);
  nlohmann::json status = {{"metadata", nlohmann::json::object()}, {"status", "Success"}};
  if (r.exit_code != 0) {
    status = {{"metadata", nlohmann::json::object()},
              {"status", "Failure"},
              {"message", absl::StrCat("command terminated with non-zero exit code: error "
                                       "executing command [",
                                       absl::StrJoin(argv, " "), "], exit code ", r.exit_code)},
              {"reason", "NonZeroExitCode"},
              {"details",
               {{"causes", {{{"reason", "ExitCode"}, {"message", absl::StrCat(r.exit_code)}}}}}}};
  }
  out += frame(3, status.dump());
  out += WebSocketClose(1000);
  WriteAll(fd, out);
  // The client closes in turn; what it sends meanwhile is read and dropped, so that closing
  // does not reset the connection before it has read everything.
  shutdown(fd, SHUT_WR);
  const absl::Time drain = absl::Now() + absl::Seconds(5);
  while (reader.Next(drain, &m)) {
  }
  // cpp-httplib's own response to this request then fails on the closed socket, and it closes
  // the connection.
  shutdown(fd, SHUT_RDWR);
}

int ApiServer::Handler::TakeOver(const httplib::Request& req, httplib::Response& res) {
  int fd = -1;
  const std::string peer = PeerKey(req.remote_addr, req.remote_port);
  for (const auto& [candidate, candidate_peer] : ServerConnections(port_)) {
    if (candidate_peer == peer) fd = candidate;
  }
  if (fd < 0) {
    Error(res, {500, "InternalError", "the connection's socket was not found"});
    return -1;
  }
  res.set_header("Connection", "close");
  res.status = 101;  // What was answered, for /metrics.
  return fd;
}

void ApiServer::Handler::Logs(const httplib::Request& req, httplib::Response& res,
                              const Target& t) {
  nlohmann::json pod;
  absl::Time now;
  {
    absl::MutexLock lock(sim_->mu());
    auto p = sim_->store()->Get("pods", t.ns, t.name);
    if (!p.ok()) return Error(res, FromStatus(p.status()), t.name, "pods");
    pod = *std::move(p);
    now = sim_->Now();
  }
  const std::string uid = MetaString(pod, "uid");
  std::string container;
  if (std::optional<ApiError> e = PickContainer(req, pod, t.name, &container)) {
    return Error(res, *e);
  }
  const nlohmann::json* status = nullptr;
  if (pod.contains("status") && pod["status"].contains("containerStatuses")) {
    for (const nlohmann::json& cs : pod["status"]["containerStatuses"]) {
      if (cs.value("name", "") == container) status = &cs;
    }
  }
  bool previous = ParamTrue(req, "previous");
  absl::Time started = absl::InfinitePast();
  absl::Time until = now;
  if (status != nullptr) {
    const nlohmann::json& state = previous ? (*status)["lastState"] : (*status)["state"];
    if (state.contains("running")) started = ParseApiTime(state["running"]["startedAt"]);
    if (state.contains("terminated")) {
      started = ParseApiTime(state["terminated"]["startedAt"]);
      until = ParseApiTime(state["terminated"]["finishedAt"]);
    }
    if (!previous && state.contains("waiting") && (*status)["lastState"].contains("terminated")) {
      started = ParseApiTime((*status)["lastState"]["terminated"]["startedAt"]);
      until = ParseApiTime((*status)["lastState"]["terminated"]["finishedAt"]);
    }
  }
  if (started == absl::InfinitePast()) {
    if (previous) {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("previous terminated container \"", container, "\" in pod \"",
                                      t.name, "\" not found")});
    }
    std::string reason = "ContainerCreating";
    if (status != nullptr && (*status)["state"].contains("waiting")) {
      reason = (*status)["state"]["waiting"].value("reason", reason);
    }
    return Error(res, {400, "BadRequest",
                       absl::StrCat("container \"", container, "\" in pod \"", t.name,
                                    "\" is waiting to start: ", reason)});
  }
  ContainerRef ref;
  ref.app = pod["metadata"].contains("labels") ? pod["metadata"]["labels"].value("name", "") : "";
  if (ref.app.empty()) ref.app = container;
  ref.container = container;
  ref.pod = t.name;
  ref.pod_ip = pod.contains("status") ? pod["status"].value("podIP", "") : "";
  ref.started = started;
  std::vector<LogLine> incident;
  {
    absl::MutexLock lock(sim_->mu());
    incident = sim_->log_book().Lines(uid, container, started, until);
  }
  std::vector<LogLine> lines =
      MergeLogLines(ContainerLogs(ref, until, sim_->seed()), std::move(incident));
  // sinceSeconds / sinceTime, then tailLines, then limitBytes, as the kubelet applies them.
  absl::Time since = absl::InfinitePast();
  std::string since_seconds = Param(req, "sinceSeconds");
  if (!since_seconds.empty()) {
    int64_t s;
    if (!absl::SimpleAtoi(since_seconds, &s) || s < 1) {
      return Error(res, {422, "Invalid", "sinceSeconds: Invalid value: must be greater than 0"});
    }
    since = now - absl::Seconds(s);
  }
  std::string since_time = Param(req, "sinceTime");
  if (!since_time.empty()) {
    since = ParseApiTime(since_time);
    if (since == absl::InfinitePast()) {
      return Error(
          res, {400, "BadRequest", absl::StrCat("sinceTime: invalid time \"", since_time, "\"")});
    }
    since -= Shift();  // A time as the client was shown it.
  }
  size_t first = 0;
  while (first < lines.size() && lines[first].time < since) ++first;
  std::string tail = Param(req, "tailLines");
  if (!tail.empty()) {
    int64_t n;
    if (!absl::SimpleAtoi(tail, &n) || n < 0) {
      return Error(res, {400, "BadRequest", "tailLines must be a non-negative integer"});
    }
    if (lines.size() - first > static_cast<size_t>(n)) first = lines.size() - n;
  }
  bool timestamps = ParamTrue(req, "timestamps");
  std::string out;
  for (size_t i = first; i < lines.size(); ++i) {
    AppendLogLine(lines[i], timestamps, Shift(), &out);
  }
  std::string limit = Param(req, "limitBytes");
  int64_t limit_bytes = -1;
  if (limit.empty() || !absl::SimpleAtoi(limit, &limit_bytes) || limit_bytes < 0) {
    limit_bytes = -1;
  }
  if (limit_bytes >= 0 && out.size() > static_cast<size_t>(limit_bytes)) out.resize(limit_bytes);
  res.status = 200;
  const bool running = status != nullptr && (*status)["state"].contains("running");
  if (!ParamTrue(req, "follow") || previous || !running ||
      (limit_bytes >= 0 && out.size() >= static_cast<size_t>(limit_bytes))) {
    return res.set_content(out, "text/plain");
  }
  // `kubectl logs -f`: what the container wrote so far, then each line as the virtual clock
  // reaches it, until the container ends (its lines up to the end are sent) or the pod goes.
  // Not text/plain: cpp-httplib would gzip a text stream for kubectl and hold it back.
  struct Follow {
    std::string pending;
    absl::Time sent_until;
    int64_t bytes_left;
    bool ended = false;
    uint64_t version = 0;  // The store's version at the last look at the pod.
  };
  auto follow = std::make_shared<Follow>();
  follow->pending = std::move(out);
  follow->sent_until = until;
  follow->bytes_left = limit_bytes;
  const std::string ns = t.ns;
  const std::string started_at = ApiTime(started);
  auto provider = [this, follow, ref, uid, ns, container, started_at, timestamps](
                      size_t, httplib::DataSink& sink) {
    if (!follow->pending.empty()) {
      std::string chunk = std::move(follow->pending);
      follow->pending.clear();
      if (follow->bytes_left >= 0) {
        chunk.resize(std::min(chunk.size(), static_cast<size_t>(follow->bytes_left)));
        follow->bytes_left -= static_cast<int64_t>(chunk.size());
      }
      if (!sink.write(chunk.data(), chunk.size())) return false;
    }
    if (follow->ended || stopping_ || follow->bytes_left == 0) {
      sink.done();
      return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
    absl::Time until;
    std::vector<LogLine> incident;
    {
      absl::MutexLock lock(sim_->mu());
      until = sim_->Now();
      // Idle (neither the clock nor the store moved): nothing to read, and no pod to copy.
      const uint64_t version = sim_->store()->resource_version();
      if (until != follow->sent_until || version != follow->version) {
        follow->version = version;
        auto p = sim_->store()->Get("pods", ns, ref.pod);
        if (!p.ok() || MetaString(*p, "uid") != uid ||
            !InstanceRuns(*p, container, started_at, &until)) {
          follow->ended = true;
        }
        if (until > follow->sent_until) {
          incident = sim_->log_book().Lines(uid, container, ref.started, until);
        }
      }
    }
    if (until > follow->sent_until) {
      std::vector<LogLine> lines =
          MergeLogLines(ContainerLogs(ref, until, sim_->seed()), std::move(incident));
      std::string chunk;
      for (const LogLine& l : lines) {
        if (l.time > follow->sent_until && l.time <= until) {
          AppendLogLine(l, timestamps, Shift(), &chunk);
        }
      }
      follow->sent_until = until;
      follow->pending = std::move(chunk);
    }
    return sink.is_writable();
  };
  res.set_chunked_content_provider("application/octet-stream", std::move(provider));
}

std::function<Usage(const std::string&, absl::Time)> ApiServer::Handler::UsageOf(
    const nlohmann::json& pod) {
  return [this, &pod](const std::string& container, absl::Time at) {
    return sim_->ContainerUsage(pod, container, at);
  };
}

void ApiServer::Handler::Metrics(const httplib::Request& req, httplib::Response& res,
                                 const Target& t) {
  if (req.method != "GET") {
    return Error(res, {405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource"});
  }
  Filter filter;
  if (!MakeFilter(req, res, t, &filter)) return;
  absl::MutexLock lock(sim_->mu());
  absl::Time now = sim_->Now();
  auto running = [](const nlohmann::json& pod) {
    return pod.contains("status") && pod["status"].value("phase", "") == "Running";
  };
  if (t.info->resource == "pods") {
    std::vector<nlohmann::json> pods;
    if (t.name.empty()) {
      pods = sim_->store()->List("pods", t.ns);
    } else {
      auto p = sim_->store()->Get("pods", t.ns, t.name);
      if (!p.ok() || !running(*p)) {
        return Error(
            res,
            {404, "NotFound",
             absl::StrCat("podmetrics.metrics.k8s.io \"", t.ns, "/", t.name, "\" not found")},
            t.name, "pods");
      }
      return Json(res, 200, PodMetrics(*p, now, sim_->seed(), UsageOf(*p)));
    }
    nlohmann::json items = nlohmann::json::array();
    for (const nlohmann::json& p : pods) {
      if (running(p) && filter.Matches(p)) {
        items.push_back(PodMetrics(p, now, sim_->seed(), UsageOf(p)));
      }
    }
    return Json(res, 200,
                {{"kind", "PodMetricsList"},
                 {"apiVersion", "metrics.k8s.io/v1beta1"},
                 {"metadata", nlohmann::json::object()},
                 {"items", items}});
  }
  // Nodes: the sum of the pods' usage.
  Usage total{0, 0};
  for (const nlohmann::json& p : sim_->store()->List("pods", "")) {
    if (!running(p)) continue;
    for (const nlohmann::json& c : p["spec"]["containers"]) {
      Usage u =
          sim_->ContainerUsage(p, c.value("name", ""), PodScrapeTime(MetaString(p, "name"), now));
      total.cpu_nanocores += u.cpu_nanocores;
      total.memory_bytes += u.memory_bytes;
    }
  }
  total.cpu_nanocores += kNodeDaemons.cpu_nanocores;
  total.memory_bytes += kNodeDaemons.memory_bytes;
  nlohmann::json items = nlohmann::json::array();
  for (const nlohmann::json& n : sim_->store()->List("nodes", "")) {
    if (!t.name.empty() && MetaString(n, "name") != t.name) continue;
    items.push_back(NodeMetrics(n, now, total));
  }
  if (!t.name.empty()) {
    if (items.empty()) {
      return Error(
          res,
          {404, "NotFound", absl::StrCat("nodemetrics.metrics.k8s.io \"", t.name, "\" not found")},
          t.name, "nodes");
    }
    return Json(res, 200, items[0]);
  }
  Json(res, 200,
       {{"kind", "NodeMetricsList"},
        {"apiVersion", "metrics.k8s.io/v1beta1"},
        {"metadata", nlohmann::json::object()},
        {"items", items}});
}

void ApiServer::Handler::Proxy(const httplib::Request& req, httplib::Response& res,
                               const Target& t) {
  std::string service = t.name.substr(0, t.name.find(':'));
  absl::MutexLock lock(sim_->mu());
  auto svc = sim_->store()->Get("services", t.ns, service);
  if (!svc.ok()) return Error(res, FromStatus(svc.status()), service, "services");
  ProxyRequest preq;
  preq.method = req.method;
  preq.path = t.rest.empty() ? "/" : t.rest;
  preq.body = req.body;
  for (const auto& [k, v] : req.params) preq.query.emplace_back(k, v);
  ProxyResponse pres = ServeProxy(sim_, t.ns, service, preq);
  if (pres.status_error) {
    return Error(res, {pres.status, pres.reason, pres.body}, service, "services");
  }
  res.status = pres.status;
  res.set_content(pres.body, pres.content_type.c_str());
}

namespace {

// The query string's parameters, then a form body's (as Go's Request.Form orders them), in
// order, a name repeated as often as it is given.
std::vector<std::pair<std::string, std::string>> FormParams(const httplib::Request& req) {
  std::vector<std::pair<std::string, std::string>> params;
  const size_t q = req.target.find('?');
  if (q != std::string::npos) ParseQueryText(req.target.substr(q + 1), &params);
  if (req.method == "POST" &&
      absl::StartsWith(req.get_header_value("Content-Type"), "application/x-www-form-urlencoded")) {
    ParseQueryText(req.body, &params);
  }
  return params;
}

}  // namespace

void ApiServer::Handler::Prometheus(const httplib::Request& req, httplib::Response& res,
                                    const std::string& endpoint) {
  if (req.method != "GET" && req.method != "POST") {
    res.status = 405;
    return res.set_content(
        R"({"status":"error","errorType":"bad_data","error":"method not allowed"})",
        "application/json");
  }
  const std::vector<std::pair<std::string, std::string>> params = FormParams(req);
  MonitoringReply reply;
  {
    absl::MutexLock lock(sim_->mu());
    reply = PrometheusApi(sim_->history(), endpoint, params, sim_->Now(), Shift());
  }
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

void ApiServer::Handler::Loki(const httplib::Request& req, httplib::Response& res,
                              const std::string& endpoint) {
  const std::vector<std::pair<std::string, std::string>> params = FormParams(req);
  MonitoringReply reply;
  {
    absl::MutexLock lock(sim_->mu());
    reply = LokiApi(sim_->log_streams(), sim_->log_book(), sim_->seed(), endpoint, params,
                    sim_->Now(), Shift());
  }
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

void ApiServer::Handler::Datadog(const httplib::Request& req, httplib::Response& res,
                                 const std::string& path) {
  // DD-API-KEY and DD-APPLICATION-KEY: accepted, never read.
  const std::vector<std::pair<std::string, std::string>> params = FormParams(req);
  MonitoringReply reply;
  {
    absl::MutexLock lock(sim_->mu());
    reply = DatadogApi(sim_->history(), sim_->log_streams(), sim_->log_book(), sim_->seed(),
                       req.method, path, params, req.body, sim_->Now());
  }
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

void ApiServer::Handler::NodeProxy(const httplib::Request& req, httplib::Response& res,
                                   const Target& t) {
  absl::MutexLock lock(sim_->mu());
  auto node = sim_->store()->Get("nodes", "", t.name);
  if (!node.ok()) return Error(res, FromStatus(node.status()), t.name, "nodes");
  if (req.method != "GET") {
    return Error(res, {405, "MethodNotAllowed",
                       "the simulated kubelet serves GET /stats/summary and /healthz only"});
  }
  if (t.rest == "/healthz") {
    res.status = 200;
    return res.set_content("ok", "text/plain; charset=utf-8");
  }
  if (t.rest != "/stats/summary") {
    return Error(res, {404, "NotFound",
                       absl::StrCat("the simulated kubelet serves /stats/summary and /healthz, "
                                    "not ",
                                    t.rest.empty() ? "/" : t.rest)});
  }
  const absl::Time now = sim_->Now();
  nlohmann::json summary = StatsSummary(
      *node, sim_->store()->List("pods", ""), now,
      [&](const nlohmann::json& pod, const std::string& container) {
        return sim_->ContainerUsage(pod, container, PodScrapeTime(MetaString(pod, "name"), now));
      });
  Json(res, 200, summary);
}

void ApiServer::Handler::Control(const httplib::Request& req, httplib::Response& res,
                                 const std::string& what) {
  // The harness's own endpoints: with a token set, only the harness (which holds it) may
  // read or move the clock, never an agent using the cluster it was handed.
  if (!control_token_.empty() &&
      req.get_header_value("Authorization") != absl::StrCat("Bearer ", control_token_)) {
    return Error(res, {403, "Forbidden",
                       "the sim's control endpoints are the harness's: they need its token"});
  }
  if (what == "agents" && req.method == "POST" && open_agent_port_) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body["label"].is_string() ||
        body["label"].get<std::string>().empty() || body["label"].get<std::string>().size() > 256) {
      return Error(res, {400, "BadRequest", "give {\"label\": a string of 1 to 256 bytes}"});
    }
    AgentScope scope;
    if (body.contains("scope")) {
      const nlohmann::json& sc = body["scope"];
      bool good = sc.is_object() && sc.value("namespace", nlohmann::json()).is_string();
      for (const char* key : {"verbs", "resources"}) {
        good = good && sc.contains(key) && sc[key].is_array();
        if (!good) break;
        for (const nlohmann::json& v : sc[key]) good = good && v.is_string();
      }
      if (!good) {
        return Error(res, {400, "BadRequest",
                           "'scope' is {\"namespace\": a string, \"verbs\": [strings], "
                           "\"resources\": [strings]}"});
      }
      scope.ns = sc["namespace"];
      scope.verbs = sc["verbs"].get<std::vector<std::string>>();
      scope.resources = sc["resources"].get<std::vector<std::string>>();
    }
    absl::StatusOr<int> port = open_agent_port_(body["label"], scope);
    if (!port.ok())
      return Error(res, {503, "ServiceUnavailable", std::string(port.status().message())});
    return Json(res, 201, {{"label", body["label"]}, {"port", *port}});
  }
  if (what == "agents" && req.method == "DELETE" && close_agent_ports_) {
    close_agent_ports_();
    return Json(res, 200, nlohmann::json::object());
  }
  if (what == "audit" && req.method == "POST") {
    return Json(res, 200, {{"entries", TakeAudit()}});
  }
  if (what == "clock" && req.method == "GET") {
    return Json(res, 200, {{"now", ApiTime(sim_->Now())}, {"seed", sim_->seed()}});
  }
  if (what == "advance" && req.method == "POST") {
    std::string by = Param(req, "by");
    std::string to = Param(req, "to");
    if (by.empty() == to.empty()) {
      return Error(res, {400, "BadRequest", "give exactly one of ?by=DURATION or ?to=TIME"});
    }
    absl::Time target;
    if (!by.empty()) {
      absl::Duration d;
      if (!absl::ParseDuration(by, &d) || d < absl::ZeroDuration() || d > absl::Hours(24 * 7)) {
        return Error(res,
                     {400, "BadRequest",
                      absl::StrCat("by: \"", by,
                                   "\" is not a duration between 0s and 168h (e.g. 90s, 5m)")});
      }
      target = sim_->Now() + d;
    } else {
      target = ParseApiTime(to);
      if (target == absl::InfinitePast()) {
        return Error(res,
                     {400, "BadRequest", absl::StrCat("to: \"", to, "\" is not an RFC 3339 time")});
      }
      if (target > sim_->Now() + absl::Hours(24 * 7)) {
        return Error(res, {400, "BadRequest", "to: more than 168h ahead"});
      }
    }
    sim_->AdvanceTo(target);
    return Json(res, 200, {{"now", ApiTime(sim_->Now())}});
  }
  Error(res, {404, "NotFound",
              absl::StrCat("no control endpoint /sim/v1/", what,
                           " (there are GET clock and POST advance)")});
}

ApiServer::ApiServer(Sim* sim) : sim_(sim), handler_(std::make_unique<Handler>(sim)) {
  handler_->set_agent_ports([this](const std::string& label,
                                   const AgentScope& scope) { return OpenAgentPort(label, scope); },
                            [this] { CloseAgentPorts(); });
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Handle(const httplib::Request& req, httplib::Response& res,
                       const AgentIdentity* agent) {
  handler_->Serve(req, res, agent);
}

void ApiServer::Configure(httplib::Server* http, const AgentIdentity* agent) {
  http->new_task_queue = [] { return new ConnectionThreads(kMaxConnections); };
  // A declared Content-Length above the limit is skipped, not stored, and answered with 413.
  http->set_payload_max_length(kMaxRequestBody);
  http->set_read_timeout(kReadTimeoutSeconds, 0);
  // Responses go out in more than one write; without TCP_NODELAY the second waits for the
  // client's delayed ACK (40 ms on Linux).
  http->set_tcp_nodelay(true);
  http->set_write_timeout(30, 0);
  auto serve = [this, agent](const httplib::Request& req, httplib::Response& res) {
    // cpp-httplib answers the request it was handed; narrowing what it may encode is the one
    // change made to it (see OfferGzipOnly).
    OfferGzipOnly(const_cast<httplib::Request*>(&req));
    handler_->Serve(req, res, agent);
  };
  // Requests that may carry a body read it here, bounded. A request with neither
  // Content-Length nor chunked encoding has no body, as in Go's server (httplib would read until
  // the client closes: `POST /sim/v1/advance` without a body waited 30 s).
  auto serve_body = [this, agent](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& read) {
    std::string body;
    if (req.has_header("Content-Length") || Chunked(req)) {
      if (req.is_multipart_form_data()) {
        res.set_header("Connection", "close");
        return handler_->Reject(
            res, {415, "UnsupportedMediaType", "multipart/form-data bodies are not accepted"});
      }
      bool too_large = false;
      bool read_ok = read([&](const char* data, size_t n) {
        if (body.size() + n > kMaxRequestBody) {
          too_large = true;
          return false;
        }
        body.append(data, n);
        return true;
      });
      uint64_t declared = 0;
      if (too_large || (absl::SimpleAtoi(req.get_header_value("Content-Length"), &declared) &&
                        declared > kMaxRequestBody)) {
        res.set_header("Connection", "close");
        return handler_->Reject(res, FromStatus(BodyTooLarge()));
      }
      if (!read_ok) {
        res.set_header("Connection", "close");
        return handler_->Reject(res, {400, "BadRequest", "the request body could not be read"});
      }
    }
    httplib::Request with_body = req;
    with_body.body = std::move(body);
    OfferGzipOnly(const_cast<httplib::Request*>(&req));
    handler_->Serve(with_body, res, agent);
  };
  http->Get(".*", serve);
  http->Post(".*", serve_body);
  http->Put(".*", serve_body);
  http->Patch(".*", serve_body);
  http->Delete(".*", serve_body);
  http->Options(".*", serve);
  http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(StatusJson({500, "InternalError", "internal error"}).dump(),
                        "application/json");
      });
}

absl::StatusOr<int> ApiServer::Start(int port) {
  http_ = std::make_unique<httplib::Server>();
  Configure(http_.get(), nullptr);
  // The header deadline learns from these when a connection's request began and ended.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    if (header_deadline_ != nullptr)
      header_deadline_->RequestBegan(req.remote_addr, req.remote_port);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http_->set_logger([this](const httplib::Request& req, const httplib::Response&) {
    if (header_deadline_ != nullptr)
      header_deadline_->RequestEnded(req.remote_addr, req.remote_port);
  });
  int listen_fd = -1;
  http_->set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  if (port == 0) {
    port_ = http_->bind_to_any_port("127.0.0.1");
    if (port_ < 0) return absl::UnavailableError("cannot bind a port on 127.0.0.1");
  } else {
    if (!http_->bind_to_port("127.0.0.1", port)) {
      return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port,
                                                 " (in use? try --port 0 for any free port)"));
    }
    port_ = port;
  }
  http_->set_socket_options(httplib::default_socket_options);
  if (listen_fd >= 0) listen(listen_fd, kListenBacklog);  // Raises the backlog in place.
  handler_->set_port(port_);
  header_deadline_ = std::make_unique<HeaderDeadline>(port_, header_timeout_);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop runs: a Stop() right after Start()
  // left the loop blocked in accept() and Stop() waiting for it forever.
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port_;
}

struct ApiServer::AgentPort {
  AgentIdentity identity;
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

absl::StatusOr<int> ApiServer::OpenAgentPort(const std::string& label, const AgentScope& scope) {
  auto p = std::make_unique<AgentPort>();
  p->identity = {label, scope};
  Configure(&p->http, &p->identity);
  p->port = p->http.bind_to_any_port("127.0.0.1");
  if (p->port < 0) return absl::UnavailableError("cannot bind a port on 127.0.0.1");
  httplib::Server* http = &p->http;
  p->thread = std::thread([http] { http->listen_after_bind(); });
  while (!http->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int port = p->port;
  absl::MutexLock lock(&agents_mu_);
  agent_ports_.push_back(std::move(p));
  return port;
}

void ApiServer::CloseAgentPorts() {
  std::vector<std::unique_ptr<AgentPort>> ports;
  {
    absl::MutexLock lock(&agents_mu_);
    ports.swap(agent_ports_);
  }
  for (auto& p : ports) {
    p->http.stop();
    if (p->thread.joinable()) p->thread.join();
  }
}

std::vector<nlohmann::json> ApiServer::TakeAudit() { return handler_->TakeAudit(); }

void ApiServer::Stop() {
  CloseAgentPorts();
  if (http_ == nullptr) return;
  handler_->Stop();
  http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
  header_deadline_.reset();
}

void ApiServer::SetGate(Gate state) { handler_->SetGate(state); }

void ApiServer::set_control_token(std::string token) {
  handler_->set_control_token(std::move(token));
}

void ApiServer::set_time_shift(const std::atomic<int64_t>* seconds) {
  handler_->set_time_shift(seconds);
}

size_t ApiServer::header_timeouts() const {
  return header_deadline_ == nullptr ? 0 : header_deadline_->closed();
}

std::string ApiServer::Kubeconfig(const std::string& token, bool gated) const {
  return absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: ", kContext,
                      "\n  cluster:\n    server: http://127.0.0.1:", port_,
                      token.empty() ? "" : absl::StrCat("/auth/", token),
                      !token.empty() && gated ? kGatePrefix : "", "\ncontexts:\n- name: ", kContext,
                      "\n  context:\n    cluster: ", kContext, "\n    namespace: ", kNamespace,
                      "\n    user: ", kContext, "\ncurrent-context: ", kContext,
                      "\nusers:\n- name: ", kContext, "\n  user: {}\npreferences: {}\n");
}

}  // namespace sim
}  // namespace sre_eval