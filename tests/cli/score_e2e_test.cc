// End to end: the real sre-eval binary, spawned through the real subprocess runner, scores
// run folders (copies of fixtures/runs/ and small hand-made ones) and calibrates graded files.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/judge.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Runs sre-eval in `dir` with no judge configured, whatever this process's environment says.
SubprocessResult SreEval(const std::string& dir, std::vector<std::string> args,
                         std::vector<std::pair<std::string, std::string>> env = {}) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.working_dir = dir;
  options.env = std::move(env);
  for (const char* name : {"SRE_EVAL_JUDGE_URL", "SRE_EVAL_JUDGE_MODEL", "SRE_EVAL_SUITE"}) {
    bool given = false;
    for (const auto& [key, value] : options.env) given = given || key == name;
    if (!given) options.env.emplace_back(name, "");
  }
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : SubprocessResult{};
}

// A copy of fixtures/runs/NAME at dir/run.
void CopyFixtureRun(const std::string& name, const TempDir& dir) {
  std::filesystem::copy(std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/runs/" + name,
                        dir.path() + "/run", std::filesystem::copy_options::recursive);
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

TEST(ScoreE2eTest, CleanFixtureRunScoresEveryAnswerTheSameWayTwice) {
  TempDir dir;
  CopyFixtureRun("clean", dir);
  SubprocessResult first = SreEval(dir.path(), {"score", "--suite", SRE_EVAL_SOURCE_DIR, "run"});
  EXPECT_EQ(first.stderr_data, "");
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_THAT(first.stdout_data,
              StartsWith("prompt            trials   score  detection  diagnosis  impact  "
                         "remediation\ni1.what_happened       2  "));
  EXPECT_THAT(first.stdout_data, HasSubstr("\ni1.restarts            3  "));
  EXPECT_THAT(first.stdout_data, HasSubstr("\noverall               34  "));
  EXPECT_THAT(first.stdout_data,
              HasSubstr("\n2 of 34 answers had status error or timeout and scored 0\n"));
  EXPECT_THAT(first.stdout_data, testing::EndsWith("\nwrote run/scores.json\n"));
  std::string scores = Read(dir.path() + "/run/scores.json");
  nlohmann::json doc = nlohmann::json::parse(scores, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["counts"]["scored"], 34);
  EXPECT_EQ(doc["counts"]["ok"], 32);
  EXPECT_EQ(doc["counts"]["error"], 1);
  EXPECT_EQ(doc["counts"]["timeout"], 1);
  EXPECT_EQ(doc["problems"], nlohmann::json::array());
  EXPECT_EQ(doc["prompts"].size(), 16u);
  EXPECT_EQ(scores.find(dir.path()), std::string::npos) << "no absolute paths";

  SubprocessResult second = SreEval(dir.path(), {"score", "--suite", SRE_EVAL_SOURCE_DIR, "run"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.stdout_data, first.stdout_data);
  EXPECT_EQ(Read(dir.path() + "/run/scores.json"), scores);
}

// Finding 10 of issue 16: an unknown prompt_id holding newlines printed over several lines and
// forged a "FILE:LINE:COL:" line of its own.
TEST(ScoreE2eTest, UntrustedStringsCannotForgeADiagnosticLine) {
  TempDir dir;
  CopyFixtureRun("clean", dir);
  std::string responses = Read(dir.path() + "/run/responses.jsonl");
  nlohmann::json line = nlohmann::json::parse(responses.substr(0, responses.find('\n')));
  line["prompt_id"] = "i9.x\nsuite/prompts/a.yaml:1:1: forged\x1b[2K";
  ASSERT_TRUE(
      WriteFileAtomically(dir.path() + "/run/responses.jsonl", responses + line.dump() + "\n")
          .ok());
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", SRE_EVAL_SOURCE_DIR, "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "run/responses.jsonl:35: unknown prompt 'i9.x\\nsuite/prompts/a.yaml:1:1: "
            "forged\\x1b[2K'; 1 answer not scored\n"
            "score: 1 problem in the input; 1 line of responses.jsonl not scored\n");
}

TEST(ScoreE2eTest, BadFixtureRunReportsEachProblemAndScoresTheRest) {
  TempDir dir;
  CopyFixtureRun("bad", dir);
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", SRE_EVAL_SOURCE_DIR, "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "run/payment/truth.json: no truth for incident 'payment' (no such file); 2 answers "
            "not scored\n"
            "run/responses.jsonl:3:141: not valid JSON: unexpected end of input\n"
            "run/responses.jsonl:4: unknown prompt 'i1.restart' (did you mean 'i1.restarts'?); 1 "
            "answer not scored\n"
            "run/responses.jsonl:5: 'trial' must be an integer of at least 1, got a string\n"
            "run/responses.jsonl:6: prompt 'i1.why_crash' belongs to incident 'crash', not "
            "'latency'; 1 answer not scored\n"
            "score: 5 problems in the input; 6 lines of responses.jsonl not scored\n");
  EXPECT_THAT(r.stdout_data, HasSubstr("\ni1.restarts            2  "));
  EXPECT_THAT(r.stdout_data, HasSubstr("\ni1.limits              0       -"));
  EXPECT_THAT(r.stdout_data,
              HasSubstr("\n1 of 4 answers had status error or timeout and scored 0\n"));
  nlohmann::json doc = nlohmann::json::parse(Read(dir.path() + "/run/scores.json"), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["counts"]["scored"], 4);
  EXPECT_EQ(doc["counts"]["not_scored"], 6);
  EXPECT_EQ(doc["problems"][0],
            "payment/truth.json: no truth for incident 'payment' (no such file); 2 answers not "
            "scored");
  EXPECT_EQ(doc["problems"].size(), 5u);
}

