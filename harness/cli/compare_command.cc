// sre-eval compare: the change between two runs, with paired bootstrap confidence intervals.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "nlohmann/json.hpp"
#include "report/process.h"
#include "score/compare.h"
#include "score/rubric_set.h"
#include "score/run_scores.h"
#include "suite/fingerprint.h"
#include "suite/suite.h"
#include "util/diagnostic.h"
#include "util/file_util.h"
#include "util/json_parse.h"

namespace sre_eval {
namespace {

// The answers both runs have, (prompt id, trial) -> counts.
using ByAnswer = std::map<std::tuple<std::string, int64_t>, ProcessCounts>;

struct PairedProcess {
  int pairs = 0;
  ProcessCounts base, candidate;
};

PairedProcess PairProcess(const Process& base, const Process& candidate) {
  ByAnswer b;
  for (const AnswerProcess& a : base.answers) b[{a.prompt_id, a.trial}] = a.counts;
  PairedProcess p;
  for (const AnswerProcess& a : candidate.answers) {
    auto it = b.find({a.prompt_id, a.trial});
    if (it == b.end()) continue;
    ++p.pairs;
    AddCounts(it->second, &p.base);
    AddCounts(a.counts, &p.candidate);
  }
  return p;
}

// The paired change in how the agents worked (calls, failures, unsafe actions, tokens, cost),
// beside the score change: a section of the Markdown, "process" in the JSON. Nothing when
// neither run recorded any.
void AppendProcessChange(const Process& base, const Process& candidate, bool json,
                         std::string* report) {
  if (!base.any && !candidate.any) return;
  const PairedProcess p = PairProcess(base, candidate);
  struct Row {
    const char* name;
    std::optional<double> b, c;
    bool money;
  };
  auto num = [](const std::optional<int64_t>& v) {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
  };
  const std::vector<Row> rows = {
      {"calls", static_cast<double>(p.base.calls), static_cast<double>(p.candidate.calls), false},
      {"repeated", static_cast<double>(p.base.repeated), static_cast<double>(p.candidate.repeated),
       false},
      {"failed", static_cast<double>(p.base.failed), static_cast<double>(p.candidate.failed),
       false},
      {"unsafe", static_cast<double>(p.base.unsafe), static_cast<double>(p.candidate.unsafe),
       false},
      {"turns", num(p.base.turns), num(p.candidate.turns), false},
      {"prompt_tokens", num(p.base.prompt_tokens), num(p.candidate.prompt_tokens), false},
      {"completion_tokens", num(p.base.completion_tokens), num(p.candidate.completion_tokens),
       false},
      {"cost_usd", p.base.cost_usd, p.candidate.cost_usd, true}};
  auto text = [](const std::optional<double>& v, bool money) {
    if (!v) return std::string("-");
    return money ? absl::StrFormat("$%.4f", *v) : absl::StrFormat("%.0f", *v);
  };
  if (json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(*report);
    nlohmann::ordered_json proc;
    proc["pairs"] = p.pairs;
    for (const char* side : {"base", "candidate", "change"}) {
      nlohmann::ordered_json o;
      for (const Row& r : rows) {
        std::optional<double> v = std::string(side) == "base"        ? r.b
                                  : std::string(side) == "candidate" ? r.c
                                  : (r.b && r.c) ? std::optional<double>(*r.c - *r.b)
                                                 : std::nullopt;
        if (!v) {
          o[r.name] = nullptr;
        } else if (r.money) {
          o[r.name] = std::round(*v * 1e6) / 1e6;
        } else {
          o[r.name] = static_cast<int64_t>(std::llround(*v));
        }
      }
      proc[side] = std::move(o);
    }
    j["process"] = std::move(proc);
    *report = j.dump(2) + "\n";
    return;
  }
  absl::StrAppend(report, "\n## Process\n\nOver the ", p.pairs,
                  " answers both runs have: how the agents worked, beside the score change.\n\n"
                  "| | base | candidate | change |\n|---|---:|---:|---:|\n");
  for (const Row& r : rows) {
    std::string change = "-";
    if (r.b && r.c) {
      const double d = *r.c - *r.b;
      change = r.money ? absl::StrFormat("%s$%.4f", d < 0 ? "-" : "+", std::fabs(d))
                       : absl::StrFormat("%+.0f", d);
    }
    absl::StrAppend(report, "| ", r.name, " | ", text(r.b, r.money), " | ", text(r.c, r.money),
                    " | ", change, " |\n");
  }
}

}  // namespace

namespace {

bool Exists(const std::string& path, bool* is_dir = nullptr) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  if (is_dir != nullptr) *is_dir = S_ISDIR(st.st_mode);
  return true;
}

// The answers of RUN_DIR/scores.json, for a run folder that kept no responses.jsonl.
absl::StatusOr<RunScores> ReadScoresFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", text.status().message()));
  }
  absl::StatusOr<nlohmann::ordered_json> parsed = ParseJson<nlohmann::ordered_json>(*text, path);
  if (!parsed.ok()) return parsed.status();
  nlohmann::ordered_json& doc = *parsed;
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a JSON object"));
  }
  if (doc.value("schema_version", 0) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unknown schema_version (this sre-eval reads 1)"));
  }
  RunScores out;
  const nlohmann::ordered_json& answers = doc["answers"];
  if (!answers.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": 'answers' must be an array"));
  }
  for (size_t i = 0; i < answers.size(); ++i) {
    const nlohmann::ordered_json& a = answers[i];
    if (!a.is_object() || !a.value("incident", nlohmann::ordered_json()).is_string() ||
        !a.value("prompt_id", nlohmann::ordered_json()).is_string() ||
        !a.value("trial", nlohmann::ordered_json()).is_number_integer() ||
        !a.value("score", nlohmann::ordered_json()).is_number() ||
        !a.value("dimensions", nlohmann::ordered_json()).is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": answers[", i,
                       "] needs 'incident', 'prompt_id', 'trial', 'score' and 'dimensions'"));
    }
    ScoredAnswer s;
    s.incident = a["incident"].get<std::string>();
    s.prompt_id = a["prompt_id"].get<std::string>();
    s.trial = a["trial"].get<int64_t>();
    s.score.score = a["score"].get<double>();
    const nlohmann::ordered_json& dims = a["dimensions"];
    for (auto it = dims.begin(); it != dims.end(); ++it) {
      DimensionResult d;
      d.name = it.key();
      d.score = it->value("score", 0.0);
      d.skipped = it->value("skipped", false);
      s.score.dimensions.push_back(std::move(d));
    }
    out.answers.push_back(std::move(s));
  }
  return out;
}

}  // namespace

