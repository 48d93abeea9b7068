#include "sim/api/table.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sim/api/table_internal.h"
#include "sim/kube/autoscaler.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

using namespace table_internal;  // The columns, from table_columns.cc.

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Reading objects. A missing or mistyped field reads as its zero value, as Go's decoding into
// typed structs would leave it.

const json& At(const json& j, std::initializer_list<const char*> path) {
  static const json* const kNull = new json();
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return *kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return *kNull;
    cur = &*it;
  }
  return *cur;
}

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : std::string(); }
int64_t Int(const json& j) { return j.is_number() ? j.get<int64_t>() : 0; }
bool Bool(const json& j) { return j.is_boolean() && j.get<bool>(); }
const json& Arr(const json& j) {
  static const json* const kEmpty = new json(json::array());
  return j.is_array() ? j : *kEmpty;
}

std::string Or(std::string value, std::string fallback) { return value.empty() ? fallback : value; }

// translateTimestampSince: "<unknown>" for a zero (here: missing) time.
std::string Age(const json& timestamp, absl::Time now) {
  absl::Time t = ParseApiTime(timestamp);
  if (t == absl::InfinitePast()) return "<unknown>";
  return HumanDuration(now - t);
}

// The first condition of `type` in `conditions` has status "True".
bool ConditionTrue(const json& conditions, const std::string& type) {
  for (const json& c : Arr(conditions)) {
    if (Str(At(c, {"type"})) == type) return Str(At(c, {"status"})) == "True";
  }
  return false;
}

// labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty.
std::string FormatLabels(const json& labels) {
  std::vector<std::string> parts;
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {  // std::map order: sorted.
      parts.push_back(absl::StrCat(it.key(), "=", Str(it.value())));
    }
  }
  return parts.empty() ? "<none>" : absl::StrJoin(parts, ",");
}

// metav1.LabelSelectorAsSelector(selector).String(): requirements sorted by key; "" for a
// missing or empty selector; "<invalid>" for an unknown operator.
std::string SelectorString(const json& selector) {
  std::vector<std::pair<std::string, std::string>> requirements;
  const json& match_labels = At(selector, {"matchLabels"});
  if (match_labels.is_object()) {
    for (auto it = match_labels.begin(); it != match_labels.end(); ++it) {
      requirements.emplace_back(it.key(), absl::StrCat(it.key(), "=", Str(it.value())));
    }
  }
  for (const json& expr : Arr(At(selector, {"matchExpressions"}))) {
    std::string key = Str(At(expr, {"key"}));
    std::string op = Str(At(expr, {"operator"}));
    std::set<std::string> values;
    for (const json& v : Arr(At(expr, {"values"}))) values.insert(Str(v));
    std::string joined = absl::StrJoin(values, ",");
    if (op == "In") {
      requirements.emplace_back(key, absl::StrCat(key, " in (", joined, ")"));
    } else if (op == "NotIn") {
      requirements.emplace_back(key, absl::StrCat(key, " notin (", joined, ")"));
    } else if (op == "Exists") {
      requirements.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      requirements.emplace_back(key, absl::StrCat("!", key));
    } else {
      return "<invalid>";
    }
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& r : requirements) parts.push_back(r.second);
  return absl::StrJoin(parts, ",");
}

// metav1.FormatLabelSelector: as SelectorString, "<none>" when empty.
std::string FormatLabelSelector(const json& selector) {
  return Or(SelectorString(selector), "<none>");
}

// layoutContainerCells: names and images of the template's containers, comma-joined.
std::pair<std::string, std::string> ContainerCells(const json& pod_spec) {
  std::vector<std::string> names, images;
  for (const json& c : Arr(At(pod_spec, {"containers"}))) {
    names.push_back(Str(At(c, {"name"})));
    images.push_back(Str(At(c, {"image"})));
  }
  return {absl::StrJoin(names, ","), absl::StrJoin(images, ",")};
}

std::string Name(const json& obj) { return Str(At(obj, {"metadata", "name"})); }
std::string Created(const json& obj, absl::Time now) {
  return Age(At(obj, {"metadata", "creationTimestamp"}), now);
}

// ---------------------------------------------------------------------------------------------
// Cells, one function per resource, in the order of its columns.

