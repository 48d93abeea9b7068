#include "incident/truth_extractor.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"
#include "suite/fact_schema.h"
#include "test_util.h"

namespace sre_eval {
namespace incident {
namespace {

using nlohmann::json;

const std::string kFixtures = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/timelines/";

json Truth(const std::string& fixture) {
  absl::StatusOr<Timeline> t = ReadTimeline(kFixtures + fixture);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return json();
  absl::StatusOr<json> truth = ExtractTruth(*t);
  EXPECT_TRUE(truth.ok()) << truth.status();
  return truth.ok() ? *truth : json();
}

// Restarts 0 -> 1 -> 4 -> 5 in the window (and 6 after window.recovered, not counted); three
// OOMKilled terminations on record and two hidden in the 1 -> 4 jump; two back-off periods,
// ended by the startedAt of the next running state; metrics before the window ignored; the
// medians of two samples are the lower one (a value some sample showed).
TEST(TruthExtractorTest, CrashWithRestartsBetweenSamples) {
  json truth = Truth("crash_multi_restart.jsonl");
  EXPECT_EQ(truth["schema_version"], 1);
  EXPECT_EQ(truth["incident"], "crash");
  EXPECT_EQ(truth["environment"], "sim");
  EXPECT_EQ(truth["facts"], json::parse(R"JSON({
  "crashloop.periods": [
    {
      "container": "front-end",
      "end": "2026-11-24T10:27:13Z",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "start": "2026-11-24T10:26:40Z"
    },
    {
      "container": "front-end",
      "end": "2026-11-24T10:29:05Z",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "start": "2026-11-24T10:28:10Z"
    }
  ],
  "frontend.cpu_limit": "300m",
  "frontend.memory_limit": "1000Mi",
  "incident.id": "crash",
  "latency.baseline_p95_ms": 240,
  "latency.p50_ms": 1900,
  "latency.p95_ms": 21000,
  "latency.p99_ms": 30000,
  "limits": [
    {
      "container": "carts",
      "cpu": "300m",
      "deployment": "carts",
      "memory": "500Mi"
    },
    {
      "container": "front-end",
      "cpu": "300m",
      "deployment": "front-end",
      "memory": "1000Mi"
    }
  ],
  "load.duration": 300,
  "load.failure_pct": 65.46,
  "load.failures": 31562,
  "load.requests": 48213,
  "load.spawn_rate": 100,
  "load.users": 3000,
  "logs.by_service": [
    {
      "count": 2,
      "pattern": "connection refused",
      "service": "front-end"
    }
  ],
  "logs.connection_pool_exhausted": 0,
  "logs.connection_refused": 2,
  "logs.slow_query": 0,
  "oom_kills": [
    {
      "container": "front-end",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "time": "2026-11-24T10:24:12Z"
    },
    {
      "container": "front-end",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "time": "2026-11-24T10:26:30Z"
    },
    {
      "container": "front-end",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "time": "2026-11-24T10:27:41Z"
    }
  ],
  "oom_kills.count": 5,
  "peak_usage": [
    {
      "container": "carts",
      "cpu_millicores": 214,
      "cpu_millicores_median": 201,
      "cpu_pct_of_limit": 71.3,
      "cpu_pct_of_limit_median": 67.0,
      "memory_mib": 402,
      "memory_mib_median": 380,
      "memory_pct_of_limit": 80.4,
      "memory_pct_of_limit_median": 76.0,
      "pod": "carts-5d8f6c7b9-qm4lz"
    },
    {
      "container": "front-end",
      "cpu_millicores": 300,
      "cpu_millicores_median": 290,
      "cpu_pct_of_limit": 100.0,
      "cpu_pct_of_limit_median": 96.7,
      "memory_mib": 998,
      "memory_mib_median": 950,
      "memory_pct_of_limit": 99.8,
      "memory_pct_of_limit_median": 95.0,
      "pod": "front-end-6f8c9d7b5-x2k9p"
    }
  ],
  "restarts.by_container": [
    {
      "container": "front-end",
      "pod": "front-end-6f8c9d7b5-x2k9p",
      "restarts": 5
    }
  ],
  "restarts.total": 5,
  "window.duration": 300,
  "window.end": "2026-11-24T10:28:05Z",
  "window.recovered": "2026-11-24T10:29:41Z",
  "window.start": "2026-11-24T10:23:05Z"
})JSON"));
  EXPECT_EQ(truth["notes"],
            json({"oom_kills.count includes 2 OOMKilled termination(s) of "
                  "front-end-6f8c9d7b5-x2k9p/front-end not seen by any sample: restartCount rose "
                  "from 1 to 4 between 2026-11-24T10:24:30Z and 2026-11-24T10:26:40Z and only the "
                  "newest termination (OOMKilled at 2026-11-24T10:26:30Z) was visible"}));
}

// Orders inside the window (one identified by its _links.self.href, one created 48 s after
// window.end) in creation order; those before the window, 126 s after it and PAID left out.
TEST(TruthExtractorTest, PaymentWithStoredFailedOrders) {
  json truth = Truth("payment.jsonl");
  EXPECT_EQ(truth["facts"], json::parse(R"JSON({
  "crashloop.periods": [],
  "incident.id": "payment",
  "latency.p50_ms": 48,
  "latency.p95_ms": 210,
  "latency.p99_ms": 5100,
  "limits": [
    {
      "container": "orders",
      "cpu": "500m",
      "deployment": "orders",
      "memory": "500Mi"
    },
    {
      "container": "payment",
      "cpu": "200m",
      "deployment": "payment",
      "memory": "200Mi"
    }
  ],
  "load.duration": 120,
  "load.failure_pct": 1.7,
  "load.failures": 7,
  "load.requests": 412,
  "load.spawn_rate": 2,
  "load.users": 10,
  "logs.by_service": [
    {
      "count": 1,
      "pattern": "slow query",
      "service": "catalogue"
    },
    {
      "count": 3,
      "pattern": "connection refused",
      "service": "orders"
    }
  ],
  "logs.connection_pool_exhausted": 0,
  "logs.connection_refused": 3,
  "logs.slow_query": 1,
  "oom_kills": [],
  "oom_kills.count": 0,
  "payment.failed_checkouts": 7,
  "payment.failed_order_count": 3,
  "payment.failed_orders": [
    {
      "amount": 29.99,
      "customer": "57a98d98e4b00679b4a830b2",
      "id": "6b057309d300018ba4007011",
      "time": "2026-11-24T11:20:41Z"
    },
    {
      "amount": 22.99,
      "customer": "6a1c2f40e4b0c31b8d1f7a52",
      "id": "6b05731ad300018ba4007014",
      "time": "2026-11-24T11:20:58Z"
    },
    {
      "amount": 40.99,
      "customer": "57a98d98e4b00679b4a830b2",
      "id": "6b0573a6d300018ba4007026",
      "time": "2026-11-24T11:23:50Z"
    }
  ],
  "payment.order_ids_available": true,
  "payment.replicas_before": 1,
  "payment.replicas_during": 0,
  "restarts.by_container": [],
  "restarts.total": 0,
  "window.duration": 168,
  "window.end": "2026-11-24T11:23:02Z",
  "window.recovered": "2026-11-24T11:26:09Z",
  "window.start": "2026-11-24T11:20:14Z"
})JSON"));
  EXPECT_EQ(truth["notes"], json({"no pod metrics in the timeline: peak_usage is left out"}));
}

TEST(TruthExtractorTest, PaymentAgainstUpstreamSockShopHasNoOrderIds) {
  json truth = Truth("payment_upstream.jsonl");
  const json& facts = truth["facts"];
  EXPECT_EQ(facts["payment.order_ids_available"], false);
  EXPECT_EQ(facts["payment.failed_order_count"], 0);
  EXPECT_EQ(facts["payment.failed_orders"], json::array());
  EXPECT_EQ(facts["payment.failed_checkouts"], 7);
  EXPECT_EQ(facts["payment.replicas_before"], 1);
  EXPECT_EQ(facts["payment.replicas_during"], 0);
  EXPECT_EQ(facts["logs.connection_refused"], 3);
  EXPECT_EQ(truth["notes"],
            json({"no pod metrics in the timeline: peak_usage is left out",
                  "the orders service stored no PAYMENT_FAILED order in the window (upstream "
                  "Sock Shop saves nothing on a payment failure): order ids are unavailable"}));
}

// No window.end or window.recovered mark, no metrics, no logs, no load: those facts are left
// out and the notes say why.
TEST(TruthExtractorTest, LeavesOutWhatTheTimelineDoesNotHold) {
  json truth = Truth("events_out_of_order.jsonl");
  EXPECT_EQ(truth["facts"], json::parse(R"JSON({
  "crashloop.periods": [],
  "frontend.cpu_limit": "300m",
  "frontend.memory_limit": "1000Mi",
  "incident.id": "crash",
  "limits": [
    {
      "container": "carts",
      "cpu": "300m",
      "deployment": "carts",
      "memory": "500Mi"
    },
    {
      "container": "front-end",
      "cpu": "300m",
      "deployment": "front-end",
      "memory": "1000Mi"
    }
  ],
  "oom_kills": [],
  "oom_kills.count": 0,
  "restarts.by_container": [],
  "restarts.total": 0,
  "window.start": "2026-11-24T10:23:05Z"
})JSON"));
  EXPECT_EQ(truth["notes"], json({"no window.end mark: window.end and window.duration are left out",
                                  "no window.recovered mark: counts run to the last sample at "
                                  "2026-11-24T10:26:00Z",
                                  "no pod metrics in the timeline: peak_usage is left out",
                                  "no container logs in the timeline: logs.* are left out"}));
}

TEST(TruthExtractorTest, TruthsPassTheSchemaAndAreByteIdenticalOnEveryExtraction) {
  for (const char* name : {"crash_multi_restart.jsonl", "events_out_of_order.jsonl",
                           "payment.jsonl", "payment_upstream.jsonl"}) {
    SCOPED_TRACE(name);
    json first = Truth(name);
    EXPECT_EQ(CheckFactValues(first["facts"]), std::vector<std::string>{});
    EXPECT_EQ(first.dump(2), Truth(name).dump(2));
  }
}

TEST(TruthExtractorTest, NeedsTheWindowStartAndASample) {
  absl::StatusOr<Timeline> t = ReadTimeline(kFixtures + "payment.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  Timeline no_samples = *t;
  no_samples.samples.clear();
  EXPECT_EQ(ExtractTruth(no_samples).status(),
            absl::FailedPreconditionError("the timeline has no sample"));
  Timeline no_start = *t;
  no_start.marks.erase(no_start.marks.begin());
  EXPECT_EQ(ExtractTruth(no_start).status(),
            absl::FailedPreconditionError("the timeline has no window.start mark"));
}

cluster::Pod Pod(const std::string& name, cluster::ContainerStatus c) {
  cluster::Pod pod;
  pod.name = name;
  pod.owner_kind = "ReplicaSet";
  pod.owner_name = "carts-5d8f6c7b9";
  pod.containers = {std::move(c)};
  return pod;
}

cluster::ContainerStatus BackOff(int restarts, const char* started, const char* finished) {
  cluster::ContainerStatus c;
  c.name = "carts";
  c.restart_count = restarts;
  c.state = "waiting";
  c.waiting_reason = "CrashLoopBackOff";
  c.last_terminated = cluster::Termination{"Error", 1, At(started), At(finished)};
  return c;
}

// A pod created after window.start counts its restarts from 0; a back-off that is followed by
// another with a higher count ended when the container started in between; one still open at
// window.recovered ends there. Error terminations are no OOM kills.
TEST(TruthExtractorTest, BackOffPeriodsOfAPodCreatedInTheWindow) {
  Timeline t;
  t.incident = "crash";
  t.marks = {{At("2026-11-24T10:00:00Z"), "window.start", ""},
             {At("2026-11-24T10:10:00Z"), "window.recovered", ""}};
  t.samples = {
      {At("2026-11-24T10:01:00Z"),
       {{Pod("carts-5d8f6c7b9-a", BackOff(2, "2026-11-24T10:00:40Z", "2026-11-24T10:00:50Z"))}}},
      {At("2026-11-24T10:02:00Z"),
       {{Pod("carts-5d8f6c7b9-a", BackOff(3, "2026-11-24T10:01:20Z", "2026-11-24T10:01:30Z"))}}},
  };
  absl::StatusOr<json> truth = ExtractTruth(t);
  ASSERT_TRUE(truth.ok()) << truth.status();
  const json& facts = (*truth)["facts"];
  EXPECT_EQ(facts["restarts.total"], 3);
  EXPECT_EQ(facts["oom_kills.count"], 0);
  EXPECT_EQ(facts["crashloop.periods"], json::parse(R"JSON([
    {"pod": "carts-5d8f6c7b9-a", "container": "carts",
     "start": "2026-11-24T10:01:00Z", "end": "2026-11-24T10:01:20Z"},
    {"pod": "carts-5d8f6c7b9-a", "container": "carts",
     "start": "2026-11-24T10:02:00Z", "end": "2026-11-24T10:10:00Z"}])JSON"));
}

}  // namespace
}  // namespace incident
}  // namespace sre_eval
