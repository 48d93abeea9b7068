#include "incident/timeline.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace incident {
namespace {

using nlohmann::json;

const std::string kFixtures = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/timelines/";

cluster::Pod CrashingPod() {
  cluster::Pod pod;
  pod.name = "front-end-6f8c9d7b5-x2k9p";
  pod.labels = {{"name", "front-end"}};
  pod.phase = "Running";
  pod.owner_kind = "ReplicaSet";
  pod.owner_name = "front-end-6f8c9d7b5";
  pod.resources = {{"front-end", "100m", "300Mi", "300m", "1000Mi"}};
  cluster::ContainerStatus c;
  c.name = "front-end";
  c.restart_count = 4;
  c.state = "waiting";
  c.waiting_reason = "CrashLoopBackOff";
  c.last_terminated = cluster::Termination{"OOMKilled", 137, At("2026-11-24T10:26:05Z"),
                                           At("2026-11-24T10:26:30Z")};
  pod.containers = {c};
  return pod;
}

cluster::Snapshot FullSnapshot() {
  cluster::Snapshot s;
  s.pods = {CrashingPod()};
  cluster::Deployment d;
  d.name = "front-end";
  d.replicas = 1;
  d.updated_replicas = 1;
  d.containers = {{"front-end", "100m", "300Mi", "300m", "1000Mi"}};
  s.deployments = {d};
  cluster::Job job;
  job.name = "locust-crash";
  job.labels = {{"app", "locust"}};
  job.args = {"--headless", "-u", "3000"};
  job.succeeded = 1;
  job.start_time = At("2026-11-24T10:23:05Z");
  job.outcome = "Complete";
  job.finished_at = At("2026-11-24T10:28:05Z");
  s.jobs = {job};
  cluster::Event e;
  e.name = "front-end-6f8c9d7b5-x2k9p.187a1";
  e.type = "Warning";
  e.reason = "BackOff";
  e.message = "Back-off restarting failed container";
  e.object_kind = "Pod";
  e.object_name = "front-end-6f8c9d7b5-x2k9p";
  e.count = 3;
  e.first_time = At("2026-11-24T10:24:52Z");
  e.last_time = At("2026-11-24T10:26:31Z");
  s.events = {e};
  s.metrics = {{"front-end-6f8c9d7b5-x2k9p",
                At("2026-11-24T10:26:35Z"),
                {{"front-end", 290, int64_t{996147200}}}}};
  return s;
}

TEST(TimelineTest, SnapshotJsonUsesTheStructsFieldNamesAndOmitsAbsentValues) {
  cluster::Snapshot s;
  s.pods = {CrashingPod()};
  EXPECT_EQ(ToJson(s).dump(),
            R"({"deployments":[],"events":[],"jobs":[],"metrics":[],"pods":[{"containers":[)"
            R"({"last_terminated":{"exit_code":137,"finished_at":"2026-11-24T10:26:30Z",)"
            R"("reason":"OOMKilled","started_at":"2026-11-24T10:26:05Z"},"name":"front-end",)"
            R"("ready":false,"restart_count":4,"state":"waiting",)"
            R"("waiting_reason":"CrashLoopBackOff"}],"deleting":false,)"
            R"("labels":{"name":"front-end"},"name":"front-end-6f8c9d7b5-x2k9p",)"
            R"("owner_kind":"ReplicaSet","owner_name":"front-end-6f8c9d7b5","phase":"Running",)"
            R"("resources":[{"cpu_limit":"300m","cpu_request":"100m","memory_limit":"1000Mi",)"
            R"("memory_request":"300Mi","name":"front-end"}]}]})");
}

void ExpectSameSnapshot(const cluster::Snapshot& a, const cluster::Snapshot& b) {
  // Every field is in the JSON, so equal JSON means equal values.
  EXPECT_EQ(ToJson(a).dump(), ToJson(b).dump());
  ASSERT_EQ(a.pods.size(), b.pods.size());
  EXPECT_EQ(a.pods[0].containers[0].last_terminated, b.pods[0].containers[0].last_terminated);
  EXPECT_EQ(a.pods[0].containers[0].terminated.has_value(),
            b.pods[0].containers[0].terminated.has_value());
  EXPECT_EQ(a.jobs[0].finished_at, b.jobs[0].finished_at);
  EXPECT_EQ(a.metrics[0].containers[0].memory_bytes, b.metrics[0].containers[0].memory_bytes);
}

TEST(TimelineTest, SnapshotJsonRoundTrips) {
  cluster::Snapshot s = FullSnapshot();
  absl::StatusOr<cluster::Snapshot> back = SnapshotFromJson(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameSnapshot(s, *back);
  EXPECT_EQ(back->pods[0].containers[0].running_since, absl::InfinitePast());
}

TEST(TimelineTest, SnapshotFromJsonNamesTheBadField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"pods":[{"containers":[{"restart_count":"4"}]}]})",
       "pods[0].containers[0].restart_count: expected an integer"},
      {R"({"pods":[{"labels":{"app":1}}]})", "pods[0].labels.app: expected a string"},
      {R"({"pods":{}})", "pods: expected an array"},
      {R"({"jobs":[3]})", "jobs[0]: expected an object"},
      {R"({"jobs":[{"args":["-u",3000]}]})", "jobs[0].args[1]: expected a string"},
      {R"({"events":[{"last_time":"yesterday"}]})",
       "events[0].last_time: expected an RFC 3339 time"},
      {R"({"pods":[{"containers":[{"terminated":{"exit_code":1.5}}]}]})",
       "pods[0].containers[0].terminated.exit_code: expected an integer"},
      {R"({"metrics":[{"containers":[{"memory_bytes":true}]}]})",
       "metrics[0].containers[0].memory_bytes: expected an integer"},
      {"[]", "snapshot: expected an object"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(SnapshotFromJson(json::parse(text)).status(), absl::InvalidArgumentError(message));
  }
}

