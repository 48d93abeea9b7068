#include "incident/truth_extractor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "incident/locust_summary.h"

namespace sre_eval {
namespace incident {

namespace {

using nlohmann::json;
using Key = std::pair<std::string, std::string>;  // (pod, container)

std::string FactTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Time WholeSeconds(absl::Time t) { return absl::FromUnixSeconds(absl::ToUnixSeconds(t)); }

// Rounded to 1/per_unit: RoundTo(29.991, 100) is 29.99 (the double nearest to it).
double RoundTo(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }

// A number as JSON: an integer when it is one, so "-r 100" gives 100, not 100.0.
json NumberJson(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return static_cast<int64_t>(v);
  return v;
}

// ---- Quantities (local: the cluster layer's parsers belong to another module) ----

std::optional<double> ParseDecimal(absl::string_view s) {
  double v = 0;
  if (s.empty() || !absl::SimpleAtod(s, &v) || v < 0) return std::nullopt;
  return v;
}

std::optional<int64_t> CpuMillicores(absl::string_view q) {
  struct Suffix {
    const char* text;
    double millis;
  };
  static constexpr Suffix kSuffixes[] = {{"n", 1e-6}, {"u", 1e-3}, {"m", 1}};
  for (const Suffix& s : kSuffixes) {
    if (absl::EndsWith(q, s.text)) {
      std::optional<double> v = ParseDecimal(q.substr(0, q.size() - 1));
      if (!v) return std::nullopt;
      return static_cast<int64_t>(std::floor(*v * s.millis + 0.5));
    }
  }
  std::optional<double> v = ParseDecimal(q);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(std::floor(*v * 1000 + 0.5));
}

std::optional<int64_t> MemoryBytes(absl::string_view q) {
  struct Suffix {
    const char* text;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12}};
  for (const Suffix& s : kSuffixes) {
    if (absl::EndsWith(q, s.text)) {
      std::optional<double> v = ParseDecimal(q.substr(0, q.size() - strlen(s.text)));
      if (!v) return std::nullopt;
      return static_cast<int64_t>(std::floor(*v * s.factor + 0.5));
    }
  }
  std::optional<double> v = ParseDecimal(q);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(std::floor(*v + 0.5));
}

// ---- Lookups ----

// The deployment a pod belongs to: its ReplicaSet owner without the "-<hash>" suffix, or its
// "name" label.
std::string DeploymentOf(const cluster::Pod& pod) {
  if (pod.owner_kind == "ReplicaSet") {
    size_t dash = pod.owner_name.rfind('-');
    if (dash != std::string::npos && dash > 0) return pod.owner_name.substr(0, dash);
  }
  auto it = pod.labels.find("name");
  return it == pod.labels.end() ? "" : it->second;
}

const Mark* FindMark(const Timeline& t, absl::string_view name) {
  for (const Mark& m : t.marks) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// The newest job_log of `role`, or nullptr.
const JobLogRecord* FindJobLog(const Timeline& t, absl::string_view role) {
  const JobLogRecord* found = nullptr;
  for (const JobLogRecord& r : t.job_logs) {
    if (r.role == role) found = &r;
  }
  return found;
}

// The Job `name` as the last sample that listed it showed it.
const cluster::Job* LastJob(const Timeline& t, absl::string_view name) {
  for (auto s = t.samples.rbegin(); s != t.samples.rend(); ++s) {
    for (const cluster::Job& job : s->snapshot.jobs) {
      if (job.name == name) return &job;
    }
  }
  return nullptr;
}

// Locust's --run-time: "300", "300s", "20m", "1h30m".
std::optional<int64_t> RunTimeSeconds(absl::string_view text) {
  int64_t plain = 0;
  if (absl::SimpleAtoi(text, &plain)) return plain;
  int64_t total = 0, number = 0;
  bool digits = false;
  for (char c : text) {
    if (absl::ascii_isdigit(c)) {
      number = number * 10 + (c - '0');
      digits = true;
      continue;
    }
    if (!digits) return std::nullopt;
    if (c == 'h') {
      total += number * 3600;
    } else if (c == 'm') {
      total += number * 60;
    } else if (c == 's') {
      total += number;
    } else {
      return std::nullopt;
    }
    number = 0;
    digits = false;
  }
  if (digits) return std::nullopt;
  return total;
}

// The value of a Locust option ("-u 10", "--users 10", "--users=10") in a Job's args.
std::optional<std::string> ArgValue(const std::vector<std::string>& args,
                                    absl::string_view short_flag, absl::string_view long_flag) {
  std::optional<std::string> value;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == short_flag || a == long_flag) && i + 1 < args.size()) {
      value = args[++i];
    } else if (absl::StartsWith(a, absl::StrCat(long_flag, "="))) {
      value = a.substr(long_flag.size() + 1);
    }
  }
  return value;
}

