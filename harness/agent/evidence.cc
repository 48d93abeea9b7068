#include "agent/evidence.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cluster/types.h"
#include "incident/locust_summary.h"

namespace sre_eval {
namespace agent {
namespace {

using incident::Sample;
using incident::Timeline;
using nlohmann::json;

// Log lines worth showing, matched case-insensitively.
constexpr absl::string_view kNotable[] = {"error",      "exception",      "refused", "reset",
                                          "slow query", "pool exhausted", "oom",     "killed",
                                          "timeout",    "timed out"};
constexpr size_t kLogHead = 3;  // notable lines shown from the start of a container's log
constexpr size_t kLogTail = 3;  // and from its end
constexpr size_t kMaxLineBytes = 300;

struct Section {
  std::string title;
  std::vector<std::string> lines;
};

std::string Time(absl::Time t) {
  if (t == absl::InfinitePast()) return "-";
  return cluster::FormatApiTime(t);
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// Rows padded into columns three spaces apart, as kubectl prints tables.
std::vector<std::string> Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 3, ' ');
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// The window as the marks give it. `range_end` bounds what counts as "in the window":
// window.recovered, else the last sample.
struct Window {
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();  // window.end, else range_end
  absl::Time range_end = absl::InfiniteFuture();
  bool In(absl::Time t) const { return t >= start && t <= range_end; }
};

const incident::Mark* FindMark(const Timeline& t, absl::string_view name) {
  for (const incident::Mark& m : t.marks) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Window WindowOf(const Timeline& t) {
  Window w;
  if (const incident::Mark* m = FindMark(t, "window.start")) {
    w.start = m->time;
  } else if (!t.samples.empty()) {
    w.start = t.samples.front().time;
  }
  if (!t.samples.empty()) w.range_end = t.samples.back().time;
  if (const incident::Mark* m = FindMark(t, "window.recovered")) w.range_end = m->time;
  w.end = w.range_end;
  if (const incident::Mark* m = FindMark(t, "window.end")) w.end = m->time;
  return w;
}

// The samples that describe the window: the last one at or before its start (the state it
// started from), then those up to range_end.
std::vector<const Sample*> WindowSamples(const Timeline& t, const Window& w) {
  std::vector<const Sample*> out;
  const Sample* before = nullptr;
  for (const Sample& s : t.samples) {
    if (s.time <= w.start) {
      before = &s;
    } else if (s.time <= w.range_end) {
      out.push_back(&s);
    }
  }
  if (before != nullptr) out.insert(out.begin(), before);
  return out;
}

const Sample* NearestSample(const Timeline& t, absl::Time at) {
  const Sample* best = nullptr;
  absl::Duration best_distance = absl::InfiniteDuration();
  for (const Sample& s : t.samples) {
    absl::Duration d = absl::AbsDuration(s.time - at);
    if (d < best_distance) {
      best = &s;
      best_distance = d;
    }
  }
  return best;
}

// The STATUS column of `kubectl get pods`.
std::string ContainerStatusText(const cluster::ContainerStatus& c) {
  if (c.state == "waiting") return c.waiting_reason.empty() ? "Waiting" : c.waiting_reason;
  if (c.state == "terminated") {
    if (c.terminated && !c.terminated->reason.empty()) return c.terminated->reason;
    return absl::StrCat("ExitCode:", c.terminated ? c.terminated->exit_code : 0);
  }
  if (c.state == "running") return "Running";
  return "";
}

std::string PodStatusText(const cluster::Pod& pod) {
  if (pod.deleting) return "Terminating";
  for (const cluster::ContainerStatus& c : pod.containers) {
    if (c.state == "waiting" || c.state == "terminated") return ContainerStatusText(c);
  }
  return pod.phase.empty() ? "Unknown" : pod.phase;
}

std::string TerminationText(const cluster::Termination& t) {
  return absl::StrCat("Terminated, Reason: ", OrDash(t.reason), ", Exit Code: ", t.exit_code,
                      ", Started: ", Time(t.started_at), ", Finished: ", Time(t.finished_at));
}

std::vector<std::string> SortedPodsLines(const Sample& sample) {
  std::vector<const cluster::Pod*> pods;
  for (const cluster::Pod& p : sample.snapshot.pods) pods.push_back(&p);
  std::sort(pods.begin(), pods.end(),
            [](const cluster::Pod* a, const cluster::Pod* b) { return a->name < b->name; });
  std::vector<std::vector<std::string>> rows = {{"NAME", "READY", "STATUS", "RESTARTS"}};
  for (const cluster::Pod* p : pods) {
    int ready = 0, restarts = 0;
    for (const cluster::ContainerStatus& c : p->containers) {
      ready += c.ready ? 1 : 0;
      restarts += c.restart_count;
    }
    size_t total = std::max(p->containers.size(), p->resources.size());
    rows.push_back(
        {p->name, absl::StrCat(ready, "/", total), PodStatusText(*p), absl::StrCat(restarts)});
  }
  return Table(rows);
}

Section WindowSection(const Timeline& t) {
  Section s{"Window", {}};
  std::vector<std::vector<std::string>> rows;
  for (const char* name : {"window.start", "window.end", "window.recovered"}) {
    const incident::Mark* m = FindMark(t, name);
    rows.push_back({name, m == nullptr ? "(no mark)" : Time(m->time)});
  }
  s.lines = Table(rows);
  return s;
}

Section PodsSection(const Timeline& t, const Window& w) {
  Section s{"Pods", {}};
  const Sample* at = NearestSample(t, w.end);
  if (at == nullptr) {
    s.lines.push_back("no sample was recorded");
    return s;
  }
  s.lines.push_back(
      absl::StrCat("kubectl get pods at ", Time(at->time), " (the sample nearest window.end):"));
  for (std::string& line : SortedPodsLines(*at)) s.lines.push_back(std::move(line));

  // Per container, what successive looks in the window showed.
  struct Seen {
    std::vector<std::pair<absl::Time, int>> restarts;                       // changes only
    std::vector<std::pair<absl::Time, std::string>> statuses;               // changes only
    std::vector<std::pair<absl::Time, cluster::Termination>> terminations;  // distinct
  };
  std::map<std::pair<std::string, std::string>, Seen> seen;
  for (const Sample* sample : WindowSamples(t, w)) {
    for (const cluster::Pod& p : sample->snapshot.pods) {
      for (const cluster::ContainerStatus& c : p.containers) {
        Seen& e = seen[{p.name, c.name}];
        if (e.restarts.empty() || e.restarts.back().second != c.restart_count)
          e.restarts.emplace_back(sample->time, c.restart_count);
        std::string status = ContainerStatusText(c);
        if (e.statuses.empty() || e.statuses.back().second != status)
          e.statuses.emplace_back(sample->time, status);
        for (const std::optional<cluster::Termination>* term :
             {&c.last_terminated, &c.terminated}) {
          if (!term->has_value()) continue;
          bool known = false;
          for (const auto& [unused, old] : e.terminations) known = known || old == **term;
          if (!known) e.terminations.emplace_back(sample->time, **term);
        }
      }
    }
  }
  for (const auto& [key, e] : seen) {
    bool restarted = false;
    for (const auto& [unused, count] : e.restarts) restarted = restarted || count > 0;
    if (!restarted) continue;
    s.lines.push_back("");
    s.lines.push_back(absl::StrCat("Container ", key.second, " of pod ", key.first, ":"));
    std::vector<std::string> parts;
    for (const auto& [time, count] : e.restarts)
      parts.push_back(absl::StrCat(count, " at ", Time(time)));
    s.lines.push_back(absl::StrCat("  restartCount: ", absl::StrJoin(parts, ", ")));
    parts.clear();
    for (const auto& [time, status] : e.statuses)
      parts.push_back(absl::StrCat(status, " at ", Time(time)));
    s.lines.push_back(absl::StrCat("  status: ", absl::StrJoin(parts, ", ")));
    for (const auto& [time, term] : e.terminations) {
      s.lines.push_back(
          absl::StrCat("  Last State (seen at ", Time(time), "): ", TerminationText(term)));
    }
  }
  return s;
}

std::string Limits(const std::vector<cluster::ContainerResources>& containers,
                   std::string cluster::ContainerResources::*field) {
  if (containers.size() == 1) return OrDash(containers[0].*field);
  std::vector<std::string> parts;
  for (const cluster::ContainerResources& c : containers) {
    parts.push_back(absl::StrCat(c.name, ":", OrDash(c.*field)));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ",");
}

Section DeploymentsSection(const Timeline& t, const Window& w) {
  Section s{"Deployments", {}};
  const Sample* at = NearestSample(t, w.end);
  if (at == nullptr) {
    s.lines.push_back("no sample was recorded");
    return s;
  }
  std::vector<const cluster::Deployment*> deps;
  for (const cluster::Deployment& d : at->snapshot.deployments) deps.push_back(&d);
  std::sort(
      deps.begin(), deps.end(),
      [](const cluster::Deployment* a, const cluster::Deployment* b) { return a->name < b->name; });
  s.lines.push_back(absl::StrCat("kubectl get deployments at ", Time(at->time), ":"));
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "CPU LIMIT", "MEMORY LIMIT"}};
  for (const cluster::Deployment* d : deps) {
    rows.push_back({d->name, absl::StrCat(d->ready_replicas, "/", d->replicas),
                    absl::StrCat(d->updated_replicas), absl::StrCat(d->available_replicas),
                    Limits(d->containers, &cluster::ContainerResources::cpu_limit),
                    Limits(d->containers, &cluster::ContainerResources::memory_limit)});
  }
  for (std::string& line : Table(rows)) s.lines.push_back(std::move(line));

