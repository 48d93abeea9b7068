#include "score/calibration_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace sre_eval {

CalibrationGate CheckGate(const Calibration& c, double min_agreement) {
  CalibrationGate gate;
  gate.min_agreement = min_agreement;
  std::optional<double> agreement = c.agreement.share();
  gate.passed =
      agreement.has_value() && RoundScore(*agreement) >= min_agreement && c.must_violations == 0;
  return gate;
}

namespace {

// Per kind of answer: how many, the mean expert grade and the mean rubric score.
struct KindMeans {
  std::string kind;
  int answers = 0;
  double expert = 0;
  double rubric = 0;
};

// The kinds in the order they first appear.
std::vector<KindMeans> MeansByKind(const Calibration& c) {
  std::vector<KindMeans> out;
  for (const PromptCalibration& p : c.prompts) {
    for (const CalibratedAnswer& a : p.answers) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const KindMeans& k) { return k.kind == a.kind; });
      if (it == out.end()) {
        out.push_back(KindMeans{a.kind});
        it = out.end() - 1;
      }
      ++it->answers;
      it->expert += a.expert;
      it->rubric += a.rubric;
    }
  }
  for (KindMeans& k : out) {
    k.expert /= k.answers;
    k.rubric /= k.answers;
  }
  return out;
}

using Json = nlohmann::ordered_json;

std::string F(double v) { return absl::StrFormat("%.4f", RoundScore(v)); }
std::string F(const std::optional<double>& v) { return v.has_value() ? F(*v) : "-"; }
Json J(const std::optional<double>& v) {
  return v.has_value() ? Json(RoundScore(*v)) : Json(nullptr);
}

// "terse", or "a1 (terse)" when the id is not the kind.
std::string Name(const CalibratedAnswer& a) {
  return a.id == a.kind ? a.id : absl::StrCat(a.id, " (", a.kind, ")");
}

std::string MustSentence() {
  std::vector<std::string> kinds = MustBeatKinds();
  std::string last = kinds.back();
  kinds.pop_back();
  return absl::StrCat("excellent above ", absl::StrJoin(kinds, ", "), " and ", last);
}

