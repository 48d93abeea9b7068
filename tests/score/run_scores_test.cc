// Scoring a run folder: a tiny suite in memory, a run folder on disk. The expected scores
// were worked out by hand from the formula in score/engine.h.
#include "score/run_scores.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/score_table.h"
#include "score/scores_file.h"
#include "score/scores_json.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

const char kCrashPrompts[] = R"(incident: crash
prompts:
  - id: i1.a
    text: "What happened at {{window.start|clock}}?"
    dimensions: [detection, diagnosis]
  - id: i1.b
    text: "How many restarts?"
    dimensions: [impact]
)";
const char kLatencyPrompts[] = R"(incident: latency
prompts:
  - id: i2.a
    text: "Why slow?"
    dimensions: [diagnosis]
)";
const char kPaymentPrompts[] = R"(incident: payment
prompts:
  - id: i3.a
    text: "How many failed?"
    dimensions: [impact]
)";
const char kRubricA[] = R"(prompt: i1.a
dimensions:
  detection:
    criteria:
      - {id: oom, description: OOM, points: 1, terms: {any: [oomkill*]}}
  diagnosis:
    weight: 3
    criteria:
      - {id: memory, description: memory, points: 2, terms: {any: [memory]}}
      - {id: judged, description: clear, points: 1, judge: "Is it clear?"}
)";
const char kRubricB[] = R"(prompt: i1.b
dimensions:
  impact:
    criteria:
      - {id: count, description: count, points: 1, penalty: 1,
         number: {fact: restarts.total, cues: [restart*]}}
)";
const char kRubricC[] = R"(prompt: i2.a
dimensions:
  diagnosis:
    criteria:
      - {id: slow, description: slow, points: 1, terms: {any: [slow]}}
)";
const char kRubricD[] = R"(prompt: i3.a
dimensions:
  impact:
    criteria:
      - {id: many, description: many, points: 1, terms: {any: [many]}}
)";

const char kCrashTruth[] =
    R"({"schema_version": 1, "incident": "crash", "facts": {"restarts.total": 5,)"
    R"( "window.start": "2026-11-24T10:23:05Z"}})";
const char kLatencyTruth[] = R"({"schema_version": 1, "incident": "latency", "facts": {}})";

std::string Line(const std::string& incident, const std::string& prompt, int trial,
                 const std::string& answer, const std::string& extra = "") {
  nlohmann::json j = {{"schema_version", 1}, {"incident", incident}, {"prompt_id", prompt},
                      {"trial", trial},      {"answer", answer},     {"status", "ok"}};
  std::string s = j.dump();
  if (!extra.empty()) s = s.substr(0, s.size() - 1) + "," + extra + "}";
  return s + "\n";
}

Suite MakeSuite(bool with_rubric_d = true) {
  Suite suite;
  suite.root = "suite";
  Diagnostics diags;
  suite.prompt_files.push_back(ParsePromptFile("prompts/1.yaml", kCrashPrompts, &diags));
  suite.prompt_files.push_back(ParsePromptFile("prompts/2.yaml", kLatencyPrompts, &diags));
  suite.prompt_files.push_back(ParsePromptFile("prompts/3.yaml", kPaymentPrompts, &diags));
  std::vector<std::pair<const char*, const char*>> rubrics = {
      {"rubrics/a.yaml", kRubricA}, {"rubrics/b.yaml", kRubricB}, {"rubrics/c.yaml", kRubricC}};
  if (with_rubric_d) rubrics.emplace_back("rubrics/d.yaml", kRubricD);
  for (const auto& [path, text] : rubrics) {
    std::optional<Rubric> r = ParseRubricFile(path, text, &diags);
    if (r.has_value()) suite.rubrics.push_back(*r);
  }
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  return suite;
}

// A judge that gives every answer the same grade, or fails; records what it was asked.
class FixedJudge : public Judge {
 public:
  explicit FixedJudge(absl::StatusOr<double> grade) : grade_(std::move(grade)) {}
  absl::StatusOr<double> Grade(const JudgeRequest& request) const override {
    absl::MutexLock lock(&mu_);
    questions_.push_back(request.question);
    return grade_;
  }
  std::string model() const override { return "test-model"; }
  std::string prompt_hash() const override { return "abc123"; }
  std::vector<std::string> questions() const {
    absl::MutexLock lock(&mu_);
    return questions_;
  }

