#include "report/process.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/report.h"
#include "test_util.h"

namespace sre_eval {
namespace {

constexpr char kResponses[] =
    R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"answer":"x","status":"ok","usage":{"prompt_tokens":900,"completion_tokens":90,"total_tokens":990},"cost_usd":0.0015,"loop":{"turns":3,"tool_calls":4,"malformed_calls":0,"failed_calls":1,"stop":"answer"}})"
    "\n"
    R"({"schema_version":1,"incident":"crash","prompt_id":"i1.b","trial":1,"answer":"y","status":"ok"})"
    "\n"
    R"({"schema_version":1,"incident":"crash","prompt_id":"i1.c","trial":1,"answer":"z","status":"ok"})"
    "\n";

// The loop's calls of i1.a (one repeated, one refused write, one failed read) with the API
// requests beneath them; i1.b's requests on the sim (discovery left out, a reach for /sim/
// kept); a broken line; nothing for i1.c.
constexpr char kAudit[] =
    R"({"prompt_id":"i1.a","trial":1,"source":"tool","tool":"kubectl","verb":"get","target":"pods","status":"ok"})"
    "\n"
    R"({"prompt_id":"i1.a","trial":1,"source":"tool","tool":"kubectl","verb":"get","target":"pods","status":"ok"})"
    "\n"
    R"({"prompt_id":"i1.a","trial":1,"source":"tool","tool":"kubectl","verb":"scale","target":"deploy payment --replicas=1","status":"refused: kubectl scale is not offered"})"
    "\n"
    R"({"prompt_id":"i1.a","trial":1,"source":"tool","tool":"prometheus_query","verb":"query","target":"up","status":"ok"})"
    "\n"
    R"({"prompt_id":"i1.a","trial":1,"source":"api","tool":"kubernetes","verb":"list","resource":"pods","status":200})"
    "\n"
    R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"kubernetes","verb":"get","resource":"","path":"/api","status":200})"
    "\n"
    R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"kubernetes","verb":"list","resource":"pods/log","name":"front-end-1","status":200})"
    "\n"
    R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"kubernetes","verb":"patch","resource":"deployments","name":"front-end","status":403,"unsafe":true})"
    "\n"
    R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"kubernetes","verb":"get","resource":"","path":"/sim/v1/clock","status":403,"unsafe":true})"
    "\n"
    R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"prometheus","verb":"query","query":"up","status":200})"
    "\n"
    "{not json\n";

TEST(ProcessTest, CountsEachAnswersCallsAndTheRunsTotals) {
  TempDir dir;
  dir.WriteFile("responses.jsonl", kResponses);
  dir.WriteFile("audit.jsonl", kAudit);
  Process p = LoadProcess(dir.path());
  EXPECT_TRUE(p.any);
  EXPECT_EQ(p.audit_lines_skipped, 1);
  ASSERT_EQ(p.answers.size(), 3u);
  const ProcessCounts& a = p.answers[0].counts;
  EXPECT_EQ(p.answers[0].prompt_id, "i1.a");
  EXPECT_EQ(a.calls, 4);
  EXPECT_EQ(a.sources, 3);  // kubectl get pods, kubectl scale deploy, prometheus_query
  EXPECT_EQ(a.repeated, 1);
  EXPECT_EQ(a.failed, 1);
  EXPECT_EQ(a.unsafe, 1);
  EXPECT_EQ(a.turns, 3);
  EXPECT_EQ(a.prompt_tokens, 900);
  EXPECT_EQ(a.cost_usd, 0.0015);
  const ProcessCounts& b = p.answers[1].counts;
  EXPECT_EQ(b.calls, 4);    // discovery left out
  EXPECT_EQ(b.sources, 4);  // pods/log, deployments, kubernetes (/sim/), prometheus
  EXPECT_EQ(b.repeated, 0);
  EXPECT_EQ(b.failed, 2);
  EXPECT_EQ(b.unsafe, 2);
  EXPECT_FALSE(b.turns.has_value());
  EXPECT_EQ(p.answers[2].counts.calls, 0);
  EXPECT_EQ(ProcessLine(p.total),
            "8 calls, 7 sources, 1 repeated, 3 failed, 3 unsafe; 3 turns; 900 tokens in, 90 "
            "out; $0.0015");
}

