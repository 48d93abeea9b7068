#include "tools/tool_set.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "util/utf8.h"

namespace sre_eval {
namespace tools {
namespace {

using nlohmann::json;

constexpr size_t kMaxArgs = 40;
constexpr size_t kMaxArgBytes = 1024;
constexpr size_t kMaxQueryBytes = 4096;

json StringProp(const std::string& description, size_t max_length) {
  return {{"type", "string"}, {"description", description}, {"maxLength", max_length}};
}

json ObjectSchema(json properties, std::vector<std::string> required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

// The arguments against the tool's own schema (the subset the tools use): "" or the problem.
std::string CheckSchema(const json& schema, const json& args) {
  if (!args.is_object()) return "the arguments must be a JSON object";
  const json& props = schema["properties"];
  for (const auto& [key, value] : args.items()) {
    if (!props.contains(key)) return absl::StrCat("unknown argument '", key, "'");
    const json& p = props[key];
    const std::string type = p.value("type", "");
    if (type == "string") {
      if (!value.is_string()) return absl::StrCat("'", key, "' must be a string");
      const std::string& s = value.get_ref<const std::string&>();
      if (p.contains("maxLength") && s.size() > p["maxLength"].get<size_t>()) {
        return absl::StrCat("'", key, "' is longer than ", p["maxLength"].get<size_t>(), " bytes");
      }
      if (p.contains("enum") &&
          std::find(p["enum"].begin(), p["enum"].end(), value) == p["enum"].end()) {
        return absl::StrCat("'", key, "' must be one of ", p["enum"].dump());
      }
    } else if (type == "integer") {
      if (!value.is_number_integer()) return absl::StrCat("'", key, "' must be an integer");
      const int64_t v = value.get<int64_t>();
      // Every bounded integer the tools take has both bounds.
      if (p.contains("minimum") && p.contains("maximum") &&
          (v < p["minimum"].get<int64_t>() || v > p["maximum"].get<int64_t>())) {
        return absl::StrCat("'", key, "' must be between ", p["minimum"].get<int64_t>(), " and ",
                            p["maximum"].get<int64_t>());
      }
    } else if (type == "array") {
      if (!value.is_array()) return absl::StrCat("'", key, "' must be an array of strings");
      if (p.contains("maxItems") && value.size() > p["maxItems"].get<size_t>()) {
        return absl::StrCat("'", key, "' has more than ", p["maxItems"].get<size_t>(), " items");
      }
      for (const json& item : value) {
        if (!item.is_string()) return absl::StrCat("'", key, "' must be an array of strings");
      }
    }
  }
  for (const json& r : schema["required"]) {
    if (!args.contains(r.get<std::string>())) {
      return absl::StrCat("missing required argument '", r.get<std::string>(), "'");
    }
  }
  return "";
}

// A DNS-1035 label, as Service names are.
bool IsServiceName(const std::string& s) {
  if (s.empty() || s.size() > 63 || !absl::ascii_islower(s[0]) || s.back() == '-') return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') return false;
  }
  return true;
}

// A path a service answers: absolute, printable, no way out of the proxy prefix.
bool IsProxyPath(const std::string& p) {
  if (p.empty() || p[0] != '/' || p.size() > 512 || absl::StrContains(p, "..")) return false;
  for (unsigned char c : p) {
    if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#') return false;
  }
  return true;
}

std::string Brief(const std::string& s, size_t n = 240) {
  return s.size() <= n ? s : absl::StrCat(s.substr(0, n), "...");
}

}  // namespace

std::string CheckKubectlArgs(const std::vector<std::string>& args, bool act) {
  static const char* const kActVerbs[] = {"scale", "set", "autoscale", "rollout", "patch"};
  static const char* const kVerbs[] = {"get",           "describe",     "logs",
                                       "top",           "events",       "explain",
                                       "api-resources", "api-versions", "version"};
  if (args.empty()) return "give kubectl's arguments, starting with the command (e.g. get pods)";
  if (args.size() > kMaxArgs) return absl::StrCat("at most ", kMaxArgs, " arguments");
  for (const std::string& a : args) {
    if (a.size() > kMaxArgBytes)
      return absl::StrCat("an argument is over ", kMaxArgBytes, " bytes");
    for (unsigned char c : a) {
      if (c == 0 || c == '\n' || c == '\r') return "an argument holds a control character";
    }
  }
  const std::string& verb = args[0];
  const bool acting =
      act && std::find(std::begin(kActVerbs), std::end(kActVerbs), verb) != std::end(kActVerbs);
  if (acting && verb == "rollout" && args.size() > 1 &&
      !(args[1] == "restart" || args[1] == "status" || args[1] == "undo" || args[1] == "history")) {
    return "kubectl rollout is offered for restart, status, undo and history";
  }
  if (acting && verb == "rollout" && args.size() > 1 && args[1] == "status") {
    bool bounded = false;
    for (const std::string& a : args) bounded = bounded || absl::StartsWith(a, "--timeout");
    if (!bounded) return "kubectl rollout status needs --timeout (e.g. --timeout=3m)";
  }
  if (!acting && std::find(std::begin(kVerbs), std::end(kVerbs), verb) == std::end(kVerbs)) {
    if (act) {
      return absl::StrCat("kubectl ", verb,
                          " is not offered: the tool runs get, describe, logs, top, events, "
                          "explain, api-resources, api-versions and version, and in this task "
                          "scale, set, autoscale, rollout and patch");
    }
    return absl::StrCat("kubectl ", verb,
                        " is not offered: the tool runs only the read-only commands get, "
                        "describe, logs, top, events, explain, api-resources, api-versions and "
                        "version");
  }
  // Flags that would point kubectl elsewhere, read local files, write, or never end.
  static const char* const kSetBySreEval[] = {"--kubeconfig",
                                              "--context",
                                              "--cluster",
                                              "--user",
                                              "--server",
                                              "-s",
                                              "--token",
                                              "--as",
                                              "--as-group",
                                              "--as-uid",
                                              "--username",
                                              "--password",
                                              "--certificate-authority",
                                              "--client-certificate",
                                              "--client-key",
                                              "--insecure-skip-tls-verify",
                                              "--tls-server-name",
                                              "--cache-dir",
                                              "--request-timeout"};
  static const char* const kRefused[] = {
      "--raw",   "-f",           "--filename", "-k",        "--kustomize",      "-w",
      "--watch", "--watch-only", "--follow",   "--profile", "--profile-output", "--template-file"};
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::string flag = a.substr(0, a.find('='));
    for (const char* f : kSetBySreEval) {
      if (flag == f)
        return absl::StrCat(f, " is set by sre-eval: the tool reads the cluster it was given");
    }
    for (const char* f : kRefused) {
      if (flag == f) {
        return absl::StrCat(f,
                            " is not offered (it reads local files, streams without end or "
                            "reaches past the API's resources)");
      }
    }
    if (verb == "logs" && flag == "-f") return "-f (follow) is not offered: logs are read once";
    // -o go-template-file=..., --output=jsonpath-file=...: local files.
    if ((flag == "-o" || flag == "--output") && absl::StrContains(a, "-file")) {
      return "output formats that read a local file are not offered";
    }
    if ((a == "-o" || a == "--output") && i + 1 < args.size() &&
        absl::StrContains(args[i + 1], "-file")) {
      return "output formats that read a local file are not offered";
    }
  }
  return "";
}

ToolSet::ToolSet(ToolEnv env) : env_(std::move(env)) {
  specs_.push_back(
      {"kubectl", env_.act ? "kubectl" : "kubectl (read-only)",
       absl::StrCat(
           env_.act ? "Runs one kubectl command against the incident's cluster"
                    : "Runs one read-only kubectl command against the incident's cluster",
           " and returns what kubectl prints (stdout; stderr too when it fails). The namespace "
           "defaults to the incident's. Allowed commands: get, describe, logs (--previous, "
           "--since, --tail, -c, -l, --all-containers), top, events, explain, api-resources, "
           "api-versions, version",
           env_.act ? "; and, to fix the incident, scale, set (resources, env, image), "
                      "autoscale, rollout (restart, status with --timeout, undo, history) and "
                      "patch, as far as your credential allows (a refused write is recorded)"
                    : "",
           ". Example: {\"args\": [\"get\", \"pods\", \"-o\", \"wide\"]}."),
       ObjectSchema({{"args",
                      {{"type", "array"},
                       {"items", {{"type", "string"}}},
                       {"maxItems", kMaxArgs},
                       {"description", "kubectl's arguments, starting with the command"}}}},
                    {"args"})});
  specs_.push_back(
      {"http_get", "GET a Sock Shop service",
       "GETs a path of a service in the incident's namespace through the Kubernetes API "
       "server's services proxy and returns the body (e.g. the orders API: service "
       "\"orders\", path \"/orders?page=0&size=50\"; the catalogue: \"catalogue\", "
       "\"/catalogue\").",
       ObjectSchema({{"service", StringProp("the Service's name", 63)},
                     {"path", StringProp("the path, starting with /", 512)},
                     {"port",
                      {{"type", "integer"},
                       {"minimum", 1},
                       {"maximum", 65535},
                       {"description", "the Service port (default 80)"}}}},
                    {"service", "path"})});
  if (!env_.cluster.prometheus.empty()) {
    specs_.push_back(
        {"prometheus_query", "Prometheus instant query",
         "Evaluates a PromQL expression at one time (Prometheus' /api/v1/query) and returns "
         "Prometheus' JSON. cAdvisor's and kube-state-metrics' series are there, e.g. "
         "increase(kube_pod_container_status_restarts_total[10m]).",
         ObjectSchema({{"query", StringProp("the PromQL expression", kMaxQueryBytes)},
                       {"time", StringProp("RFC 3339 or Unix seconds; default now", 64)}},
                      {"query"})});
    specs_.push_back(
        {"prometheus_query_range", "Prometheus range query",
         "Evaluates a PromQL expression over a time range (Prometheus' /api/v1/query_range) "
         "and returns Prometheus' JSON.",
         ObjectSchema({{"query", StringProp("the PromQL expression", kMaxQueryBytes)},
                       {"start", StringProp("RFC 3339 or Unix seconds", 64)},
                       {"end", StringProp("RFC 3339 or Unix seconds", 64)},
                       {"step", StringProp("a duration (15s, 1m) or seconds", 32)}},
                      {"query", "start", "end", "step"})});
  }
  if (!env_.cluster.loki.empty()) {
    specs_.push_back(
        {"loki_query_range", "Loki query",
         "Runs a LogQL query over a time range (Loki's /loki/api/v1/query_range): every "
         "container's logs, kept across restarts, e.g. {app=\"orders\"} |= \"PAYMENT_FAILED\".",
         ObjectSchema({{"query", StringProp("the LogQL query", kMaxQueryBytes)},
                       {"start", StringProp("RFC 3339, Unix seconds or nanoseconds", 64)},
                       {"end", StringProp("RFC 3339, Unix seconds or nanoseconds", 64)},
                       {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 5000}}},
                       {"direction", {{"type", "string"}, {"enum", {"forward", "backward"}}}}},
                      {"query"})});
  }
  if (!env_.cluster.datadog.empty()) {
    specs_.push_back(
        {"datadog_logs_search", "Datadog Logs Search",
         "Searches logs with Datadog's query syntax (POST /api/v2/logs/events/search), e.g. "
         "kube_namespace:sock-shop service:orders \"PAYMENT_FAILED\".",
         ObjectSchema({{"query", StringProp("the search query", kMaxQueryBytes)},
                       {"from", StringProp("ISO time, Unix ms or now-15m", 64)},
                       {"to", StringProp("ISO time, Unix ms or now", 64)},
                       {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}},
                       {"cursor", StringProp("the page cursor of a previous answer", 256)}},
                      {"query"})});
    specs_.push_back(
        {"datadog_metrics_query", "Datadog metrics query",
         "Queries timeseries (GET /api/v1/query), e.g. "
         "avg:kubernetes.cpu.usage.total{kube_namespace:sock-shop} by {pod_name}.",
         ObjectSchema({{"query", StringProp("the metrics query", kMaxQueryBytes)},
                       {"from", {{"type", "integer"}, {"description", "Unix seconds"}}},
                       {"to", {{"type", "integer"}, {"description", "Unix seconds"}}}},
                      {"query", "from", "to"})});
  }
}