 private:
  absl::StatusOr<double> grade_;
  mutable absl::Mutex mu_;
  mutable std::vector<std::string> questions_;
};

class RunScoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("crash/truth.json", kCrashTruth);
    dir_.WriteFile("latency/truth.json", kLatencyTruth);
  }

  absl::StatusOr<RunScores> Score(const std::string& responses, const Judge* judge = nullptr,
                                  bool with_rubric_d = true, int jobs = 1) {
    dir_.WriteFile("responses.jsonl", responses);
    suite_ = MakeSuite(with_rubric_d);
    Diagnostics diags;
    rubrics_ = RubricSet::Compile(suite_, &diags);
    EXPECT_TRUE(diags.empty());
    return ScoreRun(suite_, rubrics_, dir_.path(), judge, jobs);
  }

  static std::vector<std::string> Problems(const RunScores& s) {
    std::vector<std::string> out;
    for (const Diagnostic& d : s.problems) out.push_back(d.ToString());
    return out;
  }

  TempDir dir_;
  Suite suite_;
  RubricSet rubrics_;
};

std::string Mixed() {
  return Line("crash", "i1.a", 2, "The front-end was OOMKilled: out of memory.") +  // 1
         Line("crash", "i1.a", 1, "It was OOMKilled.") +                            // 2
         Line("crash", "i1.b", 1, "There were 3 restarts.") +                       // 3
         R"({"schema_version":1,"incident":"crash","prompt_id":"i1.b","trial":2,)"
         R"("status":"error","error":"HTTP 503"})"
         "\n" +                                       // 4
         Line("latency", "i2.a", 1, "It is slow.") +  // 5
         Line("crash", "i1.c", 1, "?") +              // 6
         Line("crash", "i2.a", 2, "slow") +           // 7
         Line("crash", "i1.a", 1, "again") +          // 8
         "{bad\n" +                                   // 9
         Line("payment", "i3.a", 1, "many") +
         Line("payment", "i3.a", 2, "many");  // 10, 11
}

