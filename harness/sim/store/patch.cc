#include "sim/store/patch.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/json_limits.h"
#include "util/status_macros.h"

namespace sre_eval {
namespace sim {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The patch strategies of the built-in types, from the patchStrategy/patchMergeKey tags of
// k8s.io/api (core/v1, apps/v1, batch/v1, meta/v1). A field absent here is a plain field: maps
// merge, lists are replaced.

enum class ListKind { kReplace, kByKey, kSet };

struct FieldRule {
  const char* type;
  const char* field;
  const char* child_type;  // The type of the value (of list elements for lists), or nullptr.
  ListKind list = ListKind::kReplace;
  const char* merge_key = nullptr;
};

constexpr FieldRule kRules[] = {
    {"Pod", "metadata", "ObjectMeta"},
    {"Pod", "spec", "PodSpec"},
    {"Pod", "status", "PodStatus"},
    {"Deployment", "metadata", "ObjectMeta"},
    {"Deployment", "spec", "DeploymentSpec"},
    {"Deployment", "status", "WorkloadStatus"},
    {"ReplicaSet", "metadata", "ObjectMeta"},
    {"ReplicaSet", "spec", "WorkloadSpec"},
    {"ReplicaSet", "status", "WorkloadStatus"},
    {"Job", "metadata", "ObjectMeta"},
    {"Job", "spec", "WorkloadSpec"},
    {"Job", "status", "WorkloadStatus"},
    {"Service", "metadata", "ObjectMeta"},
    {"Service", "spec", "ServiceSpec"},
    {"Service", "status", "WorkloadStatus"},
    {"ConfigMap", "metadata", "ObjectMeta"},
    {"Event", "metadata", "ObjectMeta"},
    {"Namespace", "metadata", "ObjectMeta"},
    {"Namespace", "status", "WorkloadStatus"},
    {"Node", "metadata", "ObjectMeta"},
    {"Node", "spec", "NodeSpec"},
    {"Node", "status", "NodeStatus"},
    {"ObjectMeta", "ownerReferences", nullptr, ListKind::kByKey, "uid"},
    {"ObjectMeta", "finalizers", nullptr, ListKind::kSet},
    {"DeploymentSpec", "template", "PodTemplateSpec"},
    {"WorkloadSpec", "template", "PodTemplateSpec"},
    // Deployment, ReplicaSet, Job, Namespace and Service conditions all merge by type.
    {"WorkloadStatus", "conditions", nullptr, ListKind::kByKey, "type"},
    {"PodTemplateSpec", "metadata", "ObjectMeta"},
    {"PodTemplateSpec", "spec", "PodSpec"},
    {"PodSpec", "containers", "Container", ListKind::kByKey, "name"},
    {"PodSpec", "initContainers", "Container", ListKind::kByKey, "name"},
    {"PodSpec", "ephemeralContainers", "Container", ListKind::kByKey, "name"},
    {"PodSpec", "volumes", nullptr, ListKind::kByKey, "name"},
    {"PodSpec", "imagePullSecrets", nullptr, ListKind::kByKey, "name"},
    {"PodSpec", "hostAliases", nullptr, ListKind::kByKey, "ip"},
    {"PodSpec", "topologySpreadConstraints", nullptr, ListKind::kByKey, "topologyKey"},
    {"PodSpec", "schedulingGates", nullptr, ListKind::kByKey, "name"},
    {"PodSpec", "resourceClaims", nullptr, ListKind::kByKey, "name"},
    {"Container", "ports", nullptr, ListKind::kByKey, "containerPort"},
    {"Container", "env", nullptr, ListKind::kByKey, "name"},
    {"Container", "volumeMounts", nullptr, ListKind::kByKey, "mountPath"},
    {"Container", "volumeDevices", nullptr, ListKind::kByKey, "devicePath"},
    {"PodStatus", "conditions", nullptr, ListKind::kByKey, "type"},
    {"PodStatus", "podIPs", nullptr, ListKind::kByKey, "ip"},
    {"PodStatus", "hostIPs", nullptr, ListKind::kByKey, "ip"},
    {"ServiceSpec", "ports", nullptr, ListKind::kByKey, "port"},
    {"NodeSpec", "podCIDRs", nullptr, ListKind::kSet},
    {"NodeStatus", "conditions", nullptr, ListKind::kByKey, "type"},
    {"NodeStatus", "addresses", nullptr, ListKind::kByKey, "type"},
};

const char* TopType(const std::string& resource) {
  static const std::pair<const char*, const char*> kTypes[] = {{"pods", "Pod"},
                                                               {"deployments", "Deployment"},
                                                               {"replicasets", "ReplicaSet"},
                                                               {"jobs", "Job"},
                                                               {"services", "Service"},
                                                               {"configmaps", "ConfigMap"},
                                                               {"namespaces", "Namespace"},
                                                               {"nodes", "Node"},
                                                               {"events", "Event"}};
  for (const auto& [plural, type] : kTypes) {
    if (resource == plural) return type;
  }
  return nullptr;
}

FieldRule Rule(const char* type, const std::string& field) {
  if (type != nullptr) {
    for (const FieldRule& r : kRules) {
      if (field == r.field && std::string(type) == r.type) return r;
    }
  }
  return FieldRule{type, nullptr, nullptr};
}

constexpr char kPatch[] = "$patch";
constexpr char kRetainKeys[] = "$retainKeys";
constexpr char kSetElementOrder[] = "$setElementOrder/";
constexpr char kDeleteFromPrimitiveList[] = "$deleteFromPrimitiveList/";

// Whether list element `e` is the one `key_value` names under `merge_key`.
bool HasKey(const json& e, const std::string& merge_key, const json& key_value) {
  if (!e.is_object()) return false;
  auto it = e.find(merge_key);
  return it != e.end() && *it == key_value;
}

// Puts the elements named in `order` first, in that order; the rest follow as they were.
json Reorder(const json& list, const json& order, const FieldRule& rule) {
  if (!list.is_array() || !order.is_array()) return list;
  std::vector<bool> used(list.size(), false);
  json out = json::array();
  for (const json& o : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (used[i]) continue;
      bool same = rule.list == ListKind::kByKey
                      ? o.is_object() && o.contains(rule.merge_key) &&
                            HasKey(list[i], rule.merge_key, o[rule.merge_key])
                      : list[i] == o;
      if (same) {
        used[i] = true;
        out.push_back(list[i]);
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) out.push_back(list[i]);
  }
  return out;
}

// Strategic merge (directives on) and server-side apply (directives off: "$" keys are plain
// keys and nulls mean "not specified").
class Merger {
 public:
  explicit Merger(bool directives) : directives_(directives) {}

