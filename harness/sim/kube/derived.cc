#include "sim/kube/derived.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/kube/controllers_internal.h"

namespace sre_eval {
namespace sim {

namespace {

using json = nlohmann::json;

using internal::At;
using internal::LabelsMatch;
using internal::Meta;
using internal::PodReady;
using internal::Str;
using internal::Terminating;
using Objects = std::vector<std::shared_ptr<const json>>;

// A stable id for a computed object: an RFC 4122 version-4 layout over two FNV-1a hashes of
// what names it, so that the same object has the same uid on every read and every run.
std::string DerivedUid(const std::string& what) {
  uint64_t a = 1469598103934665603ull, b = 1099511628211ull * 7;
  for (char c : what) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    b = (b ^ static_cast<unsigned char>(c)) * 1469598103934665603ull + 11;
  }
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x4000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF,
                         b >> 48, b & 0xFFFFFFFFFFFFull);
}

// The 5 characters the EndpointSlice controller appends to a service's name (generateName),
// from the same alphabet, derived from the service's uid.
std::string SliceSuffix(const std::string& service_uid) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  uint64_t h = 1469598103934665603ull;
  for (char c : service_uid) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out.push_back(kAlphabet[h % (sizeof(kAlphabet) - 1)]);
    h /= (sizeof(kAlphabet) - 1);
  }
  return out;
}

json Metadata(const std::string& name, const std::string& ns, const json& from,
              const std::string& resource) {
  return {{"name", name},
          {"namespace", ns},
          {"uid", DerivedUid(absl::StrCat(resource, "/", ns, "/", name))},
          {"resourceVersion", Meta(from, "resourceVersion")},
          {"creationTimestamp", At(from, {"metadata", "creationTimestamp"})}};
}

// A pod the service selects that has an IP.
struct Backend {
  std::string ip;
  bool ready = false;    // Serving and not terminating.
  bool serving = false;  // Its Ready condition.
  bool terminating = false;
  const json* pod = nullptr;
};

// `pods`: every pod of the service's namespace or more; those of other namespaces are skipped.
std::vector<Backend> Backends(const json& service, const Objects& pods) {
  std::vector<Backend> out;
  const json& selector = At(service, {"spec", "selector"});
  const std::string ns = Meta(service, "namespace");
  if (!selector.is_object() || selector.empty()) return out;
  for (const auto& p : pods) {
    const json& pod = *p;
    std::string ip = Str(At(pod, {"status", "podIP"}));
    if (ip.empty() || Meta(pod, "namespace") != ns ||
        !LabelsMatch(selector, At(pod, {"metadata", "labels"}))) {
      continue;
    }
    std::string phase = Str(At(pod, {"status", "phase"}));
    if (phase == "Succeeded" || phase == "Failed") continue;
    Backend b;
    b.ip = ip;
    b.terminating = Terminating(pod);
    b.serving = PodReady(pod).first;
    b.ready = b.serving && !b.terminating;
    b.pod = &pod;
    out.push_back(b);
  }
  std::sort(out.begin(), out.end(), [](const Backend& x, const Backend& y) { return x.ip < y.ip; });
  return out;
}

// The port a service port sends to: its targetPort (a number, or a container port's name),
// else its port.
json TargetPort(const json& port, const std::vector<Backend>& backends) {
  const json& target = At(port, {"targetPort"});
  if (target.is_number_integer()) return target;
  if (target.is_string()) {
    for (const Backend& b : backends) {
      const json& containers = At(*b.pod, {"spec", "containers"});
      if (!containers.is_array()) continue;
      for (const json& c : containers) {
        const json& ports = At(c, {"ports"});
        if (!ports.is_array()) continue;
        for (const json& p : ports) {
          if (Str(At(p, {"name"})) == target.get<std::string>()) return At(p, {"containerPort"});
        }
      }
    }
  }
  return At(port, {"port"});
}

json TargetRef(const json& pod) {
  return {{"kind", "Pod"},
          {"namespace", Meta(pod, "namespace")},
          {"name", Meta(pod, "name")},
          {"uid", Meta(pod, "uid")}};
}

json ServicePorts(const json& service, const std::vector<Backend>& backends, bool slice) {
  json ports = json::array();
  const json& list = At(service, {"spec", "ports"});
  if (!list.is_array()) return ports;
  for (const json& p : list) {
    json port = json::object();
    if (!Str(At(p, {"name"})).empty() || slice) port["name"] = Str(At(p, {"name"}));
    port["port"] = TargetPort(p, backends);
    port["protocol"] = At(p, {"protocol"}).is_string() ? At(p, {"protocol"}) : json("TCP");
    ports.push_back(port);
  }
  return ports;
}

json Endpoints(const json& service, const Objects& pods) {
  const std::string ns = Meta(service, "namespace");
  const std::string name = Meta(service, "name");
  json e = {{"kind", "Endpoints"},
            {"apiVersion", "v1"},
            {"metadata", Metadata(name, ns, service, "endpoints")}};
  const json& labels = At(service, {"metadata", "labels"});
  if (labels.is_object()) e["metadata"]["labels"] = labels;
  std::vector<Backend> backends = Backends(service, pods);
  json ready = json::array(), not_ready = json::array();
  for (const Backend& b : backends) {
    if (b.terminating) continue;
    json address = {{"ip", b.ip}, {"targetRef", TargetRef(*b.pod)}};
    std::string node = Str(At(*b.pod, {"spec", "nodeName"}));
    if (!node.empty()) address["nodeName"] = node;
    (b.ready ? ready : not_ready).push_back(address);
  }
  if (!ready.empty() || !not_ready.empty()) {
    json subset = json::object();
    if (!ready.empty()) subset["addresses"] = ready;
    if (!not_ready.empty()) subset["notReadyAddresses"] = not_ready;
    subset["ports"] = ServicePorts(service, backends, false);
    e["subsets"] = json::array({subset});
  }
  return e;
}