// Order creation times as the orders service writes them: "2026-11-24T10:23:05.123+0000".
std::optional<absl::Time> ParseOrderDate(const json& v) {
  if (v.is_number()) return absl::FromUnixMillis(v.get<int64_t>());
  if (!v.is_string()) return std::nullopt;
  absl::Time t;
  std::string err;
  const std::string text = v.get<std::string>();
  for (const char* format : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d%ET%H:%M:%E*S%z"}) {
    if (absl::ParseTime(format, text, &t, &err)) return t;
  }
  return std::nullopt;
}

// ---- The extractor ----

class Extractor {
 public:
  explicit Extractor(const Timeline& t) : t_(t) {}

  absl::StatusOr<json> Run();

 private:
  bool InWindow(absl::Time t) const { return t >= start_ && t <= range_end_; }
  void Window();
  void Restarts();
  void OomKills();
  void CrashLoops();
  void Limits();
  void PeakUsage();
  void Load();
  void Payment();
  void Logs();

  const Timeline& t_;
  json facts_ = json::object();
  json notes_ = json::array();
  absl::Time start_, end_, range_end_;
  std::optional<LocustSummary> load_report_;
};

void Extractor::Window() {
  start_ = FindMark(t_, "window.start")->time;
  range_end_ = t_.samples.back().time;
  facts_["window.start"] = FactTime(start_);
  end_ = range_end_;
  if (const Mark* end = FindMark(t_, "window.end")) {
    end_ = end->time;
    if (!end->job.empty()) {
      const cluster::Job* job = LastJob(t_, end->job);
      if (job != nullptr && job->finished_at != absl::InfinitePast()) end_ = job->finished_at;
    }
    facts_["window.end"] = FactTime(end_);
    facts_["window.duration"] = absl::ToInt64Seconds(WholeSeconds(end_) - WholeSeconds(start_));
  } else {
    notes_.push_back("no window.end mark: window.end and window.duration are left out");
  }
  if (const Mark* recovered = FindMark(t_, "window.recovered")) {
    range_end_ = recovered->time;
    facts_["window.recovered"] = FactTime(range_end_);
  } else {
    notes_.push_back(absl::StrCat("no window.recovered mark: counts run to the last sample at ",
                                  FactTime(range_end_)));
  }
}

void Extractor::Restarts() {
  std::map<Key, int> before, highest;
  std::set<std::string> pods_before;
  for (const Sample& s : t_.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) {
      for (const cluster::ContainerStatus& c : pod.containers) {
        Key key{pod.name, c.name};
        if (s.time <= start_) {  // the state at the trigger's instant is the baseline
          before[key] = c.restart_count;
        } else if (InWindow(s.time)) {
          highest[key] = std::max(highest[key], c.restart_count);
        }
      }
    }
  }
  struct Row {
    std::string pod, container;
    int restarts;
  };
  std::vector<Row> rows;
  int total = 0;
  for (const auto& [key, count] : highest) {
    auto it = before.find(key);
    int rise = count - (it == before.end() ? 0 : it->second);
    if (rise <= 0) continue;
    rows.push_back({key.first, key.second, rise});
    total += rise;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.restarts > b.restarts;  // rows come in (pod, container) order
  });
  json list = json::array();
  for (const Row& r : rows) {
    list.push_back({{"pod", r.pod}, {"container", r.container}, {"restarts", r.restarts}});
  }
  facts_["restarts.total"] = total;
  facts_["restarts.by_container"] = std::move(list);
}

