#include "sim/shop/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/kube/controllers_internal.h"
#include "sim/store/object_store.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kMi = 1024 * 1024;
constexpr int64_t kPage = 4096;
// metrics-server scrapes every 15 s.
constexpr absl::Duration kResolution = absl::Seconds(15);

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Hash(uint64_t h, const std::string& s) {
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
  return Mix(h ^ s.size());
}

// A number in [0, 1) from `h`.
double Unit(uint64_t h) { return static_cast<double>(h >> 11) / 9007199254740992.0; }

// "carts-db-84b777d9c-wd8g4" -> "carts-db": a Deployment's pod drops the ReplicaSet hash and
// the random suffix.
std::string AppOf(const std::string& pod) {
  std::vector<std::string> parts = absl::StrSplit(pod, '-');
  if (parts.size() < 3) return pod;
  parts.resize(parts.size() - 2);
  return absl::StrJoin(parts, "-");
}

struct Range {
  double cpu_lo, cpu_hi;  // millicores
  double mem_lo, mem_hi;  // MiB
};

Range LevelOf(const std::string& app) {
  if (app == "carts" || app == "orders" || app == "shipping" || app == "queue-master") {
    return {4.5, 6.6, 150, 185};
  }
  if (app == "catalogue-db") return {4.0, 5.5, 160, 185};
  if (app == "front-end") return {4.0, 6.0, 85, 120};
  if (app == "rabbitmq") return {4.5, 6.5, 100, 130};
  if (app == "carts-db" || app == "orders-db" || app == "user-db") return {4.0, 5.5, 70, 100};
  if (app == "catalogue" || app == "payment" || app == "user") return {3.7, 4.5, 55, 70};
  if (app == "session-db") return {3.7, 4.2, 55, 60};
  return {3.7, 6.6, 55, 185};
}

double ShareOf(const std::string& container) {
  if (container == "rabbitmq") return 0.75;
  if (container == "rabbitmq-exporter") return 0.25;
  return 1.0;
}

// A smooth wobble in [-1, 1]: two sines with per-pod periods and phases.
double Wobble(uint64_t h, double seconds, double weight_slow, double weight_fast) {
  double slow_period = 600 + 900 * Unit(Mix(h ^ 1));  // 10-25 min
  double fast_period = 120 + 120 * Unit(Mix(h ^ 2));  // 2-4 min
  return weight_slow * std::sin(2 * kPi * seconds / slow_period + 2 * kPi * Unit(Mix(h ^ 3))) +
         weight_fast * std::sin(2 * kPi * seconds / fast_period + 2 * kPi * Unit(Mix(h ^ 4)));
}

// The last scrape at or before `now` on a 15 s grid shifted per object, and its window
// ("15.029s"): both stable for a given name.
absl::Time ScrapeTime(const std::string& name, absl::Time now) {
  absl::Duration offset = absl::Milliseconds(Hash(7, name) % 15000);
  absl::Duration since = now - (absl::UnixEpoch() + offset);
  return absl::UnixEpoch() + offset + absl::Floor(since, kResolution);
}

std::string Window(const std::string& name) {
  int64_t ms = 15000 + static_cast<int64_t>(Hash(11, name) % 100);
  std::string frac = absl::StrFormat("%03d", ms % 1000);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? absl::StrCat(ms / 1000, "s") : absl::StrCat(ms / 1000, ".", frac, "s");
}

// Canonical DecimalSI text of value * 10^scale (scale a multiple of 3 in [-9, 0]).
std::string DecimalSi(int64_t value, int scale) {
  if (value == 0) return "0";
  if (value < 0) return "-" + DecimalSi(-value, scale);
  static const char* const kSuffixes[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  int index = (scale + 9) / 3;
  while (index < 9 && value % 1000 == 0) {
    value /= 1000;
    ++index;
  }
  return absl::StrCat(value, kSuffixes[index]);
}

nlohmann::json Metadata(const nlohmann::json& object, absl::Time now, bool with_namespace) {
  nlohmann::json meta = nlohmann::json::object();
  const nlohmann::json& m = object.contains("metadata") && object["metadata"].is_object()
                                ? object["metadata"]
                                : nlohmann::json::object();
  meta["name"] = m.value("name", "");
  if (with_namespace) meta["namespace"] = m.value("namespace", "");
  meta["creationTimestamp"] = ApiTime(now);
  if (m.contains("labels") && m["labels"].is_object()) meta["labels"] = m["labels"];
  return meta;
}

nlohmann::json UsageJson(const Usage& u) {
  return {{"cpu", FormatCpu(u.cpu_nanocores)}, {"memory", FormatMemory(u.memory_bytes)}};
}

}  // namespace

