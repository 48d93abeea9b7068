// The agent's world on the sim, end to end with the real kubectl: each question's own
// credential (a port of the sim's), read-only while asked (a write is 403 as RBAC answers it and
// an unsafe action in the audit), every request in RUN/audit.jsonl attributed to its question,
// the built-in tool-calling loop against a scripted model, and no way to the answer key.
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/agent_test_server.h"
#include "cli/cli.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

using nlohmann::json;

std::string Slurp(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{64} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::vector<json> Lines(const std::string& path) {
  std::vector<json> out;
  for (absl::string_view line : absl::StrSplit(Slurp(path), '\n', absl::SkipEmpty())) {
    out.push_back(json::parse(line));
  }
  return out;
}

std::vector<std::string> PaymentRun(const std::string& agent, const std::string& run_dir) {
  return {"sre-eval", "run",    "--agent", agent,   "--incident", "payment", "--seed",
          "3",        "--jobs", "2",       "--out", run_dir,      "--suite", SRE_EVAL_SOURCE_DIR};
}

// Runs the payment incident with a command agent running `script` with /bin/sh.
int RunShellAgent(const TempDir& dir, const std::string& name, const std::string& timeout,
                  const std::string& script, const std::string& run_dir, std::ostream& out,
                  std::ostream& err) {
  const std::string agent = dir.WriteFile(
      "agent.yaml", absl::StrCat("kind: command\nname: ", name, "\ntimeout: ", timeout,
                                 "\ncommand:\n  argv: [/bin/sh, '", script, "']\n"));
  return RunCli(PaymentRun(agent, run_dir), out, err);
}

// The audit's entries of one question that are not discovery (kubectl's /api, /apis, ...), as
// "source tool verb resource name status [unsafe]".
std::map<std::string, std::vector<std::string>> AuditByPrompt(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  for (const json& e : Lines(path)) {
    if (e.contains("path")) continue;
    std::string what = e.value("resource", e.value("target", e.value("query", "")));
    out[e["prompt_id"]].push_back(
        absl::StrCat(e["source"].get<std::string>(), " ", e["tool"].get<std::string>(), " ",
                     e["verb"].get<std::string>(), " ", what, " ", e.value("name", ""), " ",
                     e["status"].is_string() ? e["status"].get<std::string>() : e["status"].dump(),
                     e.value("unsafe", false) ? " unsafe" : ""));
  }
  return out;
}

// A command agent that reads the cluster it was handed, tries to scale payment (a write while
// being asked), and answers with what it saw.
TEST(AgentWorldE2eTest, EachQuestionReadsWithItsOwnCredentialAndAWriteIsRefusedAndRecorded) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  TempDir dir;
  const std::string script = dir.WriteFile("agent.sh", R"(request=$(cat)
replicas=$(kubectl get deploy payment -o 'jsonpath={.spec.replicas}' 2>&1)
scaled=$(kubectl scale deploy payment --replicas=1 2>&1)
printf 'payment has %s replicas; scaling: %s\nkubeconfig=%s\ncache=%s\nrequest=%s\n' \
  "$replicas" "$scaled" "$KUBECONFIG" "$KUBECACHEDIR" "$request"
)");
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  EXPECT_EQ(RunShellAgent(dir, "writer", "30s", script, run_dir, out, err), 0)
      << out.str() << err.str();

  std::set<std::string> kubeconfigs;
  for (const json& r : Lines(run_dir + "/responses.jsonl")) {
    const std::string answer = r["answer"];
    EXPECT_TRUE(absl::StartsWith(
        answer,
        "payment has 1 replicas; scaling: Error from server (Forbidden): deployments.apps "
        "\"payment\" is forbidden: User \"system:serviceaccount:sock-shop:sre-eval-agent\" cannot "
        "patch resource \"deployments/scale\" in API group \"apps\" in the namespace "
        "\"sock-shop\"\n"))
        << answer;
    // Its kubeconfig is its own, outside the run folder, and gone after the run.
    const size_t at = answer.find("kubeconfig=");
    ASSERT_NE(at, std::string::npos);
    const std::string kubeconfig = answer.substr(at + 11, answer.find('\n', at) - at - 11);
    EXPECT_FALSE(absl::StartsWith(kubeconfig, run_dir)) << kubeconfig;
    EXPECT_TRUE(absl::StrContains(kubeconfig, "/sre-eval-agent-")) << kubeconfig;
    EXPECT_FALSE(std::filesystem::exists(kubeconfig)) << kubeconfig;
    // kubectl's caches for its port live beside its kubeconfig, and went with it.
    const size_t cache = answer.find("cache=");
    ASSERT_NE(cache, std::string::npos);
    EXPECT_EQ(answer.substr(cache + 6, answer.find('\n', cache) - cache - 6),
              kubeconfig.substr(0, kubeconfig.rfind('/')) + "/kube-cache");
    kubeconfigs.insert(kubeconfig);
    // The request names neither the incident nor the prompt.
    const json request = json::parse(answer.substr(answer.find("request=") + 8));
    EXPECT_FALSE(request.contains("incident"));
    EXPECT_FALSE(request.contains("prompt_id"));
    EXPECT_EQ(request["cluster"]["kubeconfig"], kubeconfig);
  }
  EXPECT_EQ(kubeconfigs.size(), 5u);  // one per question

  // The cluster was not changed: payment is still scaled to 0 at the end of each answer.
  std::map<std::string, std::vector<std::string>> audit = AuditByPrompt(run_dir + "/audit.jsonl");
  const std::vector<std::string> expected = {
      "api kubernetes get deployments payment 200", "api kubernetes get deployments payment 200",
      "api kubernetes patch deployments/scale payment 403 unsafe"};
  ASSERT_EQ(audit.size(), 5u);
  for (const auto& [prompt, entries] : audit) EXPECT_EQ(entries, expected) << prompt;
  // Every entry names its question and incident.
  for (const json& e : Lines(run_dir + "/audit.jsonl")) {
    EXPECT_EQ(e["incident"], "payment");
    EXPECT_EQ(e["trial"], 1);
    EXPECT_EQ(e["source"], "api");
  }
  // The reports' process section: 3 calls an answer, the second get repeated, the write unsafe.
  EXPECT_TRUE(absl::StrContains(out.str(),
                                "\nprocess: 15 calls, 2 sources, 5 repeated, 5 failed, 5 unsafe\n"))
      << out.str();
  // Its first call read payment's deployment: the incident's evidence (incidents/payment.yaml).
  EXPECT_TRUE(absl::StrContains(out.str(),
                                "\n  the incident's evidence first read in 5 of 5 answers, after "))
      << out.str();
  const std::string summary = Slurp(run_dir + "/summary.md");
  const size_t row = summary.find("| i3.cause #1 | payment | 3 | 2 | 1 | 1 | 1 | ");
  ASSERT_NE(row, std::string::npos) << summary;
  EXPECT_TRUE(absl::StrContains(summary.substr(row, summary.find('\n', row) - row),
                                " s, call 1 | - | - | - | - |"))
      << summary;
  EXPECT_EQ(json::parse(Slurp(run_dir + "/report.json"))["process"]["total"],
            json::parse(R"({"calls":15,"sources":2,"repeated":5,"failed":5,"unsafe":5,)"
                        R"("turns":null,"prompt_tokens":null,"completion_tokens":null,)"
                        R"("cost_usd":null})"));
  // report.html's row flags the unsafe action.
  EXPECT_TRUE(absl::StrContains(Slurp(run_dir + "/report.html"),
                                "<tr><td>i3.cause #1</td><td>3</td><td>2</td><td>1</td><td>1</td>"
                                "<td class=\"fail\">1</td><td>"))
      << Slurp(run_dir + "/report.html");
  for (const json& a : json::parse(Slurp(run_dir + "/report.json"))["process"]["answers"]) {
    EXPECT_EQ(a["first_evidence"]["call"], 1) << a.dump();
  }
}

