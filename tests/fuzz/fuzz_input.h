// What the fuzz targets share: the input as text, the source tree's files, and a check that
// stops the run with a message when a property the code promises does not hold.
#ifndef SRE_EVAL_TESTS_FUZZ_FUZZ_INPUT_H_
#define SRE_EVAL_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

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

// TODO(issue 16, YAML aliases): YAML alias cycles and alias bombs crash or exhaust yaml-cpp's
// loading (util/yaml_reader.cc, util/yaml_json.cc); until the bounded YAML policy lands, the
// YAML targets skip text that could hold an anchor and an alias.
inline bool MayHoldYamlAlias(absl::string_view text) {
  return CapsOn() && text.find('&') != absl::string_view::npos &&
         text.find('*') != absl::string_view::npos;
}

// TODO(issue 16, yaml-cpp 0.7 loop): yaml-cpp 0.7's LoadAll never returns, and allocates
// without end, when a ',' stands where a document's next node would ("- a\n,", "[a] ,", ","):
// HandleNextDocument does not consume the token and reports the same empty document again
// (jbeder/yaml-cpp#1040, fixed upstream by #1319, after Debian 12's 0.7.0). ParseYaml
// (util/yaml_reader.cc) and YamlDocumentsToJson (util/yaml_json.cc) call LoadAll; until they
// stop at a document that makes no progress, the YAML targets skip such text, found the same
// way: a document starting where the one before started.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { pos = mark.pos; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  int pos = -1;
};

inline bool YamlCppLoops(absl::string_view text) {
  if (!CapsOn()) return false;
  std::stringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  int previous = -2;
  try {
    while (parser.HandleNextDocument(starts)) {
      if (starts.pos == previous) return true;
      previous = starts.pos;
    }
  } catch (const std::exception&) {
  }
  return false;
}

// Whether a YAML target skips `text` (the two caps above).
inline bool SkipYaml(absl::string_view text) {
  return MayHoldYamlAlias(text) || YamlCppLoops(text);
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
