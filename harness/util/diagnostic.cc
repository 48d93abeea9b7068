#include "util/diagnostic.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sre_eval {

std::string Diagnostic::ToString() const {
  if (line <= 0) return absl::StrCat(file, ": ", message);
  if (column <= 0) return absl::StrCat(file, ":", line, ": ", message);
  return absl::StrCat(file, ":", line, ":", column, ": ", message);
}

void Diagnostics::Add(std::string file, int line, int column, std::string message) {
  list_.push_back(Diagnostic{std::move(file), line, column, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = list_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  return sorted;
}

size_t Diagnostics::FileCount() const {
  std::set<std::string> files;
  for (const Diagnostic& d : list_) files.insert(d.file);
  return files.size();
}

absl::Status Diagnostics::ToStatus() const {
  if (list_.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Diagnostic& d : Sorted()) lines.push_back(d.ToString());
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace sre_eval
