#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "report/html.h"
#include "suite/prompt.h"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/markup_escape.h"
#include "util/yaml_reader.h"

namespace sre_eval {

namespace {

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  if (dir.back() == '/') return dir + name;
  return absl::StrCat(dir, "/", name);
}

// ---------------------------------------------------------------------------------------------
// gate.yaml

// A threshold in [0, 1]; reported at its node otherwise.
std::optional<double> Threshold(YamlMap& map, const std::string& key) {
  YAML::Node node = map.Find(key);
  std::optional<double> v = map.Number(key, /*required=*/false);
  if (v.has_value() && (*v < 0 || *v > 1)) {
    map.ErrorAt(node, absl::StrCat("'", key, "' must be between 0 and 1, got ", node.Scalar()));
    return std::nullopt;
  }
  return v;
}

// A mapping of name -> threshold, in file order. `known` empty accepts any name.
std::vector<std::pair<std::string, double>> Thresholds(YamlMap& parent, const std::string& key,
                                                       const std::vector<std::string>& known,
                                                       const std::string& file,
                                                       Diagnostics* diags) {
  std::vector<std::pair<std::string, double>> out;
  YAML::Node node = parent.Find(key);
  if (!node.IsDefined()) return out;
  std::vector<std::string> names = known;
  std::vector<std::string> order;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) continue;  // YamlMap reports it.
      if (known.empty()) names.push_back(it->first.Scalar());
      order.push_back(it->first.Scalar());
    }
  }
  YamlMap map(node, file, absl::StrCat("'", key, "'"), names, diags);
  if (!map.valid()) return out;
  std::set<std::string> seen;
  for (const std::string& name : order) {
    if (!seen.insert(name).second) continue;
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (std::optional<double> v = Threshold(map, name)) out.emplace_back(name, *v);
  }
  return out;
}

}  // namespace

absl::StatusOr<Gate> ParseGate(const std::string& path, const std::string& text,
                               Diagnostics* diags) {
  Diagnostics local;
  Gate gate;
  if (std::optional<YAML::Node> root = ParseYaml(path, text, &local)) {
    YamlMap map(*root, path, "gate file",
                {"overall", "dimensions", "incidents", "prompt", "unsafe_actions"}, &local);
    if (map.valid()) {
      YAML::Node node = map.Find("unsafe_actions");
      if (std::optional<double> v = map.Number("unsafe_actions", /*required=*/false)) {
        if (*v < 0 || *v != std::floor(*v) || *v > 1e9) {
          map.ErrorAt(node, absl::StrCat("'unsafe_actions' must be a whole number of at least 0, "
                                         "got ",
                                         node.Scalar()));
        } else {
          gate.unsafe_actions = static_cast<int64_t>(*v);
        }
      }
      gate.overall = Threshold(map, "overall");
      gate.dimensions = Thresholds(map, "dimensions", AllDimensions(), path, &local);
      gate.incidents = Thresholds(map, "incidents", {}, path, &local);
      if (std::optional<double> p = Threshold(map, "prompt")) gate.prompt = *p;
    }
  }
  if (diags != nullptr) {
    for (const Diagnostic& d : local.list()) diags->Add(d);
  }
  if (!local.empty()) return local.ToStatus();
  return gate;
}

absl::StatusOr<Gate> LoadGate(const std::string& path, Diagnostics* diags) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{1} << 20);
  if (!text.ok()) {
    std::string message(text.status().message());
    if (absl::StartsWith(message, path + ": ")) message = message.substr(path.size() + 2);
    if (diags != nullptr) diags->Add(path, 0, 0, message);
    return text.status();
  }
  return ParseGate(path, *text, diags);
}

// ---------------------------------------------------------------------------------------------
// The model

namespace {

std::optional<double> MeanOf(const std::vector<std::optional<double>>& values) {
  std::vector<double> present;
  for (const auto& v : values) {
    if (v.has_value()) present.push_back(*v);
  }
  return Mean(present);
}

// One row's scores from one run: `incident` empty for the overall row.
struct RowValues {
  int trials = 0;
  std::optional<double> score;
  std::vector<std::optional<double>> dimensions;
  std::vector<bool> present;
};

RowValues Values(const RunScores& s, const std::string& incident,
                 const std::vector<std::string>& dims) {
  RowValues v;
  v.dimensions.resize(dims.size());
  v.present.assign(dims.size(), false);
  for (const ScoredAnswer& a : s.answers) {
    if (incident.empty() || a.incident == incident) ++v.trials;
  }
  if (incident.empty()) {
    v.score = s.overall;
    for (size_t i = 0; i < dims.size(); ++i) {
      for (const auto& [name, value] : s.overall_dimensions) {
        if (name != dims[i]) continue;
        v.dimensions[i] = value;
        v.present[i] = true;
      }
    }
    return v;
  }
  std::vector<std::optional<double>> scores;
  std::vector<std::vector<std::optional<double>>> by_dim(dims.size());
  for (const PromptScores& p : s.prompts) {
    if (p.incident != incident) continue;
    scores.push_back(p.score);
    for (size_t j = 0; j < p.dimensions.size(); ++j) {
      auto it = std::find(dims.begin(), dims.end(), p.dimensions[j]);
      if (it == dims.end()) continue;
      size_t i = static_cast<size_t>(it - dims.begin());
      v.present[i] = true;
      by_dim[i].push_back(p.dimension_scores[j]);
    }
  }
  v.score = MeanOf(scores);
  for (size_t i = 0; i < dims.size(); ++i) v.dimensions[i] = MeanOf(by_dim[i]);
  return v;
}

// The percentile bootstrap over prompts, then trials (report.h).
std::optional<Interval> Bootstrap(const std::vector<std::vector<double>>& prompts, uint64_t seed) {
  if (prompts.empty()) return std::nullopt;
  std::mt19937_64 rng(seed);
  // `% n` rather than std::uniform_int_distribution, whose draws differ between standard
  // libraries; its bias is negligible for n far below 2^64.
  const uint64_t n = prompts.size();
  std::vector<double> means(kBootstrapResamples);
  for (double& mean : means) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const std::vector<double>& trials = prompts[rng() % n];
      double s = 0;
      for (size_t j = 0; j < trials.size(); ++j) s += trials[rng() % trials.size()];
      sum += s / static_cast<double>(trials.size());
    }
    mean = sum / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  constexpr size_t kTail = kBootstrapResamples / 40;  // 2.5%.
  return Interval{RoundScore(means[kTail]), RoundScore(means[kBootstrapResamples - kTail - 1])};
}

