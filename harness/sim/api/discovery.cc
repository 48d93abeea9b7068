#include "sim/api/discovery.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/api/resources.h"
#include "sim/data/manifest_data.h"

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

// The component schemas (sim/data/openapi_schemas.json), parsed once.
const nlohmann::json& AllSchemas() {
  static const auto* schemas = new nlohmann::json(nlohmann::json::parse(OpenApiSchemasJson()));
  return *schemas;
}

// Adds `name` and every schema it refers to, at any depth, to `out`.
void AddSchemaClosure(const std::string& name, nlohmann::json* out) {
  if (out->contains(name)) return;
  const nlohmann::json& all = AllSchemas();
  auto it = all.find(name);
  if (it == all.end()) return;
  (*out)[name] = *it;
  std::vector<const nlohmann::json*> stack = {&*it};
  while (!stack.empty()) {
    const nlohmann::json* j = stack.back();
    stack.pop_back();
    if (j->is_object()) {
      auto ref = j->find("$ref");
      if (ref != j->end() && ref->is_string()) {
        const std::string target =
            ref->get<std::string>().substr(sizeof("#/components/schemas/") - 1);
        AddSchemaClosure(target, out);
      }
      for (const auto& [key, value] : j->items()) stack.push_back(&value);
    } else if (j->is_array()) {
      for (const nlohmann::json& value : *j) stack.push_back(&value);
    }
  }
}

// The schema name of a kind: the package of its group/version, then the kind.
std::string SchemaName(const ResourceInfo& r) {
  std::string package = r.group.empty() ? "core" : r.group.substr(0, r.group.find('.'));
  return absl::StrCat("io.k8s.api.", package, ".", r.version, ".", r.kind);
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
  nlohmann::json schemas = nlohmann::json::object();
  for (const ResourceInfo& r : Resources()) {
    std::string gv = r.GroupVersion();
    std::string prefix = gv == "v1" ? "api/v1" : "apis/" + gv;
    if (prefix != path) continue;
    // Kinds without a schema (the metrics API's) are left out, as their group's document.
    if (!r.stored && !AllSchemas().contains(SchemaName(r))) continue;
    AddSchemaClosure(SchemaName(r), &schemas);
    std::string item = absl::StrCat("/", prefix, r.namespaced ? "/namespaces/{namespace}/" : "/",
                                    r.resource, "/{name}");
    std::string collection =
        absl::StrCat("/", prefix, r.namespaced ? "/namespaces/{namespace}/" : "/", r.resource);
    nlohmann::json gvk = {{"group", r.group}, {"version", r.version}, {"kind", r.kind}};
    nlohmann::json ok = {{"200", {{"description", "OK"}}}};
    if (!r.stored) {
      // Read-only (derived) and create-only kinds: what they answer.
      const bool create_only = r.verbs.size() == 1 && r.verbs[0] == "create";
      paths[create_only ? collection : item] = {
          {create_only ? "post" : "get",
           {{"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}}};
      continue;
    }
    nlohmann::json params = nlohmann::json::array();
    for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) {
      params.push_back({{"name", name},
                        {"in", "query"},
                        {"description", name},
                        {"schema", {{"type", "string"}, {"uniqueItems", true}}}});
    }
    paths[item] = {
        {"get", {{"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}},
        {"put",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}},
        {"patch",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}},
        {"delete", {{"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}}};
    paths[collection] = {
        {"post",
         {{"x-kubernetes-group-version-kind", gvk}, {"parameters", params}, {"responses", ok}}}};
  }
  if (paths.empty()) return std::nullopt;
  return nlohmann::json{{"openapi", "3.0.0"},
                        {"info", {{"title", "Kubernetes"}, {"version", kServerVersion}}},
                        {"paths", paths},
                        {"components", {{"schemas", schemas}}}};
}

}  // namespace sim
}  // namespace sre_eval
