#include "score/text_scan.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "re2/re2.h"
#include "util/utf8.h"

namespace sre_eval {

namespace {

bool IsAsciiWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; }

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

bool IsWordByte(absl::string_view text, size_t i) {
  unsigned char c = text[i];
  if (c < 0x80) return IsAsciiWordByte(c);
  return SeparatorLength(text, i) == 0;
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
};

struct WordInfo {
  uint16_t flags = 0;
  int8_t value = -1;
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
    if (word.compare(i, 3, "\xE2\x80\x99") == 0) {
      buf[n++] = '\'';
      i += 2;
      continue;
    }
    buf[n++] = absl::ascii_tolower(static_cast<unsigned char>(word[i]));
  }
  return absl::string_view(buf, n);
}

const absl::flat_hash_map<absl::string_view, WordInfo>& Words() {
  static const auto* words = [] {
    auto* m = new absl::flat_hash_map<absl::string_view, WordInfo>;
    auto add = [m](absl::string_view w, uint16_t flags, int value = -1) {
      WordInfo& info = (*m)[w];
      info.flags |= flags;
      if (value >= 0) info.value = static_cast<int8_t>(value);
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
}

void TextScan::Tokenize() {
  const size_t n = text_.size();
  tokens_.reserve(n / 5 + 1);
  uint32_t clause = 0;
  uint32_t sentence = 0;
  uint16_t prev = 0;  // Flags of the word before.
  size_t i = 0;
  while (i < n) {
    if (!IsWordByte(text_, i)) {
      unsigned char c = text_[i];
      bool followed_by_word = i + 1 < n && IsWordByte(text_, i + 1);
      if (c == '\n' || ((c == '.' || c == '!' || c == '?' || c == ';') && !followed_by_word)) {
        ++clause;
        ++sentence;
      } else if (c == ',' && !followed_by_word) {
        ++clause;
      }
      size_t sep = c >= 0x80 ? SeparatorLength(text_, i) : 0;
      i += sep > 0 ? sep : 1;
      continue;
    }
    size_t start = i;
    while (i < n) {
      if (IsWordByte(text_, i)) {
        ++i;
        continue;
      }
      unsigned char c = text_[i];
      // Joiners inside a word: an apostrophe between letters ("didn't"), and . , : between
      // digits ("4.1", "48,213", "10:23").
      if (c == '\'' && i + 1 < n && absl::ascii_isalpha(static_cast<unsigned char>(text_[i + 1]))) {
        ++i;
        continue;
      }
      if ((c == '.' || c == ',' || c == ':') && IsDigit(text_, i - 1) && IsDigit(text_, i + 1)) {
        ++i;
        continue;
      }
      break;
    }
    char buf[kMaxWord];
    absl::string_view w = Lower(text_.substr(start, i - start), buf);
    WordInfo info;
    if (!w.empty()) {
      auto it = Words().find(w);
      if (it != Words().end()) info = it->second;
      if (absl::EndsWith(w, "n't")) info.flags |= kNegatesBefore | kNegatesAfter;
    }
    if (info.flags & kStartsClause) ++clause;
    Token t;
    t.begin = static_cast<uint32_t>(start);
    t.end = static_cast<uint32_t>(i);
    t.clause = clause;
    t.sentence = sentence;
    t.negates_before = (info.flags & kNegatesBefore) || (w == "than" && (prev & kRather)) ||
                       (w == "of" && (prev & kInstead)) || (w == "out" && (prev & kRuled));
    t.negates_after = info.flags & kNegatesAfter;
    t.scopes = info.flags & kScopes;
    if (info.flags & (kNumberWord | kZeroWord)) t.number_word = info.value;
    tokens_.push_back(t);
    prev = info.flags;
  }
}

void TextScan::FindNumbers() {
  const size_t n = text_.size();
  for (size_t ti = 0; ti < tokens_.size(); ++ti) {
    const Token& t = tokens_[ti];
    absl::string_view word = text_.substr(t.begin, t.end - t.begin);
    NumberMention m;
    m.token = static_cast<uint32_t>(ti);
    m.begin = t.begin;
    m.end = t.end;
    bool attached_unit = false;
    if (absl::ascii_isdigit(static_cast<unsigned char>(word[0]))) {
      // Digits with optional thousands separators and one decimal part, then letters.
      size_t j = 0;
      std::string digits;
      int dots = 0;
      bool time_like = false;
      while (j < word.size()) {
        char c = word[j];
        if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
          digits.push_back(c);
        } else if (c == ',') {
          // Thousands separator: skip.
        } else if (c == '.') {
          ++dots;
          digits.push_back('.');
        } else if (c == ':') {
          time_like = true;
        } else {
          break;
        }
        ++j;
      }
      if (time_like || dots > 1) continue;
      absl::string_view suffix = word.substr(j);
      bool suffix_ok = true;
      for (char c : suffix) {
        if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) suffix_ok = false;
      }
      if (!suffix_ok) continue;  // "6f8c9d7b5", "x2k9p": an id, not a number.
      // Part of a name, a date or a range: "pod-5", "2026-11-24", "3/4".
      if (t.begin >= 2 &&
          (text_[t.begin - 1] == '-' || text_[t.begin - 1] == '/' || text_[t.begin - 1] == '.') &&
          IsWordByte(text_, t.begin - 2)) {
        continue;
      }
      if (t.end + 1 < n && (text_[t.end] == '-' || text_[t.end] == '/') &&
          IsWordByte(text_, t.end + 1)) {
        continue;
      }
      m.value = std::strtod(digits.c_str(), nullptr);
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
      m.value = t.number_word;
    } else {
      continue;
    }
    if (!attached_unit && m.unit == UnitKind::kNone && !m.zero_word) {
      // "%" right after, or a unit word next ("10 minutes", "1000 MiB").
      size_t after = t.end;
      if (after < n && text_[after] == ' ') ++after;
      if (after < n && text_[after] == '%') {
        m.unit = UnitKind::kPercent;
        m.end = static_cast<uint32_t>(after + 1);
      } else if (ti + 1 < tokens_.size() && tokens_[ti + 1].begin <= t.end + 1) {
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
    numbers_.push_back(m);
  }
}

const std::vector<TimeMention>& TextScan::times() const {
  if (times_scanned_) return times_;
  times_scanned_ = true;
  // Dates, hours and minutes, seconds, a fraction, a zone, am/pm.
  static const RE2* re = new RE2(
      "(?i)(?:(\\d{4})-(\\d{2})-(\\d{2})[T ])?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\.\\d+)?"
      "(?:\\s?(Z|UTC|GMT|[+-]\\d{2}:?\\d{2}))?(?:\\s?([ap])\\.?m\\b\\.?)?");
  re2::StringPiece input(text_.data(), text_.size());
  re2::StringPiece pieces[9];
  absl::string_view groups[9];
  size_t pos = 0;
  while (pos < text_.size()) {
    if (!re->Match(input, pos, text_.size(), RE2::UNANCHORED, pieces, 9)) break;
    for (int g = 0; g < 9; ++g) groups[g] = absl::string_view(pieces[g].data(), pieces[g].size());
    absl::string_view whole = groups[0];
    size_t begin = whole.data() - text_.data();
    size_t end = begin + whole.size();
    pos = end;
    // Not inside a longer run of digits or a word: "110:23", "x10:23", "10:234".
    size_t first = groups[1].empty() ? groups[4].data() - text_.data() : begin;
    if (first > 0 && IsWordByte(text_, first - 1)) continue;
    size_t last = groups[6].empty() ? groups[5].data() + 2 - text_.data()
                                    : groups[6].data() + 2 - text_.data();
    if (last < text_.size() && IsDigit(text_, last) && groups[7].empty() && groups[8].empty())
      continue;
    int hour = std::atoi(std::string(groups[4]).c_str());
    int minute = std::atoi(std::string(groups[5]).c_str());
    int second = groups[6].empty() ? 0 : std::atoi(std::string(groups[6]).c_str());
    if (!groups[8].empty()) {
      if (hour < 1 || hour > 12) continue;
      bool pm = absl::ascii_tolower(groups[8][0]) == 'p';
      hour = hour % 12 + (pm ? 12 : 0);
    }
    if (hour > 23 || minute > 59 || second > 59) continue;
    int offset_minutes = 0;
    absl::string_view zone = groups[7];
    if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
      std::string digits;
      for (char c : zone) {
        if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
      }
      offset_minutes =
          std::atoi(digits.substr(0, 2).c_str()) * 60 + std::atoi(digits.substr(2).c_str());
      if (zone[0] == '-') offset_minutes = -offset_minutes;
    }
    TimeMention tm;
    tm.begin = static_cast<uint32_t>(begin);
    tm.end = static_cast<uint32_t>(end);
    int64_t local = int64_t{hour} * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
    tm.seconds_of_day = static_cast<int32_t>(((local % 86400) + 86400) % 86400);
    if (!groups[1].empty()) {
      int year = std::atoi(std::string(groups[1]).c_str());
      int month = std::atoi(std::string(groups[2]).c_str());
      int day = std::atoi(std::string(groups[3]).c_str());
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

bool TextScan::IsNegated(size_t begin, size_t end) const {
  constexpr size_t kBefore = 4;
  constexpr size_t kAfter = 3;
  size_t first = TokenAt(begin);
  if (first >= tokens_.size()) return false;
  uint32_t clause = tokens_[first].clause;
  for (size_t k = 1; k <= kBefore && k <= first; ++k) {
    const Token& t = tokens_[first - k];
    if (t.clause != clause) break;
    if (!t.negates_before) continue;
    bool scoped = false;  // "no other pod", "not only", "nothing else".
    for (size_t m = first - k + 1; m < first; ++m) scoped = scoped || tokens_[m].scopes;
    if (!scoped) return true;
  }
  size_t after = TokenAt(end == 0 ? 0 : end - 1);
  if (after < tokens_.size() && tokens_[after].begin < end) ++after;
  for (size_t k = 0; k < kAfter && after + k < tokens_.size(); ++k) {
    const Token& t = tokens_[after + k];
    if (t.clause != clause) break;
    if (t.negates_after) return true;
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
