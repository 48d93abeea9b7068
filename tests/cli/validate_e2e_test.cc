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

// A valid rubric for kGood's prompt, shipped with every case about a prompt problem so that
// the expected output is that problem alone.
const char kRubric[] =
    "prompt: i1.a\n"
    "dimensions:\n"
    "  detection:\n"
    "    criteria:\n"
    "      - {id: found, description: names the crash, points: 1, terms: {any: [crash*]}}\n";

// The same for a second prompt 'i1.b' scored on impact.
const char kRubricB[] =
    "prompt: i1.b\n"
    "dimensions:\n"
    "  impact:\n"
    "    criteria:\n"
    "      - {id: count, description: counts restarts, points: 1,\n"
    "         number: {fact: restarts.total, cues: [restart*]}}\n";

// A valid incident for kGood's incident 'crash', and the Job manifest it applies.
const char kIncident[] =
    "id: crash\n"
    "title: Crash\n"
    "description: d\n"
    "steps:\n"
    "  - apply: manifests/job.yaml\n"
    "  - wait_job: {job: load, timeout: 5m}\n";
const char kJob[] = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: load}\n";

std::string TenMegabytes() {
  std::string s = "incident: crash\nprompts:\n";
  while (s.size() < (size_t{10} << 20)) {
    s += "  - id: i1.p\n    text: \"" + std::string(200, 'x') + "\"\n    dimensions: [impact]\n";
  }
  return s;
}

// The "billion laughs": nine levels of aliases, each ten times the one below (10^9 nodes).
std::string AliasBomb() {
  std::string s = "bomb:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    s += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) s += (j > 0 ? ", " : "") + prev;
    s += "]\n";
  }
  return s;
}