Usage BaselineUsage(const std::string& pod, const std::string& container, absl::Time now,
                    uint64_t seed) {
  const Range level = LevelOf(AppOf(pod));
  const uint64_t h = Hash(Mix(seed), pod);
  const double seconds = absl::ToDoubleSeconds(now - absl::UnixEpoch());
  const double cpu_m = (level.cpu_lo + (level.cpu_hi - level.cpu_lo) * Unit(Mix(h ^ 10))) *
                       (1 + Wobble(Mix(h ^ 20), seconds, 0.12, 0.05));
  const double mem_mi = (level.mem_lo + (level.mem_hi - level.mem_lo) * Unit(Mix(h ^ 30))) *
                        (1 + Wobble(Mix(h ^ 40), seconds, 0.03, 0.01));
  const double share = ShareOf(container);
  Usage u;
  u.cpu_nanocores = static_cast<int64_t>(std::llround(cpu_m * share * 1e6));
  u.memory_bytes = static_cast<int64_t>(std::llround(mem_mi * share * kMi / kPage)) * kPage;
  return u;
}

absl::Time PodScrapeTime(const std::string& pod, absl::Time now) { return ScrapeTime(pod, now); }

nlohmann::json PodMetrics(
    const nlohmann::json& pod, absl::Time now, uint64_t seed,
    const std::function<Usage(const std::string& container, absl::Time scraped)>& usage_fn) {
  nlohmann::json meta = Metadata(pod, now, true);
  const std::string name = meta["name"].get<std::string>();
  const absl::Time scraped = ScrapeTime(name, now);
  nlohmann::json containers = nlohmann::json::array();
  if (pod.contains("spec") && pod["spec"].contains("containers") &&
      pod["spec"]["containers"].is_array()) {
    for (const nlohmann::json& c : pod["spec"]["containers"]) {
      const std::string cname = c.value("name", "");
      Usage u = usage_fn ? usage_fn(cname, scraped) : BaselineUsage(name, cname, scraped, seed);
      containers.push_back({{"name", cname}, {"usage", UsageJson(u)}});
    }
  }
  return {{"kind", "PodMetrics"},   {"apiVersion", "metrics.k8s.io/v1beta1"},
          {"metadata", meta},       {"timestamp", ApiTime(scraped)},
          {"window", Window(name)}, {"containers", containers}};
}

nlohmann::json NodeMetrics(const nlohmann::json& node, absl::Time now, Usage total) {
  nlohmann::json meta = Metadata(node, now, false);
  const std::string name = meta["name"].get<std::string>();
  return {{"kind", "NodeMetrics"},  {"apiVersion", "metrics.k8s.io/v1beta1"},
          {"metadata", meta},       {"timestamp", ApiTime(ScrapeTime(name, now))},
          {"window", Window(name)}, {"usage", UsageJson(total)}};
}

