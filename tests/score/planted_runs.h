// Run folders for the compare tests: copies of fixtures/runs/clean, one with a planted
// regression (every trial of one prompt answered with a poor graded answer).
#ifndef SRE_EVAL_TESTS_SCORE_PLANTED_RUNS_H_
#define SRE_EVAL_TESTS_SCORE_PLANTED_RUNS_H_

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/graded.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {

// Copies fixtures/runs/clean to dir/NAME; returns dir/NAME.
inline std::string CopyCleanRun(const TempDir& dir, const std::string& name) {
  std::string to = absl::StrCat(dir.path(), "/", name);
  std::filesystem::copy(std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/runs/clean", to,
                        std::filesystem::copy_options::recursive);
  return to;
}

// The text of the answer `id` of fixtures/graded/PROMPT.yaml.
inline std::string GradedText(const std::string& prompt, const std::string& id) {
  Diagnostics diags;
  std::optional<GradedFile> file = LoadGradedFile(
      absl::StrCat(SRE_EVAL_SOURCE_DIR, "/fixtures/graded/", prompt, ".yaml"), &diags);
  EXPECT_TRUE(file.has_value());
  if (!file) return "";
  for (const GradedAnswer& a : file->answers) {
    if (a.id == id) return a.text;
  }
  ADD_FAILURE() << "no answer " << id << " in " << prompt;
  return "";
}

// Replaces the answer of every trial of `prompt` in RUN/responses.jsonl with `answer`;
// returns how many lines were replaced.
inline int ReplaceAnswers(const std::string& run, const std::string& prompt,
                          const std::string& answer) {
  std::string path = run + "/responses.jsonl";
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  std::string out;
  int replaced = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(line);
    if (j["prompt_id"] == prompt) {
      j["answer"] = answer;
      j["status"] = "ok";
      ++replaced;
    }
    absl::StrAppend(&out, j.dump(), "\n");
  }
  EXPECT_TRUE(WriteFileAtomically(path, out).ok());
  return replaced;
}

// A run.json as `sre-eval record` writes it on the sim, with this seed.
inline void WriteRunJson(const std::string& run, int seed) {
  std::string text = absl::StrCat(
      "{\n  \"schema_version\": 1,\n  \"command\": \"record\",\n  \"environment\": \"sim\",\n"
      "  \"context\": \"sim\",\n  \"namespace\": \"sock-shop\",\n  \"suite\": \"suite\",\n"
      "  \"incidents\": [],\n  \"seed\": ",
      seed, "\n}\n");
  EXPECT_TRUE(WriteFileAtomically(run + "/run.json", text).ok());
}

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_SCORE_PLANTED_RUNS_H_
