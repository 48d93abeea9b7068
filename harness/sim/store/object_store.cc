#include "sim/store/object_store.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/store/validation.h"
#include "util/json_limits.h"

namespace sre_eval {
namespace sim {

namespace {

std::string Namespace(const nlohmann::json& object) {
  auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return "";
  auto ns = m->find("namespace");
  return ns != m->end() && ns->is_string() ? ns->get<std::string>() : "";
}

std::string Name(const nlohmann::json& object) {
  auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return "";
  auto n = m->find("name");
  return n != m->end() && n->is_string() ? n->get<std::string>() : "";
}

// The resources whose controllers track metadata.generation (pods, services and namespaces
// have a spec but no generation on a v1.32 server).
bool HasGeneration(const std::string& resource) {
  return resource == "deployments" || resource == "replicasets" || resource == "jobs" ||
         resource == "horizontalpodautoscalers";
}

}  // namespace

std::string ApiTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Time ParseApiTime(const nlohmann::json& value) {
  if (!value.is_string()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &t, &err)) {
    return absl::InfinitePast();
  }
  return t;
}

ObjectStore::ObjectStore(uint64_t seed, absl::Time start) : rng_(seed), now_(start) {}

void ObjectStore::SetNow(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
}

absl::Time ObjectStore::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

std::string ObjectStore::NewUid() {
  // A version-4 UUID from the seeded generator.
  uint64_t a = rng_();
  uint64_t b = rng_();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x4000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF,
                         b >> 48, b & 0xFFFFFFFFFFFFull);
}

std::string ObjectStore::RandomSuffix(size_t n, const char* alphabet) {
  absl::MutexLock lock(&mu_);
  std::string out;
  size_t len = std::char_traits<char>::length(alphabet);
  for (size_t i = 0; i < n; ++i) out.push_back(alphabet[rng_() % len]);
  return out;
}

absl::Status CheckStorable(const std::string& resource, const nlohmann::json& object,
                           size_t* bytes) {
  absl::Status valid =
      CheckJsonValue(object, absl::StrCat(resource, " \"", Name(object), "\" is invalid"));
  if (!valid.ok()) return valid;
  size_t size = JsonDumpSize(object);
  if (size > kMaxObjectBytes) {
    return absl::ResourceExhaustedError("etcdserver: request is too large");
  }
  absl::Status meaning = ValidateObject(resource, object);
  if (!meaning.ok()) return meaning;
  if (bytes != nullptr) *bytes = size;
  return absl::OkStatus();
}

void ObjectStore::set_history_limits(HistoryLimits limits) {
  absl::MutexLock lock(&mu_);
  limits_ = limits;
}

void ObjectStore::Record(const char* type, const std::string& resource,
                         std::shared_ptr<const nlohmann::json> object, size_t bytes) {
  history_.push_back(Entry{resource_version_, type, resource, std::move(object), bytes});
  history_bytes_ += bytes;
  // The newest change always stays, whatever its size.
  while (history_.size() > 1 &&
         (history_.size() > limits_.max_changes || history_bytes_ > limits_.max_bytes)) {
    compacted_ = history_.front().resource_version;
    history_bytes_ -= history_.front().bytes;
    history_.pop_front();
  }
}

absl::StatusOr<nlohmann::json> ObjectStore::Create(const std::string& resource,
                                                   nlohmann::json object) {
  absl::MutexLock lock(&mu_);
  if (!object.is_object()) return absl::InvalidArgumentError("the object is not a JSON object");
  nlohmann::json& meta = object["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  if (!meta.contains("name") || !meta["name"].is_string() ||
      meta["name"].get<std::string>().empty()) {
    if (meta.contains("generateName") && meta["generateName"].is_string()) {
      std::string suffix;
      static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
      for (int i = 0; i < 5; ++i) suffix.push_back(kAlphabet[rng_() % (sizeof(kAlphabet) - 1)]);
      meta["name"] = meta["generateName"].get<std::string>() + suffix;
    } else {
      return absl::InvalidArgumentError("name or generateName is required");
    }
  }
  size_t bytes;
  absl::Status storable = CheckStorable(resource, object, &bytes);
  if (!storable.ok()) return storable;
  Key key{resource, Namespace(object), Name(object)};
  if (objects_.count(key) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(resource, " \"", std::get<2>(key), "\" already exists"));
  }
  ++resource_version_;
  meta["uid"] = NewUid();
  meta["resourceVersion"] = std::to_string(resource_version_);
  if (!meta.contains("creationTimestamp") || meta["creationTimestamp"].is_null()) {
    meta["creationTimestamp"] = ApiTime(now_);
  }
  if (HasGeneration(resource)) meta["generation"] = 1;
  auto stored = std::make_shared<const nlohmann::json>(object);
  objects_[key] = stored;
  Record("ADDED", resource, std::move(stored), bytes + 128);  // + the bookkeeping fields.
  return object;
}