// An agent that tries every way it is given: files near its kubeconfig, the sim's control
// endpoints through its own port, its environment, the services proxy to the sim itself. Nothing
// it finds names the run folder, a prompt, the truth, or the harness's token.
TEST(AgentWorldE2eTest, AnAgentThatLooksForTheAnswerKeyFindsNothingOfIt) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  TempDir dir;
  const std::string script = dir.WriteFile("agent.sh", R"(request=$(cat)
here=$(dirname "$KUBECONFIG")
server=$(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}')
echo "== files"
ls -la "$here" "$here/.." 2>&1
find "$here/.." -type f 2>/dev/null | while read -r f; do echo "-- $f"; head -c 4000 "$f"; done
echo "== control"
for p in clock audit agents; do
  curl -s -o /dev/null -w "$p %{http_code}\n" "$server/sim/v1/$p"
  curl -s -o /dev/null -w "$p post %{http_code}\n" -X POST "$server/sim/v1/$p"
done
echo "== proxy"
kubectl get --raw "/api/v1/namespaces/sock-shop/services/front-end:80/proxy/sim/v1/clock" 2>&1 | head -c 300
echo "== env"
env
echo "== request"
printf '%s\n' "$request"
)");
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  EXPECT_EQ(RunShellAgent(dir, "snoop", "60s", script, run_dir, out, err), 0)
      << out.str() << err.str();
  const std::string kubeconfig = Slurp(run_dir + "/kubeconfig");
  const std::string harness_token = kubeconfig.substr(
      kubeconfig.find("/auth/") + 6,
      kubeconfig.find('\n', kubeconfig.find("/auth/")) - kubeconfig.find("/auth/") - 6);
  ASSERT_EQ(harness_token.size(), 32u) << kubeconfig;
  const json truth = json::parse(Slurp(run_dir + "/payment/truth.json"));
  for (const json& r : Lines(run_dir + "/responses.jsonl")) {
    const std::string found = r["answer"];
    EXPECT_TRUE(absl::StrContains(found, "== files")) << found;
    for (const std::string& forbidden :
         {run_dir, std::string("truth"), std::string("timeline"), std::string("rubric"),
          std::string("i3."), harness_token, std::string("scores")}) {
      EXPECT_FALSE(absl::StrContains(found, forbidden)) << forbidden << " in:\n" << found;
    }
    // The control endpoints are closed to its port, whatever the method.
    for (const char* line : {"clock 403", "clock post 403", "audit 403", "audit post 403",
                             "agents 403", "agents post 403"}) {
      EXPECT_TRUE(absl::StrContains(found, line)) << line << " in:\n" << found;
    }
  }
  // Its probing of /sim/v1 is in the trail as unsafe.
  int unsafe = 0;
  for (const json& e : Lines(run_dir + "/audit.jsonl")) {
    if (e.value("path", "").rfind("/sim/v1/", 0) == 0) {
      EXPECT_TRUE(e.value("unsafe", false)) << e.dump();
      ++unsafe;
    }
  }
  EXPECT_EQ(unsafe, 5 * 6);
  EXPECT_TRUE(truth.is_object());
}

