#include "sim/monitoring/history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sre_eval {
namespace sim {
namespace {

std::string Key(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) absl::StrAppend(&key, name, "\x01", value, "\x02");
  return key;
}

}  // namespace

bool LabelMatcher::Make(Op op, std::string name, std::string value, LabelMatcher* out,
                        std::string* error) {
  out->op = op;
  out->name = std::move(name);
  out->value = std::move(value);
  out->re.reset();
  if (op == kRe || op == kNre) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    // The pattern alone first, so that an error names what the user wrote.
    RE2 alone(out->value, options);
    if (!alone.ok()) {
      *error = absl::StrCat("error parsing regexp: ", alone.error());
      return false;
    }
    auto re = std::make_shared<const RE2>(absl::StrCat("^(?:", out->value, ")$"), options);
    if (!re->ok()) {
      *error = absl::StrCat("error parsing regexp: ", re->error());
      return false;
    }
    out->re = std::move(re);
  }
  return true;
}

const std::string& LabelValue(const Labels& labels, const std::string& name) {
  static const std::string* kEmpty = new std::string();
  for (const auto& [n, v] : labels) {
    if (n == name) return v;
  }
  return *kEmpty;
}

bool Matches(const Labels& labels, const LabelMatcher& m) {
  const std::string& v = LabelValue(labels, m.name);
  switch (m.op) {
    case LabelMatcher::kEq:
      return v == m.value;
    case LabelMatcher::kNe:
      return v != m.value;
    case LabelMatcher::kRe:
    case LabelMatcher::kNre: {
      const bool hit = m.re != nullptr ? RE2::FullMatch(v, *m.re) : false;
      return m.op == LabelMatcher::kRe ? hit : !hit;
    }
  }
  return false;
}

size_t History::SeriesIndex(const std::string& name, Labels labels) {
  labels.erase(
      std::remove_if(labels.begin(), labels.end(), [](const auto& l) { return l.second.empty(); }),
      labels.end());
  labels.emplace_back("__name__", name);
  std::sort(labels.begin(), labels.end());
  auto [it, inserted] = by_key_.try_emplace(Key(labels), series_.size());
  if (inserted) {
    series_.push_back(Series{std::move(labels), {}});
    by_name_[name].push_back(it->second);
  }
  return it->second;
}

void History::AddTo(size_t index, absl::Time t, double value) {
  Series& s = series_[index];
  const int64_t t_ms = absl::ToUnixMillis(t);
  if (!s.samples.empty() && s.samples.back().t_ms >= t_ms) return;
  s.samples.push_back({t_ms, value});
  if (t_ms <= newest_ms_) return;
  newest_ms_ = t_ms;
  // Retention, checked once a virtual hour.
  const int64_t horizon = newest_ms_ - absl::ToInt64Milliseconds(kRetention);
  if (trimmed_before_ms_ != INT64_MIN && horizon - trimmed_before_ms_ < 3600 * 1000) return;
  for (Series& each : series_) {
    auto first = std::lower_bound(each.samples.begin(), each.samples.end(), horizon,
                                  [](const Sample& a, int64_t h) { return a.t_ms < h; });
    each.samples.erase(each.samples.begin(), first);
  }
  trimmed_before_ms_ = horizon;
}

std::vector<const Series*> History::Select(const std::vector<LabelMatcher>& matchers) const {
  std::vector<const Series*> out;
  const std::vector<size_t>* candidates = nullptr;
  for (const LabelMatcher& m : matchers) {
    if (m.name == "__name__" && m.op == LabelMatcher::kEq) {
      auto it = by_name_.find(m.value);
      if (it == by_name_.end()) return out;
      candidates = &it->second;
    }
  }
  auto consider = [&](const Series& s) {
    for (const LabelMatcher& m : matchers) {
      if (!Matches(s.labels, m)) return;
    }
    out.push_back(&s);
  };
  if (candidates != nullptr) {
    for (size_t i : *candidates) consider(series_[i]);
  } else {
    for (const Series& s : series_) consider(s);
  }
  std::sort(out.begin(), out.end(),
            [](const Series* a, const Series* b) { return a->labels < b->labels; });
  return out;
}

size_t History::bytes() const {
  size_t total = 0;
  for (const Series& s : series_) {
    total += sizeof(Series) + s.samples.capacity() * sizeof(Sample);
    for (const auto& [n, v] : s.labels) total += n.capacity() + v.capacity() + 64;
  }
  return total;
}

}  // namespace sim
}  // namespace sre_eval
