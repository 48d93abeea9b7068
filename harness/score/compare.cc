#include "score/compare.h"

#include <sys/stat.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "suite/prompt.h"
#include "suite/suite.h"
#include "util/file_util.h"
#include "util/json_parse.h"

namespace sre_eval {

namespace {

using Key = std::tuple<std::string, std::string, int64_t>;  // incident, prompt, trial

// FNV-1a: a hash that is the same on every platform, unlike std::hash.
uint64_t StableHash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// RoundScore, without the negative zero that rounding a tiny negative change gives
// (-0.0 + 0.0 is +0.0).
double Round(double x) { return RoundScore(x) + 0.0; }

double MeanOf(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// One prompt's paired values (base, candidate).
struct Pairs {
  std::vector<double> base;
  std::vector<double> candidate;
};

// The statistic over `groups` (each non-empty): the mean over groups of the group's mean
// change. The interval draws groups with replacement, then pairs within each drawn group.
// Indices come from `rng() % n` rather than std::uniform_int_distribution, whose output
// differs between standard libraries.
Change Measure(const std::vector<const Pairs*>& groups, const std::string& name,
               const CompareOptions& options) {
  Change c;
  c.pairs = 0;
  if (groups.empty()) return c;
  std::vector<double> base_means, candidate_means, changes;
  for (const Pairs* g : groups) {
    c.pairs += static_cast<int>(g->base.size());
    base_means.push_back(MeanOf(g->base));
    candidate_means.push_back(MeanOf(g->candidate));
    changes.push_back(candidate_means.back() - base_means.back());
  }
  c.base = Round(MeanOf(base_means));
  c.candidate = Round(MeanOf(candidate_means));
  c.change = Round(MeanOf(changes));

  std::mt19937_64 rng(options.seed ^ StableHash(name));
  std::vector<double> stats;
  stats.reserve(options.resamples);
  const uint64_t k = groups.size();
  for (int r = 0; r < options.resamples; ++r) {
    double sum = 0;
    for (uint64_t i = 0; i < k; ++i) {
      const Pairs& g = *groups[k == 1 ? 0 : rng() % k];
      const uint64_t n = g.base.size();
      double group_sum = 0;
      for (uint64_t j = 0; j < n; ++j) {
        uint64_t pick = n == 1 ? 0 : rng() % n;
        group_sum += g.candidate[pick] - g.base[pick];
      }
      sum += group_sum / static_cast<double>(n);
    }
    stats.push_back(sum / static_cast<double>(k));
  }
  std::sort(stats.begin(), stats.end());
  size_t tail = static_cast<size_t>(0.025 * options.resamples);
  if (!stats.empty()) {
    c.ci_low = Round(stats[tail]);
    c.ci_high = Round(stats[stats.size() - 1 - tail]);
  }
  // Rounded bounds decide, so that the verdict agrees with what is shown.
  if (c.ci_high < 0) {
    c.verdict = Verdict::kRegression;
  } else if (c.ci_low > 0) {
    c.verdict = Verdict::kImprovement;
  }
  return c;
}

// A prompt compared: its pairs for the score and for each dimension.
struct PromptPairs {
  std::string prompt_id;
  std::string incident;
  Pairs score;
  std::vector<std::pair<std::string, Pairs>> dimensions;  // Rubric order.
};

const DimensionResult* FindDimension(const AnswerScore& s, const std::string& name) {
  for (const DimensionResult& d : s.dimensions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string Show(const std::optional<std::string>& v) { return v ? *v : "none"; }

bool HasVerdict(const PromptComparison& p, Verdict v) {
  if (p.score.verdict == v) return true;
  for (const auto& [name, c] : p.dimensions) {
    if (c.verdict == v) return true;
  }
  return false;
}

std::vector<std::string> PromptsWith(const Comparison& c, Verdict v) {
  std::vector<std::string> out;
  for (const PromptComparison& p : c.prompts) {
    if (HasVerdict(p, v)) out.push_back(p.prompt_id);
  }
  return out;
}

void CheckProvenance(const RunProvenance& base, const RunProvenance& candidate, Comparison* out) {
  auto differ = [&](const std::string& what, const std::optional<std::string>& b,
                    const std::optional<std::string>& c) {
    if (b && c && *b != *c) {
      out->warnings.push_back(
          absl::StrCat(what, " differs: base ", Show(b), ", candidate ", Show(c)));
      out->comparable = false;
    }
  };
  differ("suite hash", base.suite_hash, candidate.suite_hash);
  std::set<std::string> rubric_ids;
  for (const auto& [id, v] : base.rubric_versions) rubric_ids.insert(id);
  for (const auto& [id, v] : candidate.rubric_versions) rubric_ids.insert(id);
  for (const std::string& id : rubric_ids) {
    auto b = base.rubric_versions.find(id);
    auto c = candidate.rubric_versions.find(id);
    std::optional<std::string> bv, cv;
    if (b != base.rubric_versions.end()) bv = b->second;
    if (c != candidate.rubric_versions.end()) cv = c->second;
    if (bv != cv) {
      out->warnings.push_back(absl::StrCat("rubric version of ", id, " differs: base ", Show(bv),
                                           ", candidate ", Show(cv)));
      out->comparable = false;
    }
  }
  auto seed = [](const std::optional<int64_t>& s) -> std::optional<std::string> {
    if (!s) return std::nullopt;
    return absl::StrCat(*s);
  };
  differ("seed", seed(base.seed), seed(candidate.seed));
  differ("environment", base.environment, candidate.environment);
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegression:
      return "regression";
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kNoSignificantChange:
      break;
  }
  return "no significant change";
}

bool Comparison::HasRegression() const {
  if (overall.verdict == Verdict::kRegression) return true;
  for (const auto& [name, c] : overall_dimensions) {
    if (c.verdict == Verdict::kRegression) return true;
  }
  return !RegressedPrompts().empty();
}

std::vector<std::string> Comparison::RegressedPrompts() const {
  return PromptsWith(*this, Verdict::kRegression);
}

std::vector<std::string> Comparison::ImprovedPrompts() const {
  return PromptsWith(*this, Verdict::kImprovement);
}

absl::StatusOr<RunProvenance> ReadRunProvenance(const std::string& run_dir) {
  RunProvenance p;
  std::string path = SuitePath(run_dir, "run.json");
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return p;
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", text.status().message()));
  }
  absl::StatusOr<nlohmann::json> parsed = ParseJson(*text, path);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& doc = *parsed;
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a JSON object"));
  }
  p.has_run_json = true;
  auto string_field = [&](const char* key, std::optional<std::string>* to) -> absl::Status {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return absl::OkStatus();
    if (!it->is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": '", key, "' must be a string"));
    }
    *to = it->get<std::string>();
    return absl::OkStatus();
  };
  for (absl::Status s :
       {string_field("suite_hash", &p.suite_hash), string_field("environment", &p.environment)}) {
    if (!s.ok()) return s;
  }
  if (auto it = doc.find("seed"); it != doc.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": 'seed' must be an integer"));
    }
    p.seed = it->get<int64_t>();
  }
  if (auto it = doc.find("rubric_versions"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": 'rubric_versions' must be an object"));
    }
    for (auto v = it->begin(); v != it->end(); ++v) {
      p.rubric_versions[v.key()] = v->is_string() ? v->get<std::string>() : v->dump();
    }
  }
  return p;
}

