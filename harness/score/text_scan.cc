#include "score/text_scan.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "util/utf8.h"

namespace sre_eval {

namespace {

// Bytes >= 0x80 belong to words (letters of other scripts), except the punctuation below.
// Returns the length of a multi-byte separator (dashes, quotes, bullets, no-break space) at
// `i`, or 0.
size_t SeparatorLength(absl::string_view text, size_t i) {
  unsigned char c = text[i];
  if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
    return 2;  // No-break space.
  }
  if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
    unsigned char d = text[i + 2];
    // U+2010..U+203F: dashes, quotes, bullets, ellipsis; the right single quote U+2019 is an
    // apostrophe inside words ("didn’t").
    if (d >= 0x90 && d != 0x99) return 3;
  }
  return 0;
}

// ASCII letters, digits and '_' (bytes >= 0x80 are false here and checked apart).
constexpr bool kAsciiWord[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};

inline bool IsWordByte(absl::string_view text, size_t i) {
  unsigned char c = text[i];
  if (c < 0x80) return kAsciiWord[c];
  return SeparatorLength(text, i) == 0;
}

// Whether the token starting at `begin` is joined to a word before it by '-', '/' or '.':
// part of a name, a date or a fraction ("pod-5", "2026-11-24", "3/4").
bool JoinedBefore(absl::string_view text, size_t begin) {
  return begin >= 2 &&
         (text[begin - 1] == '-' || text[begin - 1] == '/' || text[begin - 1] == '.') &&
         IsWordByte(text, begin - 2);
}

bool IsDigit(absl::string_view text, size_t i) {
  return i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]));
}

// What a word means to the scanner.
enum WordFlag : uint16_t {
  kNegatesBefore = 1 << 0,
  kNegatesAfter = 1 << 1,
  kScopes = 1 << 2,
  kStartsClause = 1 << 3,
  kNumberWord = 1 << 4,  // Its value is in WordInfo::value.
  kZeroWord = 1 << 5,    // "no", "none".
  kRather = 1 << 6,      // "rather than", "instead of", "ruled out": the second word negates.
  kInstead = 1 << 7,
  kRuled = 1 << 8,
  kRestricts = 1 << 9,     // "outside", "except", "besides", "apart".
  kCoordinates = 1 << 10,  // "or", "nor".
  kHedges = 1 << 11,
  kCould = 1 << 12,  // "could": hedges before "be" and "have" ("could also have").
};

struct WordInfo {
  uint16_t flags = 0;
  int16_t value = -1;
};

struct Unit {
  UnitKind kind;
  double scale;
};

constexpr size_t kMaxWord = 16;  // Longer tokens are never special words or units.

// `word` lowercased into `buf`, the typographic apostrophe folded to '\''; empty when longer
// than kMaxWord.
absl::string_view Lower(absl::string_view word, char (&buf)[kMaxWord]) {
  size_t n = 0;
  for (size_t i = 0; i < word.size(); ++i) {
    if (n == kMaxWord) return absl::string_view();
    if (static_cast<unsigned char>(word[i]) == 0xE2 && word.compare(i, 3, "\xE2\x80\x99") == 0) {
      buf[n++] = '\'';
      i += 2;
      continue;
    }
    buf[n++] = absl::ascii_tolower(static_cast<unsigned char>(word[i]));
  }
  return absl::string_view(buf, n);
}

const absl::flat_hash_map<absl::string_view, WordInfo>& Words();

// For each pair of first letters, a bit per length of the special words that start so: a
// cheap test that spares most tokens the hash lookup.
struct PrefixFilter {
  uint16_t lengths[26][26] = {};
  PrefixFilter() {
    for (const auto& [word, info] : Words()) {
      lengths[word[0] - 'a'][word[1] - 'a'] |= uint16_t{1} << word.size();
    }
  }
  bool MaybeSpecial(absl::string_view token) const {
    if (token.size() < 2 || token.size() > 15) return false;
    unsigned a = absl::ascii_tolower(static_cast<unsigned char>(token[0])) - 'a';
    unsigned b = absl::ascii_tolower(static_cast<unsigned char>(token[1])) - 'a';
    if (a >= 26 || b >= 26) return false;
    // A typographic apostrophe makes the token 2 bytes longer than the word.
    uint16_t bits = lengths[a][b];
    return (bits >> token.size() & 1) || (token.size() >= 3 && (bits >> (token.size() - 2) & 1));
  }
};

const PrefixFilter& Prefixes() {
  static const PrefixFilter* filter = new PrefixFilter;
  return *filter;
}

// "n't" or "n’t" at the end of a token.
bool EndsWithNt(absl::string_view token) {
  size_t n = token.size();
  if (n < 3 || absl::ascii_tolower(static_cast<unsigned char>(token[n - 1])) != 't') return false;
  if (token[n - 2] == '\'')
    return absl::ascii_tolower(static_cast<unsigned char>(token[n - 3])) == 'n';
  return n >= 5 && token.substr(n - 4, 3) == "\xE2\x80\x99" &&
         absl::ascii_tolower(static_cast<unsigned char>(token[n - 5])) == 'n';
}