void Extractor::OomKills() {
  // Every termination seen, per container, to tell the hidden ones from those on record.
  std::map<Key, std::set<absl::Time>> seen;
  std::set<std::tuple<absl::Time, std::string, std::string>> kills;
  for (const Sample& s : t_.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) {
      for (const cluster::ContainerStatus& c : pod.containers) {
        for (const auto* term : {&c.terminated, &c.last_terminated}) {
          if (!term->has_value() || (*term)->finished_at == absl::InfinitePast()) continue;
          seen[{pod.name, c.name}].insert((*term)->finished_at);
          if ((*term)->reason == "OOMKilled" && InWindow((*term)->finished_at)) {
            kills.insert({(*term)->finished_at, pod.name, c.name});
          }
        }
      }
    }
  }
  int hidden_total = 0;
  // Consecutive observations of each container: a restartCount that rose by k counts k
  // terminations; those not on record were hidden between the two samples.
  struct Seen {
    absl::Time time;
    const cluster::ContainerStatus* status;
  };
  std::map<Key, Seen> last;
  for (const Sample& s : t_.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) {
      for (const cluster::ContainerStatus& c : pod.containers) {
        Key key{pod.name, c.name};
        auto it = last.find(key);
        const cluster::ContainerStatus* prev = it == last.end() ? nullptr : it->second.status;
        absl::Time prev_time = it == last.end() ? absl::InfinitePast() : it->second.time;
        last[key] = {s.time, &c};
        int prev_count = prev == nullptr ? 0 : prev->restart_count;
        int rise = c.restart_count - prev_count;
        // A first look at or before window.start is the baseline: what came before it is not
        // the incident's.
        if (prev == nullptr && s.time <= start_) continue;
        if (rise <= 1 || !InWindow(s.time) || !c.last_terminated ||
            c.last_terminated->reason != "OOMKilled" ||
            c.last_terminated->finished_at == absl::InfinitePast()) {
          continue;
        }
        // Terminations on record after the one the earlier sample already counted.
        absl::Time after = prev != nullptr && prev->last_terminated
                               ? prev->last_terminated->finished_at
                               : absl::InfinitePast();
        int known = 0;
        for (absl::Time finished : seen[key]) {
          if (finished > after && finished <= c.last_terminated->finished_at) ++known;
        }
        int hidden = rise - known;
        if (hidden <= 0) continue;
        hidden_total += hidden;
        notes_.push_back(
            absl::StrCat("oom_kills.count includes ", hidden, " OOMKilled termination(s) of ",
                         pod.name, "/", c.name, " not seen by any sample: restartCount rose from ",
                         prev_count, " to ", c.restart_count, " between ",
                         prev == nullptr ? "the pod's creation" : FactTime(prev_time), " and ",
                         FactTime(s.time), " and only the newest termination (OOMKilled at ",
                         FactTime(c.last_terminated->finished_at), ") was visible"));
      }
    }
  }
  json list = json::array();
  for (const auto& [time, pod, container] : kills) {
    list.push_back({{"pod", pod}, {"container", container}, {"time", FactTime(time)}});
  }
  facts_["oom_kills.count"] = static_cast<int>(kills.size()) + hidden_total;
  facts_["oom_kills"] = std::move(list);
}

void Extractor::CrashLoops() {
  struct Open {
    absl::Time start;
    int restart_count;
  };
  std::map<Key, Open> open;
  std::vector<std::tuple<absl::Time, std::string, std::string, absl::Time>> periods;
  auto close = [&](const Key& key, absl::Time end) {
    const Open& o = open.at(key);
    periods.emplace_back(o.start, key.first, key.second, std::max(end, o.start));
    open.erase(key);
  };
  for (const Sample& s : t_.samples) {
    if (!InWindow(s.time)) continue;
    for (const cluster::Pod& pod : s.snapshot.pods) {
      for (const cluster::ContainerStatus& c : pod.containers) {
        Key key{pod.name, c.name};
        bool backoff = c.state == "waiting" && c.waiting_reason == "CrashLoopBackOff";
        auto it = open.find(key);
        if (it != open.end()) {
          // The container ran again: seen running, seen terminated, or back in back-off with a
          // higher count (the run in between is the newest lastState).
          auto known = [&](absl::Time t) { return t != absl::InfinitePast() ? t : s.time; };
          if (c.state == "running") {
            close(key, known(c.running_since));
          } else if (c.state == "terminated" && c.terminated) {
            close(key, known(c.terminated->started_at));
          } else if (backoff && c.restart_count > it->second.restart_count) {
            close(key, c.last_terminated ? known(c.last_terminated->started_at) : s.time);
          }
        }
        if (backoff && open.find(key) == open.end()) open[key] = {s.time, c.restart_count};
      }
    }
  }
  while (!open.empty()) close(open.begin()->first, range_end_);
  std::sort(periods.begin(), periods.end());
  json list = json::array();
  for (const auto& [start, pod, container, end] : periods) {
    list.push_back({{"pod", pod},
                    {"container", container},
                    {"start", FactTime(start)},
                    {"end", FactTime(end)}});
  }
  facts_["crashloop.periods"] = std::move(list);
}

