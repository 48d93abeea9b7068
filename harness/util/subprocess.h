// Running child programs (kubectl, agent commands) safely.
//
// A child is spawned from an argv (never through a shell) in its own process group, with
// stdout and stderr read from separate pipes, optional data written to its stdin, and a
// deadline after which the whole group gets SIGTERM, then SIGKILL, and is reaped. When the
// child exits, the rest of its group is killed (and, with contain_descendants, every process
// it started).
#ifndef SRE_EVAL_UTIL_SUBPROCESS_H_
#define SRE_EVAL_UTIL_SUBPROCESS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sre_eval {

struct SubprocessOptions {
  // argv[0] is looked up on PATH unless it contains a '/'. Must not be empty.
  std::vector<std::string> argv;
  // Written to the child's stdin, which is then closed. Without it stdin is /dev/null.
  std::optional<std::string> stdin_data;
  // Variables set (or replaced) in the child's environment on top of this process's.
  std::vector<std::pair<std::string, std::string>> env;
  // The child's working directory; empty means this process's.
  std::string working_dir;
  // From the spawn to the child's exit and the end of its output.
  absl::Duration timeout = absl::Seconds(60);
  // Between SIGTERM and SIGKILL when the deadline passes.
  absl::Duration kill_grace = absl::Seconds(2);
  // Once the child has exited, its pipes are still read for this long (what it wrote is
  // already in them) or until they close; then what is left of its process group is killed
  // and the result taken. So a descendant that keeps stdout open cannot hold the result back.
  absl::Duration exit_drain = absl::Milliseconds(100);
  // Also kill, when the call ends, every process the child started that left its process
  // group (setsid) or lost its parent: each child is tagged with a unique SRE_EVAL_CALL
  // variable, found through /proc with its descendants and killed; this process becomes a
  // child subreaper. For programs that are not ours (agent commands).
  bool contain_descendants = false;
  // Output past these caps is read and dropped (so the child never blocks on a full pipe)
  // and the result is marked truncated.
  size_t max_stdout_bytes = size_t{64} << 20;
  size_t max_stderr_bytes = size_t{1} << 20;
};

struct SubprocessResult {
  // The exit status when the child exited, or -1 when a signal ended it.
  int exit_code = -1;
  // The signal that ended the child, or 0.
  int term_signal = 0;
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  absl::Duration elapsed;

  bool success() const { return exit_code == 0; }
  // "exit code 3" or "killed by signal 9 (Killed)".
  std::string DescribeExit() const;
};

// Runs programs. Implementations are thread-safe.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs the child to completion. A non-zero exit is not an error: it is in the result.
  // Errors: InvalidArgument (empty argv), NotFound (no such program), PermissionDenied
  // (not executable), DeadlineExceeded (the timeout passed; the group was killed and reaped),
  // Internal (a system call failed).
  virtual absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& options) = 0;
};

// The real thing: posix_spawnp, pipes and ppoll. Ignores SIGPIPE in this process (once) so a
// child that closes its stdin early cannot kill the harness; children get the default back.
class PosixProcessRunner final : public ProcessRunner {
 public:
  PosixProcessRunner();
  absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& options) override;
};

// A scripted runner for unit tests of the code above it: records every call and answers from
// a handler. Thread-safe as long as the handler is.
class FakeProcessRunner final : public ProcessRunner {
 public:
  using Handler = std::function<absl::StatusOr<SubprocessResult>(const SubprocessOptions&)>;
  explicit FakeProcessRunner(Handler handler) : handler_(std::move(handler)) {}
  absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& options) override;
  std::vector<SubprocessOptions> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  Handler handler_;
  mutable absl::Mutex mu_;
  std::vector<SubprocessOptions> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_SUBPROCESS_H_
