#include "sim/shop/log_book.h"

#include <algorithm>
#include <iterator>

namespace sre_eval {
namespace sim {

LogBook::Key LogBook::MakeKey(const std::string& pod_uid, const std::string& container,
                              absl::Time started) {
  return {pod_uid + "/" + container, absl::ToUnixNanos(started)};
}

void LogBook::Add(const std::string& pod_uid, const std::string& container, absl::Time started,
                  absl::Time t, std::string text) {
  Instance& in = instances_[MakeKey(pod_uid, container, started)];
  in.lines.push_back({t, std::move(text)});
  if (in.lines.size() - in.first > max_lines_) ++in.first;
  // Drop the forgotten prefix now and then, so memory stays proportional to max_lines.
  if (in.first > max_lines_) {
    in.lines.erase(in.lines.begin(), in.lines.begin() + static_cast<ptrdiff_t>(in.first));
    in.first = 0;
  }
}

std::vector<LogLine> LogBook::Lines(const std::string& pod_uid, const std::string& container,
                                    absl::Time started, absl::Time until) const {
  auto it = instances_.find(MakeKey(pod_uid, container, started));
  if (it == instances_.end()) return {};
  const Instance& in = it->second;
  std::vector<LogLine> out;
  for (size_t i = in.first; i < in.lines.size() && in.lines[i].time <= until; ++i) {
    out.push_back(in.lines[i]);
  }
  return out;
}

std::vector<LogLine> MergeLogLines(std::vector<LogLine> a, std::vector<LogLine> b) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  std::vector<LogLine> out;
  out.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(out),
             [](const LogLine& x, const LogLine& y) { return x.time < y.time; });
  return out;
}

}  // namespace sim
}  // namespace sre_eval
