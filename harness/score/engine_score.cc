#include "score/engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "re2/re2.h"
#include "score/engine_internal.h"
#include "score/text_scan.h"

namespace sre_eval {

using namespace engine_internal;  // The phrase matcher and its spans, from engine.cc.

namespace {

constexpr size_t kMaxExcerptBytes = 160;
constexpr size_t kMaxEvidence = 8;       // Per criterion.
constexpr size_t kMaxOccurrences = 256;  // Per pattern and answer, looked at for negation.
constexpr size_t kCueWindow = 3;         // Words between a number and its cue.
constexpr uint32_t kLocalSentences = 3;  // Where the groups of a terms criterion must meet.
constexpr double kCoreShare = 0.5;       // Of a dimension's score, what its core criteria give.
constexpr double kListedShare = 0.75;    // What a core term earns named only in a long list.
constexpr double kHedgedShare = 0.25;    // What a term earns named only hedged.
// A wrong number, time or id costs this share of its penalty in points: it costs trust in the
// core findings as well (kTrustFloor). A forbidden claim costs its whole penalty.
constexpr double kFactPenaltyScale = 0.5;
constexpr int kForbiddenWeight = 1;  // A forbidden claim counts as this many wrong facts.
constexpr double kTrustFloor = 0.5;  // What the core keeps when every checked fact is wrong.
constexpr double kFactsKeep = 0.5;   // What wrong facts leave of what the rest earned.

// "10:24:12" in UTC; cheaper than absl::FormatTime, which matters per time mentioned.
std::string ClockTime(absl::Time t) {
  int64_t day = ((absl::ToUnixSeconds(t) % 86400) + 86400) % 86400;
  char buf[9];
  int h = static_cast<int>(day / 3600), m = static_cast<int>(day / 60 % 60),
      sec = static_cast<int>(day % 60);
  buf[0] = static_cast<char>('0' + h / 10);
  buf[1] = static_cast<char>('0' + h % 10);
  buf[2] = ':';
  buf[3] = static_cast<char>('0' + m / 10);
  buf[4] = static_cast<char>('0' + m % 10);
  buf[5] = ':';
  buf[6] = static_cast<char>('0' + sec / 10);
  buf[7] = static_cast<char>('0' + sec % 10);
  return std::string(buf, 8);
}

std::string Fmt(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  char buf[32];
  // As "%.6g" prints it, without printf's cost (this runs for every number an answer states).
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 6);
  return ec == std::errc() ? std::string(buf, end) : absl::StrFormat("%.6g", v);
}

// The value `ref` names in `facts`: the fact itself, or facts[name][index][field].
const nlohmann::json* LookupFact(const nlohmann::json& facts, const FactRef& ref) {
  auto it = facts.find(ref.fact);
  if (it == facts.end()) return nullptr;
  const nlohmann::json* v = &*it;
  if (ref.selects_item()) {
    v = SelectItem(*v, ref);
    if (v == nullptr) return nullptr;
    if (!ref.field.empty()) {
      auto f = v->find(ref.field);
      if (f == v->end()) return nullptr;
      v = &*f;
    }
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era arithmetic).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::optional<absl::Time> ParseTruthTime(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& text = v.get_ref<const std::string&>();
  // The form truth files use, "2026-11-24T10:23:05Z", read directly: this runs for every
  // answer and time criterion.
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
  bool simple = text.size() == sizeof(kShape) - 1;
  for (size_t i = 0; simple && i < text.size(); ++i) {
    simple = kShape[i] == 'd' ? absl::ascii_isdigit(static_cast<unsigned char>(text[i]))
                              : text[i] == kShape[i];
  }
  if (simple) {
    auto num = [&](size_t at, size_t len) {
      int n = 0;
      for (size_t i = at; i < at + len; ++i) n = n * 10 + (text[i] - '0');
      return n;
    };
    int year = num(0, 4), month = num(5, 2), day = num(8, 2);
    int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
    if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
      return std::nullopt;
    }
    return absl::FromUnixSeconds(DaysFromCivil(year, month, day) * 86400 + hour * 3600 +
                                 minute * 60 + second);
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  return t;
}

// A Kubernetes quantity ("1000Mi", "1Gi", "300m", "0.5") in MiB or millicores.
std::optional<double> ParseQuantity(const std::string& q, const std::string& unit) {
  char* end = nullptr;
  double v = std::strtod(q.c_str(), &end);
  if (end == q.c_str()) return std::nullopt;
  std::string suffix(end);
  if (unit == "millicores") {
    if (suffix == "m") return v;
    if (suffix.empty()) return v * 1000;
    return std::nullopt;
  }
  if (unit != "MiB") return std::nullopt;
  static const std::map<std::string, double>* scale = new std::map<std::string, double>{
      {"", 1.0 / (1 << 20)},  {"Ki", 1.0 / 1024},    {"Mi", 1},
      {"Gi", 1024},           {"Ti", 1 << 20},       {"k", 1e3 / (1 << 20)},
      {"M", 1e6 / (1 << 20)}, {"G", 1e9 / (1 << 20)}};
  auto it = scale->find(suffix);
  if (it == scale->end()) return std::nullopt;
  return v * it->second;
}

// The claimed value in the criterion's unit, or nothing when the mention is not a claim of
// that kind of quantity.
std::optional<double> ClaimIn(const NumberMention& m, const std::string& unit) {
  if (m.zero_word) return 0.0;
  if (unit.empty()) {
    if (m.unit == UnitKind::kNone) return m.value * m.scale;
    return std::nullopt;
  }
  if (m.counts_noun) return std::nullopt;
  if (m.unit == UnitKind::kNone && m.scale == 1) return m.value;  // Bare: the criterion's unit.
  if (unit == "ms" || unit == "s") {
    if (m.unit != UnitKind::kTime) return std::nullopt;
    double ms = m.value * m.scale;
    return unit == "ms" ? ms : ms / 1000;
  }
  if (unit == "percent") {
    if (m.unit == UnitKind::kPercent) return m.value;
    return std::nullopt;
  }
  if (unit == "MiB") {
    if (m.unit == UnitKind::kMemory) return m.value * m.scale;
    return std::nullopt;
  }
  if (unit == "millicores") {
    if (m.ambiguous_m) return m.value;
    if (m.unit == UnitKind::kCpu) return m.value * m.scale;
    return std::nullopt;
  }
  return std::nullopt;
}

bool IsBlank(absl::string_view line) { return absl::StripAsciiWhitespace(line).empty(); }

// A kubectl-style header: two or more words, every letter upper case ("NAME READY STATUS
// RESTARTS AGE", "NAME CPU(cores) MEMORY(bytes)").
bool IsColumnHeader(absl::string_view line) {
  int words = 0;
  bool in_word = false;
  bool upper = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      in_word = false;
      continue;
    }
    if (!in_word) {
      ++words;
      in_word = true;
      upper = upper || absl::ascii_isupper(static_cast<unsigned char>(c));
    }
    // "(cores)" and "(bytes)" are kubectl's lower-case unit notes.
    if (absl::ascii_islower(static_cast<unsigned char>(c))) {
      size_t open = line.rfind('(', i);
      size_t space = line.find_last_of(" \t", i);
      if (open == absl::string_view::npos || (space != absl::string_view::npos && space > open)) {
        return false;
      }
    }
  }
  return words >= 2 && upper;
}