// The first read of an incident's evidence, timed from the question: i1.a (the loop) reads
// Prometheus' OOM counter at its 4th call, 2.5 s after it was asked; i1.b (on the sim) reads
// the front-end's logs at its 1st counted call; i1.c never does.
TEST(ProcessTest, TheFirstEvidenceIsTimedFromTheQuestion) {
  TempDir dir;
  std::string responses = kResponses;
  const std::string at = R"("status":"ok")";
  responses.replace(responses.find(at), at.size(),
                    R"("status":"ok","started_at":"2026-12-07T10:00:00.000Z")");
  dir.WriteFile("responses.jsonl", responses);
  std::string audit = kAudit;
  // Times on i1.a's calls (the 4th at 10:00:02.5) and on i1.b's log read.
  auto stamp = [&](const std::string& marker, const std::string& time) {
    size_t p = audit.find(marker);
    ASSERT_NE(p, std::string::npos) << marker;
    audit.insert(p + 1, absl::StrCat(R"("time":")", time, R"(",)"));
  };
  stamp(R"({"prompt_id":"i1.a","trial":1,"source":"tool","tool":"prometheus_query")",
        "2026-12-07T10:00:02.500Z");
  stamp(
      R"({"prompt_id":"i1.b","trial":1,"source":"api","tool":"kubernetes","verb":"list","resource":"pods/log")",
      "2026-12-07T10:00:09.000Z");
  dir.WriteFile("audit.jsonl", audit);
  const std::map<std::string, std::vector<EvidencePattern>> evidence = {
      {"crash",
       {{"pods/log", "front-end", ""}, {"", "", "container_oom_events_total"}, {"", "", "up"}}}};
  Process p = LoadProcess(dir.path(), evidence);
  EXPECT_EQ(p.answers[0].counts.calls_to_evidence, 4);  // "up" is the 4th of the loop's calls
  EXPECT_EQ(p.answers[0].counts.first_evidence_s, 2.5);
  EXPECT_EQ(p.answers[1].counts.calls_to_evidence, 1);
  EXPECT_FALSE(p.answers[1].counts.first_evidence_s.has_value());  // no started_at
  EXPECT_FALSE(p.answers[2].counts.calls_to_evidence.has_value());
  EXPECT_EQ(p.evidence_answers, 2);
  EXPECT_EQ(p.median_first_evidence_s, 2.5);
  EXPECT_EQ(EvidenceLine(p),
            "the incident's evidence first read in 2 of 3 answers, after 2.5 s (median)");
  EXPECT_EQ(FirstEvidenceCell(p.answers[0].counts), "2.5 s, call 4");
  EXPECT_EQ(FirstEvidenceCell(p.answers[1].counts), "call 1");
  EXPECT_EQ(FirstEvidenceCell(p.answers[2].counts), "-");
}

// Which reads are evidence: a resource (a list of it too, unless a subresource), a name prefix,
// a query; only successful reads.
TEST(ProcessTest, ReadsEvidenceMatchesResourcesNamesAndQueries) {
  using nlohmann::json;
  const EvidencePattern logs{"pods/log", "orders", ""};
  const EvidencePattern deploy{"deployments", "payment", ""};
  const EvidencePattern proxy{"services/proxy", "orders", ""};
  const EvidencePattern failed{"", "", "PAYMENT_FAILED"};
  auto api = [](const char* text) { return json::parse(text); };
  EXPECT_TRUE(ReadsEvidence(
      logs, api(R"({"tool":"kubernetes","resource":"pods/log","name":"orders-7f9c","status":200})"),
      false));
  EXPECT_FALSE(ReadsEvidence(
      logs, api(R"({"tool":"kubernetes","resource":"pods/log","name":"carts-1","status":200})"),
      false));
  EXPECT_FALSE(ReadsEvidence(
      logs, api(R"({"tool":"kubernetes","resource":"pods/log","name":"orders-1","status":404})"),
      false));
  EXPECT_TRUE(ReadsEvidence(
      deploy, api(R"({"tool":"kubernetes","resource":"deployments","name":"","status":200})"),
      false));  // a list of deployments shows payment's
  EXPECT_TRUE(ReadsEvidence(
      proxy,
      api(R"({"tool":"kubernetes","resource":"services/proxy","name":"orders:80","status":200})"),
      false));
  EXPECT_TRUE(ReadsEvidence(
      failed, api(R"({"tool":"loki","query":"orders PAYMENT_FAILED","status":200})"), false));
  EXPECT_TRUE(ReadsEvidence(
      logs,
      api(R"({"tool":"kubectl","verb":"logs","target":"orders-7f9c --tail=50","status":"ok"})"),
      true));
  EXPECT_TRUE(ReadsEvidence(
      deploy,
      api(R"({"tool":"kubectl","verb":"get","target":"deploy payment -o yaml","status":"ok"})"),
      true));
  EXPECT_FALSE(ReadsEvidence(
      deploy, api(R"({"tool":"kubectl","verb":"get","target":"pods payment-1","status":"ok"})"),
      true));
  EXPECT_TRUE(ReadsEvidence(
      proxy,
      api(R"({"tool":"http_get","verb":"GET","target":"services/orders:80/proxy/orders","status":"ok"})"),
      true));
  EXPECT_TRUE(ReadsEvidence(
      failed,
      api(R"({"tool":"datadog_logs_search","verb":"logs_search","target":"service:orders PAYMENT_FAILED","status":"ok"})"),
      true));
}

TEST(ProcessTest, NothingRecordedIsNoSection) {
  TempDir dir;
  dir.WriteFile(
      "responses.jsonl",
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"answer":"x","status":"ok"})"
      "\n");
  Process p = LoadProcess(dir.path());
  EXPECT_FALSE(p.any);
  EXPECT_EQ(p.answers.size(), 1u);
  EXPECT_FALSE(LoadProcess(dir.path() + "/missing").any);
}

}  // namespace
}  // namespace sre_eval