const char kPrompts[] = R"(incident: crash
prompts:
  - id: i1.a
    text: "Why?"
    dimensions: [detection, diagnosis]
  - id: i1.b
    text: "How many?"
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
      - {id: memory, description: memory, points: 1, terms: {any: [memory]}}
      - {id: clear, description: clear, points: 1, judge: "Is it clear?"}
)";
const char kRubricB[] = R"(prompt: i1.b
dimensions:
  impact:
    criteria:
      - {id: count, description: count, points: 1, penalty: 1,
         number: {fact: restarts.total, cues: [restart*]}}
)";
const char kTruth[] =
    R"({"schema_version": 1, "incident": "crash", "facts": {"restarts.total": 5}})";

void WriteSuite(const TempDir& dir) {
  dir.WriteFile("suite/prompts/crash.yaml", kPrompts);
  dir.WriteFile("suite/rubrics/i1.a.yaml", kRubricA);
  dir.WriteFile("suite/rubrics/i1.b.yaml", kRubricB);
}

std::string Answer(const std::string& prompt, int trial, const std::string& answer) {
  return nlohmann::json{{"schema_version", 1}, {"incident", "crash"}, {"prompt_id", prompt},
                        {"trial", trial},      {"answer", answer},    {"status", "ok"}}
             .dump() +
         "\n";
}

TEST(ScoreE2eTest, PrintsOneRowPerPromptTheOverallRowAndTheJudgeNote) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("run/crash/truth.json", kTruth);
  dir.WriteFile("run/responses.jsonl",
                Answer("i1.b", 1, "5 restarts.") + Answer("i1.a", 1, "OOMKilled: out of memory.") +
                    Answer("i1.a", 2, "It was OOMKilled.") + Answer("i1.b", 2, "3 restarts."));
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "run"});
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.exit_code, 0);
  // i1.a: (1 + 3 * 1) / 4 and (1 + 3 * 0) / 4; i1.b: right, then wrong (the penalty).
  EXPECT_EQ(r.stdout_data,
            "prompt   trials   score  detection  diagnosis  impact\n"
            "i1.a          2  0.6250     1.0000     0.5000\n"
            "i1.b          2  0.5000                        0.5000\n"
            "overall       4  0.5625     1.0000     0.5000  0.5000\n"
            "judge: not configured (set SRE_EVAL_JUDGE_URL and SRE_EVAL_JUDGE_MODEL); 1 judge "
            "criterion skipped\n"
            "wrote run/scores.json\n");
}