// The lines of an answer and the tables they form, indexed once per answer (on the first
// number that needs it), so that reading a cell's header is a lookup.
class TableIndex {
 public:
  explicit TableIndex(absl::string_view text) : text_(text) {
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == absl::string_view::npos) eol = text.size();
      Line l;
      l.begin = pos;
      l.end = eol;
      absl::string_view line = text.substr(pos, eol - pos);
      bool usable = line.size() <= kMaxTableLine;  // Longer lines are no table rows.
      l.pipe = usable && line.find('|') != absl::string_view::npos;
      int i = static_cast<int>(lines_.size());
      const Line* prev = lines_.empty() ? nullptr : &lines_.back();
      if (l.pipe) {
        l.markdown_header = prev != nullptr && prev->pipe ? prev->markdown_header : i;
      } else if (usable && !IsBlank(line)) {
        l.kube_header = IsColumnHeader(line) ? i : prev != nullptr ? prev->kube_header : -1;
      }
      lines_.push_back(l);
      if (eol == text.size()) break;
      pos = eol + 1;
    }
  }

  // The header cell above the table cell holding `pos`, in a Markdown table ("| Pod |
  // Restarts |") or a kubectl table ("NAME ... RESTARTS"); false when `pos` is in no table or
  // in a header.
  bool HeaderCell(size_t pos, size_t* cell_begin, size_t* cell_end) const {
    const Line& l = LineOf(pos);
    int here = static_cast<int>(&l - lines_.data());
    if (l.pipe) {
      if (l.markdown_header < 0 || l.markdown_header == here) return false;
      const Line& h = lines_[l.markdown_header];
      size_t column = std::count(text_.begin() + l.begin, text_.begin() + pos, '|');
      // The cell after the column-th '|' of the header.
      size_t at = h.begin;
      for (size_t k = 0; k < column; ++k) {
        at = text_.find('|', at);
        if (at == absl::string_view::npos || at >= h.end) return false;
        ++at;
      }
      size_t close = text_.find('|', at);
      *cell_begin = at;
      *cell_end = close == absl::string_view::npos || close > h.end ? h.end : close;
      return *cell_end > *cell_begin;
    }
    if (l.kube_header < 0 || l.kube_header == here) return false;
    // The header word whose column starts at or before `pos`.
    const Line& h = lines_[l.kube_header];
    absl::string_view head = text_.substr(h.begin, h.end - h.begin);
    size_t column = pos - l.begin;
    size_t best = absl::string_view::npos, best_end = 0;
    for (size_t i = 0; i < head.size() && i <= column; ++i) {
      if (head[i] == ' ' || head[i] == '\t' ||
          (i > 0 && head[i - 1] != ' ' && head[i - 1] != '\t')) {
        continue;
      }
      best = i;
      best_end = head.find_first_of(" \t", i);
      if (best_end == absl::string_view::npos) best_end = head.size();
    }
    if (best == absl::string_view::npos) return false;
    *cell_begin = h.begin + best;
    *cell_end = h.begin + best_end;
    return true;
  }

  // The first cell of the Markdown table row holding `pos` ("| p95 | 4.1 s |"), when `pos` is
  // in a later cell; false otherwise.
  bool RowLabelCell(size_t pos, size_t* cell_begin, size_t* cell_end) const {
    const Line& l = LineOf(pos);
    if (!l.pipe) return false;
    size_t first = text_.find('|', l.begin);
    size_t begin = l.begin;
    if (IsBlank(text_.substr(l.begin, first - l.begin))) {
      begin = first + 1;  // "| label | ..."
      first = text_.find('|', begin);
      if (first == absl::string_view::npos || first >= l.end) return false;
    }
    if (pos < first) return false;
    *cell_begin = begin;
    *cell_end = first;
    return true;
  }

 private:
  static constexpr size_t kMaxTableLine = 2048;
  struct Line {
    size_t begin = 0, end = 0;
    bool pipe = false;         // Holds a '|': a Markdown table row.
    int markdown_header = -1;  // The first line of its block of '|' lines.
    int kube_header = -1;      // The nearest upper-case header above it in its block.
  };

  const Line& LineOf(size_t pos) const {
    auto it = std::upper_bound(lines_.begin(), lines_.end(), pos,
                               [](size_t p, const Line& l) { return p < l.begin; });
    return *(it - 1);
  }

  absl::string_view text_;
  std::vector<Line> lines_;
};

// Everything Score() learns about one answer, shared by its criteria.
class AnswerContext {
 public:
  AnswerContext(absl::string_view answer, const std::vector<std::unique_ptr<RE2>>& patterns,
                const PhraseMatcher& phrases, const RE2::Set* set,
                const std::vector<int>& set_patterns, absl::string_view question)
      : scan_(answer),
        patterns_(patterns),
        phrases_(phrases),
        question_(question),
        state_(patterns.size()) {
    if (!phrases.empty()) {
      // The phrases' hits, grouped by pattern into one array (a counting sort that keeps
      // text order), without repeats at one place and at most kMaxOccurrences each.
      std::vector<Hit> hits;
      hits.reserve(64);
      phrases.Match(scan_, &hits);
      for (const Hit& h : hits) ++state_[h.pattern].count;
      uint32_t offset = 0;
      for (State& st : state_) {
        st.begin = offset;
        offset += st.count;
        st.count = 0;
      }
      spans_.resize(offset);
      for (const Hit& h : hits) {
        State& st = state_[h.pattern];
        Span* run = spans_.data() + st.begin;
        if (st.count >= kMaxOccurrences ||
            (st.count > 0 && run[st.count - 1].begin == h.span.begin)) {
          continue;
        }
        run[st.count++] = h.span;
      }
    }
    for (size_t i = 0; i < patterns.size(); ++i) state_[i].computed = patterns[i] == nullptr;
    if (set != nullptr) {
      std::vector<int> matched;
      if (set->Match(re2::StringPiece(answer.data(), answer.size()), &matched)) {
        for (int m : matched) state_[set_patterns[m]].hit = true;
      }
    }
  }

  const TextScan& scan() const { return scan_; }

  // The answer's lines and tables, indexed on first use.
  const TableIndex& tables() {
    if (tables_ == nullptr) tables_ = std::make_unique<TableIndex>(scan_.text());
    return *tables_;
  }

  // Whether the answer's time `tm` repeats a time the question gives, at the question's
  // precision ("at 10:00 AM UTC" -> "10:00 UTC", not "10:00:31"): a restatement, no finding.
  bool RestatesQuestionTime(const TimeMention& tm) {
    if (question_times_ == nullptr) {
      TextScan q(question_);
      question_times_ = std::make_unique<std::vector<TimeMention>>(q.times());
    }
    for (const TimeMention& q : *question_times_) {
      if (q.seconds_of_day == tm.seconds_of_day && (q.has_seconds || !tm.has_seconds)) {
        return true;
      }
    }
    return false;
  }