TEST_F(RunScoresTest, ScoresGoodAnswersAndReportsEveryBadOne) {
  absl::StatusOr<RunScores> s = Score(Mixed());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Problems(*s),
            (std::vector<std::string>{
                "payment/truth.json: no truth for incident 'payment' (no such file); 2 answers "
                "not scored",
                "responses.jsonl:6: unknown prompt 'i1.c' (did you mean 'i1.a'?); 1 answer not "
                "scored",
                "responses.jsonl:7: prompt 'i2.a' belongs to incident 'latency', not 'crash'; 1 "
                "answer not scored",
                "responses.jsonl:8: duplicate answer for prompt 'i1.a' trial 1; the one on line 2 "
                "is scored",
                "responses.jsonl:9:2: not valid JSON: invalid literal"}));
  const RunCounts& c = s->counts;
  EXPECT_EQ(c.answers, 10);
  EXPECT_EQ(c.malformed, 1);
  EXPECT_EQ(c.scored, 5);
  EXPECT_EQ(c.ok, 4);
  EXPECT_EQ(c.error, 1);
  EXPECT_EQ(c.timeout, 0);
  EXPECT_EQ(c.not_scored, 6);

  // Suite order, then trial; the line says where each came from.
  std::vector<std::string> order;
  for (const ScoredAnswer& a : s->answers) {
    order.push_back(
        absl::StrCat(a.prompt_id, "#", a.trial, "@", a.line, "=", RoundScore(a.score.score)));
  }
  // i1.a#1: detection 1, diagnosis 0/2 -> (1 + 3 * 0) / 4. i1.a#2: both 1.
  // i1.b#1: claims 3 restarts, truth 5 -> penalty. i1.b#2: the agent failed -> 0.
  EXPECT_EQ(order, (std::vector<std::string>{"i1.a#1@2=0.25", "i1.a#2@1=1", "i1.b#1@3=0",
                                             "i1.b#2@4=0", "i2.a#1@5=1"}));
  const ScoredAnswer& failed = s->answers[3];
  EXPECT_EQ(failed.status, ResponseStatus::kError);
  EXPECT_EQ(failed.note, "not scored: agent error: HTTP 503");
  EXPECT_TRUE(failed.score.criteria.empty());
  ASSERT_EQ(failed.score.dimensions.size(), 1u);
  EXPECT_EQ(failed.score.dimensions[0].name, "impact");
  EXPECT_EQ(failed.score.dimensions[0].maximum, 1);
  EXPECT_FALSE(failed.score.dimensions[0].skipped);

  ASSERT_EQ(s->prompts.size(), 4u);
  const PromptScores& a = s->prompts[0];
  EXPECT_EQ(a.prompt_id, "i1.a");
  EXPECT_EQ(a.trials, 2);
  EXPECT_EQ(a.failed, 0);
  EXPECT_EQ(a.score, 0.625);
  EXPECT_EQ(a.dimensions, (std::vector<std::string>{"detection", "diagnosis"}));
  EXPECT_EQ(a.dimension_scores, (std::vector<std::optional<double>>{1.0, 0.5}));
  EXPECT_EQ(s->prompts[1].trials, 2);
  EXPECT_EQ(s->prompts[1].failed, 1);
  EXPECT_EQ(s->prompts[1].score, 0.0);
  EXPECT_EQ(s->prompts[3].prompt_id, "i3.a");
  EXPECT_EQ(s->prompts[3].trials, 0);
  EXPECT_EQ(s->prompts[3].score, std::nullopt);
  EXPECT_EQ(s->prompts[3].dimension_scores, (std::vector<std::optional<double>>{std::nullopt}));
  // Each prompt with answers counts once: (0.625 + 0 + 1) / 3.
  ASSERT_TRUE(s->overall.has_value());
  EXPECT_EQ(RoundScore(*s->overall), 0.5417);
  EXPECT_EQ(s->overall_dimensions, (std::vector<std::pair<std::string, std::optional<double>>>{
                                       {"detection", 1.0}, {"diagnosis", 0.75}, {"impact", 0.0}}));
  EXPECT_EQ(s->judge_model, "");
  EXPECT_EQ(s->judge_criteria, 1);
  EXPECT_EQ(JudgeNote(*s), "not configured; 1 judge criterion skipped");

  EXPECT_EQ(ScoreTable(*s),
            "prompt   trials   score  detection  diagnosis  impact\n"
            "i1.a          2  0.6250     1.0000     0.5000\n"
            "i1.b          2  0.0000                        0.0000\n"
            "i2.a          1  1.0000                1.0000\n"
            "i3.a          0       -                             -\n"
            "overall       5  0.5417     1.0000     0.7500  0.0000\n");
}

// scores.json's writer escapes as JSON requires and as nlohmann would: quotes, backslashes,
// control characters; UTF-8 passes through; text between escapes is copied whole.
TEST(ScoresJsonWriterTest, EscapesEveryCharacterThatNeedsIt) {
  ScoredAnswer a;
  a.incident = "crash";
  a.prompt_id = "i1.a";
  a.trial = 1;
  a.status = ResponseStatus::kError;
  a.note = "say \"hi\" \\ now\n\r\tend\x01\x1f \xE2\x82\xAC\x7f";
  std::string out;
  AppendAnswerJson(a, &out);
  EXPECT_THAT(out, ::testing::HasSubstr("\"note\":\"say \\\"hi\\\" \\\\ now\\n\\r\\tend"
                                        "\\u0001\\u001f \xE2\x82\xAC\x7f\""));
  nlohmann::json parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["note"], a.note);
}

// Scores are written as "%.10g" prints RoundScore(score), without printf: every sign, size
// and number of decimals, the edges of the fast path and what it leaves to the slow one.
TEST(ScoresJsonWriterTest, ScoresReadAsPrintfWritesThem) {
  std::vector<double> values = {0,
                                -0.0,
                                1,
                                0.5,
                                0.25,
                                0.1,
                                0.00004,
                                0.00005,
                                -0.00004,
                                -0.00005,
                                1.0 / 3,
                                2.0 / 3,
                                0.9999,
                                0.99995,
                                123456.7891,
                                999999.99,
                                999999.9999,
                                1e6,
                                1234567.5,
                                -2.5,
                                1e300,
                                -1e300,
                                std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN()};
  for (int i = 0; i <= 20000; ++i) values.push_back(i / 10000.0 + 1e-9 * (i % 3));
  for (int i = 0; i < 2000; ++i) values.push_back((i - 1000) * 1234.56789);
  for (double v : values) {
    ScoredAnswer a;
    a.score.score = v;
    std::string out;
    AppendAnswerJson(a, &out);
    char expected[64];
    snprintf(expected, sizeof(expected), "%.10g", RoundScore(v));
    EXPECT_THAT(out, ::testing::HasSubstr(absl::StrCat("\"score\":", expected, ",")))
        << "value " << v;
  }
}