TEST(ScoreE2eTest, AMisconfiguredJudgeIsBadInput) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("run/responses.jsonl", "");
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "run"},
                               {{"SRE_EVAL_JUDGE_URL", "http://127.0.0.1:9/v1"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "sre-eval score: SRE_EVAL_JUDGE_URL is set but SRE_EVAL_JUDGE_MODEL is not; set both "
            "to use the LLM judge, or neither\n");
  r = SreEval(dir.path(), {"score", "--suite", "suite", "--no-judge", "run"},
              {{"SRE_EVAL_JUDGE_URL", "http://127.0.0.1:9/v1"}});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
}

TEST(ScoreE2eTest, MissingRunFolderOrResponsesAreClearErrors) {
  TempDir dir;
  WriteSuite(dir);
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data, "sre-eval score: run folder 'nope' does not exist\n");
  EXPECT_EQ(r.stdout_data, "");
  dir.WriteFile("empty/crash/truth.json", kTruth);
  r = SreEval(dir.path(), {"score", "--suite", "suite", "empty"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data, "sre-eval score: empty/responses.jsonl: No such file or directory\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/empty/scores.json"));
  r = SreEval(dir.path(), {"score", "--suite", "suite"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "sre-eval score: missing RUN_DIR\nusage: sre-eval score [--suite DIR] [--no-judge] "
            "[--jobs N] RUN_DIR\n");
  r = SreEval(dir.path(), {"score", "--suite", "suite", "--jobs", "0", "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "sre-eval score: --jobs must be a whole number from 1 to 256, got '0'\n");
}

// responses.jsonl as a FIFO used to block forever, as a symlink to /dev/zero to read until
// memory ran out and then exit 0; now each is refused, unread, with exit code 2.
TEST(ScoreE2eTest, ResponsesThatAreNotARegularFileAreRefused) {
  TempDir dir;
  WriteSuite(dir);
  struct Case {
    std::string make;  // fifo, zero, dir or loop
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"fifo", "run/responses.jsonl: not a regular file (a FIFO)"},
           {"zero", "run/responses.jsonl: not a regular file (a character device)"},
           {"dir", "run/responses.jsonl: is a directory"},
           {"loop", "run/responses.jsonl: too many levels of symbolic links"},
       }) {
    std::filesystem::remove_all(dir.path() + "/run");
    dir.WriteFile("run/crash/truth.json", kTruth);
    std::string path = dir.path() + "/run/responses.jsonl";
    if (c.make == "fifo") {
      ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    } else if (c.make == "zero") {
      ASSERT_EQ(symlink("/dev/zero", path.c_str()), 0);
    } else if (c.make == "dir") {
      std::filesystem::create_directory(path);
    } else {
      ASSERT_EQ(symlink("responses.jsonl", path.c_str()), 0);
    }
    SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "run"});
    EXPECT_EQ(r.exit_code, 2) << c.make;
    EXPECT_EQ(r.stderr_data, "sre-eval score: " + c.error + "\n");
    EXPECT_EQ(r.stdout_data, "");
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/run/scores.json")) << c.make;
  }
}

// A line over the cap (128 MiB) is a problem at its line; the others are scored.
TEST(ScoreE2eTest, ALineOverTheCapIsAProblemAndTheRestIsScored) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("run/crash/truth.json", kTruth);
  std::string huge = R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":2,)"
                     R"("status":"ok","answer":")";
  huge.append((size_t{128} << 20) + 1 - huge.size() - 2, 'x');
  huge += "\"}\n";
  ASSERT_EQ(huge.size(), (size_t{128} << 20) + 1 + 1);  // One byte over, and the newline.
  dir.WriteFile("run/responses.jsonl", Answer("i1.b", 1, "5 restarts.") + huge +
                                           Answer("i1.a", 1, "OOMKilled: out of memory."));
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "run/responses.jsonl:2: line is longer than the limit of 134217728 bytes; skipped\n"
            "score: 1 problem in the input; 1 line of responses.jsonl not scored\n");
  EXPECT_THAT(r.stdout_data, HasSubstr("\noverall       2  "));
}