  // Whether the question asks for a count ("how many", "number of") and mentions pattern
  // `id`: then a bare number that opens the answer is a claim about it.
  bool QuestionCountsPattern(int id) {
    if (!question_scanned_) {
      question_scanned_ = true;
      std::string lower = absl::AsciiStrToLower(question_);
      asks_count_ = absl::StrContains(lower, "how many") || absl::StrContains(lower, "number of");
      if (asks_count_) {
        question_scan_ = std::make_unique<TextScan>(question_);
        std::vector<Hit> hits;
        phrases_.Match(*question_scan_, &hits);
        question_hits_.assign(state_.size(), false);
        for (const Hit& h : hits) question_hits_[h.pattern] = true;
      }
    }
    if (!asks_count_ || id < 0 || static_cast<size_t>(id) >= question_hits_.size()) return false;
    if (question_hits_[id]) return true;
    return patterns_[id] != nullptr &&
           RE2::PartialMatch(re2::StringPiece(question_.data(), question_.size()), *patterns_[id]);
  }

  // Every match of pattern `id` (at most kMaxOccurrences), in text order. Valid until the
  // next call.
  absl::Span<const Span> Occurrences(int id) {
    State& st = state_[id];
    if (!st.computed) {
      st.computed = true;
      st.begin = static_cast<uint32_t>(spans_.size());
      if (st.hit) FindRegex(id);
      st.count = static_cast<uint32_t>(spans_.size()) - st.begin;
    }
    return absl::Span<const Span>(spans_.data() + st.begin, st.count);
  }

  // The first affirmative (or, with `negated`, negated) mention of any phrase of `group`.
  // With `skip_hedged`, a mention under a hedge ("may have been X", "could have been Y
  // rather than X") is none.
  // With `skip_listed`, one in a long enumeration ("CPU throttling, CFS quota, GC, ...") too.
  std::optional<Span> FindMention(const std::vector<int>& group, bool negated,
                                  bool skip_hedged = false, bool skip_listed = false) {
    std::optional<Span> best;
    for (int id : group) {
      for (const Span& s : Occurrences(id)) {
        if (negated ? !scan_.IsNegatedTokens(s.first_token, s.after_token) ||
                          (skip_hedged && scan_.IsHedgedTokens(s.first_token, s.after_token))
                    : !Affirmative(s, skip_hedged, skip_listed)) {
          continue;
        }
        if (!best.has_value() || s.begin < best->begin) best = s;
        break;
      }
    }
    return best;
  }

  // Whether mention `s` is affirmative: not negated, not in a sentence that makes a forbidden
  // claim and, as asked, neither hedged nor listed.
  bool Affirmative(const Span& s, bool skip_hedged, bool skip_listed) const {
    return !scan_.IsNegatedTokens(s.first_token, s.after_token) && !InFalseClaim(s) &&
           !(skip_hedged && scan_.IsHedgedTokens(s.first_token, s.after_token)) &&
           !(skip_listed && scan_.InEnumeration(s.first_token));
  }

  // Marks the claim of mention `s` false: it is forbidden ("the payment pod was OOMKilled",
  // "memory was never a factor"), so nothing else it says earns credit. The claim is the
  // mention's sentence, up to a clause that a conjunction starts ("Payment was down, and DNS
  // was fine": the second clause is a claim of its own).
  void MarkFalse(const Span& s) {
    const std::vector<Token>& tokens = scan_.tokens();
    if (s.first_token >= tokens.size()) return;
    uint32_t sentence = tokens[s.first_token].sentence;
    size_t lo = s.first_token;
    while (lo > 0 && tokens[lo - 1].sentence == sentence && !StartsOwnClaim(lo)) --lo;
    size_t hi = s.first_token + 1;
    while (hi < tokens.size() && tokens[hi].sentence == sentence && !StartsOwnClaim(hi)) ++hi;
    false_claims_.push_back({static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)});
  }

  bool InFalseClaim(const Span& s) const {
    for (const auto& [lo, hi] : false_claims_) {
      if (s.first_token >= lo && s.first_token < hi) return true;
    }
    return false;
  }

  // The sentences holding an affirmative mention of any phrase of `group`, appended to *out.
  void MentionSentences(const std::vector<int>& group, bool skip_hedged, bool skip_listed,
                        std::vector<uint32_t>* out) {
    const std::vector<Token>& tokens = scan_.tokens();
    for (int id : group) {
      for (const Span& s : Occurrences(id)) {
        if (s.first_token >= tokens.size() || !Affirmative(s, skip_hedged, skip_listed)) continue;
        out->push_back(tokens[s.first_token].sentence);
      }
    }
  }

  bool AnyOccurrence(const std::vector<int>& group) {
    for (int id : group) {
      if (!Occurrences(id).empty()) return true;
    }
    return false;
  }

  Evidence MakeEvidence(size_t begin, size_t end, std::string note) const {
    Evidence e;
    e.begin = begin;
    e.end = end;
    e.text = CleanExcerpt(scan_.text().substr(begin, end - begin), kMaxExcerptBytes);
    e.note = std::move(note);
    return e;
  }

 private:
  // Whether token `t` starts a claim of its own within its sentence: "but", "however" and the
  // like, or "and", "while", "whereas" after a comma.
  bool StartsOwnClaim(size_t t) const {
    const Token& token = scan_.tokens()[t];
    if (token.starts_clause) return true;
    if (!token.after_comma) return false;
    absl::string_view word = scan_.text().substr(token.begin, token.end - token.begin);
    for (absl::string_view c : {"and", "while", "whereas"}) {
      if (absl::EqualsIgnoreCase(word, c)) return true;
    }
    return false;
  }

  // Appends the matches of RE2 pattern `id` to spans_.
  void FindRegex(int id) {
    absl::string_view text = scan_.text();
    re2::StringPiece input(text.data(), text.size());
    size_t pos = 0;
    size_t found = 0;
    re2::StringPiece m;
    while (pos <= text.size() && found < kMaxOccurrences &&
           patterns_[id]->Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      size_t begin = m.data() - text.data();
      size_t end = begin + m.size();
      Span span{begin, end, 0, 0};
      scan_.TokenRange(begin, end, &span.first_token, &span.after_token);
      spans_.push_back(span);
      ++found;
      pos = end > begin ? end : end + 1;
    }
  }

  struct State {
    uint32_t begin = 0;  // The pattern's spans are spans_[begin, begin + count).
    uint32_t count = 0;
    bool computed = false;  // Phrases are computed up front, RE2 patterns on first use.
    bool hit = false;       // The RE2::Set says the RE2 pattern matches somewhere.
  };

  TextScan scan_;
  const std::vector<std::unique_ptr<RE2>>& patterns_;
  const PhraseMatcher& phrases_;
  absl::string_view question_;
  bool question_scanned_ = false;
  bool asks_count_ = false;
  std::unique_ptr<TextScan> question_scan_;
  std::unique_ptr<std::vector<TimeMention>> question_times_;
  std::unique_ptr<TableIndex> tables_;
  std::vector<bool> question_hits_;
  std::vector<State> state_;
  std::vector<Span> spans_;
  // MarkFalse's token ranges; few, so searched in order.
  std::vector<std::pair<uint32_t, uint32_t>> false_claims_;
};

void AddEvidence(CriterionResult* r, Evidence e) {
  if (r->evidence.size() >= kMaxEvidence) return;
  if (r->evidence.empty()) r->evidence.reserve(kMaxEvidence);
  r->evidence.push_back(std::move(e));
}

