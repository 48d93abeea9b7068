// The simulated cluster's objects: a thread-safe store of Kubernetes objects as JSON, with
// the API server's bookkeeping (uid, resourceVersion, generation, creationTimestamp) and a
// history of changes that watches read from.
#ifndef SRE_EVAL_SIM_STORE_OBJECT_STORE_H_
#define SRE_EVAL_SIM_STORE_OBJECT_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// "2026-11-24T10:23:05Z": the form every timestamp of the API takes.
std::string ApiTime(absl::Time t);
// The inverse; nullopt-like InfinitePast for a malformed or missing value.
absl::Time ParseApiTime(const nlohmann::json& value);

// etcd's request limit (--max-request-bytes, 1.5 MiB): no stored object is larger.
constexpr size_t kMaxObjectBytes = 1572864;

// How much change history the store keeps for watches: the newest `max_changes` changes, and
// no more than `max_bytes` of objects (as serialized JSON) in them. A watch from an older
// resourceVersion gets 410 Gone, as from a real server after compaction.
struct HistoryLimits {
  size_t max_changes = 20000;
  size_t max_bytes = size_t{64} << 20;
};

// Whether `object` may be stored: nesting depth at most kMaxJsonDepth and valid UTF-8 in every
// string (InvalidArgument "<resource> \"<name>\" is invalid: ..."), and at most
// kMaxObjectBytes as JSON (ResourceExhausted "etcdserver: request is too large"). On success
// sets *bytes (when given) to its size as JSON.
absl::Status CheckStorable(const std::string& resource, const nlohmann::json& object,
                           size_t* bytes = nullptr);

// One change, as a watch reports it.
struct Change {
  uint64_t resource_version = 0;
  std::string type;      // "ADDED", "MODIFIED", "DELETED".
  std::string resource;  // "pods", "deployments", ... (the plural name, no group).
  nlohmann::json object;
};

class ObjectStore {
 public:
  // Uids come from `seed`; times from `now`, read under the store's lock.
  ObjectStore(uint64_t seed, absl::Time start);

  // The virtual time the store stamps on new objects. Set by the Sim as its clock moves.
  void SetNow(absl::Time now);
  absl::Time Now() const;

  void set_history_limits(HistoryLimits limits);

  // Every write below first checks CheckStorable and returns its error, storing nothing.
  //
  // Stores a new object of `resource` (plural, e.g. "pods"). Fills metadata.uid,
  // resourceVersion and creationTimestamp, and metadata.generation = 1 for deployments,
  // replicasets and jobs (the resources whose controllers report observedGeneration). An object
  // without metadata.name but with generateName gets a name with five random characters.
  // AlreadyExists when the name is taken, InvalidArgument without a name.
  absl::StatusOr<nlohmann::json> Create(const std::string& resource, nlohmann::json object);

  // Replaces an existing object (matched by namespace and name). Keeps uid and
  // creationTimestamp; bumps resourceVersion, and generation when the spec changed.
  // NotFound when absent; Aborted (a conflict) when object carries a resourceVersion that is
  // not the current one.
  absl::StatusOr<nlohmann::json> Update(const std::string& resource, nlohmann::json object);

  // NotFound when absent. Returns the object as it was.
  absl::StatusOr<nlohmann::json> Delete(const std::string& resource, const std::string& ns,
                                        const std::string& name);

  absl::StatusOr<nlohmann::json> Get(const std::string& resource, const std::string& ns,
                                     const std::string& name) const;

  // Every object of `resource` in `ns` ("" for all namespaces), sorted by namespace, name.
  std::vector<nlohmann::json> List(const std::string& resource, const std::string& ns) const;

  // The objects List would return, shared rather than copied: a write to the store later
  // replaces them and leaves these as they were.
  std::vector<std::shared_ptr<const nlohmann::json>> Snapshot(const std::string& resource,
                                                              const std::string& ns) const;

  // Calls `visit` on every object List would return, without copying them, under the store's
  // lock: `visit` must not call the store.
  void ForEach(const std::string& resource, const std::string& ns,
               const std::function<void(const nlohmann::json&)>& visit) const;

  // The resourceVersion of the newest change.
  uint64_t resource_version() const;

  // The changes of `resource` after `after`, waiting up to `timeout` for any change. Sets
  // *seen (when given) to the newest resourceVersion looked at, changes of other resources
  // included, so that a watch resumes from there instead of rescanning them. OutOfRange
  // ("too old resource version") when `after` is older than the history kept.
  absl::StatusOr<std::vector<Change>> ChangesSince(const std::string& resource, uint64_t after,
                                                   absl::Duration timeout,
                                                   uint64_t* seen = nullptr) const;

  // A random lower-case alphanumeric string of `n` characters from the store's generator,
  // as Kubernetes uses in generated names ("front-end-6bd9d4b5c8-x7k2p").
  std::string RandomSuffix(size_t n, const char* alphabet = "bcdfghjklmnpqrstvwxz2456789");

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // resource, ns, name.

  std::string NewUid() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One change kept: the object is shared with objects_ while it is the current version.
  struct Entry {
    uint64_t resource_version;
    const char* type;
    std::string resource;
    std::shared_ptr<const nlohmann::json> object;
    size_t bytes;
  };

  void Record(const char* type, const std::string& resource,
              std::shared_ptr<const nlohmann::json> object, size_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  uint64_t resource_version_ ABSL_GUARDED_BY(mu_) = 1000;
  // Stored objects never change in place: a write replaces the pointer, so a Snapshot stays
  // valid and cheap.
  std::map<Key, std::shared_ptr<const nlohmann::json>> objects_ ABSL_GUARDED_BY(mu_);
  std::deque<Entry> history_ ABSL_GUARDED_BY(mu_);
  size_t history_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  HistoryLimits limits_ ABSL_GUARDED_BY(mu_);
  // The resourceVersion of the newest change dropped from history_ (watches from before it
  // get 410).
  uint64_t compacted_ ABSL_GUARDED_BY(mu_) = 1000;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_STORE_OBJECT_STORE_H_
