// The command agent against real child programs: small /bin/sh scripts written to a
// temporary folder, and the subprocess tests' helper program.
#include "agent/command_agent.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace agent {
namespace {

AgentRequest SampleRequest() {
  AgentRequest r;
  r.incident = "crash";
  r.prompt_id = "i1.why_crash";
  r.message = "Why did payment crash?";
  r.history = {{"user", "What broke?"}, {"assistant", "payment restarted"}};
  r.window_start = "2026-11-24T10:00:00Z";
  r.window_end = "2026-11-24T10:15:00Z";
  r.cluster = {"/run/kubeconfig", "sim", "sock-shop"};
  r.trial = 2;
  return r;
}

TEST(DefaultRequestJsonTest, CarriesEveryField) {
  EXPECT_EQ(
      DefaultRequestJson(SampleRequest(), true, true).dump(),
      R"({"cluster":{"context":"sim","kubeconfig":"/run/kubeconfig","namespace":"sock-shop"},)"
      R"("history":[{"content":"What broke?","role":"user"},)"
      R"({"content":"payment restarted","role":"assistant"}],"incident":"crash",)"
      R"("message":"Why did payment crash?","prompt_id":"i1.why_crash","trial":2,)"
      R"("window":{"end":"2026-11-24T10:15:00Z","start":"2026-11-24T10:00:00Z"}})");
}

// Unless the agent file exposes them, nothing names the incident or the prompt.
TEST(DefaultRequestJsonTest, IncidentAndPromptOnlyWhenExposed) {
  EXPECT_EQ(
      DefaultRequestJson(SampleRequest()).dump(),
      R"({"cluster":{"context":"sim","kubeconfig":"/run/kubeconfig","namespace":"sock-shop"},)"
      R"("history":[{"content":"What broke?","role":"user"},)"
      R"({"content":"payment restarted","role":"assistant"}],)"
      R"("message":"Why did payment crash?","trial":2,)"
      R"("window":{"end":"2026-11-24T10:15:00Z","start":"2026-11-24T10:00:00Z"}})");
  EXPECT_EQ(DefaultRequestJson(SampleRequest(), true, false)["incident"], "crash");
  EXPECT_FALSE(DefaultRequestJson(SampleRequest(), true, false).contains("prompt_id"));
  EXPECT_EQ(DefaultRequestJson(SampleRequest(), false, true)["prompt_id"], "i1.why_crash");
  EXPECT_FALSE(DefaultRequestJson(SampleRequest(), false, true).contains("incident"));
}

// The monitoring APIs the cluster has: on the sim its own, on a real cluster the user's; the
// key is absent when there are none, and only the APIs there are appear.
TEST(DefaultRequestJsonTest, MonitoringOnlyWhatThereIs) {
  AgentRequest r = SampleRequest();
  EXPECT_FALSE(DefaultRequestJson(r).contains("monitoring"));
  r.cluster.loki = "http://127.0.0.1:4100/loki";
  EXPECT_EQ(DefaultRequestJson(r)["monitoring"].dump(), R"({"loki":"http://127.0.0.1:4100/loki"})");
  r.cluster.prometheus = "http://127.0.0.1:4100/prometheus";
  EXPECT_EQ(
      DefaultRequestJson(r)["monitoring"].dump(),
      R"({"loki":"http://127.0.0.1:4100/loki","prometheus":"http://127.0.0.1:4100/prometheus"})");
  r.cluster.datadog = "https://api.datadoghq.eu";
  EXPECT_EQ(DefaultRequestJson(r)["monitoring"]["datadog"], "https://api.datadoghq.eu");
}

TEST(DefaultRequestJsonTest, EvidenceOnlyWhenPresent) {
  AgentRequest r;
  EXPECT_FALSE(DefaultRequestJson(r).contains("evidence"));
  EXPECT_EQ(DefaultRequestJson(r)["history"], nlohmann::json::array());
  r.evidence = "pods: payment restarted 3 times";
  EXPECT_EQ(DefaultRequestJson(r)["evidence"], "pods: payment restarted 3 times");
}

class CommandAgentTest : public testing::Test {
 protected:
  // An agent that runs `script` with /bin/sh.
  AgentConfig Script(const std::string& script) {
    AgentConfig config;
    config.kind = "command";
    config.context_mode = "none";
    config.argv = {"/bin/sh", dir_.WriteFile("agent.sh", script)};
    return config;
  }

  AgentAnswer Ask(const AgentConfig& config) {
    CommandAgent agent(config, &runner_, &clock_);
    return agent.Ask(SampleRequest());
  }

  TempDir dir_;
  PosixProcessRunner runner_;
  FakeClock clock_{At("2026-11-24T10:20:00Z")};
};

TEST_F(CommandAgentTest, AnswerAsText) {
  std::string stdin_copy = dir_.path() + "/stdin.json";
  AgentConfig config =
      Script("cat > '" + stdin_copy + "'\nprintf 'The payment pod ran out of memory.\\n\\n'\n");
  CommandAgent agent(config, &runner_, &clock_);
  EXPECT_EQ(agent.kind(), "command");
  EXPECT_EQ(agent.context_mode(), "none");
  AgentAnswer answer = agent.Ask(SampleRequest());
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "The payment pod ran out of memory.");  // Trailing blank lines dropped.
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_FALSE(answer.truncated);
  EXPECT_EQ(answer.latency, absl::ZeroDuration());  // The fake clock did not move.
  absl::StatusOr<std::string> sent = ReadFile(stdin_copy);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, DefaultRequestJson(SampleRequest()).dump());
}

TEST_F(CommandAgentTest, AnswerThroughAPointer) {
  AgentConfig config =
      Script("cat > /dev/null\necho '{\"result\": {\"a/b\": [\"first\", \"OOMKilled\"]}}'\n");
  config.answer_pointer = "/result/a~1b/1";
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "OOMKilled");
  EXPECT_TRUE(answer.ok());
}