const absl::flat_hash_map<absl::string_view, WordInfo>& Words() {
  static const auto* words = [] {
    auto* m = new absl::flat_hash_map<absl::string_view, WordInfo>;
    auto add = [m](absl::string_view w, uint16_t flags, int value = -1) {
      WordInfo& info = (*m)[w];
      info.flags |= flags;
      if (value >= 0) info.value = static_cast<int16_t>(value);
    };
    for (absl::string_view w : {"no", "none"}) add(w, kZeroWord, 0);
    for (absl::string_view w : {"no", "not", "never", "none", "without", "zero", "nor", "neither",
                                "cannot", "nothing", "nobody", "unlikely"}) {
      add(w, kNegatesBefore);
    }
    for (absl::string_view w :
         {"dont", "didnt", "doesnt", "wasnt", "werent", "isnt", "arent", "cant", "couldnt", "wont",
          "hasnt", "havent", "hadnt", "shouldnt", "wouldnt"}) {
      add(w, kNegatesBefore | kNegatesAfter);
    }
    for (absl::string_view w :
         {"not", "never", "none", "ruled", "excluded", "unlikely", "unrelated"}) {
      add(w, kNegatesAfter);
    }
    for (absl::string_view w : {"other", "else", "only", "just", "additional", "further"}) {
      add(w, kScopes);
    }
    for (absl::string_view w : {"but", "however", "although", "though", "whereas", "instead"}) {
      add(w, kStartsClause);
    }
    for (absl::string_view w : {"outside", "except", "excluding", "besides", "apart"}) {
      add(w, kRestricts);
    }
    for (absl::string_view w : {"or", "nor"}) add(w, kCoordinates);
    for (absl::string_view w : {"may", "might", "possibly", "perhaps", "maybe", "potentially",
                                "conceivably", "seems", "seem", "appears", "appear", "suggest",
                                "suggests", "possibility", "candidate", "candidates"}) {
      add(w, kHedges);
    }
    add("could", kCould);
    add("rather", kRather);
    add("instead", kInstead);
    add("ruled", kRuled);
    add("rule", kRuled);
    static const char* const kNumbers[] = {
        "zero",     "one",     "two",     "three",     "four",     "five",     "six",
        "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
        "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
    for (int i = 0; i <= 20; ++i) add(kNumbers[i], kNumberWord, i);
    static const char* const kTens[] = {"thirty",  "forty",  "fifty", "sixty",
                                        "seventy", "eighty", "ninety"};
    for (int i = 0; i < 7; ++i) add(kTens[i], kNumberWord, 30 + 10 * i);
    add("hundred", kNumberWord, 100);
    add("thousand", kNumberWord, 1000);
    add("once", kNumberWord, 1);
    add("twice", kNumberWord, 2);
    return m;
  }();
  return *words;
}

const absl::flat_hash_map<absl::string_view, Unit>& Units() {
  static const auto* units = [] {
    auto* m = new absl::flat_hash_map<absl::string_view, Unit>;
    auto add = [m](std::initializer_list<absl::string_view> names, UnitKind kind, double scale) {
      for (absl::string_view n : names) (*m)[n] = Unit{kind, scale};
    };
    add({"ms", "msec", "msecs", "millisecond", "milliseconds"}, UnitKind::kTime, 1);
    add({"s", "sec", "secs", "second", "seconds"}, UnitKind::kTime, 1000);
    add({"min", "mins", "minute", "minutes"}, UnitKind::kTime, 60000);
    add({"h", "hr", "hrs", "hour", "hours"}, UnitKind::kTime, 3600000);
    add({"percent", "pct"}, UnitKind::kPercent, 1);
    add({"ki", "kib", "kb"}, UnitKind::kMemory, 1.0 / 1024);
    add({"mi", "mib", "mb"}, UnitKind::kMemory, 1);
    add({"gi", "gib", "gb"}, UnitKind::kMemory, 1024);
    add({"millicore", "millicores", "mcpu"}, UnitKind::kCpu, 1);
    add({"core", "cores", "cpu", "cpus", "vcpu", "vcpus"}, UnitKind::kCpu, 1000);
    return m;
  }();
  return *units;
}

std::optional<Unit> LookupUnit(absl::string_view w, bool attached) {
  auto it = Units().find(w);
  if (it != Units().end()) return it->second;
  if (attached && w == "k") return Unit{UnitKind::kNone, 1000};
  if (attached) return Unit{UnitKind::kOther, 1};  // "5x", "3rd", "2nd"...
  return std::nullopt;
}

}  // namespace

TextScan::TextScan(absl::string_view text) : text_(text) {
  Tokenize();
  FindNumbers();
  MarkDenialLists();
}

void TextScan::Tokenize() {
  const size_t n = text_.size();
  tokens_.reserve(n / 5 + 1);
  uint32_t clause = 0;
  uint32_t sentence = 0;
  uint16_t prev = 0;   // Flags of the word before.
  char separator = 0;  // ',' or ':' when one stands between the last token and the next.
  // Raw bytes: this loop runs once per byte of every answer.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(text_.data());
  auto word_byte = [&](size_t j) {
    return p[j] < 0x80 ? kAsciiWord[p[j]] : SeparatorLength(text_, j) == 0;
  };
  size_t i = 0;
  while (i < n) {
    if (!word_byte(i)) {
      unsigned char c = p[i];
      if (c == ' ') {
        ++i;
        continue;
      }
      bool followed_by_word = i + 1 < n && word_byte(i + 1);
      // One break between two words however many marks make it ("done.\n\n- next").
      if (c == '\n' || ((c == '.' || c == '!' || c == '?' || c == ';') && !followed_by_word)) {
        if (!tokens_.empty() && tokens_.back().sentence == sentence) ++sentence;
        if (!tokens_.empty() && tokens_.back().clause == clause) ++clause;
      } else if (((c == ',' || c == ':') && !followed_by_word) || c == '(' || c == ')') {
        if (c == ',' || c == ':') separator = c;
        // A parenthesis is an aside: "could not reach payment (connection refused)".
        if (!tokens_.empty() && tokens_.back().clause == clause) ++clause;
      }
      size_t sep = c >= 0x80 ? SeparatorLength(text_, i) : 0;
      i += sep > 0 ? sep : 1;
      continue;
    }
    size_t start = i;
    bool time_like = false;
    while (i < n) {
      while (i < n && kAsciiWord[p[i]]) ++i;
      if (i == n) break;
      unsigned char c = p[i];
      if (c >= 0x80 && SeparatorLength(text_, i) == 0) {
        ++i;
        continue;
      }
      // Joiners inside a word: an apostrophe between letters ("didn't"), and . , : between
      // digits ("4.1", "48,213", "10:23").
      if (c == '\'' && i + 1 < n && absl::ascii_isalpha(p[i + 1])) {
        ++i;
        continue;
      }
      if ((c == '.' || c == ',' || c == ':') && i + 1 < n && absl::ascii_isdigit(p[i - 1]) &&
          absl::ascii_isdigit(p[i + 1])) {
        if (c == ':') time_like = true;
        ++i;
        continue;
      }
      break;
    }
    absl::string_view token = text_.substr(start, i - start);
    WordInfo info;
    if (Prefixes().MaybeSpecial(token)) {
      char buf[kMaxWord];
      absl::string_view w = Lower(token, buf);
      auto it = Words().find(w);
      if (it != Words().end()) info = it->second;
    }
    if (EndsWithNt(token)) info.flags |= kNegatesBefore | kNegatesAfter;
    if (info.flags & kStartsClause) ++clause;
    Token t;
    t.begin = static_cast<uint32_t>(start);
    t.end = static_cast<uint32_t>(i);
    t.clause = clause;
    t.sentence = sentence;
    t.contrasts = (prev & (kRather | kInstead | kRuled)) &&
                  (((prev & kRather) && absl::EqualsIgnoreCase(token, "than")) ||
                   ((prev & kInstead) && absl::EqualsIgnoreCase(token, "of")) ||
                   ((prev & kRuled) && absl::EqualsIgnoreCase(token, "out")));
    t.negates_before = (info.flags & kNegatesBefore) || t.contrasts;
    t.negates_after = info.flags & kNegatesAfter;
    t.scopes = info.flags & kScopes;
    t.restricts = info.flags & kRestricts;
    t.coordinates = info.flags & kCoordinates;
    t.starts_clause = info.flags & kStartsClause;
    t.hedges = (info.flags & kHedges) ||
               ((prev & kCould) &&
                (absl::EqualsIgnoreCase(token, "be") || absl::EqualsIgnoreCase(token, "have")));
    t.time_like = time_like;
    if (info.flags & (kNumberWord | kZeroWord)) t.number_word = info.value;
    t.after_comma = separator == ',';
    t.after_colon = separator == ':';
    separator = 0;
    tokens_.push_back(t);
    // "could also have", "could well be": an adverb between keeps the "could".
    bool keeps_could = false;
    if (prev & kCould) {
      for (absl::string_view a : {"also", "well", "easily", "just", "still", "even"}) {
        keeps_could = keeps_could || absl::EqualsIgnoreCase(token, a);
      }
    }
    prev = info.flags | (keeps_could ? kCould : 0);
  }
}

