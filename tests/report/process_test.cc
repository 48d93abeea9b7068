#include "report/process.h"

#include <string>

#include "gtest/gtest.h"
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

TEST(ProcessTest, NothingRecordedIsNoSection) {
  TempDir dir;
  dir.WriteFile("responses.jsonl",
                R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"answer":"x","status":"ok"})"
                "\n");
  Process p = LoadProcess(dir.path());
  EXPECT_FALSE(p.any);
  EXPECT_EQ(p.answers.size(), 1u);
  EXPECT_FALSE(LoadProcess(dir.path() + "/missing").any);
}

}  // namespace
}  // namespace sre_eval
