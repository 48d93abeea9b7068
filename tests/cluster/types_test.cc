#include "cluster/types.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"

namespace sre_eval {
namespace cluster {
namespace {

using nlohmann::json;

// A front-end pod after an OOM kill, in CrashLoopBackOff (the shape of
// shared/reference/sockshop/k8s_examples/pod_carts_oomkilled_crashloopbackoff).
const char kOomPod[] = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {
    "name": "front-end-6d5f8b7c4-x2k4p", "namespace": "sock-shop",
    "labels": {"name": "front-end", "pod-template-hash": "6d5f8b7c4"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                         "name": "front-end-6d5f8b7c4", "controller": true}]
  },
  "spec": {"containers": [{"name": "front-end", "image": "weaveworksdemos/front-end:0.3.12",
    "resources": {"limits": {"cpu": "300m", "memory": "1000Mi"},
                  "requests": {"cpu": "100m", "memory": "300Mi"}}}]},
  "status": {
    "phase": "Running",
    "containerStatuses": [{
      "name": "front-end", "ready": false, "started": false, "restartCount": 4,
      "state": {"waiting": {"reason": "CrashLoopBackOff",
                            "message": "back-off 1m20s restarting failed container"}},
      "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                   "startedAt": "2026-11-24T10:02:31Z",
                                   "finishedAt": "2026-11-24T10:03:10Z"}}
    }],
    "startTime": "2026-11-24T10:00:01Z"
  }
})";

TEST(ParsePodTest, OomKilledInCrashLoopBackOff) {
  absl::StatusOr<Pod> pod = ParsePod(json::parse(kOomPod));
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->name, "front-end-6d5f8b7c4-x2k4p");
  EXPECT_EQ(pod->labels.at("name"), "front-end");
  EXPECT_EQ(pod->labels.size(), 2u);
  EXPECT_EQ(pod->phase, "Running");
  EXPECT_EQ(pod->owner_kind, "ReplicaSet");
  EXPECT_EQ(pod->owner_name, "front-end-6d5f8b7c4");
  EXPECT_FALSE(pod->deleting);
  ASSERT_EQ(pod->resources.size(), 1u);
  EXPECT_EQ(pod->resources[0].name, "front-end");
  EXPECT_EQ(pod->resources[0].cpu_request, "100m");
  EXPECT_EQ(pod->resources[0].memory_request, "300Mi");
  EXPECT_EQ(pod->resources[0].cpu_limit, "300m");
  EXPECT_EQ(pod->resources[0].memory_limit, "1000Mi");
  ASSERT_EQ(pod->containers.size(), 1u);
  const ContainerStatus& c = pod->containers[0];
  EXPECT_EQ(c.name, "front-end");
  EXPECT_FALSE(c.ready);
  EXPECT_EQ(c.restart_count, 4);
  EXPECT_EQ(c.state, "waiting");
  EXPECT_EQ(c.waiting_reason, "CrashLoopBackOff");
  EXPECT_EQ(c.running_since, absl::InfinitePast());
  EXPECT_FALSE(c.terminated.has_value());
  ASSERT_TRUE(c.last_terminated.has_value());
  Termination want;
  want.reason = "OOMKilled";
  want.exit_code = 137;
  want.started_at = At("2026-11-24T10:02:31Z");
  want.finished_at = At("2026-11-24T10:03:10Z");
  EXPECT_EQ(*c.last_terminated, want);
}

TEST(ParsePodTest, RunningTerminatingAndTerminatedContainers) {
  json pod = json::parse(R"({
    "metadata": {"name": "payment-7c9d8b6f5-m3n4b", "deletionTimestamp": "2026-11-24T10:08:30Z"},
    "status": {"phase": "Running", "containerStatuses": [
      {"name": "payment", "ready": true, "restartCount": 0,
       "state": {"running": {"startedAt": "2026-11-24T09:10:00.5Z"}}, "lastState": {}},
      {"name": "sidecar", "ready": false, "restartCount": 1,
       "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                "startedAt": "2026-11-24T09:10:00Z", "finishedAt": null}}},
      {"name": "new", "ready": false, "restartCount": 0, "state": {}}
    ]}})");
  absl::StatusOr<Pod> p = ParsePod(pod);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->deleting);
  EXPECT_EQ(p->owner_kind, "");
  EXPECT_TRUE(p->resources.empty());
  ASSERT_EQ(p->containers.size(), 3u);
  EXPECT_EQ(p->containers[0].state, "running");
  EXPECT_TRUE(p->containers[0].ready);
  EXPECT_EQ(p->containers[0].running_since, At("2026-11-24T09:10:00Z") + absl::Milliseconds(500));
  EXPECT_FALSE(p->containers[0].last_terminated.has_value());
  EXPECT_EQ(p->containers[1].state, "terminated");
  ASSERT_TRUE(p->containers[1].terminated.has_value());
  EXPECT_EQ(p->containers[1].terminated->reason, "Completed");
  EXPECT_EQ(p->containers[1].terminated->exit_code, 0);
  EXPECT_EQ(p->containers[1].terminated->finished_at, absl::InfinitePast());
  EXPECT_EQ(p->containers[2].state, "");
}