TEST(TimelineTest, WriterWritesOneLinePerRecordAndReaderReadsThemBack) {
  TempDir dir;
  const std::string path = dir.path() + "/timeline.jsonl";
  Timeline t;
  t.incident = "crash";
  t.environment = "sim";
  t.context = "sre-eval-sim";
  t.ns = "sock-shop";
  t.sample_every = absl::Seconds(10);
  cluster::Snapshot snapshot = FullSnapshot();
  {
    absl::StatusOr<std::unique_ptr<TimelineWriter>> w = TimelineWriter::Open(path);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE((*w)->Header(t).ok());
    ASSERT_TRUE((*w)->Saved(At("2026-11-24T10:23:00Z"), {{"payment", 1}}).ok());
    StepRecord step{At("2026-11-24T10:23:05Z"),
                    At("2026-11-24T10:23:06.250Z"),
                    "steps",
                    1,
                    9,
                    "apply",
                    "apply manifests/locust-crash.yaml",
                    false,
                    "exit status 1"};
    ASSERT_TRUE((*w)->Step(step).ok());
    ASSERT_TRUE((*w)->AddMark({At("2026-11-24T10:23:05Z"), "window.start", ""}).ok());
    ASSERT_TRUE((*w)->AddSample({At("2026-11-24T10:26:40Z"), snapshot}).ok());
    // The file holds every line as soon as it is written.
    absl::StatusOr<std::string> partial = ReadFile(path);
    ASSERT_TRUE(partial.ok());
    EXPECT_EQ(std::vector<std::string>(absl::StrSplit(*partial, '\n')).size(), 6u);
    ASSERT_TRUE((*w)->AddMark({At("2026-11-24T10:28:10Z"), "window.end", "locust-crash"}).ok());
    ASSERT_TRUE((*w)->Logs({At("2026-11-24T10:28:12Z"), "front-end-6f8c9d7b5-x2k9p", "front-end",
                            "front-end", true, "line 1\nline \"2\"\n"})
                    .ok());
    ASSERT_TRUE(
        (*w)->JobLog({At("2026-11-24T10:28:11Z"),
                      "locust-crash",
                      "load",
                      "report\n",
                      {{At("2026-11-24T10:23:07.5Z"), 0, 0, 0, 0, 0, 0, 0, 0},
                       {At("2026-11-24T10:23:09.5Z"), 1532, 50, 58, 5, 359, 52, 78.8, 4.1}}})
            .ok());
    ASSERT_TRUE(
        (*w)->Probe({At("2026-11-24T10:28:13Z"), "orders", json::parse(R"([{"id":"x"}])")}).ok());
    ASSERT_TRUE((*w)->Interrupted(At("2026-11-24T10:28:14Z"), "SIGINT").ok());
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  std::vector<std::string> lines = absl::StrSplit(*text, '\n');
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[0],
            R"({"context":"sre-eval-sim","environment":"sim","incident":"crash",)"
            R"("namespace":"sock-shop","sample_every":10,"schema_version":1,"type":"header"})");
  EXPECT_EQ(lines[1], R"({"replicas":{"payment":1},"time":"2026-11-24T10:23:00Z","type":"saved"})");
  EXPECT_EQ(lines[2],
            R"({"action":"apply","describe":"apply manifests/locust-crash.yaml",)"
            R"("end":"2026-11-24T10:23:06.25Z","error":"exit status 1","index":1,"line":9,)"
            R"("ok":false,"phase":"steps","time":"2026-11-24T10:23:05Z","type":"step"})");
  EXPECT_EQ(lines[3], R"({"name":"window.start","time":"2026-11-24T10:23:05Z","type":"mark"})");
  EXPECT_EQ(lines[5], R"({"job":"locust-crash","name":"window.end",)"
                      R"("time":"2026-11-24T10:28:10Z","type":"mark"})");
  EXPECT_EQ(lines[7],
            R"({"job":"locust-crash","role":"load","stats":[{"avg_ms":0,"failures":0,)"
            R"("failures_per_s":0.0,"max_ms":0,"median_ms":0,"min_ms":0,"requests":0,"rps":0.0,)"
            R"("time":"2026-11-24T10:23:07.5Z"},{"avg_ms":58,"failures":50,"failures_per_s":4.1,)"
            R"("max_ms":359,"median_ms":52,"min_ms":5,"requests":1532,"rps":78.8,)"
            R"("time":"2026-11-24T10:23:09.5Z"}],"text":"report\n","time":"2026-11-24T10:28:11Z",)"
            R"("type":"job_log"})");
  EXPECT_EQ(lines[9], R"({"signal":"SIGINT","time":"2026-11-24T10:28:14Z","type":"interrupted"})");
  EXPECT_EQ(lines[10], "");

  absl::StatusOr<Timeline> back = ReadTimeline(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->incident, "crash");
  EXPECT_EQ(back->environment, "sim");
  EXPECT_EQ(back->context, "sre-eval-sim");
  EXPECT_EQ(back->ns, "sock-shop");
  EXPECT_EQ(back->sample_every, absl::Seconds(10));
  EXPECT_EQ(back->saved_time, At("2026-11-24T10:23:00Z"));
  EXPECT_EQ(back->saved_replicas, (std::map<std::string, int>{{"payment", 1}}));
  ASSERT_EQ(back->steps.size(), 1u);
  EXPECT_EQ(back->steps[0].end, At("2026-11-24T10:23:06.250Z"));
  EXPECT_EQ(back->steps[0].line, 9);
  EXPECT_FALSE(back->steps[0].ok);
  EXPECT_EQ(back->steps[0].error, "exit status 1");
  ASSERT_EQ(back->marks.size(), 2u);
  EXPECT_EQ(back->marks[1].name, "window.end");
  EXPECT_EQ(back->marks[1].job, "locust-crash");
  EXPECT_EQ(back->marks[0].job, "");
  ASSERT_EQ(back->samples.size(), 1u);
  EXPECT_EQ(back->samples[0].time, At("2026-11-24T10:26:40Z"));
  ExpectSameSnapshot(snapshot, back->samples[0].snapshot);
  ASSERT_EQ(back->logs.size(), 1u);
  EXPECT_TRUE(back->logs[0].previous);
  EXPECT_EQ(back->logs[0].text, "line 1\nline \"2\"\n");
  EXPECT_EQ(back->logs[0].deployment, "front-end");
  ASSERT_EQ(back->job_logs.size(), 1u);
  EXPECT_EQ(back->job_logs[0].role, "load");
  EXPECT_EQ(back->job_logs[0].text, "report\n");
  ASSERT_EQ(back->job_logs[0].stats.size(), 2u);
  EXPECT_EQ(back->job_logs[0].stats[0].time, At("2026-11-24T10:23:07.5Z"));
  EXPECT_EQ(back->job_logs[0].stats[0].requests, 0);
  const LocustStatsPoint& p = back->job_logs[0].stats[1];
  EXPECT_EQ(p.time, At("2026-11-24T10:23:09.5Z"));
  EXPECT_EQ(p.requests, 1532);
  EXPECT_EQ(p.failures, 50);
  EXPECT_EQ(p.avg_ms, 58);
  EXPECT_EQ(p.min_ms, 5);
  EXPECT_EQ(p.max_ms, 359);
  EXPECT_EQ(p.median_ms, 52);
  EXPECT_DOUBLE_EQ(p.rps, 78.8);
  EXPECT_DOUBLE_EQ(p.failures_per_s, 4.1);
  ASSERT_EQ(back->probes.size(), 1u);
  EXPECT_EQ(back->probes[0].data, json::parse(R"([{"id":"x"}])"));
  EXPECT_TRUE(back->interrupted);
}