  absl::StatusOr<json> MergeMap(json original, const json& patch, const char* type) const {
    if (!original.is_object()) original = json::object();
    if (directives_) {
      if (auto p = patch.find(kPatch); p != patch.end()) {
        if (*p == "replace") return StripDirectives(patch, type);
        if (*p == "delete") return json::object();
        if (*p != "merge") return UnknownPatchType(*p);
      }
      if (auto keep = patch.find(kRetainKeys); keep != patch.end()) {
        if (!keep->is_array()) {
          return absl::InvalidArgumentError("$retainKeys must be a list of field names");
        }
        json kept = json::object();
        for (const auto& [k, v] : original.items()) {
          for (const json& name : *keep) {
            if (name == k) kept[k] = v;
          }
        }
        original = std::move(kept);
      }
    }
    for (const auto& [k, v] : patch.items()) {
      if (directives_ && absl::StartsWith(k, "$")) {
        RETURN_IF_ERROR(ApplyDirectiveKey(original, patch, k, v, type));
        continue;
      }
      if (v.is_null()) {
        if (directives_) original.erase(k);
        continue;
      }
      FieldRule rule = Rule(type, k);
      auto existing = original.find(k);
      if (v.is_object()) {
        json base = existing != original.end() ? *existing : json::object();
        ASSIGN_OR_RETURN(json merged, MergeMap(std::move(base), v, rule.child_type));
        original[k] = std::move(merged);
      } else if (v.is_array()) {
        json base = existing != original.end() && existing->is_array() ? *existing : json::array();
        const json* order = nullptr;
        if (directives_) {
          auto o = patch.find(kSetElementOrder + k);
          if (o != patch.end()) order = &*o;
        }
        ASSIGN_OR_RETURN(json merged, MergeList(std::move(base), v, rule, order));
        original[k] = std::move(merged);
      } else {
        original[k] = v;
      }
    }
    return original;
  }

