#include "incident/incident.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace incident {
namespace {

// One line per step: what it does, its mark, and the manifest path it resolved to.
std::vector<std::string> Rows(const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    std::string row = absl::StrCat(s.line, ": ", s.Describe());
    if (!s.mark.empty()) absl::StrAppend(&row, " [", s.mark, "]");
    if (!s.when.empty()) absl::StrAppend(&row, " (when ", s.when, ")");
    if (!s.manifest_path.empty()) absl::StrAppend(&row, " -> ", s.manifest_path);
    out.push_back(row);
  }
  return out;
}

const Incident* Find(const std::vector<Incident>& incidents, const std::string& id) {
  for (const Incident& i : incidents) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

class ShippedIncidentsTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::vector<Incident>> loaded = LoadIncidents(dir_, &diags_);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    incidents_ = *loaded;
  }

  std::string M(const std::string& name) { return absl::StrCat(dir_, "/manifests/", name); }

  const std::string dir_ = std::string(SRE_EVAL_SOURCE_DIR) + "/incidents";
  Diagnostics diags_;
  std::vector<Incident> incidents_;
};

TEST_F(ShippedIncidentsTest, LoadInNameOrderWithoutDiagnostics) {
  EXPECT_EQ(DiagnosticStrings(diags_), std::vector<std::string>{});
  ASSERT_EQ(incidents_.size(), 3u);
  EXPECT_EQ(incidents_[0].id, "crash");
  EXPECT_EQ(incidents_[1].id, "latency");
  EXPECT_EQ(incidents_[2].id, "payment");
  for (const Incident& i : incidents_) {
    EXPECT_EQ(i.file, absl::StrCat(dir_, "/", i.id, ".yaml"));
    EXPECT_EQ(i.sample_every, absl::Seconds(20)) << i.id;
    EXPECT_FALSE(i.title.empty()) << i.id;
    EXPECT_EQ(i.title.find('\n'), std::string::npos) << i.id;
    EXPECT_FALSE(i.description.empty()) << i.id;
  }
}

TEST_F(ShippedIncidentsTest, Crash) {
  const Incident* i = Find(incidents_, "crash");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->title, "Application crash under extreme load");
  EXPECT_EQ(Rows(i->steps),
            (std::vector<std::string>{
                "12: apply manifests/locustfile.yaml -> " + M("locustfile.yaml"),
                "13: apply manifests/locust-crash.yaml [window.start] -> " + M("locust-crash.yaml"),
                "15: wait_job locust-crash (timeout 10m) [window.end]",
                "17: probe job_log locust-crash (load)",
                "18: wait_healthy (timeout 10m) [window.recovered]",
                "20: probe logs",
            }));
  EXPECT_EQ(Rows(i->restore), (std::vector<std::string>{
                                  "22: delete manifests/locust-crash.yaml (when steps_failed) -> " +
                                      M("locust-crash.yaml"),
                                  "24: wait_healthy (timeout 10m)",
                              }));
  EXPECT_EQ(Rows(i->cleanup),
            (std::vector<std::string>{
                "26: delete manifests/locust-crash.yaml -> " + M("locust-crash.yaml"),
                "27: delete manifests/locustfile.yaml -> " + M("locustfile.yaml"),
            }));
  EXPECT_EQ(i->ScaledDeployments(), std::vector<std::string>{});
}

TEST_F(ShippedIncidentsTest, Latency) {
  const Incident* i = Find(incidents_, "latency");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->title, "Application latency under moderate load");
  EXPECT_EQ(
      Rows(i->steps),
      (std::vector<std::string>{
          "14: apply manifests/locustfile.yaml -> " + M("locustfile.yaml"),
          "15: apply manifests/locust-baseline.yaml -> " + M("locust-baseline.yaml"),
          "16: wait_job locust-baseline (timeout 5m)",
          "17: probe job_log locust-baseline (baseline)",
          "18: apply manifests/locust-latency.yaml [window.start] -> " + M("locust-latency.yaml"),
          "20: wait_job locust-latency (timeout 15m) [window.end]",
          "22: probe job_log locust-latency (load)",
          "23: wait_healthy (timeout 5m) [window.recovered]",
          "25: probe logs",
      }));
  EXPECT_EQ(Rows(i->restore),
            (std::vector<std::string>{
                "27: delete manifests/locust-latency.yaml (when steps_failed) -> " +
                    M("locust-latency.yaml"),
                "29: delete manifests/locust-baseline.yaml (when steps_failed) -> " +
                    M("locust-baseline.yaml"),
                "31: wait_healthy (timeout 5m)",
            }));
  EXPECT_EQ(Rows(i->cleanup),
            (std::vector<std::string>{
                "33: delete manifests/locust-latency.yaml -> " + M("locust-latency.yaml"),
                "34: delete manifests/locust-baseline.yaml -> " + M("locust-baseline.yaml"),
                "35: delete manifests/locustfile.yaml -> " + M("locustfile.yaml"),
            }));
  EXPECT_EQ(i->ScaledDeployments(), std::vector<std::string>{});
}

