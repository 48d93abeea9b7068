#include "agent/evidence.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "cluster/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "incident/timeline.h"
#include "test_util.h"

namespace sre_eval {
namespace agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixtures = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/timelines/";

incident::Timeline Load(const std::string& name) {
  absl::StatusOr<incident::Timeline> t = incident::ReadTimeline(kFixtures + name);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : incident::Timeline();
}

std::string Pack(const std::string& name, size_t budget = EvidenceOptions().budget_bytes) {
  EvidenceOptions options;
  options.budget_bytes = budget;
  return BuildEvidencePack(Load(name), options);
}

TEST(EvidencePackTest, EventsOutOfOrderWholePack) {
  const std::string expected =
      "# Evidence from namespace sock-shop: what kubectl showed around the incident (times in "
      "UTC)\n"
      "\n"
      "## Window\n"
      "window.start       2026-11-24T10:23:05Z\n"
      "window.end         (no mark)\n"
      "window.recovered   (no mark)\n"
      "\n"
      "## Pods\n"
      "kubectl get pods at 2026-11-24T10:26:00Z (the sample nearest window.end):\n"
      "NAME                        READY   STATUS    RESTARTS\n"
      "front-end-6f8c9d7b5-x2k9p   1/1     Running   0\n"
      "\n"
      "## Deployments\n"
      "kubectl get deployments at 2026-11-24T10:26:00Z:\n"
      "NAME        READY   UP-TO-DATE   AVAILABLE   CPU LIMIT   MEMORY LIMIT\n"
      "carts       1/1     1            1           300m        500Mi\n"
      "front-end   1/1     1            1           300m        1000Mi\n"
      "\n"
      "## Resource usage\n"
      "no pod metrics were recorded between window.start and window.recovered\n"
      "\n"
      "## Warning events\n"
      "kubectl get events --field-selector type=Warning, newest first:\n"
      "LAST SEEN              REASON       OBJECT                          COUNT   MESSAGE\n"
      "2026-11-24T10:25:39Z   BackOff      pod/front-end-6f8c9d7b5-x2k9p   3       BackOff of "
      "front-end-6f8c9d7b5-x2k9p\n"
      "2026-11-24T10:24:20Z   Pulled       pod/front-end-6f8c9d7b5-x2k9p   1       Pulled of "
      "front-end-6f8c9d7b5-x2k9p\n"
      "2026-11-24T10:24:12Z   OOMKilling   pod/front-end-6f8c9d7b5-x2k9p   1       OOMKilling of "
      "front-end-6f8c9d7b5-x2k9p\n"
      "\n"
      "## Load test\n"
      "no load generator logs were recorded\n"
      "\n"
      "## Orders\n"
      "no orders were read from the orders API\n"
      "\n"
      "## Logs\n"
      "no container logs were recorded\n";
  EXPECT_EQ(Pack("events_out_of_order.jsonl"), expected);
}

TEST(EvidencePackTest, PaymentWholePack) {
  const std::string expected =
      "# Evidence from namespace sock-shop: what kubectl showed around the incident (times in "
      "UTC)\n"
      "\n"
      "## Window\n"
      "window.start       2026-11-24T11:20:14Z\n"
      "window.end         2026-11-24T11:23:05Z\n"
      "window.recovered   2026-11-24T11:26:09Z\n"
      "\n"
      "## Pods\n"
      "kubectl get pods at 2026-11-24T11:23:05Z (the sample nearest window.end):\n"
      "NAME                     READY   STATUS    RESTARTS\n"
      "orders-84c6d9f7b-r5wjd   1/1     Running   0\n"
      "\n"
      "## Deployments\n"
      "kubectl get deployments at 2026-11-24T11:23:05Z:\n"
      "NAME      READY   UP-TO-DATE   AVAILABLE   CPU LIMIT   MEMORY LIMIT\n"
      "orders    1/1     1            1           500m        500Mi\n"
      "payment   0/0     0            0           200m        200Mi\n"
      "READY of payment: 1/1 at 2026-11-24T11:20:12Z, 0/0 at 2026-11-24T11:20:24Z, 1/1 at "
      "2026-11-24T11:26:05Z\n"
      "\n"
      "## Resource usage\n"
      "no pod metrics were recorded between window.start and window.recovered\n"
      "\n"
      "## Warning events\n"
      "no Warning events between window.start and window.recovered\n"
      "\n"
      "## Load test\n"
      "### Job locust-payment (role load, log read at 2026-11-24T11:23:06Z)\n"
      "args: -f /mnt/locust/locustfile.py --headless -u 10 -r 2 --run-time=2m\n"
      "started 2026-11-24T11:21:00Z, finished 2026-11-24T11:23:02Z, outcome Complete\n"
      "Aggregated: 412 requests, 7 failures (1.70%), avg 150 ms, min 10 ms, max 5210 ms, median 48 "
      "ms, 3.43 req/s, 0.06 failures/s\n"
      "Aggregated percentiles: 50% 48 ms, 66% 60 ms, 75% 75 ms, 80% 90 ms, 90% 150 ms, 95% 210 ms, "
      "98% 1200 ms, 99% 5100 ms, 99.9% 5200 ms, 99.99% 5200 ms, 100% 5200 ms\n"
      "Requests:\n"
      "  TYPE NAME        # REQS   # FAILS    AVG   MED   MAX    95%    99%\n"
      "  GET /            120      0(0.00%)   40    38    180    -      -\n"
      "  GET /catalogue   130      0(0.00%)   45    42    210    -      -\n"
      "  POST /cart       80       0(0.00%)   52    48    190    -      -\n"
      "  POST /orders     82       7(8.54%)   610   120   5210   5100   5200\n"
      "Error report:\n"
      "  7  POST /orders: HTTPError('500 Server Error: Internal Server Error for url: "
      "http://front-end/orders')\n"
      "\n"
      "## Orders\n"
      "GET /orders at 2026-11-24T11:23:06Z: 6 in total, 5 created between window.start and "
      "window.recovered\n"
      "  STATUS           COUNT\n"
      "  PAID             1\n"
      "  PAYMENT_FAILED   4\n"
      "PAYMENT_FAILED orders in the window, oldest first:\n"
      "  ID                         CUSTOMER                   TOTAL       DATE\n"
      "  6b057309d300018ba4007011   57a98d98e4b00679b4a830b2   29.99       "
      "2026-11-24T11:20:41.123+0000\n"
      "  6b05731ad300018ba4007014   6a1c2f40e4b0c31b8d1f7a52   22.989999   "
      "2026-11-24T11:20:58.456+0000\n"
      "  6b0573a6d300018ba4007026   57a98d98e4b00679b4a830b2   40.99       "
      "2026-11-24T11:23:50.000+0000\n"
      "  6b0573f4d300018ba4007030   6a1c2f40e4b0c31b8d1f7a52   9.99        "
      "2026-11-24T11:25:08.000+0000\n"
      "\n"
      "## Logs\n"
      "Lines containing any of: error, exception, refused, reset, slow query, pool exhausted, oom, "
      "killed, timeout, timed out (any case).\n"
      "### kubectl logs catalogue-7b9c5f6d8-h7tns -c catalogue: 1 of 1 lines notable\n"
      "ts=2026-11-24T11:21:03Z caller=logging.go:80 method=List took=1.2s slow query\n"
      "### kubectl logs orders-84c6d9f7b-r5wjd -c orders: 3 of 4 lines notable\n"
      "2026-11-24 11:20:41.101 ERROR [orders] Payment call failed: Connection refused (Connection "
      "refused)\n"
      "2026-11-24 11:20:58.420 ERROR [orders] Payment call failed: Connection refused (Connection "
      "refused)\n"
      "2026-11-24 11:23:50.001 ERROR [orders] I/O error on POST request for "
      "\"http://payment/paymentAuth\": Connection refused\n";
  EXPECT_EQ(Pack("payment.jsonl"), expected);
}

TEST(EvidencePackTest, CrashShowsPodsTerminationsUsageAndLoad) {
  const std::string pack = Pack("crash_multi_restart.jsonl");
  // The table from the sample at window.end, sorted by name.
  EXPECT_THAT(pack, HasSubstr("NAME                        READY   STATUS             RESTARTS\n"
                              "carts-5d8f6c7b9-qm4lz       1/1     Running            0\n"
                              "front-end-6f8c9d7b5-x2k9p   0/1     CrashLoopBackOff   5\n"));
  EXPECT_THAT(pack,
              HasSubstr("  restartCount: 0 at 2026-11-24T10:22:40Z, 1 at 2026-11-24T10:24:30Z, "
                        "4 at 2026-11-24T10:26:40Z, 5 at 2026-11-24T10:28:10Z\n"));
  EXPECT_THAT(pack, HasSubstr("  Last State (seen at 2026-11-24T10:28:10Z): Terminated, Reason: "
                              "OOMKilled, Exit Code: 137, Started: 2026-11-24T10:27:13Z, Finished: "
                              "2026-11-24T10:27:41Z\n"));
  // The termination after window.recovered is not shown.
  EXPECT_THAT(pack, Not(HasSubstr("2026-11-24T10:29:45Z")));
  // Peaks from metrics inside the window only (the 320m sample is after window.recovered).
  EXPECT_THAT(pack, HasSubstr("front-end-6f8c9d7b5-x2k9p   front-end   300m         "
                              "2026-11-24T10:24:25Z   998Mi           2026-11-24T10:24:25Z   300m"
                              "        1000Mi\n"));
  EXPECT_THAT(pack, HasSubstr("2026-11-24T10:24:12Z   OOMKilling   pod/front-end-6f8c9d7b5-x2k9p   "
                              "1       Container front-end was OOM killed\n"));
  EXPECT_THAT(pack, HasSubstr("Aggregated: 48213 requests, 31562 failures (65.46%), avg 1820 ms, "
                              "min 2 ms, max 30030 ms, median 1900 ms, 160.71 req/s, 105.21 "
                              "failures/s\n"));
  EXPECT_THAT(pack, HasSubstr("  POST /orders       9000     5700(63.33%)   2100   2100   30030   "
                              "22000   30000\n"));
  EXPECT_THAT(pack, HasSubstr("  17021  GET /catalogue: ConnectionRefusedError(111, 'Connection "
                              "refused')\n"));
  EXPECT_THAT(pack, HasSubstr("### kubectl logs front-end-6f8c9d7b5-x2k9p -c front-end --previous: "
                              "2 of 2 lines notable\nError: connect ECONNREFUSED 10.96.0.12:80\n"
                              "Connection refused: carts\n"));
  // Raw observations only, never the truth's facts.
  EXPECT_THAT(pack, Not(HasSubstr("oom_kills")));
  EXPECT_THAT(pack, Not(HasSubstr("[... ")));
}

TEST(EvidencePackTest, UpstreamPaymentHasNoFailedOrders) {
  const std::string pack = Pack("payment_upstream.jsonl");
  EXPECT_THAT(pack, HasSubstr("## Orders\n"
                              "GET /orders at 2026-11-24T11:23:06Z: 1 in total, 0 created between "
                              "window.start and window.recovered\n"
                              "PAYMENT_FAILED orders in the window: none\n"));
  EXPECT_THAT(pack, HasSubstr("Aggregated: 412 requests, 7 failures (1.70%)"));
}

TEST(EvidencePackTest, Budget2000CutsLogsEventsOrdersFirst) {
  const std::string pack = Pack("crash_multi_restart.jsonl", 2000);
  EXPECT_LE(pack.size(), 2000u);
  EXPECT_EQ(pack.size(), 1996u);
  EXPECT_THAT(pack, HasSubstr("## Logs\n[... 7 more lines]\n"));
  EXPECT_THAT(pack, HasSubstr("## Warning events\n[... 3 more lines]\n"));
  EXPECT_THAT(pack, HasSubstr("## Orders\n[... 1 more lines]\n"));
  EXPECT_THAT(pack, HasSubstr("## Load test\n[... 23 more lines]\n"));
  EXPECT_THAT(pack, HasSubstr("## Resource usage\n"
                              "kubectl top pod --containers, highest seen between window.start and "
                              "window.recovered:\n[... 3 more lines]\n"));
  // The pods, with their terminations, are kept whole.
  EXPECT_THAT(pack, HasSubstr("  Last State (seen at 2026-11-24T10:24:30Z): Terminated, Reason: "
                              "OOMKilled"));
  EXPECT_THAT(pack, HasSubstr("front-end   0/1     1            0           300m        1000Mi\n"));
}

TEST(EvidencePackTest, Budget500WholePack) {
  const std::string expected =
      "# Evidence from namespace sock-shop: what kubectl showed around the incident (times in "
      "UTC)\n"
      "\n"
      "## Window\n"
      "window.start       2026-11-24T10:23:05Z\n"
      "window.end         2026-11-24T10:28:10Z\n"
      "window.recovered   2026-11-24T10:29:41Z\n"
      "\n"
      "## Pods\n"
      "[... 11 more lines]\n"
      "\n"
      "## Deployments\n"
      "[... 5 more lines]\n"
      "\n"
      "## Resource usage\n"
      "[... 4 more lines]\n"
      "\n"
      "## Warning events\n"
      "[... 3 more lines]\n"
      "\n"
      "## Load test\n"
      "[... 23 more lines]\n"
      "\n"
      "## Orders\n"
      "[... 1 more lines]\n"
      "\n"
      "## Logs\n"
      "[... 7 more lines]\n";
  const std::string pack = Pack("crash_multi_restart.jsonl", 500);
  EXPECT_LE(pack.size(), 500u);
  EXPECT_EQ(pack, expected);
}

TEST(EvidencePackTest, EveryBudgetIsRespected) {
  const incident::Timeline t = Load("crash_multi_restart.jsonl");
  const size_t whole = BuildEvidencePack(t, EvidenceOptions()).size();
  for (size_t budget : {0, 1, 50, 95, 150, 300, 700, 1200, 3000, 4000}) {
    EvidenceOptions options;
    options.budget_bytes = budget;
    const std::string pack = BuildEvidencePack(t, options);
    EXPECT_LE(pack.size(), budget) << budget;
    EXPECT_LT(pack.size(), whole) << budget;
  }
  EvidenceOptions exact;
  exact.budget_bytes = whole;
  EXPECT_EQ(BuildEvidencePack(t, exact).size(), whole);
  EXPECT_THAT(BuildEvidencePack(t, exact), Not(HasSubstr("more lines]")));
}

TEST(EvidencePackTest, Deterministic) {
  for (const char* name : {"crash_multi_restart.jsonl", "payment.jsonl", "payment_upstream.jsonl",
                           "events_out_of_order.jsonl"}) {
    const incident::Timeline t = Load(name);
    EXPECT_EQ(BuildEvidencePack(t, EvidenceOptions()), BuildEvidencePack(t, EvidenceOptions()))
        << name;
    EvidenceOptions small;
    small.budget_bytes = 900;
    EXPECT_EQ(BuildEvidencePack(t, small), BuildEvidencePack(t, small)) << name;
  }
}

TEST(EvidencePackTest, LongLogsShowFirstAndLastNotableLines) {
  incident::Timeline t;
  t.ns = "sock-shop";
  t.marks.push_back({At("2026-11-24T10:00:00Z"), "window.start", ""});
  incident::LogRecord r;
  r.time = At("2026-11-24T10:05:00Z");
  r.pod = "carts-1";
  r.container = "carts";
  for (int i = 1; i <= 10; ++i) absl::StrAppend(&r.text, "ok ", i, "\nTimeout ", i, "\n");
  t.logs.push_back(r);
  EXPECT_THAT(BuildEvidencePack(t, EvidenceOptions()),
              HasSubstr("### kubectl logs carts-1 -c carts: 10 of 20 lines notable\n"
                        "Timeout 1\nTimeout 2\nTimeout 3\n[... 4 more]\n"
                        "Timeout 8\nTimeout 9\nTimeout 10\n"));
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