 private:
  static absl::Status UnknownPatchType(const json& value) {
    return absl::InvalidArgumentError(
        absl::StrCat("Unknown patch type: ", value.dump(), " in map"));
  }

  // A copy of `value` with the directives of strategic merge removed, at every depth.
  absl::StatusOr<json> StripDirectives(const json& value, const char* type) const {
    json clean = value;
    clean.erase(kPatch);
    return MergeMap(json::object(), clean, type);
  }

  // "$setElementOrder/f" for a list the patch does not change, "$deleteFromPrimitiveList/f";
  // "$patch" and "$retainKeys" were handled before the loop.
  absl::Status ApplyDirectiveKey(json& original, const json& patch, const std::string& k,
                                 const json& v, const char* type) const {
    if (k == kPatch || k == kRetainKeys) return absl::OkStatus();
    if (absl::StartsWith(k, kSetElementOrder)) {
      std::string field = k.substr(sizeof(kSetElementOrder) - 1);
      if (!patch.contains(field) && original.contains(field)) {
        original[field] = Reorder(original[field], v, Rule(type, field));
      }
      return absl::OkStatus();
    }
    if (absl::StartsWith(k, kDeleteFromPrimitiveList)) {
      std::string field = k.substr(sizeof(kDeleteFromPrimitiveList) - 1);
      auto list = original.find(field);
      if (list == original.end() || !list->is_array() || !v.is_array()) return absl::OkStatus();
      json kept = json::array();
      for (const json& e : *list) {
        bool drop = false;
        for (const json& d : v) drop = drop || d == e;
        if (!drop) kept.push_back(e);
      }
      *list = std::move(kept);
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown strategic merge directive: ", k));
  }

  absl::StatusOr<json> MergeList(json original, const json& patch, const FieldRule& rule,
                                 const json* order) const {
    if (rule.list == ListKind::kReplace) {
      if (!directives_) return patch;
      json out = json::array();
      for (const json& e : patch) {
        if (e.is_object()) {
          ASSIGN_OR_RETURN(json clean, StripDirectives(e, rule.child_type));
          out.push_back(std::move(clean));
        } else {
          out.push_back(e);
        }
      }
      return out;
    }
    // {"$patch": "replace"} anywhere in the patch list replaces the whole list.
    if (directives_) {
      for (const json& e : patch) {
        if (e.is_object() && e.value(kPatch, json()) == "replace") {
          json rest = json::array();
          for (const json& other : patch) {
            if (&other != &e) rest.push_back(other);
          }
          return MergeList(json::array(), rest, rule, order);
        }
      }
    }
    if (rule.list == ListKind::kSet) {
      for (const json& e : patch) {
        bool present = false;
        for (const json& o : original) present = present || o == e;
        if (!present) original.push_back(e);
      }
      return order != nullptr ? Reorder(original, *order, rule) : original;
    }
    for (const json& e : patch) {
      if (!e.is_object()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "patch element ", e.dump(), " is not a map, but the list merges by ", rule.merge_key));
      }
      json element = e;
      if (directives_) {
        if (auto p = element.find(kPatch); p != element.end()) {
          if (*p == "delete") {
            auto key = element.find(rule.merge_key);
            if (key == element.end()) return MissingKey(element, rule);
            json kept = json::array();
            for (const json& o : original) {
              if (!HasKey(o, rule.merge_key, *key)) kept.push_back(o);
            }
            original = std::move(kept);
            continue;
          }
          if (*p != "merge") return UnknownPatchType(*p);
          element.erase(kPatch);
        }
      }
      auto key = element.find(rule.merge_key);
      if (key == element.end()) return MissingKey(element, rule);
      bool merged = false;
      for (json& o : original) {
        if (HasKey(o, rule.merge_key, *key)) {
          ASSIGN_OR_RETURN(o, MergeMap(o, element, rule.child_type));
          merged = true;
          break;
        }
      }
      if (!merged) {
        ASSIGN_OR_RETURN(json added, MergeMap(json::object(), element, rule.child_type));
        original.push_back(std::move(added));
      }
    }
    return order != nullptr ? Reorder(original, *order, rule) : original;
  }

