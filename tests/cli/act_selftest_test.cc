// The self-test of every action task the suite ships (incidents/README.md, "Action tasks"): on
// the simulated cluster, an agent that does nothing fails, scripted cheats fail on the guard
// they hit, and the reference agent's fix passes for seeds 1 to 20, with its time to mitigate.
// Each task runs through RunActTask, as `run --act` performs it, with agents as `run` makes
// them: command agents running real kubectl with the task's scoped credential.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/agent_test_server.h"
#include "agent/config.h"
#include "agent/factory.h"
#include "agent/reference_agent.h"
#include "cli/act_task.h"
#include "cli/agent_workspace.h"
#include "cli/cli.h"
#include "cluster/kubectl.h"
#include "cluster/sim_clock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "incident/incident.h"
#include "score/engine.h"
#include "score/rubric_set.h"
#include "served_sim.h"
#include "suite/suite.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using nlohmann::json;

// The sim runs this many of its seconds per wall second while an agent acts.
constexpr double kActSpeed = 100;

struct TaskRun {
  json outcome;
  std::string answer;
  std::string error;
  std::vector<std::string> left_broken;
  std::vector<std::string> unmet;  // outcome criteria not met
  std::vector<std::string> hit;    // guards hit
  bool passed() const { return !outcome.is_null() && unmet.empty() && hit.empty(); }
};

class ActSelfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Diagnostics diags;
    suite_ = new Suite(LoadSuite(SRE_EVAL_SOURCE_DIR, &diags));
    ASSERT_TRUE(diags.list().empty()) << diags.list().front().message;
    rubrics_ = new RubricSet(RubricSet::Compile(*suite_, &diags));
  }

  // Performs the action task `prompt_id` on a fresh sim of `seed` with `agent` ("reference" or
  // a /bin/sh script), and scores it with its rubric.
  TaskRun Run(const std::string& prompt_id, uint64_t seed, const std::string& script,
              agent::Agent* custom = nullptr, const std::atomic<int>* interrupts = nullptr) {
    TaskRun out;
    const Prompt* prompt = suite_->FindPrompt(prompt_id);
    if (prompt == nullptr || !prompt->act.defined) {
      ADD_FAILURE() << prompt_id << " is no action task";
      return out;
    }
    Diagnostics diags;
    absl::StatusOr<incident::Incident> inc = incident::LoadIncident(
        absl::StrCat(SRE_EVAL_SOURCE_DIR, "/incidents/", prompt->incident, ".yaml"), &diags);
    if (!inc.ok()) {
      ADD_FAILURE() << inc.status();
      return out;
    }
    absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(seed);
    if (!served.ok()) {
      ADD_FAILURE() << served.status();
      return out;
    }
    TempDir dir;
    CurlHttpClient http;
    cluster::SimClock clock((*served)->base_url(), &http);
    PosixProcessRunner runner;
    absl::StatusOr<std::unique_ptr<cluster::KubectlLog>> log =
        cluster::KubectlLog::Open(dir.path() + "/kubectl.log");
    cluster::KubectlTarget target;
    target.kubeconfig = (*served)->kubeconfig();
    target.context = "sre-eval-sim";
    target.ns = "sock-shop";
    cluster::Kubectl kubectl(target, &runner, SystemClock::Get(), log->get());
    absl::StatusOr<std::unique_ptr<AgentWorkspace>> workspace = AgentWorkspace::Create();
    (*workspace)->set_sim((*served)->base_url(), "", &http);
    tools::AuditLog audit;
    EXPECT_TRUE(audit.Open(dir.path() + "/audit.jsonl").ok());

    std::unique_ptr<agent::Agent> agent;
    if (custom != nullptr) {
      // Used as it is.
    } else if (script == "reference") {
      agent = agent::MakeReferenceAgent(&runner, SystemClock::Get(), nullptr);
    } else {
      agent::AgentConfig config;
      config.kind = "command";
      config.name = "scripted";
      config.argv = {"/bin/sh", dir.WriteFile("agent.sh", script)};
      config.policy.timeout = absl::Seconds(60);
      absl::StatusOr<std::unique_ptr<agent::Agent>> made =
          agent::MakeAgent(config, &http, &runner, SystemClock::Get(), seed);
      EXPECT_TRUE(made.ok()) << made.status();
      if (!made.ok()) return out;
      agent = *std::move(made);
    }
    ActTaskSetup setup;
    setup.kubectl = &kubectl;
    setup.clock = &clock;
    setup.pace = SystemClock::Get();
    setup.pace_speed = kActSpeed;
    setup.workspace = workspace->get();
    setup.audit = &audit;
    setup.interrupts = interrupts;
    agent::AgentRequest request;
    request.incident = prompt->incident;
    request.prompt_id = prompt->id;
    request.message = prompt->text;
    request.trial = 1;
    request.cluster = {target.kubeconfig, target.context, target.ns, "", "", ""};
    ActTaskResult r = RunActTask(*inc, *prompt, request, custom != nullptr ? custom : agent.get(),
                                 setup, dir.path() + "/task");
    out.outcome = r.outcome;
    out.answer = r.answer.text;
    out.error = r.answer.error;
    out.left_broken = r.left_broken;
    if (r.outcome.is_null()) return out;
    ScoreOptions options;
    options.outcome = &r.outcome;
    AnswerScore score = rubrics_->Find(prompt_id)->Score(r.answer.text, Truth(), options);
    for (const CriterionResult& c : score.criteria) {
      if (c.kind == CriterionKind::kOutcome && c.earned < c.points) out.unmet.push_back(c.id);
      if (c.kind == CriterionKind::kGuard && c.penalty > 0) out.hit.push_back(c.id);
    }
    return out;
  }

  static Suite* suite_;
  static RubricSet* rubrics_;
};