TEST_F(CommandAgentTest, StdoutThatIsNotJson) {
  AgentConfig config = Script("echo 'I think it crashed'\n");
  config.answer_pointer = "/answer";
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "stdout is not JSON");
  EXPECT_EQ(answer.text, "");
  EXPECT_FALSE(answer.ok());
}

TEST_F(CommandAgentTest, NoStringAtThePointer) {
  AgentConfig config = Script("echo '{\"answer\": 42, \"other\": \"x\"}'\n");
  config.answer_pointer = "/answer";
  EXPECT_EQ(Ask(config).error, "no string at /answer in stdout");
  config.answer_pointer = "/missing/0";
  EXPECT_EQ(Ask(config).error, "no string at /missing/0 in stdout");
  config.answer_pointer = "/other/x";  // Into a string: nothing there.
  EXPECT_EQ(Ask(config).error, "no string at /other/x in stdout");
}

TEST_F(CommandAgentTest, EmptyStdout) {
  EXPECT_EQ(Ask(Script("cat > /dev/null\n")).error, "stdout is empty");
}

TEST_F(CommandAgentTest, NonZeroExitCarriesTheLastLinesOfStderrRedacted) {
  AgentConfig config = Script(
      "echo 'partial answer'\n"
      "for i in 1 2 3 4 5 6; do echo \"line $i\" >&2; done\n"
      "echo 'auth failed for key sk-live-123456' >&2\n"
      "exit 3\n");
  config.secrets = {"sk-live-123456"};
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "exit 3: line 3\nline 4\nline 5\nline 6\nauth failed for key [REDACTED]");
  EXPECT_EQ(answer.text, "");
  EXPECT_EQ(answer.attempts, 1);
}

TEST_F(CommandAgentTest, StderrIsCutAt400Bytes) {
  // One line of 1000 bytes: '0'..'9' repeating, so the kept end is known.
  AgentConfig config =
      Script("i=0; while [ $i -lt 100 ]; do printf '0123456789' >&2; i=$((i+1)); done\nexit 1\n");
  AgentAnswer answer = Ask(config);
  std::string tail;
  for (int i = 0; i < 397; ++i) tail += static_cast<char>('0' + (603 + i) % 10);
  EXPECT_EQ(answer.error, "exit 1: ..." + tail);
  EXPECT_EQ(answer.error.size(), std::string("exit 1: ").size() + 400);
}

