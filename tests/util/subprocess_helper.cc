// A small child program for the subprocess tests: each mode (argv[1]) exercises one thing the
// runner must handle. Standalone on purpose: no gtest, no project libraries.
//
//   print-stdout N               N bytes of 'a'..'z' repeating (byte i is 'a' + i % 26)
//   interleave                   "out 1".."out 1000" to stdout, "err 1".."err 1000" to stderr,
//                                alternating, one write(2) per line
//   echo-stdin                   copies stdin to stdout
//   exit N                       exits with status N
//   sleep-with-grandchild FILE   forks a grandchild that writes its pid to FILE and sleeps
//                                100 s; the child sleeps 100 s too
//   ignore-term                  ignores SIGTERM, prints "ready", then sleeps 100 s
//   env NAME                     prints getenv(NAME), or "(unset)"
//   pwd                          prints the working directory
//   close-stdin-early            closes stdin at once and exits 0
//   signal-self N                raise(N)
//   sigpipe-disposition          prints "default", "ignored" or "handled" for SIGPIPE
//   answer-with-holder FILE      forks a child that keeps stdout and stderr open, writes its
//                                pid to FILE and sleeps 100 s; prints "the answer\n" once FILE
//                                exists and exits 0
//   answer-with-setsid FILE      forks a child that calls setsid, closes its output, writes its
//                                pid to FILE and sleeps 100 s; prints "the answer\n" and exits 0
//   answer-with-daemon FILE      the same, the classic way: fork, setsid, fork again (the
//                                middle process exits, orphaning the daemon)
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sre_eval {
namespace {

// Writes all of `data`; exits 3 on a write error.
void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::exit(3);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void WriteString(int fd, const std::string& s) { WriteAll(fd, s.data(), s.size()); }

// Sleeps `seconds` whole seconds even when signals interrupt the sleep.
void SleepSeconds(unsigned seconds) {
  timespec left = {static_cast<time_t>(seconds), 0};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

int PrintStdout(unsigned long long n) {
  // A whole number of pattern periods, so every chunk starts at 'a'.
  constexpr size_t kChunk = 26 * 40960;  // About 1 MB.
  std::vector<char> chunk(kChunk);
  for (size_t i = 0; i < kChunk; ++i) chunk[i] = static_cast<char>('a' + i % 26);
  while (n > 0) {
    size_t size = n < kChunk ? static_cast<size_t>(n) : kChunk;
    WriteAll(1, chunk.data(), size);
    n -= size;
  }
  return 0;
}

int Interleave() {
  for (int i = 1; i <= 1000; ++i) {
    WriteString(1, "out " + std::to_string(i) + "\n");
    WriteString(2, "err " + std::to_string(i) + "\n");
  }
  return 0;
}

int EchoStdin() {
  std::vector<char> buf(65536);
  for (;;) {
    ssize_t n = read(0, buf.data(), buf.size());
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return 4;
    }
    WriteAll(1, buf.data(), static_cast<size_t>(n));
  }
}

int SleepWithGrandchild(const char* pidfile) {
  pid_t pid = fork();
  if (pid < 0) return 5;
  if (pid == 0) {
    // Written under a temporary name and renamed, so a reader never sees half a pid.
    std::string tmp = std::string(pidfile) + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) _exit(6);
    std::fprintf(f, "%d\n", static_cast<int>(getpid()));
    if (std::fclose(f) != 0 || std::rename(tmp.c_str(), pidfile) != 0) _exit(6);
    SleepSeconds(100);
    _exit(0);
  }
  SleepSeconds(100);
  return 0;
}

// Writes this process's pid to `pidfile` (under a temporary name, then renamed).
void WritePidFile(const char* pidfile) {
  std::string tmp = std::string(pidfile) + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) _exit(6);
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), pidfile) != 0) _exit(6);
}

// Waits (up to 10 s) for `path` to exist.
void WaitForFile(const char* path) {
  for (int i = 0; i < 1000 && access(path, F_OK) != 0; ++i) usleep(10000);
}

