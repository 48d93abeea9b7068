// What the fuzz targets share: the input as text, the source tree's files, and a check that
// stops the run with a message when a property the code promises does not hold.
#ifndef SRE_EVAL_TESTS_FUZZ_FUZZ_INPUT_H_
#define SRE_EVAL_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"

namespace sre_eval {
namespace fuzz {

inline absl::string_view AsText(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// A path in the source tree (SRE_EVAL_SOURCE_ROOT, set by tests/fuzz/CMakeLists.txt).
inline std::string SourcePath(const std::string& relative) {
  return std::string(SRE_EVAL_SOURCE_ROOT) + "/" + relative;
}

// Caps on crashes already known and being fixed elsewhere, so that the targets keep finding
// others meanwhile; SRE_EVAL_FUZZ_NO_CAPS=1 lifts them (to confirm the crashes).
inline bool CapsOn() {
  static const bool on = std::getenv("SRE_EVAL_FUZZ_NO_CAPS") == nullptr;
  return on;
}

// Aborts (a crash libFuzzer records) when a promised property fails.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

}  // namespace fuzz
}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_FUZZ_FUZZ_INPUT_H_