// Whether `r` takes more evidence: past the cap, skip building it.
bool Room(const CriterionResult& r) { return r.evidence.size() < kMaxEvidence; }

void ScoreTerms(const std::vector<std::vector<int>>& any, const std::vector<std::vector<int>>& all,
                const Criterion& c, bool skip_hedged, bool core_reading, AnswerContext* ctx,
                CriterionResult* r, bool hedged_credit = true) {
  // The answer to the question is stated, not listed among candidates.
  const bool skip_listed = c.core && core_reading;
  bool any_ok = any.empty();
  for (const auto& group : any) {
    if (auto s = ctx->FindMention(group, false, skip_hedged, skip_listed)) {
      any_ok = true;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(s->begin, s->end, "mentioned"));
      break;
    }
  }
  size_t all_met = 0;
  for (const auto& group : all) {
    if (auto s = ctx->FindMention(group, false, skip_hedged, skip_listed)) {
      ++all_met;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(s->begin, s->end, "mentioned"));
    }
  }
  // The groups must meet in one place: three sentences in a row (table rows, bullets).
  // Terms scattered over the answer ("key" here, "idempotent" three sentences on) are no claim.
  size_t local_met = all_met;
  bool local_any = any_ok;
  if (!all.empty() && (all_met > 0 || !any.empty())) {
    std::vector<std::vector<uint32_t>> sentences(all.size() + 1);
    for (const auto& group : any) {
      ctx->MentionSentences(group, skip_hedged, skip_listed, &sentences[all.size()]);
    }
    for (size_t g = 0; g < all.size(); ++g) {
      ctx->MentionSentences(all[g], skip_hedged, skip_listed, &sentences[g]);
    }
    std::vector<uint32_t> candidates;
    for (auto& list : sentences) {
      std::sort(list.begin(), list.end());
      candidates.insert(candidates.end(), list.begin(), list.end());
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    auto within = [](const std::vector<uint32_t>& list, uint32_t s) {
      auto it = std::lower_bound(list.begin(), list.end(), s);
      return it != list.end() && *it <= s + kLocalSentences - 1;
    };
    local_met = 0;
    local_any = false;
    for (uint32_t s : candidates) {
      bool a = any.empty() || within(sentences[all.size()], s);
      if (!a) continue;
      size_t met = 0;
      for (size_t g = 0; g < all.size(); ++g) met += within(sentences[g], s) ? 1 : 0;
      local_met = std::max(local_met, met);
      local_any = true;
    }
    if (any.empty()) local_any = true;
  }
  bool negated_only = false;
  if (!any_ok || all_met < all.size()) {
    // Say why when the phrase is there but only negated.
    for (const auto* groups : {&any, &all}) {
      for (const auto& group : *groups) {
        if (auto s = ctx->FindMention(group, true)) {
          negated_only = true;
          if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(s->begin, s->end, "negated"));
        }
      }
    }
  }
  double share = all.empty() ? 1.0 : static_cast<double>(local_met) / all.size();
  if (!any_ok || !local_any) share = 0;
  if (skip_listed && share < 1.0) {
    // Named only among many candidates: three quarters of the credit of stating it.
    CriterionResult listed;
    ScoreTerms(any, all, c, skip_hedged, /*core_reading=*/false, ctx, &listed,
               /*hedged_credit=*/false);
    if (listed.earned / c.points > share) {
      r->earned = c.points * (share + (listed.earned / c.points - share) * kListedShare);
      r->note = share > 0 ? "partly met; the rest named only in a long list"
                          : "partly met: named only in a long list of candidates";
      r->evidence = std::move(listed.evidence);
      return;
    }
  }
  if (skip_hedged && hedged_credit && share < 1.0) {
    // Named only as a possibility ("may have been an OOM kill"): a quarter of the credit of
    // stating it, more than an answer that never names it, far less than committing to it.
    CriterionResult hedged;
    ScoreTerms(any, all, c, /*skip_hedged=*/false, core_reading, ctx, &hedged);
    if (hedged.earned / c.points > share) {
      r->earned = c.points * (share + (hedged.earned / c.points - share) * kHedgedShare);
      r->note = share > 0 ? "partly met; the rest only hedged" : "partly met: only hedged";
      r->evidence = std::move(hedged.evidence);
      return;
    }
  }
  r->earned = c.points * share;
  if (share == 1.0) {
    r->note = "met";
  } else if (any_ok && local_met < all_met) {
    r->note =
        absl::StrCat(local_met > 0 ? "partly met: " : "not met: ", local_met, " of ", all.size(),
                     " required terms together (", all_met, " apart in the answer)");
  } else if (any_ok) {
    r->note = absl::StrCat(all_met > 0 ? "partly met: " : "not met: ", all_met, " of ", all.size(),
                           " required terms");
  } else {
    r->note = negated_only ? "not met: mentioned only negated" : "not met: no match";
  }
}

// Where the answer opens with `reply` ("yes" or "no") as a reply: the word first, after any
// Markdown marks, then a mark, a dash or the end ("No.", "No, it is not", "**No** - it",
// "No \u2014 it"), never a word ("No pod restarted" opens with a determiner). {begin, end} of
// the word, or nullopt.
std::optional<std::pair<size_t, size_t>> OpeningReply(absl::string_view text,
                                                      absl::string_view reply) {
  size_t begin = text.find_first_not_of(" \t\r\n#*_>`");
  if (begin == absl::string_view::npos || text.size() - begin < reply.size() ||
      !absl::EqualsIgnoreCase(text.substr(begin, reply.size()), reply)) {
    return std::nullopt;
  }
  const size_t end = begin + reply.size();
  absl::string_view rest = text.substr(end);
  rest.remove_prefix(std::min(rest.find_first_not_of("*_"), rest.size()));
  absl::string_view spaced = rest.substr(std::min(rest.find_first_not_of(" \t"), rest.size()));
  constexpr absl::string_view kEmDash = "\xE2\x80\x94", kEnDash = "\xE2\x80\x93";
  bool reply_ends =
      rest.empty() || absl::string_view(".,;:!\r\n").find(rest[0]) != absl::string_view::npos;
  bool dash = absl::StartsWith(spaced, kEmDash) || absl::StartsWith(spaced, kEnDash) ||
              (spaced.size() < rest.size() &&
               (absl::StartsWith(spaced, "- ") || absl::StartsWith(spaced, "-- ")));
  if (!reply_ends && !dash) return std::nullopt;
  return std::make_pair(begin, end);
}

// Whether the answer opens by declining to answer: its first sentence says the agent cannot
// or will not ("I can't determine that", "I don't have access to the cluster", "I'd rather
// not speculate"). {begin, end} of that sentence, or nullopt.
std::optional<std::pair<size_t, size_t>> OpeningDecline(absl::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n#*_>`");
  if (begin == absl::string_view::npos) return std::nullopt;
  size_t end = text.find_first_of(".!?;\n", begin);
  if (end == absl::string_view::npos) end = text.size();
  end = std::min(end, begin + 300);
  std::string first = absl::AsciiStrToLower(text.substr(begin, end - begin));
  absl::StrReplaceAll({{"\xE2\x80\x99", "'"}}, &first);  // A typographic apostrophe.
  static constexpr absl::string_view kDeclines[] = {
      "i can't ",           "i cannot ",           "i can not ",
      "i'm not able to",    "i am not able to",    "i'm unable to",
      "i am unable to",     "i don't have ",       "i do not have ",
      "i'd rather not",     "i would rather not",  "i'd prefer not",
      "i would prefer not", "i'm not comfortable", "i am not comfortable",
      "i'd need to know",   "i would need to know"};
  for (absl::string_view d : kDeclines) {
    if (absl::StartsWith(first, d) || absl::StrContains(first, absl::StrCat(" ", d)) ||
        absl::StrContains(first, absl::StrCat(",", d))) {
      return std::make_pair(begin, end);
    }
  }
  return std::nullopt;
}

