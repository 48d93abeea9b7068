// Server-side printing: the meta.k8s.io/v1 Table a kube-apiserver (v1.32) returns when a
// client sends `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, as `kubectl get` does.
//
// The column definitions (name, type, format, priority) and the cell values follow
// kubernetes pkg/printers/internalversion/printers.go. As on the real server, every column and
// every cell is sent (the server prints "wide"); kubectl hides priority > 0 columns unless
// `-o wide`. Also as on the real server, a few cells are numbers although their column says
// "string" (deployment Up-to-date/Available, configmap Data, event Count).
//
// All functions are pure and thread-safe; nothing here reads a clock.
#ifndef SRE_EVAL_SIM_API_TABLE_H_
#define SRE_EVAL_SIM_API_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// The ?includeObject= query parameter; kubectl's default is Metadata.
enum class IncludeObject { kNone, kMetadata, kObject };

// Parses "None"/"Metadata"/"Object" (empty -> kMetadata); InvalidArgument otherwise.
absl::StatusOr<IncludeObject> ParseIncludeObject(const std::string& value);

// Whether `resource` (plural: pods, deployments, replicasets, jobs, events, services, nodes,
// configmaps, namespaces) has its own columns. Others get the generic server's "Name" and
// "Created At" (type date, an RFC3339 cell).
bool HasTableColumns(const std::string& resource);

// The Table for `items` (full objects as the API returns them) of `resource`, at virtual time
// `now`. list_resource_version goes into metadata.resourceVersion. Each row is
// {"cells":[...], "object": ...} where object is per `include`: null for kNone, a
// PartialObjectMetadata {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
// "metadata":{...}} for kMetadata, the object itself for kObject. Pods in phase Succeeded or
// Failed also carry the row condition "Completed", as on the real server. Missing fields are
// read as their zero value; never fails.
nlohmann::json MakeTable(const std::string& resource, const std::vector<nlohmann::json>& items,
                         absl::Time now, const std::string& list_resource_version,
                         IncludeObject include);

// Human age as kubectl prints it (k8s.io/apimachinery/pkg/util/duration HumanDuration):
// "0s", "45s", "119s", "5m2s", "10m", "179m", "3h4m", "8h", "2d3h", "8d", "400d", "2y30d",
// "8y". Slightly negative durations (> -2s) print "0s", more negative ones "<invalid>".
// absl::InfiniteDuration() (the age of a missing timestamp, now - InfinitePast) prints
// "<unknown>".
std::string HumanDuration(absl::Duration d);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_TABLE_H_