// 3,000 answers in shuffled trial order, with failed calls: streaming scores.json gives the
// bytes that scoring in memory gave before it (the hash and size were taken from sre-eval
// built at 5523746, before streaming, and updated only for the note of a claimed zero, now
// "denied: claimed 0, truth 5"; the scores are unchanged).
TEST(ScoreE2eTest, StreamedScoresAreTheBytesOfScoringInMemory) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("run/crash/truth.json", kTruth);
  std::string responses;
  const char* texts[] = {"OOMKilled: out of memory.", "It was OOMKilled.", "memory", "nothing"};
  for (int i = 0; i < 3000; ++i) {
    int trial = (i / 2 * 7919) % 1500 + 1;
    const char* prompt = i % 2 == 0 ? "i1.a" : "i1.b";
    std::string head = absl::StrCat(R"({"schema_version":1,"incident":"crash","prompt_id":")",
                                    prompt, R"(","trial":)", trial);
    if (i % 13 == 0) {
      absl::StrAppend(&responses, head, R"(,"status":"error","error":"HTTP 503"})", "\n");
      continue;
    }
    std::string answer = i % 2 == 0 ? texts[(i / 2) % 4] : absl::StrCat((i / 2) % 7, " restarts.");
    absl::StrAppend(&responses, head, R"(,"answer":")", answer, R"(","status":"ok"})", "\n");
  }
  dir.WriteFile("run/responses.jsonl", responses);
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "--jobs", "3", "run"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.stdout_data,
            "prompt   trials   score  detection  diagnosis  impact\n"
            "i1.a       1500  0.4613     0.4613     0.4613\n"
            "i1.b       1500  0.1313                        0.1313\n"
            "overall    3000  0.2963     0.4613     0.4613  0.1313\n"
            "231 of 3000 answers had status error or timeout and scored 0\n"
            "judge: not configured (set SRE_EVAL_JUDGE_URL and SRE_EVAL_JUDGE_MODEL); 1 judge "
            "criterion skipped\n"
            "wrote run/scores.json\n");
  std::string scores = Read(dir.path() + "/run/scores.json");
  EXPECT_EQ(scores.size(), 1758582u);
  EXPECT_EQ(Sha256Hex(scores), "5395e4ac465b5e6273145e7fd4209f6de9799da11a1036bcc6e86b6f04a224a9");
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/run")) {
    files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"crash", "responses.jsonl", "scores.json"}))
      << "no temporary file is left";
}

#if defined(__SANITIZE_ADDRESS__)
#define SCORE_E2E_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCORE_E2E_ASAN 1
#endif
#endif

// Runs `sre-eval score --suite SRE_EVAL_SOURCE_DIR --jobs 2 RUN_DIR` and returns its peak
// RSS in KiB (wait4's rusage covers that child alone), or -1 when it failed.
long ScorePeakRssKib(const std::string& run_dir) {
  std::string suite = SRE_EVAL_SOURCE_DIR;
  std::vector<const char*> argv = {SRE_EVAL_BINARY, "score", "--suite",       suite.c_str(),
                                   "--jobs",        "2",     run_dir.c_str(), nullptr};
  // The environment without a judge, built before fork: the child only calls what is safe
  // between fork and exec.
  std::vector<const char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "SRE_EVAL_JUDGE_")) env.push_back(*e);
  }
  env.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execve(argv[0], const_cast<char* const*>(argv.data()), const_cast<char* const*>(env.data()));
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return usage.ru_maxrss;
}