std::vector<std::pair<std::string, int>> EventKeys(const Sample& s) {
  std::vector<std::pair<std::string, int>> keys;
  for (const cluster::Event& e : s.snapshot.events) keys.emplace_back(e.name, e.count);
  return keys;
}

TEST(TimelineTest, ReadsEventsInArrivalOrder) {
  absl::StatusOr<Timeline> t = ReadTimeline(kFixtures + "events_out_of_order.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->samples.size(), 2u);
  using Keys = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(EventKeys(t->samples[0]), (Keys{{"front-end.b2", 1}, {"front-end.a1", 1}}));
  EXPECT_EQ(EventKeys(t->samples[1]), (Keys{{"front-end.c3", 1}, {"front-end.b2", 3}}));
  const cluster::Event& pulled = t->samples[1].snapshot.events[0];
  EXPECT_EQ(pulled.reason, "Pulled");
  EXPECT_EQ(pulled.last_time, At("2026-11-24T10:24:20Z"));
  const cluster::Event& backoff = t->samples[1].snapshot.events[1];
  EXPECT_EQ(backoff.first_time, At("2026-11-24T10:24:52Z"));
  EXPECT_EQ(backoff.last_time, At("2026-11-24T10:25:39Z"));
}

TEST(TimelineTest, WriterKeepsOnlyEventsNewOrChangedSinceItsLastSample) {
  absl::StatusOr<Timeline> fixture = ReadTimeline(kFixtures + "events_out_of_order.jsonl");
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  // What `kubectl get events` lists at each sample: everything so far, in any order.
  std::vector<cluster::Event> all = fixture->samples[0].snapshot.events;
  Sample first{At("2026-11-24T10:25:00Z"), {}};
  first.snapshot.events = all;
  Sample second{At("2026-11-24T10:26:00Z"), {}};
  second.snapshot.events = {fixture->samples[1].snapshot.events[0], all[1],
                            fixture->samples[1].snapshot.events[1]};
  Sample third{At("2026-11-24T10:27:00Z"), {}};
  third.snapshot.events = second.snapshot.events;

  TempDir dir;
  const std::string path = dir.path() + "/timeline.jsonl";
  {
    absl::StatusOr<std::unique_ptr<TimelineWriter>> w = TimelineWriter::Open(path);
    ASSERT_TRUE(w.ok()) << w.status();
    Timeline header;
    header.incident = "crash";
    ASSERT_TRUE((*w)->Header(header).ok());
    ASSERT_TRUE((*w)->AddSample(first).ok());
    ASSERT_TRUE((*w)->AddSample(second).ok());
    ASSERT_TRUE((*w)->AddSample(third).ok());
  }
  absl::StatusOr<Timeline> t = ReadTimeline(path);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->samples.size(), 3u);
  using Keys = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(EventKeys(t->samples[0]), (Keys{{"front-end.b2", 1}, {"front-end.a1", 1}}));
  // a1 again: dropped; c3 is new; b2 changed (count 3). Nothing changed after that.
  EXPECT_EQ(EventKeys(t->samples[1]), (Keys{{"front-end.c3", 1}, {"front-end.b2", 3}}));
  EXPECT_EQ(EventKeys(t->samples[2]), Keys{});
}

