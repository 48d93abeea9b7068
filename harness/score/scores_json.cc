#include "score/scores_json.h"

#include <cstdio>
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
  // Rounded with RoundScore; "%.10g" shows every one of its 4 decimals up to 999999.
  Writer& Score(double v) {
    Separator();
    char buf[32];
    snprintf(buf, sizeof(buf), "%.10g", RoundScore(v));
    absl::StrAppend(out_, buf);
    return *this;
  }

 private:
  void Separator() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  void Escaped(absl::string_view s) {
    if (FindInvalidUtf8(s) != absl::string_view::npos) {
      // Rare (a NUL, or bytes cut mid-character): let nlohmann escape and replace them.
      absl::StrAppend(out_, Dump(Json(std::string(s))));
      return;
    }
    out_->push_back('"');
    // Runs of characters that need no escape are copied whole.
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_->append(s.data() + run, i - run);
      run = i + 1;
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
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out_->append(buf);
        }
      }
    }
    out_->append(s.data() + run, s.size() - run);
    out_->push_back('"');
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