  // READY as successive looks showed it, for deployments where it changed.
  std::map<std::string, std::vector<std::pair<absl::Time, std::string>>> ready;
  for (const Sample* sample : WindowSamples(t, w)) {
    for (const cluster::Deployment& d : sample->snapshot.deployments) {
      auto& v = ready[d.name];
      std::string r = absl::StrCat(d.ready_replicas, "/", d.replicas);
      if (v.empty() || v.back().second != r) v.emplace_back(sample->time, r);
    }
  }
  for (const auto& [name, v] : ready) {
    if (v.size() < 2) continue;
    std::vector<std::string> parts;
    for (const auto& [time, r] : v) parts.push_back(absl::StrCat(r, " at ", Time(time)));
    s.lines.push_back(absl::StrCat("READY of ", name, ": ", absl::StrJoin(parts, ", ")));
  }
  return s;
}

Section UsageSection(const Timeline& t, const Window& w) {
  Section s{"Resource usage", {}};
  struct Peak {
    int64_t cpu = -1, memory = -1;
    absl::Time cpu_at, memory_at;
  };
  std::map<std::pair<std::string, std::string>, Peak> peaks;
  std::map<std::pair<std::string, std::string>, cluster::ContainerResources> limits;
  for (const Sample& sample : t.samples) {
    for (const cluster::Pod& p : sample.snapshot.pods) {
      for (const cluster::ContainerResources& r : p.resources) limits[{p.name, r.name}] = r;
    }
    for (const cluster::PodMetrics& m : sample.snapshot.metrics) {
      if (!w.In(m.timestamp)) continue;
      for (const cluster::ContainerUsage& u : m.containers) {
        Peak& p = peaks[{m.pod, u.name}];
        if (u.cpu_millicores > p.cpu) p.cpu = u.cpu_millicores, p.cpu_at = m.timestamp;
        if (u.memory_bytes > p.memory) p.memory = u.memory_bytes, p.memory_at = m.timestamp;
      }
    }
  }
  if (peaks.empty()) {
    s.lines.push_back("no pod metrics were recorded between window.start and window.recovered");
    return s;
  }
  s.lines.push_back(
      "kubectl top pod --containers, highest seen between window.start and window.recovered:");
  std::vector<std::vector<std::string>> rows = {
      {"POD", "NAME", "CPU(cores)", "AT", "MEMORY(bytes)", "AT", "CPU LIMIT", "MEMORY LIMIT"}};
  for (const auto& [key, p] : peaks) {
    const cluster::ContainerResources& r = limits[key];
    rows.push_back({key.first, key.second, absl::StrCat(p.cpu, "m"), Time(p.cpu_at),
                    absl::StrCat(p.memory / (1024 * 1024), "Mi"), Time(p.memory_at),
                    OrDash(r.cpu_limit), OrDash(r.memory_limit)});
  }
  for (std::string& line : Table(rows)) s.lines.push_back(std::move(line));
  return s;
}

Section EventsSection(const Timeline& t, const Window& w) {
  Section s{"Warning events", {}};
  // Per (reason, object): per event name its latest state; counts add up over names.
  struct Group {
    std::map<std::string, cluster::Event> by_name;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Group> groups;
  for (const Sample& sample : t.samples) {
    for (const cluster::Event& e : sample.snapshot.events) {
      if (e.type != "Warning" || !w.In(e.last_time)) continue;
      Group& g = groups[{e.reason, e.object_kind, e.object_name}];
      auto it = g.by_name.find(e.name);
      if (it == g.by_name.end() || e.last_time > it->second.last_time ||
          (e.last_time == it->second.last_time && e.count > it->second.count)) {
        g.by_name[e.name] = e;
      }
    }
  }
  if (groups.empty()) {
    s.lines.push_back("no Warning events between window.start and window.recovered");
    return s;
  }
  struct Row {
    absl::Time last;
    std::string reason, object, message;
    int count = 0;
  };
  std::vector<Row> rows;
  for (const auto& [key, g] : groups) {
    Row row;
    row.reason = std::get<0>(key);
    row.object = absl::StrCat(absl::AsciiStrToLower(std::get<1>(key)), "/", std::get<2>(key));
    row.last = absl::InfinitePast();
    for (const auto& [name, e] : g.by_name) {
      row.count += e.count;
      if (e.last_time >= row.last) row.last = e.last_time, row.message = e.message;
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(b.last, a.reason, a.object) < std::tie(a.last, b.reason, b.object);
  });
  s.lines.push_back("kubectl get events --field-selector type=Warning, newest first:");
  std::vector<std::vector<std::string>> table = {
      {"LAST SEEN", "REASON", "OBJECT", "COUNT", "MESSAGE"}};
  for (const Row& r : rows) {
    table.push_back({Time(r.last), r.reason, r.object, absl::StrCat(r.count), r.message});
  }
  for (std::string& line : Table(table)) s.lines.push_back(std::move(line));
  return s;
}

std::string Percent(int64_t part, int64_t whole) {
  return absl::StrFormat("%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
}

std::string RowName(const std::string& method, const std::string& name) {
  return method.empty() ? name : absl::StrCat(method, " ", name);
}

std::string PercentilesText(const std::map<std::string, int64_t>& percentiles) {
  std::vector<std::pair<double, std::string>> ordered;
  for (const auto& [label, ms] : percentiles) {
    double value = 0;
    absl::SimpleAtod(absl::StripSuffix(label, "%"), &value);
    ordered.emplace_back(value, absl::StrCat(label, " ", ms, " ms"));
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> parts;
  for (auto& [unused, text] : ordered) parts.push_back(std::move(text));
  return absl::StrJoin(parts, ", ");
}

const cluster::Job* LastJob(const Timeline& t, const std::string& name) {
  const cluster::Job* found = nullptr;
  for (const Sample& s : t.samples) {
    for (const cluster::Job& j : s.snapshot.jobs) {
      if (j.name == name) found = &j;
    }
  }
  return found;
}

Section LoadSection(const Timeline& t) {
  Section s{"Load test", {}};
  if (t.job_logs.empty()) {
    s.lines.push_back("no load generator logs were recorded");
    return s;
  }
  for (const incident::JobLogRecord& r : t.job_logs) {
    if (!s.lines.empty()) s.lines.push_back("");
    s.lines.push_back(
        absl::StrCat("### Job ", r.job, " (role ", r.role, ", log read at ", Time(r.time), ")"));
    if (const cluster::Job* job = LastJob(t, r.job)) {
      s.lines.push_back(absl::StrCat("args: ", absl::StrJoin(job->args, " ")));
      s.lines.push_back(absl::StrCat("started ", Time(job->start_time), ", finished ",
                                     Time(job->finished_at), ", outcome ", OrDash(job->outcome)));
    }
    absl::StatusOr<incident::LocustSummary> report = incident::ParseLocustSummary(r.text);
    if (!report.ok()) {
      s.lines.push_back(absl::StrCat("Locust report: ", report.status().message()));
      continue;
    }
    const incident::LocustRequestRow& a = report->aggregated;
    s.lines.push_back(absl::StrFormat(
        "Aggregated: %d requests, %d failures (%s), avg %d ms, min %d ms, max %d ms, median %d "
        "ms, %.2f req/s, %.2f failures/s",
        a.requests, a.failures, Percent(a.failures, a.requests), a.avg_ms, a.min_ms, a.max_ms,
        a.median_ms, a.rps, a.failures_per_s));
    s.lines.push_back(absl::StrCat("Aggregated percentiles: ",
                                   PercentilesText(report->aggregated_percentiles.percentiles)));
    s.lines.push_back("Requests:");
    std::vector<std::vector<std::string>> rows = {
        {"  TYPE NAME", "# REQS", "# FAILS", "AVG", "MED", "MAX", "95%", "99%"}};
    for (const incident::LocustRequestRow& row : report->requests) {
      std::string p95 = "-", p99 = "-";
      for (const incident::LocustPercentileRow& p : report->percentiles) {
        if (p.method != row.method || p.name != row.name) continue;
        if (auto it = p.percentiles.find("95%"); it != p.percentiles.end())
          p95 = absl::StrCat(it->second);
        if (auto it = p.percentiles.find("99%"); it != p.percentiles.end())
          p99 = absl::StrCat(it->second);
      }
      rows.push_back({absl::StrCat("  ", RowName(row.method, row.name)), absl::StrCat(row.requests),
                      absl::StrCat(row.failures, "(", Percent(row.failures, row.requests), ")"),
                      absl::StrCat(row.avg_ms), absl::StrCat(row.median_ms),
                      absl::StrCat(row.max_ms), p95, p99});
    }
    for (std::string& line : Table(rows)) s.lines.push_back(std::move(line));
    if (report->errors.empty()) {
      s.lines.push_back("Error report: empty");
    } else {
      s.lines.push_back("Error report:");
      for (const incident::LocustError& e : report->errors) {
        s.lines.push_back(absl::StrCat("  ", e.occurrences, "  ", e.error));
      }
    }
  }
  return s;
}

std::optional<absl::Time> OrderDate(const json& v) {
  if (v.is_number_integer()) return absl::FromUnixMillis(v.get<int64_t>());
  if (!v.is_string()) return std::nullopt;
  absl::Time t;
  std::string err;
  for (const char* format : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d%ET%H:%M:%E*S%z"}) {
    if (absl::ParseTime(format, v.get<std::string>(), &t, &err)) return t;
  }
  return std::nullopt;
}

std::string Raw(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// An order's id, or for upstream Sock Shop's HAL form the last segment of _links.self.href.
std::string OrderId(const json& order) {
  if (order.contains("id") && order["id"].is_string()) return order["id"].get<std::string>();
  const json* v = &order;
  for (const char* key : {"_links", "self", "href"}) {
    if (!v->is_object() || !v->contains(key)) return "-";
    v = &(*v)[key];
  }
  if (!v->is_string()) return "-";
  std::string href = v->get<std::string>();
  return href.substr(href.rfind('/') + 1);
}

Section OrdersSection(const Timeline& t, const Window& w) {
  Section s{"Orders", {}};
  const incident::ProbeRecord* probe = nullptr;
  for (const incident::ProbeRecord& p : t.probes) {
    if (p.name == "orders") probe = &p;
  }
  if (probe == nullptr || !probe->data.is_array()) {
    s.lines.push_back("no orders were read from the orders API");
    return s;
  }
  std::map<std::string, int> by_status;
  std::vector<std::tuple<absl::Time, std::string, const json*>> failed;
  int in_window = 0;
  for (const json& order : probe->data) {
    if (!order.is_object()) continue;
    std::optional<absl::Time> created = OrderDate(order.value("date", json()));
    if (!created || !w.In(*created)) continue;
    ++in_window;
    const json status = order.value("status", json());
    const std::string text = status.is_string() ? status.get<std::string>() : "(no status)";
    ++by_status[text];
    if (text == "PAYMENT_FAILED") failed.emplace_back(*created, OrderId(order), &order);
  }
  s.lines.push_back(absl::StrCat("GET /orders at ", Time(probe->time), ": ", probe->data.size(),
                                 " in total, ", in_window,
                                 " created between window.start and window.recovered"));
  if (!by_status.empty()) {
    std::vector<std::vector<std::string>> rows = {{"  STATUS", "COUNT"}};
    for (const auto& [status, count] : by_status) {
      rows.push_back({absl::StrCat("  ", status), absl::StrCat(count)});
    }
    for (std::string& line : Table(rows)) s.lines.push_back(std::move(line));
  }
  if (failed.empty()) {
    s.lines.push_back("PAYMENT_FAILED orders in the window: none");
    return s;
  }
  std::sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  s.lines.push_back("PAYMENT_FAILED orders in the window, oldest first:");
  std::vector<std::vector<std::string>> rows = {{"  ID", "CUSTOMER", "TOTAL", "DATE"}};
  for (const auto& [created, id, order] : failed) {
    rows.push_back({absl::StrCat("  ", id), Raw(order->value("customerId", json())),
                    Raw(order->value("total", json())), Raw(order->value("date", json()))});
  }
  for (std::string& line : Table(rows)) s.lines.push_back(std::move(line));
  return s;
}

bool Notable(absl::string_view line) {
  const std::string lower = absl::AsciiStrToLower(line);
  for (absl::string_view p : kNotable) {
    if (absl::StrContains(lower, p)) return true;
  }
  return false;
}

std::string Clip(absl::string_view line) {
  if (line.size() <= kMaxLineBytes) return std::string(line);
  size_t n = kMaxLineBytes;
  while (n > 0 && (static_cast<unsigned char>(line[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return absl::StrCat(line.substr(0, n), " [...]");
}

Section LogsSection(const Timeline& t) {
  Section s{"Logs", {}};
  if (t.logs.empty()) {
    s.lines.push_back("no container logs were recorded");
    return s;
  }
  // Per (pod, container, previous): all lines, in the order the records came.
  std::map<std::tuple<std::string, std::string, bool>, std::vector<std::string>> logs;
  for (const incident::LogRecord& r : t.logs) {
    auto& lines = logs[{r.pod, r.container, !r.previous}];
    for (absl::string_view line : absl::StrSplit(r.text, '\n', absl::SkipEmpty())) {
      lines.emplace_back(line);
    }
  }
  s.lines.push_back(absl::StrCat(
      "Lines containing any of: ", absl::StrJoin(std::begin(kNotable), std::end(kNotable), ", "),
      " (any case)."));
  for (const auto& [key, lines] : logs) {
    const auto& [pod, container, current] = key;
    std::vector<const std::string*> notable;
    for (const std::string& line : lines) {
      if (Notable(line)) notable.push_back(&line);
    }
    s.lines.push_back(absl::StrCat("### kubectl logs ", pod, " -c ", container,
                                   current ? "" : " --previous", ": ", notable.size(), " of ",
                                   lines.size(), " lines notable"));
    for (size_t i = 0; i < notable.size(); ++i) {
      if (notable.size() > kLogHead + kLogTail && i == kLogHead) {
        s.lines.push_back(absl::StrCat("[... ", notable.size() - kLogHead - kLogTail, " more]"));
        i = notable.size() - kLogTail;
      }
      s.lines.push_back(Clip(*notable[i]));
    }
  }
  return s;
}

size_t Size(const Section& s) {
  size_t n = 4 + s.title.size();  // "## " and "\n"
  for (const std::string& line : s.lines) n += line.size() + 1;
  return n;
}

std::string CutMarker(size_t n) { return absl::StrCat("[... ", n, " more lines]"); }

std::string Render(const std::string& title, const std::vector<Section>& sections) {
  std::string out = title;
  for (const Section& s : sections) {
    absl::StrAppend(&out, "\n## ", s.title, "\n");
    for (const std::string& line : s.lines) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace

std::string BuildEvidencePack(const Timeline& timeline, const EvidenceOptions& options) {
  const Window w = WindowOf(timeline);
  const std::string title =
      absl::StrCat("# Evidence from namespace ", timeline.ns,
                   ": what kubectl showed around the incident (times in UTC)\n");
  // In the order they are shown; kCutOrder says which are cut first.
  std::vector<Section> sections = {WindowSection(timeline),         PodsSection(timeline, w),
                                   DeploymentsSection(timeline, w), UsageSection(timeline, w),
                                   EventsSection(timeline, w),      LoadSection(timeline),
                                   OrdersSection(timeline, w),      LogsSection(timeline)};
  const size_t budget = options.budget_bytes;
  size_t total = title.size();
  for (const Section& s : sections) total += 1 + Size(s);  // "\n" before each section

  // Logs, then events, then orders, then the rest from the least important: each keeps its
  // first lines and a marker of how many were cut.
  static constexpr size_t kCutOrder[] = {7, 4, 6, 5, 3, 2, 1, 0};
  for (size_t index : kCutOrder) {
    if (total <= budget) break;
    Section& s = sections[index];
    const size_t n = s.lines.size();
    if (n == 0) continue;
    const size_t others = total - Size(s);
    std::vector<size_t> prefix(n + 1, 4 + s.title.size());  // bytes of the first k lines
    for (size_t k = 0; k < n; ++k) prefix[k + 1] = prefix[k] + s.lines[k].size() + 1;
    size_t keep = n - 1;
    while (keep > 0 && others + prefix[keep] + CutMarker(n - keep).size() + 1 > budget) --keep;
    while (keep > 0 && s.lines[keep - 1].empty()) --keep;  // no blank line before the marker
    s.lines.resize(keep);
    s.lines.push_back(CutMarker(n - keep));
    total = others;
    total += Size(s);
  }
  // Even the headings do not fit: drop whole sections, then cut the text itself.
  std::vector<Section> shown;
  for (size_t index : kCutOrder) {
    if (total <= budget) break;
    total -= 1 + Size(sections[index]);
    sections[index].title.clear();
  }
  for (Section& s : sections) {
    if (!s.title.empty()) shown.push_back(std::move(s));
  }
  std::string out = Render(title, shown);
  if (out.size() > budget) {
    size_t n = budget;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    out.resize(n);
  }
  return out;
}

}  // namespace agent
}  // namespace sre_eval