TEST(TimelineTest, ErrorsNameTheFileLineAndField) {
  const std::string header =
      R"({"type":"header","schema_version":1,"incident":"crash","environment":"sim"})";
  const std::pair<std::string, const char*> cases[] = {
      {header + "\n" +
           R"({"type":"sample","time":"2026-11-24T10:24:30Z","pods":[{"name":"a"},)"
           R"({"name":"b","containers":[{"restart_count":"1"}]}]})",
       "t/timeline.jsonl:2: sample: pods[1].containers[0].restart_count: expected an integer"},
      {header + "\n\n" + R"({"type":"mark","name":"window.start"})",
       "t/timeline.jsonl:3: mark: time: missing"},
      {header + "\n" + R"({"type":"mark","time":"10:23","name":"window.start"})",
       "t/timeline.jsonl:2: mark: time: expected an RFC 3339 time"},
      {header + "\n" +
           R"({"type":"saved","time":"2026-11-24T10:23:00Z","replicas":{"payment":"1"}})",
       "t/timeline.jsonl:2: saved: replicas.payment: expected an integer"},
      {header + "\n" + R"({"type":"step","time":"2026-11-24T10:23:00Z","ok":"yes"})",
       "t/timeline.jsonl:2: step: ok: expected a boolean"},
      {header + "\n" + R"({"type":"logs","time":"2026-11-24T10:23:00Z","text":["a"]})",
       "t/timeline.jsonl:2: logs: text: expected a string"},
      {header + "\n" + R"({"type":"job_log","time":"2026-11-24T10:23:00Z","stats":{}})",
       "t/timeline.jsonl:2: job_log: stats: expected an array"},
      {header + "\n" +
           R"({"type":"job_log","time":"2026-11-24T10:23:00Z","stats":[{"time":"2026-11-24T10:23:00Z",)"
           R"("requests":10},{"requests":20}]})",
       "t/timeline.jsonl:2: job_log: stats[1].time: missing"},
      {header + "\n" +
           R"({"type":"job_log","time":"2026-11-24T10:23:00Z","stats":[{"time":"2026-11-24T10:23:00Z",)"
           R"("requests":10,"rps":"1.5"}]})",
       "t/timeline.jsonl:2: job_log: stats[0].rps: expected a number"},
      {header + "\n" + R"({"type":"sample","time":"2026-11-24T10:23:00Z")",
       "t/timeline.jsonl:2:47: not valid JSON: unexpected end of input"},
      {header + "\n" + "[1,2]", "t/timeline.jsonl:2: expected a JSON object"},
      {header + "\n" + R"({"time":"2026-11-24T10:23:00Z"})",
       "t/timeline.jsonl:2: type: expected a string"},
      {header + "\n" + R"({"type":"note","time":"2026-11-24T10:23:00Z"})",
       "t/timeline.jsonl:2: unknown type 'note'"},
      {header + "\n" + header, "t/timeline.jsonl:2: header: a second header line"},
      {R"({"type":"mark","time":"2026-11-24T10:23:00Z","name":"window.start"})",
       "t/timeline.jsonl:1: mark: expected the header line first"},
      {R"({"type":"header","schema_version":2})",
       "t/timeline.jsonl:1: header: schema_version 2 is not supported (expected 1)"},
      {R"({"type":"header","schema_version":1,"sample_every":"10s"})",
       "t/timeline.jsonl:1: header: sample_every: expected a number"},
      {"\n\n", "t/timeline.jsonl: no header line"},
      // Found by fuzzing (tests/fuzz/corpus/timeline_jsonl/crash-empty-incident): a timeline
      // without its incident gave a truth.json that scoring rejects.
      {R"({"type":"header","schema_version":1})", "t/timeline.jsonl:1: header: incident: missing"},
      {R"({"type":"header","schema_version":1,"incident":""})",
       "t/timeline.jsonl:1: header: incident: expected a non-empty string"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseTimeline(text, "t/timeline.jsonl").status(),
              absl::InvalidArgumentError(message));
  }
}

