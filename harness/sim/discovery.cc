#include "sim/discovery.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/resources.h"

namespace sre_eval {
namespace sim {

namespace {

nlohmann::json GroupJson(const std::string& group) {
  nlohmann::json versions = nlohmann::json::array();
  for (const std::string& gv : GroupVersions()) {
    if (gv.rfind(group + "/", 0) == 0) {
      versions.push_back({{"groupVersion", gv}, {"version", gv.substr(group.size() + 1)}});
    }
  }
  return {{"name", group}, {"versions", versions}, {"preferredVersion", versions[0]}};
}

// A stable hash for the index's serverRelativeURL (clients cache documents by it).
std::string DocumentHash(const std::string& path) {
  uint64_t h = 1469598103934665603ull;
  for (char c : path) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return absl::StrFormat("%016X%016X", h, h * 31 + 7);
}

}  // namespace

nlohmann::json VersionInfo() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", kServerVersion},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2026-11-01T00:00:00Z"},
          {"goVersion", "go1.23.8"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

nlohmann::json CoreApiVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

nlohmann::json ApiGroupList() {
  nlohmann::json groups = nlohmann::json::array();
  std::vector<std::string> seen;
  for (const ResourceInfo& r : Resources()) {
    if (r.group.empty() || std::find(seen.begin(), seen.end(), r.group) != seen.end()) continue;
    seen.push_back(r.group);
    groups.push_back(GroupJson(r.group));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<nlohmann::json> ApiGroup(const std::string& group) {
  for (const ResourceInfo& r : Resources()) {
    if (r.group == group && !group.empty()) {
      nlohmann::json g = GroupJson(group);
      g["kind"] = "APIGroup";
      g["apiVersion"] = "v1";
      return g;
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::json> ApiResourceList(const std::string& group_version) {
  nlohmann::json resources = nlohmann::json::array();
  for (const ResourceInfo& r : Resources()) {
    if (r.GroupVersion() != group_version) continue;
    nlohmann::json entry = {{"name", r.resource},
                            {"singularName", r.singular},
                            {"namespaced", r.namespaced},
                            {"kind", r.kind},
                            {"verbs", r.verbs}};
    if (!r.short_names.empty()) entry["shortNames"] = r.short_names;
    if (r.in_all) entry["categories"] = {"all"};
    entry["storageVersionHash"] = DocumentHash(r.GroupVersion() + r.resource).substr(0, 11);
    resources.push_back(entry);
    for (const std::string& sub : r.subresources) {
      nlohmann::json s = {{"name", r.resource + "/" + sub},
                          {"singularName", ""},
                          {"namespaced", r.namespaced},
                          {"kind", r.kind},
                          {"verbs", {"get"}}};
      if (sub == "scale") {
        s["group"] = "autoscaling";
        s["version"] = "v1";
        s["kind"] = "Scale";
        s["verbs"] = {"get", "patch", "update"};
      } else if (sub == "status") {
        s["verbs"] = {"get", "patch", "update"};
      } else if (sub == "eviction") {
        s["group"] = "policy";
        s["version"] = "v1";
        s["kind"] = "Eviction";
        s["verbs"] = {"create"};
      } else if (sub == "proxy") {
        s["kind"] = r.resource == "nodes" ? "NodeProxyOptions" : "ServiceProxyOptions";
        s["verbs"] = {"create", "delete", "get", "patch", "update"};
      }
      resources.push_back(s);
    }
  }
  if (resources.empty()) return std::nullopt;
  return nlohmann::json{{"kind", "APIResourceList"},
                        {"apiVersion", "v1"},
                        {"groupVersion", group_version},
                        {"resources", resources}};
}

nlohmann::json OpenApiV3Index() {
  nlohmann::json paths = nlohmann::json::object();
  for (const std::string& gv : GroupVersions()) {
    std::string path = gv == "v1" ? "api/v1" : "apis/" + gv;
    paths[path] = {
        {"serverRelativeURL", absl::StrCat("/openapi/v3/", path, "?hash=", DocumentHash(path))}};
  }
  return {{"paths", paths}};
}

std::optional<nlohmann::json> OpenApiV3Document(const std::string& path) {
  nlohmann::json paths = nlohmann::json::object();
  for (const ResourceInfo& r : Resources()) {
    std::string gv = r.GroupVersion();
    std::string prefix = gv == "v1" ? "api/v1" : "apis/" + gv;
    if (prefix != path || !r.stored) continue;
    std::string item = absl::StrCat("/", prefix, r.namespaced ? "/namespaces/{namespace}/" : "/",
                                    r.resource, "/{name}");
    nlohmann::json gvk = {{"group", r.group}, {"version", r.version}, {"kind", r.kind}};
    nlohmann::json params = nlohmann::json::array();
    for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) {
      params.push_back({{"name", name},
                        {"in", "query"},
                        {"description", name},
                        {"schema", {{"type", "string"}, {"uniqueItems", true}}}});
    }
    nlohmann::json ok = {{"200", {{"description", "OK"}}}};
    paths[item] = {
        {"get", {{"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}},
        {"put",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}},
        {"patch",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}},
        {"delete", {{"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}}};
    std::string collection =
        absl::StrCat("/", prefix, r.namespaced ? "/namespaces/{namespace}/" : "/", r.resource);
    paths[collection] = {
        {"post",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}}};
  }
  if (paths.empty()) return std::nullopt;
  return nlohmann::json{{"openapi", "3.0.0"},
                        {"info", {{"title", "Kubernetes"}, {"version", kServerVersion}}},
                        {"paths", paths},
                        {"components", {{"schemas", nlohmann::json::object()}}}};
}

}  // namespace sim
}  // namespace sre_eval