TEST_F(RunScoresTest, ScoresJsonIsValidAndTheSameEveryTime) {
  absl::StatusOr<RunScores> first = Score(Mixed());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<RunScores> second = Score(Mixed());
  ASSERT_TRUE(second.ok()) << second.status();
  std::string text = ScoresJson(*first);
  EXPECT_EQ(text, ScoresJson(*second));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << text;
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["answers"].size(), 5u);
  EXPECT_EQ(doc["problems"].size(), 5u);
  EXPECT_EQ(doc["answers"][1]["criteria"][0]["evidence"][0]["text"], "OOMKilled");
  EXPECT_EQ(doc["answers"][3]["note"], "not scored: agent error: HTTP 503");
  EXPECT_EQ(text.find(dir_.path()), std::string::npos) << "no absolute paths";
}

TEST_F(RunScoresTest, ScoringOnManyThreadsGivesTheSameBytes) {
  std::string responses;
  const char* answers[] = {"OOMKilled: out of memory.", "It was OOMKilled.", "memory", ""};
  for (int trial = 1; trial <= 1500; ++trial) {
    responses += Line("crash", "i1.a", trial, answers[trial % 4]);
    responses += Line("crash", "i1.b", trial, absl::StrCat(trial % 7, " restarts"));
  }
  FixedJudge judge(0.5);
  absl::StatusOr<RunScores> one = Score(responses, &judge, true, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  absl::StatusOr<RunScores> many = Score(responses, &judge, true, 3);
  ASSERT_TRUE(many.ok()) << many.status();
  EXPECT_EQ(many->counts.scored, 3000);
  EXPECT_EQ(ScoresJson(*one), ScoresJson(*many));
}

TEST_F(RunScoresTest, TheJudgeGradesJudgeCriteriaAndIsRecorded) {
  FixedJudge judge(0.5);
  absl::StatusOr<RunScores> s =
      Score(Line("crash", "i1.a", 1, "OOMKilled, out of memory.", R"("prompt":"As asked")") +
                Line("crash", "i1.a", 2, "OOMKilled, out of memory."),
            &judge);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Problems(*s), std::vector<std::string>{});
  // diagnosis: (2 + 0.5) / 3; score: (1 + 3 * 0.8333) / 4.
  ASSERT_EQ(s->answers.size(), 2u);
  EXPECT_EQ(RoundScore(s->answers[0].score.score), 0.875);
  // The question is the prompt as sent, else the template rendered from the truth.
  EXPECT_EQ(judge.questions(), (std::vector<std::string>{"As asked", "What happened at 10:23?"}));
  EXPECT_EQ(s->judge_model, "test-model");
  EXPECT_EQ(s->judge_prompt_hash, "abc123");
  EXPECT_EQ(s->judge_errors, 0);
  EXPECT_EQ(JudgeNote(*s), "1 judge criterion graded by test-model");
}

TEST_F(RunScoresTest, AFailedJudgeSkipsItsCriterionAndIsCounted) {
  FixedJudge judge(absl::UnavailableError("judge: HTTP 503: busy"));
  absl::StatusOr<RunScores> s = Score(Line("crash", "i1.a", 1, "OOMKilled, memory."), &judge);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->judge_errors, 1);
  EXPECT_EQ(RoundScore(s->answers[0].score.score), 1);
  EXPECT_EQ(JudgeNote(*s),
            "1 judge criterion graded by test-model; 1 grade failed and was skipped");
}