void Extractor::Limits() {
  // The deployments as the first sample of the window shows them: the limits in force.
  const Sample* sample = &t_.samples.back();
  for (const Sample& s : t_.samples) {
    if (s.time >= start_ && !s.snapshot.deployments.empty()) {
      sample = &s;
      break;
    }
  }
  std::vector<cluster::Deployment> deployments = sample->snapshot.deployments;
  std::sort(deployments.begin(), deployments.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  json list = json::array();
  for (const cluster::Deployment& d : deployments) {
    for (const cluster::ContainerResources& c : d.containers) {
      if (c.cpu_limit.empty() && c.memory_limit.empty()) continue;
      list.push_back({{"deployment", d.name},
                      {"container", c.name},
                      {"cpu", c.cpu_limit},
                      {"memory", c.memory_limit}});
      if (d.name == "front-end" && c.name == "front-end") {
        if (!c.memory_limit.empty()) facts_["frontend.memory_limit"] = c.memory_limit;
        if (!c.cpu_limit.empty()) facts_["frontend.cpu_limit"] = c.cpu_limit;
      }
    }
  }
  facts_["limits"] = std::move(list);
}

void Extractor::PeakUsage() {
  struct Usage {
    std::vector<int64_t> cpus, memories;  // Every sample in the window: peaks and medians.
  };
  std::map<Key, Usage> usage;
  std::map<Key, cluster::ContainerResources> limits;
  bool any_metrics = false;
  for (const Sample& s : t_.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) {
      for (const cluster::ContainerResources& r : pod.resources) limits[{pod.name, r.name}] = r;
    }
    for (const cluster::PodMetrics& m : s.snapshot.metrics) {
      any_metrics = true;
      if (!InWindow(m.timestamp)) continue;
      for (const cluster::ContainerUsage& u : m.containers) {
        Usage& p = usage[{m.pod, u.name}];
        p.cpus.push_back(u.cpu_millicores);
        p.memories.push_back(u.memory_bytes);
      }
    }
  }
  if (!any_metrics) {
    notes_.push_back("no pod metrics in the timeline: peak_usage is left out");
    return;
  }
  auto percent = [](int64_t used, const std::optional<int64_t>& limit) {
    if (!limit || *limit <= 0) return json(0.0);
    return json(RoundTo(100.0 * static_cast<double>(used) / *limit, 10));
  };
  json list = json::array();
  for (const auto& [key, samples] : usage) {
    std::optional<int64_t> cpu_limit, memory_limit;
    if (auto it = limits.find(key); it != limits.end()) {
      cpu_limit = CpuMillicores(it->second.cpu_limit);
      memory_limit = MemoryBytes(it->second.memory_limit);
    }
    int64_t cpu_peak = *std::max_element(samples.cpus.begin(), samples.cpus.end());
    int64_t memory_peak = *std::max_element(samples.memories.begin(), samples.memories.end());
    json pct_cpu = percent(cpu_peak, cpu_limit);
    json pct_memory = percent(memory_peak, memory_limit);
    // The lower median: a value some sample showed.
    auto median = [](std::vector<int64_t> v) {
      std::nth_element(v.begin(), v.begin() + (v.size() - 1) / 2, v.end());
      return v[(v.size() - 1) / 2];
    };
    int64_t cpu_median = median(samples.cpus);
    int64_t memory_median = median(samples.memories);
    auto mib = [](int64_t bytes) { return (bytes + (int64_t{1} << 19)) >> 20; };
    list.push_back({{"pod", key.first},
                    {"container", key.second},
                    {"cpu_millicores", cpu_peak},
                    {"memory_mib", mib(memory_peak)},
                    {"cpu_pct_of_limit", pct_cpu},
                    {"memory_pct_of_limit", pct_memory},
                    {"cpu_millicores_median", cpu_median},
                    {"cpu_pct_of_limit_median", percent(cpu_median, cpu_limit)},
                    {"memory_mib_median", mib(memory_median)},
                    {"memory_pct_of_limit_median", percent(memory_median, memory_limit)}});
  }
  facts_["peak_usage"] = std::move(list);
}

