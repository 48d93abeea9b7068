// Every container instance the sim has run, so that its log lines stay searchable after the
// container restarts or its pod goes (the kube API keeps only the current and previous
// instance): what Loki's and Datadog's log APIs read. Recorded by the scraper every 15 s
// from each pod's running instance and its last terminated one; an instance that started and
// ended between two scrapes while another ended too is missed (not seen in the guide's
// incidents: restarts are at least 10 s of back-off apart). Not thread-safe: the model lock.
#ifndef SRE_EVAL_SIM_MONITORING_LOG_STREAMS_H_
#define SRE_EVAL_SIM_MONITORING_LOG_STREAMS_H_

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/history.h"
#include "sim/shop/log_book.h"
#include "sim/shop/logs.h"

namespace sre_eval {
namespace sim {

struct LogInstance {
  Labels labels;  // namespace, pod, container, app, job, node_name (as Promtail labels them).
  std::string uid;
  ContainerRef ref;
  absl::Time finished = absl::InfiniteFuture();
};

// A Kubernetes event as an event exporter writes it to the log pipeline: one logfmt line per
// change of the event (a new one, or its count going up), at its last time, in the stream
// {job="kubernetes-events", namespace}: `type=Warning reason=BackOff kind=Pod
// name=front-end-... count=5 msg="..."`. Kept beyond the API server's 1 h event TTL.
struct EventLine {
  Labels labels;
  LogLine line;
};

class LogStreams {
 public:
  // Records the instances `pod` (a Pod JSON) shows now.
  void Observe(const nlohmann::json& pod);
  // Records `event` (an Event JSON, core v1) when it is new or its count went up.
  void ObserveEvent(const nlohmann::json& event);

  const std::vector<LogInstance>& instances() const { return instances_; }
  // In the order they were observed (by time within a scrape).
  const std::vector<EventLine>& events() const { return events_; }

  // The lines of `in` with start <= time <= end, oldest first: what the process wrote
  // (shop/logs.h) merged with what incidents added (`book`), at most the newest `max_lines`.
  static std::vector<LogLine> Lines(const LogInstance& in, const LogBook& book, uint64_t seed,
                                    absl::Time start, absl::Time end, size_t max_lines);

 private:
  void Record(const nlohmann::json& pod, const std::string& container, absl::Time started,
              absl::Time finished);

  std::vector<LogInstance> instances_;
  std::vector<EventLine> events_;
  std::map<std::string, int64_t> event_counts_;  // By event uid: the count last written.
  std::map<std::tuple<std::string, std::string, int64_t>, size_t> index_;  // uid, name, start
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_LOG_STREAMS_H_