TEST_F(CommandAgentTest, ExitWithoutStderr) {
  AgentConfig config;
  config.argv = {SUBPROCESS_HELPER, "exit", "4"};
  EXPECT_EQ(Ask(config).error, "exit 4");
}

TEST_F(CommandAgentTest, KilledBySignal) {
  AgentConfig config;
  config.argv = {SUBPROCESS_HELPER, "signal-self", "9"};
  EXPECT_EQ(Ask(config).error, "killed by signal 9");
}

TEST_F(CommandAgentTest, Timeout) {
  AgentConfig config = Script("exec sleep 30\n");
  config.policy.timeout = absl::Milliseconds(300);
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "timed out after 0.3s");
  EXPECT_EQ(answer.attempts, 1);
}

// Finding 11 of issue 16: the program printed its answer and exited, but a child it forked
// kept stdout open: the answer was thrown away as "timed out".
TEST_F(CommandAgentTest, AnswerIsTakenWhenTheProgramExitsThoughAChildHoldsStdout) {
  AgentConfig config;
  config.argv = {SUBPROCESS_HELPER, "answer-with-holder", dir_.path() + "/holder.pid"};
  config.policy.timeout = absl::Seconds(20);
  absl::Time start = absl::Now();
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "the answer");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  std::string pid = *ReadFile(dir_.path() + "/holder.pid");
  EXPECT_TRUE(ProcessIsGone(std::stoi(pid), absl::Seconds(2))) << pid;
}

// Finding 11 of issue 16: a grandchild that called setsid survived the run (PPID 1).
TEST_F(CommandAgentTest, NothingTheProgramStartedOutlivesTheCall) {
  for (const char* mode : {"answer-with-setsid", "answer-with-daemon"}) {
    std::string pidfile = absl::StrCat(dir_.path(), "/", mode, ".pid");
    AgentConfig config;
    config.argv = {SUBPROCESS_HELPER, mode, pidfile};
    AgentAnswer answer = Ask(config);
    EXPECT_EQ(answer.error, "") << mode;
    EXPECT_EQ(answer.text, "the answer") << mode;
    absl::StatusOr<std::string> pid = ReadFile(pidfile);
    ASSERT_TRUE(pid.ok()) << pid.status();
    // Gone and reaped: not even a zombie is left.
    EXPECT_TRUE(ProcessIsReaped(std::stoi(*pid), absl::Seconds(2))) << mode << " " << *pid;
  }
}

TEST_F(CommandAgentTest, OversizedOutputIsTruncatedButStillAnAnswer) {
  AgentConfig config;
  config.argv = {SUBPROCESS_HELPER, "print-stdout", "100000"};
  config.policy.max_answer_bytes = 30;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_TRUE(answer.truncated);
  EXPECT_EQ(answer.text, "abcdefghijklmnopqrstuvwxyzabcd");
}

TEST_F(CommandAgentTest, OversizedJsonIsNotJson) {
  AgentConfig config;
  config.argv = {SUBPROCESS_HELPER, "print-stdout", "100000"};
  config.policy.max_answer_bytes = 30;
  config.answer_pointer = "/answer";
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "stdout is not JSON (cut at 30 bytes)");
  EXPECT_TRUE(answer.truncated);
}

TEST_F(CommandAgentTest, ProgramNotFound) {
  AgentConfig config;
  config.argv = {"sre-eval-no-such-agent-program", "--json"};
  EXPECT_EQ(Ask(config).error, "program 'sre-eval-no-such-agent-program' not found");
  config.argv = {dir_.path() + "/tok-secret-1"};
  config.secrets = {"tok-secret-1"};
  EXPECT_EQ(Ask(config).error, "program '" + dir_.path() + "/[REDACTED]' not found");
}

TEST_F(CommandAgentTest, ProgramNotExecutable) {
  AgentConfig config;
  config.argv = {dir_.WriteFile("not-executable", "#!/bin/sh\necho hi\n")};
  EXPECT_EQ(Ask(config).error, "program '" + config.argv[0] + "' is not executable");
}

