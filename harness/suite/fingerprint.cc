#include "suite/fingerprint.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "util/file_util.h"
#include "util/status_macros.h"

namespace sre_eval {

uint64_t Fnv1a64(absl::string_view bytes, uint64_t state) {
  for (unsigned char c : bytes) {
    state ^= c;
    state *= 1099511628211ull;
  }
  return state;
}

std::string FingerprintText(uint64_t h) { return absl::StrFormat("fnv1a64:%016x", h); }

absl::StatusOr<SuiteFingerprint> FingerprintSuite(const Suite& suite) {
  namespace fs = std::filesystem;
  const fs::path root = suite.root.empty() ? fs::path(".") : fs::path(suite.root);
  std::vector<std::string> files;  // relative to the root, '/'-separated
  for (const char* dir : {"incidents", "prompts", "rubrics"}) {
    std::error_code ec;
    if (!fs::is_directory(root / dir, ec)) continue;
    for (fs::recursive_directory_iterator it(root / dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string rel = it->path().lexically_relative(root).generic_string();
      if (absl::EndsWith(rel, ".md")) continue;
      files.push_back(std::move(rel));
    }
    if (ec) return absl::InternalError(absl::StrCat((root / dir).string(), ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  uint64_t h = kFnv1a64Offset;
  for (const std::string& rel : files) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile((root / rel).string(), kMaxSuiteFileBytes));
    // The length after each part keeps "ab"+"c" and "a"+"bc" apart.
    h = Fnv1a64(rel, h);
    h = Fnv1a64(absl::StrCat(":", rel.size(), ":", bytes.size(), ":"), h);
    h = Fnv1a64(bytes, h);
  }
  SuiteFingerprint out;
  out.suite_hash = FingerprintText(h);
  for (const Rubric& r : suite.rubrics) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(r.file, kMaxSuiteFileBytes));
    out.rubric_versions[r.prompt_id] = FingerprintText(Fnv1a64(bytes));
  }
  return out;
}

}  // namespace sre_eval
