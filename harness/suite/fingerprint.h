// A suite's fingerprint: what `run` writes into run.json so that `compare` can tell two runs
// of different suites, or of different versions of one rubric, apart (score/compare.h).
//
//   suite_hash       "fnv1a64:" and 16 hex digits over every file that decides what is run
//                    and how it is scored: prompts/, rubrics/ and incidents/ (with
//                    incidents/manifests/), each file's path relative to the suite and its
//                    bytes, in path order. Documentation (*.md) and gate.yaml (thresholds do
//                    not change scores) are left out.
//   rubric_versions  prompt id -> "fnv1a64:..." over that rubric file's bytes: a changed
//                    rubric is named on its own.
//
// FNV-1a is not a cryptographic hash; it only has to notice edits, and it needs no library.
#ifndef SRE_EVAL_SUITE_FINGERPRINT_H_
#define SRE_EVAL_SUITE_FINGERPRINT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "suite/suite.h"

namespace sre_eval {

struct SuiteFingerprint {
  std::string suite_hash;
  std::map<std::string, std::string> rubric_versions;
};

// 64-bit FNV-1a of `bytes`, continuing from `state` (start with kFnv1a64Offset).
inline constexpr uint64_t kFnv1a64Offset = 14695981039346656037ull;
uint64_t Fnv1a64(absl::string_view bytes, uint64_t state = kFnv1a64Offset);

// "fnv1a64:" and the 16 lower-case hex digits of `h`.
std::string FingerprintText(uint64_t h);

// The fingerprint of the loaded `suite` (its root, and the rubric files it read). Fails when
// a file cannot be read.
absl::StatusOr<SuiteFingerprint> FingerprintSuite(const Suite& suite);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_FINGERPRINT_H_