const CommandSpec& CompareSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "compare",
      "compare two runs: the change per prompt and dimension, with confidence intervals",
      "BASE_RUN CANDIDATE_RUN",
      2,
      2,
      "Pairs the answers of two run folders by incident, prompt and trial, and reports, per\n"
      "prompt and dimension and overall, the base and candidate means, the change and its\n"
      "95% paired bootstrap confidence interval (2000 resamples, a fixed seed: the same runs\n"
      "always give the same output). A change whose interval lies entirely below 0 is a\n"
      "regression, entirely above 0 an improvement, else no significant change.\n"
      "\n"
      "Both runs are re-scored with the suite's current rubrics (no LLM judge: judge\n"
      "criteria are skipped) from RUN/responses.jsonl and RUN/<incident>/truth.json, so that\n"
      "both are scored alike; a run folder without responses.jsonl is read from its\n"
      "scores.json instead. Overall means weigh each prompt once.\n"
      "\n"
      "Warnings come first: the runs are not comparable when their run.json files differ in\n"
      "suite hash, rubric versions, seed or environment, or when a prompt has answers in one\n"
      "run only (those prompts are listed). Answers without a partner are counted. A run\n"
      "made with another suite than the one that re-scores it is named too.\n"
      "\n" +
          std::string(kSuiteHelp) +
          "\n"
          "Exit code 0; 1 with --fail-on-regression when any change is a regression; 2 when a\n"
          "run folder or the suite cannot be read.",
      {
          {"format", "md|json", "output format (default md)"},
          {"fail-on-regression", "", "exit 1 when any change is a significant regression"},
          {"suite", "DIR", "the suite folder (holding prompts/ and rubrics/)"},
      }};
  return *spec;
}

