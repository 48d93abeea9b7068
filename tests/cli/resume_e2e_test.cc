// `sre-eval run --resume` after the run was stopped at any moment: killed outright (SIGKILL),
// or interrupted (SIGINT, SIGTERM) while recording or asking. The real binary runs as a child
// process against the sim with real kubectl; the test watches the run folder to stop it at a
// known phase, resumes it, and checks that the resumed run is whole: every selected incident
// recorded, every prompt answered, and the scores of an uninterrupted run of the same seed.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/file_util.h"
#include "util/subprocess.h"

extern char** environ;

namespace sre_eval {
namespace {

std::string Text(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{64} << 20);
  return text.ok() ? *text : "";
}

int Lines(const std::string& path) {
  std::string t = Text(path);
  return static_cast<int>(std::count(t.begin(), t.end(), '\n'));
}

std::vector<std::string> RunArgs(const std::string& run_dir) {
  return {SRE_EVAL_BINARY, "run", "--incident", "crash", "--incident", "payment",
          "--seed",        "7",   "--out",      run_dir, "--suite",    SRE_EVAL_SOURCE_DIR};
}

// Starts `argv`, waits until `ready()` holds (or 120 s pass), sends `sig`, and returns the
// child's exit status as waitpid gives it.
int StopWhen(const std::vector<std::string>& argv, const std::function<bool()>& ready, int sig) {
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0);
  if (rc != 0) return -1;
  absl::Time deadline = absl::Now() + absl::Seconds(120);
  bool sent = false;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (!sent && (ready() || absl::Now() > deadline)) {
      kill(pid, sig);
      sent = true;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_TRUE(sent) << "the run ended before the moment to stop it came";
  return status;
}

SubprocessResult Resume(const std::string& run_dir) {
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {SRE_EVAL_BINARY, "run", "--resume", run_dir, "--suite", SRE_EVAL_SOURCE_DIR};
  o.timeout = absl::Seconds(300);
  absl::StatusOr<SubprocessResult> r = runner.Run(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SubprocessResult{};
}

// The scores that must not depend on how the run got done: per answer, and overall.
std::map<std::string, double> Scores(const std::string& run_dir) {
  std::map<std::string, double> out;
  nlohmann::json s = nlohmann::json::parse(Text(run_dir + "/scores.json"), nullptr, false);
  if (!s.is_object()) return out;
  for (const nlohmann::json& a : s["answers"]) {
    out[absl::StrCat(a["prompt_id"].get<std::string>(), "#", a["trial"].get<int>())] =
        a["score"].get<double>();
  }
  out["overall"] = s["overall"]["score"].get<double>();
  return out;
}

struct StopCase {
  const char* name;
  int signal;
  // When to stop, from what the run folder shows.
  std::function<bool(const std::string& run_dir)> ready;
};

// gtest would print the case's bytes, padding included (uninitialised for valgrind).
void PrintTo(const StopCase& c, std::ostream* os) { *os << c.name; }

class ResumeE2eTest : public testing::TestWithParam<StopCase> {
 protected:
  static void SetUpTestSuite() {
    if (!HaveKubectl()) return;
    baseline_dir_ = new TempDir;
    PosixProcessRunner runner;
    SubprocessOptions o;
    o.argv = RunArgs(baseline_dir_->path() + "/run");
    o.timeout = absl::Seconds(300);
    absl::StatusOr<SubprocessResult> r = runner.Run(o);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->stderr_data;
    baseline_ = new std::map<std::string, double>(Scores(baseline_dir_->path() + "/run"));
  }
  static void TearDownTestSuite() {
    delete baseline_dir_;
    delete baseline_;
  }
  static TempDir* baseline_dir_;
  static std::map<std::string, double>* baseline_;
};
TempDir* ResumeE2eTest::baseline_dir_ = nullptr;
std::map<std::string, double>* ResumeE2eTest::baseline_ = nullptr;

TEST_P(ResumeE2eTest, FinishesWithEveryIncidentRecordedAndTheUninterruptedScores) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  ASSERT_NE(baseline_, nullptr);
  ASSERT_EQ(baseline_->size(), 12u);  // 11 prompts of crash and payment, and the overall
  const StopCase& c = GetParam();
  TempDir dir;
  const std::string run_dir = dir.path() + "/run";
  int status = StopWhen(
      RunArgs(run_dir), [&] { return c.ready(run_dir); }, c.signal);
  if (c.signal == SIGKILL) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  } else {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
  }
  nlohmann::json before = nlohmann::json::parse(Text(run_dir + "/run.json"));
  EXPECT_EQ(before["selected_incidents"], nlohmann::json({"crash", "payment"}));
  EXPECT_NE(before["status"], "ok");

  SubprocessResult resumed = Resume(run_dir);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.stdout_data << resumed.stderr_data;
  nlohmann::json after = nlohmann::json::parse(Text(run_dir + "/run.json"));
  EXPECT_EQ(after["status"], "ok");
  EXPECT_EQ(after["missing_answers"], 0);
  ASSERT_EQ(after["incidents"].size(), 2u);
  for (const nlohmann::json& i : after["incidents"]) EXPECT_EQ(i["status"], "ok") << i.dump();
  // Each truth is the uninterrupted run's, byte for byte (the sim replays the same seed).
  for (const char* id : {"crash", "payment"}) {
    EXPECT_EQ(Text(absl::StrCat(run_dir, "/", id, "/truth.json")),
              Text(absl::StrCat(baseline_dir_->path(), "/run/", id, "/truth.json")))
        << id;
  }
  EXPECT_EQ(Lines(run_dir + "/responses.jsonl"), 11);
  EXPECT_EQ(Scores(run_dir), *baseline_);
}

INSTANTIATE_TEST_SUITE_P(
    Stops, ResumeE2eTest,
    testing::Values(
        // kill -9 while the first incident is being recorded.
        StopCase{"KillWhileRecordingTheFirst", SIGKILL,
                 [](const std::string& d) { return Lines(d + "/kubectl.log") >= 12; }},
        // kill -9 while the agent is answering about the first incident (a line may be cut).
        StopCase{"KillWhileAsking", SIGKILL,
                 [](const std::string& d) { return Lines(d + "/responses.jsonl") >= 2; }},
        // kill -9 while the second incident is being recorded.
        StopCase{"KillWhileRecordingTheSecond", SIGKILL,
                 [](const std::string& d) {
                   return std::filesystem::exists(d + "/payment/timeline.jsonl");
                 }},
        // Ctrl-C while recording: the incident is interrupted and restored, its truth partial.
        StopCase{"SigintWhileRecording", SIGINT,
                 [](const std::string& d) { return Lines(d + "/kubectl.log") >= 12; }},
        StopCase{"SigtermWhileRecordingTheSecond", SIGTERM,
                 [](const std::string& d) {
                   return std::filesystem::exists(d + "/payment/timeline.jsonl");
                 }}),
    [](const testing::TestParamInfo<StopCase>& info) { return info.param.name; });

}  // namespace
}  // namespace sre_eval
