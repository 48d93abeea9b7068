// Who calls the sim's API, what they may do, and what the agent under test did: the harness's
// token (all of it), agents' tokens (read-only, every request recorded for the audit trail),
// and, once a control token is set, no anonymous use of the Kubernetes API.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "sim/api/api_server_internal.h"

namespace sre_eval {
namespace sim {

using api_internal::ApiError;
using api_internal::Param;
using api_internal::ParamTrue;

namespace {

// The API's RBAC attributes of a request: verb, group, resource (with the subresource),
// namespace, name.
struct Attributes {
  std::string verb;
  std::string group;
  std::string resource;  // "deployments", "pods/log"
  std::string ns;
  std::string name;
  std::string path;  // a non-resource URL (discovery, OpenAPI): its path; resource is ""
  bool write = false;
};

bool IsMonitoringPath(const std::string& path) {
  return absl::StartsWith(path, "/prometheus/") || absl::StartsWith(path, "/loki/") ||
         absl::StartsWith(path, "/datadog/");
}

// Paths kube-apiserver serves to anyone (system:public-info-viewer).
bool IsPublicPath(const std::string& path) {
  return path == "/version" || path == "/version/" || path == "/healthz" || path == "/livez" ||
         path == "/readyz";
}

Attributes AttributesOf(const httplib::Request& req) {
  Attributes a;
  // Read as the routing reads it.
  std::optional<api_internal::ApiPath> parsed =
      api_internal::ParseApiPath(absl::StrSplit(req.path, '/', absl::SkipEmpty()));
  if (parsed.has_value() && !parsed->rest.empty()) {
    const std::vector<std::string>& rest = parsed->rest;
    a.group = parsed->group;
    a.ns = parsed->ns;
    a.resource = rest[0];
    if (rest.size() >= 2) a.name = rest[1];
    if (rest.size() >= 3) absl::StrAppend(&a.resource, "/", rest[2]);
  } else {
    a.path = req.path;  // discovery, OpenAPI: not a resource
  }
  const std::string& m = req.method;
  const bool connect = absl::EndsWith(a.resource, "/exec") ||
                       absl::EndsWith(a.resource, "/portforward") ||
                       absl::EndsWith(a.resource, "/attach");
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") {
    a.verb = connect                   ? "create"
             : !a.name.empty()         ? "get"
             : !a.path.empty()         ? "get"
             : ParamTrue(req, "watch") ? "watch"
                                       : "list";
    if (absl::EndsWith(a.resource, "/proxy")) a.verb = "get";
  } else if (m == "POST") {
    a.verb = "create";
  } else if (m == "PUT") {
    a.verb = "update";
  } else if (m == "PATCH") {
    a.verb = "patch";
  } else if (m == "DELETE") {
    a.verb = a.name.empty() ? "deletecollection" : "delete";
  } else {
    a.verb = absl::AsciiStrToLower(m);
  }
  // What every authenticated user may create: reviews of its own access.
  const bool review =
      a.group == "authorization.k8s.io" &&
      (a.resource == "selfsubjectaccessreviews" || a.resource == "selfsubjectrulesreviews");
  a.write = (a.verb != "get" && a.verb != "list" && a.verb != "watch") && !review;
  return a;
}

// kube-apiserver's RBAC refusal, word for word.
ApiError Forbidden(const Attributes& a, const std::string& user) {
  const std::string base = a.resource.substr(0, a.resource.find('/'));
  std::string what = a.group.empty() ? base : absl::StrCat(base, ".", a.group);
  if (!a.name.empty()) absl::StrAppend(&what, " \"", a.name, "\"");
  ApiError e{403, "Forbidden",
             absl::StrCat(what, " is forbidden: User \"", user, "\" cannot ", a.verb,
                          " resource \"", a.resource, "\" in API group \"", a.group, "\"",
                          a.ns.empty() ? " at the cluster scope"
                                       : absl::StrCat(" in the namespace \"", a.ns, "\""))};
  e.details = {{"group", a.group}, {"kind", base}};
  if (!a.name.empty()) e.details["name"] = a.name;
  return e;
}

bool InScope(const Attributes& a, const AgentScope& scope) {
  if (a.ns.empty() || a.ns != scope.ns) return false;
  return std::find(scope.verbs.begin(), scope.verbs.end(), a.verb) != scope.verbs.end() &&
         std::find(scope.resources.begin(), scope.resources.end(), a.resource) !=
             scope.resources.end();
}

}  // namespace

std::vector<nlohmann::json> ApiServer::Handler::TakeAudit() {
  absl::MutexLock lock(&access_mu_);
  std::vector<nlohmann::json> out;
  out.swap(audit_);
  return out;
}

ApiServer::Handler::Caller ApiServer::Handler::CallerOf(const httplib::Request& req,
                                                        const AgentIdentity* agent_port,
                                                        std::string* path) {
  Caller c;
  if (agent_port != nullptr) {
    c.kind = Caller::kAgent;
    c.label = agent_port->label;
    c.scope = &agent_port->scope;
    return c;
  }
  if (!absl::StartsWith(req.path, kAuthPrefix)) return c;
  const size_t begin = sizeof(kAuthPrefix) - 1;
  const size_t end = req.path.find('/', begin);
  const std::string token = req.path.substr(begin, end == std::string::npos ? end : end - begin);
  *path = end == std::string::npos ? "/" : req.path.substr(end);
  c.kind = !control_token_.empty() && token == control_token_ ? Caller::kHarness : Caller::kUnknown;
  return c;
}

bool ApiServer::Handler::Admit(const httplib::Request& req, httplib::Response& res,
                               const Caller& caller) {
  if (caller.kind == Caller::kUnknown) {
    Error(res, {401, "Unauthorized", "Unauthorized"});
    return false;
  }
  const std::string& path = req.path;
  if (absl::StartsWith(path, "/sim/")) return caller.kind != Caller::kAgent || Deny(res);
  if (IsMonitoringPath(path) || IsPublicPath(path) || caller.kind == Caller::kHarness) {
    return true;
  }
  if (caller.kind == Caller::kAnonymous && control_token_.empty()) return true;
  Attributes a = AttributesOf(req);
  if (!a.write || (caller.scope != nullptr && InScope(a, *caller.scope))) return true;
  Error(res, Forbidden(a, caller.kind == Caller::kAgent ? kAgentUser : "system:anonymous"));
  return false;
}

bool ApiServer::Handler::Deny(httplib::Response& res) {
  Error(res,
        {403, "Forbidden", "the sim's control endpoints are the harness's: they need its token"});
  return false;
}

void ApiServer::Handler::Audit(const httplib::Request& req, const httplib::Response& res,
                               const Caller& caller, absl::Time start) {
  const std::string& label = caller.label;
  nlohmann::json e = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", start, absl::UTCTimeZone())},
      {"label", label}};
  if (IsMonitoringPath(req.path)) {
    const std::string api = req.path.substr(1, req.path.find('/', 1) - 1);
    e["tool"] = api;
    std::string endpoint = req.path.substr(api.size() + 1);
    for (const char* prefix : {"/api/v1/", "/api/v2/"}) {
      if (absl::StartsWith(endpoint, prefix)) endpoint = endpoint.substr(8);
    }
    e["verb"] = endpoint;
    std::string query = Param(req, "query");
    if (query.empty() && api == "datadog" && req.method == "POST") {
      nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
      if (body.is_object() && body.contains("filter") && body["filter"].is_object()) {
        query = body["filter"].value("query", "");
      }
    }
    e["query"] = query.substr(0, 1024);
  } else {
    Attributes a = AttributesOf(req);
    e["tool"] = "kubernetes";
    e["verb"] = a.verb;
    e["resource"] = a.resource;
    if (!a.group.empty()) e["group"] = a.group;
    if (!a.path.empty()) e["path"] = a.path.substr(0, 256);
    e["namespace"] = a.ns;
    e["name"] = a.name;
    std::string query;
    for (const char* p :
         {"labelSelector", "fieldSelector", "container", "previous", "sinceSeconds", "tailLines"}) {
      if (req.has_param(p)) {
        absl::StrAppend(&query, query.empty() ? "" : "&", p, "=", req.get_param_value(p));
      }
    }
    if (absl::EndsWith(a.resource, "/proxy")) {
      // The path behind the proxy: what the agent read of the service.
      const size_t at = req.path.find("/proxy");
      query = req.path.substr(at + 6);
      if (!req.params.empty()) {
        std::string sep = "?";
        for (const auto& [k, v] : req.params) {
          absl::StrAppend(&query, sep, k, "=", v);
          sep = "&";
        }
      }
    }
    e["query"] = query.substr(0, 1024);
    // A write the port's scope allows is a write; any other, or a reach for the harness's own
    // endpoints, is unsafe.
    if (a.write && caller.scope != nullptr && InScope(a, *caller.scope)) {
      e["write"] = true;
    } else if (a.write || absl::StartsWith(req.path, "/sim/")) {
      e["unsafe"] = true;
    }
  }
  e["status"] = res.status > 0 ? res.status : 200;
  e["bytes"] = static_cast<int64_t>(res.body.size());
  e["latency_ms"] = absl::ToInt64Milliseconds(absl::Now() - start);
  absl::MutexLock lock(&access_mu_);
  if (audit_.size() < kMaxAudit) audit_.push_back(std::move(e));
}

}  // namespace sim
}  // namespace sre_eval
