// The scoring engine's view of an answer: words with their clause and sentence, negation
// marks, and the numbers and times the answer states. Built once per answer in linear time.
#ifndef SRE_EVAL_SCORE_TEXT_SCAN_H_
#define SRE_EVAL_SCORE_TEXT_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sre_eval {

// The kinds of unit a number can carry.
enum class UnitKind : uint8_t { kNone, kTime, kPercent, kMemory, kCpu, kMoney, kOther };

struct Token {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t clause = 0;          // Clauses end at . ! ? ; , new lines, "but", "however", ...
  uint32_t sentence = 0;        // Sentences end at . ! ? ; and new lines.
  bool negates_before = false;  // Negates a mention in the few words after it ("no", "not").
  bool negates_after = false;   // Negates a mention in the few words before it ("not").
  bool scopes = false;          // "other", "else", "only", "just": "no other pod" is no denial.
  bool restricts = false;       // "outside", "except", "besides": "no X outside Y" is no denial.
  bool coordinates = false;     // "or", "nor": "no A or B" negates B as well.
  bool hedges = false;          // "may", "might", "possibly", "could be": commits to nothing.
  bool starts_clause = false;   // "but", "however", "although": a new claim starts here.
  bool denied = false;          // Names an item of a "Ruled out:" list: negated.
  bool contrasts = false;       // "than" of "rather than", "of" of "instead of", "out" of
                                // "ruled out": negates, but denies no count.
  bool unit_word = false;       // The unit of the number before it ("10 minutes").
  bool time_like = false;       // Has digits around a ':' ("10:23"): perhaps a time.
  int16_t number_word = -1;     // "five" -> 5, "once" -> 1, "no"/"none" -> 0; else -1.
  bool in_number = false;       // A later word of a number written in words ("sixty-seven").
  bool after_comma = false;     // A ", " stands right before it.
  bool after_colon = false;     // A ": " stands right before it.
};

// A number the answer states, in the unit it was written in.
struct NumberMention {
  uint32_t token = 0;  // Index of the token holding (the start of) the number.
  uint32_t begin = 0;  // Span of the number and its unit.
  uint32_t end = 0;
  double value = 0;  // As written, with "k" and word forms applied.
  UnitKind unit = UnitKind::kNone;
  double scale = 1;          // value * scale is in the kind's base unit (ms, %, MiB, millicores).
  bool ambiguous_m = false;  // Written "300m": minutes, or millicores where CPU is meant.
  bool zero_word = false;    // "no"/"none": a claim of zero only right before a cue.
  // Does not commit to one value: an end of a range ("3-5", "between 3 and 5", "3 or 4") or
  // a bound ("up to 5", "at least 5", "more than 5"). With a range, range_low and range_high
  // hold its ends (as written, in this mention's unit).
  bool hedged = false;
  // A bare number followed by the word it counts ("3000 users", "3000-user"): a count, never
  // a quantity in a criterion's unit.
  bool counts_noun = false;
  bool is_range = false;
  double range_low = 0;
  double range_high = 0;
};

// A time of day (and perhaps a date) the answer states.
struct TimeMention {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool has_date = false;
  bool has_seconds = false;    // "10:00:31", not "10:00".
  int64_t unix_seconds = 0;    // With a date: the instant, in UTC.
  int32_t seconds_of_day = 0;  // In UTC.
};

class TextScan {
 public:
  explicit TextScan(absl::string_view text);

  absl::string_view text() const { return text_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  const std::vector<NumberMention>& numbers() const { return numbers_; }
  // Scanned on first use (only rubrics with time criteria need them).
  const std::vector<TimeMention>& times() const;

  // The first token that ends after `offset`, or tokens().size().
  size_t TokenAt(size_t offset) const;
  // The tokens of the bytes [begin, end): [*first, *after).
  void TokenRange(size_t begin, size_t end, size_t* first, size_t* after) const;
  // Whether the mention at [begin, end) is negated in its clause.
  bool IsNegated(size_t begin, size_t end) const;
  // The same for a mention made of the tokens [first, after).
  bool IsNegatedTokens(size_t first, size_t after) const;
  // Whether the mention made of the tokens [first, after) denies a count ("no pods restarted",
  // "never restarted"): negated as above, but not by a contrast ("throttled rather than
  // killed") nor by a "Ruled out:" list.
  bool IsDeniedCount(size_t first, size_t after) const;
  // Whether token `t` stands in an enumeration: a sentence of five or more comma-separated
  // items of at most four words each on average ("CPU throttling, CFS quota, slow queries, GC,
  // I/O wait"), or an item of a list of candidates: the bullets under a line that ends with a
  // colon and speaks of what usually or possibly happens ("Slowness is usually caused by one
  // of the following:"). Naming a cause among many is no claim that it is the cause.
  bool InEnumeration(size_t t) const;
  // Whether the mention made of the tokens [first, after) is hedged: a hedge word ("may",
  // "might", "possibly", "perhaps", "could be", "seems", "candidate") stands at most 12 words
  // before it in its sentence with no "but", "however" or "although" between (a hedge reaches
  // across commas and colons: "several limits may have been exceeded: memory limits"), or at
  // most 6 words after it in its clause ("the front-end is a candidate"); or the sentence
  // takes it back ("... but cannot be ruled out", "... or not").
  bool IsHedgedTokens(size_t first, size_t after) const;

 private:
  void Tokenize();
  // Fills sentence_candidate_, once the sentences are counted.
  void MarkCandidateLists() const;
  void FindNumbers();
  // Marks the items of lists headed "Ruled out:", "Not the cause:", "Excluded:" as denied.
  void MarkDenialLists();
  bool Negated(size_t first, size_t after, bool count) const;

  absl::string_view text_;
  std::vector<Token> tokens_;
  // By sentence, counted on the first InEnumeration: its commas, its tokens, its longest
  // stretch between commas and colons.
  mutable bool sentences_counted_ = false;
  mutable std::vector<uint32_t> sentence_commas_;
  mutable std::vector<uint32_t> sentence_tokens_;
  mutable std::vector<uint32_t> sentence_longest_;
  // Per sentence: an item of a list of candidates (see InEnumeration).
  mutable std::vector<bool> sentence_candidate_;
  std::vector<NumberMention> numbers_;
  mutable bool times_scanned_ = false;
  mutable std::vector<TimeMention> times_;
};

// One match of the time pattern (what this RE2 would match, leftmost first):
//   (?i)(?:(\d{4})-(\d{2})-(\d{2})[T ])?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?
//   (?:\s?(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?(?:\s?([ap])\.?m\b\.?)?
// Hand-written because RE2's submatch extraction cost most of the time scan.
struct TimeMatch {
  size_t begin = 0;
  size_t end = 0;
  absl::string_view year, month, day;  // Empty without a date.
  absl::string_view hour, minute, second;
  absl::string_view zone;  // "Z", "UTC", "GMT", "+05:30", "-0800", or empty.
  absl::string_view ampm;  // "a" or "p" (either case), or empty.
};

// The leftmost match starting in [from, to) and ending by `to`; false when there is none.
bool FindTime(absl::string_view text, size_t from, size_t to, TimeMatch* m);

// `text` cut to at most `max_bytes` on a UTF-8 boundary, with invalid bytes replaced by
// U+FFFD, so that it can go into JSON.
std::string CleanExcerpt(absl::string_view text, size_t max_bytes);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_TEXT_SCAN_H_