// Points stdin, stdout and stderr at /dev/null, as a daemon does.
void DetachOutput() {
  int null = open("/dev/null", O_RDWR);
  if (null < 0) _exit(7);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  if (null > 2) close(null);
}

int AnswerWithHolder(const char* pidfile) {
  pid_t pid = fork();
  if (pid < 0) return 5;
  if (pid == 0) {
    WritePidFile(pidfile);
    SleepSeconds(100);
    _exit(0);
  }
  WaitForFile(pidfile);
  WriteString(1, "the answer\n");
  return 0;
}

int AnswerWithSetsid(const char* pidfile) {
  pid_t pid = fork();
  if (pid < 0) return 5;
  if (pid == 0) {
    if (setsid() < 0) _exit(8);
    DetachOutput();
    WritePidFile(pidfile);
    SleepSeconds(100);
    _exit(0);
  }
  WaitForFile(pidfile);
  WriteString(1, "the answer\n");
  return 0;
}

int AnswerWithDaemon(const char* pidfile) {
  pid_t pid = fork();
  if (pid < 0) return 5;
  if (pid == 0) {
    if (setsid() < 0) _exit(8);
    pid_t daemon = fork();
    if (daemon < 0) _exit(5);
    if (daemon > 0) _exit(0);
    DetachOutput();
    WritePidFile(pidfile);
    SleepSeconds(100);
    _exit(0);
  }
  WaitForFile(pidfile);
  WriteString(1, "the answer\n");
  return 0;
}

int IgnoreTerm() {
  signal(SIGTERM, SIG_IGN);
  WriteString(1, "ready\n");
  SleepSeconds(100);
  return 0;
}

int Env(const char* name) {
  const char* value = std::getenv(name);
  WriteString(1, value != nullptr ? value : "(unset)");
  return 0;
}

int Pwd() {
  std::vector<char> buf(4096);
  if (getcwd(buf.data(), buf.size()) == nullptr) return 7;
  WriteString(1, buf.data());
  return 0;
}

int CloseStdinEarly() {
  close(0);
  return 0;
}

int SignalSelf(int sig) {
  signal(sig, SIG_DFL);
  raise(sig);
  return 8;  // Only when the signal does not end the process.
}

int SigpipeDisposition() {
  struct sigaction action;
  if (sigaction(SIGPIPE, nullptr, &action) != 0) return 9;
  if (action.sa_handler == SIG_DFL) {
    WriteString(1, "default");
  } else if (action.sa_handler == SIG_IGN) {
    WriteString(1, "ignored");
  } else {
    WriteString(1, "handled");
  }
  return 0;
}

int Usage() {
  WriteString(2, "usage: subprocess_helper MODE [ARG]\n");
  return 2;
}

int Main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string mode = argv[1];
  const char* arg = argc > 2 ? argv[2] : nullptr;
  if (mode == "print-stdout" && arg != nullptr) return PrintStdout(std::strtoull(arg, nullptr, 10));
  if (mode == "interleave") return Interleave();
  if (mode == "echo-stdin") return EchoStdin();
  if (mode == "exit" && arg != nullptr) return std::atoi(arg);
  if (mode == "sleep-with-grandchild" && arg != nullptr) return SleepWithGrandchild(arg);
  if (mode == "ignore-term") return IgnoreTerm();
  if (mode == "env" && arg != nullptr) return Env(arg);
  if (mode == "pwd") return Pwd();
  if (mode == "close-stdin-early") return CloseStdinEarly();
  if (mode == "signal-self" && arg != nullptr) return SignalSelf(std::atoi(arg));
  if (mode == "sigpipe-disposition") return SigpipeDisposition();
  if (mode == "answer-with-holder" && arg != nullptr) return AnswerWithHolder(arg);
  if (mode == "answer-with-setsid" && arg != nullptr) return AnswerWithSetsid(arg);
  if (mode == "answer-with-daemon" && arg != nullptr) return AnswerWithDaemon(arg);
  return Usage();
}

}  // namespace
}  // namespace sre_eval

int main(int argc, char** argv) { return sre_eval::Main(argc, argv); }
