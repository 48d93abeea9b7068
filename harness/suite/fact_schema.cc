#include "suite/fact_schema.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "util/edit_distance.h"

namespace sre_eval {

absl::string_view FactTypeName(FactType type) {
  switch (type) {
    case FactType::kInteger:
      return "integer";
    case FactType::kNumber:
      return "number";
    case FactType::kString:
      return "string";
    case FactType::kBool:
      return "bool";
    case FactType::kTime:
      return "time";
    case FactType::kDuration:
      return "duration";
    case FactType::kMoney:
      return "money";
    case FactType::kQuantity:
      return "quantity";
    case FactType::kList:
      return "list";
  }
  return "?";
}

const FieldSpec* FactSpec::FindField(absl::string_view field) const {
  for (const FieldSpec& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

namespace {

using T = FactType;

std::vector<FactSpec> BuildFacts() {
  return {
      // The incident window.
      {"incident.id", T::kString,
       "Id of the incident definition that was run (crash, latency, payment)."},
      {"window.start", T::kTime, "When the incident's first trigger step was applied."},
      {"window.end", T::kTime,
       "When the trigger stopped acting: the load generator finished or was deleted, or the "
       "breaking change was restored."},
      {"window.recovered", T::kTime,
       "First time after window.end at which every deployment in the namespace had all its "
       "replicas ready again."},
      {"window.duration", T::kDuration, "window.end minus window.start."},

      // Restarts and OOM kills.
      {"restarts.total", T::kInteger,
       "Container restarts in the namespace between window.start and window.recovered: the "
       "sum over containers of the increase in restartCount."},
      {"restarts.by_container",
       T::kList,
       "Containers that restarted in the window, most restarts first, then by pod name.",
       {{"pod", T::kString, "Pod name."},
        {"container", T::kString, "Container name."},
        {"restarts", T::kInteger, "Increase in restartCount within the window."}},
       true},
      {"oom_kills.count", T::kInteger,
       "Container terminations with reason OOMKilled in the window, each counted once even when "
       "several happen between two samples."},
      {"oom_kills",
       T::kList,
       "Every OOMKilled termination in the window, in time order.",
       {{"pod", T::kString, "Pod name."},
        {"container", T::kString, "Container name."},
        {"time", T::kTime, "finishedAt of the terminated state."}},
       true},
      {"crashloop.periods",
       T::kList,
       "Spans during which a container waited in CrashLoopBackOff, in start order.",
       {{"pod", T::kString, "Pod name."},
        {"container", T::kString, "Container name."},
        {"start", T::kTime, "First sample showing the waiting reason CrashLoopBackOff."},
        {"end", T::kTime, "First sample after start showing the container running again."}},
       true},

      // Resources.
      {"limits",
       T::kList,
       "Resource limits of every container in the namespace's deployments.",
       {{"deployment", T::kString, "Deployment name."},
        {"container", T::kString, "Container name."},
        {"cpu", T::kQuantity, "CPU limit."},
        {"memory", T::kQuantity, "Memory limit."}}},
      {"frontend.memory_limit", T::kQuantity, "Memory limit of the front-end container."},
      {"frontend.cpu_limit", T::kQuantity, "CPU limit of the front-end container."},
      {"peak_usage",
       T::kList,
       "Highest CPU and memory each pod's container showed in the metrics during the window.",
       {{"pod", T::kString, "Pod name."},
        {"container", T::kString, "Container name."},
        {"cpu_millicores", T::kInteger, "Peak CPU in millicores."},
        {"memory_mib", T::kInteger, "Peak memory working set in MiB."},
        {"cpu_pct_of_limit", T::kNumber, "Peak CPU as a percentage of the CPU limit."},
        {"memory_pct_of_limit", T::kNumber, "Peak memory as a percentage of the memory limit."},
        {"cpu_millicores_median", T::kInteger,
         "Sustained CPU in millicores: the median of the samples in the window (a peak can be "
         "one sample; this is the level a reader of the metrics sees held).",
         true},
        {"cpu_pct_of_limit_median", T::kNumber,
         "cpu_millicores_median as a percentage of the CPU limit.", true},
        {"memory_mib_median", T::kInteger,
         "Sustained memory working set in MiB: the median of the samples in the window.", true},
        {"memory_pct_of_limit_median", T::kNumber,
         "memory_mib_median as a percentage of the memory limit.", true}}},

      // Load, from the Locust summary.
      {"load.users", T::kInteger, "Simulated users the load generator ran (Locust -u)."},
      {"load.spawn_rate", T::kNumber, "Users started per second (Locust -r)."},
      {"load.duration", T::kDuration, "Configured run time of the load (Locust -t)."},
      {"load.requests", T::kInteger, "Requests in the Locust summary's Aggregated row."},
      {"load.failures", T::kInteger, "Failures in the Locust summary's Aggregated row."},
      {"load.failure_pct", T::kNumber, "load.failures as a percentage of load.requests."},
      {"latency.p50_ms", T::kInteger, "Median response time of the Aggregated row, in ms."},
      {"latency.p95_ms", T::kInteger,
       "95th percentile response time of the Aggregated row, in ms."},
      {"latency.p99_ms", T::kInteger,
       "99th percentile response time of the Aggregated row, in ms."},
      {"latency.baseline_p95_ms", T::kInteger,
       "95th percentile response time of a short probe load before window.start, in ms."},

      // Payment.
      {"payment.replicas_before", T::kInteger, "payment's spec.replicas before the first step."},
      {"payment.replicas_during", T::kInteger,
       "Lowest number of ready payment replicas seen during the window."},
      {"payment.order_ids_available", T::kBool,
       "Whether the orders service stored failed checkouts (the guide's modified orders); "
       "false against upstream Sock Shop, which saves nothing on a payment failure."},
      {"payment.failed_checkouts", T::kInteger,
       "Checkout requests (POST /orders) that failed in the window, from the Locust stats."},
      {"payment.failed_order_count", T::kInteger,
       "Orders in status PAYMENT_FAILED created within the window."},
      {"payment.failed_orders",
       T::kList,
       "Every order in status PAYMENT_FAILED created within the window, in creation order.",
       {{"id", T::kString, "Order id (a MongoDB ObjectId, 24 hex digits)."},
        {"customer", T::kString, "customerId of the order."},
        {"amount", T::kMoney, "Order total in US dollars."},
        {"time", T::kTime, "Order creation time."}},
       true},

      // Logs.
      {"logs.slow_query", T::kInteger, "Log lines containing \"slow query\" in the window."},
      {"logs.connection_pool_exhausted", T::kInteger,
       "Log lines containing \"connection pool exhausted\" in the window."},
      {"logs.connection_refused", T::kInteger,
       "Log lines containing \"Connection refused\" (any case) in the window."},
      {"logs.by_service",
       T::kList,
       "Counts of the notable log lines per service and pattern, services in name order.",
       {{"service", T::kString, "Deployment name."},
        {"pattern", T::kString,
         "One of: slow query, connection pool exhausted, connection refused."},
        {"count", T::kInteger, "Matching lines in the window."}}},
  };
}

}  // namespace

const std::vector<FactSpec>& AllFacts() {
  static const std::vector<FactSpec>* facts = new std::vector<FactSpec>(BuildFacts());
  return *facts;
}

const FactSpec* FindFact(absl::string_view name) {
  for (const FactSpec& f : AllFacts()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> FactNames() {
  std::vector<std::string> names;
  for (const FactSpec& f : AllFacts()) names.push_back(f.name);
  return names;
}

namespace {

// "" when `v` is a valid value of `type`, else what was expected.
std::string TypeProblem(FactType type, const nlohmann::json& v) {
  absl::Time t;
  std::string err;
  switch (type) {
    case FactType::kInteger:
      return v.is_number_integer() ? "" : "an integer";
    case FactType::kNumber:
    case FactType::kDuration:
    case FactType::kMoney:
      return v.is_number() ? "" : "a number";
    case FactType::kString:
    case FactType::kQuantity:
      return v.is_string() ? "" : "a string";
    case FactType::kBool:
      return v.is_boolean() ? "" : "a boolean";
    case FactType::kTime:
      return v.is_string() && absl::ParseTime(absl::RFC3339_full, v.get<std::string>(), &t, &err)
                 ? ""
                 : "an RFC 3339 time";
    case FactType::kList:
      return v.is_array() ? "" : "a list";
  }
  return "?";
}

}  // namespace

std::vector<std::string> CheckFactValues(const nlohmann::json& facts) {
  std::vector<std::string> problems;
  if (!facts.is_object()) return {"facts must be a JSON object"};
  for (const auto& [name, value] : facts.items()) {  // nlohmann orders keys.
    const FactSpec* spec = FindFact(name);
    if (spec == nullptr) {
      problems.push_back(absl::StrCat("unknown fact '", name, "'", DidYouMean(name, FactNames())));
      continue;
    }
    if (std::string want = TypeProblem(spec->type, value); !want.empty()) {
      problems.push_back(
          absl::StrCat("fact '", name, "': expected ", want, ", got ", value.dump()));
      continue;
    }
    if (spec->type != FactType::kList) continue;
    for (size_t i = 0; i < value.size(); ++i) {
      const nlohmann::json& item = value[i];
      if (!item.is_object()) {
        problems.push_back(absl::StrCat("fact '", name, "' item ", i, ": expected an object"));
        continue;
      }
      for (const FieldSpec& field : spec->fields) {
        if (!item.contains(field.name)) {
          if (field.optional) continue;
          problems.push_back(
              absl::StrCat("fact '", name, "' item ", i, ": missing field '", field.name, "'"));
        } else if (std::string want = TypeProblem(field.type, item[field.name]); !want.empty()) {
          problems.push_back(absl::StrCat("fact '", name, "' item ", i, " field '", field.name,
                                          "': expected ", want, ", got ", item[field.name].dump()));
        }
      }
      for (const auto& [key, unused] : item.items()) {
        if (spec->FindField(key) == nullptr) {
          problems.push_back(
              absl::StrCat("fact '", name, "' item ", i, ": unknown field '", key, "'"));
        }
      }
    }
  }
  return problems;
}

std::string FactSchemaMarkdown() {
  std::string out = "| fact | type | definition |\n|---|---|---|\n";
  for (const FactSpec& f : AllFacts()) {
    absl::string_view how = "";
    if (f.type == FactType::kList) {
      how = f.ordered ? " Select an item by position (`[0]`) or by a text field (`[field=value]`)."
                      : " Select an item by a text field (`[field=value]`): its order is not "
                        "defined.";
    }
    absl::StrAppend(&out, "| `", f.name, "` | ", FactTypeName(f.type), " | ", f.definition, how,
                    " |\n");
    absl::string_view item = f.ordered ? "[i]." : "[field=value].";
    for (const FieldSpec& field : f.fields) {
      absl::StrAppend(&out, "| `", f.name, item, field.name, "` | ", FactTypeName(field.type),
                      " | ", field.definition, " |\n");
    }
  }
  return out;
}

}  // namespace sre_eval