void Extractor::Load() {
  const JobLogRecord* load = FindJobLog(t_, "load");
  if (load != nullptr) {
    if (const cluster::Job* job = LastJob(t_, load->job)) {
      double number = 0;
      int64_t users = 0;
      if (auto v = ArgValue(job->args, "-u", "--users"); v && absl::SimpleAtoi(*v, &users)) {
        facts_["load.users"] = users;
      }
      if (auto v = ArgValue(job->args, "-r", "--spawn-rate"); v && absl::SimpleAtod(*v, &number)) {
        facts_["load.spawn_rate"] = NumberJson(number);
      }
      if (auto v = ArgValue(job->args, "-t", "--run-time")) {
        if (std::optional<int64_t> seconds = RunTimeSeconds(*v)) facts_["load.duration"] = *seconds;
      }
    }
    absl::StatusOr<LocustSummary> report = ParseLocustSummary(load->text);
    if (report.ok()) {
      load_report_ = *report;
      const LocustRequestRow& agg = report->aggregated;
      facts_["load.requests"] = agg.requests;
      facts_["load.failures"] = agg.failures;
      facts_["load.failure_pct"] =
          agg.requests == 0
              ? json(0.0)
              : json(RoundTo(100.0 * static_cast<double>(agg.failures) / agg.requests, 100));
      const auto& p = report->aggregated_percentiles.percentiles;
      for (const auto& [column, fact] :
           {std::pair<const char*, const char*>{"50%", "latency.p50_ms"},
            {"95%", "latency.p95_ms"},
            {"99%", "latency.p99_ms"}}) {
        if (auto it = p.find(column); it != p.end()) facts_[fact] = it->second;
      }
    } else {
      notes_.push_back(
          absl::StrCat("load report of job ", load->job, ": ", report.status().message()));
    }
  }
  if (const JobLogRecord* baseline = FindJobLog(t_, "baseline")) {
    absl::StatusOr<LocustSummary> report = ParseLocustSummary(baseline->text);
    if (report.ok()) {
      const auto& p = report->aggregated_percentiles.percentiles;
      if (auto it = p.find("95%"); it != p.end()) facts_["latency.baseline_p95_ms"] = it->second;
    } else {
      notes_.push_back(
          absl::StrCat("baseline report of job ", baseline->job, ": ", report.status().message()));
    }
  }
}

