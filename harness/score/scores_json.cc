#include "score/scores_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "util/utf8.h"

namespace sre_eval {

namespace {

using Json = nlohmann::ordered_json;

Json Optional(const std::optional<double>& v) {
  return v.has_value() ? Json(RoundScore(*v)) : Json(nullptr);
}

// Compact, with invalid UTF-8 replaced rather than thrown on.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A compact JSON writer for the answers, which are most of the file: building a JSON tree
// for each of 20,000 answers costs several times more than writing the text directly.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  Writer& Begin(char bracket) {
    Separator();
    out_->push_back(bracket);
    first_ = true;
    return *this;
  }
  Writer& End(char bracket) {
    out_->push_back(bracket);
    first_ = false;
    return *this;
  }
  // A key written in the code: nothing in it to escape.
  template <size_t N>
  Writer& Key(const char (&key)[N]) {
    Separator();
    out_->push_back('"');
    out_->append(key, N - 1);
    out_->append("\":", 2);
    first_ = true;  // The value follows without a comma.
    return *this;
  }
  Writer& Key(absl::string_view key) {
    Separator();
    Escaped(key);
    out_->push_back(':');
    first_ = true;  // The value follows without a comma.
    return *this;
  }
  Writer& String(absl::string_view s) {
    Separator();
    Escaped(s);
    return *this;
  }
  Writer& Int(int64_t v) {
    Separator();
    absl::StrAppend(out_, v);
    return *this;
  }
  Writer& Bool(bool v) {
    Separator();
    absl::StrAppend(out_, v ? "true" : "false");
    return *this;
  }
  // Rounded with RoundScore and printed as "%.10g" prints that, which shows every one of
  // its 4 decimals up to 999999.
  Writer& Score(double v) {
    Separator();
    const double units = std::round(v * 10000.0);  // RoundScore(v) * 10000, a whole number
    if (!(std::fabs(units) < 1e10) || (units == 0 && std::signbit(units))) {
      char buf[32];  // NaN, infinities, -0 and the very large, as printf words them
      auto [end, ec] =
          std::to_chars(buf, buf + sizeof(buf), RoundScore(v), std::chars_format::general, 10);
      out_->append(buf, ec == std::errc() ? end : buf);
      return *this;
    }
    // At most 10 significant digits: "%.10g" of the double nearest to units / 10^4 is exactly
    // that decimal, in fixed notation (never below 10^-4, never 10^10 or more), trailing
    // zeros dropped.
    int64_t k = static_cast<int64_t>(units);
    if (k < 0) {
      out_->push_back('-');
      k = -k;
    }
    absl::StrAppend(out_, k / 10000);
    int64_t fraction = k % 10000;
    if (fraction != 0) {
      char digits[5] = {'.', static_cast<char>('0' + fraction / 1000),
                        static_cast<char>('0' + fraction / 100 % 10),
                        static_cast<char>('0' + fraction / 10 % 10),
                        static_cast<char>('0' + fraction % 10)};
      size_t length = 5;
      while (digits[length - 1] == '0') --length;
      out_->append(digits, length);
    }
    return *this;
  }

