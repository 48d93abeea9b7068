#include "util/subprocess.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kHelper[] = SUBPROCESS_HELPER;

// Options that run the helper in `mode` with `args`. The timeout is generous: the tests also
// run under valgrind, and only the deadline tests mean to hit it.
SubprocessOptions HelperOptions(const std::string& mode, std::vector<std::string> args = {}) {
  SubprocessOptions options;
  options.argv = {kHelper, mode};
  for (std::string& arg : args) options.argv.push_back(std::move(arg));
  options.timeout = absl::Seconds(60);
  return options;
}

// The helper's print-stdout pattern: byte i is 'a' + i % 26.
char PatternAt(size_t i) { return static_cast<char>('a' + i % 26); }

std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = PatternAt(i);
  return s;
}

// "out 1\nout 2\n..." up to `prefix` 1000.
std::string NumberedLines(const std::string& prefix) {
  std::string s;
  for (int i = 1; i <= 1000; ++i) absl::StrAppend(&s, prefix, " ", i, "\n");
  return s;
}

TEST(SubprocessTest, FiftyMegabytesOnStdoutDoNotDeadlock) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("print-stdout", {"52428800"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->term_signal, 0);
  ASSERT_EQ(result->stdout_data.size(), size_t{52428800});
  EXPECT_FALSE(result->stdout_truncated);
  EXPECT_EQ(result->stdout_data[0], 'a');
  EXPECT_EQ(result->stdout_data[25], 'z');
  EXPECT_EQ(result->stdout_data[26], 'a');
  EXPECT_EQ(result->stdout_data[1 << 20], PatternAt(1 << 20));
  EXPECT_EQ(result->stdout_data[26214400], PatternAt(26214400));
  EXPECT_EQ(result->stdout_data[52428799], PatternAt(52428799));
  // And every byte, without printing 50 MB when one is wrong.
  EXPECT_TRUE(result->stdout_data == Pattern(52428800));
  EXPECT_EQ(result->stderr_data, "");
}

TEST(SubprocessTest, DeadlineKillsTheChildAndItsGrandchildren) {
  TempDir dir;
  std::string pidfile = dir.path() + "/grandchild.pid";
  SubprocessOptions options = HelperOptions("sleep-with-grandchild", {pidfile});
  options.timeout = absl::Milliseconds(300);
  options.kill_grace = absl::Milliseconds(200);
  PosixProcessRunner runner;

  absl::Time start = absl::Now();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  absl::Duration elapsed = absl::Now() - start;

  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(result.status().message(),
            absl::StrCat(kHelper, " did not finish within 300ms; its process group was killed"));
  EXPECT_GE(elapsed, absl::Milliseconds(300));
  // Both die of the SIGTERM, so the grace period is not used up.
  EXPECT_LT(elapsed, absl::Seconds(3));

  std::ifstream in(pidfile);
  int grandchild = 0;
  ASSERT_TRUE(in >> grandchild) << "no pid in " << pidfile;
  ASSERT_GT(grandchild, 1);
  EXPECT_TRUE(ProcessIsGone(grandchild, absl::Seconds(2)))
      << "grandchild " << grandchild << " outlived the deadline";
}

TEST(SubprocessTest, ChildIgnoringSigtermGetsSigkillAfterTheGrace) {
  SubprocessOptions options = HelperOptions("ignore-term");
  options.timeout = absl::Milliseconds(300);
  options.kill_grace = absl::Milliseconds(200);
  PosixProcessRunner runner;

  absl::Time start = absl::Now();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  absl::Duration elapsed = absl::Now() - start;

  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(result.status().message(),
            absl::StrCat(kHelper, " did not finish within 300ms; its process group was killed"));
  // SIGTERM was ignored, so the whole grace passed before SIGKILL; then it ended at once
  // rather than after its 100 s sleep.
  EXPECT_GE(elapsed, absl::Milliseconds(500));
  EXPECT_LT(elapsed, absl::Seconds(3));
}

TEST(SubprocessTest, StderrNeverMixesIntoStdout) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("interleave"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, NumberedLines("out"));
  EXPECT_EQ(result->stderr_data, NumberedLines("err"));
  EXPECT_FALSE(result->stdout_truncated);
  EXPECT_FALSE(result->stderr_truncated);
}