std::string TerminatedReason(const json& terminated) {
  std::string reason = Str(At(terminated, {"reason"}));
  if (!reason.empty()) return reason;
  int64_t signal = Int(At(terminated, {"signal"}));
  if (signal != 0) return absl::StrCat("Signal:", signal);
  return absl::StrCat("ExitCode:", Int(At(terminated, {"exitCode"})));
}

json PodCells(const json& pod, absl::Time now) {
  const json& spec = At(pod, {"spec"});
  const json& status = At(pod, {"status"});
  const json& conditions = At(status, {"conditions"});

  int64_t restarts = 0;
  int64_t sidecar_restarts = 0;
  int64_t total = static_cast<int64_t>(Arr(At(spec, {"containers"})).size());
  int64_t ready = 0;
  absl::Time last_restart = absl::InfinitePast();
  absl::Time last_sidecar_restart = absl::InfinitePast();

  const std::string phase = Str(At(status, {"phase"}));
  std::string reason = Or(Str(At(status, {"reason"})), phase);
  for (const json& c : Arr(conditions)) {
    if (Str(At(c, {"type"})) == "PodScheduled" && Str(At(c, {"reason"})) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  // Init containers with restartPolicy Always are sidecars: they count as containers.
  std::set<std::string> sidecars;
  const json& init_specs = Arr(At(spec, {"initContainers"}));
  for (const json& c : init_specs) {
    if (Str(At(c, {"restartPolicy"})) == "Always") {
      sidecars.insert(Str(At(c, {"name"})));
      ++total;
    }
  }

  bool initializing = false;
  const json& init_statuses = Arr(At(status, {"initContainerStatuses"}));
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const int64_t count = Int(At(c, {"restartCount"}));
    const absl::Time finished = ParseApiTime(At(c, {"lastState", "terminated", "finishedAt"}));
    restarts += count;
    last_restart = std::max(last_restart, finished);
    const bool sidecar = sidecars.count(Str(At(c, {"name"}))) > 0;
    if (sidecar) {
      sidecar_restarts += count;
      last_sidecar_restart = std::max(last_sidecar_restart, finished);
    }
    const json& terminated = At(c, {"state", "terminated"});
    const std::string waiting = Str(At(c, {"state", "waiting", "reason"}));
    if (terminated.is_object() && Int(At(terminated, {"exitCode"})) == 0) continue;
    if (sidecar && Bool(At(c, {"started"}))) {
      if (Bool(At(c, {"ready"}))) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      reason = absl::StrCat("Init:", TerminatedReason(terminated));
    } else if (!waiting.empty() && waiting != "PodInitializing") {
      reason = absl::StrCat("Init:", waiting);
    } else {
      reason = absl::StrCat("Init:", i, "/", init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || ConditionTrue(conditions, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const json& statuses = Arr(At(status, {"containerStatuses"}));
    // Backwards, so the first container's reason wins, as printPod does.
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const json& c = *it;
      restarts += Int(At(c, {"restartCount"}));
      last_restart =
          std::max(last_restart, ParseApiTime(At(c, {"lastState", "terminated", "finishedAt"})));
      const std::string waiting = Str(At(c, {"state", "waiting", "reason"}));
      const json& terminated = At(c, {"state", "terminated"});
      if (!waiting.empty()) {
        reason = waiting;
      } else if (terminated.is_object()) {
        reason = TerminatedReason(terminated);
      } else if (Bool(At(c, {"ready"})) && At(c, {"state", "running"}).is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = ConditionTrue(conditions, "Ready") ? "Running" : "NotReady";
    }
  }

  const bool deleting = !At(pod, {"metadata", "deletionTimestamp"}).is_null();
  if (deleting && Str(At(status, {"reason"})) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_cell = absl::StrCat(restarts);
  if (restarts != 0 && last_restart != absl::InfinitePast()) {
    restarts_cell = absl::StrCat(restarts, " (", HumanDuration(now - last_restart), " ago)");
  }

  // The API server keeps podIP and podIPs[0] in step; read either.
  const json& pod_ips = Arr(At(status, {"podIPs"}));
  std::string ip = pod_ips.empty() ? std::string() : Str(At(pod_ips[0], {"ip"}));
  if (ip.empty()) ip = Str(At(status, {"podIP"}));

  std::string gates = "<none>";
  const json& readiness_gates = Arr(At(spec, {"readinessGates"}));
  if (!readiness_gates.empty()) {
    int true_conditions = 0;
    for (const json& gate : readiness_gates) {
      if (ConditionTrue(conditions, Str(At(gate, {"conditionType"})))) ++true_conditions;
    }
    gates = absl::StrCat(true_conditions, "/", readiness_gates.size());
  }

  return json::array({Name(pod), absl::StrCat(ready, "/", total), reason, restarts_cell,
                      Created(pod, now), Or(ip, "<none>"),
                      Or(Str(At(spec, {"nodeName"})), "<none>"),
                      Or(Str(At(status, {"nominatedNodeName"})), "<none>"), gates});
}

// The API server defaults spec.replicas to 1; an object stored without it reads the same.
int64_t SpecReplicas(const json& obj) {
  const json& replicas = At(obj, {"spec", "replicas"});
  return replicas.is_number() ? Int(replicas) : 1;
}

json DeploymentCells(const json& d, absl::Time now) {
  auto [names, images] = ContainerCells(At(d, {"spec", "template", "spec"}));
  return json::array(
      {Name(d), absl::StrCat(Int(At(d, {"status", "readyReplicas"})), "/", SpecReplicas(d)),
       Int(At(d, {"status", "updatedReplicas"})), Int(At(d, {"status", "availableReplicas"})),
       Created(d, now), names, images, SelectorString(At(d, {"spec", "selector"}))});
}

json ReplicaSetCells(const json& rs, absl::Time now) {
  auto [names, images] = ContainerCells(At(rs, {"spec", "template", "spec"}));
  return json::array({Name(rs), SpecReplicas(rs), Int(At(rs, {"status", "replicas"})),
                      Int(At(rs, {"status", "readyReplicas"})), Created(rs, now), names, images,
                      FormatLabelSelector(At(rs, {"spec", "selector"}))});
}

json JobCells(const json& job, absl::Time now) {
  const int64_t succeeded = Int(At(job, {"status", "succeeded"}));
  const json& completions = At(job, {"spec", "completions"});
  const int64_t parallelism = Int(At(job, {"spec", "parallelism"}));
  std::string completions_cell;
  if (completions.is_number()) {
    completions_cell = absl::StrCat(succeeded, "/", Int(completions));
  } else if (parallelism > 1) {
    completions_cell = absl::StrCat(succeeded, "/1 of ", parallelism);
  } else {
    completions_cell = absl::StrCat(succeeded, "/1");
  }

  const absl::Time start = ParseApiTime(At(job, {"status", "startTime"}));
  const absl::Time end = ParseApiTime(At(job, {"status", "completionTime"}));
  std::string duration;
  if (start == absl::InfinitePast()) {
    duration = "";
  } else if (end == absl::InfinitePast()) {
    duration = HumanDuration(now - start);
  } else {
    duration = HumanDuration(end - start);
  }

  // The v1.32 order of precedence.
  const json& conditions = At(job, {"status", "conditions"});
  std::string status = "Running";
  if (ConditionTrue(conditions, "Complete")) {
    status = "Complete";
  } else if (ConditionTrue(conditions, "Failed")) {
    status = "Failed";
  } else if (!At(job, {"metadata", "deletionTimestamp"}).is_null()) {
    status = "Terminating";
  } else if (ConditionTrue(conditions, "Suspended")) {
    status = "Suspended";
  } else if (ConditionTrue(conditions, "FailureTarget")) {
    status = "FailureTarget";
  }

  auto [names, images] = ContainerCells(At(job, {"spec", "template", "spec"}));
  return json::array({Name(job), status, completions_cell, duration, Created(job, now), names,
                      images, FormatLabelSelector(At(job, {"spec", "selector"}))});
}

// Core v1 Events and events.k8s.io/v1 Events (their fields renamed: regarding, note,
// deprecatedCount, ...) print alike, as the server prints both from one internal type.
json EventCells(const json& e, absl::Time now) {
  auto field = [&](const char* core, const char* v1) -> const json& {
    const json& c = At(e, {core});
    return c.is_null() ? At(e, {v1}) : c;
  };
  const json& first_timestamp = field("firstTimestamp", "deprecatedFirstTimestamp");
  const json& last_timestamp = field("lastTimestamp", "deprecatedLastTimestamp");
  std::string first_seen = Age(first_timestamp, now);
  if (ParseApiTime(first_timestamp) == absl::InfinitePast()) {
    first_seen = Age(At(e, {"eventTime"}), now);
  }
  std::string last_seen = Age(last_timestamp, now);
  if (ParseApiTime(last_timestamp) == absl::InfinitePast()) last_seen = first_seen;

  int64_t count = Int(field("count", "deprecatedCount"));
  const json& series = At(e, {"series"});
  if (series.is_object()) {
    last_seen = Age(At(series, {"lastObservedTime"}), now);
    count = Int(At(series, {"count"}));
  } else if (count == 0) {
    count = 1;  // Singleton events of the events.k8s.io API carry no count.
  }

  const json& object = field("involvedObject", "regarding");
  const std::string kind = absl::AsciiStrToLower(Str(At(object, {"kind"})));
  const std::string target_name = Str(At(object, {"name"}));
  const std::string target = target_name.empty() ? kind : absl::StrCat(kind, "/", target_name);

  // formatEventSource: source.component/host, falling back to reportingComponent/Instance.
  const json& src = field("source", "deprecatedSource");
  const std::string component =
      Or(Str(At(src, {"component"})), Str(field("reportingComponent", "reportingController")));
  const std::string host = Or(Str(At(src, {"host"})), Str(At(e, {"reportingInstance"})));
  const std::string source = host.empty() ? component : absl::StrCat(component, ", ", host);

  return json::array({last_seen, Str(At(e, {"type"})), Str(At(e, {"reason"})), target,
                      Str(At(object, {"fieldPath"})), source,
                      std::string(absl::StripAsciiWhitespace(Str(field("message", "note")))),
                      first_seen, count, Name(e)});
}

std::string ServiceExternalIp(const json& svc, const std::string& type) {
  std::vector<std::string> external_ips;
  for (const json& ip : Arr(At(svc, {"spec", "externalIPs"}))) external_ips.push_back(Str(ip));
  if (type == "ClusterIP" || type == "NodePort") {
    return external_ips.empty() ? "<none>" : absl::StrJoin(external_ips, ",");
  }
  if (type == "LoadBalancer") {
    // A sorted set of ingress IPs (or hostnames), never clipped: the server prints wide.
    std::set<std::string> lb;
    for (const json& ingress : Arr(At(svc, {"status", "loadBalancer", "ingress"}))) {
      std::string ip = Str(At(ingress, {"ip"}));
      std::string hostname = Str(At(ingress, {"hostname"}));
      if (!ip.empty()) {
        lb.insert(ip);
      } else if (!hostname.empty()) {
        lb.insert(hostname);
      }
    }
    std::vector<std::string> all(lb.begin(), lb.end());
    all.insert(all.end(), external_ips.begin(), external_ips.end());
    return all.empty() ? "<pending>" : absl::StrJoin(all, ",");
  }
  if (type == "ExternalName") return Str(At(svc, {"spec", "externalName"}));
  return "<unknown>";
}

json ServiceCells(const json& svc, absl::Time now) {
  // Missing type and protocol read as the API server's defaults.
  const std::string type = Or(Str(At(svc, {"spec", "type"})), "ClusterIP");
  const json& cluster_ips = Arr(At(svc, {"spec", "clusterIPs"}));
  std::string cluster_ip =
      cluster_ips.empty() ? Str(At(svc, {"spec", "clusterIP"})) : Str(cluster_ips[0]);
  std::vector<std::string> ports;
  for (const json& p : Arr(At(svc, {"spec", "ports"}))) {
    const std::string protocol = Or(Str(At(p, {"protocol"})), "TCP");
    const int64_t node_port = Int(At(p, {"nodePort"}));
    ports.push_back(node_port > 0
                        ? absl::StrCat(Int(At(p, {"port"})), ":", node_port, "/", protocol)
                        : absl::StrCat(Int(At(p, {"port"})), "/", protocol));
  }
  return json::array({Name(svc), type, Or(cluster_ip, "<none>"), ServiceExternalIp(svc, type),
                      ports.empty() ? "<none>" : absl::StrJoin(ports, ","), Created(svc, now),
                      FormatLabels(At(svc, {"spec", "selector"}))});
}

std::string NodeAddress(const json& node, const std::string& type) {
  for (const json& a : Arr(At(node, {"status", "addresses"}))) {
    if (Str(At(a, {"type"})) == type) return Str(At(a, {"address"}));
  }
  return "<none>";
}

json NodeCells(const json& node, absl::Time now) {
  std::vector<std::string> status;
  for (const json& c : Arr(At(node, {"status", "conditions"}))) {
    if (Str(At(c, {"type"})) != "Ready") continue;
    // printNode keeps the last Ready condition it sees.
    status = {Str(At(c, {"status"})) == "True" ? "Ready" : "NotReady"};
  }
  if (status.empty()) status.push_back("Unknown");
  if (Bool(At(node, {"spec", "unschedulable"}))) status.push_back("SchedulingDisabled");

  std::set<std::string> roles;
  const json& labels = At(node, {"metadata", "labels"});
  if (labels.is_object()) {
    constexpr char kPrefix[] = "node-role.kubernetes.io/";
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      const std::string& key = it.key();
      if (key.rfind(kPrefix, 0) == 0 && key.size() > sizeof(kPrefix) - 1) {
        roles.insert(key.substr(sizeof(kPrefix) - 1));
      } else if (key == "kubernetes.io/role" && !Str(it.value()).empty()) {
        roles.insert(Str(it.value()));
      }
    }
  }

  const json& info = At(node, {"status", "nodeInfo"});
  return json::array({Name(node), absl::StrJoin(status, ","),
                      roles.empty() ? "<none>" : absl::StrJoin(roles, ","), Created(node, now),
                      Str(At(info, {"kubeletVersion"})), NodeAddress(node, "InternalIP"),
                      NodeAddress(node, "ExternalIP"), Or(Str(At(info, {"osImage"})), "<unknown>"),
                      Or(Str(At(info, {"kernelVersion"})), "<unknown>"),
                      Or(Str(At(info, {"containerRuntimeVersion"})), "<unknown>")});
}

// printers.go's formatHPAMetrics: each metric as "cpu: 45%/80%" ("<unknown>" before the
// first sync), at most two, then " + N more...".
std::string HpaMetrics(const json& hpa) {
  const json& specs = At(hpa, {"spec", "metrics"});
  const json& statuses = At(hpa, {"status", "currentMetrics"});
  if (!specs.is_array() || specs.empty()) return "<none>";
  std::vector<std::string> list;
  for (size_t i = 0; i < specs.size(); ++i) {
    const json& spec = specs[i];
    const json& status = statuses.is_array() && i < statuses.size() ? statuses[i] : json();
    const std::string type = Str(At(spec, {"type"}));
    if (type != "Resource" && type != "ContainerResource") {
      list.push_back("<unknown type>");
      continue;
    }
    const char* key = type == "Resource" ? "resource" : "containerResource";
    const std::string name = Str(At(spec, {key, "name"}));
    const json& target = At(spec, {key, "target"});
    const json& current = At(status, {key, "current"});
    if (target.contains("averageValue")) {
      std::string now =
          current.contains("averageValue") ? Str(current["averageValue"]) : "<unknown>";
      list.push_back(absl::StrCat(name, ": ", now, "/", Str(target["averageValue"])));
      continue;
    }
    std::string now = current.contains("averageUtilization")
                          ? absl::StrCat(Int(current["averageUtilization"]), "%")
                          : "<unknown>";
    std::string want = target.contains("averageUtilization")
                           ? absl::StrCat(Int(target["averageUtilization"]), "%")
                           : "<auto>";
    list.push_back(absl::StrCat(name, ": ", now, "/", want));
  }
  constexpr size_t kMaximum = 2;
  if (list.size() <= kMaximum) return absl::StrJoin(list, ", ");
  size_t more = list.size() - kMaximum;
  list.resize(kMaximum);
  return absl::StrCat(absl::StrJoin(list, ", "), " + ", more, " more...");
}

json HorizontalPodAutoscalerCells(const json& object, absl::Time now) {
  // A table asked of autoscaling/v1 prints the same columns.
  const json hpa = Str(At(object, {"apiVersion"})) == "autoscaling/v1" ? HpaFromV1(object) : object;
  const json& min = At(hpa, {"spec", "minReplicas"});
  return json::array({Name(hpa),
                      absl::StrCat(Str(At(hpa, {"spec", "scaleTargetRef", "kind"})), "/",
                                   Str(At(hpa, {"spec", "scaleTargetRef", "name"}))),
                      HpaMetrics(hpa),
                      min.is_number() ? std::to_string(Int(min)) : std::string("<unset>"),
                      Int(At(hpa, {"spec", "maxReplicas"})),
                      Int(At(hpa, {"status", "currentReplicas"})), Created(hpa, now)});
}

json ConfigMapCells(const json& cm, absl::Time now) {
  int64_t keys = 0;
  for (const char* field : {"data", "binaryData"}) {
    const json& data = At(cm, {field});
    if (data.is_object()) keys += static_cast<int64_t>(data.size());
  }
  return json::array({Name(cm), keys, Created(cm, now)});
}

json NamespaceCells(const json& ns, absl::Time now) {
  return json::array({Name(ns), Str(At(ns, {"status", "phase"})), Created(ns, now)});
}

// printers.go's lists of endpoints: the first three items joined by ",", then " + N
// more...", or `none` without items.
class FirstThree {
 public:
  void Add(std::string item) {
    if (++count_ <= 3) items_.push_back(std::move(item));
  }
  std::string Text(const char* none) const {
    if (count_ == 0) return none;
    std::string text = absl::StrJoin(items_, ",");
    if (count_ > 3) absl::StrAppend(&text, " + ", count_ - 3, " more...");
    return text;
  }

 private:
  std::vector<std::string> items_;
  int count_ = 0;
};

// The ready addresses, "10.244.0.5:80", each with each port (formatEndpoints).
json EndpointsCells(const json& e, absl::Time now) {
  FirstThree list;
  for (const json& ss : Arr(At(e, {"subsets"}))) {
    const json& ports = At(ss, {"ports"});
    for (const json& a : Arr(At(ss, {"addresses"}))) {
      if (Arr(ports).empty()) list.Add(Str(At(a, {"ip"})));
    }
    for (const json& p : Arr(ports)) {
      for (const json& a : Arr(At(ss, {"addresses"}))) {
        list.Add(absl::StrCat(Str(At(a, {"ip"})), ":", Int(At(p, {"port"}))));
      }
    }
  }
  return json::array({Name(e), list.Text("<none>"), Created(e, now)});
}

json EndpointSliceCells(const json& s, absl::Time now) {
  std::vector<std::string> ports;
  for (const json& port : Arr(At(s, {"ports"}))) {
    ports.push_back(absl::StrCat(Int(At(port, {"port"}))));
  }
  FirstThree addresses;
  for (const json& ep : Arr(At(s, {"endpoints"}))) {
    for (const json& ip : Arr(At(ep, {"addresses"}))) addresses.Add(Str(ip));
  }
  return json::array({Name(s), Str(At(s, {"addressType"})),
                      Or(absl::StrJoin(ports, ","), "<unset>"), addresses.Text("<unset>"),
                      Created(s, now)});
}

json ServiceAccountCells(const json& sa, absl::Time now) {
  return json::array(
      {Name(sa), static_cast<int64_t>(Arr(At(sa, {"secrets"})).size()), Created(sa, now)});
}

json SecretCells(const json& secret, absl::Time now) {
  const json& data = At(secret, {"data"});  // formatSecret: len(Data).
  int64_t keys = data.is_object() ? static_cast<int64_t>(data.size()) : 0;
  return json::array({Name(secret), Str(At(secret, {"type"})), keys, Created(secret, now)});
}

json StatefulSetCells(const json& sts, absl::Time now) {
  auto [names, images] = ContainerCells(At(sts, {"spec", "template", "spec"}));
  return json::array(
      {Name(sts), absl::StrCat(Int(At(sts, {"status", "readyReplicas"})), "/", SpecReplicas(sts)),
       Created(sts, now), names, images});
}

// The generic server prints the creation time itself, as RFC3339 (Go's zero time if unset).
json GenericCells(const json& obj, absl::Time /*now*/) {
  absl::Time created = ParseApiTime(At(obj, {"metadata", "creationTimestamp"}));
  return json::array(
      {Name(obj), created == absl::InfinitePast() ? "0001-01-01T00:00:00Z" : ApiTime(created)});
}

struct Printer {
  const char* resource;
  const std::vector<Column>& (*columns)();
  json (*cells)(const json& obj, absl::Time now);
};

constexpr Printer kPrinters[] = {
    {"pods", PodColumns, PodCells},
    {"deployments", DeploymentColumns, DeploymentCells},
    {"replicasets", ReplicaSetColumns, ReplicaSetCells},
    {"jobs", JobColumns, JobCells},
    {"horizontalpodautoscalers", HorizontalPodAutoscalerColumns, HorizontalPodAutoscalerCells},
    {"events", EventColumns, EventCells},
    {"services", ServiceColumns, ServiceCells},
    {"nodes", NodeColumns, NodeCells},
    {"configmaps", ConfigMapColumns, ConfigMapCells},
    {"namespaces", NamespaceColumns, NamespaceCells},
    {"endpoints", EndpointsColumns, EndpointsCells},
    {"endpointslices", EndpointSliceColumns, EndpointSliceCells},
    {"serviceaccounts", ServiceAccountColumns, ServiceAccountCells},
    {"secrets", SecretColumns, SecretCells},
    {"statefulsets", StatefulSetColumns, StatefulSetCells},
};

constexpr Printer kGenericPrinter = {"", GenericColumns, GenericCells};

const Printer& PrinterFor(const std::string& resource) {
  for (const Printer& p : kPrinters) {
    if (resource == p.resource) return p;
  }
  return kGenericPrinter;
}

json RowObject(const json& item, IncludeObject include) {
  switch (include) {
    case IncludeObject::kNone:
      return nullptr;
    case IncludeObject::kMetadata: {
      const json& metadata = At(item, {"metadata"});
      return {{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", metadata.is_object() ? metadata : json::object()}};
    }
    case IncludeObject::kObject:
      return item;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<IncludeObject> ParseIncludeObject(const std::string& value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "None") return IncludeObject::kNone;
  if (value == "Object") return IncludeObject::kObject;
  return absl::InvalidArgumentError(absl::StrCat("includeObject: unsupported value \"", value,
                                                 "\": must be None, Metadata or Object"));
}

bool HasTableColumns(const std::string& resource) {
  return &PrinterFor(resource) != &kGenericPrinter;
}

nlohmann::json MakeTable(const std::string& resource, const std::vector<nlohmann::json>& items,
                         absl::Time now, const std::string& list_resource_version,
                         IncludeObject include) {
  const Printer& printer = PrinterFor(resource);
  json columns = json::array();
  for (const Column& c : printer.columns()) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"format", c.format},
                       {"description", c.description},
                       {"priority", c.priority}});
  }
  json rows = json::array();
  for (const json& item : items) {
    json row = {{"cells", printer.cells(item, now)}, {"object", RowObject(item, include)}};
    if (resource == "pods") {
      const std::string phase = Str(At(item, {"status", "phase"}));
      if (phase == "Succeeded" || phase == "Failed") {
        row["conditions"] =
            json::array({{{"type", "Completed"},
                          {"status", "True"},
                          {"reason", phase},
                          {"message", phase == "Succeeded" ? "The pod has completed successfully."
                                                           : "The pod failed."}}});
      }
    }
    rows.push_back(std::move(row));
  }
  json metadata = json::object();
  if (!list_resource_version.empty()) metadata["resourceVersion"] = list_resource_version;
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(metadata)},
          {"columnDefinitions", std::move(columns)},
          {"rows", std::move(rows)}};
}

std::string HumanDuration(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "<unknown>";
  if (d == -absl::InfiniteDuration()) return "<invalid>";
  // Truncation toward zero, as Go's int(d.Seconds()) and d / time.Minute.
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return absl::StrCat(seconds, "s");
  const int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    return s == 0 ? absl::StrCat(minutes, "m") : absl::StrCat(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return absl::StrCat(minutes, "m");
  const int64_t hours = absl::ToInt64Hours(d);
  if (hours < 8) {
    const int64_t m = minutes % 60;
    return m == 0 ? absl::StrCat(hours, "h") : absl::StrCat(hours, "h", m, "m");
  }
  if (hours < 48) return absl::StrCat(hours, "h");
  if (hours < 24 * 8) {
    const int64_t h = hours % 24;
    return h == 0 ? absl::StrCat(hours / 24, "d") : absl::StrCat(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return absl::StrCat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    const int64_t dy = (hours / 24) % 365;
    return dy == 0 ? absl::StrCat(hours / 24 / 365, "y")
                   : absl::StrCat(hours / 24 / 365, "y", dy, "d");
  }
  return absl::StrCat(hours / 24 / 365, "y");
}

}  // namespace sim
}  // namespace sre_eval