std::vector<Case> BrokenCases() {
  return {
      {"prompt_alias_cycle",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", "incident: crash\nprompts: &p\n  - id: i1.a\n    more: *p\n"}},
       "prompts/a.yaml:4:11: YAML alias *p refers to a node that contains it (an alias cycle)\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_alias_bomb",
       {{"prompts/a.yaml", kGood}, {"rubrics/i1.a.yaml", std::string(kRubric) + AliasBomb()}},
       "rubrics/i1.a.yaml:12:52: YAML aliases expand to more than 1048576 nodes (an alias "
       "bomb?)\n"
       "validate: 1 error in 1 file\n"},
      {"incident_manifest_alias_cycle",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", std::string(kJob) + "spec: {q: &a [*a]}\n"},
        {"incidents/crash.yaml", kIncident}},
       "incidents/crash.yaml:5:12: manifests/job.yaml:4:15: YAML alias *a refers to a node "
       "that contains it (an alias cycle)\n"
       "validate: 1 error in 1 file\n"},
      {"incident_manifest_alias_bomb",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", std::string(kJob) + AliasBomb()},
        {"incidents/crash.yaml", kIncident}},
       "incidents/crash.yaml:5:12: manifests/job.yaml:10:52: YAML aliases expand to more than "
       "1048576 nodes (an alias bomb?)\n"
       "validate: 1 error in 1 file\n"},
      {"bad_yaml_syntax",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", "incident: crash\nprompts: [\n"}},
       "prompts/a.yaml:3:1: YAML syntax error: end of sequence flow not found\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_key",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi\"\n"
         "    dimesions: [detection]\n"}},
       "prompts/a.yaml:3:5: prompt is missing required key 'dimensions'\n"
       "prompts/a.yaml:5:5: unknown key 'dimesions' in prompt (did you mean 'dimensions'?)\n"
       "validate: 2 errors in 1 file\n"},
      {"wrong_types",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: [1, 2]\n"
         "    dimensions: detection\n"}},
       "prompts/a.yaml:4:11: 'text' must be a string, got a list\n"
       "prompts/a.yaml:5:17: 'dimensions' must be a list, got a string\n"
       "validate: 2 errors in 1 file\n"},
      {"duplicate_id",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         std::string(kGood) + "  - id: i1.a\n    text: \"ho\"\n    dimensions: [impact]\n"}},
       "prompts/a.yaml:6:5: duplicate prompt id 'i1.a'; first defined at prompts/a.yaml:3:5\n"
       "validate: 1 error in 1 file\n"},
      {"duplicate_id_across_files",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", kGood}, {"prompts/b.yaml", kGood}},
       "prompts/b.yaml:3:5: duplicate prompt id 'i1.a'; first defined at prompts/a.yaml:3:5\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_fact_and_field",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n"
         "    text: \"at {{window.strat|clock}} and {{payment.failed_orders[0].amt}}\"\n"
         "    dimensions: [detection]\n"}},
       "prompts/a.yaml:4:15: unknown fact 'window.strat' (did you mean 'window.start'?)\n"
       "prompts/a.yaml:4:42: unknown field 'amt' of 'payment.failed_orders'; its fields are "
       "id, customer, amount, time\n"
       "validate: 2 errors in 1 file\n"},
      {"empty_file",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", ""}},
       "prompts/a.yaml: file is empty\nvalidate: 1 error in 1 file\n"},
      {"comments_only",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", "# nothing here yet\n\n"}},
       "prompts/a.yaml: file is empty\nvalidate: 1 error in 1 file\n"},
      {"binary_garbage",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", std::string("\xff\xfe\x00garbage\x01\x02", 12)}},
       "prompts/a.yaml:1:1: not a text file: invalid UTF-8 byte 0xff (YAML files must be "
       "UTF-8)\nvalidate: 1 error in 1 file\n"},
      {"nul_byte_after_text",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", std::string("incident: crash\nprompts:\x00\n", 26)}},
       "prompts/a.yaml:2:9: not a text file: NUL byte (YAML files must be UTF-8)\n"
       "validate: 1 error in 1 file\n"},
      {"ten_megabytes",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", TenMegabytes()}},
       nullptr},  // Size-dependent; checked below.
      {"unterminated_reference",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi {{window.start\"\n"
         "    dimensions: [detection]\n"}},
       "prompts/a.yaml:4:15: unterminated '{{' (every '{{' needs a closing '}}')\n"
       "validate: 1 error in 1 file\n"},
      {"unknown_dimension",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi\"\n"
         "    dimensions: [detection, detectoin]\n"}},
       "prompts/a.yaml:5:29: unknown dimension 'detectoin' (did you mean 'detection'?); "
       "dimensions are detection, diagnosis, impact, remediation, outcome\n"
       "validate: 1 error in 1 file\n"},
      {"missing_text",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    dimensions: [detection]\n"}},
       "prompts/a.yaml:3:5: prompt is missing required key 'text'\n"
       "validate: 1 error in 1 file\n"},
      {"duplicate_key",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", std::string("incident: latency\n") + kGood}},
       "prompts/a.yaml:2:1: duplicate key 'incident' in prompt file\n"
       "validate: 1 error in 1 file\n"},
      {"continues_unknown_prompt",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", std::string(kGood) + "    continues: i1.b\n"}},
       "prompts/a.yaml:6:16: 'continues' names unknown prompt 'i1.b' (did you mean 'i1.a'?)\n"
       "validate: 1 error in 1 file\n"},
      {"continues_cycle",
       {{"rubrics/i1.a.yaml", kRubric},
        {"rubrics/i1.b.yaml", kRubricB},
        {"prompts/a.yaml", std::string(kGood) +
                               "    continues: i1.b\n"
                               "  - id: i1.b\n    text: \"x\"\n    dimensions: [impact]\n"
                               "    continues: i1.a\n"}},
       "prompts/a.yaml:6:16: 'continues' makes a cycle: i1.a -> i1.b -> i1.a\n"
       "validate: 1 error in 1 file\n"},
      {"not_a_mapping",
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", "- just\n- a list\n"}},
       "prompts/a.yaml:1:1: prompt file must be a mapping, got a list\n"
       "validate: 1 error in 1 file\n"},
      {"many_errors_in_one_prompt",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml",
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
       {{"rubrics/i1.a.yaml", kRubric}, {"prompts/a.yaml", "incident: crash\nprompts: []\n"}},
       "prompts/a.yaml:2:10: 'prompts' must not be empty\nvalidate: 1 error in 1 file\n"},
      {"two_documents",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", std::string(kGood) + "---\nincident: x\n"}},
       "prompts/a.yaml:7:1: expected one YAML document, found 2\nvalidate: 1 error in 1 file\n"},
      {"no_prompts_folder",
       {{"rubrics/i1.a.yaml", kRubric}, {"README.md", "not a suite\n"}},
       "prompts/: no such directory\nvalidate: 1 error in 1 file\n"},
      {"errors_in_two_files",
       {{"rubrics/i1.a.yaml", kRubric},
        {"prompts/a.yaml", "incident: crash\nprompts: 3\n"},
        {"prompts/b.yaml", "incident: Crash!\nprompts:\n  - 7\n"}},
       "prompts/a.yaml:2:10: 'prompts' must be a list, got a string\n"
       "prompts/b.yaml:1:11: incident id 'Crash!' must be lowercase letters, digits, '_' and "
       "'-'\n"
       "prompts/b.yaml:3:5: prompt must be a mapping, got a string\n"
       "validate: 3 errors in 2 files\n"},
      {"no_rubrics_folder",
       {{"prompts/a.yaml", kGood}},
       "rubrics/: no such directory\nvalidate: 1 error in 1 file\n"},
      {"no_rubric_files",
       {{"prompts/a.yaml", kGood}, {"rubrics/README.md", "not a rubric\n"}},
       "rubrics/: no rubric files (*.yaml)\nvalidate: 1 error in 1 file\n"},
      {"rubric_regex_does_not_compile",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml",
         "prompt: i1.a\n"
         "dimensions:\n"
         "  detection:\n"
         "    criteria:\n"
         "      - id: oom\n"
         "        description: names the OOM kill\n"
         "        points: 1\n"
         "        regex: \"OOM(Killed|\"\n"}},
       "rubrics/i1.a.yaml:8:16: regex does not compile: missing ): OOM(Killed|\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_unknown_fact",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml",
         "prompt: i1.a\n"
         "dimensions:\n"
         "  detection:\n"
         "    criteria:\n"
         "      - id: restarts\n"
         "        description: counts the restarts\n"
         "        points: 2\n"
         "        number: {fact: restarts.totl, cues: [restart*]}\n"}},
       "rubrics/i1.a.yaml:8:24: unknown fact 'restarts.totl' (did you mean 'restarts.total'?)\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_number_unknown_unit",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml",
         "prompt: i1.a\n"
         "dimensions:\n"
         "  detection:\n"
         "    criteria:\n"
         "      - id: memory\n"
         "        description: quotes the peak memory\n"
         "        points: 1\n"
         "        number: {fact: \"peak_usage[container=front-end].memory_mib\", cues: [memory], "
         "unit: MB}\n"}},
       "rubrics/i1.a.yaml:8:92: unknown unit 'MB'; units are ms, s, percent, MiB, millicores "
       "(did you mean 'MiB'?)\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_positional_selector_on_unordered_list",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml",
         "prompt: i1.a\n"
         "dimensions:\n"
         "  detection:\n"
         "    criteria:\n"
         "      - id: memory\n"
         "        description: quotes the peak memory\n"
         "        points: 1\n"
         "        number: {fact: \"peak_usage[0].memory_mib\", cues: [memory], unit: MiB}\n"}},
       "rubrics/i1.a.yaml:8:24: 'peak_usage' has no defined order, so "
       "'{{peak_usage[0].memory_mib}}' picks an arbitrary item; select it by a field instead, as "
       "in 'peak_usage[container=...]'\n"
       "validate: 1 error in 1 file\n"},
      {"prompt_without_rubric",
       {{"prompts/a.yaml",
         std::string(kGood) + "  - id: i1.b\n    text: \"x\"\n    dimensions: [impact]\n"},
        {"rubrics/i1.a.yaml", kRubric}},
       "prompts/a.yaml:6:5: prompt 'i1.b' has no rubric (add one to rubrics/)\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_for_unknown_prompt",
       {{"prompts/a.yaml", kGood}, {"rubrics/i1.a.yaml", kRubricB}},
       "prompts/a.yaml:3:5: prompt 'i1.a' has no rubric (add one to rubrics/)\n"
       "rubrics/i1.a.yaml:1:9: rubric for unknown prompt 'i1.b' (did you mean 'i1.a'?)\n"
       "validate: 2 errors in 2 files\n"},
      {"duplicate_rubric",
       {{"prompts/a.yaml", kGood}, {"rubrics/a.yaml", kRubric}, {"rubrics/b.yml", kRubric}},
       "rubrics/b.yml:1:9: duplicate rubric for prompt 'i1.a'; first defined at "
       "rubrics/a.yaml:1:9\n"
       "validate: 1 error in 1 file\n"},
      {"rubric_dimensions_differ_from_prompt",
       {{"prompts/a.yaml",
         "incident: crash\nprompts:\n  - id: i1.a\n    text: \"hi\"\n"
         "    dimensions: [detection, diagnosis, remediation]\n"},
        {"rubrics/i1.a.yaml",
         "prompt: i1.a\n"
         "dimensions:\n"
         "  detection:\n"
         "    criteria:\n"
         "      - {id: found, description: names the crash, points: 1, terms: {any: [crash*]}}\n"
         "  impact:\n"
         "    criteria:\n"
         "      - {id: count, description: counts restarts, points: 1,\n"
         "         number: {fact: restarts.total, cues: [restart*]}}\n"}},
       "rubrics/i1.a.yaml:2:1: rubric has no criteria for dimension 'diagnosis' of prompt "
       "'i1.a'\n"
       "rubrics/i1.a.yaml:2:1: rubric has no criteria for dimension 'remediation' of prompt "
       "'i1.a'\n"
       "rubrics/i1.a.yaml:6:3: prompt 'i1.a' has no dimension 'impact'; its dimensions are "
       "detection, diagnosis, remediation\n"
       "validate: 3 errors in 1 file\n"},
      {"incident_unknown_step_key",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob},
        {"incidents/crash.yaml",
         "id: crash\ntitle: Crash\ndescription: d\nsteps:\n  - aply: manifests/job.yaml\n"}},
       "incidents/crash.yaml:5:5: unknown step key 'aply' (did you mean 'apply'?)\n"
       "validate: 1 error in 1 file\n"},
      {"incident_manifest_not_kubernetes_objects",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", "users: 10\n---\n- a\n"},
        {"incidents/crash.yaml", kIncident}},
       "incidents/crash.yaml:5:12: manifests/job.yaml: document 1: missing apiVersion, kind, "
       "metadata.name\n"
       "incidents/crash.yaml:5:12: manifests/job.yaml: document 2: not a Kubernetes object (a "
       "mapping with apiVersion, kind and metadata.name)\n"
       "validate: 2 errors in 1 file\n"},
      {"incident_errors_beside_prompt_errors",
       {{"prompts/a.yaml", std::string(kGood) + "    not: 1\n"},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob},
        {"incidents/crash.yaml", std::string(kIncident) +
                                     "  - scale: {deployment: payment, replicas: saved}\n"
                                     "    mark: window.start\n"
                                     "  - record: 30s\n    mark: window.start\n"}},
       "incidents/crash.yaml:7:44: 'replicas: saved' only in restore\n"
       "incidents/crash.yaml:10:11: mark 'window.start' is already set by the step at line 7\n"
       "prompts/a.yaml:6:5: unknown key 'not' in prompt (did you mean 'note'?)\n"
       "validate: 3 errors in 2 files\n"},
      {"incident_id_differs_from_file_name",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob},
        {"incidents/crash.yaml", std::string("id: crsh\n") + (kIncident + 10)}},
       "incidents/crash.yaml:1:5: id 'crsh' does not match the file name 'crash.yaml'\n"
       "validate: 1 error in 1 file\n"},
      {"incident_without_prompt_file",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob},
        {"incidents/crash.yaml", kIncident},
        {"incidents/latency.yaml",
         "id: latency\ntitle: Slow\ndescription: d\nsteps:\n  - record: 30s\n"}},
       "incidents/latency.yaml: incident 'latency' has no prompt file (add one to prompts/ with "
       "'incident: latency')\n"
       "validate: 1 error in 1 file\n"},
      {"prompt_file_for_unknown_incident",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob},
        {"incidents/crush.yaml", std::string("id: crush\n") + (kIncident + 10)}},
       "incidents/crush.yaml: incident 'crush' has no prompt file (add one to prompts/ with "
       "'incident: crush')\n"
       "prompts/a.yaml: incident 'crash' has no file in incidents/ (did you mean 'crush'?)\n"
       "validate: 2 errors in 2 files\n"},
      {"no_incident_files",
       {{"prompts/a.yaml", kGood},
        {"rubrics/i1.a.yaml", kRubric},
        {"incidents/manifests/job.yaml", kJob}},
       "incidents/: no incident files (*.yaml)\nvalidate: 1 error in 1 file\n"},
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
  std::string big_size;  // Of prompts/a.yaml, for the size-dependent case.
  for (const auto& [path, content] : c.files) {
    dir.WriteFile(path, content);
    if (path == "prompts/a.yaml") big_size = std::to_string(content.size());
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
  dir.WriteFile("rubrics/i1.a.yaml", kRubric);
  SubprocessResult result = RunValidate(dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_data, "1 prompt, 1 rubric: ok\n");
  EXPECT_EQ(result.stderr_data, "");
}

