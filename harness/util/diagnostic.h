// Errors found in input files, reported all at once as "file:line:col: message".
#ifndef SRE_EVAL_UTIL_DIAGNOSTIC_H_
#define SRE_EVAL_UTIL_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sre_eval {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the error concerns the whole file.
  int column = 0;  // 1-based; 0 when unknown.
  std::string message;

  // "file:line:col: message", "file:line: message" or "file: message".
  std::string ToString() const;
};

// A list of diagnostics, collected while checking and reported together. Not thread-safe.
class Diagnostics {
 public:
  void Add(std::string file, int line, int column, std::string message);
  void Add(Diagnostic d) { list_.push_back(std::move(d)); }

  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  // Stable-sorted by file, line and column, so output is the same whatever the check order.
  std::vector<Diagnostic> Sorted() const;
  const std::vector<Diagnostic>& list() const { return list_; }
  // The number of distinct files with at least one diagnostic.
  size_t FileCount() const;

  // OkStatus when empty, otherwise InvalidArgument with every diagnostic on its own line.
  absl::Status ToStatus() const;

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_DIAGNOSTIC_H_