bool ToolSet::Has(const std::string& name) const {
  for (const ToolSpec& s : specs_) {
    if (s.name == name) return true;
  }
  return false;
}

ToolResult ToolSet::Cut(std::string text, bool is_error) const {
  ToolResult r;
  r.bytes = static_cast<int64_t>(text.size());
  r.is_error = is_error;
  RepairUtf8(&text);
  if (text.size() > env_.max_output_bytes) {
    TruncateUtf8(&text, env_.max_output_bytes);
    const size_t keep = text.size();
    absl::StrAppend(&text, "\n[output truncated: the first ", keep, " of ", r.bytes,
                    " bytes; narrow the command or the query]");
    r.truncated = true;
  }
  r.text = std::move(text);
  return r;
}

ToolResult ToolSet::Call(const std::string& name, const json& args) const {
  AuditEntry audit;
  audit.time = absl::Now();
  audit.tool = name;
  ToolResult r;
  const ToolSpec* spec = nullptr;
  for (const ToolSpec& s : specs_) {
    if (s.name == name) spec = &s;
  }
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const ToolSpec& s : specs_) names.push_back(s.name);
    r = Cut(absl::StrCat("unknown tool '", name, "'; the tools are ", absl::StrJoin(names, ", ")),
            true);
    r.bad_call = true;
    audit.status = "refused: unknown tool";
  } else if (std::string problem = CheckSchema(spec->input_schema, args); !problem.empty()) {
    r = Cut(absl::StrCat("invalid arguments for ", name, ": ", problem), true);
    r.bad_call = true;
    audit.status = absl::StrCat("refused: ", problem);
  } else if (name == "kubectl") {
    r = Kubectl(args, &audit);
  } else if (name == "http_get") {
    r = HttpGet(args, &audit);
  } else {
    r = Monitoring(name, args, &audit);
  }
  audit.latency = absl::Now() - audit.time;
  audit.bytes = r.bytes;
  if (audit.status.empty()) audit.status = r.is_error ? "error" : "ok";
  if (env_.audit) env_.audit(audit);
  return r;
}