int RunCompare(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const char* me = "sre-eval compare: ";
  std::string format = args.Get("format", "md");
  if (format != "md" && format != "json") {
    err << me << "--format must be md or json, got '" << format << "'\n";
    return kExitBadInput;
  }
  const std::string& base_dir = args.positionals[0];
  const std::string& candidate_dir = args.positionals[1];
  for (const std::string& dir : {base_dir, candidate_dir}) {
    bool is_dir = false;
    if (!Exists(dir, &is_dir)) {
      err << me << "run folder '" << dir << "' does not exist\n";
      return kExitBadInput;
    }
    if (!is_dir) {
      err << me << "'" << dir << "' is not a run folder\n";
      return kExitBadInput;
    }
    if (!Exists(SuitePath(dir, "responses.jsonl")) && !Exists(SuitePath(dir, "scores.json"))) {
      err << me << "'" << dir << "' has neither responses.jsonl nor scores.json\n";
      return kExitBadInput;
    }
  }

  std::string root = ResolveSuiteRoot(args);
  Suite suite;
  RubricSet rubrics;
  if (!LoadCompiledSuite(root, "compare", "; nothing compared", &suite, &rubrics, err))
    return kExitBadInput;

  // The suite's hash now, to say when a run was made with another suite than the one that
  // re-scores it.
  absl::StatusOr<SuiteFingerprint> current = FingerprintSuite(suite);
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  RunScores scores[2];
  RunProvenance provenance[2];
  std::vector<std::string> notes;
  const std::string dirs[2] = {base_dir, candidate_dir};
  const char* sides[2] = {"base", "candidate"};
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<RunProvenance> p = ReadRunProvenance(dirs[i]);
    if (!p.ok()) {
      err << me << EscapeControls(p.status().message()) << "\n";
      return kExitBadInput;
    }
    provenance[i] = *std::move(p);
    absl::StatusOr<RunScores> s;
    if (Exists(SuitePath(dirs[i], "responses.jsonl"))) {
      s = ScoreRun(suite, rubrics, dirs[i], /*judge=*/nullptr, jobs);
      const std::optional<std::string>& made_with = provenance[i].suite_hash;
      if (current.ok() && made_with.has_value() && *made_with != current->suite_hash) {
        notes.push_back(absl::StrCat(
            sides[i], " was run with another suite (suite hash ", EscapeControls(*made_with),
            "); it is re-scored with the current one (", current->suite_hash, ")"));
      }
    } else {
      s = ReadScoresFile(SuitePath(dirs[i], "scores.json"));
      notes.push_back(absl::StrCat(sides[i],
                                   " has no responses.jsonl: its scores.json was used, not "
                                   "re-scored with the current rubrics"));
    }
    if (!s.ok()) {
      err << me << s.status().message() << "\n";
      return kExitBadInput;
    }
    for (const Diagnostic& d : s->problems) {
      Diagnostic shown = d;
      shown.file = SuitePath(dirs[i], d.file);
      err << shown.ToString() << "\n";
    }
    if (s->counts.not_scored > 0) {
      notes.push_back(absl::StrCat(sides[i], ": ", Plural(s->counts.not_scored, "line"),
                                   " of responses.jsonl not scored"));
    }
    scores[i] = *std::move(s);
  }

  Comparison c = CompareRuns(scores[0], provenance[0], scores[1], provenance[1]);
  c.base_label = base_dir;
  c.candidate_label = candidate_dir;
  for (std::string& n : notes) c.warnings.push_back(std::move(n));
  std::string report = format == "json" ? CompareJson(c) : CompareMarkdown(c);
  AppendProcessChange(LoadProcess(base_dir), LoadProcess(candidate_dir), format == "json", &report);
  out << report;
  if (args.Has("fail-on-regression") && c.HasRegression()) {
    std::vector<std::string> regressed = c.RegressedPrompts();
    err << "compare: significant regression"
        << (regressed.empty() ? std::string(" overall")
                              : absl::StrCat(" in ", absl::StrJoin(regressed, ", ")))
        << "\n";
    return kExitGateFailed;
  }
  return kExitOk;
}

}  // namespace sre_eval