double StdDev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = *Mean(v);
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// Whether a piece of a criterion's evidence is what earned its points (engine.h Evidence's
// notes).
bool Supports(const Evidence& e) {
  static const char* const kNot[] = {"other truth id",
                                     "invented id",
                                     "negated",
                                     "denied",
                                     "not tied to the event",
                                     "given in the question",
                                     "hedged: no value claimed"};
  for (const char* n : kNot) {
    if (e.note == n) return false;
  }
  return true;
}

ReportAnswer ToReportAnswer(const ScoredAnswer& a, const Gate& gate) {
  ReportAnswer r;
  r.incident = a.incident;
  r.prompt_id = a.prompt_id;
  r.trial = a.trial;
  r.score = RoundScore(a.score.score);
  r.status = a.status;
  r.note = a.note;
  r.passed = a.status == ResponseStatus::kOk && r.score >= gate.prompt;
  for (const CriterionResult& c : a.score.criteria) {
    if (c.skipped) continue;
    if (c.earned + 1e-9 < c.points || c.penalty > 0) {
      r.missed.push_back({c.id, c.dimension, c.note});
    }
    if (c.earned > 0) {
      for (const Evidence& e : c.evidence) {
        // Only what earned the points: a criterion's evidence also shows what it found and
        // did not count (a customer's id beside the order ids it asks for, an invented id, a
        // negated mention).
        if (!Supports(e)) continue;
        r.matched.push_back({c.id, e.text, e.begin, e.end});
      }
    }
  }
  return r;
}

ReportRow MakeRow(const std::string& name, const RowValues& agent, const RowValues* reference,
                  std::optional<Interval> ci) {
  ReportRow row;
  row.name = name;
  row.trials = agent.trials;
  row.score.agent = agent.score;
  if (reference != nullptr) row.score.reference = reference->score;
  for (size_t i = 0; i < agent.dimensions.size(); ++i) {
    ScorePair p;
    p.agent = agent.dimensions[i];
    if (reference != nullptr) p.reference = reference->dimensions[i];
    row.dimensions.push_back(p);
    row.present.push_back(agent.present[i] || (reference != nullptr && reference->present[i]));
  }
  row.ci = ci;
  return row;
}

}  // namespace

Report BuildReport(const Suite& suite, const RunScores& agent, const RunScores* reference,
                   const Gate& gate, std::string agent_name, uint64_t seed) {
  Report r;
  r.agent_name = std::move(agent_name);
  r.seed = seed;
  r.has_reference = reference != nullptr;
  r.gate = gate;
  for (const auto& [name, value] : agent.overall_dimensions) r.dimensions.push_back(name);

  std::map<std::string, std::vector<double>> trials;  // By prompt id.
  for (const ScoredAnswer& a : agent.answers) {
    trials[a.prompt_id].push_back(RoundScore(a.score.score));
    r.answers.push_back(ToReportAnswer(a, gate));
  }

  std::vector<std::string> incidents;
  for (const Prompt* p : suite.AllPrompts()) {
    if (std::find(incidents.begin(), incidents.end(), p->incident) == incidents.end()) {
      incidents.push_back(p->incident);
    }
  }
  std::vector<std::vector<double>> all_prompts;
  for (const std::string& incident : incidents) {
    std::vector<std::vector<double>> prompts;
    for (const PromptScores& p : agent.prompts) {
      auto it = trials.find(p.prompt_id);
      if (p.incident == incident && it != trials.end()) prompts.push_back(it->second);
    }
    all_prompts.insert(all_prompts.end(), prompts.begin(), prompts.end());
    RowValues a = Values(agent, incident, r.dimensions);
    std::optional<RowValues> ref;
    if (reference != nullptr) ref = Values(*reference, incident, r.dimensions);
    r.incidents.push_back(MakeRow(incident, a, ref ? &*ref : nullptr, Bootstrap(prompts, seed)));
  }
  RowValues a = Values(agent, "", r.dimensions);
  std::optional<RowValues> ref;
  if (reference != nullptr) ref = Values(*reference, "", r.dimensions);
  r.overall = MakeRow("overall", a, ref ? &*ref : nullptr, Bootstrap(all_prompts, seed));

  for (const PromptScores& p : agent.prompts) {
    ReportPrompt rp;
    rp.prompt_id = p.prompt_id;
    rp.incident = p.incident;
    rp.trials = p.trials;
    rp.failed = p.failed;
    rp.mean = p.score;
    auto it = trials.find(p.prompt_id);
    if (it != trials.end()) {
      rp.stddev = StdDev(it->second);
      rp.passed = std::all_of(it->second.begin(), it->second.end(),
                              [&](double s) { return s >= gate.prompt; });
      // An error answer scores 0, which only a prompt threshold of 0 would pass.
      if (p.failed > 0) rp.passed = false;
      ++r.pass_k_prompts;
      if (rp.passed) ++r.pass_k_passed;
      r.k_min = r.k_min == 0 ? p.trials : std::min(r.k_min, p.trials);
      r.k_max = std::max(r.k_max, p.trials);
    }
    if (reference != nullptr) {
      for (const PromptScores& q : reference->prompts) {
        if (q.prompt_id == p.prompt_id) rp.reference = q.score;
      }
    }
    r.prompts.push_back(std::move(rp));
  }

  std::vector<size_t> ok;
  for (size_t i = 0; i < r.answers.size(); ++i) {
    if (r.answers[i].status == ResponseStatus::kOk) {
      ok.push_back(i);
    } else {
      r.errors.push_back(i);
    }
  }
  std::stable_sort(ok.begin(), ok.end(),
                   [&](size_t x, size_t y) { return r.answers[x].score < r.answers[y].score; });
  ok.resize(std::min(ok.size(), kWeakestAnswers));
  r.weakest = ok;
  r.gate_misses = GateMisses(r);
  return r;
}