// 10,200 answers (fixtures/runs/clean 300 times over, 8 MB) used to peak at 142 MB: every
// answer's scores and the whole of scores.json were held. Streamed, the peak is about 27 MB.
TEST(ScoreE2eTest, PeakMemoryStaysUnder100MbForTenThousandAnswers) {
#ifdef SCORE_E2E_ASAN
  GTEST_SKIP() << "AddressSanitizer's shadow memory makes RSS meaningless";
#endif
  TempDir dir;
  CopyFixtureRun("clean", dir);
  std::vector<std::string> lines =
      absl::StrSplit(Read(dir.path() + "/run/responses.jsonl"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 34u);
  std::string responses;
  for (int copy = 0; copy < 300; ++copy) {
    for (const std::string& line : lines) {
      nlohmann::json j = nlohmann::json::parse(line);
      j["trial"] = copy * 10 + j["trial"].get<int>();
      responses += j.dump() + "\n";
    }
  }
  dir.WriteFile("run/responses.jsonl", responses);
  long kib = ScorePeakRssKib(dir.path() + "/run");
  ASSERT_GT(kib, 0) << "sre-eval score failed";
  EXPECT_LT(kib, 100 * 1024);
  nlohmann::json doc = nlohmann::json::parse(Read(dir.path() + "/run/scores.json"));
  EXPECT_EQ(doc["counts"]["scored"], 10200);
}

TEST(ScoreE2eTest, SuiteProblemsStopScoring) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("suite/rubrics/i1.b.yaml", "prompt: i1.b\ndimensions: {}\n");
  dir.WriteFile("run/responses.jsonl", "");
  SubprocessResult r = SreEval(dir.path(), {"score", "--suite", "suite", "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "suite/rubrics/i1.b.yaml:2:13: 'dimensions' must not be empty\n"
            "score: 1 error in 1 file of the suite 'suite'; nothing scored\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/run/scores.json"));
}

TEST(ScoreE2eTest, HelpSaysWhatItReadsWritesAndReturns) {
  TempDir dir;
  SubprocessResult r = SreEval(dir.path(), {"score", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data,
              StartsWith("usage: sre-eval score [--suite DIR] [--no-judge] [--jobs N] RUN_DIR\n"));
  for (const char* part :
       {"RUN_DIR/responses.jsonl", "RUN_DIR/<incident>/truth.json", "RUN_DIR/scores.json",
        "harness/score/engine.h", "SRE_EVAL_JUDGE_URL", "Exit code 0", "2 when the input had",
        "3 when\nscores.json could not be written", "Run folders and scores"}) {
    EXPECT_THAT(r.stdout_data, HasSubstr(part));
  }
}

TEST(CalibrateE2eTest, ShippedGradedAnswersGiveOneRowPerPrompt) {
  TempDir dir;
  SubprocessResult r = SreEval(dir.path(), {"calibrate", "--suite", SRE_EVAL_SOURCE_DIR});
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data, StartsWith("prompt            answers  pairs  agreement   tau_b\n"
                                        "i1.limits               8  "));
  EXPECT_THAT(r.stdout_data, HasSubstr("\noverall: 128 answers, "));
  SubprocessResult json =
      SreEval(dir.path(), {"calibrate", "--suite", SRE_EVAL_SOURCE_DIR, "--json"});
  EXPECT_EQ(json.exit_code, 0);
  nlohmann::json doc = nlohmann::json::parse(json.stdout_data, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["prompts"].size(), 16u);
  EXPECT_EQ(doc["overall"]["answers"], 128);
  EXPECT_EQ(doc["gate"], nullptr);
  // Deterministic.
  EXPECT_EQ(
      SreEval(dir.path(), {"calibrate", "--suite", SRE_EVAL_SOURCE_DIR, "--json"}).stdout_data,
      json.stdout_data);
}