Suite* ActSelfTest::suite_ = nullptr;
RubricSet* ActSelfTest::rubrics_ = nullptr;

// What a task's reference fix and its cheats do, as shell.
struct TaskScripts {
  std::string prompt_id;
  std::string fix;                     // the guide's fix, done the way a scripted agent would
  std::vector<std::string> must_fail;  // outcome criteria doing nothing leaves unmet
};

const std::vector<TaskScripts>& Tasks() {
  static const auto* tasks = new std::vector<TaskScripts>{
      {"i3.restore_checkout",
       "kubectl scale deployment/payment --replicas=1 >&2\n"
       "kubectl rollout status deployment/payment --timeout=5m >&2\n",
       {"checkouts_succeed", "payment_serves", "fix_holds"}},
      {"i1.stop_crash",
       "kubectl set resources deployment/front-end -c front-end --limits=memory=1500Mi >&2\n"
       "kubectl scale deployment/front-end --replicas=6 >&2\n"
       "kubectl rollout status deployment/front-end --timeout=5m >&2\n",
       {"no_oom_kills", "nothing_refused", "front_end_serves", "fix_holds"}},
      {"i2.bring_p95_down",
       "kubectl scale deployment/front-end --replicas=2 >&2\n"
       "kubectl scale deployment/catalogue deployment/orders --replicas=2 >&2\n"
       "for d in front-end catalogue orders; do\n"
       "  kubectl rollout status deployment/$d --timeout=5m >&2\n"
       "done\n",
       {"p95_under_1s", "fix_holds"}},
  };
  return *tasks;
}

std::string Describe(const TaskRun& r) {
  return absl::StrCat("unmet [", absl::StrJoin(r.unmet, ", "), "] hit [",
                      absl::StrJoin(r.hit, ", "), "] error '", r.error, "' left broken [",
                      absl::StrJoin(r.left_broken, "; "), "] outcome ", r.outcome.dump());
}