void ScoreForbid(const std::vector<std::vector<int>>& claims,
                 const std::vector<std::vector<int>>& denies, const Criterion& c,
                 AnswerContext* ctx, CriterionResult* r) {
  std::vector<std::string> found;
  for (const auto& group : claims) {
    // Naming a cause among many candidates ("DNS, GC, slow queries, ...") blames none of them.
    if (auto s = ctx->FindMention(group, false, /*skip_hedged=*/true, /*skip_listed=*/true)) {
      ctx->MarkFalse(*s);
      Evidence e = ctx->MakeEvidence(s->begin, s->end, "claimed");
      found.push_back(absl::StrCat("claims '", e.text, "'"));
      AddEvidence(r, std::move(e));
    }
  }
  for (const auto& group : denies) {
    // "It could have been the kubelet rather than the OOM killer" denies nothing.
    if (auto s = ctx->FindMention(group, true, /*skip_hedged=*/true)) {
      ctx->MarkFalse(*s);
      Evidence e = ctx->MakeEvidence(s->begin, s->end, "denied");
      found.push_back(absl::StrCat("denies '", e.text, "'"));
      AddEvidence(r, std::move(e));
    }
  }
  if (found.empty()) {
    r->note = "no forbidden claim";
  } else {
    r->penalty = c.penalty;
    r->note = absl::StrCat("forbidden: ", absl::StrJoin(found, ", "));
  }
}

// `*denied`: the answer claimed zero of a fact that is not ("no orders failed").
void ScoreNumber(const std::vector<int>& cues, const Criterion& c, const Truth& truth,
                 AnswerContext* ctx, CriterionResult* r, bool* denied) {
  const nlohmann::json* v = LookupFact(truth.facts, c.fact);
  std::optional<double> truth_value;
  if (v != nullptr && v->is_number()) truth_value = v->get<double>();
  if (v != nullptr && v->is_string()) truth_value = ParseQuantity(v->get<std::string>(), c.unit);
  if (!truth_value.has_value()) {
    r->note = absl::StrCat("not scored: the truth has no number for '", c.fact.source, "'");
    return;
  }
  double want = *truth_value;
  // Other values a claim may match (`also`), where the truth has them.
  std::vector<double> alternatives;
  for (const FactRef& ref : c.also) {
    const nlohmann::json* a = LookupFact(truth.facts, ref);
    std::optional<double> value;
    if (a != nullptr && a->is_number()) value = a->get<double>();
    if (a != nullptr && a->is_string()) value = ParseQuantity(a->get<std::string>(), c.unit);
    if (value.has_value()) alternatives.push_back(*value);
  }
  auto matches = [&](double claim) {
    if (std::fabs(claim - want) <= c.tolerance + 1e-9) return true;
    for (double alt : alternatives) {
      if (std::fabs(claim - alt) <= c.tolerance + 1e-9) return true;
    }
    return false;
  };
  const TextScan& scan = ctx->scan();
  const std::vector<Token>& tokens = scan.tokens();
  // The tokens that belong to a cue, in order, and the cue mentions that are negated: "no pod
  // restarted", "nothing was OOMKilled" claim a count of zero.
  std::vector<uint32_t> cue_tokens;
  std::vector<Span> negated_cues;
  bool question_counts = false;
  for (int id : cues) {
    for (const Span& s : ctx->Occurrences(id)) {
      for (size_t t = s.first_token; t < s.after_token && t < tokens.size(); ++t) {
        cue_tokens.push_back(static_cast<uint32_t>(t));
      }
      if (c.unit.empty() && scan.IsDeniedCount(s.first_token, s.after_token)) {
        negated_cues.push_back(s);
      }
    }
  }
  const std::vector<NumberMention>& numbers = scan.numbers();
  // A bare number opening the answer to "how many X?" is a claim about X.
  const NumberMention* opening = nullptr;
  if (!numbers.empty() && numbers[0].token <= 2 && tokens[numbers[0].token].sentence == 0 &&
      !numbers[0].hedged) {
    for (int id : cues) question_counts = question_counts || ctx->QuestionCountsPattern(id);
    if (question_counts) opening = &numbers[0];
  }
  if (cue_tokens.empty() && opening == nullptr) {
    r->note = "not met: no number claimed";
    return;
  }
  std::sort(cue_tokens.begin(), cue_tokens.end());
  auto cue_in = [&](size_t begin, size_t end) {
    size_t first, after;
    scan.TokenRange(begin, end, &first, &after);
    auto it = std::lower_bound(cue_tokens.begin(), cue_tokens.end(), first);
    return it != cue_tokens.end() && *it < after;
  };
  bool right = false;
  std::vector<std::string> wrong;
  size_t hedges = 0;
  std::string want_text;       // Fmt(want), made once.
  bool wrong_nonzero = false;  // Some wrong claim is not a zero.
  auto note_claim = [&](size_t begin, size_t end, double claim, bool ok, absl::string_view how) {
    if (!ok) wrong.push_back(Fmt(claim));
    if (!ok && claim != 0) wrong_nonzero = true;
    if (Room(*r)) {
      if (want_text.empty()) want_text = Fmt(want);
      std::string claimed = claim == want ? want_text : !ok ? wrong.back() : Fmt(claim);
      AddEvidence(r,
                  ctx->MakeEvidence(begin, end,
                                    absl::StrCat("claimed ", claimed, how, ", truth ", want_text)));
    }
  };
  for (const NumberMention& m : numbers) {
    // Only a cue within kCueWindow words, in the same sentence, makes a claim; "no"/"none"
    // claims zero only right before its cue.
    size_t window = m.zero_word ? 2 : kCueWindow + 1;
    uint32_t sentence = tokens[m.token].sentence;
    size_t lowest = m.zero_word ? m.token + 1 : (m.token >= window ? m.token - window : 0);
    bool near = false;
    for (auto it = std::lower_bound(cue_tokens.begin(), cue_tokens.end(), lowest);
         it != cue_tokens.end() && *it <= m.token + window && !near; ++it) {
      near = *it != m.token && tokens[*it].sentence == sentence;
      // "no orders outside that window" restricts, and claims no zero.
      if (near && m.zero_word) near = scan.IsNegatedTokens(*it, *it + 1);
      // A cue inside a parenthesis the number is outside of belongs to another claim: in
      // "p95 2.6 s (baseline 150 ms)", 2.6 s is not the baseline. A number in an aside after
      // its cue still quantifies it: "OOMKilled (5 times)", "OOMKilled (exit 137) 5 times".
      if (near) {
        const Token& cue = tokens[*it];
        absl::string_view text = scan.text();
        auto depth = [&](size_t from, size_t to) {
          int d = 0;
          for (size_t i = from; i < to; ++i) d += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
          return d;
        };
        if (cue.begin > m.end) {
          near = depth(m.end, cue.begin) <= 0;  // The cue is no deeper than the number.
        } else if (m.begin > cue.end) {
          near = depth(cue.end, m.begin) >= 0;
        }
      }
    }
    if (near && m.counts_noun && c.unit.empty()) {
      // "3000 users ... OOMKilled" counts users: a count is about the noun after it ("5
      // restarts", "4 container restarts", "5 front-end restarts"), not about a cue nearby.
      // The words up to the head noun: modifiers are singular, the head ends in 's'.
      constexpr size_t kNounWords = 4;
      bool counted = false;
      for (size_t q = scan.TokenAt(m.end), seen = 0;
           q < tokens.size() && seen < kNounWords && tokens[q].sentence == sentence; ++q, ++seen) {
        if (std::binary_search(cue_tokens.begin(), cue_tokens.end(), q)) {
          counted = true;
          break;
        }
        char end = scan.text()[tokens[q].end - 1];
        if (end == 's' || end == 'S') break;
      }
      near = counted;
    }
    absl::string_view how;
    if (!near && !m.zero_word) {
      // A table cell is about its column: "RESTARTS" above "5".
      size_t hb, he;
      if (!cue_tokens.empty() && ctx->tables().HeaderCell(m.begin, &hb, &he) && cue_in(hb, he)) {
        near = true;
        how = " (table column)";
      } else if (!cue_tokens.empty() && ctx->tables().RowLabelCell(m.begin, &hb, &he) &&
                 cue_in(hb, he)) {
        near = true;  // "| p95 | 4.1 s |": a row is about its label.
        how = " (table row)";
      }
    }
    if (!near && &m == opening) {
      near = true;
      how = " (answering the question)";
    }
    if (!near) continue;
    std::optional<double> claim = ClaimIn(m, c.unit);
    if (!claim.has_value()) continue;
    if (m.hedged) {
      // A range or a bound commits to no value: it earns nothing, and costs nothing unless
      // the truth lies outside it.
      if (m.is_range) {
        NumberMention lo = m, hi = m;
        lo.value = m.range_low;
        hi.value = m.range_high;
        double l = *ClaimIn(lo, c.unit), h = *ClaimIn(hi, c.unit);
        bool both = matches(l) && matches(h);
        if (both) {
          right = true;
          note_claim(m.begin, m.end, want, true, " (a range)");
          continue;
        }
        auto inside = [&](double v) {
          return v >= l - c.tolerance - 1e-9 && v <= h + c.tolerance + 1e-9;
        };
        bool any_inside = inside(want);
        for (double alt : alternatives) any_inside = any_inside || inside(alt);
        if (!any_inside) {
          note_claim(m.begin, m.end, l, false, absl::StrCat(" to ", Fmt(h)));
          continue;
        }
      }
      ++hedges;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(m.begin, m.end, "hedged: no value claimed"));
      continue;
    }
    bool ok = matches(*claim);
    right = right || ok;
    note_claim(m.begin, m.end, *claim, ok, how);
  }
  for (const Span& s : negated_cues) {
    // "no restarts": the zero word before the cue made this claim already.
    bool counted = false;
    for (const NumberMention& m : numbers) {
      counted = counted || (m.zero_word && m.token < s.first_token && s.first_token <= m.token + 2);
    }
    if (counted) continue;
    bool ok = matches(0);
    right = right || ok;
    note_claim(s.begin, s.end, 0, ok, " (denied)");
  }
  if (want_text.empty()) want_text = Fmt(want);
  if (right) {
    r->earned = c.points;
    r->note = absl::StrCat("met: claimed ", want_text);
  } else if (!wrong.empty() && !wrong_nonzero && want != 0) {
    // "None", "no orders failed": not an inaccurate figure but a denial of what happened.
    *denied = true;
    r->penalty = c.penalty;
    r->note = absl::StrCat("denied: claimed 0, truth ", want_text);
  } else if (!wrong.empty()) {
    r->penalty = c.penalty;
    r->note =
        absl::StrCat("wrong number: claimed ", absl::StrJoin(wrong, ", "), ", truth ", want_text);
  } else if (hedges > 0) {
    r->note = "not met: hedged, no value claimed";
  } else {
    r->note = "not met: no number claimed";
  }
}