// Finding 8 of issue 16: a FIFO as truth.json blocked scoring forever.
TEST_F(RunScoresTest, ATruthThatIsNotARegularFileIsReported) {
  ASSERT_EQ(unlink((dir_.path() + "/crash/truth.json").c_str()), 0);
  UnblockedFifo fifo(dir_.path() + "/crash/truth.json");
  absl::StatusOr<RunScores> s = Score(Line("crash", "i1.a", 1, "x"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Problems(*s), (std::vector<std::string>{
                              "crash/truth.json: no truth for incident 'crash' (not a regular "
                              "file (a FIFO)); 1 answer not scored"}));
}

TEST_F(RunScoresTest, BadTruthsNameTheirIncident) {
  dir_.WriteFile("crash/truth.json", "{not json");
  dir_.WriteFile("latency/truth.json", kCrashTruth);
  absl::StatusOr<RunScores> s =
      Score(Line("crash", "i1.a", 1, "x") + Line("latency", "i2.a", 1, "x") +
            Line("latency", "i2.a", 2, "x"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Problems(*s),
            (std::vector<std::string>{
                "crash/truth.json:1:3: no truth for incident 'crash' (not valid JSON: invalid "
                "literal); 1 answer not scored",
                "latency/truth.json: no truth for incident 'latency' (the file is for incident "
                "'crash'); 2 answers not scored"}));
  EXPECT_EQ(s->counts.scored, 0);
  EXPECT_EQ(s->overall, std::nullopt);
}

TEST_F(RunScoresTest, APromptWithoutARubricIsReportedOnce) {
  dir_.WriteFile("payment/truth.json", R"({"schema_version":1,"incident":"payment","facts":{}})");
  absl::StatusOr<RunScores> s =
      Score(Line("payment", "i3.a", 1, "x") + Line("payment", "i3.a", 2, "x"), nullptr,
            /*with_rubric_d=*/false);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Problems(*s), std::vector<std::string>{
                              "responses.jsonl:1: prompt 'i3.a' has no rubric in the suite; 2 "
                              "answers not scored"});
}

TEST_F(RunScoresTest, AMissingRunFolderOrResponsesFileIsAnError) {
  suite_ = MakeSuite();
  Diagnostics diags;
  rubrics_ = RubricSet::Compile(suite_, &diags);
  absl::StatusOr<RunScores> s = ScoreRun(suite_, rubrics_, dir_.path() + "/nope", nullptr);
  EXPECT_TRUE(absl::IsNotFound(s.status()));
  EXPECT_EQ(s.status().message(),
            absl::StrCat("run folder '", dir_.path(), "/nope' does not exist"));
  s = ScoreRun(suite_, rubrics_, dir_.path(), nullptr);
  EXPECT_TRUE(absl::IsNotFound(s.status()));
  EXPECT_EQ(s.status().message(),
            absl::StrCat(dir_.path(), "/responses.jsonl: No such file or directory"));
}

// `sre-eval score` writes scores.json without holding the answers (ScoreRunStreaming and
// ScoresFileWriter); the file must be byte for byte what ScoresJson gives from ScoreRun.
class StreamedScoresTest : public RunScoresTest {
 protected:
  std::string InMemory(const Judge* judge, int jobs) {
    absl::StatusOr<RunScores> s = ScoreRun(suite_, rubrics_, dir_.path(), judge, jobs);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? ScoresJson(*s) : "";
  }
  std::string Streamed(const Judge* judge, int jobs,
                       const ExternalSortLimits& limits = ExternalSortLimits()) {
    ScoresFileWriter writer(dir_.path() + "/scores.json");
    absl::Status written = absl::InternalError("not written");
    // Rendered on the scoring threads, as `sre-eval score` does.
    absl::StatusOr<RunScores> s = ScoreRunStreaming(
        suite_, rubrics_, dir_.path(), judge, jobs, ScoresFileWriter::Render,
        [&](const ScoredAnswer&, std::string&& entry) { return writer.AddRendered(entry); },
        [&](const RunScores& r, AnswerOrder* order) { written = writer.Commit(r, order); },
        "responses.jsonl", limits);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return "";
    EXPECT_TRUE(s->answers.empty());
    EXPECT_TRUE(written.ok()) << written;
    absl::StatusOr<std::string> text = ReadFile(dir_.path() + "/scores.json");
    return text.ok() ? *text : "";
  }
};

TEST_F(StreamedScoresTest, TheStreamedFileIsTheInMemoryOne) {
  ASSERT_TRUE(Score(Mixed()).ok());
  std::string expected = InMemory(nullptr, 1);
  EXPECT_EQ(Streamed(nullptr, 1), expected);
  // Nothing is left behind in the run folder but scores.json.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files,
            (std::vector<std::string>{"crash", "latency", "responses.jsonl", "scores.json"}));
}

