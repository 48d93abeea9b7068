#include "sim/api/request_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace sre_eval {
namespace sim {
namespace {

// A label value as the text format escapes it: backslash, double quote and new line.
std::string Escape(const std::string& v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

void RequestMetrics::Count(const RequestLabels& labels) {
  absl::MutexLock lock(&mu_);
  ++requests_[labels];
}

std::string RequestMetrics::Text(const std::vector<std::pair<std::string, int64_t>>& stored) const {
  std::string out =
      "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for "
      "each verb, dry run value, group, version, resource, scope, component, and HTTP response "
      "code.\n# TYPE apiserver_request_total counter\n";
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [l, n] : requests_) {
      absl::StrAppend(&out, "apiserver_request_total{code=\"", Escape(l.code),
                      "\",component=\"apiserver\",dry_run=\"", l.dry_run ? "All" : "",
                      "\",group=\"", Escape(l.group), "\",resource=\"", Escape(l.resource),
                      "\",scope=\"", Escape(l.scope), "\",subresource=\"", Escape(l.subresource),
                      "\",verb=\"", Escape(l.verb), "\",version=\"", Escape(l.version), "\"} ", n,
                      "\n");
    }
  }
  absl::StrAppend(&out,
                  "# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time "
                  "of last check split by kind. In case of a fetching error, the value will be "
                  "-1.\n# TYPE apiserver_storage_objects gauge\n");
  std::vector<std::pair<std::string, int64_t>> sorted = stored;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [resource, n] : sorted) {
    absl::StrAppend(&out, "apiserver_storage_objects{resource=\"", Escape(resource), "\"} ", n,
                    "\n");
  }
  return out;
}

}  // namespace sim
}  // namespace sre_eval
