// Helpers shared by the tests.
#ifndef SRE_EVAL_TESTS_TEST_UTIL_H_
#define SRE_EVAL_TESTS_TEST_UTIL_H_

#include <string>
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

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_TEST_UTIL_H_