namespace {

// A token of digits only, with thousands separators and a decimal part ("48,213", "4.1").
bool PlainDigits(absl::string_view word) {
  if (word.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(word[0]))) return false;
  for (char c : word) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.' && c != ',') return false;
  }
  return true;
}

// Whether the lowercased words before token `ti` are `a` (and `b` before it, when given).
bool WordsBefore(absl::string_view text, const std::vector<Token>& tokens, size_t ti,
                 absl::string_view a, absl::string_view b = {}) {
  if (ti < 1) return false;
  const Token& t1 = tokens[ti - 1];
  if (t1.clause != tokens[ti].clause ||
      !absl::EqualsIgnoreCase(text.substr(t1.begin, t1.end - t1.begin), a)) {
    return false;
  }
  if (b.empty()) return true;
  if (ti < 2) return false;
  const Token& t2 = tokens[ti - 2];
  return t2.clause == t1.clause &&
         absl::EqualsIgnoreCase(text.substr(t2.begin, t2.end - t2.begin), b);
}

bool WordIs(absl::string_view text, const Token& t, absl::string_view w) {
  return absl::EqualsIgnoreCase(text.substr(t.begin, t.end - t.begin), w);
}

// `w` lowercased is in `set` (a set of lowercase words).
bool InSet(const absl::flat_hash_set<absl::string_view>& set, absl::string_view w) {
  char buf[kMaxWord];
  absl::string_view lower = Lower(w, buf);
  return !lower.empty() && set.contains(lower);
}

// Words that follow a number without being what it counts: "702 of 1000", "5 and 6".
bool FunctionWord(absl::string_view w) {
  static const auto* words = new absl::flat_hash_set<absl::string_view>{
      "of",     "and",   "or",    "to",     "in",    "at",     "on",     "for",     "with",  "by",
      "from",   "is",    "was",   "were",   "are",   "be",     "been",   "the",     "a",     "an",
      "during", "while", "when",  "then",   "than",  "before", "after",  "until",   "which", "that",
      "as",     "so",    "but",   "per",    "out",   "vs",     "versus", "it",      "its",   "this",
      "into",   "over",  "under", "within", "about", "around", "since",  "through", "times", "x"};
  return InSet(*words, w);
}

// A code, not a quantity, follows these: "exit 137", "exit code 137", "HTTP 500".
bool CodeWord(absl::string_view w) {
  static const auto* words = new absl::flat_hash_set<absl::string_view>{
      "exit", "code", "status", "http", "port", "version", "errno", "signal", "pid", "line"};
  return InSet(*words, w);
}

// Bounds do not state a value: "up to 5", "at least 5", "more than 5", "above 5". Not "over"
// and "under": "under 750 users", "over 5 minutes" state the value.
bool BoundBefore(absl::string_view text, const std::vector<Token>& tokens, size_t ti) {
  static const auto* single =
      new absl::flat_hash_set<absl::string_view>{"below", "above", "exceeding", "beyond"};
  static const auto* pairs = new absl::flat_hash_set<absl::string_view>{
      "up to",     "at least",   "at most",      "more than",
      "less than", "fewer than", "greater than", "upwards of"};
  if (ti < 1 || tokens[ti - 1].clause != tokens[ti].clause) return false;
  const Token& t1 = tokens[ti - 1];
  absl::string_view w1 = text.substr(t1.begin, t1.end - t1.begin);
  if (InSet(*single, w1)) return true;
  if (ti < 2 || tokens[ti - 2].clause != t1.clause || t1.begin != tokens[ti - 2].end + 1) {
    return false;
  }
  return InSet(*pairs, text.substr(tokens[ti - 2].begin, t1.end - tokens[ti - 2].begin));
}

}  // namespace