nlohmann::json StatsSummary(
    const nlohmann::json& node, const std::vector<nlohmann::json>& pods, absl::Time now,
    const std::function<Usage(const nlohmann::json& pod, const std::string& container)>& usage) {
  using internal::At;
  using internal::json;
  using internal::Str;
  auto bytes_of = [&](const json& quantity) -> int64_t {
    std::optional<long double> millis = QuantityMillis(Str(quantity));
    return millis.has_value() ? static_cast<int64_t>(*millis / 1000) : 0;
  };
  const std::string node_name = Str(At(node, {"metadata", "name"}));
  const std::string stamp = ApiTime(now);
  auto cpu_json = [&](int64_t nanocores, absl::Time started) {
    int64_t uptime = std::max<int64_t>(0, absl::ToInt64Seconds(now - started));
    return json{{"time", stamp},
                {"usageNanoCores", nanocores},
                {"usageCoreNanoSeconds", nanocores * uptime}};
  };
  auto memory_json = [&](int64_t working_set, int64_t limit) {
    json m = {{"time", stamp}};
    if (limit > 0) m["availableBytes"] = std::max<int64_t>(0, limit - working_set);
    m["usageBytes"] = working_set;
    m["workingSetBytes"] = working_set;
    m["rssBytes"] = working_set;
    m["pageFaults"] = 0;
    m["majorPageFaults"] = 0;
    return m;
  };
  Usage node_total = kNodeDaemons;
  json pod_list = json::array();
  for (const json& pod : pods) {
    if (Str(At(pod, {"spec", "nodeName"})) != node_name ||
        Str(At(pod, {"status", "phase"})) != "Running") {
      continue;
    }
    const absl::Time pod_started = ParseApiTime(At(pod, {"status", "startTime"}));
    Usage pod_total;
    int64_t pod_limit = 0;
    json containers = json::array();
    const json& specs = At(pod, {"spec", "containers"});
    for (const json& c : specs.is_array() ? specs : json::array()) {
      const std::string name = Str(At(c, {"name"}));
      absl::Time started = pod_started;
      const json& statuses = At(pod, {"status", "containerStatuses"});
      for (const json& cs : statuses.is_array() ? statuses : json::array()) {
        if (Str(At(cs, {"name"})) != name) continue;
        absl::Time t = ParseApiTime(At(cs, {"state", "running", "startedAt"}));
        if (t != absl::InfinitePast()) started = t;
      }
      Usage u = usage(pod, name);
      int64_t limit = bytes_of(At(c, {"resources", "limits", "memory"}));
      pod_total.cpu_nanocores += u.cpu_nanocores;
      pod_total.memory_bytes += u.memory_bytes;
      pod_limit = pod_limit >= 0 && limit > 0 ? pod_limit + limit : -1;
      containers.push_back({{"name", name},
                            {"startTime", ApiTime(started)},
                            {"cpu", cpu_json(u.cpu_nanocores, started)},
                            {"memory", memory_json(u.memory_bytes, limit)}});
    }
    node_total.cpu_nanocores += pod_total.cpu_nanocores;
    node_total.memory_bytes += pod_total.memory_bytes;
    pod_list.push_back(
        {{"podRef",
          {{"name", Str(At(pod, {"metadata", "name"}))},
           {"namespace", Str(At(pod, {"metadata", "namespace"}))},
           {"uid", Str(At(pod, {"metadata", "uid"}))}}},
         {"startTime", ApiTime(pod_started)},
         {"containers", containers},
         {"cpu", cpu_json(pod_total.cpu_nanocores, pod_started)},
         {"memory", memory_json(pod_total.memory_bytes, std::max<int64_t>(0, pod_limit))},
         {"process_stats", {{"process_count", containers.size()}}}});
  }
  const absl::Time node_started = ParseApiTime(At(node, {"metadata", "creationTimestamp"}));
  return {{"node",
           {{"nodeName", node_name},
            {"startTime", ApiTime(node_started)},
            {"cpu", cpu_json(node_total.cpu_nanocores, node_started)},
            {"memory", memory_json(node_total.memory_bytes,
                                   bytes_of(At(node, {"status", "allocatable", "memory"})))}}},
          {"pods", pod_list}};
}

std::string FormatCpu(int64_t nanocores) { return DecimalSi(nanocores, -9); }

std::string FormatMemory(int64_t bytes) {
  // Like resource.Quantity: below 1024 (and for non-multiples) the DecimalSI/plain form.
  if (std::llabs(bytes) < 1024) return DecimalSi(bytes, 0);
  if (bytes < 0) return "-" + FormatMemory(-bytes);
  static const char* const kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  int index = 0;
  while (index < 6 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++index;
  }
  return absl::StrCat(bytes, kSuffixes[index]);
}

}  // namespace sim
}  // namespace sre_eval