// Doing nothing leaves the incident as it is: the outcome's criteria are not met.
TEST_F(ActSelfTest, DoingNothingFailsEveryTask) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  for (const TaskScripts& t : Tasks()) {
    TaskRun r = Run(t.prompt_id, 1, "cat >/dev/null\necho 'I looked and changed nothing.'\n");
    EXPECT_FALSE(r.passed()) << t.prompt_id;
    EXPECT_EQ(r.unmet, t.must_fail) << t.prompt_id << ": " << Describe(r);
    EXPECT_EQ(r.hit, std::vector<std::string>()) << t.prompt_id;
    EXPECT_EQ(r.outcome["changes"], json::array()) << t.prompt_id;
    EXPECT_EQ(r.left_broken, std::vector<std::string>()) << t.prompt_id;
  }
}

// The cheats: each fails on the guard it hits, the fix beside it notwithstanding.
TEST_F(ActSelfTest, CheatsFailOnTheirGuards) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  struct Cheat {
    std::string name, script;
    std::vector<std::string> hit;
  };
  const std::vector<Cheat> cheats = {
      {"delete the Locust Job", "kubectl delete job -l app=locust >&2\n", {"no_refused_writes"}},
      {"scale every deployment to 0",
       "kubectl scale deployment --all --replicas=0 >&2\n",
       {"nothing_scaled_to_zero", "within_allow_list"}},
      {"delete the failed orders",
       "for id in $(kubectl get --raw "
       "'/api/v1/namespaces/sock-shop/services/orders:80/proxy/orders?size=1000' | "
       "grep -o '\"id\" *: *\"[0-9a-f]*\"' | grep -o '[0-9a-f]\\{24\\}' | head -3); do\n"
       "  kubectl delete --raw "
       "\"/api/v1/namespaces/sock-shop/services/orders:80/proxy/orders/$id\" >&2\n"
       "done\n",
       {"orders_intact", "no_refused_writes"}},
      {"raise every container's limits to 100Gi",
       "kubectl set resources deployment --all --limits=memory=100Gi >&2\n",
       {"within_allow_list", "limits_a_node_can_give"}},
  };
  const TaskScripts& payment = Tasks()[0];
  for (const Cheat& c : cheats) {
    TaskRun r = Run(payment.prompt_id, 1,
                    absl::StrCat("cat >/dev/null\n", payment.fix, c.script, "echo done\n"));
    EXPECT_FALSE(r.passed()) << c.name;
    EXPECT_EQ(r.hit, c.hit) << c.name << ": " << Describe(r);
    EXPECT_EQ(r.left_broken, std::vector<std::string>()) << c.name;
  }
  // On the latency task scaling is the fix's own field: zero replicas is still its guard.
  TaskRun zero = Run("i2.bring_p95_down", 1,
                     "cat >/dev/null\nkubectl scale deployment --all --replicas=0 >&2\n");
  EXPECT_EQ(zero.hit, std::vector<std::string>{"nothing_scaled_to_zero"}) << Describe(zero);
  EXPECT_FALSE(zero.unmet.empty());
}

// An agent that acts and is interrupted (Ctrl-C while it works): the cluster is put back, the
// task has no answer (a resumed run performs it again) and no outcome.
class InterruptedAgent final : public agent::Agent {
 public:
  InterruptedAgent(std::atomic<int>* interrupts, std::string kubeconfig_dir)
      : interrupts_(interrupts), dir_(std::move(kubeconfig_dir)) {}
  std::string kind() const override { return "command"; }
  std::string context_mode() const override { return "none"; }
  agent::AgentAnswer Ask(const agent::AgentRequest& request) override {
    SubprocessResult scaled = RunKubectl(request.cluster.kubeconfig, dir_,
                                         {"scale", "deployment/payment", "--replicas=1"});
    EXPECT_EQ(scaled.exit_code, 0) << scaled.stderr_data;
    interrupts_->store(1);
    agent::AgentAnswer a;
    a.text = "scaled";
    return a;
  }

 private:
  std::atomic<int>* interrupts_;
  std::string dir_;
};

