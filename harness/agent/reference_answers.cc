#include "agent/reference_answers.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cluster/types.h"
#include "incident/locust_summary.h"
#include "re2/re2.h"

namespace sre_eval {
namespace agent {
namespace reference {
namespace {

std::string Pct(double v) { return absl::StrFormat("%.1f%%", v); }

double FailurePct(const LoadRun& run) {
  if (!run.report.has_value() || run.report->aggregated.requests == 0) return -1;
  return 100.0 * static_cast<double>(run.report->aggregated.failures) /
         static_cast<double>(run.report->aggregated.requests);
}

int64_t P95(const LoadRun& run) {
  if (!run.report.has_value()) return -1;
  auto it = run.report->aggregated_percentiles.percentiles.find("95%");
  return it == run.report->aggregated_percentiles.percentiles.end() ? -1 : it->second;
}

std::string Limit(const Findings& f, const std::string& deployment, bool memory) {
  auto it = f.limits.find(deployment);
  if (it == f.limits.end()) return "";
  return memory ? it->second.memory_limit : it->second.cpu_limit;
}

const Usage* UsageOf(const Findings& f, const std::string& deployment) {
  for (const Usage& u : f.usage) {
    if (u.deployment == deployment) return &u;
  }
  return nullptr;
}

// Usage read while the load ran (the last scrape fell inside the window), or nullptr.
const Usage* LoadedUsage(const Findings& f, const std::string& deployment) {
  if (!Known(f.metrics_at) || f.metrics_at < f.start || f.metrics_at > f.end) return nullptr;
  return UsageOf(f, deployment);
}

std::string LoadSentence(const LoadRun& load) {
  std::string s =
      absl::StrCat("The Locust job ", load.job, " ran ", load.users, " concurrent users");
  if (load.spawn_rate > 0) absl::StrAppend(&s, " (spawn rate ", load.spawn_rate, "/s");
  if (!load.run_time.empty()) {
    absl::StrAppend(&s, load.spawn_rate > 0 ? ", " : " (", "for ", load.run_time);
  }
  if (load.spawn_rate > 0 || !load.run_time.empty()) absl::StrAppend(&s, ")");
  return s;
}

std::string RequestsSentence(const LoadRun& load) {
  if (!load.report.has_value()) return "";
  const incident::LocustRequestRow& a = load.report->aggregated;
  std::string s =
      absl::StrCat("Locust's report (kubectl logs job/", load.job, "): ", a.failures, " of ",
                   a.requests, " requests failed (", Pct(FailurePct(load)), " failed requests)");
  if (int64_t p95 = P95(load); p95 >= 0) absl::StrAppend(&s, ", p95 latency ", p95, " ms");
  absl::StrAppend(&s, ".");
  return s;
}

std::string TopErrors(const LoadRun& load, size_t n) {
  if (!load.report.has_value() || load.report->errors.empty()) return "";
  std::vector<incident::LocustError> errors = load.report->errors;
  std::stable_sort(errors.begin(), errors.end(),
                   [](const incident::LocustError& a, const incident::LocustError& b) {
                     return a.occurrences > b.occurrences;
                   });
  std::vector<std::string> parts;
  for (size_t i = 0; i < errors.size() && i < n; ++i) {
    parts.push_back(absl::StrCat(errors[i].occurrences, "x ", errors[i].error));
  }
  return absl::StrCat("Top errors in the report: ", absl::StrJoin(parts, "; "), ".");
}

const Restart* MainRestart(const Findings& f) {
  const Restart* best = nullptr;
  for (const Restart& r : f.restarts) {
    if (best == nullptr || r.count > best->count) best = &r;
  }
  return best;
}

// What the cluster's Prometheus showed of `deployment`'s container over the window, or "" when
// the request named no monitoring.
std::string PeakSentence(const Findings& f, const std::string& deployment) {
  const Findings::Peak* p = f.monitoring ? f.PeakOf(deployment) : nullptr;
  if (p == nullptr) return "";
  std::string s = absl::StrCat("Prometheus shows the ", deployment,
                               " container over the window: its CPU (irate of "
                               "container_cpu_usage_seconds_total) peaked at ",
                               p->cpu_m, "m");
  if (p->cpu_limit_m > 0) {
    absl::StrAppend(&s, " of its ", p->cpu_limit_m, "m limit (",
                    Pct(100.0 * p->cpu_m / p->cpu_limit_m), ")");
  }
  absl::StrAppend(&s, " and its memory working set at ", p->memory_mib, " MiB");
  if (p->memory_limit_mib > 0) {
    absl::StrAppend(&s, " of its ", p->memory_limit_mib, " MiB limit (",
                    Pct(100.0 * p->memory_mib / p->memory_limit_mib), ")");
  }
  if (p->oom_kills > 0) {
    absl::StrAppend(&s, " at a scrape; container_oom_events_total counts ", p->oom_kills,
                    " OOM kills, each the moment it reached the ", p->memory_limit_mib,
                    " MiB limit, between two 15 s scrapes");
  }
  absl::StrAppend(&s, ".");
  return s;
}

// ---- Incident kind: a crash (OOM kills in the window) ----

std::string CrashFacts(const Findings& f) {
  const Restart* r = MainRestart(f);
  std::string s;
  if (r != nullptr) {
    s = absl::StrCat("The ", r->deployment, " pod ", r->pod, " (container ", r->container,
                     ") restarted ", r->count, " times in the incident window. ");
    if (r->reason == "OOMKilled") {
      absl::StrAppend(&s, "Its last state in kubectl describe pod is Terminated, reason ",
                      r->reason, ", exit code ", r->exit_code, ", finished at ", Hms(r->last_exit),
                      " UTC; the pod status keeps only that last termination");
    } else {
      absl::StrAppend(&s, "Its last termination was ", r->reason, " with exit code ", r->exit_code,
                      " at ", Hms(r->last_exit), " UTC");
    }
    if (f.backoffs > 0) {
      absl::StrAppend(&s, ". The kubelet put it into CrashLoopBackOff (", f.backoffs,
                      " BackOff events between ", Hms(f.backoff_first), " and ",
                      Hms(f.backoff_last), " UTC)");
    }
    absl::StrAppend(&s, ".");
    if (Known(r->running_since)) {
      absl::StrAppend(&s, " The current container has been running since ", Hms(r->running_since),
                      " UTC, which is when the ", r->deployment, " came back.");
    }
  }
  if (f.monitoring && f.oom_events >= 0) {
    absl::StrAppend(&s, s.empty() ? "" : " ", "Prometheus's container_oom_events_total rose by ",
                    f.oom_events, " since ", Hms(f.start), " UTC: ", f.oom_events,
                    " OOM kills in all, where the pod status keeps only the last.");
  }
  return s;
}

std::string FrontEndLimits(const Findings& f) {
  return absl::StrCat("The front-end container's limits are memory ", Limit(f, "front-end", true),
                      " and CPU ", Limit(f, "front-end", false), " (kubectl describe pod)");
}

std::string CrashWhatHappened(const Findings& f) {
  const Restart* r = MainRestart(f);
  std::string s = absl::StrCat("Summary: at ", Hms(f.start),
                               " UTC the shop was hit by a load test and the front-end crashed "
                               "repeatedly; it was out of memory, not a bug.\n\n");
  if (f.load.users > 0) absl::StrAppend(&s, LoadSentence(f.load), " against the front-end. ");
  absl::StrAppend(&s, CrashFacts(f), "\n\n");
  absl::StrAppend(&s,
                  "Impact: while the single front-end replica was down the site was "
                  "unavailable and requests failed with 500s and connection resets. ",
                  RequestsSentence(f.load), " ", TopErrors(f.load, 2), "\n\n");
  absl::StrAppend(&s, "Cause: the front-end exceeded its memory limit. ", FrontEndLimits(f),
                  "; with one replica that nothing scaled out it took all ", f.load.users,
                  " users alone, and its memory grew to the ", Limit(f, "front-end", true),
                  " memory limit until the kernel OOM-killed it.");
  if (r != nullptr) {
    absl::StrAppend(&s, " Only the ", r->deployment,
                    " restarted; the other pods kept running the whole time.");
  }
  absl::StrAppend(&s,
                  "\n\nEvidence: kubectl get pods (RESTARTS column), kubectl describe pod "
                  "(Last State: OOMKilled, exit code 137), the BackOff events and the Locust "
                  "job's report.");
  return s;
}

std::string CrashWhy(const Findings& f) {
  std::string s = absl::StrCat(
      "The application crashed because the front-end ran out of memory under the load test "
      "that started at ",
      Hms(f.start), " UTC with ", f.load.users, " concurrent users.\n\n");
  absl::StrAppend(&s, FrontEndLimits(f),
                  ". It runs as a single replica that nothing scaled out, so every request of "
                  "the ",
                  f.load.users, " users went to one Node.js process. Its memory climbed to the ",
                  Limit(f, "front-end", true), " memory limit and the kernel killed it. ",
                  CrashFacts(f), "\n\n");
  const std::string peak = PeakSentence(f, "front-end");
  absl::StrAppend(&s, "Its ", Limit(f, "front-end", false),
                  " CPU limit throttles the front-end rather than killing it",
                  peak.empty() ? "; the metrics now show only the recovered pod, so I cannot "
                                 "give its CPU during the crash."
                               : absl::StrCat(". ", peak),
                  " Each restart met the same load and was killed again, hence the crash loop. ",
                  RequestsSentence(f.load),
                  "\n\nThe backends were not the cause: the other containers kept running "
                  "without a restart and only the front-end was killed.");
  return s;
}

std::string CrashRestarts(const Findings& f) {
  const Restart* r = MainRestart(f);
  if (r == nullptr) {
    return absl::StrCat("I found 0 container restarts since ", Hms(f.start),
                        " UTC: every pod's restartCount is unchanged.");
  }
  std::string s = absl::StrCat("There were ", f.restarts_total,
                               " pod restarts during the incident, all of them in one "
                               "container: ",
                               r->pod, " (", r->container, "), restartCount ", r->count, ".\n\n");
  absl::StrAppend(&s, "The last termination is ", r->reason, " (exit code ", r->exit_code, ") at ",
                  Hms(r->last_exit),
                  " UTC; the pod status keeps only the last one, but the same load ran "
                  "throughout");
  if (f.backoffs > 0) {
    absl::StrAppend(&s, ", and between ", Hms(f.backoff_first), " and ", Hms(f.backoff_last),
                    " UTC the kubelet held it in CrashLoopBackOff (", f.backoffs,
                    " BackOff events)");
  }
  absl::StrAppend(&s, ".");
  if (f.monitoring && f.oom_events >= 0) {
    absl::StrAppend(&s, " Prometheus has the history: container_oom_events_total rose by ",
                    f.oom_events, " since ", Hms(f.start), " UTC, so ", f.oom_events,
                    " of these restarts were OOM kills.");
  }
  absl::StrAppend(&s, "\n\n");
  if (f.restarts.size() == 1) {
    absl::StrAppend(&s,
                    "Only the front-end restarted: no other pod restarted, every other "
                    "container kept its restartCount.");
  }
  absl::StrAppend(&s,
                  " Where to see it: the RESTARTS column of kubectl get pods, and Last "
                  "State in kubectl describe pod ",
                  r->pod, ".");
  return s;
}

std::string CrashLimits(const Findings& f) {
  std::string s = absl::StrCat(
      "The front-end's memory limit was exceeded: its container has a memory limit of ",
      Limit(f, "front-end", true), " (CPU limit ", Limit(f, "front-end", false),
      ", from the deployment spec and kubectl describe pod), and it was OOMKilled (exit code "
      "137).");
  if (const Restart* r = MainRestart(f)) {
    absl::StrAppend(&s, " It restarted ", r->count, " times; the last OOM kill was at ",
                    Hms(r->last_exit), " UTC on ", r->pod, ".");
  }
  const std::string peak = PeakSentence(f, "front-end");
  absl::StrAppend(
      &s, "\n\nCPU: the front-end's CPU limit is ", Limit(f, "front-end", false),
      ". A CPU limit throttles the front-end rather than killing it, so the memory "
      "limit is what killed it",
      peak.empty() ? " (I have no CPU metrics from the crash itself)." : absl::StrCat(". ", peak),
      "\n\n");
  absl::StrAppend(&s,
                  "Only the front-end was affected: the other containers kept running "
                  "without a restart. Their limits for comparison: ");
  std::vector<std::string> others;
  for (const auto& [name, res] : f.limits) {
    if (name == "front-end" || res.memory_limit.empty()) continue;
    others.push_back(absl::StrCat(name, " ", res.memory_limit, "/", res.cpu_limit));
  }
  absl::StrAppend(&s, absl::StrJoin(others, ", "), ".");
  return s;
}

std::string CrashWhyFrontend(const Findings& f) {
  std::string s =
      absl::StrCat("The front-end pod crashed because it ran out of memory: it exceeded its ",
                   Limit(f, "front-end", true),
                   " memory limit and was OOMKilled (exit code 137 in Last "
                   "State of kubectl describe pod).\n\n");
  absl::StrAppend(&s, "Contributing factors:\n- ", f.load.users,
                  " concurrent users from the load test that started at ", Hms(f.start),
                  " UTC.\n- A single replica: nothing scaled out, so one pod took the "
                  "whole load.\n- Its ",
                  Limit(f, "front-end", false),
                  " CPU limit throttles it under such load, so requests queue and memory "
                  "grows.\n\n");
  absl::StrAppend(&s, "Impact: ", CrashFacts(f),
                  " Because the front-end is the shop's only "
                  "entry point, every kill was an outage: ",
                  RequestsSentence(f.load));
  return s;
}

std::string CrashPrevent(const Findings& f) {
  std::string mem = Limit(f, "front-end", true);
  int64_t mib = 0;
  if (absl::StatusOr<int64_t> b = cluster::ParseMemoryBytes(mem); b.ok()) mib = *b / 1048576;
  return absl::StrCat(
      "To prevent this crash in production (the front-end was OOMKilled at its ", mem,
      " memory limit under ", f.load.users, " users):\n\n",
      "1. Add a HorizontalPodAutoscaler for the front-end (2-10 replicas on CPU and memory) so "
      "it scales out instead of one replica taking everything.\n",
      "2. Raise the front-end memory limit by about 50%, from ", mem, " to ", mib * 3 / 2,
      "Mi, sized from the observed peak at the limit, and raise the CPU limit above ",
      Limit(f, "front-end", false), ".\n",
      "3. Add rate limiting at the ingress in front of the front-end (return 429 per client) so "
      "a traffic spike is shed instead of crashing the shop.\n",
      "4. Set resource requests and limits from measured usage (right-size every service).\n",
      "5. Verify before release: load-test the front-end at the peak",
      f.load.users > 0 ? absl::StrCat(" (", f.load.users, " users)") : std::string(),
      ", and alert on memory near the limit and on restarts.\n");
}

// ---- Incident kind: latency (slow, no crash) ----

std::string LatencyCounts(const Findings& f) {
  std::vector<std::string> parts;
  for (int i : {kSlowQuery, kPoolExhausted}) {
    std::vector<std::string> where;
    for (const auto& [service, counts] : f.log_counts) {
      if (counts[i] > 0) where.push_back(absl::StrCat(service, " ", counts[i]));
    }
    parts.push_back(
        absl::StrCat(f.log_totals[i], " \"", kPatterns[i], "\" log lines",
                     where.empty() ? "" : absl::StrCat(" (", absl::StrJoin(where, ", "), ")")));
  }
  return absl::StrCat("In the services' logs since ", Hms(f.start), " UTC there are ", parts[0],
                      " and ", parts[1], ".");
}

std::string CpuSentence(const Findings& f) {
  if (const Usage* u = LoadedUsage(f, "front-end"); u != nullptr && u->cpu_limit_m > 0) {
    return absl::StrCat("At the metrics scrape of ", Hms(f.metrics_at),
                        " UTC, during the load, the front-end used ", u->cpu_m, "m of its ",
                        u->cpu_limit_m, "m CPU limit: CPU at ",
                        Pct(100.0 * u->cpu_m / u->cpu_limit_m),
                        " of the limit, so it is being throttled.");
  }
  if (const Findings::Peak* p = f.monitoring ? f.PeakOf("front-end") : nullptr;
      p != nullptr && p->cpu_limit_m > 0) {
    const double pct = 100.0 * p->cpu_m / p->cpu_limit_m;
    std::string s =
        "Prometheus (irate of container_cpu_usage_seconds_total over the window) "
        "shows the front-end's ";
    if (p->cpu_median_m >= 0) {
      absl::StrAppend(&s, "CPU at ", p->cpu_median_m, "m of its ", p->cpu_limit_m,
                      "m limit at the median of the load: CPU at ",
                      Pct(100.0 * p->cpu_median_m / p->cpu_limit_m), " of the limit, peaking at ",
                      p->cpu_m, "m (", Pct(pct), ")");
    } else {
      absl::StrAppend(&s, "CPU peaking at ", p->cpu_m, "m of its ", p->cpu_limit_m,
                      "m limit during the load: CPU at ", Pct(pct), " of the limit");
    }
    absl::StrAppend(&s, pct >= 90 ? ", so it was being throttled at its CPU limit."
                                  : ": CPU was not the bottleneck.");
    return s;
  }
  return absl::StrCat("The front-end has a CPU limit of ", Limit(f, "front-end", false),
                      " on a single replica; latency that climbs with load while nothing fails "
                      "or restarts is what CPU throttling at that limit looks like.");
}

std::string MemorySentence(const Findings& f) {
  if (const Usage* u = LoadedUsage(f, "front-end"); u != nullptr && u->memory_limit_mib > 0) {
    return absl::StrCat("Memory is stable below its limit: the front-end used ", u->memory_mib,
                        " MiB of ", u->memory_limit_mib, " MiB (",
                        Pct(100.0 * u->memory_mib / u->memory_limit_mib), " of the limit).");
  }
  if (const Findings::Peak* p = f.monitoring ? f.PeakOf("front-end") : nullptr;
      p != nullptr && p->memory_limit_mib > 0 && p->oom_kills == 0) {
    return absl::StrCat(
        "Memory stayed below its limit: Prometheus shows the front-end's working "
        "set peaking at ",
        p->memory_mib, " MiB of ", p->memory_limit_mib, " MiB (",
        Pct(100.0 * p->memory_mib / p->memory_limit_mib), " of the limit) over the window.");
  }
  return absl::StrCat("Memory is stable below the limits (front-end limit ",
                      Limit(f, "front-end", true), ").");
}

std::string NoCrashSentence(const Findings& f) {
  return absl::StrCat("Since ", Hms(f.start), " UTC there have been ", f.restarts_total,
                      " pod restarts and ", f.oom_kills,
                      " OOM kills: kubectl get pods shows every pod Running.");
}

std::string LatencyP95(const Findings& f) {
  std::string s = absl::StrCat("p95 latency is ", P95(f.load), " ms");
  if (P95(f.baseline) >= 0) {
    absl::StrAppend(&s, ", against a normal (baseline) p95 of ", P95(f.baseline),
                    " ms measured by ", f.baseline.job);
  }
  return s;
}

std::string LatencySlow(const Findings& f) {
  return absl::StrCat(
      "Yes, the shop is degraded but up. ", LoadSentence(f.load), " from ", Hms(f.start), " UTC; ",
      LatencyP95(f), ". ", RequestsSentence(f.load), " Only ", Pct(FailurePct(f.load)),
      " of requests failed, so it is slow, not an outage.\n\n", NoCrashSentence(f), " ",
      MemorySentence(f), "\n\nDiagnosis: resource pressure under moderate load. ", CpuSentence(f),
      " ", LatencyCounts(f),
      " The catalogue's slow queries and the exhausted connection pool in orders show the "
      "requests queueing behind saturated services, each running one replica.\n\n"
      "Where I looked: kubectl get pods, kubectl top, the services' logs and the Locust "
      "report.");
}

std::string LatencyWhy(const Findings& f) {
  return absl::StrCat(
      "Response times are high (", LatencyP95(f), ") because ", f.load.users,
      " concurrent users push the front-end and the services behind it into CPU pressure: high "
      "CPU, throttled at the limits, so requests queue.\n\n1. CPU throttling: ",
      CpuSentence(f),
      "\n2. Slow database queries and exhausted connection pools: ", LatencyCounts(f),
      " Product pages wait on catalogue's queries and checkouts wait for a free orders "
      "connection.\n3. One replica each, so there is no spare capacity to absorb the "
      "load.\n\nThis is not a crash: ",
      NoCrashSentence(f), " ", RequestsSentence(f.load),
      " The place to look is compute resources (CPU) and the database queries.");
}

std::string LatencyWillCrash(const Findings& f) {
  return absl::StrCat(
      "Unlikely at the current load. ", NoCrashSentence(f), " ", MemorySentence(f),
      " Memory is what gets a pod killed, and it is not growing towards the limit.\n\nCPU at "
      "the limit is throttled rather than killed: it turns into latency (",
      LatencyP95(f), "), not restarts. ", CpuSentence(f),
      "\n\nThe risk: this is an early warning. More users or a traffic spike would push memory "
      "up with the queue, and the front-end is one replica with no headroom, which is how the "
      "crash incident started. Act early: scale out the front-end (HPA), and alert on p95 and "
      "on memory near the limit.");
}

std::string LatencyOptimize(const Findings& f) {
  return absl::StrCat(
      "Measured: ", LatencyP95(f), " under ", f.load.users, " users. ", CpuSentence(f), " ",
      LatencyCounts(f), "\n\nOptimizations, in order of effect:\n",
      "1. Scale out: an HPA for front-end, catalogue, carts and orders (2+ replicas each), so "
      "the load is spread instead of queueing on one pod.\n",
      "2. Raise the CPU limits (and requests) of the front-end (", Limit(f, "front-end", false),
      " now) and catalogue (", Limit(f, "catalogue", false),
      " now) so they stop being throttled.\n",
      "3. Fix the slow queries in catalogue's database: add an index for the sock/tag join and "
      "cache the catalogue responses.\n",
      "4. Tune the connection pools: raise the orders (and carts) MongoDB connection pool size "
      "above 100 and bound the wait.\n",
      "5. Verify: re-run the same load test against a latency target (an SLO such as p95 under "
      "1000 ms).");
}

std::string LatencySameAsCrash(const Findings& f, const AgentRequest& request) {
  int crash_users = f.crash_load.users;
  if (crash_users <= 0) {
    for (const Turn& t : request.history) {
      std::string users;
      if (RE2::PartialMatch(t.content, R"((\d+) concurrent users)", &users)) {
        absl::SimpleAtoi(users, &crash_users);
      }
    }
  }
  std::string crash = "The crash was the front-end exceeding its memory limit";
  if (crash_users > 0) absl::StrAppend(&crash, " under ", crash_users, " concurrent users");
  absl::StrAppend(&crash, ": it was OOMKilled");
  if (f.earlier_oom_restarts > 0) {
    absl::StrAppend(&crash, " and restarted ", f.earlier_oom_restarts,
                    " times (its last OOMKilled termination at ", Hms(f.earlier_oom_at),
                    " UTC is still in the pod's last state)");
  }
  absl::StrAppend(&crash, ", a total outage.");
  return absl::StrCat(
      "No, it is not the same issue; it is a different severity of the same family.\n\n", crash,
      "\n\nThis time it is CPU pressure: ", f.load.users,
      " concurrent users push the front-end into throttling. ", CpuSentence(f), " ",
      NoCrashSentence(f), " ", LatencyP95(f), ", and only ", Pct(FailurePct(f.load)),
      " failed requests: degraded and slow but still serving, not an outage.\n\nBoth come from "
      "a single front-end replica that nothing scales out; compared with the crash, this one is "
      "the "
      "early warning.");
}

// ---- Incident kind: payment (a dependency down, orders left inconsistent) ----

std::string OrderLine(const Order& o) {
  return absl::StrCat(o.id, " (customer ", o.customer_name, ", ", o.customer_id, ", $",
                      absl::StrFormat("%.2f", o.total), ", created ", Hms(o.date), " UTC)");
}

std::string PaymentOutage(const Findings& f) {
  std::string s = "The payment deployment was scaled to 0 replicas";
  if (Known(f.payment_down_at)) {
    absl::StrAppend(&s, " at ", Hms(f.payment_down_at), " UTC (ScalingReplicaSet event)");
  }
  absl::StrAppend(&s, ", so the payment service had no endpoints");
  if (Known(f.payment_up_at)) {
    absl::StrAppend(&s, "; it was scaled back to ",
                    f.replicas.count("payment") != 0 ? f.replicas.at("payment") : 1, " replica at ",
                    Hms(f.payment_up_at), " UTC");
  }
  absl::StrAppend(&s, ".");
  if (Known(f.payment_running_since) && f.payment_running_since >= f.start) {
    // Running is not serving: the service sends it traffic once its readiness probe passes.
    absl::StrAppend(&s, " The new payment pod started at ", Hms(f.payment_running_since), " UTC");
    if (Known(f.payment_ready_since) && f.payment_ready_since >= f.payment_running_since) {
      absl::StrAppend(&s, " and was ready (back in the service's endpoints) at ",
                      Hms(f.payment_ready_since), " UTC, when payment was back.");
    } else {
      absl::StrAppend(&s, "; it was not ready yet when I looked.");
    }
  }
  return s;
}

std::string RefusedSentence(const Findings& f) {
  return absl::StrCat("The orders logs show ", f.log_totals[kConnectionRefused],
                      " connection refused errors on POST http://payment/paymentAuth (kubectl "
                      "logs of orders).");
}

std::string FailedCountSentence(const Findings& f) {
  return absl::StrCat(f.failed_orders.size(), " orders are in PAYMENT_FAILED status");
}

const Order* OrderIn(const Findings& f, const std::string& message) {
  std::string id;
  if (!RE2::PartialMatch(message, R"(\b([0-9a-f]{24})\b)", &id)) return nullptr;
  for (const Order& o : f.failed_orders) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

std::string PaymentCharged(const Findings& f, const AgentRequest& request) {
  const Order* o = OrderIn(f, request.message);
  std::string s;
  if (o != nullptr) {
    s = absl::StrCat("I found the order in the orders service: order ", OrderLine(*o),
                     ". Its status is PAYMENT_FAILED: the order was saved, the payment call "
                     "failed, and the order was marked failed, so no confirmation was sent.\n\n");
  } else {
    s = absl::StrCat(
        "I could not find that order id among the PAYMENT_FAILED orders of the "
        "window; ",
        FailedCountSentence(f), ".\n\n");
  }
  absl::StrAppend(&s, "Root cause: ", PaymentOutage(f), " ", RefusedSentence(f),
                  " The payment was never authorised by the shop.\n\n");
  std::string when = o != nullptr ? absl::StrCat(" around ", Hms(o->date), " UTC") : "";
  absl::StrAppend(
      &s, "What to do:\n1. Check with the payment gateway whether the card was charged", when,
      ".\n2. If it was charged: mark the order PAID and fulfil it, then send the confirmation.\n"
      "3. If not: notify the customer that the payment did not go through and ask them to "
      "re-order.");
  return s;
}

std::string PaymentCause(const Findings& f) {
  std::string s = absl::StrCat(
      "The payment failures were caused by the payment service being "
      "down: ",
      PaymentOutage(f), "\n\n");
  absl::StrAppend(&s, RefusedSentence(f),
                  " Each checkout created the order, the calls to payment were refused, and "
                  "the order was saved as PAYMENT_FAILED: ",
                  f.failed_orders.size(), " orders were marked PAYMENT_FAILED");
  if (!f.failed_orders.empty()) {
    absl::StrAppend(&s, " between ", Hms(f.failed_orders.front().date), " and ",
                    Hms(f.failed_orders.back().date), " UTC");
  }
  absl::StrAppend(&s, ". ", RequestsSentence(f.load),
                  "\n\nNo pod crashed or restarted; it was a dependency outage. Where it shows: "
                  "kubectl get deploy payment, kubectl get endpoints payment, and the orders "
                  "logs.");
  return s;
}

// The first orders, one a line, and how many more there are.
std::string OrderList(const Findings& f) {
  constexpr size_t kShown = 10;
  std::string s;
  for (size_t i = 0; i < f.failed_orders.size() && i < kShown; ++i) {
    absl::StrAppend(&s, "- ", OrderLine(f.failed_orders[i]), "\n");
  }
  if (f.failed_orders.size() > kShown) {
    absl::StrAppend(&s, "- and ", f.failed_orders.size() - kShown,
                    " more (the same query lists them all)\n");
  }
  return s;
}

std::string PaymentHowMany(const Findings& f) {
  std::string s = absl::StrCat(FailedCountSentence(f),
                               " from the incident window (I queried the orders API for status "
                               "PAYMENT_FAILED, via the orders service):\n");
  absl::StrAppend(&s, OrderList(f),
                  "\nAll of them were created while payment was down (scaled to 0 "
                  "replicas, connection refused). ",
                  PaymentOutage(f));
  return s;
}

std::string PaymentWhatToDo(const Findings& f) {
  std::string s = absl::StrCat("There are ", f.failed_orders.size(),
                               " failed transactions (orders in PAYMENT_FAILED)");
  if (!f.failed_orders.empty()) {
    absl::StrAppend(&s, ", created between ", Hms(f.failed_orders.front().date), " and ",
                    Hms(f.failed_orders.back().date), " UTC");
  }
  absl::StrAppend(
      &s, ".\n\n1. First confirm payment is back: ", PaymentOutage(f),
      " Place a test order and check it is PAID.\n",
      "2. Reconcile each failed order with the payment gateway: look for a charge for the "
      "order's customer and amount at the order's time.\n",
      "3. If they were charged: mark the order PAID and fulfil it (ship it, send the "
      "confirmation).\n",
      "4. If not charged: notify the customer and ask them to re-order (or refund if a charge "
      "is captured later).\n",
      "5. Do not blindly retry the payments: without an idempotency key, a retry could "
      "double-charge a customer who was in fact charged.\n\nThe orders:\n",
      OrderList(f));
  return s;
}

std::string PaymentPrevent(const Findings& f) {
  return absl::StrCat(
      "What failed here: payment was unavailable (scaled to 0 replicas, connection refused), "
      "and ",
      f.failed_orders.size(),
      " orders were left in PAYMENT_FAILED with the payment state unknown. To prevent "
      "inconsistent states:\n\n",
      "1. Idempotency keys on every payment authorisation (keyed by the order id), so a retry "
      "can never double-charge.\n",
      "2. Retry transient payment failures (connection refused, timeouts) with exponential "
      "backoff and jitter, bounded.\n",
      "3. A circuit breaker on orders' calls to payment, failing fast while payment is down.\n",
      "4. Model checkout as a saga: the order goes PENDING, then PAID or compensated, with an "
      "outbox so the order and payment states cannot diverge.\n",
      "5. Queue payment authorisations for the order, with a dead letter queue (DLQ) for the "
      "ones that keep failing.\n",
      "6. Reconcile orders with the payment gateway daily.\n",
      "7. Monitor the checkout flow end to end and alert on payment failures and on orders "
      "whose payment state is unknown.");
}

// ---- Dispatch ----

enum class Kind { kCrash, kLatency, kPayment, kQuiet };

Kind KindOf(const Findings& f) {
  if (f.oom_kills > 0 || f.restarts_total > 0) return Kind::kCrash;
  if (f.payment_scaled_to.has_value() || !f.failed_orders.empty()) return Kind::kPayment;
  if (f.load.report.has_value()) return Kind::kLatency;
  return Kind::kQuiet;
}

std::string Summary(const Findings& f, Kind kind) {
  switch (kind) {
    case Kind::kCrash:
      return CrashWhatHappened(f);
    case Kind::kLatency:
      return LatencySlow(f);
    case Kind::kPayment:
      return PaymentCause(f);
    case Kind::kQuiet:
      break;
  }
  return absl::StrCat("I found nothing wrong in the window from ", Hms(f.start),
                      " UTC: 0 restarts, every deployment at its replicas, and no load test "
                      "report.");
}

}  // namespace

std::string Answer(const Findings& f, const AgentRequest& request) {
  const std::string& id = request.prompt_id;
  const Kind kind = KindOf(f);
  if (kind == Kind::kCrash) {
    if (id == "i1.what_happened") return CrashWhatHappened(f);
    if (id == "i1.why_crash") return CrashWhy(f);
    if (id == "i1.restarts") return CrashRestarts(f);
    if (id == "i1.limits") return CrashLimits(f);
    if (id == "i1.why_frontend") return CrashWhyFrontend(f);
    if (id == "i1.prevent") return CrashPrevent(f);
  }
  if (kind == Kind::kLatency) {
    if (id == "i2.slow") return LatencySlow(f);
    if (id == "i2.why_3s") return LatencyWhy(f);
    if (id == "i2.will_crash") return LatencyWillCrash(f);
    if (id == "i2.optimize") return LatencyOptimize(f);
    if (id == "i2.same_as_crash") return LatencySameAsCrash(f, request);
  }
  if (kind == Kind::kPayment) {
    if (id == "i3.charged") return PaymentCharged(f, request);
    if (id == "i3.cause") return PaymentCause(f);
    if (id == "i3.how_many") return PaymentHowMany(f);
    if (id == "i3.what_to_do") return PaymentWhatToDo(f);
    if (id == "i3.prevent") return PaymentPrevent(f);
  }
  // An unknown question: the message's intent, else the incident's summary.
  const std::string m = absl::AsciiStrToLower(request.message);
  if (kind == Kind::kCrash && absl::StrContains(m, "restart")) return CrashRestarts(f);
  if (kind == Kind::kPayment && absl::StrContains(m, "how many")) return PaymentHowMany(f);
  if (absl::StrContains(m, "prevent")) {
    if (kind == Kind::kCrash) return CrashPrevent(f);
    if (kind == Kind::kPayment) return PaymentPrevent(f);
    if (kind == Kind::kLatency) return LatencyOptimize(f);
  }
  return Summary(f, kind);
}

}  // namespace reference
}  // namespace agent
}  // namespace sre_eval