 private:
  void Separator() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  void Escaped(absl::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    // Most strings (every key, ids, notes) are ASCII with nothing to escape: copied whole.
    size_t clean = 0;
    while (clean + 8 <= n && !NeedsEscapeOrIsHigh(p + clean)) clean += 8;
    while (clean < n && p[clean] >= 0x20 && p[clean] < 0x80 && p[clean] != '"' &&
           p[clean] != '\\') {
      ++clean;
    }
    if (clean == n) {
      out_->push_back('"');
      out_->append(s.data(), n);
      out_->push_back('"');
      return;
    }
    if (FindInvalidUtf8(s.substr(clean)) != absl::string_view::npos) {
      // Rare (a NUL, or bytes cut mid-character): let nlohmann escape and replace them.
      absl::StrAppend(out_, Dump(Json(std::string(s))));
      return;
    }
    out_->push_back('"');
    // Runs of characters that need no escape are copied whole; they are found eight bytes
    // at a time.
    size_t run = 0;
    for (size_t i = clean; i < n;) {
      if (i + 8 <= n && !NeedsEscape(p + i)) {
        i += 8;
        continue;
      }
      const unsigned char c = p[i++];
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_->append(s.data() + run, i - 1 - run);
      run = i;
      switch (c) {
        case '"':
          out_->append("\\\"");
          break;
        case '\\':
          out_->append("\\\\");
          break;
        case '\n':
          out_->append("\\n");
          break;
        case '\r':
          out_->append("\\r");
          break;
        case '\t':
          out_->append("\\t");
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out_->append(escape, sizeof(escape));
        }
      }
    }
    out_->append(s.data() + run, n - run);
    out_->push_back('"');
  }

  // Whether any of the eight bytes at `p` is a control character, '"', '\\' or not ASCII.
  static bool NeedsEscapeOrIsHigh(const unsigned char* p) {
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    uint64_t w;
    std::memcpy(&w, p, 8);
    return (w & kHigh) != 0 || NeedsEscape(p);
  }

  // Whether any of the eight bytes at `p` is a control character, '"' or '\\'.
  static bool NeedsEscape(const unsigned char* p) {
    constexpr uint64_t kLow = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    uint64_t w;
    std::memcpy(&w, p, 8);
    auto has_zero = [](uint64_t x) { return (x - kLow) & ~x & kHigh; };
    // A byte below 0x20 (bytes of 0x80 and up are excluded by ~w), '"' or '\\'.
    return (((w - kLow * 0x20) & ~w & kHigh) | has_zero(w ^ (kLow * '"')) |
            has_zero(w ^ (kLow * '\\'))) != 0;
  }

  std::string* out_;
  bool first_ = true;
};

}  // namespace

void AppendAnswerJson(const ScoredAnswer& a, std::string* out) {
  Writer w(out);
  w.Begin('{');
  w.Key("incident").String(a.incident);
  w.Key("prompt_id").String(a.prompt_id);
  w.Key("trial").Int(a.trial);
  w.Key("line").Int(a.line);
  w.Key("status").String(ResponseStatusName(a.status));
  w.Key("score").Score(a.score.score);
  w.Key("note").String(a.note);
  w.Key("dimensions").Begin('{');
  for (const DimensionResult& d : a.score.dimensions) {
    w.Key(d.name).Begin('{');
    w.Key("score").Score(d.score);
    w.Key("weight").Score(d.weight);
    w.Key("earned").Score(d.earned);
    w.Key("penalty").Score(d.penalty);
    w.Key("maximum").Score(d.maximum);
    w.Key("skipped").Bool(d.skipped);
    w.End('}');
  }
  w.End('}');
  w.Key("criteria").Begin('[');
  for (const CriterionResult& c : a.score.criteria) {
    w.Begin('{');
    w.Key("id").String(c.id);
    w.Key("dimension").String(c.dimension);
    w.Key("kind").String(CriterionKindName(c.kind));
    w.Key("points").Score(c.points);
    w.Key("earned").Score(c.earned);
    w.Key("penalty").Score(c.penalty);
    w.Key("skipped").Bool(c.skipped);
    w.Key("note").String(c.note);
    w.Key("evidence").Begin('[');
    for (const Evidence& e : c.evidence) {
      w.Begin('{');
      w.Key("begin").Int(static_cast<int64_t>(e.begin));
      w.Key("end").Int(static_cast<int64_t>(e.end));
      w.Key("text").String(e.text);
      w.Key("note").String(e.note);
      w.End('}');
    }
    w.End(']');
    w.End('}');
  }
  w.End(']');
  w.End('}');
}

namespace {

Json PromptJson(const PromptScores& p) {
  Json j;
  j["prompt_id"] = p.prompt_id;
  j["incident"] = p.incident;
  j["trials"] = p.trials;
  j["failed"] = p.failed;
  j["score"] = Optional(p.score);
  Json dims = Json::object();
  for (size_t i = 0; i < p.dimensions.size(); ++i) {
    dims[p.dimensions[i]] = Optional(p.dimension_scores[i]);
  }
  j["dimensions"] = std::move(dims);
  return j;
}

// "  "key": [\n    item,\n    item\n  ]" with one compact item per line.
void AppendList(std::string* out, const char* key, const std::vector<std::string>& items,
                bool last) {
  absl::StrAppend(out, "  \"", key, "\": [");
  if (items.empty()) {
    absl::StrAppend(out, "]");
  } else {
    for (size_t i = 0; i < items.size(); ++i) {
      absl::StrAppend(out, i == 0 ? "\n    " : ",\n    ", items[i]);
    }
    absl::StrAppend(out, "\n  ]");
  }
  absl::StrAppend(out, last ? "\n" : ",\n");
}

}  // namespace