Comparison CompareRuns(const RunScores& base, const RunProvenance& base_provenance,
                       const RunScores& candidate, const RunProvenance& candidate_provenance,
                       const CompareOptions& options) {
  Comparison out;
  out.resamples = options.resamples;
  out.seed = options.seed;
  CheckProvenance(base_provenance, candidate_provenance, &out);

  std::map<Key, const ScoredAnswer*> by_key;
  for (const ScoredAnswer& a : candidate.answers) {
    by_key.emplace(Key{a.incident, a.prompt_id, a.trial}, &a);
  }
  std::set<std::string> base_prompts, candidate_prompts;
  for (const ScoredAnswer& a : base.answers) base_prompts.insert(a.prompt_id);
  for (const ScoredAnswer& a : candidate.answers) candidate_prompts.insert(a.prompt_id);

  // Prompts in first-seen order: the base's, then the candidate's.
  std::vector<PromptPairs> prompts;
  std::map<std::string, size_t> prompt_index;
  auto prompt_for = [&](const ScoredAnswer& a) -> PromptPairs& {
    auto [it, added] = prompt_index.emplace(a.prompt_id, prompts.size());
    if (added) {
      PromptPairs p;
      p.prompt_id = a.prompt_id;
      p.incident = a.incident;
      for (const DimensionResult& d : a.score.dimensions) p.dimensions.push_back({d.name, {}});
      prompts.push_back(std::move(p));
    }
    return prompts[it->second];
  };

  std::set<Key> matched;
  for (const ScoredAnswer& b : base.answers) {
    if (!candidate_prompts.count(b.prompt_id)) {
      ++out.base_unpaired;
      continue;
    }
    PromptPairs& p = prompt_for(b);
    Key key{b.incident, b.prompt_id, b.trial};
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      ++out.base_unpaired;
      continue;
    }
    const ScoredAnswer& c = *it->second;
    matched.insert(key);
    ++out.paired;
    p.score.base.push_back(b.score.score);
    p.score.candidate.push_back(c.score.score);
    for (auto& [name, pairs] : p.dimensions) {
      const DimensionResult* bd = FindDimension(b.score, name);
      const DimensionResult* cd = FindDimension(c.score, name);
      if (bd == nullptr || cd == nullptr || bd->skipped || cd->skipped) continue;
      pairs.base.push_back(bd->score);
      pairs.candidate.push_back(cd->score);
    }
  }
  for (const ScoredAnswer& c : candidate.answers) {
    if (!base_prompts.count(c.prompt_id)) {
      ++out.candidate_unpaired;
      continue;
    }
    prompt_for(c);
    if (!matched.count(Key{c.incident, c.prompt_id, c.trial})) ++out.candidate_unpaired;
  }

  for (const ScoredAnswer& a : base.answers) {
    if (!candidate_prompts.count(a.prompt_id) &&
        (out.prompts_only_in_base.empty() || out.prompts_only_in_base.back() != a.prompt_id)) {
      out.prompts_only_in_base.push_back(a.prompt_id);
    }
  }
  for (const ScoredAnswer& a : candidate.answers) {
    if (!base_prompts.count(a.prompt_id) && (out.prompts_only_in_candidate.empty() ||
                                             out.prompts_only_in_candidate.back() != a.prompt_id)) {
      out.prompts_only_in_candidate.push_back(a.prompt_id);
    }
  }
  if (!out.prompts_only_in_base.empty()) {
    out.warnings.push_back(
        absl::StrCat("prompts only in base: ", absl::StrJoin(out.prompts_only_in_base, ", ")));
    out.comparable = false;
  }
  if (!out.prompts_only_in_candidate.empty()) {
    out.warnings.push_back(absl::StrCat("prompts only in candidate: ",
                                        absl::StrJoin(out.prompts_only_in_candidate, ", ")));
    out.comparable = false;
  }
  for (const auto& [side, p] :
       {std::pair<const char*, const RunProvenance*>{"base", &base_provenance},
        {"candidate", &candidate_provenance}}) {
    if (!p->has_run_json) {
      out.warnings.push_back(
          absl::StrCat(side, " has no run.json: its suite, seed and environment were not checked"));
    }
  }

  std::vector<const Pairs*> overall_groups;
  std::map<std::string, std::vector<const Pairs*>> dimension_groups;
  for (const PromptPairs& p : prompts) {
    PromptComparison pc;
    pc.prompt_id = p.prompt_id;
    pc.incident = p.incident;
    const std::vector<const Pairs*> score_group = {&p.score};
    pc.score = p.score.base.empty()
                   ? Change{}
                   : Measure(score_group, absl::StrCat("prompt/", p.prompt_id), options);
    if (!p.score.base.empty()) overall_groups.push_back(&p.score);
    for (const auto& [name, pairs] : p.dimensions) {
      const std::vector<const Pairs*> group = {&pairs};
      pc.dimensions.push_back(
          {name, pairs.base.empty()
                     ? Change{}
                     : Measure(group, absl::StrCat("prompt/", p.prompt_id, "/", name), options)});
      if (!pairs.base.empty()) dimension_groups[name].push_back(&pairs);
    }
    out.prompts.push_back(std::move(pc));
  }
  out.overall = Measure(overall_groups, "overall", options);
  out.overall.pairs = static_cast<int>(overall_groups.size());
  for (const std::string& name : AllDimensions()) {
    bool present = false;
    for (const PromptComparison& p : out.prompts) {
      for (const auto& [d, c] : p.dimensions) present = present || d == name;
    }
    if (!present) continue;
    const std::vector<const Pairs*>& groups = dimension_groups[name];
    Change change = Measure(groups, absl::StrCat("overall/", name), options);
    change.pairs = static_cast<int>(groups.size());
    out.overall_dimensions.push_back({name, change});
  }
  return out;
}