TEST_F(ShippedIncidentsTest, Payment) {
  const Incident* i = Find(incidents_, "payment");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->title, "Payment service outage during checkout");
  EXPECT_EQ(Rows(i->steps),
            (std::vector<std::string>{
                "13: apply manifests/locustfile.yaml -> " + M("locustfile.yaml"),
                "14: scale deployment/payment to 0 [window.start]",
                "16: record 30s",
                "17: apply manifests/locust-payment.yaml -> " + M("locust-payment.yaml"),
                "18: wait_job locust-payment (timeout 5m)",
                "19: probe job_log locust-payment (load)",
                "20: probe orders",
                "21: probe logs",
            }));
  EXPECT_EQ(Rows(i->restore),
            (std::vector<std::string>{
                "23: delete manifests/locust-payment.yaml (when steps_failed) -> " +
                    M("locust-payment.yaml"),
                "25: scale deployment/payment to its saved replicas [window.end]",
                "27: wait_healthy (timeout 5m) [window.recovered]",
            }));
  EXPECT_EQ(Rows(i->cleanup),
            (std::vector<std::string>{
                "30: delete manifests/locust-payment.yaml -> " + M("locust-payment.yaml"),
                "31: delete manifests/locustfile.yaml -> " + M("locustfile.yaml"),
            }));
  EXPECT_EQ(i->ScaledDeployments(), std::vector<std::string>{"payment"});
  // Where its facts can be read, for the reports' first evidence.
  ASSERT_EQ(i->evidence.size(), 7u);
  EXPECT_EQ(i->evidence[0].resource, "deployments");
  EXPECT_EQ(i->evidence[0].name, "payment");
  EXPECT_EQ(i->evidence[6].query, "PAYMENT_FAILED");

  // The fields behind the descriptions.
  const Step& scale = i->steps[1];
  EXPECT_EQ(scale.kind, StepKind::kScale);
  EXPECT_EQ(scale.deployment, "payment");
  EXPECT_EQ(scale.replicas, 0);
  EXPECT_FALSE(scale.replicas_saved);
  EXPECT_EQ(i->steps[2].kind, StepKind::kRecord);
  EXPECT_EQ(i->steps[2].duration, absl::Seconds(30));
  const Step& wait = i->steps[4];
  EXPECT_EQ(wait.kind, StepKind::kWaitJob);
  EXPECT_EQ(wait.job, "locust-payment");
  EXPECT_EQ(wait.duration, absl::Minutes(5));
  const Step& log = i->steps[5];
  EXPECT_EQ(log.kind, StepKind::kProbe);
  EXPECT_EQ(log.probe, "job_log");
  EXPECT_EQ(log.job, "locust-payment");
  EXPECT_EQ(log.role, "load");
  EXPECT_EQ(i->steps[6].probe, "orders");
  EXPECT_EQ(i->steps[6].job, "");
  EXPECT_TRUE(i->restore[1].replicas_saved);
  EXPECT_EQ(i->restore[2].kind, StepKind::kWaitHealthy);
  EXPECT_EQ(i->restore[2].duration, absl::Minutes(5));
}

TEST(StepKindNameTest, NamesEveryKind) {
  EXPECT_STREQ(StepKindName(StepKind::kApply), "apply");
  EXPECT_STREQ(StepKindName(StepKind::kDelete), "delete");
  EXPECT_STREQ(StepKindName(StepKind::kScale), "scale");
  EXPECT_STREQ(StepKindName(StepKind::kRecord), "record");
  EXPECT_STREQ(StepKindName(StepKind::kWaitJob), "wait_job");
  EXPECT_STREQ(StepKindName(StepKind::kWaitHealthy), "wait_healthy");
  EXPECT_STREQ(StepKindName(StepKind::kProbe), "probe");
}