std::string JudgeNote(const RunScores& s) {
  if (s.judge_criteria == 0) return "no judge criteria";
  if (s.judge_model.empty()) {
    return absl::StrCat("not configured; ", s.judge_criteria, " judge criteri",
                        s.judge_criteria == 1 ? "on" : "a", " skipped");
  }
  std::string note = absl::StrCat(s.judge_criteria, " judge criteri",
                                  s.judge_criteria == 1 ? "on" : "a", " graded by ", s.judge_model);
  if (s.judge_errors > 0) {
    absl::StrAppend(&note, "; ", s.judge_errors, s.judge_errors == 1 ? " grade" : " grades",
                    " failed and ", s.judge_errors == 1 ? "was" : "were", " skipped");
  }
  return note;
}

std::string ScoresJsonHead(const RunScores& s) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"schema_version\": ", kScoresSchemaVersion, ",\n");
  Json judge = nullptr;
  if (!s.judge_model.empty()) {
    judge = Json::object();
    judge["model"] = s.judge_model;
    judge["prompt_hash"] = s.judge_prompt_hash;
    judge["criteria"] = s.judge_criteria;
    judge["errors"] = s.judge_errors;
  }
  absl::StrAppend(&out, "  \"judge\": ", Dump(judge), ",\n");
  absl::StrAppend(&out, "  \"judge_note\": ", Dump(JudgeNote(s)), ",\n");
  Json counts;
  counts["answers"] = s.counts.answers;
  counts["scored"] = s.counts.scored;
  counts["ok"] = s.counts.ok;
  counts["error"] = s.counts.error;
  counts["timeout"] = s.counts.timeout;
  counts["malformed"] = s.counts.malformed;
  counts["not_scored"] = s.counts.not_scored;
  counts["problems"] = s.problems.size();
  absl::StrAppend(&out, "  \"counts\": ", Dump(counts), ",\n");
  Json overall;
  overall["score"] = Optional(s.overall);
  Json dims = Json::object();
  for (const auto& [name, value] : s.overall_dimensions) dims[name] = Optional(value);
  overall["dimensions"] = std::move(dims);
  absl::StrAppend(&out, "  \"overall\": ", Dump(overall), ",\n");

  std::vector<std::string> items;
  items.reserve(s.prompts.size());
  for (const PromptScores& p : s.prompts) items.push_back(Dump(PromptJson(p)));
  AppendList(&out, "prompts", items, false);
  absl::StrAppend(&out, "  \"answers\": [");
  return out;
}

const char* ScoresJsonAnswerSeparator(size_t index) { return index == 0 ? "\n    " : ",\n    "; }

std::string ScoresJsonTail(const RunScores& s, size_t answers) {
  std::string out = answers == 0 ? "],\n" : "\n  ],\n";
  std::vector<std::string> items;
  for (const Diagnostic& d : s.problems) items.push_back(Dump(d.ToString()));
  AppendList(&out, "problems", items, true);
  absl::StrAppend(&out, "}\n");
  return out;
}

std::string ScoresJson(const RunScores& s) {
  std::string out = ScoresJsonHead(s);
  // The answers go straight into `out`: about 2 KB each.
  out.reserve(out.size() + s.answers.size() * 2560);
  for (size_t i = 0; i < s.answers.size(); ++i) {
    absl::StrAppend(&out, ScoresJsonAnswerSeparator(i));
    AppendAnswerJson(s.answers[i], &out);
  }
  absl::StrAppend(&out, ScoresJsonTail(s, s.answers.size()));
  return out;
}

}  // namespace sre_eval