void ScoreIds(const RE2& shape, const Criterion& c, const Truth& truth, AnswerContext* ctx,
              CriterionResult* r) {
  auto it = truth.facts.find(c.fact.fact);
  std::set<std::string> truth_ids;
  if (it != truth.facts.end() && it->is_array()) {
    for (const nlohmann::json& item : *it) {
      auto f = item.find(c.field);
      if (f != item.end() && f->is_string()) {
        truth_ids.insert(absl::AsciiStrToLower(f->get<std::string>()));
      }
    }
  }
  absl::string_view text = ctx->scan().text();
  std::set<std::string> found, invented, known;
  std::optional<std::vector<std::string>> other_ids;  // When truth.strings is not filled.
  re2::StringPiece input(text.data(), text.size());
  size_t pos = 0;
  re2::StringPiece m;
  size_t seen = 0;
  while (pos < text.size() && seen < kMaxOccurrences &&
         shape.Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
    ++seen;
    size_t begin = m.data() - text.data();
    size_t end = begin + m.size();
    pos = end > begin ? end : end + 1;
    std::string id = absl::AsciiStrToLower(absl::string_view(m.data(), m.size()));
    if (truth_ids.count(id) > 0) {
      if (found.insert(id).second && Room(*r))
        AddEvidence(r, ctx->MakeEvidence(begin, end, "truth id"));
      continue;
    }
    if (truth.strings.empty() && !other_ids.has_value()) other_ids = TruthStrings(truth.facts);
    const std::vector<std::string>& strings = other_ids.has_value() ? *other_ids : truth.strings;
    if (std::binary_search(strings.begin(), strings.end(), id)) {
      // A real id of something else (a customer id beside order ids): neither right nor
      // invented.
      if (known.insert(id).second && Room(*r))
        AddEvidence(r, ctx->MakeEvidence(begin, end, "other truth id"));
      continue;
    }
    if (invented.insert(id).second && Room(*r))
      AddEvidence(r, ctx->MakeEvidence(begin, end, "invented id"));
  }
  if (truth_ids.empty()) {
    r->note = absl::StrCat("not scored: the truth has no ids in '", c.fact.fact, ".", c.field, "'");
    if (!invented.empty()) {
      r->penalty = c.penalty;
      r->note = absl::StrCat(invented.size(), " invented ids; the truth has none");
    }
    return;
  }
  double recall = static_cast<double>(found.size()) / truth_ids.size();
  size_t mentioned = found.size() + invented.size();
  double precision = mentioned == 0 ? 1.0 : static_cast<double>(found.size()) / mentioned;
  r->earned = c.points * recall;
  r->penalty = c.penalty * (1 - precision);
  r->note = absl::StrCat(found.size(), " of ", truth_ids.size(), " truth ids, ", invented.size(),
                         " invented");
}