namespace {

std::string Num(const std::optional<double>& v) {
  return v ? absl::StrFormat("%.4f", *v) : std::string("-");
}

std::string Signed(const std::optional<double>& v) {
  if (!v) return "-";
  return absl::StrFormat("%+.4f", *v);
}

std::string Interval(const Change& c) {
  if (c.pairs == 0) return "-";
  return absl::StrFormat("[%+.4f, %+.4f]", c.ci_low, c.ci_high);
}

void Row(const std::string& name, const Change& c, std::string* out) {
  absl::StrAppend(out, "| ", name, " | ", c.pairs, " | ", Num(c.base), " | ", Num(c.candidate),
                  " | ", Signed(c.change), " | ", Interval(c), " | ", VerdictName(c.verdict),
                  " |\n");
}

nlohmann::ordered_json ChangeJson(const Change& c) {
  nlohmann::ordered_json j;
  auto opt = [](const std::optional<double>& v) -> nlohmann::ordered_json {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
  };
  j["pairs"] = c.pairs;
  j["base"] = opt(c.base);
  j["candidate"] = opt(c.candidate);
  j["change"] = opt(c.change);
  j["ci"] = c.pairs == 0 ? nlohmann::ordered_json(nullptr)
                         : nlohmann::ordered_json::array({c.ci_low, c.ci_high});
  j["verdict"] = VerdictName(c.verdict);
  return j;
}

nlohmann::ordered_json DimensionsJson(const std::vector<std::pair<std::string, Change>>& dims) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, c] : dims) j[name] = ChangeJson(c);
  return j;
}

}  // namespace