  static absl::Status MissingKey(const json& element, const FieldRule& rule) {
    return absl::InvalidArgumentError(absl::StrCat(
        "map: ", element.dump(), " does not contain declared merge key: ", rule.merge_key));
  }

  bool directives_;
};

// ---------------------------------------------------------------------------------------------
// Server-side apply's field sets, in the FieldsV1 form of managedFields: "f:<field>" for a map
// key, "k:<merge key as JSON>" for an element of a keyed list, "v:<value as JSON>" for a member
// of a set, "." for the element itself.

// Fields the server owns or that name the object; apply never records them.
bool Untracked(const char* type, bool top, const std::string& key) {
  if (top && (key == "apiVersion" || key == "kind")) return true;
  return type != nullptr && std::string(type) == "ObjectMeta" &&
         (key == "name" || key == "namespace" || key == "uid" || key == "resourceVersion" ||
          key == "generation" || key == "creationTimestamp" || key == "managedFields");
}

json FieldSet(const json& value, const char* type, bool top) {
  json set = json::object();
  for (const auto& [k, v] : value.items()) {
    if (v.is_null() || Untracked(type, top, k)) continue;
    FieldRule rule = Rule(type, k);
    json child = json::object();
    if (v.is_object()) {
      child = FieldSet(v, rule.child_type, false);
      if (child.empty() && !v.empty()) continue;  // Only untracked fields: metadata.name.
    } else if (v.is_array() && rule.list == ListKind::kByKey) {
      for (const json& e : v) {
        if (!e.is_object() || !e.contains(rule.merge_key)) continue;
        json item = FieldSet(e, rule.child_type, false);
        item["."] = json::object();
        child["k:" + json{{rule.merge_key, e[rule.merge_key]}}.dump()] = std::move(item);
      }
    } else if (v.is_array() && rule.list == ListKind::kSet) {
      for (const json& e : v) child["v:" + e.dump()] = json::object();
    }
    set["f:" + k] = std::move(child);
  }
  return set;
}

// The children at `key` of each of `sets`.
std::vector<const json*> Children(const std::vector<const json*>& sets, const std::string& key) {
  std::vector<const json*> out;
  for (const json* s : sets) {
    auto it = s->find(key);
    if (it != s->end()) out.push_back(&*it);
  }
  return out;
}

// Whether list element `e` is the one a "k:" entry names.
bool MatchesKey(const json& e, const json& key) {
  if (!e.is_object() || !key.is_object()) return false;
  for (const auto& [k, v] : key.items()) {
    auto it = e.find(k);
    if (it == e.end() || *it != v) return false;
  }
  return true;
}

// Removes from `value` what `before` holds and neither `after` nor any of `others` does: the
// fields a manager applied before and has since dropped, unless someone else owns them.
void Prune(json& value, const json& before, const json& after,
           const std::vector<const json*>& others) {
  static const json kEmpty = json::object();
  for (const auto& [key, old_child] : before.items()) {
    if (key == ".") continue;
    auto new_it = after.find(key);
    const json& new_child = new_it != after.end() ? *new_it : kEmpty;
    std::vector<const json*> other_children = Children(others, key);
    bool drop = new_it == after.end() && other_children.empty();
    if (absl::StartsWith(key, "f:") && value.is_object()) {
      auto field = value.find(key.substr(2));
      if (field == value.end()) continue;
      if (drop) {
        value.erase(field);
      } else if (field->is_object() || field->is_array()) {
        Prune(*field, old_child, new_child, other_children);
      }
    } else if ((absl::StartsWith(key, "k:") || absl::StartsWith(key, "v:")) && value.is_array()) {
      // The key comes from stored managedFields, which a client may have written: bounded.
      absl::StatusOr<json> parsed = ParseJsonBounded(key.substr(2), "a managedFields key");
      if (!parsed.ok()) continue;
      const json& id = *parsed;
      bool keyed = key[0] == 'k';
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (keyed ? !MatchesKey(*it, id) : *it != id) continue;
        if (drop) {
          value.erase(it);
        } else if (keyed) {
          Prune(*it, old_child, new_child, other_children);
        }
        break;
      }
    }
  }
}