TEST_F(StreamedScoresTest, ManyShuffledAnswersWithAJudgeGiveTheSameBytes) {
  // 6,000 answers in no order: trials shuffled (7919 is prime to 3000), every 17th a failed
  // call, and duplicates, unknown prompts and bad lines among them.
  std::string responses;
  const char* texts[] = {"OOMKilled: out of memory.", "It was OOMKilled.", "memory", ""};
  for (int i = 0; i < 6000; ++i) {
    int trial = (i / 2 * 7919) % 3000 + 1;
    if (i % 17 == 0) {
      responses += absl::StrCat(R"({"schema_version":1,"incident":"crash","prompt_id":")",
                                i % 2 == 0 ? "i1.a" : "i1.b", R"(","trial":)", trial,
                                R"(,"status":"timeout","error":"after 30s"})", "\n");
    } else if (i % 2 == 0) {
      responses += Line("crash", "i1.a", trial, texts[i % 4]);
    } else {
      responses += Line("crash", "i1.b", trial, absl::StrCat(i % 7, " restarts"));
    }
    if (i % 1000 == 0) responses += Line("crash", "i1.a", trial, "a duplicate") + "{bad\n";
  }
  responses += Line("latency", "i2.a", 1, "slow") + Line("crash", "i9.z", 1, "?");
  FixedJudge judge(0.25);
  absl::StatusOr<RunScores> s = Score(responses, &judge);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->counts.scored, 6001);
  EXPECT_EQ(s->counts.timeout, 353);
  EXPECT_EQ(s->counts.not_scored, 13);
  std::string expected = InMemory(&judge, 1);
  EXPECT_EQ(Streamed(&judge, 1), expected);
  EXPECT_EQ(Streamed(&judge, 3), expected);
  // Sorted through the disk: runs of 100 answers, merged 4 at a time, read 7 at a time.
  ExternalSortLimits small;
  small.chunk_records = 100;
  small.fan_in = 4;
  small.read_records = 7;
  EXPECT_EQ(Streamed(&judge, 2, small), expected);
}

TEST_F(StreamedScoresTest, AFolderThatCannotBeWrittenIsAnErrorAndLeavesNoFile) {
  ASSERT_TRUE(Score(Line("crash", "i1.a", 1, "memory")).ok());
  ScoresFileWriter writer(dir_.path() + "/nope/scores.json");
  absl::Status written = absl::OkStatus();
  absl::StatusOr<RunScores> s = ScoreRunStreaming(
      suite_, rubrics_, dir_.path(), nullptr, 1, nullptr,
      [&](const ScoredAnswer& a, std::string&&) { return writer.Add(a); },
      [&](const RunScores& r, AnswerOrder* order) { written = writer.Commit(r, order); });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->counts.scored, 1);
  EXPECT_TRUE(absl::IsNotFound(written)) << written;
  EXPECT_EQ(written.message(), absl::StrCat("creating a temporary file for ", dir_.path(),
                                            "/nope/scores.json: No such file or directory"));
}

// The fixture runs hold what a real run would: each prompt as the template renders it from
// the run's truth, and truths identical to fixtures/truths/.
TEST(FixtureRunsTest, PromptsAreRenderedFromTheRunsTruths) {
  const std::string root = SRE_EVAL_SOURCE_DIR;
  Diagnostics diags;
  Suite suite = LoadSuite(root, &diags);
  ASSERT_FALSE(suite.prompt_files.empty());
  for (const char* run : {"clean", "bad"}) {
    std::string dir = absl::StrCat(root, "/fixtures/runs/", run);
    int checked = 0;
    Diagnostics problems;
    int lines = 0;
    absl::Status read = ReadResponses(
        dir + "/responses.jsonl", "responses.jsonl",
        [&](const Response& r) {
          const Prompt* p = suite.FindPrompt(r.prompt_id);
          if (p == nullptr || r.prompt.empty()) return;
          absl::StatusOr<Truth> truth =
              LoadTruth(absl::StrCat(dir, "/", r.incident, "/truth.json"));
          if (!truth.ok()) return;  // The bad run has no payment truth.
          absl::StatusOr<std::string> rendered = p->tmpl.Render(truth->facts);
          ASSERT_TRUE(rendered.ok()) << rendered.status();
          EXPECT_EQ(r.prompt, *rendered) << run << " line " << r.line;
          ++checked;
        },
        &problems, &lines);
    ASSERT_TRUE(read.ok()) << read;
    EXPECT_GT(checked, 0) << run;
    for (const char* incident : {"crash", "latency", "payment"}) {
      absl::StatusOr<std::string> copy = ReadFile(absl::StrCat(dir, "/", incident, "/truth.json"));
      if (!copy.ok()) continue;
      EXPECT_EQ(*copy, *ReadFile(absl::StrCat(root, "/fixtures/truths/", incident, ".json")))
          << run << "/" << incident;
    }
  }
}

