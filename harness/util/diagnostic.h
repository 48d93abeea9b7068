// Errors found in input files, reported all at once as "file:line:col: message".
#ifndef SRE_EVAL_UTIL_DIAGNOSTIC_H_
#define SRE_EVAL_UTIL_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sre_eval {

// `text` made safe to print on one line of a terminal: \n, \r and \t become those two-character
// escapes, every other C0 control and DEL becomes \xHH (lower-case hex), every C1 control
// (U+0080..U+009F, as UTF-8) becomes \u00HH; all other bytes are kept. For strings that come
// from outside (file contents, agent output) on their way into a message.
std::string EscapeControls(absl::string_view text);

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the error concerns the whole file.
  int column = 0;  // 1-based; 0 when unknown.
  std::string message;

  // "file:line:col: message", "file:line: message" or "file: message", always one line: the
  // file and the message pass through EscapeControls.
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

  // OkStatus when empty, otherwise InvalidArgument with every diagnostic (ToString) on its own
  // line.
  absl::Status ToStatus() const;

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_DIAGNOSTIC_H_
