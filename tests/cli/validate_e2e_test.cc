// End to end: the real sre-eval binary, spawned through the real subprocess runner, checks
// suites written to a temporary folder. Each broken input must give its exact messages and
// exit code 2.
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

struct Case {
  const char* name;
  std::vector<std::pair<std::string, std::string>> files;  // Relative path -> content.
  const char* expected_stderr;
};

const char kGood[] =
    "incident: crash\n"
    "prompts:\n"
    "  - id: i1.a\n"
    "    text: \"hi\"\n"
    "    dimensions: [detection]\n";

std::string TenMegabytes() {
  std::string s = "incident: crash\nprompts:\n";
  while (s.size() < (size_t{10} << 20)) {
    s += "  - id: i1.p\n    text: \"" + std::string(200, 'x') + "\"\n    dimensions: [impact]\n";
  }
  return s;
}

std::vector<Case> BrokenCases() {
  return {
      {"bad_yaml_syntax",
       {{"prompts/a.yaml", "incident: crash\nprompts: [\n"}},
       "prompts/a.yaml:3:1: YAML syntax error: end of sequence flow not found\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_key",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi\"\n"
         "    dimesions: [detection]\n"}},
       "prompts/a.yaml:3:5: prompt is missing required key 'dimensions'\n"
       "prompts/a.yaml:5:5: unknown key 'dimesions' in prompt (did you mean 'dimensions'?)\n"
       "validate: 2 errors in 1 file\n"},
      {"wrong_types",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: [1, 2]\n"
         "    dimensions: detection\n"}},
       "prompts/a.yaml:4:11: 'text' must be a string, got a list\n"
       "prompts/a.yaml:5:17: 'dimensions' must be a list, got a string\n"
       "validate: 2 errors in 1 file\n"},
      {"duplicate_id",
       {{"prompts/a.yaml",
         std::string(kGood) + "  - id: i1.a\n    text: \"ho\"\n    dimensions: [impact]\n"}},
       "prompts/a.yaml:6:5: duplicate prompt id 'i1.a'; first defined at prompts/a.yaml:3:5\n"
       "validate: 1 error in 1 file\n"},
      {"duplicate_id_across_files",
       {{"prompts/a.yaml", kGood}, {"prompts/b.yaml", kGood}},
       "prompts/b.yaml:3:5: duplicate prompt id 'i1.a'; first defined at prompts/a.yaml:3:5\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_fact_and_field",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n"
         "    text: \"at {{window.strat|clock}} and {{payment.failed_orders[0].amt}}\"\n"
         "    dimensions: [detection]\n"}},
       "prompts/a.yaml:4:15: unknown fact 'window.strat' (did you mean 'window.start'?)\n"
       "prompts/a.yaml:4:42: unknown field 'amt' of 'payment.failed_orders'; its fields are "
       "id, customer, amount, time\n"
       "validate: 2 errors in 1 file\n"},
      {"empty_file",
       {{"prompts/a.yaml", ""}},
       "prompts/a.yaml: file is empty\nvalidate: 1 error in 1 file\n"},
      {"comments_only",
       {{"prompts/a.yaml", "# nothing here yet\n\n"}},
       "prompts/a.yaml: file is empty\nvalidate: 1 error in 1 file\n"},
      {"binary_garbage",
       {{"prompts/a.yaml", std::string("\xff\xfe\x00garbage\x01\x02", 12)}},
       "prompts/a.yaml:1:1: not a text file: invalid UTF-8 byte 0xff (YAML files must be "
       "UTF-8)\nvalidate: 1 error in 1 file\n"},
      {"nul_byte_after_text",
       {{"prompts/a.yaml", std::string("incident: crash\nprompts:\x00\n", 26)}},
       "prompts/a.yaml:2:9: not a text file: NUL byte (YAML files must be UTF-8)\n"
       "validate: 1 error in 1 file\n"},
      {"ten_megabytes",
       {{"prompts/a.yaml", TenMegabytes()}},
       nullptr},  // Size-dependent; checked below.
      {"unterminated_reference",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi {{window.start\"\n"
         "    dimensions: [detection]\n"}},
       "prompts/a.yaml:4:15: unterminated '{{' (every '{{' needs a closing '}}')\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_dimension",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi\"\n"
         "    dimensions: [detection, detectoin]\n"}},
       "prompts/a.yaml:5:29: unknown dimension 'detectoin' (did you mean 'detection'?); "
       "dimensions are detection, diagnosis, impact, remediation\n"
       "validate: 1 error in 1 file\n"},
      {"missing_text",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    dimensions: [detection]\n"}},
       "prompts/a.yaml:3:5: prompt is missing required key 'text'\n"
       "validate: 1 error in 1 file\n"},
      {"duplicate_key",
       {{"prompts/a.yaml", std::string("incident: latency\n") + kGood}},
       "prompts/a.yaml:2:1: duplicate key 'incident' in prompt file\n"
       "validate: 1 error in 1 file\n"},
      {"continues_unknown_prompt",
       {{"prompts/a.yaml", std::string(kGood) + "    continues: i1.b\n"}},
       "prompts/a.yaml:6:16: 'continues' names unknown prompt 'i1.b' (did you mean 'i1.a'?)\n"
       "validate: 1 error in 1 file\n"},
      {"continues_cycle",
       {{"prompts/a.yaml", std::string(kGood) +
                               "    continues: i1.b\n"
                               "  - id: i1.b\n    text: \"x\"\n    dimensions: [impact]\n"
                               "    continues: i1.a\n"}},
       "prompts/a.yaml:6:16: 'continues' makes a cycle: i1.a -> i1.b -> i1.a\n"
       "validate: 1 error in 1 file\n"},
      {"not_a_mapping",
       {{"prompts/a.yaml", "- just\n- a list\n"}},
       "prompts/a.yaml:1:1: prompt file must be a mapping, got a list\n"
       "validate: 1 error in 1 file\n"},
      {"many_errors_in_one_prompt",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: I1 Bad\n"
         "    text: \"{{window.start|bogus}} {{payment.failed_orders}} {{window.start[0].x}}\"\n"
         "    dimensions: []\n"}},
       "prompts/a.yaml:3:9: prompt id 'I1 Bad' must be lowercase letters, digits and '_' in "
       "parts joined by '.', like 'i1.why_crash'\n"
       "prompts/a.yaml:4:12: filter 'bogus' does not apply to a time; filters for a time: "
       "clock, clock12, date, iso\n"
       "prompts/a.yaml:4:35: fact 'payment.failed_orders' is a list: pick one item, as in "
       "'payment.failed_orders[0].id', or count them with 'payment.failed_orders|count'\n"
       "prompts/a.yaml:4:61: fact 'window.start' is a time, not a list, and cannot be indexed\n"
       "prompts/a.yaml:5:17: 'dimensions' must not be empty\n"
       "validate: 5 errors in 1 file\n"},
      {"empty_prompt_list",
       {{"prompts/a.yaml", "incident: crash\nprompts: []\n"}},
       "prompts/a.yaml:2:10: 'prompts' must not be empty\nvalidate: 1 error in 1 file\n"},
      {"two_documents",
       {{"prompts/a.yaml", std::string(kGood) + "---\nincident: x\n"}},
       "prompts/a.yaml:7:1: expected one YAML document, found 2\nvalidate: 1 error in 1 file\n"},
      {"no_prompts_folder",
       {{"README.md", "not a suite\n"}},
       "prompts/: no such directory\nvalidate: 1 error in 1 file\n"},
      {"errors_in_two_files",
       {{"prompts/a.yaml", "incident: crash\nprompts: 3\n"},
        {"prompts/b.yaml", "incident: Crash!\nprompts:\n  - 7\n"}},
       "prompts/a.yaml:2:10: 'prompts' must be a list, got a string\n"
       "prompts/b.yaml:1:11: incident id 'Crash!' must be lowercase letters, digits, '_' and "
       "'-'\n"
       "prompts/b.yaml:3:5: prompt must be a mapping, got a string\n"
       "validate: 3 errors in 2 files\n"},
  };
}