void TextScan::FindNumbers() {
  const size_t n = text_.size();
  // Whether token k holds plain digits and stands beside token k + 1 across one '-': a range
  // ("3-5"), unless either is part of something longer ("2026-11-24", "pod-3-4").
  auto dash_pair = [&](size_t k) {
    if (k + 1 >= tokens_.size()) return false;
    const Token& a = tokens_[k];
    const Token& b = tokens_[k + 1];
    if (b.begin != a.end + 1 || text_[a.end] != '-') return false;
    if (!PlainDigits(text_.substr(a.begin, a.end - a.begin)) ||
        !PlainDigits(text_.substr(b.begin, b.end - b.begin))) {
      return false;
    }
    if (JoinedBefore(text_, a.begin)) return false;
    if (b.end + 1 < n && (text_[b.end] == '-' || text_[b.end] == '/') &&
        IsWordByte(text_, b.end + 1)) {
      return false;
    }
    return true;
  };
  for (size_t ti = 0; ti < tokens_.size(); ++ti) {
    const Token& t = tokens_[ti];
    unsigned char first = text_[t.begin];
    if (!absl::ascii_isdigit(first) && t.number_word < 0) continue;  // Most tokens.
    if (t.time_like || t.in_number) continue;
    absl::string_view word = text_.substr(t.begin, t.end - t.begin);
    NumberMention m;
    m.token = static_cast<uint32_t>(ti);
    m.begin = t.begin;
    m.end = t.end;
    bool attached_unit = false;
    if (absl::ascii_isdigit(static_cast<unsigned char>(word[0]))) {
      // Digits with optional thousands separators and one decimal part, then letters.
      size_t j = 0;
      double whole = 0;
      double fraction = 0;
      double scale = 1;
      int dots = 0;
      while (j < word.size()) {
        char c = word[j];
        if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
          if (dots == 0) {
            whole = whole * 10 + (c - '0');
          } else {
            scale /= 10;
            fraction += (c - '0') * scale;
          }
        } else if (c == '.') {
          ++dots;
        } else if (c != ',') {  // A comma is a thousands separator.
          break;
        }
        ++j;
      }
      if (dots > 1) continue;
      absl::string_view suffix = word.substr(j);
      bool suffix_ok = true;
      for (char c : suffix) {
        if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) suffix_ok = false;
      }
      if (!suffix_ok) continue;  // "6f8c9d7b5", "x2k9p": an id, not a number.
      bool range_dash = dash_pair(ti) || (ti > 0 && dash_pair(ti - 1));
      // Part of a name, a date or a fraction: "pod-5", "2026-11-24", "3/4". A word after a
      // hyphen is the number's unit or subject: "750-user", "5-minute".
      if (!range_dash) {
        if (JoinedBefore(text_, t.begin)) continue;
        if (t.end + 1 < n &&
            (text_[t.end] == '/' ||
             (text_[t.end] == '-' &&
              !absl::ascii_isalpha(static_cast<unsigned char>(text_[t.end + 1])))) &&
            IsWordByte(text_, t.end + 1)) {
          continue;
        }
      }
      m.value = whole + fraction;
      if (t.begin >= 1 && text_[t.begin - 1] == '$') {
        m.unit = UnitKind::kMoney;
        m.begin = t.begin - 1;
      } else if (!suffix.empty()) {
        char buf[kMaxWord];
        absl::string_view s = Lower(suffix, buf);
        if (s == "m") {
          m.unit = UnitKind::kTime;
          m.scale = 60000;
          m.ambiguous_m = true;
        } else {
          Unit u = *LookupUnit(s, /*attached=*/true);
          m.unit = u.kind;
          m.scale = u.scale;
        }
        attached_unit = true;
      }
    } else if (t.number_word >= 0) {
      m.zero_word = absl::EqualsIgnoreCase(word, "no") || absl::EqualsIgnoreCase(word, "none");
      int64_t current = t.number_word;
      int64_t total = 0;
      bool compound = !m.zero_word && t.number_word > 0 && !absl::EqualsIgnoreCase(word, "once") &&
                      !absl::EqualsIgnoreCase(word, "twice");
      if (current >= 100) {
        // "hundred" or "thousand" alone is not a number; "a hundred" is.
        if (!WordsBefore(text_, tokens_, ti, "a")) continue;
      }
      // Compounds written in words: "sixty-seven", "one hundred and five", "two thousand".
      size_t k = ti;
      while (compound && k + 1 < tokens_.size()) {
        const Token& prev = tokens_[k];
        size_t nx = k + 1;
        if (tokens_[nx].begin != prev.end + 1) break;  // One space or hyphen between.
        bool and_word = WordIs(text_, tokens_[nx], "and");
        if (and_word) {
          if (current < 100 || current % 100 != 0 || nx + 1 >= tokens_.size() ||
              tokens_[nx + 1].begin != tokens_[nx].end + 1) {
            break;
          }
          ++nx;
        }
        int v = tokens_[nx].number_word;
        if (v <= 0) break;
        if (WordIs(text_, tokens_[nx], "once") || WordIs(text_, tokens_[nx], "twice")) break;
        if (v == 100 && !and_word && current > 0 && current < 100) {
          current *= 100;
        } else if (v == 1000 && !and_word && current > 0 && current < 1000) {
          total += current * 1000;
          current = 0;
        } else if (v < 10 && current >= 20 && current % 10 == 0 && current % 100 != 0) {
          current += v;
        } else if (v < 100 && (current % 100 == 0) && (current > 0 || total > 0)) {
          current += v;
        } else {
          break;
        }
        for (size_t q = k + 1; q <= nx; ++q) tokens_[q].in_number = true;
        m.end = tokens_[nx].end;
        k = nx;
      }
      m.value = static_cast<double>(total + current);
      ti = k;  // The words of the number are read.
    } else {
      continue;
    }
    const Token& last = tokens_[ti];
    if (!attached_unit && m.unit == UnitKind::kNone && !m.zero_word) {
      // "%" right after, or a unit word next ("10 minutes", "1000 MiB", "5-minute").
      size_t after = last.end;
      if (after < n && text_[after] == ' ') ++after;
      if (after < n && text_[after] == '%') {
        m.unit = UnitKind::kPercent;
        m.end = static_cast<uint32_t>(after + 1);
      } else if (ti + 1 < tokens_.size() && tokens_[ti + 1].begin <= last.end + 1) {
        const Token& next = tokens_[ti + 1];
        char buf[kMaxWord];
        absl::string_view w = Lower(text_.substr(next.begin, next.end - next.begin), buf);
        if (auto u = LookupUnit(w, /*attached=*/false)) {
          m.unit = u->kind;
          m.scale = u->scale;
          m.end = next.end;
          tokens_[ti + 1].unit_word = true;
        }
      }
    }
    if (!m.zero_word && BoundBefore(text_, tokens_, m.token)) m.hedged = true;
    // A code, not a quantity: "exit 137", "exit code 137", "HTTP 500", "port 8080".
    if (m.unit == UnitKind::kNone && m.token > 0 &&
        tokens_[m.token - 1].clause == tokens_[m.token].clause) {
      const Token& before = tokens_[m.token - 1];
      if (CodeWord(text_.substr(before.begin, before.end - before.begin))) {
        m.unit = UnitKind::kOther;
      }
    }
    if (m.unit == UnitKind::kNone && !m.zero_word && ti + 1 < tokens_.size() &&
        tokens_[ti + 1].sentence == last.sentence && tokens_[ti + 1].begin <= last.end + 1) {
      // "3000 users", "3000-user test": a count of what the next word names, not a quantity
      // in some criterion's unit.
      const Token& next = tokens_[ti + 1];
      absl::string_view w = text_.substr(next.begin, next.end - next.begin);
      m.counts_noun = absl::ascii_isalpha(static_cast<unsigned char>(w[0])) && !FunctionWord(w);
    }
    // "5 or more", "67+".
    if (m.end < n && text_[m.end] == '+') m.hedged = true;
    numbers_.push_back(m);
  }
  // Ranges: "3-5", "3–5 s", "3 to 5", "between 3 and 5", "3 or 4". Both ends are hedged; the
  // first holds the range, in the unit of whichever end has one.
  for (size_t i = 0; i + 1 < numbers_.size(); ++i) {
    NumberMention& a = numbers_[i];
    NumberMention& b = numbers_[i + 1];
    if (a.zero_word || b.zero_word || a.hedged) continue;
    if (b.begin < a.end) continue;
    absl::string_view between = absl::StripAsciiWhitespace(text_.substr(a.end, b.begin - a.end));
    bool range = between == "-" || between == "\xE2\x80\x93" || between == "\xE2\x80\x94" ||
                 absl::EqualsIgnoreCase(between, "or");
    if (absl::EqualsIgnoreCase(between, "to")) {
      range = !WordsBefore(text_, tokens_, a.token, "from");  // "from 1 to 0": a change.
    }
    if (absl::EqualsIgnoreCase(between, "and")) {
      range = WordsBefore(text_, tokens_, a.token, "between");
    }
    if (!range) continue;
    if (a.unit == UnitKind::kNone && b.unit != UnitKind::kNone) {
      a.unit = b.unit;
      a.scale = b.scale;
      a.ambiguous_m = b.ambiguous_m;
    } else if (b.unit == UnitKind::kNone && a.unit != UnitKind::kNone) {
      b.unit = a.unit;
      b.scale = a.scale;
      b.ambiguous_m = a.ambiguous_m;
    }
    if (a.unit != b.unit) continue;
    a.hedged = b.hedged = true;
    a.is_range = true;
    a.counts_noun = a.counts_noun || b.counts_noun;  // "2-3 replicas".
    a.range_low = std::min(a.value * a.scale, b.value * b.scale) / a.scale;
    a.range_high = std::max(a.value * a.scale, b.value * b.scale) / a.scale;
    a.end = b.end;
    ++i;
  }
  // "5 or more", "10 or so" are no ranges but are hedged.
  for (NumberMention& m : numbers_) {
    size_t ti = m.token;
    while (ti + 1 < tokens_.size() && tokens_[ti + 1].begin < m.end) ++ti;
    if (ti + 2 < tokens_.size() && WordIs(text_, tokens_[ti + 1], "or") &&
        (WordIs(text_, tokens_[ti + 2], "more") || WordIs(text_, tokens_[ti + 2], "fewer") ||
         WordIs(text_, tokens_[ti + 2], "less") || WordIs(text_, tokens_[ti + 2], "so"))) {
      m.hedged = true;
    }
  }
}