TEST(SubprocessTest, ProgramNotOnPathIsNotFound) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"no-such-program-xyz", "arg"};
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "cannot run no-such-program-xyz: not found on PATH");
}

TEST(SubprocessTest, MissingPathIsNotFound) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"/nonexistent/prog"};
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "cannot run /nonexistent/prog: no such file");
}

TEST(SubprocessTest, NonExecutableFileIsPermissionDenied) {
  TempDir dir;
  std::string script = dir.WriteFile("not-executable.sh", "#!/bin/sh\nexit 0\n");
  ASSERT_EQ(chmod(script.c_str(), 0644), 0);
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {script};
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), absl::StrCat("cannot run ", script, ": permission denied"));
}

// Sets PATH for one test and puts the old value back.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& path) {
    const char* old = getenv("PATH");
    if (old != nullptr) old_ = old;
    setenv("PATH", path.c_str(), 1);
  }
  ~ScopedPath() {
    if (old_.has_value()) {
      setenv("PATH", old_->c_str(), 1);
    } else {
      unsetenv("PATH");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(SubprocessTest, NonExecutableFileOnPathIsPermissionDenied) {
  TempDir dir;
  std::string script = dir.WriteFile("bin/sre-eval-not-executable", "#!/bin/sh\nexit 0\n");
  ASSERT_EQ(chmod(script.c_str(), 0644), 0);
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"sre-eval-not-executable"};
  absl::StatusOr<SubprocessResult> result;
  {
    ScopedPath path(dir.path() + "/missing:" + dir.path() + "/bin");
    result = runner.Run(options);
  }
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), "cannot run sre-eval-not-executable: permission denied");
}

TEST(SubprocessTest, DirectoryIsPermissionDenied) {
  TempDir dir;
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {dir.path()};
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(),
            absl::StrCat("cannot run ", dir.path(), ": permission denied"));
}

TEST(SubprocessTest, ProgramFoundInALaterPathEntry) {
  TempDir dir;
  std::string not_executable = dir.WriteFile("first/sre-eval-prog", "#!/bin/sh\nexit 1\n");
  std::string executable = dir.WriteFile("second/sre-eval-prog", "#!/bin/sh\necho second\n");
  ASSERT_EQ(chmod(not_executable.c_str(), 0644), 0);
  ASSERT_EQ(chmod(executable.c_str(), 0755), 0);
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"sre-eval-prog"};
  absl::StatusOr<SubprocessResult> result;
  {
    ScopedPath path(dir.path() + "/first:" + dir.path() + "/second:/bin:/usr/bin");
    result = runner.Run(options);
  }
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "second\n");
}

TEST(SubprocessTest, RelativeProgramIsTakenFromTheWorkingDirectory) {
  TempDir dir;
  std::string script = dir.WriteFile("tool.sh", "#!/bin/sh\nexit 5\n");
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"./tool.sh"};
  options.working_dir = dir.path();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 5);

  options.argv = {"./missing.sh"};
  result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "cannot run ./missing.sh: no such file");
}

TEST(SubprocessTest, MissingWorkingDirectoryIsNotFound) {
  TempDir dir;
  std::string missing = dir.path() + "/missing";
  SubprocessOptions options = HelperOptions("pwd");
  options.working_dir = missing;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), absl::StrCat("cannot run ", kHelper, ": working directory ",
                                                    missing, " does not exist"));
}

TEST(SubprocessTest, EmptyArgvIsInvalidArgument) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(SubprocessOptions{});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "subprocess: empty argv");
}

TEST(SubprocessTest, StdinDataRoundTrips) {
  std::string data = Pattern(5 << 20);
  data[12345] = '\0';  // Binary data survives too.
  data[5 << 19] = '\n';
  SubprocessOptions options = HelperOptions("echo-stdin");
  options.stdin_data = data;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  ASSERT_EQ(result->stdout_data.size(), data.size());
  EXPECT_TRUE(result->stdout_data == data);
  EXPECT_EQ(result->stderr_data, "");
}

TEST(SubprocessTest, EmptyStdinDataIsAnImmediateEndOfFile) {
  SubprocessOptions options = HelperOptions("echo-stdin");
  options.stdin_data = "";
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "");
}

TEST(SubprocessTest, WithoutStdinDataStdinIsDevNull) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("echo-stdin"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "");
}