TEST(ValidateE2eTest, CleanSuiteWithIncidentsCountsThem) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml", kGood);
  dir.WriteFile("rubrics/i1.a.yaml", kRubric);
  dir.WriteFile("incidents/crash.yaml", kIncident);
  dir.WriteFile("incidents/manifests/job.yaml", kJob);
  dir.WriteFile("incidents/README.md", "not an incident\n");
  SubprocessResult result = RunValidate(dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_data, "1 prompt, 1 rubric, 1 incident: ok\n");
  EXPECT_EQ(result.stderr_data, "");
}

TEST(ValidateE2eTest, ShippedSuiteIsClean) {
  SubprocessResult result = RunValidate(SRE_EVAL_SOURCE_DIR);
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(result.stdout_data, "19 prompts, 19 rubrics, 3 incidents: ok\n");
  EXPECT_EQ(result.exit_code, 0);
}

TEST(ValidateE2eTest, PathsInMessagesFollowTheSuiteArgument) {
  TempDir dir;
  dir.WriteFile("suite/prompts/a.yaml", "incident: crash\n");
  dir.WriteFile("suite/rubrics/i1.a.yaml", "prompt: i1.a\ndimensions: {}\n");
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY, "validate", "--suite", "suite"};
  options.working_dir = dir.path();
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 2);
  EXPECT_EQ(result->stderr_data,
            "suite/prompts/a.yaml:1:1: prompt file is missing required key 'prompts'\n"
            "suite/rubrics/i1.a.yaml:2:13: 'dimensions' must not be empty\n"
            "validate: 2 errors in 2 files\n");
}