ToolResult ToolSet::Kubectl(const json& args, AuditEntry* audit) const {
  std::vector<std::string> argv = args["args"].get<std::vector<std::string>>();
  audit->verb = argv.empty() ? "" : argv[0];
  audit->target = Brief(absl::StrJoin(argv.begin() + (argv.empty() ? 0 : 1), argv.end(), " "));
  if (std::string problem = CheckKubectlArgs(argv, env_.act); !problem.empty()) {
    audit->status = absl::StrCat("refused: ", problem);
    return Cut(problem, true);
  }
  return RunKubectl(std::move(argv), audit);
}

ToolResult ToolSet::RunKubectl(std::vector<std::string> args, AuditEntry* audit) const {
  if (env_.runner == nullptr) return Cut("kubectl is not available here", true);
  SubprocessOptions o;
  o.argv = {env_.kubectl};
  if (!env_.cluster.kubeconfig.empty()) o.argv.push_back("--kubeconfig=" + env_.cluster.kubeconfig);
  if (!env_.cluster.context.empty()) o.argv.push_back("--context=" + env_.cluster.context);
  bool ns_given = false;
  for (const std::string& a : args) {
    const std::string flag = a.substr(0, a.find('='));
    ns_given |= flag == "-n" || flag == "--namespace" || flag == "-A" || flag == "--all-namespaces";
  }
  if (!ns_given && !env_.cluster.ns.empty()) o.argv.push_back("--namespace=" + env_.cluster.ns);
  o.argv.push_back(absl::StrCat("--request-timeout=", absl::ToInt64Seconds(env_.timeout), "s"));
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  if (!env_.cluster.kube_cache_dir.empty()) {
    o.env.emplace_back("KUBECACHEDIR", env_.cluster.kube_cache_dir);
  }
  o.timeout = env_.timeout + absl::Seconds(5);
  o.max_stdout_bytes = std::max<size_t>(env_.max_output_bytes * 4, size_t{1} << 20);
  o.max_stderr_bytes = size_t{64} << 10;
  absl::StatusOr<SubprocessResult> got = env_.runner->Run(o);
  if (!got.ok()) {
    audit->status = absl::StrCat("error: ", got.status().message());
    return Cut(absl::StrCat("kubectl could not run: ", got.status().message()), true);
  }
  if (!got->success()) {
    audit->status = absl::StrCat("error: kubectl ", got->DescribeExit());
    std::string text = got->stderr_data;
    if (!got->stdout_data.empty()) text = absl::StrCat(got->stdout_data, "\n", text);
    return Cut(absl::StrCat(text, text.empty() || text.back() == '\n' ? "" : "\n", "(kubectl ",
                            got->DescribeExit(), ")"),
               true);
  }
  ToolResult r = Cut(got->stdout_data, false);
  if (got->stdout_truncated) r.truncated = true;
  return r;
}