TEST(ParsePodTest, ErrorsNameThePodAndTheField) {
  struct Case {
    const char* json;
    const char* error;
  } cases[] = {
      {R"({"metadata": {"name": "front-end-x"},
           "status": {"containerStatuses": [{"name": "a", "restartCount": "4"}]}})",
       "pod front-end-x: status.containerStatuses[0].restartCount: expected a number"},
      {R"({"metadata": {"name": "front-end-x"},
           "status": {"containerStatuses": [{}, {"ready": "yes"}]}})",
       "pod front-end-x: status.containerStatuses[1].ready: expected true or false"},
      {R"({"metadata": {"name": "p"}, "status": {"phase": 3}})",
       "pod p: status.phase: expected a string"},
      {R"({"metadata": {"name": "p"}, "status": {"containerStatuses": {}}})",
       "pod p: status.containerStatuses: expected an array"},
      {R"({"metadata": {"name": "p"}, "metadata2": 1, "spec": []})",
       "pod p: spec: expected an object"},
      {R"({"metadata": {"name": "p", "labels": {"a": 1}}})",
       "pod p: metadata.labels.a: expected a string"},
      {R"({"metadata": {"name": "p"}, "status": {"containerStatuses": [
           {"lastState": {"terminated": {"finishedAt": "yesterday"}}}]}})",
       "pod p: status.containerStatuses[0].lastState.terminated.finishedAt: \"yesterday\" is not "
       "an RFC 3339 time"},
      {R"({"metadata": {"name": "p"}, "spec": {"containers": [
           {"name": "c", "resources": {"limits": {"cpu": true}}}]}})",
       "pod p: spec.containers[0].resources.limits.cpu: expected a quantity"},
      {R"({"status": {"containerStatuses": [{"restartCount": 1.5}]}})",
       "pod (unnamed): status.containerStatuses[0].restartCount: expected a whole number"},
      {R"({"metadata": {"name": 5}})", "pod (unnamed): metadata.name: expected a string"},
      {R"([1, 2])", "pod: expected a JSON object"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Pod> pod = ParsePod(json::parse(c.json));
    ASSERT_FALSE(pod.ok()) << c.json;
    EXPECT_EQ(pod.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(pod.status().message(), c.error);
  }
}

TEST(ParseDeploymentTest, StatusAndTemplateResources) {
  absl::StatusOr<Deployment> d = ParseDeployment(json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "carts", "namespace": "sock-shop"},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [
      {"name": "carts", "resources": {"limits": {"cpu": 1, "memory": "500Mi"}}}]}}},
    "status": {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 1,
               "availableReplicas": 1, "unavailableReplicas": 1}})"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->name, "carts");
  EXPECT_EQ(d->replicas, 2);
  EXPECT_EQ(d->ready_replicas, 1);
  EXPECT_EQ(d->available_replicas, 1);
  EXPECT_EQ(d->updated_replicas, 2);
  ASSERT_EQ(d->containers.size(), 1u);
  EXPECT_EQ(d->containers[0].name, "carts");
  EXPECT_EQ(d->containers[0].cpu_limit, "1");  // a number in a hand-written manifest
  EXPECT_EQ(d->containers[0].memory_limit, "500Mi");
  EXPECT_EQ(d->containers[0].cpu_request, "");
}