TEST(StepDescribeTest, DurationsAndScale) {
  Step record;
  record.kind = StepKind::kRecord;
  record.duration = absl::Minutes(90);
  EXPECT_EQ(record.Describe(), "record 1h30m");
  Step scale;
  scale.kind = StepKind::kScale;
  scale.deployment = "front-end";
  scale.replicas = 3;
  EXPECT_EQ(scale.Describe(), "scale deployment/front-end to 3");
}

// A minimal incident file t.yaml; its steps start at line 5.
const char kHead[] = "id: t\ntitle: T\ndescription: d\nsteps:\n";

const char kConfigMap[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {}\n";
const char kJob[] = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: load\nspec: {}\n";

TEST(IncidentTest, ScaledDeploymentsInFirstUseOrder) {
  TempDir dir;
  std::string path =
      dir.WriteFile("t.yaml", std::string(kHead) +
                                  "  - scale: {deployment: user, replicas: 0}\n"
                                  "  - scale: {deployment: payment, replicas: 2}\n"
                                  "restore:\n"
                                  "  - scale: {deployment: carts, replicas: 1}\n"
                                  "  - scale: {deployment: user, replicas: saved}\n");
  Diagnostics diags;
  absl::StatusOr<Incident> i = LoadIncident(path, &diags);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->ScaledDeployments(), (std::vector<std::string>{"user", "payment", "carts"}));
  EXPECT_EQ(i->steps[1].replicas, 2);
  EXPECT_EQ(i->sample_every, absl::Seconds(10));  // The default.
}

TEST(IncidentTest, DurationsAndSampleEvery) {
  TempDir dir;
  dir.WriteFile("manifests/job.yaml", kJob);
  std::string path = dir.WriteFile("t.yaml",
                                   "id: t\ntitle: T\ndescription: d\nsample_every: 1s\nsteps:\n"
                                   "  - record: 1h30m\n"
                                   "  - apply: manifests/job.yaml\n"
                                   "  - wait_job: {job: load, timeout: 90s}\n"
                                   "  - wait_healthy: 2m\n");
  Diagnostics diags;
  absl::StatusOr<Incident> i = LoadIncident(path, &diags);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->sample_every, absl::Seconds(1));
  EXPECT_EQ(Rows(i->steps),
            (std::vector<std::string>{
                "6: record 1h30m",
                "7: apply manifests/job.yaml -> " + dir.path() + "/manifests/job.yaml",
                "8: wait_job load (timeout 1m30s)",
                "9: wait_healthy (timeout 2m)",
            }));
}

struct ErrorCase {
  const char* name;
  std::string incident;               // The text of t.yaml (or of `file`).
  std::vector<std::string> expected;  // Diagnostics without the folder, sorted.
  const char* file = "t.yaml";
};