TEST(SubprocessTest, ChildClosingStdinEarlyDoesNotRaiseSigpipe) {
  PosixProcessRunner runner;
  // The runner ignores SIGPIPE in this process, so writing to a closed pipe is an EPIPE.
  struct sigaction action;
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &action), 0);
  EXPECT_EQ(action.sa_handler, SIG_IGN);

  SubprocessOptions options = HelperOptions("close-stdin-early");
  options.stdin_data = std::string(5 << 20, 'x');
  // Several rounds, since when the child closes relative to our writes varies.
  for (int round = 0; round < 10; ++round) {
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->exit_code, 0) << "round " << round;
    EXPECT_EQ(result->term_signal, 0) << "round " << round;
  }
}

TEST(SubprocessTest, ChildGetsTheDefaultSigpipeBack) {
  PosixProcessRunner runner;  // Ignores SIGPIPE here; the child must not inherit that.
  struct sigaction action;
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &action), 0);
  ASSERT_EQ(action.sa_handler, SIG_IGN);
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("sigpipe-disposition"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "default");
}

TEST(SubprocessTest, ExitCodeIsReported) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("exit", {"7"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 7);
  EXPECT_EQ(result->term_signal, 0);
  EXPECT_FALSE(result->success());
  EXPECT_EQ(result->DescribeExit(), "exit code 7");
}

TEST(SubprocessTest, ExitZeroIsSuccess) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("exit", {"0"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->term_signal, 0);
  EXPECT_TRUE(result->success());
  EXPECT_EQ(result->DescribeExit(), "exit code 0");
  EXPECT_GT(result->elapsed, absl::ZeroDuration());
  EXPECT_LT(result->elapsed, absl::Seconds(30));
}

TEST(SubprocessTest, DeathBySignalIsReported) {
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(HelperOptions("signal-self", {"9"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, -1);
  EXPECT_EQ(result->term_signal, 9);
  EXPECT_FALSE(result->success());
  EXPECT_EQ(result->DescribeExit(), "killed by signal 9 (Killed)");
}

TEST(SubprocessTest, StdoutPastTheCapIsDropped) {
  SubprocessOptions options = HelperOptions("print-stdout", {"1048576"});
  options.max_stdout_bytes = 1000;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, Pattern(1000));
  EXPECT_TRUE(result->stdout_truncated);
  EXPECT_FALSE(result->stderr_truncated);
}

TEST(SubprocessTest, StderrPastTheCapIsDropped) {
  SubprocessOptions options = HelperOptions("interleave");
  options.max_stderr_bytes = 12;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stderr_data, "err 1\nerr 2\n");
  EXPECT_TRUE(result->stderr_truncated);
  EXPECT_EQ(result->stdout_data, NumberedLines("out"));
  EXPECT_FALSE(result->stdout_truncated);
}

TEST(SubprocessTest, OutputExactlyAtTheCapIsNotTruncated) {
  SubprocessOptions options = HelperOptions("print-stdout", {"1000"});
  options.max_stdout_bytes = 1000;
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_data, Pattern(1000));
  EXPECT_FALSE(result->stdout_truncated);
}

TEST(SubprocessTest, EnvironmentOverridesAreApplied) {
  ASSERT_EQ(setenv("SRE_EVAL_SUBPROCESS_TEST_REPLACED", "old", 1), 0);
  ASSERT_EQ(setenv("SRE_EVAL_SUBPROCESS_TEST_KEPT", "kept", 1), 0);
  ASSERT_EQ(unsetenv("SRE_EVAL_SUBPROCESS_TEST_NEW"), 0);
  PosixProcessRunner runner;
  auto env_of = [&](const std::string& name) -> std::string {
    SubprocessOptions options = HelperOptions("env", {name});
    options.env = {{"SRE_EVAL_SUBPROCESS_TEST_NEW", "new value"},
                   {"SRE_EVAL_SUBPROCESS_TEST_REPLACED", "replaced"},
                   {"SRE_EVAL_SUBPROCESS_TEST_EMPTY", ""}};
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    if (!result.ok()) return result.status().ToString();
    return result->stdout_data;
  };
  EXPECT_EQ(env_of("SRE_EVAL_SUBPROCESS_TEST_NEW"), "new value");
  EXPECT_EQ(env_of("SRE_EVAL_SUBPROCESS_TEST_REPLACED"), "replaced");
  EXPECT_EQ(env_of("SRE_EVAL_SUBPROCESS_TEST_EMPTY"), "");
  EXPECT_EQ(env_of("SRE_EVAL_SUBPROCESS_TEST_KEPT"), "kept");
  EXPECT_EQ(env_of("SRE_EVAL_SUBPROCESS_TEST_UNSET"), "(unset)");
  // This process's environment is untouched.
  EXPECT_STREQ(getenv("SRE_EVAL_SUBPROCESS_TEST_REPLACED"), "old");
  EXPECT_EQ(getenv("SRE_EVAL_SUBPROCESS_TEST_NEW"), nullptr);
  unsetenv("SRE_EVAL_SUBPROCESS_TEST_REPLACED");
  unsetenv("SRE_EVAL_SUBPROCESS_TEST_KEPT");
}