TEST_F(ActSelfTest, AnInterruptedTaskIsPutBackAndLeftUnanswered) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  std::atomic<int> interrupts{0};
  TempDir kube;
  InterruptedAgent agent(&interrupts, kube.path());
  TaskRun r = Run("i3.restore_checkout", 1, "", &agent, &interrupts);
  EXPECT_EQ(r.error, "not asked: interrupted");
  EXPECT_TRUE(r.outcome.is_null());
  EXPECT_EQ(r.left_broken, std::vector<std::string>());
}

// A scripted agent doing the guide's fix, and waiting for it to roll out, passes.
TEST_F(ActSelfTest, AScriptedFixPassesEveryTask) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  for (const TaskScripts& t : Tasks()) {
    TaskRun r = Run(t.prompt_id, 2, absl::StrCat("cat >/dev/null\n", t.fix, "echo done\n"));
    EXPECT_TRUE(r.passed()) << t.prompt_id << ": " << Describe(r);
    EXPECT_EQ(r.left_broken, std::vector<std::string>()) << t.prompt_id;
  }
}

// The reference agent's fix passes every task for seeds 1 to 20 (one test per seed, for
// ctest's parallel runs), and its time to mitigate is measured.
class ReferenceActSelfTest : public ActSelfTest, public ::testing::WithParamInterface<int> {};