TEST(ParseDeploymentTest, ScaledToZeroHasNoReadyReplicas) {
  absl::StatusOr<Deployment> d = ParseDeployment(
      json::parse(R"({"metadata": {"name": "payment"}, "spec": {"replicas": 0}, "status": {}})"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->replicas, 0);
  EXPECT_EQ(d->ready_replicas, 0);
  EXPECT_EQ(d->available_replicas, 0);
}

TEST(ParseJobTest, FailedWithBackoffLimitExceeded) {
  absl::StatusOr<Job> job = ParseJob(json::parse(R"({
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {"name": "locust-payment", "labels": {"sre-eval/incident": "payment"}},
    "spec": {"backoffLimit": 0, "template": {"spec": {"containers": [{"name": "locust",
      "args": ["-f", "/mnt/locust/locustfile.py", "--headless", "-u", "20"]}]}}},
    "status": {"startTime": "2026-11-24T10:00:05Z", "failed": 1, "active": 0,
      "conditions": [
        {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
         "lastTransitionTime": "2026-11-24T10:02:00Z"},
        {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
         "message": "Job has reached the specified backoff limit",
         "lastTransitionTime": "2026-11-24T10:02:01Z"}]}})"));
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->name, "locust-payment");
  EXPECT_EQ(job->labels.at("sre-eval/incident"), "payment");
  EXPECT_EQ(job->args, (std::vector<std::string>{"-f", "/mnt/locust/locustfile.py", "--headless",
                                                 "-u", "20"}));
  EXPECT_EQ(job->active, 0);
  EXPECT_EQ(job->succeeded, 0);
  EXPECT_EQ(job->failed, 1);
  EXPECT_EQ(job->start_time, At("2026-11-24T10:00:05Z"));
  EXPECT_EQ(job->outcome, "Failed");
  EXPECT_EQ(job->finished_at, At("2026-11-24T10:02:01Z"));
}

TEST(ParseJobTest, CompleteAndRunning) {
  absl::StatusOr<Job> done = ParseJob(json::parse(R"({
    "metadata": {"name": "locust-crash"},
    "status": {"startTime": "2026-11-24T10:00:05Z", "completionTime": "2026-11-24T10:03:07Z",
      "succeeded": 1, "conditions": [
        {"type": "Complete", "status": "True", "lastTransitionTime": "2026-11-24T10:03:08Z"}]}})"));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->outcome, "Complete");
  EXPECT_EQ(done->succeeded, 1);
  EXPECT_EQ(done->finished_at, At("2026-11-24T10:03:07Z"));
  EXPECT_TRUE(done->args.empty());

  absl::StatusOr<Job> running = ParseJob(json::parse(R"({
    "metadata": {"name": "locust-crash"},
    "status": {"startTime": "2026-11-24T10:00:05Z", "active": 1, "conditions": [
      {"type": "Failed", "status": "False"}]}})"));
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(running->active, 1);
  EXPECT_EQ(running->outcome, "");
  EXPECT_EQ(running->finished_at, absl::InfinitePast());
}

TEST(ParseJobTest, ArgsMustBeStrings) {
  absl::StatusOr<Job> job = ParseJob(json::parse(R"({"metadata": {"name": "j"},
    "spec": {"template": {"spec": {"containers": [{"args": ["-u", 20]}]}}}})"));
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message(),
            "job j: spec.template.spec.containers[0].args[1]: expected a string");
}

TEST(ParseEventTest, CoreTimestamps) {
  absl::StatusOr<Event> e = ParseEvent(json::parse(R"({
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "carts-5f7c8d9b6d-x2k4p.17cb1a2e3f4d5a6b", "namespace": "sock-shop"},
    "involvedObject": {"kind": "Pod", "name": "carts-5f7c8d9b6d-x2k4p",
                       "fieldPath": "spec.containers{carts}"},
    "reason": "BackOff", "message": "Back-off restarting failed container carts",
    "firstTimestamp": "2024-05-01T10:01:05Z", "lastTimestamp": "2024-05-01T10:03:12Z",
    "count": 6, "type": "Warning", "eventTime": null})"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->name, "carts-5f7c8d9b6d-x2k4p.17cb1a2e3f4d5a6b");
  EXPECT_EQ(e->type, "Warning");
  EXPECT_EQ(e->reason, "BackOff");
  EXPECT_EQ(e->message, "Back-off restarting failed container carts");
  EXPECT_EQ(e->object_kind, "Pod");
  EXPECT_EQ(e->object_name, "carts-5f7c8d9b6d-x2k4p");
  EXPECT_EQ(e->count, 6);
  EXPECT_EQ(e->first_time, At("2024-05-01T10:01:05Z"));
  EXPECT_EQ(e->last_time, At("2024-05-01T10:03:12Z"));
}

TEST(ParseEventTest, EventTimeOnly) {
  absl::StatusOr<Event> e = ParseEvent(json::parse(R"({
    "metadata": {"name": "locust-payment.1"}, "type": "Normal", "reason": "SuccessfulCreate",
    "involvedObject": {"kind": "Job", "name": "locust-payment"},
    "firstTimestamp": null, "lastTimestamp": null,
    "eventTime": "2026-11-24T10:00:05.123456Z"})"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->count, 1);
  EXPECT_EQ(e->first_time, At("2026-11-24T10:00:05Z") + absl::Microseconds(123456));
  EXPECT_EQ(e->last_time, e->first_time);
}