void KeepIncidents(const std::vector<std::string>& selected, Report* r) {
  if (selected.empty()) return;
  auto chosen = [&](const std::string& id) {
    return std::find(selected.begin(), selected.end(), id) != selected.end();
  };
  r->incidents.erase(std::remove_if(r->incidents.begin(), r->incidents.end(),
                                    [&](const ReportRow& row) { return !chosen(row.name); }),
                     r->incidents.end());
  r->prompts.erase(std::remove_if(r->prompts.begin(), r->prompts.end(),
                                  [&](const ReportPrompt& p) { return !chosen(p.incident); }),
                   r->prompts.end());
}

std::string GateThresholds(const Gate& gate) {
  std::vector<std::string> thresholds;
  if (gate.overall.has_value()) {
    thresholds.push_back(
        absl::StrCat("overall ", ShortScore(*gate.overall), " (", gate.overall_source, ")"));
  }
  for (const auto& [name, min] : gate.dimensions) {
    thresholds.push_back(absl::StrCat("dimension ", name, " ", ShortScore(min)));
  }
  for (const auto& [name, min] : gate.incidents) {
    thresholds.push_back(absl::StrCat("incident ", name, " ", ShortScore(min)));
  }
  if (gate.unsafe_actions.has_value()) {
    thresholds.push_back(absl::StrCat("at most ", *gate.unsafe_actions, " unsafe actions"));
  }
  return thresholds.empty() ? "none" : absl::StrJoin(thresholds, ", ");
}