absl::StatusOr<nlohmann::json> ObjectStore::Update(const std::string& resource,
                                                   nlohmann::json object) {
  absl::MutexLock lock(&mu_);
  if (!object.is_object()) return absl::InvalidArgumentError("the object is not a JSON object");
  Key key{resource, Namespace(object), Name(object)};
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return absl::NotFoundError(absl::StrCat(resource, " \"", std::get<2>(key), "\" not found"));
  }
  nlohmann::json& meta = object["metadata"];
  const nlohmann::json& old = *it->second;
  const nlohmann::json& old_meta = old["metadata"];
  if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string() &&
      !meta["resourceVersion"].get<std::string>().empty() &&
      meta["resourceVersion"] != old_meta["resourceVersion"]) {
    return absl::AbortedError(absl::StrCat(
        "Operation cannot be fulfilled on ", resource, " \"", std::get<2>(key),
        "\": the object has been modified; please apply your changes to the latest version "
        "and try again"));
  }
  absl::Status immutable = ValidateUpdate(resource, old, object);
  if (!immutable.ok()) return immutable;
  meta["uid"] = old_meta["uid"];
  meta["creationTimestamp"] = old_meta["creationTimestamp"];
  if (old_meta.contains("generation")) {
    int64_t generation = old_meta["generation"].get<int64_t>();
    auto spec = old.find("spec");
    auto new_spec = object.find("spec");
    bool changed = (spec == old.end()) != (new_spec == object.end()) ||
                   (spec != old.end() && *spec != *new_spec);
    meta["generation"] = changed ? generation + 1 : generation;
  }
  if (object == old) return object;  // No change, no new version (as the real server).
  size_t bytes;
  absl::Status storable = CheckStorable(resource, object, &bytes);
  if (!storable.ok()) return storable;
  ++resource_version_;
  meta["resourceVersion"] = std::to_string(resource_version_);
  auto stored = std::make_shared<const nlohmann::json>(object);
  it->second = stored;
  Record("MODIFIED", resource, std::move(stored), bytes + 16);
  return object;
}

absl::StatusOr<nlohmann::json> ObjectStore::Delete(const std::string& resource,
                                                   const std::string& ns, const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(Key{resource, ns, name});
  if (it == objects_.end()) {
    return absl::NotFoundError(absl::StrCat(resource, " \"", name, "\" not found"));
  }
  nlohmann::json object = *it->second;
  objects_.erase(it);
  ++resource_version_;
  object["metadata"]["resourceVersion"] = std::to_string(resource_version_);
  Record("DELETED", resource, std::make_shared<const nlohmann::json>(object), JsonDumpSize(object));
  return object;
}

absl::StatusOr<nlohmann::json> ObjectStore::Get(const std::string& resource, const std::string& ns,
                                                const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(Key{resource, ns, name});
  if (it == objects_.end()) {
    return absl::NotFoundError(absl::StrCat(resource, " \"", name, "\" not found"));
  }
  return *it->second;
}

std::vector<nlohmann::json> ObjectStore::List(const std::string& resource,
                                              const std::string& ns) const {
  absl::MutexLock lock(&mu_);
  std::vector<nlohmann::json> out;
  for (auto it = objects_.lower_bound(Key{resource, ns, ""});
       it != objects_.end() && std::get<0>(it->first) == resource; ++it) {
    if (!ns.empty() && std::get<1>(it->first) != ns) break;
    out.push_back(*it->second);
  }
  return out;
}

std::vector<std::shared_ptr<const nlohmann::json>> ObjectStore::Snapshot(
    const std::string& resource, const std::string& ns) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const nlohmann::json>> out;
  for (auto it = objects_.lower_bound(Key{resource, ns, ""});
       it != objects_.end() && std::get<0>(it->first) == resource; ++it) {
    if (!ns.empty() && std::get<1>(it->first) != ns) break;
    out.push_back(it->second);
  }
  return out;
}

void ObjectStore::ForEach(const std::string& resource, const std::string& ns,
                          const std::function<void(const nlohmann::json&)>& visit) const {
  absl::MutexLock lock(&mu_);
  for (auto it = objects_.lower_bound(Key{resource, ns, ""});
       it != objects_.end() && std::get<0>(it->first) == resource; ++it) {
    if (!ns.empty() && std::get<1>(it->first) != ns) break;
    visit(*it->second);
  }
}

uint64_t ObjectStore::resource_version() const {
  absl::MutexLock lock(&mu_);
  return resource_version_;
}

absl::StatusOr<std::vector<Change>> ObjectStore::ChangesSince(const std::string& resource,
                                                              uint64_t after,
                                                              absl::Duration timeout,
                                                              uint64_t* seen) const {
  absl::MutexLock lock(&mu_);
  if (after < compacted_) {
    return absl::OutOfRangeError(
        absl::StrCat("too old resource version: ", after, " (", compacted_, ")"));
  }
  struct Newer {
    const uint64_t* version;
    uint64_t after;
    static bool Check(Newer* n) { return *n->version > n->after; }
  } newer{&resource_version_, after};
  mu_.AwaitWithTimeout(absl::Condition(&Newer::Check, &newer), timeout);
  if (seen != nullptr) *seen = std::max(after, resource_version_);
  // The history is in resourceVersion order: start at the first change after `after`.
  auto first = std::upper_bound(history_.begin(), history_.end(), after,
                                [](uint64_t v, const Entry& e) { return v < e.resource_version; });
  std::vector<Change> out;
  for (auto it = first; it != history_.end(); ++it) {
    if (it->resource == resource) {
      out.push_back(Change{it->resource_version, it->type, it->resource, *it->object});
    }
  }
  return out;
}

}  // namespace sim
}  // namespace sre_eval