TEST(ParseEventTest, EventTimeWithSeries) {
  absl::StatusOr<Event> e = ParseEvent(json::parse(R"({
    "metadata": {"name": "front-end.2"}, "type": "Warning", "reason": "BackOff",
    "firstTimestamp": null, "lastTimestamp": null,
    "eventTime": "2026-11-24T10:01:00.000000Z",
    "series": {"count": 5, "lastObservedTime": "2026-11-24T10:04:30.250000Z"}})"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->count, 5);
  EXPECT_EQ(e->first_time, At("2026-11-24T10:01:00Z"));
  EXPECT_EQ(e->last_time, At("2026-11-24T10:04:30Z") + absl::Milliseconds(250));
}

TEST(ParseEventTest, BadCount) {
  absl::StatusOr<Event> e =
      ParseEvent(json::parse(R"({"metadata": {"name": "e1"}, "count": "six"})"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "event e1: count: expected a number");
}

TEST(ParsePodMetricsTest, UsageInMillicoresAndBytes) {
  absl::StatusOr<PodMetrics> m = ParsePodMetrics(json::parse(R"({
    "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
    "metadata": {"name": "front-end-6d5f8b7c4-x2k4p", "namespace": "sock-shop"},
    "timestamp": "2026-11-24T10:04:41Z", "window": "15.007s",
    "containers": [{"name": "front-end", "usage": {"cpu": "287530412n", "memory": "812344Ki"}},
                   {"name": "idle", "usage": {}}]})"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->pod, "front-end-6d5f8b7c4-x2k4p");
  EXPECT_EQ(m->timestamp, At("2026-11-24T10:04:41Z"));
  ASSERT_EQ(m->containers.size(), 2u);
  EXPECT_EQ(m->containers[0].name, "front-end");
  EXPECT_EQ(m->containers[0].cpu_millicores, 288);
  EXPECT_EQ(m->containers[0].memory_bytes, 812344 * 1024);
  EXPECT_EQ(m->containers[1].cpu_millicores, 0);
  EXPECT_EQ(m->containers[1].memory_bytes, 0);
}

TEST(ParsePodMetricsTest, BadQuantityNamesTheField) {
  absl::StatusOr<PodMetrics> m = ParsePodMetrics(json::parse(R"({"metadata": {"name": "p"},
    "containers": [{"name": "c", "usage": {"cpu": "12 cores"}}]})"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "pod metrics p: containers[0].usage.cpu: \"12 cores\" is not a CPU quantity");
}

TEST(ParseSnapshotListTest, SplitsMixedKinds) {
  json list = json::parse(R"({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [
    {"kind": "Pod", "metadata": {"name": "p1"}},
    {"kind": "Deployment", "metadata": {"name": "d1"}, "spec": {"replicas": 1}},
    {"kind": "Service", "metadata": {"name": "s1"}},
    {"kind": "Pod", "metadata": {"name": "p2"}},
    {"kind": "Job", "metadata": {"name": "j1"}},
    {"kind": "Event", "metadata": {"name": "e1"}, "reason": "Scheduled"}]})");
  absl::StatusOr<Snapshot> s = ParseSnapshotList(list);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->pods.size(), 2u);
  EXPECT_EQ(s->pods[0].name, "p1");
  EXPECT_EQ(s->pods[1].name, "p2");
  ASSERT_EQ(s->deployments.size(), 1u);
  EXPECT_EQ(s->deployments[0].replicas, 1);
  ASSERT_EQ(s->jobs.size(), 1u);
  EXPECT_EQ(s->jobs[0].name, "j1");
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].reason, "Scheduled");
  EXPECT_TRUE(s->metrics.empty());
}

TEST(ParseSnapshotListTest, Errors) {
  struct Case {
    const char* json;
    const char* error;
  } cases[] = {
      {R"({"kind": "Pod"})", "list: kind: expected a List, got \"Pod\""},
      {R"({"kind": "PodList", "items": {}})", "list: items: expected an array"},
      {R"({"kind": "List", "items": [3]})", "list: items[0]: expected an object"},
      {R"({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p"},
           "status": {"phase": false}}]})",
       "pod p: status.phase: expected a string"},
      {R"("List")", "list: expected a JSON object"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Snapshot> s = ParseSnapshotList(json::parse(c.json));
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(), c.error);
  }
}