namespace {

// The value of a run of ASCII digits; 0 for none.
int Digits(absl::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

bool IsSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

bool IsAsciiWordChar(char c) { return kAsciiWord[static_cast<unsigned char>(c)]; }

// MatchTimeAt's view of the bytes [0, limit) of a text.
class TimeCursor {
 public:
  TimeCursor(absl::string_view text, size_t limit) : text_(text), limit_(limit) {}
  char Lower(size_t i) const {
    return i < limit_ ? absl::ascii_tolower(static_cast<unsigned char>(text_[i])) : '\0';
  }
  bool Digit(size_t i) const {
    return i < limit_ && absl::ascii_isdigit(static_cast<unsigned char>(text_[i]));
  }
  bool Digits(size_t i, size_t n) const {
    for (size_t k = 0; k < n; ++k) {
      if (!Digit(i + k)) return false;
    }
    return true;
  }
  bool Space(size_t i) const { return i < limit_ && IsSpaceByte(text_[i]); }
  // An ASCII word boundary after byte i - 1 (looking past the limit, as RE2 does).
  bool BoundaryBefore(size_t i) const { return i >= text_.size() || !IsAsciiWordChar(text_[i]); }
  absl::string_view Sub(size_t i, size_t n) const { return text_.substr(i, n); }

  // The length of a zone at i: Z, UTC, GMT, +05:30 or +0530; 0 for none.
  size_t Zone(size_t i) const {
    char c = Lower(i);
    if (c == 'z') return 1;
    if ((c == 'u' && Lower(i + 1) == 't' && Lower(i + 2) == 'c') ||
        (c == 'g' && Lower(i + 1) == 'm' && Lower(i + 2) == 't')) {
      return 3;
    }
    if ((c != '+' && c != '-') || !Digits(i + 1, 2)) return 0;
    if (Lower(i + 3) == ':' && Digits(i + 4, 2)) return 6;
    return Digits(i + 3, 2) ? 5 : 0;
  }

  // From the hour on: H:MM or HH:MM, then optional :SS, .fraction, zone and am/pm, each taken
  // when present, as the greedy regex would.
  bool MatchFromHour(size_t i, TimeMatch* m) const {
    size_t hour_len;
    if (Digit(i) && Digit(i + 1) && Lower(i + 2) == ':' && Digits(i + 3, 2)) {
      hour_len = 2;
    } else if (Digit(i) && Lower(i + 1) == ':' && Digits(i + 2, 2)) {
      hour_len = 1;
    } else {
      return false;
    }
    m->hour = Sub(i, hour_len);
    i += hour_len + 1;
    m->minute = Sub(i, 2);
    i += 2;
    if (Lower(i) == ':' && Digits(i + 1, 2)) {
      m->second = Sub(i + 1, 2);
      i += 3;
    }
    if (Lower(i) == '.' && Digit(i + 1)) {
      i += 2;
      while (Digit(i)) ++i;
    }
    size_t z = i + (Space(i) ? 1 : 0);
    if (size_t len = Zone(z)) {
      m->zone = Sub(z, len);
      i = z + len;
    }
    size_t a = i + (Space(i) ? 1 : 0);
    char c = Lower(a);
    if (c == 'a' || c == 'p') {
      size_t k = a + 1;
      if (Lower(k) == '.' && Lower(k + 1) == 'm') ++k;
      if (Lower(k) == 'm' && BoundaryBefore(k + 1)) {
        m->ampm = Sub(a, 1);
        i = k + 1;
        if (Lower(i) == '.') ++i;
      }
    }
    m->end = i;
    return true;
  }

 private:
  absl::string_view text_;
  size_t limit_;
};

}  // namespace

bool FindTime(absl::string_view text, size_t from, size_t to, TimeMatch* m) {
  to = std::min(to, text.size());
  TimeCursor cur(text, to);
  for (size_t s = from; s < to; ++s) {
    if (!cur.Digit(s)) continue;
    // An optional date first: "2026-11-24T" or "2026-11-24 ".
    if (cur.Digits(s, 4) && cur.Lower(s + 4) == '-' && cur.Digits(s + 5, 2) &&
        cur.Lower(s + 7) == '-' && cur.Digits(s + 8, 2) &&
        (cur.Lower(s + 10) == 't' || cur.Lower(s + 10) == ' ')) {
      *m = TimeMatch();
      if (cur.MatchFromHour(s + 11, m)) {
        m->begin = s;
        m->year = cur.Sub(s, 4);
        m->month = cur.Sub(s + 5, 2);
        m->day = cur.Sub(s + 8, 2);
        return true;
      }
    }
    *m = TimeMatch();
    if (cur.MatchFromHour(s, m)) {
      m->begin = s;
      return true;
    }
  }
  return false;
}

const std::vector<TimeMention>& TextScan::times() const {
  if (times_scanned_) return times_;
  times_scanned_ = true;
  // Every time has a token with a ':' between digits: search only around those, from far
  // enough before for a date ("2026-11-24T") to far enough after for a zone or "p.m.".
  constexpr size_t kBefore = 11;
  constexpr size_t kAfter = 16;
  size_t pos = 0;
  size_t next_token = 0;
  while (true) {
    while (next_token < tokens_.size() &&
           (!tokens_[next_token].time_like || tokens_[next_token].end <= pos)) {
      ++next_token;
    }
    if (next_token == tokens_.size()) break;
    const Token& t = tokens_[next_token++];
    size_t from = std::max(pos, t.begin >= kBefore ? t.begin - kBefore : size_t{0});
    size_t to = std::min(text_.size(), size_t{t.end} + kAfter);
    TimeMatch m;
    if (!FindTime(text_, from, to, &m)) continue;
    size_t begin = m.begin;
    size_t end = m.end;
    // A negative offset is a zone only on a full timestamp (seconds or a date) and not before
    // more clock digits: "10:14-10:17" and "10:14:20-10:17:40" are ranges of two times.
    if (!m.zone.empty() && m.zone[0] == '-') {
      size_t zone_end = m.zone.data() + m.zone.size() - text_.data();
      bool more_clock =
          zone_end + 1 < text_.size() && text_[zone_end] == ':' && IsDigit(text_, zone_end + 1);
      if ((m.second.empty() && m.year.empty()) || more_clock) {
        end = m.zone.data() - text_.data();
        while (end > begin && text_[end - 1] == ' ') --end;
        m.zone = absl::string_view();
        m.ampm = absl::string_view();
      }
    }
    pos = end;
    // Not inside a longer run of digits or a word: "110:23", "x10:23", "10:234".
    size_t first = m.year.empty() ? m.hour.data() - text_.data() : begin;
    if (first > 0 && IsWordByte(text_, first - 1)) continue;
    size_t last =
        m.second.empty() ? m.minute.data() + 2 - text_.data() : m.second.data() + 2 - text_.data();
    if (last < text_.size() && IsDigit(text_, last) && m.zone.empty() && m.ampm.empty()) continue;
    int hour = Digits(m.hour);
    int minute = Digits(m.minute);
    int second = Digits(m.second);
    if (!m.ampm.empty()) {
      if (hour < 1 || hour > 12) continue;
      bool pm = absl::ascii_tolower(m.ampm[0]) == 'p';
      hour = hour % 12 + (pm ? 12 : 0);
    }
    if (hour > 23 || minute > 59 || second > 59) continue;
    int offset_minutes = 0;
    absl::string_view zone = m.zone;
    if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
      // "+05:30" or "+0530".
      offset_minutes = Digits(zone.substr(1, 2)) * 60 + Digits(zone.substr(zone.size() - 2));
      if (zone[0] == '-') offset_minutes = -offset_minutes;
    }
    TimeMention tm;
    tm.begin = static_cast<uint32_t>(begin);
    tm.end = static_cast<uint32_t>(end);
    tm.has_seconds = !m.second.empty();
    int64_t local = int64_t{hour} * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
    tm.seconds_of_day = static_cast<int32_t>(((local % 86400) + 86400) % 86400);
    if (!m.year.empty()) {
      int year = Digits(m.year);
      int month = Digits(m.month);
      int day = Digits(m.day);
      absl::CivilDay civil_day(year, month, day);
      if (civil_day.year() != year || civil_day.month() != month || civil_day.day() != day) {
        continue;  // Not a real date.
      }
      tm.has_date = true;
      tm.unix_seconds =
          absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(civil_day), absl::UTCTimeZone())) +
          local;
    }
    times_.push_back(tm);
  }
  return times_;
}

