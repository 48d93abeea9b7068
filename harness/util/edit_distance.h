// "Did you mean" suggestions for misspelt keys, ids and names.
#ifndef SRE_EVAL_UTIL_EDIT_DISTANCE_H_
#define SRE_EVAL_UTIL_EDIT_DISTANCE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sre_eval {

// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
// characters as one edit each (optimal string alignment). O(|a| * |b|) time, O(|b|) memory.
size_t EditDistance(absl::string_view a, absl::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo (at most a
// third of the word's length, and at least 1, edits away); ties go to the earlier candidate.
// Returns "" when none is.
std::string ClosestMatch(absl::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" for the closest match, or "" when there is none.
std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_EDIT_DISTANCE_H_
