#include "score/run_scores.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "suite/prompt.h"
#include "util/edit_distance.h"

namespace sre_eval {

std::optional<double> Mean(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

namespace {

std::string JoinPath(const std::string& dir, const std::string& relative) {
  if (dir.empty() || dir == ".") return relative;
  if (dir.back() == '/') return dir + relative;
  return absl::StrCat(dir, "/", relative);
}

std::string Answers(int n) { return absl::StrCat(n, n == 1 ? " answer" : " answers"); }

// A problem that concerns many lines, reported once at the first of them with their count.
struct Grouped {
  int first_line = 0;
  int count = 0;
  std::string message;
};

void Note(std::map<std::string, Grouped>* groups, const std::string& key, int line,
          const std::string& message) {
  Grouped& g = (*groups)[key];
  if (g.count++ == 0) {
    g.first_line = line;
    g.message = message;
  }
}

// One incident's truth, loaded on first use.
struct TruthEntry {
  std::optional<Truth> truth;
  std::string reason;  // Why there is none.
  int line = 0;        // Where in the file, when the reason has a place.
  int column = 0;
  int skipped = 0;
};

// Splits LoadTruth's message for `path`, "PATH: reason" or "PATH:LINE:COL: reason", into its
// parts; `message` without the path when it has another shape.
void SplitTruthError(absl::string_view message, const std::string& path, TruthEntry* entry) {
  entry->reason = std::string(message);
  if (!absl::ConsumePrefix(&message, path)) return;
  if (absl::ConsumePrefix(&message, ": ")) {
    entry->reason = std::string(message);
    return;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(message, absl::MaxSplits(':', 3));
  int line = 0, column = 0;
  if (parts.size() == 4 && parts[0].empty() && absl::SimpleAtoi(parts[1], &line) &&
      absl::SimpleAtoi(parts[2], &column) && absl::ConsumePrefix(&parts[3], " ")) {
    entry->line = line;
    entry->column = column;
    entry->reason = std::string(parts[3]);
  }
}

// The score of an answer that was never read (the agent's call failed): every dimension 0.
AnswerScore ZeroScore(const Rubric& rubric, bool with_judge) {
  AnswerScore s;
  for (const RubricDimension& d : rubric.dimensions) {
    DimensionResult r;
    r.name = d.name;
    r.weight = d.weight;
    r.maximum = DimensionMaximum(d, with_judge);
    r.skipped = r.maximum == 0 && !d.criteria.empty() &&
                std::all_of(d.criteria.begin(), d.criteria.end(), [&](const Criterion& c) {
                  return c.kind == CriterionKind::kJudge && !with_judge;
                });
    s.dimensions.push_back(r);
  }
  return s;
}

class RunScorer {
 public:
  // Receives each scored answer, in the order of the file, on the calling thread.
  using Sink = std::function<void(const ScoredAnswer&)>;

  RunScorer(const Suite& suite, const RubricSet& rubrics, const std::string& run_dir,
            const std::string& responses, const Judge* judge, int jobs, Sink sink)
      : suite_(suite),
        rubrics_(rubrics),
        run_dir_(run_dir),
        responses_(responses),
        judge_(judge),
        jobs_(std::max(1, jobs)),
        sink_(std::move(sink)) {
    for (const Prompt* p : suite.AllPrompts()) {
      if (order_.count(p->id) != 0) continue;
      order_.emplace(p->id, prompts_.size());
      prompts_.push_back(p);
      prompt_ids_.push_back(p->id);
    }
  }

  void Add(const Response& r) {
    ++out_.counts.answers;
    auto at = order_.find(r.prompt_id);
    if (at == order_.end()) {
      NotScored(
          &unknown_, r.prompt_id, r.line,
          absl::StrCat("unknown prompt '", r.prompt_id, "'", DidYouMean(r.prompt_id, prompt_ids_)));
      return;
    }
    const Prompt& prompt = *prompts_[at->second];
    if (prompt.incident != r.incident) {
      NotScored(&mismatch_, absl::StrCat(r.prompt_id, "\n", r.incident), r.line,
                absl::StrCat("prompt '", r.prompt_id, "' belongs to incident '", prompt.incident,
                             "', not '", r.incident, "'"));
      return;
    }
    auto [seen, inserted] =
        seen_.emplace(std::make_pair(static_cast<uint32_t>(at->second), r.trial), r.line);
    if (!inserted) {
      ++out_.counts.not_scored;
      problems_.Add(responses_, r.line, 0,
                    absl::StrCat("duplicate answer for prompt '", r.prompt_id, "' trial ", r.trial,
                                 "; the one on line ", seen->second, " is scored"));
      return;
    }
    TruthEntry& truth = FindTruth(r.incident);
    if (!truth.truth.has_value()) {
      ++truth.skipped;
      ++out_.counts.not_scored;
      return;
    }
    const CompiledRubric* rubric = rubrics_.Find(r.prompt_id);
    if (rubric == nullptr) {
      NotScored(&no_rubric_, r.prompt_id, r.line,
                absl::StrCat("prompt '", r.prompt_id, "' has no rubric in the suite"));
      return;
    }
    scored_prompts_.insert(r.prompt_id);

    Pending p;
    p.prompt = static_cast<uint32_t>(at->second);
    ScoredAnswer& a = p.scored;
    a.incident = r.incident;
    a.prompt_id = r.prompt_id;
    a.trial = r.trial;
    a.line = r.line;
    a.status = r.status;
    if (r.status == ResponseStatus::kOk) {
      p.rubric = rubric;
      p.truth = &*truth.truth;
      p.answer = r.answer;
      p.options.judge = judge_;
      p.options.question = r.prompt;
      if (p.options.question.empty()) {
        absl::StatusOr<std::string> rendered = prompt.tmpl.Render(truth.truth->facts);
        if (rendered.ok()) p.options.question = *std::move(rendered);
      }
    } else {
      a.note = absl::StrCat("not scored: agent ", ResponseStatusName(r.status), ": ", r.error);
      a.score = ZeroScore(rubric->rubric(), judge_ != nullptr);
    }
    pending_.push_back(std::move(p));
    if (pending_.size() >= kBatch * static_cast<size_t>(jobs_)) Flush();
  }

  // Scores the answers waiting, on `jobs_` threads (each writes only its own answers'
  // scores), then tallies them and hands them to the sink in the order of the file.
  void Flush() {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < pending_.size(); i = next++) {
        Pending& p = pending_[i];
        if (p.rubric != nullptr) p.scored.score = p.rubric->Score(p.answer, *p.truth, p.options);
      }
    };
    size_t threads = std::min<size_t>(static_cast<size_t>(jobs_), pending_.size());
    if (threads <= 1) {
      work();
    } else {
      std::vector<std::thread> pool;
      for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
      for (std::thread& t : pool) t.join();
    }
    for (const Pending& p : pending_) {
      Tally(p.prompt, p.scored);
      sink_(p.scored);
    }
    pending_.clear();
  }

  // `*order` receives the sink's answers' indices (in the order they were given to it) by
  // prompt in suite order, then trial.
  RunScores Finish(std::vector<uint32_t>* order) {
    Flush();
    for (auto& [incident, entry] : truths_) {
      if (entry.truth.has_value()) continue;
      problems_.Add(absl::StrCat(incident, "/truth.json"), entry.line, entry.column,
                    absl::StrCat("no truth for incident '", incident, "' (", entry.reason, "); ",
                                 Answers(entry.skipped), " not scored"));
    }
    for (auto* groups : {&unknown_, &mismatch_, &no_rubric_}) {
      for (const auto& [key, g] : *groups) {
        problems_.Add(responses_, g.first_line, 0,
                      absl::StrCat(g.message, "; ", Answers(g.count), " not scored"));
      }
    }
    out_.problems = problems_.Sorted();

    // (prompt, trial) is unique among the scored answers: duplicates were left out.
    order->resize(tallies_.size());
    for (uint32_t i = 0; i < order->size(); ++i) (*order)[i] = i;
    std::sort(order->begin(), order->end(), [&](uint32_t x, uint32_t y) {
      return std::make_pair(tallies_[x].prompt, tallies_[x].trial) <
             std::make_pair(tallies_[y].prompt, tallies_[y].trial);
    });
    Aggregate(*order);
    return std::move(out_);
  }

  void AddProblems(const Diagnostics& d) {
    for (const Diagnostic& x : d.list()) problems_.Add(x);
  }

 private:
  // What the aggregates need of one scored answer, kept instead of the answer so that memory
  // does not grow with the answers' text: about 40 bytes and 8 per dimension. Scores are kept
  // as RoundScore(score) * 10000, which RoundScore makes a whole number, so the means are
  // computed from exactly the values, and in the order, they would be from the answers.
  struct AnswerTally {
    int64_t trial = 0;
    uint32_t prompt = 0;  // Index in prompts_.
    int32_t score = 0;
    uint32_t dimensions_begin = 0;  // In dimension_tallies_.
    uint16_t dimensions = 0;
    uint16_t judge_errors = 0;
    ResponseStatus status = ResponseStatus::kOk;
  };
  struct DimensionTally {
    uint32_t index = 0;  // In the prompt's dimensions.
    int32_t score = 0;
  };

  static int32_t Units(double score) {
    double units = std::round(score * 10000.0);
    // Scores are clamped to [0, 1]; the bound only keeps the conversion defined.
    return static_cast<int32_t>(std::clamp(units, -1e9, 1e9));
  }
  static double FromUnits(int32_t units) { return static_cast<double>(units) / 10000.0; }

  void Tally(uint32_t prompt_index, const ScoredAnswer& a) {
    const Prompt& p = *prompts_[prompt_index];
    AnswerTally t;
    t.trial = a.trial;
    t.prompt = prompt_index;
    t.score = Units(a.score.score);
    t.status = a.status;
    t.dimensions_begin = static_cast<uint32_t>(dimension_tallies_.size());
    for (const DimensionResult& d : a.score.dimensions) {
      auto it = std::find(p.dimensions.begin(), p.dimensions.end(), d.name);
      if (it == p.dimensions.end() || d.skipped) continue;
      dimension_tallies_.push_back(
          {static_cast<uint32_t>(it - p.dimensions.begin()), Units(d.score)});
      ++t.dimensions;
    }
    for (const CriterionResult& r : a.score.criteria) {
      if (judge_ != nullptr && r.kind == CriterionKind::kJudge && r.skipped) ++t.judge_errors;
    }
    tallies_.push_back(t);
  }

  void NotScored(std::map<std::string, Grouped>* groups, const std::string& key, int line,
                 const std::string& message) {
    ++out_.counts.not_scored;
    Note(groups, key, line, message);
  }

  TruthEntry& FindTruth(const std::string& incident) {
    auto it = truths_.find(incident);
    if (it != truths_.end()) return it->second;
    TruthEntry& entry = truths_[incident];
    std::string path = JoinPath(run_dir_, absl::StrCat(incident, "/truth.json"));
    absl::StatusOr<Truth> truth = LoadTruth(path);
    if (truth.ok()) {
      if (truth->incident == incident) {
        entry.truth = *std::move(truth);
      } else {
        entry.reason = absl::StrCat("the file is for incident '", truth->incident, "'");
      }
    } else if (absl::IsNotFound(truth.status())) {
      entry.reason = "no such file";
    } else {
      SplitTruthError(truth.status().message(), path, &entry);
    }
    return entry;
  }

  // `order`: the tallies by prompt in suite order, then trial.
  void Aggregate(const std::vector<uint32_t>& order) {
    RunCounts& c = out_.counts;
    c.scored = static_cast<int>(tallies_.size());
    for (const AnswerTally& t : tallies_) {
      switch (t.status) {
        case ResponseStatus::kOk:
          ++c.ok;
          break;
        case ResponseStatus::kError:
          ++c.error;
          break;
        case ResponseStatus::kTimeout:
          ++c.timeout;
          break;
      }
      out_.judge_errors += t.judge_errors;
    }
    std::vector<double> prompt_means;
    std::map<std::string, std::vector<double>> dimension_means;
    std::set<std::string> dimensions_used;
    size_t next = 0;  // In `order`.
    for (uint32_t pi = 0; pi < prompts_.size(); ++pi) {
      const Prompt* p = prompts_[pi];
      PromptScores ps;
      ps.prompt_id = p->id;
      ps.incident = p->incident;
      ps.dimensions = p->dimensions;
      dimensions_used.insert(p->dimensions.begin(), p->dimensions.end());
      // Sums in the answers' order, as Mean() would add them.
      double sum = 0;
      std::vector<double> dim_sums(p->dimensions.size(), 0.0);
      std::vector<size_t> dim_counts(p->dimensions.size(), 0);
      for (; next < order.size() && tallies_[order[next]].prompt == pi; ++next) {
        const AnswerTally& t = tallies_[order[next]];
        ++ps.trials;
        if (t.status != ResponseStatus::kOk) ++ps.failed;
        sum += FromUnits(t.score);
        for (uint32_t d = t.dimensions_begin; d < t.dimensions_begin + t.dimensions; ++d) {
          const DimensionTally& dt = dimension_tallies_[d];
          dim_sums[dt.index] += FromUnits(dt.score);
          ++dim_counts[dt.index];
        }
      }
      if (ps.trials > 0) ps.score = sum / static_cast<double>(ps.trials);
      for (size_t i = 0; i < dim_sums.size(); ++i) {
        std::optional<double> m;
        if (dim_counts[i] > 0) m = dim_sums[i] / static_cast<double>(dim_counts[i]);
        ps.dimension_scores.push_back(m);
        if (m.has_value()) dimension_means[p->dimensions[i]].push_back(*m);
      }
      if (ps.score.has_value()) prompt_means.push_back(*ps.score);
      out_.prompts.push_back(std::move(ps));
    }
    out_.overall = Mean(prompt_means);
    for (const std::string& d : AllDimensions()) {
      if (dimensions_used.count(d) == 0) continue;
      out_.overall_dimensions.emplace_back(d, Mean(dimension_means[d]));
    }
    if (judge_ != nullptr) {
      out_.judge_model = judge_->model();
      out_.judge_prompt_hash = judge_->prompt_hash();
    }
    for (const std::string& id : scored_prompts_) {
      if (const Rubric* r = suite_.FindRubric(id)) out_.judge_criteria += CountJudgeCriteria(*r);
    }
  }

  const Suite& suite_;
  const RubricSet& rubrics_;
  const std::string& run_dir_;
  const std::string& responses_;  // The answers' file, relative to run_dir_.
  const Judge* judge_;
  const int jobs_;
  const Sink sink_;
  // An answer waiting to be scored (rubric set) or handed on (a failed call's, already 0).
  struct Pending {
    uint32_t prompt = 0;
    ScoredAnswer scored;
    const CompiledRubric* rubric = nullptr;
    const Truth* truth = nullptr;
    std::string answer;
    ScoreOptions options;
  };
  // Answers are scored in batches of this many per thread, so that memory stays bounded
  // however long the file is.
  static constexpr size_t kBatch = 256;
  std::vector<Pending> pending_;
  std::vector<AnswerTally> tallies_;  // In the sink's order.
  std::vector<DimensionTally> dimension_tallies_;
  std::vector<const Prompt*> prompts_;  // Suite order.
  std::vector<std::string> prompt_ids_;
  std::map<std::string, size_t> order_;
  std::map<std::string, TruthEntry> truths_;
  // (prompt index, trial) -> the line scored.
  absl::flat_hash_map<std::pair<uint32_t, int64_t>, int> seen_;
  std::map<std::string, Grouped> unknown_, mismatch_, no_rubric_;
  std::set<std::string> scored_prompts_;
  Diagnostics problems_;
  RunScores out_;
};

absl::StatusOr<RunScores> Score(const Suite& suite, const RubricSet& rubrics,
                                const std::string& run_dir, const Judge* judge, int jobs,
                                const std::string& responses, RunScorer::Sink sink,
                                std::vector<uint32_t>* order) {
  struct stat st;
  if (stat(run_dir.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("run folder '", run_dir, "' does not exist"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("'", run_dir, "' is not a run folder"));
  }
  RunScorer scorer(suite, rubrics, run_dir, responses, judge, jobs, std::move(sink));
  std::string path = JoinPath(run_dir, responses);
  Diagnostics problems;
  int lines = 0;
  absl::Status read = ReadResponses(
      path, responses, [&](const Response& r) { scorer.Add(r); }, &problems, &lines);
  if (!read.ok()) {
    std::string message(read.message());
    if (absl::StartsWith(message, responses)) message = path + message.substr(responses.size());
    return absl::Status(read.code(), message);
  }
  std::set<int> malformed;
  for (const Diagnostic& d : problems.list()) malformed.insert(d.line);
  scorer.AddProblems(problems);
  RunScores out = scorer.Finish(order);
  out.counts.malformed = static_cast<int>(malformed.size());
  out.counts.not_scored += out.counts.malformed;
  return out;
}

}  // namespace

absl::StatusOr<RunScores> ScoreRun(const Suite& suite, const RubricSet& rubrics,
                                   const std::string& run_dir, const Judge* judge, int jobs,
                                   const std::string& responses) {
  std::vector<ScoredAnswer> answers;
  std::vector<uint32_t> order;
  absl::StatusOr<RunScores> out = Score(
      suite, rubrics, run_dir, judge, jobs, responses,
      [&](const ScoredAnswer& a) { answers.push_back(a); }, &order);
  if (!out.ok()) return out;
  out->answers.reserve(answers.size());
  for (uint32_t i : order) out->answers.push_back(std::move(answers[i]));
  return out;
}

absl::StatusOr<RunScores> ScoreRunStreaming(
    const Suite& suite, const RubricSet& rubrics, const std::string& run_dir, const Judge* judge,
    int jobs, const std::function<void(const ScoredAnswer&)>& on_answer,
    std::vector<uint32_t>* order, const std::string& responses) {
  return Score(suite, rubrics, run_dir, judge, jobs, responses, on_answer, order);
}

}  // namespace sre_eval