size_t TextScan::TokenAt(size_t offset) const {
  auto it = std::upper_bound(tokens_.begin(), tokens_.end(), offset,
                             [](size_t off, const Token& t) { return off < t.end; });
  return it - tokens_.begin();
}

void TextScan::TokenRange(size_t begin, size_t end, size_t* first, size_t* after) const {
  *first = TokenAt(begin);
  *after = TokenAt(end == 0 ? 0 : end - 1);
  if (*after < tokens_.size() && tokens_[*after].begin < end) ++*after;
}

bool TextScan::IsNegated(size_t begin, size_t end) const {
  size_t first, after;
  TokenRange(begin, end, &first, &after);
  return IsNegatedTokens(first, after);
}

namespace {

// `line` lowercased, for the few header checks below.
bool HasDenialHeader(absl::string_view line) {
  std::string lower = absl::AsciiStrToLower(line);
  for (absl::string_view k :
       {"ruled out", "not the cause", "excluded", "rejected", "red herring", "what it was not",
        "what it wasn't", "not the trigger", "not responsible", "eliminated"}) {
    if (absl::StrContains(lower, k)) return true;
  }
  return false;
}

// The length of a list marker at the start of `line` after spaces ("- ", "* ", "+ ", "1. ",
// "2) "), or 0.
size_t BulletLength(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i + 1 < line.size() && (line[i] == '-' || line[i] == '*' || line[i] == '+') &&
      line[i + 1] == ' ') {
    return i + 2;
  }
  size_t j = i;
  while (j < line.size() && absl::ascii_isdigit(static_cast<unsigned char>(line[j]))) ++j;
  if (j > i && j + 1 < line.size() && (line[j] == '.' || line[j] == ')') && line[j + 1] == ' ') {
    return j + 2;
  }
  return 0;
}

}  // namespace

