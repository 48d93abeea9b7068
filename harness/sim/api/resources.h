// The kinds of object the sim serves: one table that discovery, the OpenAPI documents and
// request routing all read, so that a resource is declared once.
#ifndef SRE_EVAL_SIM_API_RESOURCES_H_
#define SRE_EVAL_SIM_API_RESOURCES_H_

#include <string>
#include <vector>

namespace sre_eval {
namespace sim {

struct ResourceInfo {
  std::string group;     // "" for core.
  std::string version;   // "v1", "v1beta1".
  std::string resource;  // Plural: "pods".
  std::string singular;  // "pod".
  std::string kind;      // "Pod".
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> subresources;  // "log", "scale", "status", "proxy".
  bool stored = true;                     // False for metrics, computed on each request.
  bool in_all = false;                    // In the "all" category (`kubectl get all`).

  // "v1" or "apps/v1".
  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
};

// Every resource served, in discovery order.
const std::vector<ResourceInfo>& Resources();

// The resource named `resource` in group/version, or nullptr.
const ResourceInfo* FindResource(const std::string& group, const std::string& version,
                                 const std::string& resource);

// The group versions served: "v1", "apps/v1", "batch/v1", "metrics.k8s.io/v1beta1".
std::vector<std::string> GroupVersions();

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_RESOURCES_H_
