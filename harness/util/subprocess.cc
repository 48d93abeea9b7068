#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "util/file_util.h"
#include "util/process_sweep.h"
#include "util/unique_fd.h"

extern char** environ;

namespace sre_eval {

std::string SubprocessResult::DescribeExit() const {
  if (term_signal != 0) {
    const char* name = sigdescr_np(term_signal);  // Thread-safe, unlike strsignal.
    return absl::StrCat("killed by signal ", term_signal, " (", name != nullptr ? name : "unknown",
                        ")");
  }
  return absl::StrCat("exit code ", exit_code);
}

namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// posix_spawn's C structures, released on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attr() { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : overrides) {
      if (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
          entry[name.size()] == '=') {
        replaced = true;
        break;
      }
    }
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) env.push_back(absl::StrCat(name, "=", value));
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads what is available from `fd` into `out`, dropping bytes past `cap`. Returns false at
// end of file (or on a read error, which ends the stream just the same).
bool Drain(int fd, std::string* out, size_t cap, bool* truncated, int max_reads = -1) {
  char buf[65536];
  for (int reads = 0; max_reads < 0 || reads < max_reads; ++reads) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = out->size() < cap ? cap - out->size() : 0;
      size_t keep = std::min(room, static_cast<size_t>(n));
      out->append(buf, keep);
      if (keep < static_cast<size_t>(n)) *truncated = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return false;
  }
  return true;
}

// Whether `pid` has exited, without reaping it.
bool Exited(pid_t pid) {
  for (;;) {
    siginfo_t info;
    info.si_pid = 0;
    int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0) return info.si_pid == pid;
    if (errno != EINTR) return true;  // ECHILD: nothing left to wait for.
  }
}

// Waits until `pid` has exited or `deadline` passes; returns whether it exited. The child is
// left unreaped (WNOWAIT), so its pid, and with it the process group id, cannot be reused
// before the group has been killed.
bool WaitExited(pid_t pid, absl::Time deadline) {
  absl::Duration nap = absl::Microseconds(200);
  for (;;) {
    siginfo_t info;
    info.si_pid = 0;
    int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // ECHILD: nothing left to wait for.
    absl::Time now = absl::Now();
    if (now >= deadline) return false;
    absl::SleepFor(std::min(nap, deadline - now));
    nap = std::min(nap * 2, absl::Milliseconds(20));
  }
}

// Kills whatever is left of the group (grandchildren may outlive the leader) and, with a
// `tag`, every other process of the call, then reaps the leader, which must have exited
// already or be about to. The leader stays unreaped until its group is gone, so that its pid
// (the group's id) cannot be reused meanwhile.
int KillRestAndReap(pid_t pid, const std::string& tag) {
  kill(-pid, SIGKILL);
  if (!tag.empty()) KillCallProcesses(pid, tag);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// SIGTERM to the whole group, a grace period, then SIGKILL to all of it.
int KillGroup(pid_t pid, absl::Duration grace, const std::string& tag) {
  kill(-pid, SIGTERM);
  WaitExited(pid, absl::Now() + grace);
  return KillRestAndReap(pid, tag);
}

// How often the loop below looks whether the child has exited while its pipes stay open.
constexpr absl::Duration kExitCheck = absl::Milliseconds(10);

// The status for a failed spawn of `program` (errno value `err`).
absl::Status SpawnError(int err, const std::string& program, const std::string& working_dir) {
  if (err == ENOENT && !working_dir.empty() && access(working_dir.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot run ", program, ": working directory ",
                                            working_dir, " does not exist"));
  }
  if (err == ENOENT) {
    return absl::NotFoundError(absl::StrCat(
        "cannot run ", program,
        program.find('/') == std::string::npos ? ": not found on PATH" : ": no such file"));
  }
  if (err == EACCES) {
    return absl::PermissionDeniedError(absl::StrCat("cannot run ", program, ": permission denied"));
  }
  return ErrnoStatus(err, absl::StrCat("cannot run ", program));
}