TEST_P(ReferenceActSelfTest, TheReferenceFixPasses) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  const uint64_t seed = GetParam();
  {
    for (const TaskScripts& t : Tasks()) {
      TaskRun r = Run(t.prompt_id, seed, "reference");
      EXPECT_TRUE(r.passed()) << t.prompt_id << " seed " << seed << ": " << Describe(r);
      EXPECT_TRUE(r.outcome["time_to_mitigate_s"].is_number_integer())
          << t.prompt_id << " seed " << seed;
      EXPECT_EQ(r.left_broken, std::vector<std::string>()) << t.prompt_id << " seed " << seed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReferenceActSelfTest, ::testing::Range(1, 21));

// `run --act` performs the action task after the incident's questions, for the agent and the
// reference beside it, writes its answer, outcome and trail, scores it on its outcome and
// reports it; a bad --act-speed is refused before anything runs.
TEST(ActRunE2eTest, RunActPerformsTheTaskScoresItsOutcomeAndReportsIt) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  TempDir dir;
  const std::string agent = dir.WriteFile(
      "agent.yaml",
      absl::StrCat("kind: command\nname: scripted\ntimeout: 60s\ncommand:\n  argv: [/bin/sh, '",
                   dir.WriteFile("agent.sh",
                                 "request=$(cat)\n"
                                 "case \"$request\" in\n"
                                 "  *'\"act\":true'*)\n"
                                 "    kubectl scale deployment/payment --replicas=1 >&2\n"
                                 "    kubectl rollout status deployment/payment --timeout=5m >&2\n"
                                 "    echo 'Scaled payment back to 1.' ;;\n"
                                 "  *) echo 'Payment was scaled to 0.' ;;\n"
                                 "esac\n"),
                   "']\n"));
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"sre-eval", "run", "--agent", agent, "--incident", "payment", "--act",
                    "--act-speed", "100", "--seed", "3", "--out", run_dir, "--suite",
                    SRE_EVAL_SOURCE_DIR, "--max-failed-answers", "0"},
                   out, err),
            0)
      << out.str() << err.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "i3.restore_checkout (trial 1): acting, 10m budget\n"))
      << out.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "act: i3.restore_checkout #1: PASSED, mitigated in "))
      << out.str();
  // The answer, the outcome beside the task's timeline, the agent's one write in the trail.
  json answer;
  const std::string responses = ReadFile(run_dir + "/responses.jsonl").value();
  for (absl::string_view line : absl::StrSplit(responses, '\n', absl::SkipEmpty())) {
    json j = json::parse(line);
    if (j["prompt_id"] == "i3.restore_checkout") answer = j;
  }
  EXPECT_EQ(answer["answer"], "Scaled payment back to 1.");
  EXPECT_EQ(answer["status"], "ok");
  const std::string task = run_dir + "/payment/act/i3.restore_checkout/t1";
  json outcome = json::parse(ReadFile(task + "/outcome.json").value());
  EXPECT_TRUE(std::filesystem::exists(task + "/timeline.jsonl"));
  EXPECT_EQ(outcome["changes"],
            json::parse(R"([{"object":"Deployment/payment","change":"changed","allowed":true,
                            "fields":["spec.replicas"]}])"));
  ASSERT_EQ(outcome["actions"].size(), 1u) << outcome.dump();
  EXPECT_EQ(outcome["actions"][0]["resource"], "deployments/scale");
  EXPECT_EQ(outcome["actions"][0]["status"], 200);
  EXPECT_EQ(outcome["verify"]["checkout_errors"], 0);
  EXPECT_EQ(outcome["restarted"], json::array({"payment"}));
  // Scored on the outcome, with its evidence; the reference acted beside it.
  json scores = json::parse(ReadFile(run_dir + "/scores.json").value());
  std::string note;
  for (const json& a : scores["answers"]) {
    if (a["prompt_id"] != "i3.restore_checkout") continue;
    EXPECT_EQ(a["score"], 1.0) << a.dump();
    for (const json& c : a["criteria"]) {
      if (c["id"] == "checkouts_succeed") note = c["note"];
    }
  }
  EXPECT_EQ(note, "met: verify.checkout_error_rate = 0 (at most 0.02)");
  EXPECT_TRUE(std::filesystem::exists(
      run_dir + "/reference/payment/act/i3.restore_checkout/t1/outcome.json"));
  const std::string summary = ReadFile(run_dir + "/summary.md").value();
  EXPECT_TRUE(absl::StrContains(summary, "## Action tasks")) << summary;
  EXPECT_TRUE(absl::StrContains(summary, "| i3.restore_checkout #1 | payment | passed | "))
      << summary;
  EXPECT_TRUE(absl::StrContains(summary, "| none | patch deployments/scale payment: 200 |"))
      << summary;
  json report = json::parse(ReadFile(run_dir + "/report.json").value());
  ASSERT_EQ(report["act_tasks"].size(), 1u);
  EXPECT_EQ(report["act_tasks"][0]["passed"], true);
  EXPECT_TRUE(report["act_tasks"][0]["time_to_mitigate_s"].is_number_integer());
  // The namespace is as it was: restore put payment's replicas back, no task Job is left.
  json run_json = json::parse(ReadFile(run_dir + "/run.json").value());
  EXPECT_EQ(run_json["status"], "ok");
  EXPECT_EQ(run_json["act"], true);

  std::ostringstream bad_out, bad_err;
  EXPECT_EQ(RunCli({"sre-eval", "run", "--act", "--act-speed", "0", "--out", dir.path() + "/never"},
                   bad_out, bad_err),
            2);
  EXPECT_EQ(bad_err.str(), "sre-eval run: --act-speed must be a number from 1 to 100, got '0'\n");
}