void Extractor::Payment() {
  auto saved = t_.saved_replicas.find("payment");
  if (saved == t_.saved_replicas.end()) return;
  facts_["payment.replicas_before"] = saved->second;
  std::optional<int> lowest;
  for (const Sample& s : t_.samples) {
    if (s.time < start_ || s.time > end_) continue;
    for (const cluster::Deployment& d : s.snapshot.deployments) {
      if (d.name == "payment")
        lowest = std::min(lowest.value_or(d.ready_replicas), d.ready_replicas);
    }
  }
  if (lowest) facts_["payment.replicas_during"] = *lowest;
  if (load_report_) {
    const LocustRequestRow* row = load_report_->Find("POST", "/orders");
    facts_["payment.failed_checkouts"] = row == nullptr ? 0 : row->failures;
  }
  const ProbeRecord* probe = nullptr;
  for (const ProbeRecord& p : t_.probes) {
    if (p.name == "orders") probe = &p;
  }
  if (probe == nullptr || !probe->data.is_array()) {
    notes_.push_back("no orders probe: payment.failed_orders is left out");
    return;
  }
  const absl::Time until = end_ + absl::Seconds(60);
  std::vector<std::tuple<absl::Time, std::string, json>> orders;
  for (const json& order : probe->data) {
    if (!order.is_object() || order.value("status", json()) != "PAYMENT_FAILED") continue;
    std::optional<absl::Time> created = ParseOrderDate(order.value("date", json()));
    if (!created || *created < start_ || *created > until) continue;
    std::string id;
    if (order.contains("id") && order["id"].is_string()) {
      id = order["id"].get<std::string>();
    } else {
      // Upstream Sock Shop's HAL form: the id is the last segment of _links.self.href.
      const json* href = &order;
      for (const char* key : {"_links", "self", "href"}) {
        auto it = href->is_object() ? href->find(key) : href->end();
        href = it == href->end() ? nullptr : &*it;
        if (href == nullptr) break;
      }
      if (href != nullptr && href->is_string()) {
        std::string h = href->get<std::string>();
        id = h.substr(h.rfind('/') + 1);
      }
    }
    json customer = order.value("customerId", json(""));
    json total = order.value("total", json(0));
    orders.emplace_back(
        *created, id,
        json{{"id", id},
             {"customer", customer.is_string() ? customer : json("")},
             {"amount", total.is_number() ? RoundTo(total.get<double>(), 100) : 0.0},
             {"time", FactTime(*created)}});
  }
  std::sort(orders.begin(), orders.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  json list = json::array();
  for (auto& o : orders) list.push_back(std::move(std::get<2>(o)));
  facts_["payment.order_ids_available"] = !list.empty();
  facts_["payment.failed_order_count"] = static_cast<int>(list.size());
  facts_["payment.failed_orders"] = std::move(list);
  if (orders.empty()) {
    notes_.push_back(
        "the orders service stored no PAYMENT_FAILED order in the window (upstream Sock Shop "
        "saves nothing on a payment failure): order ids are unavailable");
  }
}

void Extractor::Logs() {
  if (t_.logs.empty()) {
    notes_.push_back("no container logs in the timeline: logs.* are left out");
    return;
  }
  static const std::pair<const char*, const char*> kPatterns[] = {
      {"slow query", "logs.slow_query"},
      {"connection pool exhausted", "logs.connection_pool_exhausted"},
      {"connection refused", "logs.connection_refused"}};
  std::map<std::string, std::string> deployment_of;
  for (const Sample& s : t_.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) deployment_of[pod.name] = DeploymentOf(pod);
  }
  std::map<std::string, std::vector<int64_t>> by_service;
  std::vector<int64_t> totals(3, 0);
  for (const LogRecord& r : t_.logs) {
    std::string service = r.deployment.empty() ? deployment_of[r.pod] : r.deployment;
    if (service.empty()) service = r.pod;
    for (absl::string_view text : absl::StrSplit(r.text, '\n')) {
      const std::string line = absl::AsciiStrToLower(text);
      for (size_t i = 0; i < 3; ++i) {
        if (!absl::StrContains(line, kPatterns[i].first)) continue;
        ++totals[i];
        auto& counts = by_service[service];
        counts.resize(3, 0);
        ++counts[i];
      }
    }
  }
  json list = json::array();
  for (const auto& [service, counts] : by_service) {
    for (size_t i = 0; i < 3; ++i) {
      if (counts[i] == 0) continue;
      list.push_back({{"service", service}, {"pattern", kPatterns[i].first}, {"count", counts[i]}});
    }
  }
  for (size_t i = 0; i < 3; ++i) facts_[kPatterns[i].second] = totals[i];
  facts_["logs.by_service"] = std::move(list);
}

absl::StatusOr<json> Extractor::Run() {
  if (FindMark(t_, "window.start") == nullptr) {
    return absl::FailedPreconditionError("the timeline has no window.start mark");
  }
  if (t_.samples.empty()) return absl::FailedPreconditionError("the timeline has no sample");
  facts_["incident.id"] = t_.incident;
  Window();
  Restarts();
  OomKills();
  CrashLoops();
  Limits();
  PeakUsage();
  Load();
  Payment();
  Logs();
  if (t_.interrupted) notes_.push_back("the run was interrupted: the timeline may be incomplete");
  return json{{"schema_version", kTruthSchemaVersion},
              {"incident", t_.incident},
              {"environment", t_.environment},
              {"facts", std::move(facts_)},
              {"notes", std::move(notes_)}};
}

}  // namespace

absl::StatusOr<nlohmann::json> ExtractTruth(const Timeline& timeline) {
  return Extractor(timeline).Run();
}

}  // namespace incident
}  // namespace sre_eval