void ScoreTime(const std::vector<int>& cues, const Criterion& c, const Truth& truth,
               AnswerContext* ctx, CriterionResult* r) {
  std::vector<absl::Time> want;
  if (c.field.empty()) {
    const nlohmann::json* v = LookupFact(truth.facts, c.fact);
    if (v != nullptr) {
      if (auto t = ParseTruthTime(*v)) want.push_back(*t);
    }
  } else {
    auto it = truth.facts.find(c.fact.fact);
    if (it != truth.facts.end() && it->is_array()) {
      for (const nlohmann::json& item : *it) {
        auto f = item.find(c.field);
        if (f == item.end()) continue;
        if (auto t = ParseTruthTime(*f)) want.push_back(*t);
      }
    }
  }
  if (want.empty()) {
    r->note = absl::StrCat("not scored: the truth has no time for '", c.fact.source,
                           c.field.empty() ? "" : ".", c.field, "'");
    return;
  }
  int64_t tolerance = absl::ToInt64Seconds(c.time_tolerance);
  bool right = false;
  size_t mentioned = 0;
  // With cues, a time counts only in a sentence that names the event. Without them, a time
  // the question gives is no finding by itself.
  const std::vector<TimeMention>& times = ctx->scan().times();
  const std::vector<Token>& tokens = ctx->scan().tokens();
  std::vector<uint32_t> event_sentences;
  if (!times.empty()) {
    for (int id : cues) {
      for (const Span& s : ctx->Occurrences(id)) {
        if (s.first_token < tokens.size())
          event_sentences.push_back(tokens[s.first_token].sentence);
      }
    }
    std::sort(event_sentences.begin(), event_sentences.end());
  }
  size_t restated = 0;
  size_t unattached = 0;
  for (const TimeMention& tm : times) {
    if (!cues.empty()) {
      size_t t = ctx->scan().TokenAt(tm.begin);
      if (t >= tokens.size() ||
          !std::binary_search(event_sentences.begin(), event_sentences.end(), tokens[t].sentence)) {
        ++unattached;
        if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(tm.begin, tm.end, "not tied to the event"));
        continue;
      }
    } else if (ctx->RestatesQuestionTime(tm)) {
      ++restated;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(tm.begin, tm.end, "given in the question"));
      continue;
    }
    ++mentioned;
    int64_t best = INT64_MAX;
    absl::Time nearest;
    for (absl::Time t : want) {
      int64_t d;
      if (tm.has_date) {
        d = std::llabs(tm.unix_seconds - absl::ToUnixSeconds(t));
      } else {
        int64_t day = ((absl::ToUnixSeconds(t) % 86400) + 86400) % 86400;
        d = std::llabs(tm.seconds_of_day - day);
        d = std::min(d, 86400 - d);
      }
      if (d < best) {
        best = d;
        nearest = t;
      }
    }
    bool ok = best <= tolerance;
    right = right || ok;
    if (Room(*r))
      AddEvidence(r, ctx->MakeEvidence(tm.begin, tm.end,
                                       absl::StrCat(ok ? "within " : "off by ", best, "s of truth ",
                                                    ClockTime(nearest))));
  }
  if (right) {
    r->earned = c.points;
    r->note = "met";
  } else if (mentioned > 0) {
    r->penalty = c.penalty;
    r->note = absl::StrCat("wrong time: none of ", mentioned, " times within ",
                           absl::FormatDuration(c.time_tolerance), " of the truth");
  } else if (restated > 0) {
    r->note = "not met: only times the question gives";
  } else if (unattached > 0) {
    r->note = "not met: no time tied to the event";
  } else {
    r->note = "not met: no time mentioned";
  }
}

// The value at a dotted path of an outcome, or null.
const nlohmann::json* OutcomeAt(const nlohmann::json& outcome, const std::string& path) {
  const nlohmann::json* at = &outcome;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(std::string(part));
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// outcome: met when the measured value is within the bounds.
void ScoreOutcome(const Criterion& c, const nlohmann::json* outcome, CriterionResult* r) {
  if (outcome == nullptr) {
    r->note = "not met: no outcome was measured";
    return;
  }
  const nlohmann::json* v = OutcomeAt(*outcome, c.measure);
  if (v == nullptr || !v->is_number()) {
    std::string why = "was not measured";
    size_t dot = c.measure.find('.');
    if (dot != std::string::npos) {
      const nlohmann::json* window = OutcomeAt(*outcome, c.measure.substr(0, dot));
      if (window != nullptr && window->is_object() && window->contains("error") &&
          (*window)["error"].is_string()) {
        why = absl::StrCat("was not measured: ", (*window)["error"].get<std::string>());
      }
    }
    r->note = absl::StrCat("not met: ", c.measure, " ", why);
    return;
  }
  const double x = v->get<double>();
  std::vector<std::string> bounds;
  bool met = true;
  if (!std::isnan(c.at_least)) {
    met = met && x >= c.at_least;
    bounds.push_back(absl::StrCat("at least ", Fmt(c.at_least)));
  }
  if (!std::isnan(c.at_most)) {
    met = met && x <= c.at_most;
    bounds.push_back(absl::StrCat("at most ", Fmt(c.at_most)));
  }
  if (met) r->earned = c.points;
  r->note = absl::StrCat(met ? "met: " : "not met: ", c.measure, " = ", Fmt(x), " (",
                         absl::StrJoin(bounds, ", "), ")");
}

// guard: its penalty when the outcome lists what hit it.
void ScoreGuard(const Criterion& c, const nlohmann::json* outcome, CriterionResult* r) {
  const nlohmann::json* hits =
      outcome == nullptr ? nullptr : OutcomeAt(*outcome, absl::StrCat("guards.", c.guard));
  if (hits == nullptr || !hits->is_array()) {
    r->note = outcome == nullptr ? "not checked: no outcome was measured"
                                 : "not checked: the outcome has no such guard";
    return;
  }
  if (hits->empty()) {
    r->note = "not hit";
    return;
  }
  r->penalty = c.penalty;
  std::vector<std::string> lines;
  for (const nlohmann::json& h : *hits) {
    if (lines.size() == 3) break;
    lines.push_back(h.is_string() ? h.get<std::string>() : h.dump());
  }
  r->note = absl::StrCat("hit: ", absl::StrJoin(lines, "; "),
                         hits->size() > 3 ? absl::StrCat("; ", hits->size() - 3, " more") : "");
}

}  // namespace

