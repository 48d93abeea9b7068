#include "incident/runner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cluster/orders.h"
#include "incident/locust_summary.h"
#include "incident/truth_extractor.h"
#include "util/file_util.h"

namespace sre_eval {
namespace incident {

const std::vector<std::string>& SockShopDeployments() {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "carts",   "carts-db",     "catalogue", "catalogue-db", "front-end", "orders", "orders-db",
      "payment", "queue-master", "rabbitmq",  "session-db",   "shipping",  "user",   "user-db"};
  return *names;
}

absl::Status Preflight(cluster::Kubectl* kubectl, const std::vector<std::string>& allowed) {
  const cluster::KubectlTarget& t = kubectl->target();
  if (!cluster::ContextAllowed(t.context, allowed)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "context '", t.context, "' is not allowed: sre-eval only changes clusters whose context ",
        "matches ", absl::StrJoin(allowed, ", "),
        ". If this cluster is meant for it, pass --allow-context ", t.context));
  }
  absl::StatusOr<bool> exists = kubectl->NamespaceExists();
  if (!exists.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot reach the cluster of context '",
                                                      t.context, "': ", exists.status().message()));
  }
  if (!*exists) {
    return absl::FailedPreconditionError(
        absl::StrCat("namespace '", t.ns, "' does not exist in context '", t.context,
                     "'; deploy Sock Shop there first (see the README) or pass --namespace"));
  }
  absl::StatusOr<std::vector<cluster::Deployment>> deployments = kubectl->GetDeployments();
  if (!deployments.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot list the deployments of namespace '",
                                                      t.ns, "': ", deployments.status().message()));
  }
  std::set<std::string> have;
  for (const cluster::Deployment& d : *deployments) have.insert(d.name);
  std::vector<std::string> missing;
  for (const std::string& name : SockShopDeployments()) {
    if (have.count(name) == 0) missing.push_back(name);
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("namespace '", t.ns, "' in context '", t.context,
                     "' does not hold Sock Shop: missing deployment",
                     missing.size() == 1 ? " " : "s ", absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

absl::Status AcquireNamespaceLock(cluster::Kubectl* kubectl, const std::string& holder) {
  // `create -f -` with JSON (kubectl's `create configmap` would send protobuf).
  nlohmann::json lock = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", kLockName}, {"labels", {{"app.kubernetes.io/managed-by", "sre-eval"}}}}},
      {"data", {{"holder", holder}}}};
  absl::StatusOr<std::string> made =
      kubectl->Run({"create", "-f", "-"}, /*mutating=*/true, lock.dump());
  if (made.ok()) return absl::OkStatus();
  if (!absl::StrContains(made.status().message(), "AlreadyExists")) return made.status();
  const cluster::KubectlTarget& t = kubectl->target();
  absl::StatusOr<std::string> who =
      kubectl->Run({"get", "configmap", kLockName, "-o", "jsonpath={.data.holder}"}, false);
  return absl::FailedPreconditionError(
      absl::StrCat("namespace '", t.ns, "' is in use by another run (ConfigMap ", kLockName, ": ",
                   who.ok() && !who->empty() ? *who : "holder unknown",
                   "); if no run is going on, remove the stale lock: kubectl --context ", t.context,
                   " --namespace ", t.ns, " delete configmap ", kLockName));
}

absl::Status ReleaseNamespaceLock(cluster::Kubectl* kubectl) {
  return kubectl->Run({"delete", "configmap", kLockName, "--ignore-not-found"}, true).status();
}

namespace {

std::string Clock2(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  int64_t s = absl::ToInt64Seconds(d);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

}  // namespace

void StreamProgress::StepStarted(const std::string& incident, const std::string& phase, int index,
                                 int count, const std::string& describe) {
  step_ =
      absl::StrCat(phase == "steps" ? "step" : phase, " ", index + 1, "/", count, " ", describe);
  last_plain_ = absl::InfiniteDuration();
  if (terminal_) {
    *out_ << "\r" << incident << ": " << step_ << "\x1b[K" << std::flush;
    status_open_ = true;
  } else {
    *out_ << incident << ": " << step_ << "\n" << std::flush;
  }
}

void StreamProgress::Waiting(const std::string& incident, absl::Duration elapsed,
                             absl::Duration remaining, int restarts, int oom_kills) {
  std::string line =
      absl::StrCat(incident, ": ", step_, "  waited ", Clock2(elapsed), " of at most ",
                   Clock2(elapsed + remaining), ", restarts ", restarts, ", OOM kills ", oom_kills);
  if (terminal_) {
    *out_ << "\r" << line << "\x1b[K" << std::flush;
    status_open_ = true;
    return;
  }
  // Plain output: a line a minute of waiting, not one per sample.
  if (last_plain_ != absl::InfiniteDuration() && elapsed - last_plain_ < absl::Minutes(1)) return;
  last_plain_ = elapsed;
  *out_ << line << "\n" << std::flush;
}

void StreamProgress::Note(const std::string& incident, const std::string& line) {
  if (status_open_) *out_ << "\n";
  status_open_ = false;
  *out_ << incident << ": " << line << "\n" << std::flush;
}

void StreamProgress::Finished(const std::string& incident, const std::string& summary) {
  if (status_open_) *out_ << "\r\x1b[K";
  status_open_ = false;
  *out_ << incident << ": " << summary << "\n" << std::flush;
}

// One run of one incident: the state the steps share.
class IncidentRunner::Run_ {
 public:
  Run_(cluster::Kubectl* kubectl, const RunnerOptions& options, const Incident& incident)
      : kubectl_(kubectl), o_(options), incident_(incident) {
    result_.incident = incident.id;
  }

  IncidentResult Go() {
    Clock* clock = o_.clock;
    result_.started = clock->Now();
    Timeline& t = result_.timeline;
    t.incident = incident_.id;
    t.environment = o_.environment;
    t.context = kubectl_->target().context;
    t.ns = kubectl_->target().ns;
    t.sample_every = incident_.sample_every;

    absl::Status opened = OpenWriter();
    if (!opened.ok()) {
      result_.steps_status = opened;
      result_.finished = clock->Now();
      return std::move(result_);
    }
    // Save what the steps will change before the first one.
    for (const std::string& name : incident_.ScaledDeployments()) {
      absl::StatusOr<cluster::Deployment> d = kubectl_->GetDeployment(name);
      if (!d.ok()) {
        result_.steps_status = absl::FailedPreconditionError(absl::StrCat(
            "cannot save the replicas of deployment ", name, ": ", d.status().message()));
        Note(result_.steps_status.message());
        result_.finished = clock->Now();
        return std::move(result_);
      }
      t.saved_replicas[name] = d->replicas;
    }
    t.saved_time = clock->Now();
    Check(writer_->Saved(t.saved_time, t.saved_replicas));
    // The state before anything changes: the baseline restart counts and terminations.
    absl::StatusOr<cluster::Snapshot> baseline = TakeSample(t.saved_time);
    if (!baseline.ok()) {
      result_.steps_status = absl::UnavailableError(
          absl::StrCat("cannot take the first sample: ", baseline.status().message()));
      Note(result_.steps_status.message());
      result_.samples = static_cast<int>(t.samples.size());
      result_.finished = clock->Now();
      return std::move(result_);
    }

    result_.steps_status = RunList(incident_.steps, "steps");
    if (absl::IsCancelled(result_.steps_status)) {
      t.interrupted = true;
      Check(writer_->Interrupted(clock->Now(), "SIGINT or SIGTERM"));
      Note("interrupted: restoring the cluster (interrupt again to skip the waits)");
    } else if (!result_.steps_status.ok()) {
      Note(absl::StrCat("failed: ", result_.steps_status.message(), "; restoring the cluster"));
    }
    result_.restore_status = RunList(incident_.restore, "restore");
    VerifyRestored();
    for (const std::string& line : result_.left_broken) Note(absl::StrCat("NOT RESTORED: ", line));

    if (!t.marks.empty() && std::any_of(t.marks.begin(), t.marks.end(),
                                        [](const Mark& m) { return m.name == "window.start"; })) {
      absl::StatusOr<nlohmann::json> truth = ExtractTruth(t);
      if (truth.ok()) {
        absl::Status w =
            WriteFileAtomically(absl::StrCat(o_.out_dir, "/truth.json"), truth->dump(2) + "\n");
        if (w.ok()) {
          result_.truth = std::move(*truth);
        } else {
          Note(absl::StrCat("cannot write truth.json: ", w.message()));
        }
      } else {
        Note(absl::StrCat("no truth.json: ", truth.status().message()));
      }
    }
    if (!write_status_.ok()) {
      Note(absl::StrCat("the timeline is incomplete: ", write_status_.message()));
      if (result_.steps_status.ok()) result_.steps_status = write_status_;
    }
    result_.samples = static_cast<int>(t.samples.size());
    result_.finished = clock->Now();
    if (o_.progress != nullptr) {
      o_.progress->Finished(
          incident_.id,
          absl::StrCat(result_.ok() ? "done" : "FAILED", " (", result_.samples, " samples, ",
                       restarts_, " restarts, ", oom_.size(), " OOM kills, ",
                       Clock2(result_.finished - result_.started), " on the cluster's clock)"));
    }
    return std::move(result_);
  }

 private:
  absl::Status OpenWriter() {
    absl::StatusOr<std::unique_ptr<TimelineWriter>> w =
        TimelineWriter::Open(absl::StrCat(o_.out_dir, "/timeline.jsonl"));
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    return writer_->Header(result_.timeline);
  }

  void Check(absl::Status s) {
    if (!s.ok() && write_status_.ok()) write_status_ = s;
  }

  void Note(absl::string_view line) {
    if (o_.progress != nullptr) o_.progress->Note(incident_.id, std::string(line));
  }

  int Interrupts() const { return o_.interrupts == nullptr ? 0 : o_.interrupts->load(); }
  bool Cancelled() const { return Interrupts() >= cancel_level_; }

  // Runs a list; returns the first failure (the restore list goes on after one).
  absl::Status RunList(const std::vector<Step>& steps, const std::string& phase) {
    bool restore = phase == "restore";
    cancel_level_ = restore ? 2 : 1;
    absl::Status first;
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      if (!restore && Cancelled()) return absl::CancelledError("interrupted by a signal");
      if (s.when == "steps_failed" && result_.steps_status.ok()) continue;
      if (o_.progress != nullptr) {
        o_.progress->StepStarted(incident_.id, phase, static_cast<int>(i),
                                 static_cast<int>(steps.size()), s.Describe());
      }
      StepRecord rec;
      rec.time = o_.clock->Now();
      rec.phase = phase;
      rec.index = static_cast<int>(i);
      rec.line = s.line;
      rec.action = StepKindName(s.kind);
      rec.describe = s.Describe();
      absl::Time mark_time = rec.time;
      absl::Status st;
      bool waits = s.kind == StepKind::kRecord || s.kind == StepKind::kWaitJob ||
                   s.kind == StepKind::kWaitHealthy;
      if (restore && waits && Cancelled()) {
        st = absl::CancelledError("skipped: interrupted twice");
      } else {
        st = Perform(s, &mark_time);
      }
      rec.end = o_.clock->Now();
      rec.ok = st.ok();
      if (!st.ok()) rec.error = std::string(st.message());
      result_.timeline.steps.push_back(rec);
      Check(writer_->Step(rec));
      if (!s.mark.empty() && st.ok()) {
        Mark m{mark_time, s.mark, s.kind == StepKind::kWaitJob ? s.job : ""};
        result_.timeline.marks.push_back(m);
        Check(writer_->AddMark(m));
      }
      if (st.ok()) continue;
      if (!restore && absl::IsCancelled(st)) return st;
      absl::Status failed(st.code(),
                          absl::StrCat(phase == "restore" ? "restore step " : "step ", i + 1, " (",
                                       s.Describe(), ", line ", s.line, "): ", st.message()));
      if (restore) {
        Note(failed.message());
        failed_restore_.push_back(&s);
        if (first.ok()) first = failed;
        continue;
      }
      return failed;
    }
    return first;
  }

  absl::Status Perform(const Step& s, absl::Time* mark_time) {
    switch (s.kind) {
      case StepKind::kApply:
        return kubectl_->Apply(s.manifest_path);
      case StepKind::kDelete:
        return kubectl_->Delete(s.manifest_path);
      case StepKind::kScale: {
        int replicas = s.replicas;
        if (s.replicas_saved) {
          auto it = result_.timeline.saved_replicas.find(s.deployment);
          if (it == result_.timeline.saved_replicas.end()) {
            return absl::FailedPreconditionError(
                absl::StrCat("no saved replicas for deployment ", s.deployment));
          }
          replicas = it->second;
        }
        return kubectl_->Scale(s.deployment, replicas);
      }
      case StepKind::kRecord:
        return WaitUntil(
            s.duration, [](const cluster::Snapshot&) { return false; }, mark_time,
            /*deadline_is_error=*/false, "");
      case StepKind::kWaitJob:
        return WaitUntil(
            s.duration,
            [&s](const cluster::Snapshot& snap) {
              for (const cluster::Job& j : snap.jobs) {
                if (j.name == s.job) return !j.outcome.empty();
              }
              return false;
            },
            mark_time, true, absl::StrCat("job ", s.job, " did not finish"));
      case StepKind::kWaitHealthy:
        return WaitUntil(
            s.duration, [this](const cluster::Snapshot& snap) { return Healthy(snap); }, mark_time,
            true, absl::StrCat("deployments not ready: ", unready_));
      case StepKind::kProbe:
        return Probe(s);
      case StepKind::kHook:
        if (!o_.hook) return absl::FailedPreconditionError("no hook to run");
        if (s.job == "act") return Act(s, mark_time);
        return o_.hook(s.job, s.duration);
    }
    return absl::InternalError("unknown step kind");
  }

  // The hook "act" on a thread of its own, sampled until it returns or the step's duration
  // has passed; then "act_end". The mark is the time the act began.
  absl::Status Act(const Step& s, absl::Time* mark_time) {
    *mark_time = o_.clock->Now();
    std::atomic<bool> done{false};
    absl::Status acted;
    std::thread agent([&] {
      acted = o_.hook("act", s.duration);
      done = true;
    });
    absl::Time ignored;
    pacing_ = o_.pace != nullptr;
    absl::Status waited = WaitUntil(
        s.duration, [&done](const cluster::Snapshot&) { return done.load(); }, &ignored, true,
        "the agent was not done");
    pacing_ = false;
    absl::Status ended = o_.hook("act_end", s.duration);
    agent.join();
    if (!waited.ok() && !absl::IsDeadlineExceeded(waited)) return waited;
    if (!acted.ok()) return acted;
    return ended;
  }

  // Samples every sample_every until `done` holds for a sample or `limit` has passed on the
  // cluster's clock. `*done_time` is the time of the sample that was done.
  template <typename Done>
  absl::Status WaitUntil(absl::Duration limit, Done done, absl::Time* done_time,
                         bool deadline_is_error, const std::string& what) {
    absl::Time start = o_.clock->Now();
    absl::Time deadline = start + limit;
    absl::Time next = start;
    while (true) {
      absl::Time now = o_.clock->Now();
      if (now >= next) {
        absl::StatusOr<cluster::Snapshot> snap = TakeSample(now);
        if (!snap.ok()) return snap.status();
        if (done(*snap)) {
          *done_time = now;
          return absl::OkStatus();
        }
        if (o_.progress != nullptr) {
          o_.progress->Waiting(incident_.id, now - start, deadline - now, restarts_,
                               static_cast<int>(oom_.size()));
        }
        // While paced, at most a sample a wall second: a faster clock is not sampled faster.
        next = now +
               (pacing_ ? std::max(incident_.sample_every, absl::Seconds(std::ceil(o_.pace_speed)))
                        : incident_.sample_every);
      }
      if (now >= deadline) {
        *done_time = now;
        if (!deadline_is_error) return absl::OkStatus();
        return absl::DeadlineExceededError(
            absl::StrCat(what, " within ", absl::FormatDuration(limit)));
      }
      if (Cancelled()) return absl::CancelledError("interrupted by a signal");
      absl::Duration slice = std::min({next - now, deadline - now, absl::Seconds(1)});
      if (pacing_) {
        // Keep the cluster's clock at the agent's pace, and look at `done` every slice.
        o_.pace->SleepFor(slice / std::max(o_.pace_speed, 1e-3));
        if (done(last_)) {
          *done_time = o_.clock->Now();
          return absl::OkStatus();
        }
      }
      o_.clock->SleepFor(slice);
      if (o_.clock->Now() <= now) {
        // The clock did not move (the sim's control endpoint failed): give up rather than spin.
        return absl::UnavailableError("the cluster's clock did not advance");
      }
    }
  }

  absl::StatusOr<cluster::Snapshot> TakeSample(absl::Time now) {
    absl::StatusOr<cluster::Snapshot> snap = kubectl_->GetSnapshot();
    if (!snap.ok()) return snap.status();
    Sample sample{now, *snap};
    Check(writer_->AddSample(sample));
    Count(sample.snapshot);
    last_ = sample.snapshot;
    result_.timeline.samples.push_back(std::move(sample));
    return last_;
  }

  // Running counts for progress: restarts since the first sample and distinct OOM kills.
  void Count(const cluster::Snapshot& snap) {
    for (const cluster::Pod& p : snap.pods) {
      for (const cluster::ContainerStatus& c : p.containers) {
        auto key = std::make_pair(p.name, c.name);
        auto [it, inserted] = first_restarts_.emplace(key, c.restart_count);
        (void)inserted;
        int& high = high_restarts_[key];
        if (c.restart_count - it->second > high) {
          restarts_ += c.restart_count - it->second - high;
          high = c.restart_count - it->second;
        }
        for (const auto* term : {&c.terminated, &c.last_terminated}) {
          if (term->has_value() && (*term)->reason == "OOMKilled" &&
              (*term)->finished_at >= result_.started) {
            oom_.insert(std::make_tuple(p.name, c.name, (*term)->finished_at));
          }
        }
      }
    }
  }

  bool Healthy(const cluster::Snapshot& snap) {
    std::vector<std::string> unready;
    for (const cluster::Deployment& d : snap.deployments) {
      if (d.ready_replicas < d.replicas || d.available_replicas < d.replicas ||
          d.updated_replicas < d.replicas) {
        unready.push_back(absl::StrCat(d.name, " (", d.ready_replicas, "/", d.replicas, " ready)"));
      }
    }
    unready_ = unready.empty() ? "" : absl::StrJoin(unready, ", ");
    return unready.empty() && !snap.deployments.empty();
  }

  absl::Status Probe(const Step& s) {
    absl::Time now = o_.clock->Now();
    if (s.probe == "job_log") {
      // With timestamps, so that the periodic tables become a series at their times; the
      // text keeps the rest (the final report) without them.
      absl::StatusOr<std::string> text = kubectl_->JobLogs(s.job, /*timestamps=*/true);
      if (!text.ok()) return text.status();
      LocustJobLog log = SplitLocustJobLog(*text);
      JobLogRecord r{now, s.job, s.role, std::move(log.text), std::move(log.stats)};
      Check(writer_->JobLog(r));
      result_.timeline.job_logs.push_back(std::move(r));
      return absl::OkStatus();
    }
    if (s.probe == "orders") return ProbeOrders(now);
    if (s.probe == "logs") return ProbeLogs(now);
    return absl::InvalidArgumentError(absl::StrCat("unknown probe '", s.probe, "'"));
  }

  // The orders created since window.start (less a minute), read through the orders service's
  // HAL pages (cluster::ReadOrders: from the newest page back).
  absl::Status ProbeOrders(absl::Time now) {
    absl::Time since = result_.started;
    for (const Mark& m : result_.timeline.marks) {
      if (m.name == "window.start") since = m.time;
    }
    absl::StatusOr<std::vector<nlohmann::json>> read =
        cluster::ReadOrders(kubectl_, since - absl::Minutes(1));
    if (!read.ok()) return read.status();
    nlohmann::json orders = nlohmann::json::array();
    for (nlohmann::json& o : *read) orders.push_back(std::move(o));
    ProbeRecord r{now, "orders", std::move(orders)};
    Check(writer_->Probe(r));
    result_.timeline.probes.push_back(std::move(r));
    return absl::OkStatus();
  }

  // Every container of every deployment's pod (the pods labelled `name`, as Sock Shop labels
  // them) since window.start, or the incident's start (LogsBySelector: a few kubectl calls at
  // once, split by the last sample's pods); and the previous
  // instance of each container that restarted.
  absl::Status ProbeLogs(absl::Time now) {
    absl::Time since = result_.started;
    for (const Mark& m : result_.timeline.marks) {
      if (m.name == "window.start") since = m.time;
    }
    std::map<std::string, const cluster::Pod*> pods;
    for (const cluster::Pod& p : last_.pods) pods[p.name] = &p;
    auto deployment_of = [&pods](const std::string& pod) {
      auto it = pods.find(pod);
      std::string name = it != pods.end() && it->second->owner_kind == "ReplicaSet"
                             ? it->second->owner_name
                             : pod.substr(0, pod.rfind('-'));
      return name.substr(0, name.rfind('-'));
    };
    // The previous instances are read while the selector's logs are: each a kubectl call.
    std::vector<std::pair<const cluster::Pod*, const cluster::ContainerStatus*>> restarted;
    for (const cluster::Pod& p : last_.pods) {
      if (p.owner_kind != "ReplicaSet" || p.deleting) continue;
      for (const cluster::ContainerStatus& c : p.containers) {
        if (c.restart_count > 0) restarted.push_back({&p, &c});
      }
    }
    std::vector<absl::StatusOr<std::string>> previous(restarted.size(), std::string());
    std::vector<std::thread> readers;
    for (size_t i = 0; i < restarted.size(); ++i) {
      readers.emplace_back([this, &restarted, &previous, since, i]() {
        previous[i] =
            kubectl_->Logs(restarted[i].first->name, restarted[i].second->name, true, since);
      });
    }
    absl::StatusOr<cluster::Kubectl::LogsByContainer> logs =
        kubectl_->LogsBySelector("name", since, last_.pods);
    for (std::thread& t : readers) t.join();
    if (!logs.ok()) return logs.status();
    for (const auto& [key, text] : *logs) {
      LogRecord r{now, key.first, key.second, deployment_of(key.first), false, text};
      Check(writer_->Logs(r));
      result_.timeline.logs.push_back(std::move(r));
    }
    for (size_t i = 0; i < restarted.size(); ++i) {
      if (!previous[i].ok()) continue;  // the previous instance's log may be gone
      const std::string& pod = restarted[i].first->name;
      LogRecord r{now, pod, restarted[i].second->name, deployment_of(pod), true, *previous[i]};
      Check(writer_->Logs(r));
      result_.timeline.logs.push_back(std::move(r));
    }
    return absl::OkStatus();
  }

  std::string FixPrefix() const {
    const cluster::KubectlTarget& t = kubectl_->target();
    std::string p = "kubectl";
    if (!t.kubeconfig.empty()) absl::StrAppend(&p, " --kubeconfig ", t.kubeconfig);
    absl::StrAppend(&p, " --context ", t.context, " --namespace ", t.ns);
    return p;
  }

  // After restore: every saved deployment has its replicas back, every failed restore step is
  // reported with the command that does it by hand.
  void VerifyRestored() {
    for (const Step* s : failed_restore_) {
      switch (s->kind) {
        case StepKind::kDelete:
          result_.left_broken.push_back(
              absl::StrCat("the objects of ", s->manifest, " may still exist: ", FixPrefix(),
                           " delete --ignore-not-found -f ", s->manifest_path));
          break;
        case StepKind::kApply:
          result_.left_broken.push_back(absl::StrCat(s->manifest, " was not applied: ", FixPrefix(),
                                                     " apply -f ", s->manifest_path));
          break;
        case StepKind::kWaitHealthy:
          if (!unready_.empty()) {
            result_.left_broken.push_back(absl::StrCat("not ready after restore: ", unready_,
                                                       "; look with ", FixPrefix(), " get pods"));
          }
          break;
        default:
          break;  // scale is checked below; waits and probes change nothing
      }
    }
    for (const auto& [name, replicas] : result_.timeline.saved_replicas) {
      absl::StatusOr<cluster::Deployment> d = kubectl_->GetDeployment(name);
      if (!d.ok()) {
        result_.left_broken.push_back(absl::StrCat(
            "cannot check deployment ", name, " (", d.status().message(), "); it had ", replicas,
            " replicas: ", FixPrefix(), " scale deployment/", name, " --replicas=", replicas));
        continue;
      }
      if (d->replicas != replicas) {
        result_.left_broken.push_back(
            absl::StrCat("deployment ", name, " has ", d->replicas, " replicas, had ", replicas,
                         ": ", FixPrefix(), " scale deployment/", name, " --replicas=", replicas));
      }
    }
  }

  cluster::Kubectl* kubectl_;
  const RunnerOptions& o_;
  const Incident& incident_;
  IncidentResult result_;
  std::unique_ptr<TimelineWriter> writer_;
  absl::Status write_status_;
  int cancel_level_ = 1;
  cluster::Snapshot last_;
  std::string unready_;
  bool pacing_ = false;  // while the hook "act" runs
  std::vector<const Step*> failed_restore_;
  std::map<std::pair<std::string, std::string>, int> first_restarts_, high_restarts_;
  int restarts_ = 0;
  std::set<std::tuple<std::string, std::string, absl::Time>> oom_;
};

IncidentRunner::IncidentRunner(cluster::Kubectl* kubectl, RunnerOptions options)
    : kubectl_(kubectl), options_(std::move(options)) {}

IncidentResult IncidentRunner::Run(const Incident& incident) {
  Run_ run(kubectl_, options_, incident);
  return run.Go();
}

std::vector<std::string> IncidentRunner::Cleanup(const Incident& incident,
                                                 const std::map<std::string, int>& saved) {
  std::vector<std::string> failed;
  const cluster::KubectlTarget& t = kubectl_->target();
  std::string fix = "kubectl";
  if (!t.kubeconfig.empty()) absl::StrAppend(&fix, " --kubeconfig ", t.kubeconfig);
  absl::StrAppend(&fix, " --context ", t.context, " --namespace ", t.ns);
  for (size_t i = 0; i < incident.cleanup.size(); ++i) {
    const Step& s = incident.cleanup[i];
    if (options_.progress != nullptr) {
      options_.progress->StepStarted(incident.id, "cleanup", static_cast<int>(i),
                                     static_cast<int>(incident.cleanup.size()), s.Describe());
    }
    absl::Status st;
    std::string by_hand;
    switch (s.kind) {
      case StepKind::kApply:
        st = kubectl_->Apply(s.manifest_path);
        by_hand = absl::StrCat(fix, " apply -f ", s.manifest_path);
        break;
      case StepKind::kDelete:
        st = kubectl_->Delete(s.manifest_path);
        by_hand = absl::StrCat(fix, " delete --ignore-not-found -f ", s.manifest_path);
        break;
      case StepKind::kScale: {
        int replicas = s.replicas;
        if (s.replicas_saved) {
          auto it = saved.find(s.deployment);
          if (it == saved.end()) {
            st = absl::FailedPreconditionError(
                absl::StrCat("no saved replicas for deployment ", s.deployment));
            break;
          }
          replicas = it->second;
        }
        st = kubectl_->Scale(s.deployment, replicas);
        by_hand = absl::StrCat(fix, " scale deployment/", s.deployment, " --replicas=", replicas);
        break;
      }
      default:
        st = absl::InvalidArgumentError("cleanup steps may only apply, delete or scale");
    }
    if (st.ok()) continue;
    std::string line =
        absl::StrCat("cleanup step ", i + 1, " (", s.Describe(), ") failed: ", st.message(),
                     by_hand.empty() ? "" : absl::StrCat("; by hand: ", by_hand));
    if (options_.progress != nullptr) options_.progress->Note(incident.id, line);
    failed.push_back(std::move(line));
  }
  return failed;
}

}  // namespace incident
}  // namespace sre_eval