SubprocessResult RunValidate(const std::string& dir) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY, "validate", "--suite", "."};
  options.working_dir = dir;
  options.timeout = absl::Seconds(30);
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : SubprocessResult{};
}

class ValidateBrokenSuiteTest : public testing::TestWithParam<Case> {};

TEST_P(ValidateBrokenSuiteTest, ReportsExactErrorsAndExitsTwo) {
  const Case& c = GetParam();
  TempDir dir;
  std::string big_size;
  for (const auto& [path, content] : c.files) {
    dir.WriteFile(path, content);
    big_size = std::to_string(content.size());
  }
  SubprocessResult result = RunValidate(dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_data, "");
  if (c.expected_stderr != nullptr) {
    EXPECT_EQ(result.stderr_data, c.expected_stderr);
  } else {
    EXPECT_EQ(result.stderr_data, "prompts/a.yaml: file is " + big_size +
                                      " bytes, over the limit of 1048576 bytes for a suite file\n"
                                      "validate: 1 error in 1 file\n");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ValidateBrokenSuiteTest, testing::ValuesIn(BrokenCases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateE2eTest, CleanSuitePrintsSummaryAndExitsZero) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml", kGood);
  dir.WriteFile("prompts/notes.md", "ignored: not yaml");
  SubprocessResult result = RunValidate(dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_data, "1 prompt: ok\n");
  EXPECT_EQ(result.stderr_data, "");
}

TEST(ValidateE2eTest, ShippedSuiteIsClean) {
  SubprocessResult result = RunValidate(SRE_EVAL_SOURCE_DIR);
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(result.stdout_data, "16 prompts: ok\n");
  EXPECT_EQ(result.exit_code, 0);
}

TEST(ValidateE2eTest, PathsInMessagesFollowTheSuiteArgument) {
  TempDir dir;
  dir.WriteFile("suite/prompts/a.yaml", "incident: crash\n");
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY, "validate", "--suite", "suite"};
  options.working_dir = dir.path();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 2);
  EXPECT_EQ(result->stderr_data,
            "suite/prompts/a.yaml:1:1: prompt file is missing required key 'prompts'\n"
            "validate: 1 error in 1 file\n");
}

}  // namespace
}  // namespace sre_eval