std::string Table(const Calibration& c) {
  std::vector<std::vector<std::string>> rows = {
      {"prompt", "answers", "pairs", "agreement", "tau_b"}};
  for (const PromptCalibration& p : c.prompts) {
    rows.push_back({p.prompt_id, absl::StrCat(p.answers.size()), absl::StrCat(p.agreement.pairs),
                    F(p.agreement.share()), F(p.tau_b)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = absl::StrCat(row[0], std::string(widths[0] - row[0].size(), ' '));
    for (size_t i = 1; i < row.size(); ++i) {
      absl::StrAppend(&line, "  ", std::string(widths[i] - row[i].size(), ' '), row[i]);
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string CriteriaList(const std::vector<Responsible>& criteria) {
  std::vector<std::string> parts;
  for (const Responsible& r : criteria)
    parts.push_back(absl::StrCat(r.criterion, " +", F(r.margin)));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string CalibrationText(const Calibration& c, const JudgeUse& judge,
                            const std::optional<CalibrationGate>& gate) {
  std::string out = Table(c);
  int inverted = 0;
  for (const PromptCalibration& p : c.prompts) inverted += static_cast<int>(p.inverted.size());
  if (inverted == 0) {
    absl::StrAppend(&out, "\ninverted pairs: none\n");
  } else {
    absl::StrAppend(&out, "\ninverted pairs (the expert ranks the first answer higher):\n");
    for (const PromptCalibration& p : c.prompts) {
      for (const InvertedPair& pair : p.inverted) {
        const CalibratedAnswer& hi = p.answers[pair.higher];
        const CalibratedAnswer& lo = p.answers[pair.lower];
        absl::StrAppend(&out, "  ", p.prompt_id, "  ", Name(hi), " > ", Name(lo), "  expert ",
                        F(hi.expert), " > ", F(lo.expert), "  rubric ", F(hi.rubric),
                        pair.tie ? " = " : " < ", F(lo.rubric), "  ");
        if (pair.criteria.empty()) {
          absl::StrAppend(&out, "no criterion favours ", lo.id, "\n");
        } else {
          absl::StrAppend(&out, "favouring ", lo.id, ": ", CriteriaList(pair.criteria), "\n");
        }
      }
    }
  }
  absl::StrAppend(
      &out, "\nmust: ", MustSentence(), " in ",
      c.must_checked - static_cast<int>(std::count_if(
                           c.prompts.begin(), c.prompts.end(),
                           [](const PromptCalibration& p) { return !p.must_violations.empty(); })),
      " of ", c.must_checked, c.must_checked == 1 ? " prompt" : " prompts", "\n");
  for (const PromptCalibration& p : c.prompts) {
    for (const MustViolation& v : p.must_violations) {
      const CalibratedAnswer& e = p.answers[v.excellent];
      const CalibratedAnswer& o = p.answers[v.other];
      absl::StrAppend(&out, "  ", p.prompt_id, "  ", Name(e), " ", F(e.rubric), " is not above ",
                      Name(o), " ", F(o.rubric), "\n");
    }
  }
  std::vector<KindMeans> kinds = MeansByKind(c);
  if (!kinds.empty()) {
    absl::StrAppend(&out, "\nkind               answers  expert  rubric  difference\n");
    for (const KindMeans& k : kinds) {
      absl::StrAppend(&out,
                      absl::StrFormat("%-18s %7d  %s  %s  %+.4f\n", k.kind, k.answers, F(k.expert),
                                      F(k.rubric), RoundScore(k.rubric) - RoundScore(k.expert)));
    }
  }
  absl::StrAppend(&out, "\noverall: ", c.answers, c.answers == 1 ? " answer, " : " answers, ",
                  c.agreement.pairs, c.agreement.pairs == 1 ? " pair" : " pairs", ", agreement ",
                  F(c.agreement.share()), ", tau_b ", F(c.tau_b), "\n");
  if (!judge.status_line.empty()) absl::StrAppend(&out, judge.status_line, "\n");
  if (gate.has_value()) {
    std::optional<double> a = c.agreement.share();
    std::vector<std::string> why;
    if (!a.has_value()) {
      why.push_back("no pair of answers with different expert grades");
    } else if (RoundScore(*a) < gate->min_agreement) {
      why.push_back(absl::StrCat("agreement ", F(*a), " < ", F(gate->min_agreement)));
    }
    if (c.must_violations > 0) {
      why.push_back(absl::StrCat(c.must_violations,
                                 c.must_violations == 1 ? " must violation" : " must violations"));
    }
    if (gate->passed) {
      absl::StrAppend(&out, "gate: passed (agreement ", F(*a), " >= ", F(gate->min_agreement),
                      ", no must violation)\n");
    } else {
      absl::StrAppend(&out, "gate: failed (", absl::StrJoin(why, "; "), ")\n");
    }
  }
  return out;
}

std::string CalibrationJson(const Calibration& c, const JudgeUse& judge,
                            const std::optional<CalibrationGate>& gate) {
  Json doc;
  doc["schema_version"] = 1;
  Json prompts = Json::array();
  Json violations = Json::array();
  for (const PromptCalibration& p : c.prompts) {
    Json pj;
    pj["prompt_id"] = p.prompt_id;
    pj["file"] = p.file;
    pj["answers"] = p.answers.size();
    pj["pairs"] = p.agreement.pairs;
    pj["agreed"] = p.agreement.agreed;
    pj["agreement"] = J(p.agreement.share());
    pj["tau_b"] = J(p.tau_b);
    Json scores = Json::array();
    for (const CalibratedAnswer& a : p.answers) {
      scores.push_back(Json{{"id", a.id},
                            {"kind", a.kind},
                            {"expert", RoundScore(a.expert)},
                            {"rubric", RoundScore(a.rubric)}});
    }
    pj["scores"] = std::move(scores);
    Json inverted = Json::array();
    for (const InvertedPair& pair : p.inverted) {
      Json criteria = Json::array();
      for (const Responsible& r : pair.criteria) {
        criteria.push_back(Json{{"id", r.criterion}, {"margin", RoundScore(r.margin)}});
      }
      inverted.push_back(Json{{"higher", p.answers[pair.higher].id},
                              {"lower", p.answers[pair.lower].id},
                              {"tie", pair.tie},
                              {"criteria", std::move(criteria)}});
    }
    pj["inverted"] = std::move(inverted);
    for (const MustViolation& v : p.must_violations) {
      const CalibratedAnswer& e = p.answers[v.excellent];
      const CalibratedAnswer& o = p.answers[v.other];
      violations.push_back(Json{{"prompt_id", p.prompt_id},
                                {"excellent", e.id},
                                {"excellent_score", RoundScore(e.rubric)},
                                {"other", o.id},
                                {"other_kind", o.kind},
                                {"other_score", RoundScore(o.rubric)}});
    }
    prompts.push_back(std::move(pj));
  }
  doc["prompts"] = std::move(prompts);
  doc["must"] = Json{{"checked", c.must_checked}, {"violations", std::move(violations)}};
  Json kinds = Json::array();
  for (const KindMeans& k : MeansByKind(c)) {
    kinds.push_back(Json{{"kind", k.kind},
                         {"answers", k.answers},
                         {"expert_mean", RoundScore(k.expert)},
                         {"rubric_mean", RoundScore(k.rubric)}});
  }
  doc["kinds"] = std::move(kinds);
  doc["overall"] = Json{{"answers", c.answers},
                        {"pairs", c.agreement.pairs},
                        {"agreed", c.agreement.agreed},
                        {"agreement", J(c.agreement.share())},
                        {"tau_b", J(c.tau_b)}};
  if (judge.model.empty()) {
    doc["judge"] = nullptr;
  } else {
    doc["judge"] = Json{{"model", judge.model}, {"prompt_hash", judge.prompt_hash}};
  }
  doc["judge_criteria"] = c.judge_criteria;
  if (gate.has_value()) {
    doc["gate"] = Json{{"min_agreement", gate->min_agreement}, {"passed", gate->passed}};
  } else {
    doc["gate"] = nullptr;
  }
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace sre_eval
