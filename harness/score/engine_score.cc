#include "score/engine.h"

#include <algorithm>
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
  return absl::StrFormat("%.6g", v);
}

// The value `ref` names in `facts`: the fact itself, or facts[name][index][field].
const nlohmann::json* LookupFact(const nlohmann::json& facts, const FactRef& ref) {
  auto it = facts.find(ref.fact);
  if (it == facts.end()) return nullptr;
  const nlohmann::json* v = &*it;
  if (ref.index.has_value()) {
    if (!v->is_array() || *ref.index >= v->size()) return nullptr;
    v = &(*v)[*ref.index];
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

// Everything Score() learns about one answer, shared by its criteria.
class AnswerContext {
 public:
  AnswerContext(absl::string_view answer, const std::vector<std::unique_ptr<RE2>>& patterns,
                const PhraseMatcher& phrases, const RE2::Set* set,
                const std::vector<int>& set_patterns)
      : scan_(answer), patterns_(patterns), state_(patterns.size()) {
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
  std::optional<Span> FindMention(const std::vector<int>& group, bool negated) {
    std::optional<Span> best;
    for (int id : group) {
      for (const Span& s : Occurrences(id)) {
        if (scan_.IsNegatedTokens(s.first_token, s.after_token) != negated) continue;
        if (!best.has_value() || s.begin < best->begin) best = s;
        break;
      }
    }
    return best;
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
  std::vector<State> state_;
  std::vector<Span> spans_;
};

void AddEvidence(CriterionResult* r, Evidence e) {
  if (r->evidence.size() >= kMaxEvidence) return;
  if (r->evidence.empty()) r->evidence.reserve(kMaxEvidence);
  r->evidence.push_back(std::move(e));
}

// Whether `r` takes more evidence: past the cap, skip building it.
bool Room(const CriterionResult& r) { return r.evidence.size() < kMaxEvidence; }

void ScoreTerms(const std::vector<std::vector<int>>& any, const std::vector<std::vector<int>>& all,
                const Criterion& c, AnswerContext* ctx, CriterionResult* r) {
  bool any_ok = any.empty();
  for (const auto& group : any) {
    if (auto s = ctx->FindMention(group, false)) {
      any_ok = true;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(s->begin, s->end, "mentioned"));
      break;
    }
  }
  size_t all_met = 0;
  for (const auto& group : all) {
    if (auto s = ctx->FindMention(group, false)) {
      ++all_met;
      if (Room(*r)) AddEvidence(r, ctx->MakeEvidence(s->begin, s->end, "mentioned"));
    }
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
  double share = all.empty() ? 1.0 : static_cast<double>(all_met) / all.size();
  if (!any_ok) share = 0;
  r->earned = c.points * share;
  if (share == 1.0) {
    r->note = "met";
  } else if (any_ok) {
    r->note = absl::StrCat(all_met > 0 ? "partly met: " : "not met: ", all_met, " of ", all.size(),
                           " required terms");
  } else {
    r->note = negated_only ? "not met: mentioned only negated" : "not met: no match";
  }
}

void ScoreForbid(const std::vector<std::vector<int>>& claims,
                 const std::vector<std::vector<int>>& denies, const Criterion& c,
                 AnswerContext* ctx, CriterionResult* r) {
  std::vector<std::string> found;
  for (const auto& group : claims) {
    if (auto s = ctx->FindMention(group, false)) {
      Evidence e = ctx->MakeEvidence(s->begin, s->end, "claimed");
      found.push_back(absl::StrCat("claims '", e.text, "'"));
      AddEvidence(r, std::move(e));
    }
  }
  for (const auto& group : denies) {
    if (auto s = ctx->FindMention(group, true)) {
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

void ScoreNumber(const std::vector<int>& cues, const Criterion& c, const Truth& truth,
                 AnswerContext* ctx, CriterionResult* r) {
  const nlohmann::json* v = LookupFact(truth.facts, c.fact);
  std::optional<double> truth_value;
  if (v != nullptr && v->is_number()) truth_value = v->get<double>();
  if (v != nullptr && v->is_string()) truth_value = ParseQuantity(v->get<std::string>(), c.unit);
  if (!truth_value.has_value()) {
    r->note = absl::StrCat("not scored: the truth has no number for '", c.fact.source, "'");
    return;
  }
  double want = *truth_value;
  const TextScan& scan = ctx->scan();
  const std::vector<Token>& tokens = scan.tokens();
  // The tokens that belong to a cue, in order.
  std::vector<uint32_t> cue_tokens;
  for (int id : cues) {
    for (const Span& s : ctx->Occurrences(id)) {
      for (size_t t = s.first_token; t < s.after_token && t < tokens.size(); ++t) {
        cue_tokens.push_back(static_cast<uint32_t>(t));
      }
    }
  }
  if (cue_tokens.empty()) {
    r->note = "not met: no number claimed";
    return;
  }
  std::sort(cue_tokens.begin(), cue_tokens.end());
  bool right = false;
  std::vector<std::string> wrong;
  std::string want_text;  // Fmt(want), made once.
  for (const NumberMention& m : scan.numbers()) {
    // Only a cue within kCueWindow words, in the same sentence, makes a claim; "no"/"none"
    // claims zero only right before its cue.
    size_t window = m.zero_word ? 2 : kCueWindow + 1;
    uint32_t sentence = tokens[m.token].sentence;
    size_t lowest = m.zero_word ? m.token + 1 : (m.token >= window ? m.token - window : 0);
    bool near = false;
    for (auto it = std::lower_bound(cue_tokens.begin(), cue_tokens.end(), lowest);
         it != cue_tokens.end() && *it <= m.token + window && !near; ++it) {
      near = *it != m.token && tokens[*it].sentence == sentence;
    }
    if (!near) continue;
    std::optional<double> claim = ClaimIn(m, c.unit);
    if (!claim.has_value()) continue;
    bool ok = std::fabs(*claim - want) <= c.tolerance + 1e-9;
    right = right || ok;
    if (!ok) wrong.push_back(Fmt(*claim));
    if (Room(*r)) {
      if (want_text.empty()) want_text = Fmt(want);
      std::string claimed = *claim == want ? want_text : !ok ? wrong.back() : Fmt(*claim);
      AddEvidence(r, ctx->MakeEvidence(m.begin, m.end,
                                       absl::StrCat("claimed ", claimed, ", truth ", want_text)));
    }
  }
  if (want_text.empty()) want_text = Fmt(want);
  if (right) {
    r->earned = c.points;
    r->note = absl::StrCat("met: claimed ", want_text);
  } else if (!wrong.empty()) {
    r->penalty = c.penalty;
    r->note =
        absl::StrCat("wrong number: claimed ", absl::StrJoin(wrong, ", "), ", truth ", want_text);
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

void ScoreTime(const Criterion& c, const Truth& truth, AnswerContext* ctx, CriterionResult* r) {
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
  for (const TimeMention& tm : ctx->scan().times()) {
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
  } else {
    r->note = "not met: no time mentioned";
  }
}

}  // namespace

AnswerScore CompiledRubric::Score(absl::string_view answer, const Truth& truth,
                                  const ScoreOptions& options) const {
  AnswerContext ctx(answer, impl_->patterns, impl_->phrases, impl_->set.get(), impl_->set_patterns);
  AnswerScore out;
  out.criteria.reserve(impl_->criteria.size());
  for (const Impl::Compiled& cc : impl_->criteria) {
    const Criterion& c = *cc.criterion;
    CriterionResult r;
    r.id = c.id;
    r.dimension = cc.dimension;
    r.kind = c.kind;
    r.points = c.points;
    switch (c.kind) {
      case CriterionKind::kTerms:
        ScoreTerms(cc.any, cc.all, c, &ctx, &r);
        break;
      case CriterionKind::kForbid:
        ScoreForbid(cc.claims, cc.denies, c, &ctx, &r);
        break;
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
      case CriterionKind::kNumber:
        ScoreNumber(cc.cues, c, truth, &ctx, &r);
        break;
      case CriterionKind::kIds:
        ScoreIds(*cc.shape, c, truth, &ctx, &r);
        break;
      case CriterionKind::kTime:
        ScoreTime(c, truth, &ctx, &r);
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
    out.criteria.push_back(std::move(r));
  }
  double weighted = 0;
  double weights = 0;
  out.dimensions.resize(impl_->rubric.dimensions.size());
  for (size_t i = 0; i < out.criteria.size(); ++i) {
    const CriterionResult& r = out.criteria[i];
    if (r.skipped) continue;
    DimensionResult& dr = out.dimensions[impl_->criteria[i].dimension_index];
    dr.earned += r.earned;
    dr.penalty += r.penalty;
    dr.maximum += r.points;
  }
  for (size_t i = 0; i < out.dimensions.size(); ++i) {
    const RubricDimension& d = impl_->rubric.dimensions[i];
    DimensionResult& dr = out.dimensions[i];
    dr.name = d.name;
    dr.weight = d.weight;
    if (dr.maximum <= 0) {
      dr.skipped = true;
    } else {
      dr.score = std::clamp((dr.earned - dr.penalty) / dr.maximum, 0.0, 1.0);
      weighted += dr.weight * dr.score;
      weights += dr.weight;
    }
  }
  out.score = weights > 0 ? weighted / weights : 0;
  return out;
}

}  // namespace sre_eval
