#include "sim/api/resources.h"

#include <algorithm>

namespace sre_eval {
namespace sim {

const std::vector<ResourceInfo>& Resources() {
  static const auto* resources = [] {
    const std::vector<std::string> all = {"create", "delete", "deletecollection", "get",
                                          "list",   "patch",  "update",           "watch"};
    const std::vector<std::string> read = {"get", "list"};
    // group, version, resource, singular, kind, namespaced, verbs, short names,
    // subresources, stored, in the "all" category.
    auto* r = new std::vector<ResourceInfo>{
        {"", "v1", "namespaces", "namespace", "Namespace", false, all, {"ns"}, {"status"}},
        {"", "v1", "nodes", "node", "Node", false, all, {"no"}, {"status", "proxy"}},
        {"",
         "v1",
         "pods",
         "pod",
         "Pod",
         true,
         all,
         {"po"},
         {"log", "status", "eviction"},
         true,
         true},
        {"", "v1", "events", "event", "Event", true, all, {"ev"}, {}},
        {"",
         "v1",
         "services",
         "service",
         "Service",
         true,
         all,
         {"svc"},
         {"proxy", "status"},
         true,
         true},
        {"", "v1", "configmaps", "configmap", "ConfigMap", true, all, {"cm"}, {}},
        {"apps",
         "v1",
         "deployments",
         "deployment",
         "Deployment",
         true,
         all,
         {"deploy"},
         {"scale", "status"},
         true,
         true},
        {"apps",
         "v1",
         "replicasets",
         "replicaset",
         "ReplicaSet",
         true,
         all,
         {"rs"},
         {"scale", "status"},
         true,
         true},
        {"batch", "v1", "jobs", "job", "Job", true, all, {}, {"status"}, true, true},
        {"autoscaling",
         "v2",
         "horizontalpodautoscalers",
         "horizontalpodautoscaler",
         "HorizontalPodAutoscaler",
         true,
         all,
         {"hpa"},
         {"status"},
         true,
         true},
        // Stored as v2 above; served as v1 too (kubectl autoscale, AutoscalingV1Api).
        {"autoscaling",
         "v1",
         "horizontalpodautoscalers",
         "horizontalpodautoscaler",
         "HorizontalPodAutoscaler",
         true,
         all,
         {"hpa"},
         {"status"},
         true,
         false},
        // Computed from the store on each read (sim/kube/derived.h): get and list only.
        {"", "v1", "endpoints", "endpoints", "Endpoints", true, read, {"ep"}, {}},
        {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, read, {"sa"}, {}},
        {"", "v1", "secrets", "secret", "Secret", true, read, {}, {}},
        {"",
         "v1",
         "replicationcontrollers",
         "replicationcontroller",
         "ReplicationController",
         true,
         read,
         {"rc"},
         {},
         true,
         true},
        {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, read, {"ds"}, {}, true, true},
        {"apps",
         "v1",
         "statefulsets",
         "statefulset",
         "StatefulSet",
         true,
         read,
         {"sts"},
         {},
         true,
         true},
        {"discovery.k8s.io",
         "v1",
         "endpointslices",
         "endpointslice",
         "EndpointSlice",
         true,
         read,
         {},
         {}},
        {"events.k8s.io", "v1", "events", "event", "Event", true, read, {"ev"}, {}},
        {"authorization.k8s.io",
         "v1",
         "selfsubjectaccessreviews",
         "selfsubjectaccessreview",
         "SelfSubjectAccessReview",
         false,
         {"create"},
         {},
         {}},
        {"metrics.k8s.io", "v1beta1", "pods", "", "PodMetrics", true, read, {}, {}, false},
        {"metrics.k8s.io", "v1beta1", "nodes", "", "NodeMetrics", false, read, {}, {}, false},
    };
    return r;
  }();
  return *resources;
}

const ResourceInfo* FindResource(const std::string& group, const std::string& version,
                                 const std::string& resource) {
  for (const ResourceInfo& r : Resources()) {
    if (r.group == group && r.version == version && r.resource == resource) return &r;
  }
  return nullptr;
}

std::vector<std::string> GroupVersions() {
  std::vector<std::string> out;
  for (const ResourceInfo& r : Resources()) {
    std::string gv = r.GroupVersion();
    if (std::find(out.begin(), out.end(), gv) == out.end()) out.push_back(gv);
  }
  return out;
}

}  // namespace sim
}  // namespace sre_eval