std::vector<ErrorCase> ErrorCases() {
  std::string h = kHead;
  return {
      {"evidence_sources",
       h + "  - record: 1s\nevidence:\n  - {resource: pods, query: up}\n  - {name: x}\n"
           "  - {resource: pods, nam: x}\n  - pods\n",
       {"t.yaml:7:5: an evidence source has a 'resource' (with an optional 'name') or a 'query'",
        "t.yaml:8:5: an evidence source has a 'resource' (with an optional 'name') or a 'query'",
        "t.yaml:9:22: unknown key 'nam' in evidence source (did you mean 'name'?)",
        "t.yaml:10:5: evidence source must be a mapping, got a string"}},
      {"unknown_step_key",
       h + "  - aply: manifests/job.yaml\n",
       {"t.yaml:5:5: unknown step key 'aply' (did you mean 'apply'?)"}},
      {"two_actions",
       h + "  - apply: manifests/job.yaml\n    delete: manifests/job.yaml\n",
       {"t.yaml:5:5: step needs exactly one of apply, delete, scale, record, wait_job, "
        "wait_healthy, probe"}},
      {"mark_without_action",
       h + "  - mark: window.start\n",
       {"t.yaml:5:5: step needs exactly one of apply, delete, scale, record, wait_job, "
        "wait_healthy, probe"}},
      {"step_not_a_mapping",
       h + "  - record 30s\n",
       {"t.yaml:5:5: step must be a mapping, got a string"}},
      {"duplicate_step_key",
       h + "  - record: 30s\n    record: 40s\n",
       {"t.yaml:6:5: duplicate key 'record' in step"}},
      {"manifest_not_found",
       h + "  - apply: manifests/x.yaml\n",
       {"t.yaml:5:12: manifest 'manifests/x.yaml' not found"}},
      {"manifest_document_without_name",
       h + "  - apply: manifests/bad.yaml\n",
       {"t.yaml:5:12: manifests/bad.yaml: document 2: missing metadata.name"}},
      {"manifest_not_kubernetes_objects",
       h + "  - delete: manifests/list.yaml\n  - apply: manifests/plain.yaml\n",
       {"t.yaml:5:13: manifests/list.yaml: document 1: not a Kubernetes object (a mapping with "
        "apiVersion, kind and metadata.name)",
        "t.yaml:6:12: manifests/plain.yaml: document 1: missing apiVersion, kind, "
        "metadata.name"}},
      {"manifest_empty",
       h + "  - apply: manifests/empty.yaml\n",
       {"t.yaml:5:12: manifests/empty.yaml: holds no Kubernetes objects"}},
      {"manifest_syntax_error",
       h + "  - apply: manifests/syntax.yaml\n",
       {"t.yaml:5:12: manifests/syntax.yaml:2:1: end of sequence flow not found"}},
      {"manifest_is_a_folder",
       h + "  - apply: manifests\n",
       {"t.yaml:5:12: manifest 'manifests': is a directory"}},
      {"manifest_path_empty", h + "  - apply: \"\"\n", {"t.yaml:5:12: 'apply' must not be empty"}},
      {"manifest_path_null",
       h + "  - apply:\n",
       {"t.yaml:5:5: 'apply' must be a string, got null"}},
      {"mark_twice",
       h + "  - apply: manifests/job.yaml\n    mark: window.start\n"
           "  - record: 30s\n    mark: window.start\n",
       {"t.yaml:8:11: mark 'window.start' is already set by the step at line 5"}},
      {"mark_twice_across_restore",
       h + "  - record: 30s\n    mark: window.end\n"
           "restore:\n  - wait_healthy: 5m\n    mark: window.end\n",
       {"t.yaml:9:11: mark 'window.end' is already set by the step at line 5"}},
      {"unknown_mark",
       h + "  - record: 30s\n    mark: window.strat\n",
       {"t.yaml:6:11: unknown mark 'window.strat' (did you mean 'window.start'?); marks are "
        "window.start, window.end, window.recovered"}},
      {"when_in_steps",
       h + "  - record: 30s\n    when: steps_failed\n",
       {"t.yaml:6:5: 'when' only in restore"}},
      {"unknown_when",
       h + "  - record: 30s\nrestore:\n  - wait_healthy: 5m\n    when: step_failed\n",
       {"t.yaml:8:11: unknown when 'step_failed' (did you mean 'steps_failed'?); the only one "
        "is steps_failed"}},
      {"cleanup_waits",
       h + "  - record: 30s\ncleanup:\n  - wait_healthy: 5m\n",
       {"t.yaml:7:5: cleanup steps may only apply, delete or scale"}},
      {"cleanup_mark",
       h + "  - record: 30s\ncleanup:\n  - scale: {deployment: payment, replicas: 1}\n"
           "    mark: window.end\n",
       {"t.yaml:8:5: cleanup steps take no mark: the incident window is over"}},
      {"replicas_saved_in_steps",
       h + "  - scale: {deployment: payment, replicas: saved}\n",
       {"t.yaml:5:44: 'replicas: saved' only in restore"}},
      {"replicas_not_a_number",
       h + "  - scale: {deployment: payment, replicas: -1}\n",
       {"t.yaml:5:44: 'replicas' must be a whole number or 'saved', got '-1'"}},
      {"scale_unknown_key",
       h + "  - scale: {deploymnet: payment, replicas: 0}\n",
       {"t.yaml:5:12: scale is missing required key 'deployment'",
        "t.yaml:5:13: unknown key 'deploymnet' in scale (did you mean 'deployment'?)"}},
      {"scale_not_a_mapping",
       h + "  - scale: payment\n",
       {"t.yaml:5:12: scale must be a mapping, got a string"}},
      {"duration_without_unit",
       h + "  - record: 30\n",
       {"t.yaml:5:13: 'record' must be a duration like 30s, 5m or 1h30m, got '30'"}},
      {"duration_not_whole_seconds",
       h + "  - record: 1500ms\n",
       {"t.yaml:5:13: 'record' must be whole seconds, got '1500ms'"}},
      {"duration_zero",
       h + "  - wait_healthy: 0s\n",
       {"t.yaml:5:19: 'wait_healthy' must be more than 0s, got '0s'"}},
      {"duration_negative",
       h + "  - record: -5s\n",
       {"t.yaml:5:13: 'record' must be more than 0s, got '-5s'"}},
      {"duration_infinite",
       h + "  - record: inf\n",
       {"t.yaml:5:13: 'record' must be a duration like 30s, 5m or 1h30m, got 'inf'"}},
      {"duration_a_list",
       h + "  - wait_healthy: [5m]\n",
       {"t.yaml:5:19: 'wait_healthy' must be a duration like 30s, 5m or 1h30m, got a list"}},
      {"sample_every_too_long",
       "id: t\ntitle: T\ndescription: d\nsample_every: 2m\nsteps:\n  - record: 30s\n",
       {"t.yaml:4:15: 'sample_every' must be between 1s and 60s, got '2m'"}},
      {"wait_job_without_timeout",
       h + "  - apply: manifests/job.yaml\n  - wait_job: {job: load, timout: 5m}\n",
       {"t.yaml:6:15: wait_job is missing required key 'timeout'",
        "t.yaml:6:27: unknown key 'timout' in wait_job (did you mean 'timeout'?)"}},
      {"wait_job_for_a_job_never_applied",
       h + "  - apply: manifests/job.yaml\n  - wait_job: {job: laod, timeout: 5m}\n",
       {"t.yaml:6:15: no earlier apply step creates Job 'laod' (did you mean 'load'?)"}},
      {"job_log_before_its_apply",
       h + "  - probe: {job_log: load, role: load}\n  - apply: manifests/job.yaml\n",
       {"t.yaml:5:12: no earlier apply step creates Job 'load'"}},
      {"unknown_probe",
       h + "  - probe: order\n",
       {"t.yaml:5:12: unknown probe 'order' (did you mean 'orders'?); probes are orders, logs "
        "and {job_log: JOB, role: load|baseline}"}},
      {"probe_a_list",
       h + "  - probe: [logs]\n",
       {"t.yaml:5:12: 'probe' must be a string or a mapping, got a list; probes are orders, "
        "logs and {job_log: JOB, role: load|baseline}"}},
      {"probe_bad_role",
       h + "  - apply: manifests/job.yaml\n  - probe: {job_log: load, role: warmup}\n",
       {"t.yaml:6:34: 'role' must be load or baseline, got 'warmup'"}},
      {"probe_missing_role",
       h + "  - apply: manifests/job.yaml\n  - probe: {job_log: load}\n",
       {"t.yaml:6:12: probe is missing required key 'role'"}},
      {"id_differs_from_file_name",
       "id: crsh\ntitle: T\ndescription: d\nsteps:\n  - record: 30s\n",
       {"crash.yaml:1:5: id 'crsh' does not match the file name 'crash.yaml'"},
       "crash.yaml"},
      {"id_with_bad_characters",
       "id: Crash!\ntitle: T\ndescription: d\nsteps:\n  - record: 30s\n",
       {"t.yaml:1:5: id 'Crash!' must be lowercase letters, digits, '_' and '-'"}},
      {"title_on_two_lines",
       "id: t\ntitle: \"one\\ntwo\"\ndescription: d\nsteps:\n  - record: 30s\n",
       {"t.yaml:2:8: 'title' must be one line"}},
      {"unknown_and_missing_top_level_keys",
       "id: t\ntitle: T\nsteps:\n  - record: 30s\nrestor: []\n",
       {"t.yaml:1:1: incident is missing required key 'description'",
        "t.yaml:5:1: unknown key 'restor' in incident (did you mean 'restore'?)"}},
      {"empty_steps",
       "id: t\ntitle: T\ndescription: d\nsteps: []\n",
       {"t.yaml:4:8: 'steps' must not be empty"}},
      {"not_a_mapping", "- record: 30s\n", {"t.yaml:1:1: incident must be a mapping, got a list"}},
      {"empty_file", "", {"t.yaml: file is empty"}},
  };
}

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class IncidentErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(IncidentErrorTest, ReportsExactDiagnostics) {
  const ErrorCase& c = GetParam();
  TempDir dir;
  dir.WriteFile("manifests/job.yaml", kJob);
  dir.WriteFile("manifests/bad.yaml",
                std::string(kConfigMap) + "---\napiVersion: v1\nkind: Secret\nmetadata: {}\n");
  dir.WriteFile("manifests/list.yaml", "- a\n- b\n");
  dir.WriteFile("manifests/plain.yaml", "users: 10\n");
  dir.WriteFile("manifests/empty.yaml", "# nothing\n");
  dir.WriteFile("manifests/syntax.yaml", "items: [\n");
  std::string path = dir.WriteFile(c.file, c.incident);
  Diagnostics diags;
  absl::StatusOr<Incident> incident = LoadIncident(path, &diags);
  EXPECT_TRUE(absl::IsInvalidArgument(incident.status())) << incident.status();
  std::vector<std::string> expected;
  for (const std::string& e : c.expected) expected.push_back(dir.path() + "/" + e);
  EXPECT_EQ(DiagnosticStrings(diags), expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, IncidentErrorTest, testing::ValuesIn(ErrorCases()),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

TEST(IncidentTest, MissingFile) {
  TempDir dir;
  Diagnostics diags;
  absl::StatusOr<Incident> i = LoadIncident(dir.path() + "/nope.yaml", &diags);
  EXPECT_TRUE(absl::IsInvalidArgument(i.status())) << i.status();
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{dir.path() + "/nope.yaml: No such file or directory"});
}

TEST(LoadIncidentsTest, ReadsYamlFilesInNameOrderAndSkipsTheManifestsFolder) {
  TempDir dir;
  dir.WriteFile("incidents/manifests/job.yaml", kJob);
  dir.WriteFile("incidents/README.md", "not an incident\n");
  dir.WriteFile("incidents/b.yaml", "id: b\ntitle: B\ndescription: d\nsteps:\n  - record: 5s\n");
  dir.WriteFile("incidents/a.yml",
                "id: a\ntitle: A\ndescription: d\nsteps:\n  - apply: manifests/job.yaml\n");
  Diagnostics diags;
  absl::StatusOr<std::vector<Incident>> loaded = LoadIncidents(dir.path() + "/incidents", &diags);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].id, "a");
  EXPECT_EQ((*loaded)[0].file, dir.path() + "/incidents/a.yml");
  EXPECT_EQ((*loaded)[0].steps[0].manifest_path, dir.path() + "/incidents/manifests/job.yaml");
  EXPECT_EQ((*loaded)[1].id, "b");
}