TEST(TimelineTest, ReadTimelineReportsAMissingFile) {
  TempDir dir;
  absl::StatusOr<Timeline> t = ReadTimeline(dir.path() + "/none.jsonl");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
}

TEST(TimelineTest, ReadsTheHandWrittenFixtures) {
  for (const char* name : {"crash_multi_restart.jsonl", "events_out_of_order.jsonl",
                           "payment.jsonl", "payment_upstream.jsonl"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<Timeline> t = ReadTimeline(kFixtures + name);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_FALSE(t->samples.empty());
    EXPECT_EQ(t->environment, "sim");
    EXPECT_EQ(t->ns, "sock-shop");
  }
}

TEST(TimelineTest, AJobLogWithoutStatsReadsAsAnEmptySeries) {
  // Timelines written before the stats field, and Jobs run with --only-summary ("stats":[]).
  const std::string header = R"({"type":"header","schema_version":1,"incident":"payment"})";
  for (const std::string stats : {"", R"(,"stats":[])"}) {
    absl::StatusOr<Timeline> t = ParseTimeline(
        header + "\n" +
            R"({"type":"job_log","time":"2026-11-24T10:23:00Z","job":"locust-payment",)" +
            R"("role":"load","text":"report\n")" + stats + "}\n",
        "t/timeline.jsonl");
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ(t->job_logs.size(), 1u);
    EXPECT_EQ(t->job_logs[0].text, "report\n");
    EXPECT_TRUE(t->job_logs[0].stats.empty());
  }
}

}  // namespace
}  // namespace incident
}  // namespace sre_eval
