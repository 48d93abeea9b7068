// The monitoring history of the simulated cluster: time series as Prometheus keeps them (a
// metric name and labels, samples of (time, value) in time order), with each metric's type
// and help text. Fed by the sim at every scrape (sim/monitoring/scrape.h); read by PromQL
// (sim/monitoring/promql.h). Not thread-safe: the sim's model lock guards it.
//
// Retention: samples older than kRetention (6 h of virtual time) before the newest are
// dropped, so a sim that runs for days keeps a bounded history.
#ifndef SRE_EVAL_SIM_MONITORING_HISTORY_H_
#define SRE_EVAL_SIM_MONITORING_HISTORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "re2/re2.h"

namespace sre_eval {
namespace sim {

// Label pairs sorted by name; a series' own include "__name__".
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  int64_t t_ms = 0;
  double v = 0;
};

struct Series {
  Labels labels;
  std::vector<Sample> samples;  // In time order.
};

struct MetricInfo {
  std::string type;  // counter, gauge, histogram, summary, unknown
  std::string help;
  std::string unit;
};

// A label matcher of a selector: = != =~ !~ (regexes anchored at both ends, as PromQL's).
struct LabelMatcher {
  enum Op { kEq, kNe, kRe, kNre } op = kEq;
  std::string name;
  std::string value;
  std::shared_ptr<const RE2> re;  // For =~ and !~: "^(?:value)$", compiled once.

  // A matcher, its regex compiled; false (with *error) when the regex does not compile.
  static bool Make(Op op, std::string name, std::string value, LabelMatcher* out,
                   std::string* error);
};

class History {
 public:
  static constexpr absl::Duration kRetention = absl::Hours(6);

  // Appends `value` at `t` to the series of `name` and `labels` (any order; a label with an
  // empty value is dropped, as Prometheus drops it). A sample at or before the series' last
  // time is ignored.
  void Add(const std::string& name, Labels labels, absl::Time t, double value) {
    AddTo(SeriesIndex(name, std::move(labels)), t, value);
  }
  // The same in two steps, for a caller that scrapes a series again and again: the series'
  // index (created, empty, when new), then a sample for it.
  size_t SeriesIndex(const std::string& name, Labels labels);
  void AddTo(size_t index, absl::Time t, double value);
  void Describe(const std::string& name, MetricInfo info) { metadata_[name] = std::move(info); }

  // The series whose labels satisfy every matcher (a matcher on "__name__" selects the
  // metric), in a stable order (by labels). Matchers must be valid (regexes compile).
  std::vector<const Series*> Select(const std::vector<LabelMatcher>& matchers) const;

  const std::map<std::string, MetricInfo>& metadata() const { return metadata_; }
  size_t series_count() const { return series_.size(); }
  // Bytes the samples and labels take (for the memory bound).
  size_t bytes() const;
  // The newest sample time over all series (InfinitePast when empty).
  absl::Time newest() const {
    return newest_ms_ == INT64_MIN ? absl::InfinitePast() : absl::FromUnixMillis(newest_ms_);
  }

 private:
  std::vector<Series> series_;
  absl::flat_hash_map<std::string, size_t> by_key_;                // Labels -> index.
  absl::flat_hash_map<std::string, std::vector<size_t>> by_name_;  // __name__ -> indexes.
  std::map<std::string, MetricInfo> metadata_;
  int64_t newest_ms_ = INT64_MIN;
  int64_t trimmed_before_ms_ = INT64_MIN;
};

// Whether `labels` satisfy `m` (a missing label reads as "").
bool Matches(const Labels& labels, const LabelMatcher& m);

// The value of `name` in `labels`, or "".
const std::string& LabelValue(const Labels& labels, const std::string& name);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_HISTORY_H_