TEST(LoadIncidentsTest, ReportsEveryBrokenFileAndKeepsNone) {
  TempDir dir;
  dir.WriteFile("incidents/a.yaml", "id: a\ntitle: A\ndescription: d\nsteps:\n  - record: 5\n");
  dir.WriteFile("incidents/b.yaml", "id: b\ntitle: B\ndescription: d\nsteps:\n  - record: 5s\n");
  dir.WriteFile("incidents/c.yaml", "id: c\ntitle: C\ndescription: d\nsteps:\n  - prob: logs\n");
  Diagnostics diags;
  absl::StatusOr<std::vector<Incident>> loaded = LoadIncidents(dir.path() + "/incidents", &diags);
  EXPECT_TRUE(absl::IsInvalidArgument(loaded.status())) << loaded.status();
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                dir.path() + "/incidents/a.yaml:5:13: 'record' must be a duration like 30s, 5m "
                             "or 1h30m, got '5'",
                dir.path() + "/incidents/c.yaml:5:5: unknown step key 'prob' (did you mean "
                             "'probe'?)",
            }));
}

TEST(LoadIncidentsTest, DuplicateIdAcrossExtensions) {
  TempDir dir;
  const char kText[] = "id: a\ntitle: A\ndescription: d\nsteps:\n  - record: 5s\n";
  dir.WriteFile("incidents/a.yaml", kText);
  dir.WriteFile("incidents/a.yml", kText);
  Diagnostics diags;
  EXPECT_FALSE(LoadIncidents(dir.path() + "/incidents", &diags).ok());
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{dir.path() +
                                     "/incidents/a.yml: duplicate incident id 'a'; "
                                     "first defined in " +
                                     dir.path() + "/incidents/a.yaml"});
}

TEST(LoadIncidentsTest, EmptyAndMissingFolders) {
  TempDir dir;
  dir.WriteFile("incidents/manifests/job.yaml", kJob);
  Diagnostics diags;
  EXPECT_FALSE(LoadIncidents(dir.path() + "/incidents", &diags).ok());
  EXPECT_FALSE(LoadIncidents(dir.path() + "/nope", &diags).ok());
  EXPECT_EQ(DiagnosticStrings(diags), (std::vector<std::string>{
                                          dir.path() + "/incidents/: no incident files (*.yaml)",
                                          dir.path() + "/nope/: no such directory",
                                      }));
}

}  // namespace
}  // namespace incident
}  // namespace sre_eval