void TextScan::MarkDenialLists() {
  auto mark = [&](size_t begin, size_t end) {
    size_t first, after;
    TokenRange(begin, end, &first, &after);
    for (size_t t = first; t < after; ++t) tokens_[t].denied = true;
  };
  bool in_list = false;
  size_t pos = 0;
  while (pos < text_.size()) {
    size_t eol = text_.find('\n', pos);
    if (eol == absl::string_view::npos) eol = text_.size();
    absl::string_view line = text_.substr(pos, eol - pos);
    absl::string_view stripped = absl::StripAsciiWhitespace(line);
    size_t bullet = BulletLength(line);
    if (bullet > 0 && in_list) {
      // The item's label: up to its first ':', '(' or dash; the rest explains it.
      absl::string_view item = line.substr(bullet);
      size_t cut = item.find_first_of(":(");
      size_t dash = item.find(" - ");
      if (dash != absl::string_view::npos && (cut == absl::string_view::npos || dash < cut)) {
        cut = dash;
      }
      size_t em = item.find("\xE2\x80\x94");
      if (em != absl::string_view::npos && (cut == absl::string_view::npos || em < cut)) cut = em;
      if (cut == absl::string_view::npos) cut = item.size();
      mark(pos + bullet, pos + bullet + cut);
    } else if (!stripped.empty()) {
      in_list = false;
      // A header: "Ruled out:", "**Not the cause**", "### Ruled out". Text after its colon on
      // the same line is a list in prose: "Ruled out: a bad deploy, the network."
      constexpr size_t kMaxHeader = 64;
      size_t colon = line.substr(0, kMaxHeader + 1).find(':');
      bool heading = stripped[0] == '#';
      absl::string_view head = colon == absl::string_view::npos ? line : line.substr(0, colon);
      if ((colon != absl::string_view::npos || heading) && head.size() <= kMaxHeader &&
          HasDenialHeader(head)) {
        in_list = true;
        if (colon != absl::string_view::npos) {
          size_t end = line.find_first_of(".;", colon);
          mark(pos + colon + 1, pos + (end == absl::string_view::npos ? line.size() : end));
        }
      }
    }
    pos = eol + 1;
  }
}

bool TextScan::IsNegatedTokens(size_t first, size_t after) const {
  return Negated(first, after, /*count=*/false);
}

bool TextScan::IsDeniedCount(size_t first, size_t after) const {
  return Negated(first, after, /*count=*/true);
}

bool TextScan::Negated(size_t first, size_t after, bool count) const {
  constexpr size_t kBefore = 4;
  constexpr size_t kAfter = 3;
  constexpr size_t kCoordinated = 2;  // "no A or B": how many "or" a negation reaches across.
  if (first >= tokens_.size()) return false;
  if (tokens_[first].denied) return !count;
  uint32_t clause = tokens_[first].clause;
  bool negated = false;
  size_t reach = kBefore;
  size_t coordinated = 0;
  for (size_t k = 1; k <= reach && k <= first; ++k) {
    const Token& t = tokens_[first - k];
    if (t.clause != clause) break;
    if (t.coordinates && coordinated < kCoordinated) {
      // "there is no need to raise the limits or to add an autoscaler": the negation before
      // the first of the coordinated words reaches the last.
      ++coordinated;
      reach = k + kBefore + 3;
    }
    if (!t.negates_before) continue;
    // "throttled rather than killed" contrasts; it does not count kills.
    if (count && t.contrasts) continue;
    bool scoped = false;  // "no other pod", "not only", "nothing else".
    for (size_t m = first - k + 1; m < first; ++m) scoped = scoped || tokens_[m].scopes;
    if (!scoped) {
      negated = true;
      break;
    }
  }
  if (negated) {
    // "no failed orders outside that window", "no restarts other than the front-end": a
    // restriction, not a denial.
    for (size_t k = 0; k < kAfter && after + k < tokens_.size(); ++k) {
      const Token& t = tokens_[after + k];
      if (t.clause != clause) break;
      bool other_than = t.scopes && after + k + 1 < tokens_.size() &&
                        WordIs(text_, tokens_[after + k + 1], "than");
      if (t.restricts || other_than) return false;
    }
    return true;
  }
  for (size_t k = 0; k < kAfter && after + k < tokens_.size(); ++k) {
    const Token& t = tokens_[after + k];
    if (t.clause != clause) break;
    if (t.negates_after && !(count && t.contrasts)) return true;
  }
  return false;
}

namespace {

// Words that make a list's lead-in speak of what may be, not of what was: "usually caused by",
// "common causes", "one of the following could".
bool SpeaksOfPossibilities(absl::string_view word) {
  static constexpr absl::string_view kWords[] = {
      "usually",     "typically", "typical",    "often",    "commonly", "common",
      "generally",   "general",   "frequently", "possible", "possibly", "potential",
      "potentially", "candidate", "candidates", "may",      "might",    "could",
  };
  for (absl::string_view w : kWords) {
    if (absl::EqualsIgnoreCase(word, w)) return true;
  }
  return false;
}

}  // namespace