std::string CompareMarkdown(const Comparison& c) {
  std::string out = absl::StrCat("# Comparison: `", c.base_label, "` (base) vs `",
                                 c.candidate_label, "` (candidate)\n\n");
  if (!c.warnings.empty()) {
    absl::StrAppend(&out, c.comparable ? "**Warnings:**\n\n" : "**Not comparable:**\n\n");
    for (const std::string& w : c.warnings) absl::StrAppend(&out, "- ", w, "\n");
    absl::StrAppend(&out, "\n");
  }
  std::vector<std::string> regressed = c.RegressedPrompts();
  std::vector<std::string> improved = c.ImprovedPrompts();
  absl::StrAppend(&out, "Overall: ", Signed(c.overall.change), " (", VerdictName(c.overall.verdict),
                  "). Regressions: ", regressed.empty() ? "none" : absl::StrJoin(regressed, ", "),
                  ". Improvements: ", improved.empty() ? "none" : absl::StrJoin(improved, ", "),
                  ".\n\n");
  absl::StrAppend(
      &out, c.paired, " answers paired by incident, prompt and trial; unpaired: ", c.base_unpaired,
      " in base, ", c.candidate_unpaired, " in candidate. Intervals: 95% paired bootstrap, ",
      c.resamples, " resamples, seed ", c.seed, ".\n");
  const char* header =
      "|  | pairs | base | candidate | change | 95% CI | verdict |\n"
      "|---|---:|---:|---:|---:|---|---|\n";
  for (const PromptComparison& p : c.prompts) {
    absl::StrAppend(&out, "\n## ", p.prompt_id, " (", p.incident, ")\n\n", header);
    Row("score", p.score, &out);
    for (const auto& [name, change] : p.dimensions) Row(name, change, &out);
  }
  absl::StrAppend(&out, "\n## Overall (mean over prompts)\n\n",
                  "|  | prompts | base | candidate | change | 95% CI | verdict |\n"
                  "|---|---:|---:|---:|---:|---|---|\n");
  Row("score", c.overall, &out);
  for (const auto& [name, change] : c.overall_dimensions) Row(name, change, &out);
  return out;
}

std::string CompareJson(const Comparison& c) {
  nlohmann::ordered_json j;
  j["schema_version"] = kCompareSchemaVersion;
  j["base"] = c.base_label;
  j["candidate"] = c.candidate_label;
  j["comparable"] = c.comparable;
  j["warnings"] = c.warnings;
  j["prompts_only_in_base"] = c.prompts_only_in_base;
  j["prompts_only_in_candidate"] = c.prompts_only_in_candidate;
  j["counts"] = {{"paired", c.paired},
                 {"base_unpaired", c.base_unpaired},
                 {"candidate_unpaired", c.candidate_unpaired}};
  j["bootstrap"] = {{"confidence", 0.95}, {"resamples", c.resamples}, {"seed", c.seed}};
  j["regressions"] = c.RegressedPrompts();
  j["improvements"] = c.ImprovedPrompts();
  nlohmann::ordered_json overall = ChangeJson(c.overall);
  overall["dimensions"] = DimensionsJson(c.overall_dimensions);
  j["overall"] = std::move(overall);
  nlohmann::ordered_json prompts = nlohmann::ordered_json::array();
  for (const PromptComparison& p : c.prompts) {
    nlohmann::ordered_json pj;
    pj["prompt_id"] = p.prompt_id;
    pj["incident"] = p.incident;
    nlohmann::ordered_json score = ChangeJson(p.score);
    for (auto it = score.begin(); it != score.end(); ++it) pj[it.key()] = it.value();
    pj["dimensions"] = DimensionsJson(p.dimensions);
    prompts.push_back(std::move(pj));
  }
  j["prompts"] = std::move(prompts);
  return j.dump(2) + "\n";
}

}  // namespace sre_eval