TEST(SubprocessTest, ReplacedVariableAppearsOnce) {
  ASSERT_EQ(setenv("SRE_EVAL_SUBPROCESS_TEST_DUP", "old", 1), 0);
  SubprocessOptions options;
  options.argv = {"/usr/bin/env"};
  options.env = {{"SRE_EVAL_SUBPROCESS_TEST_DUP", "new"}};
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  unsetenv("SRE_EVAL_SUBPROCESS_TEST_DUP");
  ASSERT_TRUE(result.ok()) << result.status();
  std::istringstream lines(result->stdout_data);
  std::vector<std::string> matches;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("SRE_EVAL_SUBPROCESS_TEST_DUP", 0) == 0) matches.push_back(line);
  }
  EXPECT_THAT(matches, ElementsAre("SRE_EVAL_SUBPROCESS_TEST_DUP=new"));
}

TEST(SubprocessTest, WorkingDirectoryIsApplied) {
  TempDir dir;
  char* real = realpath(dir.path().c_str(), nullptr);
  ASSERT_NE(real, nullptr);
  std::string expected = real;
  free(real);
  SubprocessOptions options = HelperOptions("pwd");
  options.working_dir = dir.path();
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, expected);
}

TEST(SubprocessTest, ProgramIsFoundOnPath) {
  SubprocessOptions options;
  options.argv = {"echo", "hello", "two words", "$HOME;"};  // No shell: taken literally.
  PosixProcessRunner runner;
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_data, "hello two words $HOME;\n");
}

TEST(SubprocessFakeTest, RecordsCallsAndReturnsTheHandlersResult) {
  int handled = 0;
  FakeProcessRunner runner(
      [&](const SubprocessOptions& options) -> absl::StatusOr<SubprocessResult> {
        ++handled;
        if (options.argv.at(0) == "fail") return absl::UnavailableError("scripted failure");
        SubprocessResult result;
        result.exit_code = 3;
        result.stdout_data = absl::StrCat("ran ", options.argv.at(0));
        return result;
      });

  SubprocessOptions first;
  first.argv = {"kubectl", "get", "pods"};
  first.stdin_data = "input";
  first.env = {{"KUBECONFIG", "/tmp/kc"}};
  first.working_dir = "/work";
  first.timeout = absl::Seconds(5);
  absl::StatusOr<SubprocessResult> result = runner.Run(first);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->stdout_data, "ran kubectl");
  EXPECT_EQ(result->DescribeExit(), "exit code 3");

  SubprocessOptions second;
  second.argv = {"fail"};
  absl::StatusOr<SubprocessResult> failed = runner.Run(second);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "scripted failure");

  EXPECT_EQ(handled, 2);
  std::vector<SubprocessOptions> calls = runner.calls();
  ASSERT_EQ(calls.size(), size_t{2});
  EXPECT_THAT(calls[0].argv, ElementsAre("kubectl", "get", "pods"));
  EXPECT_EQ(calls[0].stdin_data, std::optional<std::string>("input"));
  EXPECT_THAT(calls[0].env, ElementsAre(Pair("KUBECONFIG", "/tmp/kc")));
  EXPECT_EQ(calls[0].working_dir, "/work");
  EXPECT_EQ(calls[0].timeout, absl::Seconds(5));
  EXPECT_THAT(calls[1].argv, ElementsAre("fail"));
  EXPECT_EQ(calls[1].stdin_data, std::nullopt);
}

}  // namespace
}  // namespace sre_eval