void TextScan::MarkCandidateLists() const {
  sentence_candidate_.assign(sentence_tokens_.size(), false);
  const size_t n = text_.size();
  // Per sentence: where its first and last tokens are.
  std::vector<uint32_t> first(sentence_tokens_.size(), 0), last(sentence_tokens_.size(), 0);
  for (size_t i = tokens_.size(); i-- > 0;) first[tokens_[i].sentence] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < tokens_.size(); ++i) last[tokens_[i].sentence] = static_cast<uint32_t>(i);
  // Whether sentence s has a word of possibility: asked only of lead-ins, which are rare.
  auto possible = [&](uint32_t s) {
    for (uint32_t i = first[s]; i <= last[s]; ++i) {
      const Token& k = tokens_[i];
      if (SpeaksOfPossibilities(text_.substr(k.begin, k.end - k.begin))) return true;
    }
    return false;
  };
  // What stands on its line before byte `begin`, without spaces.
  auto line_lead = [&](size_t begin) {
    size_t line = begin == 0 ? absl::string_view::npos : text_.rfind('\n', begin - 1);
    line = line == absl::string_view::npos ? 0 : line + 1;
    return absl::StripAsciiWhitespace(text_.substr(line, begin - line));
  };
  // A bullet: the line holds only "-", "*", "+", a bullet sign or "N." / "N)" before the word.
  auto bullet = [&](uint32_t s) {
    absl::string_view lead = line_lead(tokens_[first[s]].begin);
    if (lead == "-" || lead == "*" || lead == "+" || lead == "\xE2\x80\xA2") return true;
    return lead.size() >= 2 && lead.size() <= 4 && (lead.back() == '.' || lead.back() == ')') &&
           std::all_of(lead.begin(), lead.end() - 1,
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
  };
  // A lead-in: the sentence ends its line with a colon.
  auto lead_in = [&](uint32_t s) {
    size_t at = tokens_[last[s]].end;
    while (at < n && (text_[at] == ' ' || text_[at] == '*' || text_[at] == '_')) ++at;
    if (at >= n || text_[at] != ':') return false;
    ++at;
    while (at < n && (text_[at] == ' ' || text_[at] == '*' || text_[at] == '_')) ++at;
    return at >= n || text_[at] == '\n' || text_[at] == '\r';
  };
  // "2." of "2. slow queries" ends a sentence of its own: the marker of the item after it.
  auto number_marker = [&](uint32_t s) {
    const Token& t = tokens_[first[s]];
    if (sentence_tokens_[s] != 1 || t.end >= n || (text_[t.end] != '.' && text_[t.end] != ')')) {
      return false;
    }
    for (uint32_t i = t.begin; i < t.end; ++i) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(text_[i]))) return false;
    }
    return line_lead(t.begin).empty();
  };
  for (uint32_t s = 0; s < sentence_tokens_.size(); ++s) {
    if (sentence_tokens_[s] == 0 || !lead_in(s) || !possible(s)) continue;
    for (uint32_t item = s + 1; item < sentence_tokens_.size() && sentence_tokens_[item] > 0;
         ++item) {
      if (number_marker(item) && item + 1 < sentence_tokens_.size()) {
        sentence_candidate_[item] = true;
        sentence_candidate_[++item] = true;
        continue;
      }
      if (!bullet(item)) break;
      sentence_candidate_[item] = true;
    }
  }
}

bool TextScan::InEnumeration(size_t t) const {
  constexpr uint32_t kMinCommas = 4;
  constexpr size_t kWordsPerItem = 4;
  if (t >= tokens_.size()) return false;
  if (!sentences_counted_) {
    // Per sentence: its tokens, its commas and its longest stretch between commas or colons.
    sentences_counted_ = true;
    uint32_t segment = 0;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& k = tokens_[i];
      if (sentence_tokens_.size() <= k.sentence) {
        sentence_tokens_.resize(k.sentence + 1);
        sentence_commas_.resize(k.sentence + 1);
        sentence_longest_.resize(k.sentence + 1);
        segment = 0;
      }
      if (k.after_comma || k.after_colon) segment = 0;
      if (k.after_comma && i > 0 && tokens_[i - 1].sentence == k.sentence) {
        ++sentence_commas_[k.sentence];
      }
      ++sentence_tokens_[k.sentence];
      sentence_longest_[k.sentence] = std::max(sentence_longest_[k.sentence], ++segment);
    }
    MarkCandidateLists();
  }
  uint32_t sentence = tokens_[t].sentence;
  if (sentence_candidate_[sentence]) return true;
  if (sentence_commas_[sentence] < kMinCommas) return false;
  // The longest stretch is the lead-in or the tail ("... come from a mix of: a, b, c"); the
  // items are the rest.
  return sentence_tokens_[sentence] - sentence_longest_[sentence] <=
         kWordsPerItem * sentence_commas_[sentence];
}

bool TextScan::IsHedgedTokens(size_t first, size_t after) const {
  constexpr size_t kBefore = 12;
  constexpr size_t kAfterInClause = 6;
  constexpr size_t kAfter = 10;
  if (first >= tokens_.size()) return false;
  uint32_t sentence = tokens_[first].sentence;
  for (size_t k = 1; k <= kBefore && k <= first; ++k) {
    const Token& t = tokens_[first - k];
    if (t.sentence != sentence) break;
    if (t.hedges) return true;
    if (t.starts_clause) break;
  }
  // A hedge later in the clause hedges it whole: "several limits may have been exceeded",
  // "the front-end is a strong candidate".
  uint32_t clause = tokens_[first].clause;
  for (size_t k = after; k < after + kAfterInClause && k < tokens_.size(); ++k) {
    const Token& t = tokens_[k];
    if (t.clause != clause || t.starts_clause) break;
    if (t.hedges) return true;
  }
  // Taken back in the same sentence: "a crash is unlikely but cannot be ruled out", "it will
  // crash or not", "it may or may not".
  for (size_t k = after; k < after + kAfter && k + 1 < tokens_.size(); ++k) {
    const Token& t = tokens_[k];
    if (t.sentence != sentence) break;
    const Token& next = tokens_[k + 1];
    if (next.sentence != sentence) break;
    // "or not" ("or never", "nor not"): a coordinator, then a word negating both ways.
    if (t.coordinates && next.negates_before && next.negates_after) return true;
    // "cannot be ruled out": "out" contrasts after "ruled", under a negation.
    if (next.contrasts && k >= 2 &&
        (tokens_[k - 1].negates_before || tokens_[k - 2].negates_before) &&
        WordIs(text_, t, "ruled")) {
      return true;
    }
  }
  return false;
}

std::string CleanExcerpt(absl::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    size_t bad = FindInvalidUtf8(text);
    absl::string_view good = text.substr(0, bad);
    out.append(good.data(), good.size());
    if (bad == absl::string_view::npos) break;
    out.append("\xEF\xBF\xBD");
    text.remove_prefix(bad + 1);
    if (out.size() > max_bytes) break;
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

}  // namespace sre_eval