AnswerScore CompiledRubric::Score(absl::string_view answer, const Truth& truth,
                                  const ScoreOptions& options) const {
  AnswerContext ctx(answer, impl_->patterns, impl_->phrases, impl_->set.get(), impl_->set_patterns,
                    options.question);
  AnswerScore out;
  out.criteria.reserve(impl_->criteria.size());
  // Per criterion: a number criterion whose claim denied the fact (ScoreNumber).
  std::vector<bool> denials(impl_->criteria.size());
  // Forbidden claims first: a sentence that makes one earns no terms credit (MarkFalse).
  std::vector<CriterionResult> forbids;
  for (const Impl::Compiled& cc : impl_->criteria) {
    if (cc.criterion->kind != CriterionKind::kForbid) continue;
    forbids.emplace_back();
    ScoreForbid(cc.claims, cc.denies, *cc.criterion, &ctx, &forbids.back());
  }
  size_t next_forbid = 0;
  for (const Impl::Compiled& cc : impl_->criteria) {
    const Criterion& c = *cc.criterion;
    CriterionResult r;
    r.id = c.id;
    r.dimension = cc.dimension;
    r.kind = c.kind;
    r.points = c.points;
    switch (c.kind) {
      case CriterionKind::kTerms:
        // Remediation proposes ("you could add replicas"); elsewhere a hedge states nothing.
        if (!cc.any.empty() || !cc.all.empty()) {
          ScoreTerms(cc.any, cc.all, c, cc.dimension != "remediation", /*core_reading=*/true, &ctx,
                     &r);
        } else {
          r.note = "not met: no match";
        }
        if (!c.reply.empty() && r.earned < c.points) {
          if (auto at = OpeningReply(answer, c.reply)) {
            r.earned = c.points;
            r.note = "met: the answer opens with the reply";
            r.evidence.clear();
            AddEvidence(&r, ctx.MakeEvidence(at->first, at->second, "reply"));
          }
        }
        break;
      case CriterionKind::kForbid: {
        CriterionResult& f = forbids[next_forbid++];
        r.penalty = f.penalty;
        r.note = std::move(f.note);
        r.evidence = std::move(f.evidence);
        break;
      }
      case CriterionKind::kRegex: {
        absl::Span<const Span> occ = ctx.Occurrences(cc.regex);
        if (occ.empty()) {
          r.note = "not met: no match";
        } else {
          r.earned = c.points;
          r.note = "met";
          AddEvidence(&r, ctx.MakeEvidence(occ[0].begin, occ[0].end, "matched"));
        }
        break;
      }
      case CriterionKind::kNumber: {
        bool denied = false;
        ScoreNumber(cc.cues, c, truth, &ctx, &r, &denied);
        denials[out.criteria.size()] = denied;
        break;
      }
      case CriterionKind::kIds:
        ScoreIds(*cc.shape, c, truth, &ctx, &r);
        break;
      case CriterionKind::kTime:
        ScoreTime(cc.cues, c, truth, &ctx, &r);
        break;
      case CriterionKind::kOutcome:
        ScoreOutcome(c, options.outcome, &r);
        break;
      case CriterionKind::kGuard:
        ScoreGuard(c, options.outcome, &r);
        break;
      case CriterionKind::kJudge: {
        if (options.judge == nullptr) {
          r.skipped = true;
          r.points = 0;
          r.note = "skipped: no judge configured";
          break;
        }
        JudgeRequest request{c.id, c.judge, options.question, std::string(answer)};
        absl::StatusOr<double> grade = options.judge->Grade(request);
        if (!grade.ok()) {
          r.skipped = true;
          r.points = 0;
          r.note = absl::StrCat("skipped: judge failed: ", grade.status().message());
          break;
        }
        double g = std::clamp(*grade, 0.0, 1.0);
        r.earned = c.points * g;
        r.note = absl::StrCat("judge grade ", Fmt(RoundScore(g)));
        break;
      }
    }
    if (c.kind == CriterionKind::kNumber || c.kind == CriterionKind::kTime ||
        c.kind == CriterionKind::kIds) {
      r.penalty *= kFactPenaltyScale;
    }
    out.criteria.push_back(std::move(r));
  }
  // An answer that opens by declining and states none of the core findings is a refusal: what
  // its advice happens to name earns nothing (penalties still cost).
  bool any_core = false;
  bool has_core = false;
  for (size_t i = 0; i < out.criteria.size(); ++i) {
    if (!impl_->criteria[i].criterion->core || out.criteria[i].skipped) continue;
    has_core = true;
    any_core = any_core || out.criteria[i].earned > 0;
  }
  if (has_core && !any_core) {
    if (auto decline = OpeningDecline(answer)) {
      Evidence e = ctx.MakeEvidence(decline->first, decline->second, "declines");
      for (CriterionResult& r : out.criteria) {
        if (r.earned <= 0) continue;
        r.earned = 0;
        r.note = "not credited: the answer declines to answer and states no core finding";
        r.evidence.assign(1, e);
      }
    }
  }
  double weighted = 0;
  double weights = 0;
  out.dimensions.resize(impl_->rubric.dimensions.size());
  std::vector<double> core_earned(out.dimensions.size()), core_maximum(out.dimensions.size());
  // Facts checked per dimension (numbers, times, ids): how many the answer got right and how
  // many it got wrong.
  std::vector<int> facts_right(out.dimensions.size()), facts_wrong(out.dimensions.size());
  // Of each dimension's penalty, what wrong facts (not forbidden claims) cost.
  std::vector<double> fact_penalty(out.dimensions.size());
  for (size_t i = 0; i < out.criteria.size(); ++i) {
    const CriterionResult& r = out.criteria[i];
    if (r.skipped) continue;
    size_t d = impl_->criteria[i].dimension_index;
    DimensionResult& dr = out.dimensions[d];
    dr.earned += r.earned;
    dr.penalty += r.penalty;
    dr.maximum += r.points;
    if (r.kind == CriterionKind::kNumber || r.kind == CriterionKind::kTime ||
        r.kind == CriterionKind::kIds) {
      // A denial ("none") is no inaccuracy the rest of the answer can make up for.
      if (!denials[i]) fact_penalty[d] += r.penalty;
      if (r.penalty > 0) {
        ++facts_wrong[d];
      } else if (r.earned > 0) {
        ++facts_right[d];
      }
    } else if (r.kind == CriterionKind::kForbid && r.penalty > 0) {
      facts_wrong[d] += kForbiddenWeight;
    }
    if (impl_->criteria[i].criterion->core) {
      core_earned[d] += r.earned;
      core_maximum[d] += r.points;
    }
  }
  for (size_t i = 0; i < out.dimensions.size(); ++i) {
    const RubricDimension& d = impl_->rubric.dimensions[i];
    DimensionResult& dr = out.dimensions[i];
    dr.name = d.name;
    dr.weight = d.weight;
    if (dr.maximum <= 0) {
      dr.skipped = true;
    } else {
      double share = dr.earned / dr.maximum;
      if (core_maximum[i] > 0) {
        // A finding stated beside wrong facts is trusted less: the core's half shrinks with
        // the share of the checked facts the answer got wrong, down to half of it.
        int checked = facts_right[i] + facts_wrong[i];
        double trust = checked > 0 ? static_cast<double>(facts_right[i]) / checked : 1.0;
        share = kCoreShare * core_earned[i] / core_maximum[i] *
                    (kTrustFloor + (1 - kTrustFloor) * trust) +
                (1 - kCoreShare) * share;
      }
      // Wrong facts cost at most kFactsKeep of what the rest of the answer earned: a story told
      // right with a wrong number is worth more than no story. Forbidden claims cost in full.
      double after_facts = std::max(share - fact_penalty[i] / dr.maximum, share * kFactsKeep);
      dr.score = std::clamp(after_facts - (dr.penalty - fact_penalty[i]) / dr.maximum, 0.0, 1.0);
      weighted += dr.weight * dr.score;
      weights += dr.weight;
    }
  }
  out.score = weights > 0 ? weighted / weights : 0;
  return out;
}

}  // namespace sre_eval