// Bytes that are not UTF-8 on stdout or stderr become U+FFFD, flagged (issue 16).
TEST_F(CommandAgentTest, BytesThatAreNotUtf8OnStdoutAreReplaced) {
  AgentAnswer answer = Ask(Script("cat >/dev/null\nprintf 'payment \\377 scaled to 0\\n'\n"));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "payment \xEF\xBF\xBD scaled to 0");
  EXPECT_TRUE(answer.invalid_utf8);
  AgentConfig config = Script("cat >/dev/null\nprintf '{\"answer\": \"x \\377\"}'\n");
  config.answer_pointer = "/answer";
  answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "x \xEF\xBF\xBD");
  EXPECT_TRUE(answer.invalid_utf8);
}

TEST_F(CommandAgentTest, BytesThatAreNotUtf8OnStderrAreReplacedInTheError) {
  AgentAnswer answer = Ask(Script("cat >/dev/null\nprintf 'boom \\377\\n' >&2\nexit 1\n"));
  EXPECT_EQ(answer.error, "exit 1: boom \xEF\xBF\xBD");
  EXPECT_EQ(answer.text, "");
  EXPECT_TRUE(answer.invalid_utf8);
}

TEST_F(CommandAgentTest, StdoutCutAtTheCapInsideACharacterLosesThatCharacter) {
  // Three euro signs (9 bytes) under a 7-byte cap: two whole ones, nothing replaced.
  AgentConfig config =
      Script("cat >/dev/null\nprintf '\\342\\202\\254\\342\\202\\254\\342\\202\\254'\n");
  config.policy.max_answer_bytes = 7;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "\xE2\x82\xAC\xE2\x82\xAC");
  EXPECT_TRUE(answer.truncated);
  EXPECT_FALSE(answer.invalid_utf8);
}

TEST(CommandAgentFakeTest, PassesThePolicyAndMeasuresLatencyOnTheClock) {
  FakeClock clock(At("2026-11-24T10:20:00Z"));
  FakeProcessRunner runner([&clock](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    clock.Advance(absl::Milliseconds(2500));
    SubprocessResult r;
    r.exit_code = 0;
    r.stdout_data = "answer";
    return r;
  });
  AgentConfig config;
  config.argv = {"my-agent", "--json"};
  config.policy.timeout = absl::Seconds(45);
  config.policy.max_answer_bytes = 1234;
  config.policy.retries = 5;  // Not for commands.
  config.context_mode = "evidence";
  CommandAgent agent(config, &runner, &clock);
  EXPECT_EQ(agent.context_mode(), "evidence");
  AgentAnswer answer = agent.Ask(SampleRequest());
  EXPECT_EQ(answer.text, "answer");
  EXPECT_EQ(answer.latency, absl::Milliseconds(2500));
  EXPECT_EQ(answer.attempts, 1);
  std::vector<SubprocessOptions> calls = runner.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].argv, (std::vector<std::string>{"my-agent", "--json"}));
  EXPECT_EQ(calls[0].stdin_data, DefaultRequestJson(SampleRequest()).dump());
  EXPECT_EQ(calls[0].timeout, absl::Seconds(45));
  EXPECT_EQ(calls[0].max_stdout_bytes, 1234u);
  EXPECT_TRUE(calls[0].contain_descendants);
}

TEST(CommandAgentFakeTest, TimeoutIsStatedInSeconds) {
  FakeClock clock(At("2026-11-24T10:20:00Z"));
  FakeProcessRunner runner([](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return absl::DeadlineExceededError("my-agent did not finish within 1m");
  });
  AgentConfig config;
  config.argv = {"my-agent"};
  config.policy.timeout = absl::Seconds(60);
  CommandAgent agent(config, &runner, &clock);
  EXPECT_EQ(agent.Ask(SampleRequest()).error, "timed out after 60s");
}

TEST(CommandAgentFakeTest, OtherFailuresAreRedacted) {
  FakeClock clock(At("2026-11-24T10:20:00Z"));
  FakeProcessRunner runner([](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return absl::InternalError("pipe2 failed for token abcd-secret");
  });
  AgentConfig config;
  config.argv = {"my-agent"};
  config.secrets = {"abcd-secret"};
  CommandAgent agent(config, &runner, &clock);
  EXPECT_EQ(agent.Ask(SampleRequest()).error,
            "cannot run 'my-agent': pipe2 failed for token [REDACTED]");
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