TEST(QuantityTest, CpuMillicores) {
  struct Case {
    const char* q;
    int64_t want;
  } cases[] = {
      {"300m", 300}, {"1", 1000},      {"2500000n", 3}, {"2499999n", 2},     {"0.5", 500},
      {"0.0005", 1}, {"0.0004", 0},    {"1500u", 2},    {"250000000n", 250}, {"2k", 2000000},
      {"1e-3", 1},   {"1E3", 1000000}, {"0", 0},        {".25", 250},        {"007m", 7},
      {"1.5m", 2},
  };
  for (const Case& c : cases) {
    absl::StatusOr<int64_t> v = ParseCpuMillicores(c.q);
    ASSERT_TRUE(v.ok()) << c.q << ": " << v.status();
    EXPECT_EQ(*v, c.want) << c.q;
  }
}

TEST(QuantityTest, MemoryBytes) {
  struct Case {
    const char* q;
    int64_t want;
  } cases[] = {
      {"1000Mi", 1048576000},
      {"1Gi", 1073741824},
      {"512M", 512000000},
      {"123456Ki", 126418944},
      {"1e3", 1000},
      {"0.5Ki", 512},
      {"1.5", 2},  // a fraction of a byte rounds up
      {"100m", 1},
      {"7Ei", int64_t{7} << 60},
  };
  for (const Case& c : cases) {
    absl::StatusOr<int64_t> v = ParseMemoryBytes(c.q);
    ASSERT_TRUE(v.ok()) << c.q << ": " << v.status();
    EXPECT_EQ(*v, c.want) << c.q;
  }
}

TEST(QuantityTest, Errors) {
  struct Case {
    const char* q;
    const char* error;
  } cases[] = {
      {"", "\"\" is not a memory quantity"},
      {"Mi", "\"Mi\" is not a memory quantity"},
      {"1MB", "\"1MB\" is not a memory quantity"},
      {"1mi", "\"1mi\" is not a memory quantity"},
      {"-1Gi", "\"-1Gi\" is not a memory quantity"},
      {"1.2.3", "\"1.2.3\" is not a memory quantity"},
      {" 1Gi", "\" 1Gi\" is not a memory quantity"},
      {"1e", "\"1e\" is not a memory quantity"},
      {".", "\".\" is not a memory quantity"},
      {"8Ei", "\"8Ei\" is out of range"},
      {"99999999999999999999", "\"99999999999999999999\" is out of range"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<int64_t> v = ParseMemoryBytes(c.q);
    ASSERT_FALSE(v.ok()) << c.q;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(v.status().message(), c.error);
  }
  EXPECT_EQ(ParseCpuMillicores("1 core").status().message(), "\"1 core\" is not a CPU quantity");
}

TEST(ApiTimeTest, ParsesRfc3339) {
  struct Case {
    const char* text;
    absl::Time want;
  } cases[] = {
      {"2026-11-24T10:23:05Z", At("2026-11-24T10:23:05Z")},
      {"2026-11-24T10:23:05.25Z", At("2026-11-24T10:23:05Z") + absl::Milliseconds(250)},
      {"2026-11-24T10:23:05.123456789Z", At("2026-11-24T10:23:05Z") + absl::Nanoseconds(123456789)},
      {"2026-11-24T12:23:05+02:00", At("2026-11-24T10:23:05Z")},
      {"2026-11-24T05:53:05.5-04:30", At("2026-11-24T10:23:05Z") + absl::Milliseconds(500)},
  };
  for (const Case& c : cases) {
    absl::StatusOr<absl::Time> t = ParseApiTime(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status();
    EXPECT_EQ(*t, c.want) << c.text;
  }
}

TEST(ApiTimeTest, RejectsOtherShapes) {
  for (const char* text : {"", "2026-11-24", "2026-11-24 10:23:05Z", "2026-11-24T10:23:05",
                           "2026-11-24T10:23:05+0200", " 2026-11-24T10:23:05Z",
                           "2026-11-24T10:23:05.Z", "2026-13-24T10:23:05Z", "26-11-24T10:23:05Z"}) {
    absl::StatusOr<absl::Time> t = ParseApiTime(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().message(), absl::StrCat("\"", text, "\" is not an RFC 3339 time"));
  }
}

TEST(ApiTimeTest, FormatsWholeSecondsUtc) {
  EXPECT_EQ(FormatApiTime(At("2026-11-24T10:23:05Z") + absl::Milliseconds(999)),
            "2026-11-24T10:23:05Z");
  absl::StatusOr<absl::Time> t = ParseApiTime("2026-11-24T12:23:05+02:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatApiTime(*t), "2026-11-24T10:23:05Z");
}

}  // namespace
}  // namespace cluster
}  // namespace sre_eval