// What execve would say about `path` (relative paths are taken from `working_dir`, where the
// child runs): 0 when it looks runnable, ENOENT or EACCES when it certainly is not.
int ExecCheck(const std::string& path, const std::string& working_dir) {
  std::string full = path;
  if (!path.empty() && path[0] != '/' && !working_dir.empty()) {
    full = absl::StrCat(working_dir, "/", path);
  }
  struct stat st;
  if (stat(full.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return ENOENT;
    return errno == EACCES ? EACCES : 0;  // Anything else is left to the spawn to report.
  }
  if (!S_ISREG(st.st_mode) || access(full.c_str(), X_OK) != 0) return EACCES;
  return 0;
}

// Finds the errors posix_spawnp would report for a missing working directory or program, before
// spawning. glibc hands an exec failure back through memory it shares with the child
// (CLONE_VM); where that is not available (valgrind runs the child as a plain fork) a failed
// exec would otherwise look like a child that exited 127. The PATH search is execvp's: this
// process's PATH, an empty entry is the working directory, and a program found only without
// execute permission is EACCES.
absl::Status CheckRunnable(const std::string& program, const std::string& working_dir) {
  if (!working_dir.empty()) {
    struct stat st;
    if (stat(working_dir.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      return SpawnError(ENOENT, program, working_dir);
    }
  }
  if (program.empty()) return SpawnError(ENOENT, program, working_dir);
  if (program.find('/') != std::string::npos) {
    int err = ExecCheck(program, working_dir);
    return err == 0 ? absl::OkStatus() : SpawnError(err, program, working_dir);
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the harness never modifies its environment.
  const char* path_env = getenv("PATH");
  bool saw_eacces = false;
  for (absl::string_view dir :
       absl::StrSplit(path_env != nullptr ? path_env : "/bin:/usr/bin", ':')) {
    int err = ExecCheck(absl::StrCat(dir.empty() ? "." : dir, "/", program), working_dir);
    if (err == 0) return absl::OkStatus();
    if (err == EACCES) saw_eacces = true;
  }
  return SpawnError(saw_eacces ? EACCES : ENOENT, program, working_dir);
}

}  // namespace

PosixProcessRunner::PosixProcessRunner() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

absl::StatusOr<SubprocessResult> PosixProcessRunner::Run(const SubprocessOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("subprocess: empty argv");
  const std::string& program = options.argv[0];
  if (absl::Status runnable = CheckRunnable(program, options.working_dir); !runnable.ok()) {
    return runnable;
  }
  absl::Time start = absl::Now();
  absl::Time deadline = start + options.timeout;

  absl::StatusOr<Pipe> out = MakePipe();
  if (!out.ok()) return out.status();
  absl::StatusOr<Pipe> err = MakePipe();
  if (!err.ok()) return err.status();
  std::optional<Pipe> in;
  if (options.stdin_data.has_value()) {
    absl::StatusOr<Pipe> p = MakePipe();
    if (!p.ok()) return p.status();
    in = std::move(*p);
  }

  SpawnSetup setup;
  if (in.has_value()) {
    posix_spawn_file_actions_adddup2(setup.actions(), in->read.get(), 0);
  } else {
    posix_spawn_file_actions_addopen(setup.actions(), 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(setup.actions(), out->write.get(), 1);
  posix_spawn_file_actions_adddup2(setup.actions(), err->write.get(), 2);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(setup.actions(), options.working_dir.c_str());
  }
  sigset_t empty_mask, default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGQUIT);
  posix_spawnattr_setsigmask(setup.attr(), &empty_mask);
  posix_spawnattr_setsigdefault(setup.attr(), &default_signals);
  posix_spawnattr_setpgroup(setup.attr(), 0);
  posix_spawnattr_setflags(setup.attr(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                             POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<std::string> argv_copy = options.argv;
  std::vector<char*> argv = CStrings(argv_copy);
  std::string tag;
  std::vector<std::pair<std::string, std::string>> env = options.env;
  if (options.contain_descendants) {
    BecomeChildSubreaper();
    tag = NewCallTag();
    env.emplace_back(kCallTagVariable, tag);
  }
  std::vector<std::string> env_strings = BuildEnvironment(env);
  std::vector<char*> envp = CStrings(env_strings);

  pid_t pid = -1;
  int rc =
      posix_spawnp(&pid, program.c_str(), setup.actions(), setup.attr(), argv.data(), envp.data());
  if (rc != 0) return SpawnError(rc, program, options.working_dir);

  // The child has its copies; close ours so end of file arrives when it exits.
  out->write.Close();
  err->write.Close();
  if (in.has_value()) in->read.Close();

  SubprocessResult result;
  SetNonBlocking(out->read.get());
  SetNonBlocking(err->read.get());
  absl::string_view pending_stdin;
  if (in.has_value()) {
    SetNonBlocking(in->write.get());
    pending_stdin = *options.stdin_data;
    if (pending_stdin.empty()) in->write.Close();
  }

  bool out_open = true, err_open = true;
  bool timed_out = false;
  bool exited = false;
  absl::Time drain_until = absl::InfiniteFuture();
  while (out_open || err_open || (in.has_value() && in->write.valid())) {
    absl::Time now = absl::Now();
    if (!exited && Exited(pid)) {
      // The answer is what it wrote before exiting: read what the pipes hold, briefly, then
      // stop waiting for descendants that keep them open.
      exited = true;
      drain_until = now + options.exit_drain;
      if (in.has_value()) in->write.Close();
      if (!out_open && !err_open) break;
    }
    if (exited && (now >= drain_until || now >= deadline)) break;
    pollfd fds[3];
    nfds_t n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_open) {
      out_i = static_cast<int>(n);
      fds[n++] = {out->read.get(), POLLIN, 0};
    }
    if (err_open) {
      err_i = static_cast<int>(n);
      fds[n++] = {err->read.get(), POLLIN, 0};
    }
    if (in.has_value() && in->write.valid()) {
      in_i = static_cast<int>(n);
      fds[n++] = {in->write.get(), POLLOUT, 0};
    }
    absl::Duration left = deadline - now;
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    left = std::min(left, exited ? drain_until - now : kExitCheck);
    timespec ts = absl::ToTimespec(left);
    int ready = ppoll(fds, n, &ts, nullptr);
    if (ready < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      KillGroup(pid, options.kill_grace, tag);
      return ErrnoStatus(saved, "ppoll");
    }
    if (ready == 0) continue;  // The checks above end the loop.
    if (out_i >= 0 && fds[out_i].revents != 0) {
      out_open = Drain(out->read.get(), &result.stdout_data, options.max_stdout_bytes,
                       &result.stdout_truncated);
    }
    if (err_i >= 0 && fds[err_i].revents != 0) {
      err_open = Drain(err->read.get(), &result.stderr_data, options.max_stderr_bytes,
                       &result.stderr_truncated);
    }
    if (in_i >= 0 && fds[in_i].revents != 0) {
      if (fds[in_i].revents & (POLLERR | POLLHUP)) {
        in->write.Close();  // The child closed its stdin: the rest is not wanted.
      } else {
        ssize_t w = write(in->write.get(), pending_stdin.data(), pending_stdin.size());
        if (w > 0) pending_stdin.remove_prefix(static_cast<size_t>(w));
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || pending_stdin.empty()) {
          in->write.Close();
        }
      }
    }
  }

  if (!timed_out && !WaitExited(pid, deadline)) timed_out = true;
  if (timed_out) {
    KillGroup(pid, options.kill_grace, tag);
    return absl::DeadlineExceededError(absl::StrCat(program, " did not finish within ",
                                                    absl::FormatDuration(options.timeout),
                                                    "; its process group was killed"));
  }
  // The leader has exited; nothing it left behind may live on.
  int status = KillRestAndReap(pid, tag);
  // What the killed wrote last; a bounded read, as a holder that was not killed may write on.
  if (out_open) {
    Drain(out->read.get(), &result.stdout_data, options.max_stdout_bytes, &result.stdout_truncated,
          /*max_reads=*/16);
  }
  if (err_open) {
    Drain(err->read.get(), &result.stderr_data, options.max_stderr_bytes, &result.stderr_truncated,
          /*max_reads=*/16);
  }

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  result.elapsed = absl::Now() - start;
  return result;
}

absl::StatusOr<SubprocessResult> FakeProcessRunner::Run(const SubprocessOptions& options) {
  {
    absl::MutexLock lock(&mu_);
    calls_.push_back(options);
  }
  return handler_(options);
}

}  // namespace sre_eval