// scores.json's exact layout, on a result built by hand (so the engine plays no part).
TEST(ScoresJsonTest, WritesTheDocumentedLayout) {
  RunScores s;
  ScoredAnswer a;
  a.incident = "crash";
  a.prompt_id = "i1.b";
  a.trial = 1;
  a.line = 3;
  a.score.score = 2.0 / 3;
  a.score.dimensions.push_back({"impact", 1, 2, 0, 3, 2.0 / 3, false});
  CriterionResult c;
  c.id = "count";
  c.dimension = "impact";
  c.kind = CriterionKind::kNumber;
  c.points = 2;
  c.earned = 2;
  c.note = "met";
  c.evidence.push_back({4, 14, "5 \"restarts\"\n", "claimed 5, truth 5"});
  a.score.criteria.push_back(c);
  s.answers.push_back(a);
  ScoredAnswer b;
  b.incident = "crash";
  b.prompt_id = "i1.b";
  b.trial = 2;
  b.line = 4;
  b.status = ResponseStatus::kTimeout;
  b.note = "not scored: agent timeout: slow";
  b.score.dimensions.push_back({"impact", 1, 0, 0, 3, 0, false});
  s.answers.push_back(b);
  s.prompts.push_back({"i1.b", "crash", {"impact"}, 2, 1, 1.0 / 3, {1.0 / 3}});
  s.prompts.push_back({"i2.a", "latency", {"diagnosis"}, 0, 0, std::nullopt, {std::nullopt}});
  s.overall = 1.0 / 3;
  s.overall_dimensions = {{"diagnosis", std::nullopt}, {"impact", 1.0 / 3}};
  s.counts = {1, 3, 2, 0, 0, 1, 2};
  s.judge_criteria = 2;
  s.problems.push_back({"responses.jsonl", 5, 2, "not valid JSON: invalid literal"});
  EXPECT_EQ(ScoresJson(s),
            R"({
  "schema_version": 1,
  "judge": null,
  "judge_note": "not configured; 2 judge criteria skipped",
  "counts": {"answers":3,"scored":2,"ok":0,"error":0,"timeout":1,"malformed":1,"not_scored":2,"problems":1},
  "overall": {"score":0.3333,"dimensions":{"diagnosis":null,"impact":0.3333}},
  "prompts": [
    {"prompt_id":"i1.b","incident":"crash","trials":2,"failed":1,"score":0.3333,"dimensions":{"impact":0.3333}},
    {"prompt_id":"i2.a","incident":"latency","trials":0,"failed":0,"score":null,"dimensions":{"diagnosis":null}}
  ],
  "answers": [
    {"incident":"crash","prompt_id":"i1.b","trial":1,"line":3,"status":"ok","score":0.6667,"note":"","dimensions":{"impact":{"score":0.6667,"weight":1,"earned":2,"penalty":0,"maximum":3,"skipped":false}},"criteria":[{"id":"count","dimension":"impact","kind":"number","points":2,"earned":2,"penalty":0,"skipped":false,"note":"met","evidence":[{"begin":4,"end":14,"text":"5 \"restarts\"\n","note":"claimed 5, truth 5"}]}]},
    {"incident":"crash","prompt_id":"i1.b","trial":2,"line":4,"status":"timeout","score":0,"note":"not scored: agent timeout: slow","dimensions":{"impact":{"score":0,"weight":1,"earned":0,"penalty":0,"maximum":3,"skipped":false}},"criteria":[]}
  ],
  "problems": [
    "responses.jsonl:5:2: not valid JSON: invalid literal"
  ]
}
)");
}

}  // namespace
}  // namespace sre_eval
