// Lines the model's incidents add to containers' output (slow queries, refused connections,
// a load generator's report), kept per container instance beside the generated start-up and
// baseline lines of logs.h. Not thread-safe: the Sim's model lock serialises use.
#ifndef SRE_EVAL_SIM_SHOP_LOG_BOOK_H_
#define SRE_EVAL_SIM_SHOP_LOG_BOOK_H_

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/shop/logs.h"

namespace sre_eval {
namespace sim {

class LogBook {
 public:
  // Each container instance keeps its newest `max_lines` lines.
  explicit LogBook(size_t max_lines = 100000) : max_lines_(max_lines) {}

  // Appends `text` (one line, no newline) to the instance of `container` in pod `pod_uid`
  // that started at `started`. Lines of one instance must be added in time order.
  void Add(const std::string& pod_uid, const std::string& container, absl::Time started,
           absl::Time t, std::string text);

  // The instance's lines with started <= time <= until, oldest first.
  std::vector<LogLine> Lines(const std::string& pod_uid, const std::string& container,
                             absl::Time started, absl::Time until) const;

 private:
  using Key = std::pair<std::string, int64_t>;  // (pod uid/container, started in ns)
  static Key MakeKey(const std::string& pod_uid, const std::string& container, absl::Time started);
  struct Instance {
    std::vector<LogLine> lines;
    size_t first = 0;  // Lines before this index were dropped (kept as a ring by compaction).
  };
  size_t max_lines_;
  std::map<Key, Instance> instances_;
};

// Merges two time-ordered line lists; on equal times `a`'s line comes first.
std::vector<LogLine> MergeLogLines(std::vector<LogLine> a, std::vector<LogLine> b);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOG_BOOK_H_