ToolResult ToolSet::HttpGet(const json& args, AuditEntry* audit) const {
  const std::string service = args["service"];
  const std::string path = args["path"];
  const int64_t port = args.value("port", int64_t{80});
  audit->verb = "GET";
  audit->target = Brief(absl::StrCat("services/", service, ":", port, "/proxy", path));
  if (!IsServiceName(service)) {
    audit->status = "refused: not a Service name";
    return Cut(absl::StrCat("'", service, "' is not a Service name"), true);
  }
  if (!IsProxyPath(path)) {
    audit->status = "refused: not a path";
    return Cut("the path must start with / and hold printable ASCII without '..'", true);
  }
  const std::string ns = env_.cluster.ns.empty() ? "default" : env_.cluster.ns;
  return RunKubectl(
      {"get", "--raw",
       absl::StrCat("/api/v1/namespaces/", ns, "/services/", service, ":", port, "/proxy", path)},
      audit);
}

ToolResult ToolSet::Monitoring(const std::string& name, const json& args, AuditEntry* audit) const {
  if (env_.http == nullptr) return Cut("HTTP is not available here", true);
  HttpRequest req;
  req.timeout = env_.timeout;
  req.max_response_bytes = std::max<size_t>(env_.max_output_bytes * 4, size_t{1} << 20);
  req.cut_body = true;
  const std::string query = args.value("query", "");
  audit->target = Brief(query);
  auto param = [&](const char* key, std::string* url) {
    if (!args.contains(key)) return;
    const json& v = args[key];
    absl::StrAppend(url, "&", key, "=",
                    PercentEncode(v.is_string() ? v.get<std::string>() : v.dump()));
  };
  if (name == "prometheus_query" || name == "prometheus_query_range") {
    const bool range = name == "prometheus_query_range";
    audit->verb = range ? "query_range" : "query";
    req.url = absl::StrCat(env_.cluster.prometheus, "/api/v1/", audit->verb,
                           "?query=", PercentEncode(query));
    for (const char* k : {"time", "start", "end", "step"}) param(k, &req.url);
  } else if (name == "loki_query_range") {
    audit->verb = "query_range";
    req.url = absl::StrCat(env_.cluster.loki, "/api/v1/query_range?query=", PercentEncode(query));
    for (const char* k : {"start", "end", "limit", "direction"}) param(k, &req.url);
  } else if (name == "datadog_metrics_query") {
    audit->verb = "query";
    req.url = absl::StrCat(env_.cluster.datadog, "/api/v1/query?query=", PercentEncode(query));
    for (const char* k : {"from", "to"}) param(k, &req.url);
  } else {  // datadog_logs_search
    audit->verb = "logs_search";
    req.method = "POST";
    req.url = env_.cluster.datadog + "/api/v2/logs/events/search";
    json body = {{"filter", {{"query", query}}}, {"page", {{"limit", args.value("limit", 50)}}}};
    if (args.contains("from")) body["filter"]["from"] = args["from"];
    if (args.contains("to")) body["filter"]["to"] = args["to"];
    if (args.contains("cursor")) body["page"]["cursor"] = args["cursor"];
    req.body = body.dump();
    req.headers.push_back({"Content-Type", "application/json"});
  }
  if (name.rfind("datadog_", 0) == 0) {
    // The user's keys, from the environment, on the request only.
    for (const auto& [var, header] :
         {std::pair<const char*, const char*>{"DD_API_KEY", "DD-API-KEY"},
          {"DD_APP_KEY", "DD-APPLICATION-KEY"}}) {
      if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
        req.headers.push_back({header, v});
      }
    }
  }
  absl::StatusOr<HttpResponse> got = env_.http->Send(req);
  if (!got.ok()) {
    audit->status = absl::StrCat("error: ", got.status().message());
    return Cut(absl::StrCat("the request failed: ", got.status().message()), true);
  }
  if (got->status != 200) {
    audit->status = absl::StrCat("error: HTTP ", got->status);
    return Cut(absl::StrCat("HTTP ", got->status, ": ", got->body), true);
  }
  ToolResult r = Cut(got->body, false);
  if (got->truncated) r.truncated = true;
  return r;
}

}  // namespace tools
}  // namespace sre_eval
