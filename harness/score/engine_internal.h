// Internal to the scoring engine (engine.cc compiles a rubric, engine_score.cc scores an
// answer): the phrase matcher and the compiled rubric both use. Not part of the engine's
// interface.
#ifndef SRE_EVAL_SCORE_ENGINE_INTERNAL_H_
#define SRE_EVAL_SCORE_ENGINE_INTERNAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "score/engine.h"
#include "score/text_scan.h"

namespace sre_eval {
namespace engine_internal {

struct Span {
  size_t begin;
  size_t end;
  size_t first_token;  // The tokens it covers: [first_token, after_token).
  size_t after_token;
};

// An occurrence of pattern `pattern`.
struct Hit {
  int pattern;
  Span span;
};

// Finds phrases made of words (letters, digits, '_', apostrophes, and . , : between digits)
// joined by spaces or hyphens, on the answer's tokens in one pass: each token walks a trie of
// first words, so the cost is linear in the answer and nearly independent of the number of
// phrases. Phrases with other characters go to RE2 instead.
class PhraseMatcher {
 public:
  // Registers `phrase` as pattern `pattern`; false when it needs a regex.
  bool Add(const std::string& phrase, int pattern);

  bool empty() const { return alternatives_.empty(); }

  // Appends every occurrence to *out in text order (by first token); a pattern may appear
  // twice at one token, once per alternative that matches there.
  void Match(const TextScan& scan, std::vector<Hit>* out) const;

 private:
  static constexpr int kAlphabet = 41;
  // The trie's nodes are split in three so that the walk touches only the child table and
  // a byte of flags.
  using Children = std::array<int32_t, kAlphabet>;
  enum : uint8_t { kHasExact = 1, kHasStem = 2 };

  int NewNode();
  struct Alternative {
    std::vector<std::string> words;
    bool stem;
    int pattern;
  };

  static int Slot(char c);

  void AddAlternative(const std::vector<std::string>& words, bool stem, int pattern);

  // Checks the rest of each alternative's words after token `first` and records matches.
  void Found(const std::vector<int>& alts, const TextScan& scan, size_t first,
             std::vector<Hit>* out) const;

  std::vector<Children> children_;
  std::vector<uint8_t> flags_;
  std::vector<std::vector<int>> exact_;  // Alternatives whose first word ends at the node.
  std::vector<std::vector<int>> stem_;   // Single-word stems that end at the node.
  std::vector<Alternative> alternatives_;
};

}  // namespace engine_internal

// What Compile() builds and Score() reads.
struct CompiledRubric::Impl {
  struct Compiled {
    const Criterion* criterion = nullptr;
    std::string dimension;
    size_t dimension_index = 0;  // In rubric.dimensions.
    // Pattern indices, per synonym group.
    std::vector<std::vector<int>> any, all, claims, denies;
    std::vector<int> cues;
    int regex = -1;
    std::unique_ptr<RE2> shape;
  };

  Rubric rubric;
  // Pattern i is a phrase found by `phrases` when patterns[i] is null, else an RE2.
  std::vector<std::unique_ptr<RE2>> patterns;
  std::map<std::string, int> pattern_index;  // By regex, or by "\0" + phrase.
  engine_internal::PhraseMatcher phrases;
  std::unique_ptr<RE2::Set> set;  // Every RE2 pattern, to skip those that cannot match.
  std::vector<int> set_patterns;  // Set index -> pattern index.
  std::vector<Compiled> criteria;
  bool has_judge = false;

  absl::StatusOr<int> AddPattern(const std::string& regex);
  absl::StatusOr<int> AddPhrase(const std::string& phrase);
  absl::StatusOr<std::vector<std::vector<int>>> AddGroups(const std::vector<Synonyms>& groups);
};

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_ENGINE_INTERNAL_H_