// Runs `sre-eval validate` with `args` in `dir`.
SubprocessResult RunIn(const std::string& dir, std::vector<std::string> args) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY, "validate"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.working_dir = dir;
  options.timeout = absl::Seconds(30);
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : SubprocessResult{};
}

TEST(ValidateAgentE2eTest, BrokenAgentFileGivesExactErrorsAndExitsTwo) {
  TempDir dir;
  dir.WriteFile("agent.yaml",
                "kind: openai\n"
                "retries: 11\n"
                "openai:\n"
                "  base_url: api.openai.com/v1\n"
                "  modle: gpt-4o-mini\n"
                "  api_key: ${OPENAI_API_KEY\n");
  SubprocessResult result = RunIn(dir.path(), {"--agent", "agent.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_data, "");
  EXPECT_EQ(result.stderr_data,
            "agent.yaml:2:10: 'retries' must be a whole number from 0 to 10, got '11'\n"
            "agent.yaml:4:3: 'openai' is missing required key 'model'\n"
            "agent.yaml:4:13: 'base_url' must start with http:// or https://, got "
            "'api.openai.com/v1'\n"
            "agent.yaml:5:3: unknown key 'modle' in 'openai' (did you mean 'model'?)\n"
            "agent.yaml:6:12: unterminated '${' in openai.api_key (write ${NAME}, or $${ for a "
            "literal '${')\n"
            "validate: 5 errors in 1 file\n");
}

// An alias cycle in an agent file was a SIGSEGV in validate; an alias bomb grew memory without
// end. Both are refused where the file is read, before any node is walked.
TEST(ValidateAgentE2eTest, AliasCycleAndBombAreRefused) {
  TempDir dir;
  dir.WriteFile("cycle.yaml",
                "kind: http\nhttp:\n  url: http://127.0.0.1:1/\n  body: {q: &a [*a]}\n");
  SubprocessResult result = RunIn(dir.path(), {"--agent", "cycle.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_data, "");
  EXPECT_EQ(result.stderr_data,
            "cycle.yaml:4:17: YAML alias *a refers to a node that contains it (an alias cycle)\n"
            "validate: 1 error in 1 file\n");

  dir.WriteFile("bomb.yaml", "kind: http\nhttp:\n  url: http://127.0.0.1:1/\n" + AliasBomb());
  result = RunIn(dir.path(), {"--agent", "bomb.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data,
            "bomb.yaml:10:52: YAML aliases expand to more than 1048576 nodes (an alias bomb?)\n"
            "validate: 1 error in 1 file\n");
}

TEST(ValidateAgentE2eTest, UnsetVariablesAreNotErrors) {
  TempDir dir;
  dir.WriteFile("agent.yaml",
                "kind: http\nhttp:\n  url: ${SRE_EVAL_TEST_UNSET_URL}\n"
                "  headers: {Authorization: \"Bearer ${SRE_EVAL_TEST_UNSET_TOKEN}\"}\n");
  SubprocessResult result = RunIn(dir.path(), {"--agent", "agent.yaml"});
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(result.stdout_data, "agent 'agent' (http): ok\n");
  EXPECT_EQ(result.exit_code, 0);
}

TEST(ValidateAgentE2eTest, MissingAgentFile) {
  TempDir dir;
  SubprocessResult result = RunIn(dir.path(), {"--agent", "nope.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data,
            "nope.yaml: No such file or directory\nvalidate: 1 error in 1 file\n");
}

TEST(ValidateAgentE2eTest, WithSuiteChecksBoth) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml", kGood);
  dir.WriteFile("rubrics/i1.a.yaml", kRubric);
  dir.WriteFile("agent.yaml", "kind: command\ncommand: {argv: [my-agent]}\n");
  SubprocessResult result = RunIn(dir.path(), {"--suite", ".", "--agent", "agent.yaml"});
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(result.stdout_data, "agent 'agent' (command): ok\n1 prompt, 1 rubric: ok\n");
  EXPECT_EQ(result.exit_code, 0);

  dir.WriteFile("agent.yaml", "kind: command\ncommand: {argv: []}\n");
  dir.WriteFile("prompts/a.yaml", std::string(kGood) + "    not: 1\n");
  result = RunIn(dir.path(), {"--suite", ".", "--agent", "agent.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_data, "");
  EXPECT_EQ(result.stderr_data,
            "agent.yaml:2:17: 'argv' must not be empty\n"
            "prompts/a.yaml:6:5: unknown key 'not' in prompt (did you mean 'note'?)\n"
            "validate: 2 errors in 2 files\n");
}

struct ShippedAgent {
  const char* file;
  const char* summary;
};

class ValidateShippedAgentTest : public testing::TestWithParam<ShippedAgent> {};

TEST_P(ValidateShippedAgentTest, IsClean) {
  SubprocessResult result =
      RunIn(SRE_EVAL_SOURCE_DIR, {"--agent", std::string("agents/") + GetParam().file});
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(result.stdout_data, GetParam().summary);
  EXPECT_EQ(result.exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Agents, ValidateShippedAgentTest,
    testing::Values(ShippedAgent{"http.yaml", "agent 'my-http-agent' (http): ok\n"},
                    ShippedAgent{"openai.yaml", "agent 'gpt-4o-mini' (openai): ok\n"},
                    ShippedAgent{"local.yaml", "agent 'local qwen2.5 7b' (openai): ok\n"},
                    ShippedAgent{"azure.yaml", "agent 'azure gpt-4o' (openai): ok\n"},
                    ShippedAgent{"command.yaml", "agent 'my-agent-cli' (command): ok\n"}),
    [](const testing::TestParamInfo<ShippedAgent>& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

}  // namespace
}  // namespace sre_eval
