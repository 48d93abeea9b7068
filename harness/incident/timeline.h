// The timeline: everything the incident runner saw, in the order it saw it, as JSON lines
// (timeline.jsonl in the incident's folder of the run). One object per line, each with
// "type" and "time" (RFC 3339 on the cluster's clock):
//
//   {"type":"header","schema_version":1,"incident":"crash","environment":"sim",
//    "context":"sre-eval-sim","namespace":"sock-shop","sample_every":10}
//   {"type":"saved","time":T,"replicas":{"payment":1}}       before the first step
//   {"type":"step","time":T,"end":T,"phase":"steps"|"restore","index":0,"line":7,
//    "action":"apply","describe":"apply manifests/locust-crash.yaml","ok":true,"error":""}
//   {"type":"mark","time":T,"name":"window.start"}            a step's mark (with "job" for a
//                                                              wait_job: its finish refines it)
//   {"type":"sample","time":T,"pods":[...],"deployments":[...],"jobs":[...],
//    "events":[...],"metrics":[...]}                           a Snapshot; events only those new
//                                                              or changed since the last sample
//   {"type":"logs","time":T,"pod":P,"container":C,"deployment":D,"previous":false,"text":S}
//   {"type":"job_log","time":T,"job":J,"role":"load"|"baseline","text":S,"stats":[...]}
//                                                              S without the periodic tables;
//                                                              stats: one per table (absent in
//                                                              older timelines), see below
//   {"type":"probe","time":T,"name":"orders","data":<the orders API's JSON>}
//   {"type":"interrupted","time":T,"signal":"SIGINT"}
//
// The typed values of cluster/types.h are written with the same field names as the structs
// (times as RFC 3339, absent times omitted), so a fixture can be written by hand. So are a
// job_log's stats (LocustStatsPoint of locust_summary.h): {"time":T,"requests":N,"failures":N,
// "avg_ms":N,"min_ms":N,"max_ms":N,"median_ms":N,"rps":X,"failures_per_s":X}; a Job run with
// --only-summary has none ("stats":[]).
#ifndef SRE_EVAL_INCIDENT_TIMELINE_H_
#define SRE_EVAL_INCIDENT_TIMELINE_H_

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cluster/types.h"
#include "incident/locust_summary.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace incident {

inline constexpr int kTimelineSchemaVersion = 1;

struct Sample {
  absl::Time time;
  cluster::Snapshot snapshot;
};

struct StepRecord {
  absl::Time time, end;
  std::string phase;  // "steps" or "restore"
  int index = 0;
  int line = 0;
  std::string action;
  std::string describe;
  bool ok = true;
  std::string error;
};

struct Mark {
  absl::Time time;
  std::string name;
  std::string job;  // set for a wait_job's mark
};

struct LogRecord {
  absl::Time time;
  std::string pod, container, deployment;
  bool previous = false;
  std::string text;
};

struct JobLogRecord {
  absl::Time time;
  std::string job, role;
  std::string text;                     // LocustJobLog::text
  std::vector<LocustStatsPoint> stats;  // LocustJobLog::stats
};

struct ProbeRecord {
  absl::Time time;
  std::string name;
  nlohmann::json data;
};

struct Timeline {
  std::string incident;
  std::string environment;  // "sim" or "kube"
  std::string context, ns;
  absl::Duration sample_every = absl::Seconds(10);
  absl::Time saved_time = absl::InfinitePast();
  std::map<std::string, int> saved_replicas;
  std::vector<StepRecord> steps;
  std::vector<Mark> marks;
  std::vector<Sample> samples;  // in time order
  std::vector<LogRecord> logs;
  std::vector<JobLogRecord> job_logs;
  std::vector<ProbeRecord> probes;
  bool interrupted = false;
};

// JSON for one value of cluster/types.h, and back. FromJson errors name the field.
nlohmann::json ToJson(const cluster::Snapshot& snapshot);
absl::StatusOr<cluster::Snapshot> SnapshotFromJson(const nlohmann::json& j);

// Appends timeline lines to a file as they happen (each line written and flushed at once, so
// an interrupted run keeps all it saw). Not thread-safe.
class TimelineWriter {
 public:
  static absl::StatusOr<std::unique_ptr<TimelineWriter>> Open(const std::string& path);
  ~TimelineWriter();
  absl::Status Header(const Timeline& t);  // the header line from incident..sample_every
  absl::Status Saved(absl::Time time, const std::map<std::string, int>& replicas);
  absl::Status Step(const StepRecord& s);
  absl::Status AddMark(const Mark& m);
  // Writes the sample; its events are reduced to those whose (name, count, last_time) the
  // writer has not written before.
  absl::Status AddSample(const Sample& s);
  absl::Status Logs(const LogRecord& r);
  absl::Status JobLog(const JobLogRecord& r);
  absl::Status Probe(const ProbeRecord& r);
  absl::Status Interrupted(absl::Time time, const std::string& signal);

 private:
  explicit TimelineWriter(std::FILE* f) : file_(f) {}
  absl::Status Line(const nlohmann::json& j);
  std::FILE* file_;
  std::map<std::string, std::pair<int, absl::Time>> events_written_;
};

// Reads timeline.jsonl. Errors name the file and line ("t/timeline.jsonl:12: sample: pods[3]
// .containers[0].restart_count: expected an integer").
absl::StatusOr<Timeline> ReadTimeline(const std::string& path);
absl::StatusOr<Timeline> ParseTimeline(const std::string& text, const std::string& name);

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_TIMELINE_H_