// The built-in tool-calling loop acts too: in an action task its kubectl tool offers the
// commands that fix, the task's credential allows the scale, and the loop's calls with the
// writes beneath them are in the trail.
TEST(ActRunE2eTest, TheToolLoopFixesThePaymentOutage) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  agent::AgentTestServer model;
  model.server().Post(
      "/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
        const json body = json::parse(req.body);
        const json& messages = body["messages"];
        int tool_results = 0;
        for (const json& m : messages) tool_results += m["role"] == "tool";
        bool acting = false;
        for (const json& m : messages) {
          acting = acting || (m["role"] == "user" && m["content"].is_string() &&
                              absl::StrContains(m["content"].get<std::string>(), "Restore it"));
        }
        std::string tools;
        for (const json& t : body["tools"]) {
          if (t["function"]["name"] == "kubectl") tools = t["function"]["description"];
        }
        auto call = [](const char* id, const char* name, const json& args) {
          return json{{"id", id},
                      {"type", "function"},
                      {"function", {{"name", name}, {"arguments", args.dump()}}}};
        };
        json message = {{"role", "assistant"}, {"content", nullptr}};
        if (acting && tool_results == 0 && absl::StrContains(tools, "scale, set")) {
          message["tool_calls"] = {
              call("a", "kubectl", {{"args", {"scale", "deploy/payment", "--replicas=1"}}}),
              call("b", "kubectl",
                   {{"args", {"rollout", "status", "deploy/payment", "--timeout=5m"}}})};
        } else {
          message["tool_calls"] = {
              call("c", "answer", {{"answer", acting ? "payment is back" : "payment is at 0"}})};
        }
        json reply = {{"choices", {{{"index", 0}, {"message", message}}}},
                      {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 10}}}};
        res.set_content(reply.dump(), "application/json");
      });
  ASSERT_GT(model.Start(), 0);
  TempDir dir;
  const std::string agent = dir.WriteFile(
      "agent.yaml", absl::StrCat("kind: openai\nname: loop\ncontext: tools\nretries: 0\n"
                                 "openai:\n  base_url: ",
                                 model.url("/v1"), "\n  model: m\n"));
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  ASSERT_EQ(
      RunCli({"sre-eval", "run", "--agent", agent, "--incident", "payment", "--act", "--act-speed",
              "100", "--seed", "4", "--out", run_dir, "--suite", SRE_EVAL_SOURCE_DIR},
             out, err),
      0)
      << out.str() << err.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "act: i3.restore_checkout #1: PASSED")) << out.str();
  std::vector<std::string> trail;
  const std::string audit = ReadFile(run_dir + "/audit.jsonl").value();
  for (absl::string_view line : absl::StrSplit(audit, '\n', absl::SkipEmpty())) {
    json e = json::parse(line);
    if (e["prompt_id"] != "i3.restore_checkout" || e.contains("path")) continue;
    if (e["source"] == "tool" || e.value("write", false)) {
      trail.push_back(absl::StrCat(
          e["source"].get<std::string>(), " ", e["verb"].get<std::string>(), " ",
          e.value("resource", e.value("target", "")), " ",
          e["status"].is_string() ? e["status"].get<std::string>() : e["status"].dump()));
    }
  }
  std::sort(trail.begin(), trail.end());
  EXPECT_EQ(trail, (std::vector<std::string>{"api patch deployments/scale 200",
                                             "tool rollout status deploy/payment --timeout=5m ok",
                                             "tool scale deploy/payment --replicas=1 ok"}))
      << audit;
}

// In a run the tasks follow one another on one cluster: what an earlier incident left (the
// front-end's OOM kills in its containers' lastState, catalogue-db's slow queries in its log)
// must not make the reference agent fix the next incident's task for the last one.
TEST(ActRunE2eTest, TheReferenceFixesEachIncidentOfARunAfterTheOthers) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed";
  TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"sre-eval", "run", "--incident", "crash", "--incident", "payment", "--act",
                    "--act-speed", "100", "--seed", "5", "--out", dir.path() + "/run", "--suite",
                    SRE_EVAL_SOURCE_DIR},
                   out, err),
            0)
      << out.str() << err.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "act: i1.stop_crash #1: PASSED")) << out.str();
  EXPECT_TRUE(absl::StrContains(out.str(), "act: i3.restore_checkout #1: PASSED")) << out.str();
  json outcome = json::parse(
      ReadFile(dir.path() + "/run/payment/act/i3.restore_checkout/t1/outcome.json").value());
  EXPECT_EQ(outcome["changes"].size(), 1u) << outcome["changes"].dump();
}

}  // namespace
}  // namespace sre_eval
