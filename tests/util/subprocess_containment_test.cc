// What is left of a child's process tree when its call ends (finding 11 of issue 16), with the
// helper program's modes that fork, hold pipes and leave the session.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/process_sweep.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

constexpr char kHelper[] = SUBPROCESS_HELPER;

// The pid the helper wrote to `pidfile`; 0 (and a test failure) when there is none.
int PidIn(const std::string& pidfile) {
  absl::StatusOr<std::string> text = ReadFile(pidfile);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? std::stoi(*text) : 0;
}

// Kubectl's calls too: the answer is what the child wrote before it exited, whoever else
// holds the pipe; the holder, in the child's group, is killed.
TEST(SubprocessContainmentTest, ResultIsTakenWhenTheChildExitsThoughAGrandchildHoldsStdout) {
  TempDir dir;
  std::string pidfile = dir.path() + "/holder.pid";
  SubprocessOptions options;
  options.argv = {kHelper, "answer-with-holder", pidfile};
  options.timeout = absl::Seconds(30);
  options.exit_drain = absl::Milliseconds(50);
  PosixProcessRunner runner;
  absl::Time start = absl::Now();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  absl::Duration elapsed = absl::Now() - start;
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "the answer\n");
  EXPECT_EQ(result->stderr_data, "");
  EXPECT_LT(elapsed, absl::Seconds(5));
  EXPECT_TRUE(ProcessIsGone(PidIn(pidfile), absl::Seconds(2)));
}

TEST(SubprocessContainmentTest, SetsidAndDaemonDescendantsAreKilledAndReaped) {
  for (const char* mode : {"answer-with-setsid", "answer-with-daemon"}) {
    TempDir dir;
    std::string pidfile = dir.path() + "/child.pid";
    SubprocessOptions options;
    options.argv = {kHelper, mode, pidfile};
    options.timeout = absl::Seconds(30);
    options.contain_descendants = true;
    PosixProcessRunner runner;
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    ASSERT_TRUE(result.ok()) << mode << ": " << result.status();
    EXPECT_EQ(result->exit_code, 0) << mode;
    EXPECT_EQ(result->stdout_data, "the answer\n") << mode;
    int pid = PidIn(pidfile);
    ASSERT_GT(pid, 1);
    EXPECT_TRUE(ProcessIsReaped(pid, absl::Seconds(2))) << mode << " left " << pid;
  }
}

// The deadline kills what left the group as well.
TEST(SubprocessContainmentTest, DeadlineKillsASetsidGrandchild) {
  TempDir dir;
  std::string pidfile = dir.path() + "/child.pid";
  std::string script = dir.WriteFile(
      "agent.sh", absl::StrCat(kHelper, " answer-with-setsid ", pidfile, "\nexec sleep 30\n"));
  SubprocessOptions options;
  options.argv = {"/bin/sh", script};
  options.timeout = absl::Milliseconds(500);
  options.kill_grace = absl::Milliseconds(100);
  options.contain_descendants = true;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status(),
            absl::DeadlineExceededError(
                "/bin/sh did not finish within 500ms; its process group was killed"));
  int pid = PidIn(pidfile);
  ASSERT_GT(pid, 1);
  EXPECT_TRUE(ProcessIsReaped(pid, absl::Seconds(2))) << pid;
}

TEST(SubprocessContainmentTest, EachCallHasItsOwnTag) {
  SubprocessOptions options;
  options.argv = {kHelper, "env", kCallTagVariable};
  options.contain_descendants = true;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> first = runner.Run(options);
  absl::StatusOr<SubprocessResult> second = runner.Run(options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(absl::StartsWith(first->stdout_data, absl::StrCat(getpid(), "-")))
      << first->stdout_data;
  EXPECT_NE(first->stdout_data, second->stdout_data);
  options.contain_descendants = false;
  absl::StatusOr<SubprocessResult> untagged = runner.Run(options);
  ASSERT_TRUE(untagged.ok());
  EXPECT_EQ(untagged->stdout_data, "(unset)");
}

// A process that is not the call's, though a child of this process, is left alone.
TEST(SubprocessContainmentTest, SweepLeavesOtherProcessesAlone) {
  pid_t bystander = fork();
  ASSERT_GE(bystander, 0);
  if (bystander == 0) {
    sleep(30);
    _exit(0);
  }
  SubprocessOptions options;
  options.argv = {kHelper, "exit", "0"};
  options.contain_descendants = true;
  PosixProcessRunner runner;
  ASSERT_TRUE(runner.Run(options).ok());
  EXPECT_EQ(kill(bystander, 0), 0);
  EXPECT_EQ(KillCallProcesses(getpid() + 1000000, "no-such-tag"), 0);
  EXPECT_EQ(kill(bystander, 0), 0);
  kill(bystander, SIGKILL);
  waitpid(bystander, nullptr, 0);
}

}  // namespace
}  // namespace sre_eval
