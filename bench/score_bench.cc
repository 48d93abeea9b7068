// How fast the scoring engine is. Target (issue 3): at least 50,000 answers of about 1.5 KB
// per second on one thread, over all prompts of the shipped suite and its rubrics.
//
// The corpus is built from the graded example answers in fixtures/graded/: for each prompt,
// every graded answer is extended with the prompt's other answers until it is about 1.5 KB, so
// the mix of right, wrong, vague and refusing answers is the real one.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "score/engine.h"
#include "score/text_scan.h"
#include "suite/suite.h"
#include "util/file_util.h"
#include "yaml-cpp/yaml.h"

namespace sre_eval {
namespace {

constexpr size_t kAnswerBytes = 1536;

struct Item {
  const CompiledRubric* rubric;
  const Truth* truth;
  std::string answer;
};

struct Corpus {
  std::vector<std::unique_ptr<CompiledRubric>> rubrics;
  std::map<std::string, Truth> truths;
  std::vector<Item> items;
  size_t bytes = 0;
  std::string error;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    Diagnostics diags;
    Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
    if (!diags.empty()) {
      c->error = "the shipped suite has errors";
      return c;
    }
    for (const Prompt* p : suite.AllPrompts()) {
      std::string path = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/graded/" + p->id + ".yaml";
      YAML::Node doc = YAML::LoadFile(path);
      std::string truth_name = doc["truth"].as<std::string>();
      if (c->truths.count(truth_name) == 0) {
        auto truth = LoadTruth(std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/graded/" + truth_name);
        if (!truth.ok()) {
          c->error = std::string(truth.status().message());
          return c;
        }
        c->truths[truth_name] = *truth;
      }
      const Rubric* rubric = suite.FindRubric(p->id);
      auto compiled = CompiledRubric::Compile(*rubric);
      if (!compiled.ok()) {
        c->error = std::string(compiled.status().message());
        return c;
      }
      std::vector<std::string> texts;
      for (YAML::Node a : doc["answers"]) texts.push_back(a["text"].as<std::string>());
      for (size_t i = 0; i < texts.size(); ++i) {
        std::string answer = texts[i];
        for (size_t j = 1; answer.size() < kAnswerBytes; ++j) {
          answer += "\n\n" + texts[(i + j) % texts.size()];
        }
        answer.resize(kAnswerBytes);
        c->items.push_back({compiled->get(), &c->truths[truth_name], answer});
        c->bytes += answer.size();
      }
      c->rubrics.push_back(std::move(*compiled));
    }
    return c;
  }();
  return *corpus;
}

// Answers per second, one thread, the whole pipeline of Score().
void BM_ScoreAnswers(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) {
    state.SkipWithError(corpus.error.c_str());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    const Item& item = corpus.items[i];
    AnswerScore s = item.rubric->Score(item.answer, *item.truth);
    benchmark::DoNotOptimize(s.score);
    if (++i == corpus.items.size()) i = 0;
  }
  state.counters["answers/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kAnswerBytes));
}
BENCHMARK(BM_ScoreAnswers)->Unit(benchmark::kMicrosecond);

// The same with a fixed number of iterations, for counting instructions per answer:
// bench/instructions_per_answer.sh runs both under callgrind: (6k - 2k) / 4,000.
BENCHMARK(BM_ScoreAnswers)->Name("BM_ScoreAnswers_2k")->Iterations(2000);
BENCHMARK(BM_ScoreAnswers)->Name("BM_ScoreAnswers_6k")->Iterations(6000);

// Where the time goes: the tokenizer and number finder alone.
void BM_TextScan(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (!corpus.error.empty()) {
    state.SkipWithError(corpus.error.c_str());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    TextScan scan(corpus.items[i].answer);
    benchmark::DoNotOptimize(scan.numbers().size());
    if (++i == corpus.items.size()) i = 0;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kAnswerBytes));
}
BENCHMARK(BM_TextScan)->Unit(benchmark::kMicrosecond);

// Compiling all rubrics: done once per run.
void BM_CompileRubrics(benchmark::State& state) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  for (auto _ : state) {
    for (const Rubric& r : suite.rubrics) {
      auto compiled = CompiledRubric::Compile(r);
      benchmark::DoNotOptimize(compiled.ok());
    }
  }
}
BENCHMARK(BM_CompileRubrics)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sre_eval
