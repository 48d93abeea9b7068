#include "test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "util/subprocess.h"

namespace sre_eval {

std::vector<std::string> DiagnosticStrings(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.Sorted()) out.push_back(d.ToString());
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sre-eval-test.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::WriteFile(const std::string& relative, absl::string_view content) const {
  std::filesystem::path full = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream out(full, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return full.string();
}

std::string NpmDir() {
  if (const char* dir = std::getenv("SRE_EVAL_NPM_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/sre-eval/npm";
}

bool HaveKubectl() {
  static const bool have = [] {
    PosixProcessRunner runner;
    SubprocessOptions o;
    o.argv = {"kubectl", "version", "--client"};
    o.timeout = absl::Seconds(20);
    absl::StatusOr<SubprocessResult> r = runner.Run(o);
    return r.ok() && r->success();
  }();
  return have;
}

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

bool ProcessIsGone(int pid, absl::Duration patience) {
  absl::Time give_up = absl::Now() + patience;
  for (;;) {
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
    std::string stat_line;
    if (std::getline(stat_file, stat_line)) {
      // "pid (comm) S ...": the state follows the last ')', as comm may hold one too.
      size_t paren = stat_line.rfind(')');
      if (paren != std::string::npos && paren + 2 < stat_line.size() &&
          stat_line[paren + 2] == 'Z') {
        return true;
      }
    }
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

bool ProcessIsReaped(int pid, absl::Duration patience) {
  absl::Time give_up = absl::Now() + patience;
  for (;;) {
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

UnblockedFifo::UnblockedFifo(std::string path) : path_(std::move(path)) {
  EXPECT_EQ(mkfifo(path_.c_str(), 0644), 0) << path_;
  writer_ = std::thread([this] {
    while (!stop_.load()) {
      // Succeeds only while a reader has the FIFO open (ENXIO otherwise).
      int fd = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) close(fd);
      usleep(5000);
    }
  });
}

UnblockedFifo::~UnblockedFifo() {
  stop_.store(true);
  writer_.join();
}

}  // namespace sre_eval
