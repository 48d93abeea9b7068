#include "sim/shop/sockshop.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sim/data/manifest_data.h"
#include "util/status_macros.h"
#include "util/yaml_json.h"

namespace sre_eval {
namespace sim {

namespace {

using json = nlohmann::json;

constexpr char kManifestFile[] = "complete-demo.yaml";
constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";
// The kind cluster came up a few minutes before Sock Shop was applied.
constexpr absl::Duration kClusterAge = absl::Minutes(5);
constexpr absl::Duration kSeedLimit = absl::Hours(1);

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/metadata.name", name}}}}},
          {"spec", {{"finalizers", json::array({"kubernetes"})}}},
          {"status", {{"phase", "Active"}}}};
}

json NodeCondition(const char* type, bool status, const char* reason, const char* message,
                   absl::Time at) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastHeartbeatTime", ApiTime(at)},
          {"lastTransitionTime", ApiTime(at)},
          {"reason", reason},
          {"message", message}};
}

json Node(absl::Time created) {
  json resources = {{"cpu", "8"},
                    {"ephemeral-storage", "263174212Ki"},
                    {"hugepages-1Gi", "0"},
                    {"hugepages-2Mi", "0"},
                    {"memory", "32827644Ki"},
                    {"pods", "110"}};
  absl::Time ready = created + absl::Seconds(18);
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", kNodeName},
            {"labels",
             {{"beta.kubernetes.io/arch", "amd64"},
              {"beta.kubernetes.io/os", "linux"},
              {"kubernetes.io/arch", "amd64"},
              {"kubernetes.io/hostname", kNodeName},
              {"kubernetes.io/os", "linux"},
              {"node-role.kubernetes.io/control-plane", ""},
              {"node.kubernetes.io/exclude-from-external-load-balancers", ""}}},
            {"annotations",
             {{"kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock"},
              {"node.alpha.kubernetes.io/ttl", "0"},
              {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
          {"spec",
           {{"podCIDR", "10.244.0.0/24"},
            {"podCIDRs", json::array({"10.244.0.0/24"})},
            {"providerID", absl::StrCat("kind://docker/sre-eval-sim/", kNodeName)}}},
          {"status",
           {{"addresses", json::array({{{"type", "InternalIP"}, {"address", kNodeIp}},
                                       {{"type", "Hostname"}, {"address", kNodeName}}})},
            {"allocatable", resources},
            {"capacity", resources},
            {"conditions",
             json::array({NodeCondition("MemoryPressure", false, "KubeletHasSufficientMemory",
                                        "kubelet has sufficient memory available", created),
                          NodeCondition("DiskPressure", false, "KubeletHasNoDiskPressure",
                                        "kubelet has no disk pressure", created),
                          NodeCondition("PIDPressure", false, "KubeletHasSufficientPID",
                                        "kubelet has sufficient PID available", created),
                          NodeCondition("Ready", true, "KubeletReady",
                                        "kubelet is posting ready status", ready)})},
            {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
            {"nodeInfo",
             {{"architecture", "amd64"},
              {"bootID", "6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f"},
              {"containerRuntimeVersion", "containerd://1.7.24"},
              {"kernelVersion", "6.8.0-51-generic"},
              {"kubeProxyVersion", "v1.32.0"},
              {"kubeletVersion", "v1.32.0"},
              {"machineID", "3b5a7c9e1d2f4a6b8c0d2e4f6a8b0c1d"},
              {"operatingSystem", "linux"},
              {"osImage", "Debian GNU/Linux 12 (bookworm)"},
              {"systemUUID", "3b5a7c9e-1d2f-4a6b-8c0d-2e4f6a8b0c1d"}}}}}};
}

// kubectl apply's record of what was applied: the object as written, compact, sorted keys.
void AddLastApplied(json* object) {
  json applied = *object;
  (*object)["metadata"]["annotations"][kLastApplied] = applied.dump() + "\n";
}

std::string NewClusterIp(ObjectStore* store, std::set<std::string>* used) {
  for (;;) {
    int64_t a = 0, b = 0;
    absl::SimpleAtoi(store->RandomSuffix(4, "0123456789"), &a);
    absl::SimpleAtoi(store->RandomSuffix(4, "0123456789"), &b);
    std::string ip = absl::StrCat("10.96.", a % 256, ".", 1 + b % 254);
    if (ip == "10.96.0.1" || ip == "10.96.0.10" || !used->insert(ip).second) continue;
    return ip;
  }
}

void ApplyServiceDefaults(json* service, const std::string& cluster_ip) {
  json& spec = (*service)["spec"];
  if (!spec.contains("type")) spec["type"] = "ClusterIP";
  spec["clusterIP"] = cluster_ip;
  spec["clusterIPs"] = json::array({cluster_ip});
  spec["ipFamilies"] = json::array({"IPv4"});
  spec["ipFamilyPolicy"] = "SingleStack";
  spec["sessionAffinity"] = "None";
  spec["internalTrafficPolicy"] = "Cluster";
  if (spec["type"] == "NodePort" || spec["type"] == "LoadBalancer") {
    spec["externalTrafficPolicy"] = "Cluster";
  }
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (json& p : spec["ports"]) {
      if (!p.contains("protocol")) p["protocol"] = "TCP";
      if (!p.contains("targetPort")) p["targetPort"] = p["port"];
    }
  }
  (*service)["status"] = {{"loadBalancer", json::object()}};
}

bool AllReady(const ObjectStore& store) {
  std::vector<json> deployments = store.List("deployments", "");
  if (deployments.empty()) return false;
  for (const json& d : deployments) {
    int64_t want = d["spec"].value("replicas", 1);
    const json status = d.value("status", json::object());
    if (status.value("availableReplicas", 0) != want || status.value("replicas", 0) != want ||
        status.value("updatedReplicas", 0) != want) {
      return false;
    }
  }
  for (const json& pod : store.List("pods", "")) {
    const json status = pod.value("status", json::object());
    if (status.value("phase", "") != "Running") return false;
    for (const json& c : status.value("containerStatuses", json::array())) {
      if (!c.value("ready", false)) return false;
    }
  }
  return true;
}

}  // namespace

absl::Status SeedSockShop(ObjectStore* store, Controllers* controllers,
                          const SeedOptions& options) {
  ASSIGN_OR_RETURN(std::vector<json> docs, YamlDocumentsToJson(kManifestFile, SockShopManifest()));

  const absl::Time cluster_created = options.deployed_at - kClusterAge;
  store->SetNow(cluster_created);
  for (const char* ns : {"default", "kube-node-lease", "kube-public", "kube-system"}) {
    RETURN_IF_ERROR(store->Create("namespaces", Namespace(ns)).status());
  }
  RETURN_IF_ERROR(store->Create("nodes", Node(cluster_created)).status());

  store->SetNow(options.deployed_at);
  std::set<std::string> cluster_ips;
  bool namespace_created = false;
  for (json& doc : docs) {
    if (!doc.is_object()) continue;
    const std::string kind = doc.value("kind", "");
    json object = doc;
    if (kind == "Namespace") {
      json ns = Namespace(object["metadata"].value("name", kNamespace));
      ns["metadata"]["annotations"][kLastApplied] = doc.dump() + "\n";
      RETURN_IF_ERROR(store->Create("namespaces", ns).status());
      namespace_created = true;
    } else if (kind == "Deployment") {
      AddLastApplied(&object);
      ApplyDeploymentDefaults(&object);
      RETURN_IF_ERROR(store->Create("deployments", object).status());
    } else if (kind == "Service") {
      AddLastApplied(&object);
      ApplyServiceDefaults(&object, NewClusterIp(store, &cluster_ips));
      RETURN_IF_ERROR(store->Create("services", object).status());
    }
  }
  if (!namespace_created) {
    RETURN_IF_ERROR(store->Create("namespaces", Namespace(kNamespace)).status());
  }

  for (absl::Time t = options.deployed_at; t <= options.deployed_at + kSeedLimit;
       t += absl::Seconds(1)) {
    store->SetNow(t);
    controllers->Reconcile(t);
    if (AllReady(*store)) return absl::OkStatus();
  }
  return absl::DeadlineExceededError(absl::StrCat("Sock Shop was not Running and Ready after ",
                                                  absl::FormatDuration(kSeedLimit),
                                                  " of virtual time"));
}

}  // namespace sim
}  // namespace sre_eval