std::string StringAt(const json& object, const char* a, const char* b = nullptr) {
  const json* v = &object;
  for (const char* part : {a, b}) {
    if (part == nullptr) break;
    if (!v->is_object()) return "";
    auto it = v->find(part);
    if (it == v->end()) return "";
    v = &*it;
  }
  return v->is_string() ? v->get<std::string>() : "";
}

absl::Status CheckIdentity(const json& existing, const json& applied) {
  for (const char* field : {"apiVersion", "kind"}) {
    if (StringAt(applied, field).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, " must be set"));
    }
  }
  if (existing.is_null()) return absl::OkStatus();
  for (const char* field : {"apiVersion", "kind"}) {
    if (StringAt(applied, field) != StringAt(existing, field)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " of the object (", StringAt(applied, field),
                       ") does not match the existing object's (", StringAt(existing, field), ")"));
    }
  }
  std::string name = StringAt(applied, "metadata", "name");
  if (!name.empty() && name != StringAt(existing, "metadata", "name")) {
    return absl::InvalidArgumentError(absl::StrCat("the name of the object (", name,
                                                   ") does not match the name on the URL (",
                                                   StringAt(existing, "metadata", "name"), ")"));
  }
  std::string ns = StringAt(applied, "metadata", "namespace");
  if (!ns.empty() && ns != StringAt(existing, "metadata", "namespace")) {
    return absl::InvalidArgumentError(
        "the namespace of the provided object does not match the namespace sent on the request");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<json> ApplyMergePatch(const json& target, const json& patch) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("merge patch must be a JSON object, got ", patch.type_name()));
  }
  json result = target;
  result.merge_patch(patch);
  return result;
}

absl::StatusOr<json> ApplyStrategicMergePatch(const json& target, const json& patch,
                                              const std::string& resource) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("strategic merge patch must be a JSON object, got ", patch.type_name()));
  }
  return Merger(/*directives=*/true).MergeMap(target, patch, TopType(resource));
}

absl::StatusOr<json> ApplyServerSide(const json& existing, const json& applied,
                                     const std::string& resource, const std::string& field_manager,
                                     const std::string& time_rfc3339) {
  if (!applied.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("apply patch must be an object, got ", applied.type_name()));
  }
  RETURN_IF_ERROR(CheckIdentity(existing, applied));
  const char* type = TopType(resource);
  json config = applied;
  if (config.contains("metadata") && config["metadata"].is_object()) {
    config["metadata"].erase("managedFields");
  }
  json after = FieldSet(config, type, /*top=*/true);

  // The managers' entries as they stand, without this manager's previous apply.
  json entries = json::array();
  json before;
  std::vector<json> other_sets;
  if (existing.is_object()) {
    const json* mf = nullptr;
    if (auto m = existing.find("metadata"); m != existing.end() && m->is_object()) {
      if (auto f = m->find("managedFields"); f != m->end() && f->is_array()) mf = &*f;
    }
    if (mf != nullptr) {
      for (const json& entry : *mf) {
        bool mine = entry.is_object() && entry.value("manager", "") == field_manager &&
                    entry.value("operation", "") == "Apply";
        if (mine) {
          before = entry.value("fieldsV1", json::object());
          continue;
        }
        entries.push_back(entry);
        if (entry.is_object()) other_sets.push_back(entry.value("fieldsV1", json::object()));
      }
    }
  }

  ASSIGN_OR_RETURN(json result, Merger(/*directives=*/false).MergeMap(existing, config, type));
  if (before.is_object()) {
    std::vector<const json*> others;
    for (const json& s : other_sets) others.push_back(&s);
    Prune(result, before, after, others);
  }
  entries.push_back(json{{"manager", field_manager},
                         {"operation", "Apply"},
                         {"apiVersion", StringAt(applied, "apiVersion")},
                         {"time", time_rfc3339},
                         {"fieldsType", "FieldsV1"},
                         {"fieldsV1", std::move(after)}});
  result["metadata"]["managedFields"] = std::move(entries);
  return result;
}

}  // namespace sim
}  // namespace sre_eval