// The shipped rubrics against the shipped graded answers: the figures the issue asks for
// (overall agreement at least 0.85, excellent above every vague, refusing or wrong answer).
TEST(CalibrateE2eTest, ShippedRubricsMeetTheCalibrationTargets) {
  TempDir dir;
  SubprocessResult r =
      SreEval(dir.path(), {"calibrate", "--suite", SRE_EVAL_SOURCE_DIR, "--min-agreement", "0.85"});
  EXPECT_EQ(r.exit_code, 0) << r.stdout_data;
  EXPECT_THAT(r.stdout_data,
              HasSubstr("must: excellent above keyword_stuffed, boilerplate, refusal and "
                        "confidently_wrong in 16 of 16 prompts\n"));
  EXPECT_THAT(r.stdout_data,
              HasSubstr("overall: 128 answers, 431 pairs, agreement 0.9258, tau_b 0.8345\n"));
}

TEST(CalibrateE2eTest, GateAndBadInput) {
  TempDir dir;
  WriteSuite(dir);
  dir.WriteFile("truth.json", kTruth);
  dir.WriteFile("g.yaml",
                "prompt: i1.b\ntruth: truth.json\nanswers:\n"
                "  - {id: excellent, kind: excellent, grades: {impact: 1}, text: 5 restarts}\n"
                "  - {id: refusal, kind: refusal, grades: {impact: 0}, text: I cannot tell}\n"
                "  - {id: wrong, kind: wrong_numbers, grades: {impact: 0.3}, text: 4 restarts}\n");
  SubprocessResult r =
      SreEval(dir.path(), {"calibrate", "--suite", "suite", "--min-agreement", "0.9", "g.yaml"});
  // excellent 1 > wrong 0 (half its penalty, 1 of 2 points) = refusal 0: wrong vs refusal is
  // tied.
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.stdout_data,
            "prompt  answers  pairs  agreement   tau_b\n"
            "i1.b          3      3     0.6667  0.8165\n"
            "\n"
            "inverted pairs (the expert ranks the first answer higher):\n"
            "  i1.b  wrong (wrong_numbers) > refusal  expert 0.3000 > 0.0000  rubric 0.0000 = "
            "0.0000  favouring refusal: count +0.5000\n"
            "\n"
            "must: excellent above keyword_stuffed, boilerplate, refusal and confidently_wrong in "
            "1 of 1 prompt\n"
            "\n"
            "kind               answers  expert  rubric  difference\n"
            "excellent                1  1.0000  1.0000  +0.0000\n"
            "refusal                  1  0.0000  0.0000  +0.0000\n"
            "wrong_numbers            1  0.3000  0.0000  -0.3000\n"
            "\n"
            "overall: 3 answers, 3 pairs, agreement 0.6667, tau_b 0.8165\n"
            "gate: failed (agreement 0.6667 < 0.9000)\n");
  EXPECT_EQ(r.exit_code, 1);
  r = SreEval(dir.path(), {"calibrate", "--suite", "suite", "--min-agreement", "0.5", "g.yaml"});
  EXPECT_THAT(r.stdout_data,
              HasSubstr("\ngate: passed (agreement 0.6667 >= 0.5000, no must violation)\n"));
  EXPECT_EQ(r.exit_code, 0);

  r = SreEval(dir.path(), {"calibrate", "--suite", "suite", "--min-agreement", "high", "g.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "sre-eval calibrate: --min-agreement must be a number from 0 to 1, got 'high'\n");

  dir.WriteFile("bad.yaml",
                "prompt: i1.c\ntruth: truth.json\nanswers:\n"
                "  - {id: a, kind: terse, grades: {impact: 1}, text: x}\n");
  r = SreEval(dir.path(), {"calibrate", "--suite", "suite", "bad.yaml", "missing.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "bad.yaml:1:9: unknown prompt 'i1.c' (did you mean 'i1.a'?)\n"
            "missing.yaml: No such file or directory\n"
            "calibrate: 2 errors in 2 files\n");
  r = SreEval(dir.path(), {"calibrate", "--suite", "suite"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "sre-eval calibrate: no FILE given, and suite/fixtures/graded/ holds no *.yaml file\n");
}

}  // namespace
}  // namespace sre_eval
