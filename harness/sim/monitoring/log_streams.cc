#include "sim/monitoring/log_streams.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/kube/controllers.h"
#include "sim/kube/controllers_internal.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

using internal::At;
using internal::Str;

void LogStreams::Observe(const nlohmann::json& pod) {
  for (const nlohmann::json& cs : At(pod, {"status", "containerStatuses"})) {
    const std::string name = Str(At(cs, {"name"}));
    const nlohmann::json& running = At(cs, {"state", "running", "startedAt"});
    if (running.is_string()) Record(pod, name, ParseApiTime(running), absl::InfiniteFuture());
    for (const char* which : {"state", "lastState"}) {
      const nlohmann::json& term = At(cs, {which, "terminated"});
      if (!At(term, {"startedAt"}).is_string()) continue;
      Record(pod, name, ParseApiTime(At(term, {"startedAt"})),
             ParseApiTime(At(term, {"finishedAt"})));
    }
  }
}

void LogStreams::Record(const nlohmann::json& pod, const std::string& container, absl::Time started,
                        absl::Time finished) {
  const std::string uid = Str(At(pod, {"metadata", "uid"}));
  const auto key = std::make_tuple(uid, container, absl::ToUnixNanos(started));
  auto it = index_.find(key);
  if (it != index_.end()) {
    if (finished != absl::InfiniteFuture()) instances_[it->second].finished = finished;
    return;
  }
  LogInstance in;
  in.uid = uid;
  std::string app = Str(At(pod, {"metadata", "labels", "name"}));
  if (app.empty()) app = container;
  const std::string ns = Str(At(pod, {"metadata", "namespace"}));
  in.ref.app = app;
  in.ref.container = container;
  in.ref.pod = Str(At(pod, {"metadata", "name"}));
  in.ref.pod_ip = Str(At(pod, {"status", "podIP"}));
  in.ref.started = started;
  in.finished = finished;
  in.labels = {{"app", app},      {"container", container}, {"job", absl::StrCat(ns, "/", app)},
               {"namespace", ns}, {"node_name", kNodeName}, {"pod", in.ref.pod}};
  index_.emplace(key, instances_.size());
  instances_.push_back(std::move(in));
}

void LogStreams::ObserveEvent(const nlohmann::json& event) {
  const std::string uid = Str(At(event, {"metadata", "uid"}));
  const int64_t count =
      At(event, {"count"}).is_number_integer() ? At(event, {"count"}).get<int64_t>() : 1;
  auto [it, inserted] = event_counts_.try_emplace(uid, count);
  if (!inserted && it->second >= count) return;
  it->second = count;
  absl::Time t = ParseApiTime(At(event, {"lastTimestamp"}));
  if (t == absl::InfinitePast()) t = ParseApiTime(At(event, {"eventTime"}));
  if (t == absl::InfinitePast()) t = ParseApiTime(At(event, {"metadata", "creationTimestamp"}));
  std::string msg = Str(At(event, {"message"}));
  std::string quoted;
  for (char c : msg) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c == '\n' ? ' ' : c;
  }
  const std::string ns = Str(At(event, {"metadata", "namespace"}));
  EventLine e;
  e.labels = {{"job", "kubernetes-events"}, {"namespace", ns}};
  e.line.time = t;
  e.line.text =
      absl::StrCat("type=", Str(At(event, {"type"})), " reason=", Str(At(event, {"reason"})),
                   " kind=", Str(At(event, {"involvedObject", "kind"})),
                   " name=", Str(At(event, {"involvedObject", "name"})), " count=", count,
                   " msg=\"", quoted, "\"");
  events_.push_back(std::move(e));
}

std::vector<LogLine> LogStreams::Lines(const LogInstance& in, const LogBook& book, uint64_t seed,
                                       absl::Time start, absl::Time end, size_t max_lines) {
  const absl::Time until = std::min(end, in.finished);
  if (until < in.ref.started || until < start) return {};
  std::vector<LogLine> lines =
      MergeLogLines(ContainerLogs(in.ref, until, seed, max_lines),
                    book.Lines(in.uid, in.ref.container, in.ref.started, until));
  auto first = std::lower_bound(lines.begin(), lines.end(), start,
                                [](const LogLine& l, absl::Time t) { return l.time < t; });
  lines.erase(lines.begin(), first);
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - max_lines);
  return lines;
}

}  // namespace sim
}  // namespace sre_eval
