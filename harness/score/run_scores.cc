#include "score/run_scores.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "suite/prompt.h"
#include "util/edit_distance.h"
#include "util/external_sort.h"
#include "util/file_util.h"

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
  // Receives each scored answer with what `render` made of it, in the order of the file, on
  // the calling thread, and returns the token that AnswerOrder gives back for it.
  using Sink = std::function<uint64_t(const ScoredAnswer&, std::string&& rendered)>;

  RunScorer(const Suite& suite, const RubricSet& rubrics, const std::string& run_dir,
            const std::string& responses, const Judge* judge, int jobs, AnswerRenderer render,
            Sink sink, const ExternalSortLimits& limits)
      : suite_(suite),
        rubrics_(rubrics),
        run_dir_(run_dir),
        responses_(responses),
        judge_(judge),
        jobs_(std::max(1, jobs)),
        render_(std::move(render)),
        sink_(std::move(sink)),
        tallies_(JoinPath(run_dir, responses), limits) {
    for (const Prompt* p : suite.AllPrompts()) {
      if (order_.count(p->id) != 0) continue;
      order_.emplace(p->id, prompts_.size());
      prompts_.push_back(p);
      prompt_ids_.push_back(p->id);
    }
  }

  // Waits for the workers when scoring stops early (an error reading the answers).
  ~RunScorer() {
    for (std::thread& t : workers_) t.join();
  }
  RunScorer(const RunScorer&) = delete;
  RunScorer& operator=(const RunScorer&) = delete;

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
      if (prompt.act.defined) {
        // An action task is scored on what the harness measured, beside the answers' file.
        std::string dir = responses_.find('/') == std::string::npos
                              ? ""
                              : responses_.substr(0, responses_.rfind('/') + 1);
        std::string path = JoinPath(run_dir_, absl::StrCat(dir, r.incident, "/act/", r.prompt_id,
                                                           "/t", r.trial, "/outcome.json"));
        absl::StatusOr<std::string> text = ReadFile(path, size_t{16} << 20);
        if (text.ok()) {
          nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
          if (doc.is_object()) {
            p.outcome = std::make_shared<const nlohmann::json>(std::move(doc));
            p.options.outcome = p.outcome.get();
          }
        }
      }
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

  // Starts scoring and rendering the answers waiting, on `jobs_` threads (each writes only
  // its own answers), and returns: the calling thread reads the next batch meanwhile. The
  // batch before, if any, is waited for first and handed on (Deliver).
  void Flush() {
    Deliver();
    if (pending_.empty()) return;
    in_flight_.swap(pending_);
    next_ = 0;
    auto work = [this] {
      for (size_t i = next_++; i < in_flight_.size(); i = next_++) {
        Pending& p = in_flight_[i];
        if (p.rubric != nullptr) p.scored.score = p.rubric->Score(p.answer, *p.truth, p.options);
        if (render_) render_(p.scored, &p.rendered);
      }
    };
    size_t threads = std::min<size_t>(static_cast<size_t>(jobs_), in_flight_.size());
    for (size_t t = 0; t < threads; ++t) workers_.emplace_back(work);
  }

  // Waits for the batch being scored, then tallies its answers and hands them to the sink in
  // the order of the file.
  void Deliver() {
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    for (Pending& p : in_flight_) Tally(p.prompt, p.scored, sink_(p.scored, std::move(p.rendered)));
    in_flight_.clear();
  }

  // Scores what is left, sorts the tallies, then passes the result and the order of the
  // answers kept to `on_scores`.
  absl::Status Finish(int malformed,
                      const std::function<void(const RunScores&, AnswerOrder*)>& on_scores) {
    Flush();
    Deliver();
    out_.counts.malformed = malformed;
    out_.counts.not_scored += malformed;
    absl::Status sorted = tallies_.Sort();
    if (!sorted.ok()) return sorted;
    Aggregate();
    if (!tallies_.status().ok()) return tallies_.status();
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
    tallies_.Rewind();
    KeptOrder order(&tallies_);
    on_scores(out_, &order);
    return tallies_.status();
  }

  // Moves the result out, after Finish.
  RunScores TakeScores() { return std::move(out_); }

  void AddProblems(const Diagnostics& d) {
    for (const Diagnostic& x : d.list()) problems_.Add(x);
  }

 private:
  // What the aggregates need of one scored answer, kept instead of the answer (and on disk
  // past a chunk of them, see ExternalSorter) so that memory does not grow with the answers.
  // Scores are kept as RoundScore(score) * 10000, which RoundScore makes a whole number, so
  // the means are computed from exactly the values, and in the order, they would be from the
  // answers.
  static constexpr size_t kMaxDimensions = 4;  // AllDimensions(); a prompt lists each once.
  static constexpr int32_t kNoScore = INT32_MIN;
  struct AnswerTally {
    int64_t trial = 0;
    uint64_t token = 0;   // The sink's.
    uint32_t prompt = 0;  // Index in prompts_.
    int32_t line = 0;     // In responses.jsonl.
    int32_t score = 0;
    // By the index of the dimension in the prompt's; kNoScore when skipped.
    int32_t dimensions[kMaxDimensions] = {kNoScore, kNoScore, kNoScore, kNoScore};
    uint16_t judge_errors = 0;
    ResponseStatus status = ResponseStatus::kOk;
  };
  // By prompt in suite order, then trial, then line: the first of a (prompt, trial) in the
  // file comes first, and is the one kept.
  struct TallyOrder {
    bool operator()(const AnswerTally& x, const AnswerTally& y) const {
      return std::tie(x.prompt, x.trial, x.line) < std::tie(y.prompt, y.trial, y.line);
    }
  };
  using TallySorter = ExternalSorter<AnswerTally, TallyOrder>;

  // The sorted tallies, each (prompt, trial) once: the first of them in the file. Each later
  // one is passed to `on_duplicate` (when set) with the one kept.
  class KeptTallies {
   public:
    using OnDuplicate = std::function<void(const AnswerTally& duplicate, const AnswerTally& kept)>;
    explicit KeptTallies(TallySorter* sorter, OnDuplicate on_duplicate = nullptr)
        : sorter_(sorter), on_duplicate_(std::move(on_duplicate)) {}
    bool Next(AnswerTally* t) {
      while (sorter_->Next(t)) {
        if (any_ && t->prompt == kept_.prompt && t->trial == kept_.trial) {
          if (on_duplicate_) on_duplicate_(*t, kept_);
          continue;
        }
        kept_ = *t;
        any_ = true;
        return true;
      }
      return false;
    }

   private:
    TallySorter* sorter_;
    OnDuplicate on_duplicate_;
    AnswerTally kept_;
    bool any_ = false;
  };

  // The tokens of the answers kept, in order.
  class KeptOrder : public AnswerOrder {
   public:
    explicit KeptOrder(TallySorter* tallies) : tallies_(tallies), kept_(tallies) {}
    bool Next(uint64_t* token) override {
      AnswerTally t;
      if (!kept_.Next(&t)) return false;
      *token = t.token;
      return true;
    }
    absl::Status status() const override { return tallies_->status(); }

   private:
    TallySorter* tallies_;
    KeptTallies kept_;
  };

  static int32_t Units(double score) {
    double units = std::round(score * 10000.0);
    // Scores are clamped to [0, 1]; the bound only keeps the conversion defined.
    return static_cast<int32_t>(std::clamp(units, -1e9, 1e9));
  }
  static double FromUnits(int32_t units) { return static_cast<double>(units) / 10000.0; }

  void Tally(uint32_t prompt_index, const ScoredAnswer& a, uint64_t token) {
    const Prompt& p = *prompts_[prompt_index];
    AnswerTally t;
    t.trial = a.trial;
    t.token = token;
    t.prompt = prompt_index;
    t.line = a.line;
    t.score = Units(a.score.score);
    t.status = a.status;
    for (const DimensionResult& d : a.score.dimensions) {
      auto it = std::find(p.dimensions.begin(), p.dimensions.end(), d.name);
      size_t index = static_cast<size_t>(it - p.dimensions.begin());
      if (it == p.dimensions.end() || index >= kMaxDimensions || d.skipped) continue;
      t.dimensions[index] = Units(d.score);
    }
    for (const CriterionResult& r : a.score.criteria) {
      if (judge_ != nullptr && r.kind == CriterionKind::kJudge && r.skipped) {
        t.judge_errors = static_cast<uint16_t>(std::min(t.judge_errors + 1, 65535));
      }
    }
    tallies_.Add(t);
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

  // Reads the sorted tallies once: counts, duplicates and the means.
  void Aggregate() {
    RunCounts& c = out_.counts;
    std::vector<double> prompt_means;
    std::map<std::string, std::vector<double>> dimension_means;
    std::set<std::string> dimensions_used;
    KeptTallies kept(&tallies_, [&](const AnswerTally& duplicate, const AnswerTally& first) {
      ++c.not_scored;
      problems_.Add(
          responses_, duplicate.line, 0,
          absl::StrCat("duplicate answer for prompt '", prompts_[first.prompt]->id, "' trial ",
                       first.trial, "; the one on line ", first.line, " is scored"));
    });
    AnswerTally t;
    bool more = kept.Next(&t);
    for (uint32_t pi = 0; pi < prompts_.size(); ++pi) {
      const Prompt* p = prompts_[pi];
      PromptScores ps;
      ps.prompt_id = p->id;
      ps.incident = p->incident;
      ps.dimensions = p->dimensions;
      // An action task with no answer was not performed (run without --act): it is left out,
      // with its dimension, rather than shown as unanswered.
      if (p->act.defined && !(more && t.prompt == pi)) continue;
      dimensions_used.insert(p->dimensions.begin(), p->dimensions.end());
      // Sums in the answers' order, as Mean() would add them.
      double sum = 0;
      std::vector<double> dim_sums(p->dimensions.size(), 0.0);
      std::vector<size_t> dim_counts(p->dimensions.size(), 0);
      for (; more && t.prompt == pi; more = kept.Next(&t)) {
        ++c.scored;
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
        ++ps.trials;
        if (t.status != ResponseStatus::kOk) ++ps.failed;
        sum += FromUnits(t.score);
        for (size_t d = 0; d < dim_sums.size() && d < kMaxDimensions; ++d) {
          if (t.dimensions[d] == kNoScore) continue;
          dim_sums[d] += FromUnits(t.dimensions[d]);
          ++dim_counts[d];
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
  const AnswerRenderer render_;
  const Sink sink_;
  // An answer waiting to be scored (rubric set) or handed on (a failed call's, already 0).
  struct Pending {
    uint32_t prompt = 0;
    ScoredAnswer scored;
    const CompiledRubric* rubric = nullptr;
    const Truth* truth = nullptr;
    std::string answer;
    ScoreOptions options;
    std::shared_ptr<const nlohmann::json> outcome;  // An action task's, options.outcome
    std::string rendered;                           // By render_, when set.
  };
  // Answers are scored in batches of this many per thread, so that memory stays bounded
  // however long the file is.
  static constexpr size_t kBatch = 256;
  std::vector<Pending> pending_;
  // The batch the workers score while pending_ fills (two batches in memory at most).
  std::vector<Pending> in_flight_;
  std::vector<std::thread> workers_;
  std::atomic<size_t> next_{0};
  TallySorter tallies_;
  std::vector<const Prompt*> prompts_;  // Suite order.
  std::vector<std::string> prompt_ids_;
  std::map<std::string, size_t> order_;
  std::map<std::string, TruthEntry> truths_;
  std::map<std::string, Grouped> unknown_, mismatch_, no_rubric_;
  std::set<std::string> scored_prompts_;
  Diagnostics problems_;
  RunScores out_;
};

absl::StatusOr<RunScores> Score(
    const Suite& suite, const RubricSet& rubrics, const std::string& run_dir, const Judge* judge,
    int jobs, const std::string& responses, AnswerRenderer render, RunScorer::Sink sink,
    const std::function<void(const RunScores&, AnswerOrder*)>& on_scores,
    const ExternalSortLimits& limits) {
  struct stat st;
  if (stat(run_dir.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("run folder '", run_dir, "' does not exist"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("'", run_dir, "' is not a run folder"));
  }
  RunScorer scorer(suite, rubrics, run_dir, responses, judge, jobs, std::move(render),
                   std::move(sink), limits);
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
  absl::Status finished = scorer.Finish(static_cast<int>(malformed.size()), on_scores);
  if (!finished.ok()) return finished;
  return scorer.TakeScores();
}

}  // namespace

absl::StatusOr<RunScores> ScoreRun(const Suite& suite, const RubricSet& rubrics,
                                   const std::string& run_dir, const Judge* judge, int jobs,
                                   const std::string& responses) {
  std::vector<ScoredAnswer> answers;
  std::vector<ScoredAnswer> ordered;
  absl::StatusOr<RunScores> out = Score(
      suite, rubrics, run_dir, judge, jobs, responses, nullptr,
      [&](const ScoredAnswer& a, std::string&&) {
        answers.push_back(a);
        return static_cast<uint64_t>(answers.size() - 1);
      },
      [&](const RunScores&, AnswerOrder* order) {
        ordered.reserve(answers.size());
        uint64_t i = 0;
        while (order->Next(&i)) ordered.push_back(std::move(answers[i]));
      },
      ExternalSortLimits());
  if (!out.ok()) return out;
  out->answers = std::move(ordered);
  return out;
}

absl::StatusOr<RunScores> ScoreRunStreaming(
    const Suite& suite, const RubricSet& rubrics, const std::string& run_dir, const Judge* judge,
    int jobs, const AnswerRenderer& render,
    const std::function<uint64_t(const ScoredAnswer&, std::string&& rendered)>& on_answer,
    const std::function<void(const RunScores&, AnswerOrder*)>& on_scores,
    const std::string& responses, const ExternalSortLimits& limits) {
  return Score(suite, rubrics, run_dir, judge, jobs, responses, render, on_answer, on_scores,
               limits);
}

}  // namespace sre_eval