json EndpointSlice(const json& service, const Objects& pods) {
  const std::string ns = Meta(service, "namespace");
  const std::string name = Meta(service, "name");
  const std::string uid = Meta(service, "uid");
  json s = {{"kind", "EndpointSlice"},
            {"apiVersion", "discovery.k8s.io/v1"},
            {"metadata",
             Metadata(absl::StrCat(name, "-", SliceSuffix(uid)), ns, service, "endpointslices")},
            {"addressType", "IPv4"}};
  json labels = At(service, {"metadata", "labels"}).is_object()
                    ? At(service, {"metadata", "labels"})
                    : json::object();
  labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io";
  labels["kubernetes.io/service-name"] = name;
  s["metadata"]["labels"] = labels;
  s["metadata"]["generateName"] = name + "-";
  s["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "v1"},
                                                   {"kind", "Service"},
                                                   {"name", name},
                                                   {"uid", uid},
                                                   {"controller", true},
                                                   {"blockOwnerDeletion", true}}});
  std::vector<Backend> backends = Backends(service, pods);
  json endpoints = json::array();
  for (const Backend& b : backends) {
    json ep = {{"addresses", json::array({b.ip})},
               {"conditions",
                {{"ready", b.ready}, {"serving", b.serving}, {"terminating", b.terminating}}},
               {"targetRef", TargetRef(*b.pod)}};
    std::string node = Str(At(*b.pod, {"spec", "nodeName"}));
    if (!node.empty()) ep["nodeName"] = node;
    endpoints.push_back(ep);
  }
  if (!endpoints.empty()) s["endpoints"] = endpoints;
  s["ports"] = ServicePorts(service, backends, true);
  return s;
}

json DefaultServiceAccount(const json& ns_object) {
  const std::string ns = Meta(ns_object, "name");
  return {{"kind", "ServiceAccount"},
          {"apiVersion", "v1"},
          {"metadata", Metadata("default", ns, ns_object, "serviceaccounts")}};
}

// A core v1 Event as events.k8s.io/v1 shows it (pkg/apis/events/v1 conversion).
json EventV1(const json& e) {
  json v1 = {{"kind", "Event"}, {"apiVersion", "events.k8s.io/v1"}};
  json meta = At(e, {"metadata"});
  if (meta.is_object()) v1["metadata"] = meta;
  v1["eventTime"] = At(e, {"eventTime"});
  static const std::pair<const char*, const char*> kRenamed[] = {
      {"involvedObject", "regarding"},
      {"message", "note"},
      {"reason", "reason"},
      {"type", "type"},
      {"action", "action"},
      {"related", "related"},
      {"series", "series"},
      {"reportingComponent", "reportingController"},
      {"reportingInstance", "reportingInstance"},
      {"source", "deprecatedSource"},
      {"firstTimestamp", "deprecatedFirstTimestamp"},
      {"lastTimestamp", "deprecatedLastTimestamp"},
      {"count", "deprecatedCount"},
  };
  for (const auto& [core, name] : kRenamed) {
    const json& value = At(e, {core});
    if (value.is_null()) continue;
    if (value.is_string() && value.get<std::string>().empty()) continue;
    v1[name] = value;
  }
  return v1;
}

}  // namespace

bool IsDerived(const std::string& group, const std::string& resource) {
  if (group.empty()) {
    return resource == "endpoints" || resource == "serviceaccounts" || resource == "secrets" ||
           resource == "replicationcontrollers";
  }
  return (group == "apps" && (resource == "statefulsets" || resource == "daemonsets")) ||
         (group == "discovery.k8s.io" && resource == "endpointslices") ||
         (group == "events.k8s.io" && resource == "events");
}

std::vector<json> DerivedObjects(const ObjectStore& store, const std::string& group,
                                 const std::string& resource, const std::string& ns) {
  std::vector<json> out;
  if (group == "events.k8s.io") {
    for (const json& e : store.List("events", ns)) out.push_back(EventV1(e));
  } else if (resource == "serviceaccounts") {
    for (const json& n : store.List("namespaces", "")) {
      if (ns.empty() || Meta(n, "name") == ns) {
        out.push_back(DefaultServiceAccount(n));
      }
    }
  } else if (resource == "endpoints" || resource == "endpointslices") {
    const Objects pods = store.Snapshot("pods", ns);
    for (const auto& svc : store.Snapshot("services", ns)) {
      // A service without a selector has its Endpoints written by hand: none here.
      if (!At(*svc, {"spec", "selector"}).is_object()) continue;
      out.push_back(resource == "endpoints" ? Endpoints(*svc, pods) : EndpointSlice(*svc, pods));
    }
  }
  // Secrets, StatefulSets, DaemonSets and ReplicationControllers: none in this cluster (tokens
  // are projected; the node's daemons are not modelled as pods).
  std::sort(out.begin(), out.end(), [](const json& x, const json& y) {
    return std::make_pair(Meta(x, "namespace"), Meta(x, "name")) <
           std::make_pair(Meta(y, "namespace"), Meta(y, "name"));
  });
  return out;
}

}  // namespace sim
}  // namespace sre_eval