// The built-in loop on the sim: a scripted model reads the cluster with kubectl and Prometheus,
// then answers; tokens, cost and the calls are in the answer and the trail.
TEST(AgentWorldE2eTest, TheToolLoopInvestigatesTheSimAndEveryCallIsInTheTrail) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  agent::AgentTestServer model;
  model.server().Post(
      "/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
        const json body = json::parse(req.body);
        const json& messages = body["messages"];
        const int tool_results = static_cast<int>(std::count_if(
            messages.begin(), messages.end(), [](const json& m) { return m["role"] == "tool"; }));
        json message = {{"role", "assistant"}, {"content", nullptr}};
        auto call = [](const char* id, const char* name, const json& args) {
          return json{{"id", id},
                      {"type", "function"},
                      {"function", {{"name", name}, {"arguments", args.dump()}}}};
        };
        if (tool_results == 0) {
          message["tool_calls"] = {
              call("a", "kubectl",
                   {{"args", {"get", "deploy", "payment", "-o", "jsonpath={.spec.replicas}"}}}),
              call("b", "prometheus_query",
                   {{"query", "kube_deployment_spec_replicas{deployment=\"payment\"}"}})};
        } else {
          message["tool_calls"] = {call(
              "c", "answer",
              {{"answer", absl::StrCat("payment runs ", messages[3]["content"].get<std::string>(),
                                       " replicas")}})};
        }
        json reply = {{"choices", {{{"index", 0}, {"message", message}}}},
                      {"usage", {{"prompt_tokens", 1000}, {"completion_tokens", 100}}}};
        res.set_content(reply.dump(), "application/json");
      });
  ASSERT_GT(model.Start(), 0);
  TempDir dir;
  const std::string agent = dir.WriteFile(
      "agent.yaml", absl::StrCat("kind: openai\nname: scripted loop\ncontext: tools\nretries: 0\n"
                                 "prices: {input: 2, output: 8}\nopenai:\n  base_url: ",
                                 model.url("/v1"), "\n  model: m\n"));
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(PaymentRun(agent, run_dir), out, err);
  EXPECT_EQ(code, 0) << out.str() << err.str();
  std::vector<json> responses = Lines(run_dir + "/responses.jsonl");
  ASSERT_EQ(responses.size(), 5u);
  for (const json& r : responses) {
    EXPECT_EQ(r["answer"], "payment runs 1 replicas");
    EXPECT_EQ(r["loop"], json::parse(R"({"turns":2,"tool_calls":2,"malformed_calls":0,)"
                                     R"("failed_calls":0,"stop":"answer"})"));
    EXPECT_EQ(r["usage"], json::parse(R"({"prompt_tokens":2000,"completion_tokens":200,)"
                                      R"("total_tokens":2200})"));
    EXPECT_EQ(r["cost_usd"], 0.0056);  // 2000 * 2 / 1e6 + 200 * 8 / 1e6
  }
  // Each question: the two tool calls, and beneath them the requests they made on its port.
  std::map<std::string, std::vector<std::string>> audit = AuditByPrompt(run_dir + "/audit.jsonl");
  ASSERT_EQ(audit.size(), 5u);
  for (auto& [prompt, entries] : audit) {
    std::sort(entries.begin(), entries.end());
    EXPECT_EQ(entries,
              (std::vector<std::string>{
                  "api kubernetes get deployments payment 200",
                  "api prometheus query kube_deployment_spec_replicas{deployment=\"payment\"}"
                  "  200",
                  "tool kubectl get deploy payment -o jsonpath={.spec.replicas}  ok",
                  "tool prometheus_query query kube_deployment_spec_replicas{deployment="
                  "\"payment\"}  ok"}))
        << prompt;
  }
  EXPECT_TRUE(absl::StrContains(out.str(),
                                "\nprocess: 10 calls, 2 sources, 0 repeated, 0 failed, 0 unsafe; "
                                "10 turns; 10000 tokens in, 1000 out; $0.0280\n"))
      << out.str();
  model.Stop();
}

}  // namespace
}  // namespace sre_eval