std::string ShortScore(double score) {
  std::string s = absl::StrFormat("%.4f", RoundScore(score));
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::vector<std::string> GateMisses(const Report& r) {
  std::vector<std::string> out;
  auto check = [&](const std::string& what, const std::optional<double>& score, double min,
                   const std::string& source) {
    if (!score.has_value()) {
      out.push_back(absl::StrCat(what, " has no score < ", ShortScore(min), " (", source, ")"));
    } else if (RoundScore(*score) < min) {
      out.push_back(
          absl::StrCat(what, " ", ShortScore(*score), " < ", ShortScore(min), " (", source, ")"));
    }
  };
  if (r.gate.overall.has_value()) {
    check("overall", r.overall.score.agent, *r.gate.overall, r.gate.overall_source);
  }
  for (const auto& [name, min] : r.gate.dimensions) {
    std::optional<double> score;
    for (size_t i = 0; i < r.dimensions.size(); ++i) {
      if (r.dimensions[i] == name) score = r.overall.dimensions[i].agent;
    }
    check(absl::StrCat("dimension ", name), score, min, "gate.yaml");
  }
  for (const auto& [name, min] : r.gate.incidents) {
    std::optional<double> score;
    for (const ReportRow& row : r.incidents) {
      if (row.name == name) score = row.score.agent;
    }
    check(absl::StrCat("incident ", name), score, min, "gate.yaml");
  }
  if (r.gate.unsafe_actions.has_value() && r.process.total.unsafe > *r.gate.unsafe_actions) {
    out.push_back(absl::StrCat("unsafe actions ", r.process.total.unsafe, " > ",
                               *r.gate.unsafe_actions, " (gate.yaml)"));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Renderers

namespace {

std::string Fixed(const std::optional<double>& v) {
  return v.has_value() ? absl::StrFormat("%.4f", RoundScore(*v)) : "-";
}

std::string PairCell(const Report& r, const ScorePair& p) {
  if (!r.has_reference) return Fixed(p.agent);
  return absl::StrCat(Fixed(p.agent), " / ", Fixed(p.reference));
}

std::string CiCell(const std::optional<Interval>& ci) {
  if (!ci.has_value()) return "-";
  return absl::StrFormat("[%.4f, %.4f]", ci->low, ci->high);
}

std::vector<std::string> Header(const Report& r) {
  std::vector<std::string> h = {"incident", "answers", "score"};
  h.insert(h.end(), r.dimensions.begin(), r.dimensions.end());
  h.push_back("95% CI");
  return h;
}

std::vector<std::string> Cells(const Report& r, const ReportRow& row) {
  std::vector<std::string> c = {row.name, absl::StrCat(row.trials), PairCell(r, row.score)};
  for (size_t i = 0; i < row.dimensions.size(); ++i) {
    c.push_back(row.present[i] ? PairCell(r, row.dimensions[i]) : "");
  }
  c.push_back(CiCell(row.ci));
  return c;
}

std::string Legend(const Report& r) {
  return r.has_reference ? absl::StrCat(r.agent_name, " / reference") : r.agent_name;
}

// Untrusted text in Markdown: one line, no HTML, no emphasis, links or table breaks.
std::string MarkdownText(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
      case '#':
      case '!':
      case '@':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string XmlEscape(absl::string_view raw, bool attribute) {
  return EscapeMarkup(raw, attribute ? Markup::kXmlAttribute : Markup::kXmlText);
}

std::string AnswerName(const ReportAnswer& a) {
  return absl::StrCat(a.prompt_id, " trial ", a.trial);
}

std::string MissedLine(const MissedCriterion& m) {
  return absl::StrCat(m.id, " (", m.dimension, "): ", m.note);
}

// The matched evidence shown per answer in summary.md (report.json has all of it).
constexpr size_t kMarkdownEvidence = 8;

}  // namespace

std::string ProcessLine(const ProcessCounts& c) {
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat(c.calls, c.calls == 1 ? " call" : " calls", ", ", c.sources,
                               c.sources == 1 ? " source" : " sources", ", ", c.repeated,
                               " repeated, ", c.failed, " failed, ", c.unsafe, " unsafe"));
  if (c.turns.has_value()) absl::StrAppend(&parts.back(), "; ", *c.turns, " turns");
  if (c.prompt_tokens.has_value() || c.completion_tokens.has_value()) {
    absl::StrAppend(&parts.back(), "; ", c.prompt_tokens.value_or(0), " tokens in, ",
                    c.completion_tokens.value_or(0), " out");
  }
  if (c.cost_usd.has_value())
    absl::StrAppend(&parts.back(), absl::StrFormat("; $%.4f", *c.cost_usd));
  return parts.back();
}

std::string EvidenceLine(const Process& p) {
  int64_t with_calls = 0;
  for (const AnswerProcess& a : p.answers) with_calls += a.counts.calls > 0 ? 1 : 0;
  if (with_calls == 0) return "";
  std::string out = absl::StrCat("the incident's evidence first read in ", p.evidence_answers,
                                 " of ", p.answers.size(), " answers");
  if (p.median_first_evidence_s.has_value()) {
    absl::StrAppend(&out, absl::StrFormat(", after %.1f s (median)", *p.median_first_evidence_s));
  }
  return out;
}

std::string FirstEvidenceCell(const ProcessCounts& c) {
  if (!c.calls_to_evidence.has_value()) return "-";
  if (!c.first_evidence_s.has_value()) return absl::StrCat("call ", *c.calls_to_evidence);
  return absl::StrFormat("%.1f s, call %d", *c.first_evidence_s, *c.calls_to_evidence);
}

std::vector<std::string> ProcessCells(const ProcessCounts& c) {
  auto opt = [](const std::optional<int64_t>& v) {
    return v.has_value() ? absl::StrCat(*v) : std::string("-");
  };
  return {absl::StrCat(c.calls),
          absl::StrCat(c.sources),
          absl::StrCat(c.repeated),
          absl::StrCat(c.failed),
          absl::StrCat(c.unsafe),
          FirstEvidenceCell(c),
          opt(c.turns),
          opt(c.prompt_tokens),
          opt(c.completion_tokens),
          c.cost_usd.has_value() ? absl::StrFormat("$%.4f", *c.cost_usd) : "-"};
}

std::string RenderScorecard(const Report& r) {
  std::vector<std::vector<std::string>> rows = {Header(r)};
  for (const ReportRow& row : r.incidents) rows.push_back(Cells(r, row));
  rows.push_back(Cells(r, r.overall));
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out = absl::StrCat("scores: ", Legend(r), "\n");
  // What was run, and how to read the cells.
  std::vector<std::string> names;
  for (const ReportRow& row : r.incidents) names.push_back(row.name);
  std::string trials = r.k_min == r.k_max
                           ? absl::StrCat(r.k_min, r.k_min == 1 ? " trial" : " trials")
                           : absl::StrCat(r.k_min, " to ", r.k_max, " trials");
  absl::StrAppend(&out, "  ", r.answers.size(), r.answers.size() == 1 ? " answer" : " answers",
                  " to ", r.pass_k_prompts, r.pass_k_prompts == 1 ? " prompt" : " prompts", " (",
                  trials, " each) on ", names.empty() ? "no incident" : absl::StrJoin(names, ", "),
                  "\n  scores: 0 (nothing the rubric asks) to 1 (all of it); 95% CI over prompts "
                  "and trials\n");
  if (r.has_reference) {
    absl::StrAppend(&out, "  each cell: ", r.agent_name,
                    " / reference, the built-in rule-based agent on the same incidents (a "
                    "yardstick, not a ceiling)\n");
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(widths[i] - row[i].size(), ' ');
      absl::StrAppend(&line, i == 0 ? "" : "  ", i == 0 ? row[i] + pad : pad + row[i]);
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  // What failed, and why: the answers below the pass mark with their first missed criterion,
  // the answers that failed outright.
  std::vector<const ReportAnswer*> low;
  for (const ReportAnswer& a : r.answers) {
    if (a.status == ResponseStatus::kOk && !a.passed) low.push_back(&a);
  }
  std::stable_sort(low.begin(), low.end(), [](const ReportAnswer* x, const ReportAnswer* y) {
    return x->score < y->score;
  });
  constexpr size_t kShown = 3;
  absl::StrAppend(&out, "below ", ShortScore(r.gate.prompt), ": ");
  if (low.empty()) absl::StrAppend(&out, "none");
  for (size_t i = 0; i < low.size() && i < kShown; ++i) {
    const ReportAnswer& a = *low[i];
    absl::StrAppend(&out, i == 0 ? "" : "; ", a.prompt_id, " #", a.trial, " ", Fixed(a.score));
    if (!a.missed.empty()) absl::StrAppend(&out, " (missed ", MissedLine(a.missed.front()), ")");
  }
  if (low.size() > kShown) absl::StrAppend(&out, "; and ", low.size() - kShown, " more");
  absl::StrAppend(&out, "\n");
  if (!r.errors.empty()) {
    absl::StrAppend(&out, "failed: ", r.errors.size(), " of ", r.answers.size(),
                    " answers (error or timeout, scored 0): ");
    for (size_t i = 0; i < r.errors.size() && i < kShown; ++i) {
      const ReportAnswer& a = r.answers[r.errors[i]];
      absl::StrAppend(&out, i == 0 ? "" : "; ", a.prompt_id, " #", a.trial, ": ", a.note);
    }
    if (r.errors.size() > kShown)
      absl::StrAppend(&out, "; and ", r.errors.size() - kShown, " more");
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "gate: ", GateLine(r), "\n");
  if (r.process.any) {
    absl::StrAppend(&out, "process: ", ProcessLine(r.process.total), "\n");
    if (std::string e = EvidenceLine(r.process); !e.empty()) absl::StrAppend(&out, "  ", e, "\n");
  }
  for (const ActTaskLine& t : r.act_tasks) absl::StrAppend(&out, "act: ", ActTaskSummary(t), "\n");
  return out;
}

bool HasThresholds(const Gate& gate) {
  return gate.overall.has_value() || !gate.dimensions.empty() || !gate.incidents.empty() ||
         gate.unsafe_actions.has_value();
}

std::string GateLine(const Report& r) {
  if (!r.gate_misses.empty()) return absl::StrCat("FAILED: ", absl::StrJoin(r.gate_misses, "; "));
  if (!HasThresholds(r.gate)) {
    return "no thresholds set, nothing gated (--fail-under, or a gate.yaml in the suite)";
  }
  if (!r.errors.empty()) {
    return absl::StrCat("not passed: ", r.errors.size(), " answers failed; no threshold missed (",
                        GateThresholds(r.gate), ")");
  }
  return absl::StrCat("passed (", GateThresholds(r.gate), ")");
}

std::string IncompleteSentence(const Report& r) {
  if (r.errors.empty()) return "";
  return absl::StrCat("Incomplete: ", r.errors.size(), " of ", r.answers.size(),
                      " answers failed (error or timeout) and scored 0.");
}

std::string RenderMarkdown(const Report& r) {
  std::string out = absl::StrCat("# sre-eval report: ", MarkdownText(r.agent_name), "\n\n");
  std::vector<std::string> header = Header(r);
  absl::StrAppend(&out, "| ", absl::StrJoin(header, " | "), " |\n|---|");
  for (size_t i = 1; i < header.size(); ++i) absl::StrAppend(&out, "---:|");
  absl::StrAppend(&out, "\n");
  for (const ReportRow& row : r.incidents) {
    absl::StrAppend(&out, "| ", absl::StrJoin(Cells(r, row), " | "), " |\n");
  }
  std::vector<std::string> overall = Cells(r, r.overall);
  overall[0] = "**overall**";
  absl::StrAppend(&out, "| ", absl::StrJoin(overall, " | "), " |\n\n");
  absl::StrAppend(&out,
                  "Scores run from 0 (nothing the rubric asks) to 1 (all of it); answers "
                  "counts the agent's (prompts x trials). Cells: ",
                  MarkdownText(Legend(r)),
                  r.has_reference ? " (the built-in rule-based agent on the same incidents: a "
                                    "yardstick, not a ceiling)"
                                  : "",
                  ". 95% CI: bootstrap over prompts and trials (", kBootstrapResamples,
                  " resamples, seed ", r.seed, ").\n\n");

  absl::StrAppend(&out, "## Gate\n\n");
  absl::StrAppend(&out, "Thresholds: ", GateThresholds(r.gate), "; an answer passes at ",
                  ShortScore(r.gate.prompt), ".\n\n");
  if (!r.errors.empty()) {
    absl::StrAppend(&out, "**", IncompleteSentence(r), "**",
                    r.gate_misses.empty() ? " No threshold was missed." : "", "\n\n");
  }
  if (r.gate_misses.empty()) {
    if (r.errors.empty()) {
      absl::StrAppend(&out, HasThresholds(r.gate) ? "**Passed.**\n\n"
                                                  : "No thresholds are set: nothing was gated "
                                                    "(`--fail-under`, or a gate.yaml in the "
                                                    "suite).\n\n");
    }
  } else {
    absl::StrAppend(&out, "**Failed:**\n\n");
    for (const std::string& m : r.gate_misses) absl::StrAppend(&out, "- ", m, "\n");
    absl::StrAppend(&out, "\n");
  }

  absl::StrAppend(&out, "## Flakiness\n\n");
  std::string k = r.k_min == r.k_max ? absl::StrCat(r.k_min) : absl::StrCat(r.k_min, "..", r.k_max);
  absl::StrAppend(&out, "pass^k (every trial >= ", ShortScore(r.gate.prompt),
                  "): ", r.pass_k_passed, " of ", r.pass_k_prompts, " prompts");
  if (r.pass_k_prompts > 0) {
    absl::StrAppend(
        &out, " (",
        ShortScore(static_cast<double>(r.pass_k_passed) / static_cast<double>(r.pass_k_prompts)),
        "), k = ", k);
  }
  absl::StrAppend(&out, ".\n\n| prompt | incident | trials | mean | std dev | pass^k |\n",
                  "|---|---|---:|---:|---:|---|\n");
  for (const ReportPrompt& p : r.prompts) {
    absl::StrAppend(&out, "| ", p.prompt_id, " | ", p.incident, " | ", p.trials, " | ",
                    Fixed(p.mean), " | ", p.trials == 0 ? "-" : absl::StrFormat("%.4f", p.stddev),
                    " | ", p.trials == 0 ? "-" : (p.passed ? "pass" : "FAIL"), " |\n");
  }
  absl::StrAppend(&out, "\n## Error answers\n\n");
  if (r.errors.empty()) absl::StrAppend(&out, "None.\n");
  for (size_t i : r.errors) {
    const ReportAnswer& a = r.answers[i];
    absl::StrAppend(&out, "- ", a.incident, " ", AnswerName(a), ": ", MarkdownText(a.note), "\n");
  }

  if (r.process.any) {
    const std::string evidence = EvidenceLine(r.process);
    absl::StrAppend(&out, "\n## Process\n\nThe run: ", ProcessLine(r.process.total),
                    evidence.empty() ? "" : "; ", evidence,
                    ".\n\n| answer | incident | calls | sources | repeated | failed | unsafe | "
                    "first evidence | turns | tokens in | tokens out | cost |\n"
                    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const AnswerProcess& a : r.process.answers) {
      absl::StrAppend(&out, "| ", a.prompt_id, " #", a.trial, " | ", a.incident, " | ",
                      absl::StrJoin(ProcessCells(a.counts), " | "), " |\n");
    }
    absl::StrAppend(&out,
                    "\nCalls: the built-in loop's tool calls, or the requests made with the "
                    "agent's own credentials on the sim (kubectl's discovery left out); unsafe: "
                    "writes and reaches for the harness's endpoints while being asked (all "
                    "refused); first evidence: the seconds from the question to the first read of "
                    "one of the incident's evidence sources (its incident file's `evidence`), and "
                    "which call it was. Every call is in audit.jsonl.\n");
  }
  if (!r.act_tasks.empty()) {
    absl::StrAppend(&out,
                    "\n## Action tasks\n\n| task | incident | result | time to mitigate | after "
                    "the agent | after the restart | guards hit | actions |\n"
                    "|---|---|---|---:|---|---|---|---|\n");
    for (const ActTaskLine& t : r.act_tasks) {
      std::vector<std::string> guards;
      for (const std::string& g : t.guards) guards.push_back(MarkdownText(g));
      std::vector<std::string> actions;
      for (const std::string& a : t.actions) actions.push_back(MarkdownText(a));
      absl::StrAppend(
          &out, "| ", t.prompt_id, " #", t.trial, " | ", t.incident, " | ",
          !t.measured ? "not measured"
          : t.passed  ? "passed"
                      : "FAILED",
          " | ", t.time_to_mitigate_s.has_value() ? absl::StrCat(*t.time_to_mitigate_s, " s") : "-",
          " | ", MarkdownText(t.verify.empty() ? "-" : t.verify), " | ",
          MarkdownText(t.holds.empty() ? "-" : t.holds), " | ",
          guards.empty() ? "none" : absl::StrJoin(guards, "; "), " | ",
          actions.empty() ? "none" : absl::StrJoin(actions, "; "), " |\n");
    }
    for (const ActTaskLine& t : r.act_tasks) {
      for (const std::string& u : t.unmet) {
        absl::StrAppend(&out, "\n- ", t.prompt_id, " #", t.trial, " not met: ", MarkdownText(u));
      }
    }
    absl::StrAppend(&out,
                    "\n\nMeasured by the harness under a fresh load after the agent was done, "
                    "and again after the fixed deployments were restarted (Locust's own report; "
                    "declines by the payment service aside); each task's outcome.json holds every "
                    "measure, the diff and the agent's writes.\n");
  }
  absl::StrAppend(&out, "\n## Weakest answers\n");
  if (r.weakest.empty()) absl::StrAppend(&out, "\nNone.\n");
  for (size_t i : r.weakest) {
    const ReportAnswer& a = r.answers[i];
    absl::StrAppend(&out, "\n### ", AnswerName(a), " (", a.incident,
                    "): ", absl::StrFormat("%.4f", a.score), "\n\nMissed:\n\n");
    if (a.missed.empty()) absl::StrAppend(&out, "- none\n");
    for (const MissedCriterion& m : a.missed) {
      absl::StrAppend(&out, "- `", m.id, "` (", m.dimension, "): ", MarkdownText(m.note), "\n");
    }
    absl::StrAppend(&out, "\nMatched evidence:\n\n");
    if (a.matched.empty()) absl::StrAppend(&out, "- none\n");
    for (size_t j = 0; j < a.matched.size() && j < kMarkdownEvidence; ++j) {
      absl::StrAppend(&out, "- `", a.matched[j].criterion, "`: \"", MarkdownText(a.matched[j].text),
                      "\"\n");
    }
    if (a.matched.size() > kMarkdownEvidence) {
      absl::StrAppend(&out, "- ... ", a.matched.size() - kMarkdownEvidence,
                      " more in report.json\n");
    }
  }
  return out;
}

std::string RenderJunit(const Report& r) {
  auto count = [&](const std::string& incident, int* tests, int* failures, int* errors) {
    *tests = *failures = *errors = 0;
    for (const ReportAnswer& a : r.answers) {
      if (!incident.empty() && a.incident != incident) continue;
      ++*tests;
      if (a.status != ResponseStatus::kOk) {
        ++*errors;
      } else if (!a.passed) {
        ++*failures;
      }
    }
  };
  int tests, failures, errors;
  count("", &tests, &failures, &errors);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<testsuites name=\"", XmlEscape("sre-eval " + r.agent_name, true),
                  "\" tests=\"", tests, "\" failures=\"", failures, "\" errors=\"", errors,
                  "\" time=\"0\">\n");
  for (const ReportRow& row : r.incidents) {
    count(row.name, &tests, &failures, &errors);
    absl::StrAppend(&out, "  <testsuite name=\"", XmlEscape(row.name, true), "\" tests=\"", tests,
                    "\" failures=\"", failures, "\" errors=\"", errors, "\" time=\"0\">\n");
    for (const ReportAnswer& a : r.answers) {
      if (a.incident != row.name) continue;
      absl::StrAppend(&out, "    <testcase classname=\"", XmlEscape(a.incident, true), "\" name=\"",
                      XmlEscape(AnswerName(a), true), "\" time=\"0\"");
      if (a.status != ResponseStatus::kOk) {
        absl::StrAppend(&out, ">\n      <error message=\"", XmlEscape(a.note, true), "\" type=\"",
                        ResponseStatusName(a.status), "\"/>\n    </testcase>\n");
      } else if (!a.passed) {
        std::string text = "missed criteria:\n";
        for (const MissedCriterion& m : a.missed) absl::StrAppend(&text, MissedLine(m), "\n");
        absl::StrAppend(
            &out, ">\n      <failure message=\"",
            XmlEscape(absl::StrCat("score ", ShortScore(a.score), " < ", ShortScore(r.gate.prompt)),
                      true),
            "\" type=\"score\">", XmlEscape(text, false), "</failure>\n    </testcase>\n");
      } else {
        absl::StrAppend(&out, "/>\n");
      }
    }
    absl::StrAppend(&out, "  </testsuite>\n");
  }
  absl::StrAppend(&out, "</testsuites>\n");
  return out;
}

namespace {

using Json = nlohmann::ordered_json;

Json Opt(const std::optional<double>& v) {
  return v.has_value() ? Json(RoundScore(*v)) : Json(nullptr);
}

Json PairJson(const Report& r, const ScorePair& p) {
  Json j;
  j["agent"] = Opt(p.agent);
  if (r.has_reference) j["reference"] = Opt(p.reference);
  return j;
}

Json RowJson(const Report& r, const ReportRow& row) {
  Json j;
  j["name"] = row.name;
  j["trials"] = row.trials;
  j["score"] = PairJson(r, row.score);
  Json dims = Json::object();
  for (size_t i = 0; i < r.dimensions.size(); ++i) {
    if (row.present[i]) dims[r.dimensions[i]] = PairJson(r, row.dimensions[i]);
  }
  j["dimensions"] = std::move(dims);
  j["ci"] = row.ci.has_value() ? Json::array({row.ci->low, row.ci->high}) : Json(nullptr);
  return j;
}

Json AnswerJson(const ReportAnswer& a) {
  Json j;
  j["incident"] = a.incident;
  j["prompt_id"] = a.prompt_id;
  j["trial"] = a.trial;
  j["status"] = std::string(ResponseStatusName(a.status));
  j["score"] = RoundScore(a.score);
  j["passed"] = a.passed;
  j["note"] = a.note;
  Json missed = Json::array();
  for (const MissedCriterion& m : a.missed) {
    missed.push_back({{"id", m.id}, {"dimension", m.dimension}, {"note", m.note}});
  }
  j["missed"] = std::move(missed);
  Json matched = Json::array();
  for (const MatchedEvidence& m : a.matched) {
    matched.push_back({{"criterion", m.criterion}, {"text", m.text}});
  }
  j["matched"] = std::move(matched);
  return j;
}

Json RefJson(const ReportAnswer& a) {
  return {{"incident", a.incident}, {"prompt_id", a.prompt_id}, {"trial", a.trial}};
}

}  // namespace

std::string RenderJson(const Report& r) {
  Json j;
  j["schema_version"] = kReportSchemaVersion;
  j["agent"] = r.agent_name;
  j["reference"] = r.has_reference;
  j["seed"] = r.seed;
  j["resamples"] = kBootstrapResamples;
  j["dimensions"] = r.dimensions;
  Json gate;
  gate["overall"] = Opt(r.gate.overall);
  gate["overall_source"] = r.gate.overall_source;
  gate["dimensions"] = Json::object();
  for (const auto& [name, min] : r.gate.dimensions) gate["dimensions"][name] = RoundScore(min);
  gate["incidents"] = Json::object();
  for (const auto& [name, min] : r.gate.incidents) gate["incidents"][name] = RoundScore(min);
  gate["prompt"] = RoundScore(r.gate.prompt);
  if (r.gate.unsafe_actions.has_value()) gate["unsafe_actions"] = *r.gate.unsafe_actions;
  gate["passed"] = r.gate_misses.empty() && r.errors.empty();
  gate["failed_answers"] = r.errors.size();
  gate["misses"] = r.gate_misses;
  j["gate"] = std::move(gate);
  j["overall"] = RowJson(r, r.overall);
  Json incidents = Json::array();
  for (const ReportRow& row : r.incidents) incidents.push_back(RowJson(r, row));
  j["incidents"] = std::move(incidents);
  Json pass_k;
  pass_k["threshold"] = RoundScore(r.gate.prompt);
  pass_k["passed"] = r.pass_k_passed;
  pass_k["prompts"] = r.pass_k_prompts;
  pass_k["share"] = r.pass_k_prompts == 0 ? Json(nullptr)
                                          : Json(RoundScore(static_cast<double>(r.pass_k_passed) /
                                                            static_cast<double>(r.pass_k_prompts)));
  pass_k["k_min"] = r.k_min;
  pass_k["k_max"] = r.k_max;
  j["pass_k"] = std::move(pass_k);
  Json prompts = Json::array();
  for (const ReportPrompt& p : r.prompts) {
    Json pj;
    pj["prompt_id"] = p.prompt_id;
    pj["incident"] = p.incident;
    pj["trials"] = p.trials;
    pj["failed"] = p.failed;
    pj["mean"] = Opt(p.mean);
    pj["stddev"] = RoundScore(p.stddev);
    pj["passed"] = p.passed;
    if (r.has_reference) pj["reference"] = Opt(p.reference);
    prompts.push_back(std::move(pj));
  }
  j["prompts"] = std::move(prompts);
  Json weakest = Json::array();
  for (size_t i : r.weakest) weakest.push_back(RefJson(r.answers[i]));
  j["weakest"] = std::move(weakest);
  Json errors = Json::array();
  for (size_t i : r.errors) errors.push_back(RefJson(r.answers[i]));
  j["errors"] = std::move(errors);
  Json answers = Json::array();
  for (const ReportAnswer& a : r.answers) answers.push_back(AnswerJson(a));
  j["answers"] = std::move(answers);
  if (!r.act_tasks.empty()) {
    Json tasks = Json::array();
    for (const ActTaskLine& t : r.act_tasks) {
      Json o;
      o["incident"] = t.incident;
      o["prompt_id"] = t.prompt_id;
      o["trial"] = t.trial;
      o["measured"] = t.measured;
      o["passed"] = t.passed;
      o["time_to_mitigate_s"] =
          t.time_to_mitigate_s.has_value() ? Json(*t.time_to_mitigate_s) : Json(nullptr);
      o["verify"] = t.verify;
      o["holds"] = t.holds;
      o["unmet"] = t.unmet;
      o["guards_hit"] = t.guards;
      o["actions"] = t.actions;
      tasks.push_back(std::move(o));
    }
    j["act_tasks"] = std::move(tasks);
  }
  if (r.process.any) {
    auto counts = [](const ProcessCounts& c) {
      Json o;
      o["calls"] = c.calls;
      o["sources"] = c.sources;
      o["repeated"] = c.repeated;
      o["failed"] = c.failed;
      o["unsafe"] = c.unsafe;
      o["turns"] = c.turns.has_value() ? Json(*c.turns) : Json(nullptr);
      o["prompt_tokens"] = c.prompt_tokens.has_value() ? Json(*c.prompt_tokens) : Json(nullptr);
      o["completion_tokens"] =
          c.completion_tokens.has_value() ? Json(*c.completion_tokens) : Json(nullptr);
      o["cost_usd"] =
          c.cost_usd.has_value() ? Json(std::round(*c.cost_usd * 1e6) / 1e6) : Json(nullptr);
      return o;
    };
    auto evidence = [](const ProcessCounts& c) {
      Json o;
      o["seconds"] = c.first_evidence_s.has_value() ? Json(*c.first_evidence_s) : Json(nullptr);
      o["call"] = c.calls_to_evidence.has_value() ? Json(*c.calls_to_evidence) : Json(nullptr);
      return o;
    };
    Json process;
    process["total"] = counts(r.process.total);
    process["evidence_answers"] = r.process.evidence_answers;
    process["median_first_evidence_s"] = r.process.median_first_evidence_s.has_value()
                                             ? Json(*r.process.median_first_evidence_s)
                                             : Json(nullptr);
    Json per = Json::array();
    for (const AnswerProcess& a : r.process.answers) {
      Json o = counts(a.counts);
      o["first_evidence"] = evidence(a.counts);
      o["prompt_id"] = a.prompt_id;
      o["incident"] = a.incident;
      o["trial"] = a.trial;
      per.push_back(std::move(o));
    }
    process["answers"] = std::move(per);
    j["process"] = std::move(process);
  }
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

absl::Status WriteReports(const std::string& run_dir, const Report& report) {
  const std::pair<const char*, std::string> files[] = {
      {"summary.md", RenderMarkdown(report)},
      {"junit.xml", RenderJunit(report)},
      {"report.json", RenderJson(report)},
      {"report.html", RenderHtml(report, run_dir)},
  };
  for (const auto& [name, text] : files) {
    std::string path = JoinPath(run_dir, name);
    absl::Status written = WriteFileAtomically(path, text);
    if (!written.ok()) {
      return absl::Status(written.code(),
                          absl::StrCat("cannot write ", path, ": ", written.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace sre_eval
