// Helpers shared by the tests.
#ifndef SRE_EVAL_TESTS_TEST_UTIL_H_
#define SRE_EVAL_TESTS_TEST_UTIL_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "util/diagnostic.h"

namespace sre_eval {

// Every diagnostic as "file:line:col: message", sorted.
std::vector<std::string> DiagnosticStrings(const Diagnostics& diags);

// An RFC 3339 time ("2026-11-24T10:23:05Z"); a test failure when it does not parse.
absl::Time At(const char* rfc3339);

// Whether `kubectl version --client` runs (asked once): the tests that drive the real kubectl
// skip without it.
bool HaveKubectl();

// Where scripts/install-deps.sh installs the npm packages the tests drive as real clients:
// $SRE_EVAL_NPM_DIR, else ~/.cache/sre-eval/npm.
std::string NpmDir();

// Whether `pid` is gone: no such process, or a zombie nobody has reaped yet (an orphan waits
// for the container's init, which may be slow to reap). Polls for up to `patience`.
bool ProcessIsGone(int pid, absl::Duration patience);

// Whether `pid` is gone and reaped: no such process at all, not even a zombie. Polls for up
// to `patience`.
bool ProcessIsReaped(int pid, absl::Duration patience);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/relative, creating parent folders; returns the full path.
  std::string WriteFile(const std::string& relative, absl::string_view content) const;

 private:
  std::string path_;
};

// A FIFO at `path` (a test failure when mkfifo fails) that no reader can hang on: until
// destruction a thread keeps trying to open its writing end without blocking, so a reader
// stuck in open() gets its end of file at once. Code that refuses FIFOs never meets it.
class UnblockedFifo {
 public:
  explicit UnblockedFifo(std::string path);
  ~UnblockedFifo();
  UnblockedFifo(const UnblockedFifo&) = delete;
  UnblockedFifo& operator=(const UnblockedFifo&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_TEST_UTIL_H_
