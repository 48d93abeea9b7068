#include "incident/locust_summary.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "util/status_macros.h"

namespace sre_eval {
namespace incident {

const LocustRequestRow* LocustSummary::Find(absl::string_view method,
                                            absl::string_view name) const {
  for (const LocustRequestRow& row : requests) {
    if (row.method == method && row.name == name) return &row;
  }
  return nullptr;
}

namespace {

constexpr absl::string_view kPercentilesTitle = "Response time percentiles (approximated)";
constexpr absl::string_view kNoReport = "no Locust report (the run may not have finished)";

// A log line without Locust's "[2026-11-24 10:05:00,123] host/INFO/locust.main: " prefix.
absl::string_view StripLogPrefix(absl::string_view line) {
  if (!absl::StartsWith(line, "[")) return line;
  size_t close = line.find("] ");
  if (close == absl::string_view::npos) return line;
  size_t colon = line.find(": ", close + 2);
  if (colon == absl::string_view::npos) return line;
  absl::string_view origin = line.substr(close + 2, colon - close - 2);  // host/LEVEL/logger
  if (origin.find(' ') != absl::string_view::npos) return line;
  std::vector<absl::string_view> parts = absl::StrSplit(origin, '/');
  if (parts.size() != 3) return line;
  return line.substr(colon + 2);
}

bool IsSeparator(absl::string_view line) { return absl::StartsWith(line, "--------|"); }

// Splits off the last whitespace-separated token of `*rest`.
bool PopLast(absl::string_view* rest, absl::string_view* token) {
  absl::string_view s = absl::StripTrailingAsciiWhitespace(*rest);
  size_t space = s.find_last_of(' ');
  if (s.empty() || space == absl::string_view::npos) return false;
  *token = s.substr(space + 1);
  *rest = s.substr(0, space);
  return true;
}

// "GET      /orders" or "         Aggregated": the method is the first token unless the line
// starts with blanks (the Aggregated row); the name is the rest, which may hold spaces.
void SplitMethodName(absl::string_view head, std::string* method, std::string* name) {
  if (!head.empty() && head[0] != ' ') {
    size_t space = head.find(' ');
    *method = std::string(head.substr(0, space));
    head = space == absl::string_view::npos ? "" : head.substr(space);
  }
  *name = std::string(absl::StripAsciiWhitespace(head));
}

bool ParseInt(absl::string_view s, int64_t* out) { return absl::SimpleAtoi(s, out); }

// "   187   52(27.81%) |    169      91     359    140 |    9.41        2.62"
bool ParseRequestRow(absl::string_view line, LocustRequestRow* row) {
  std::vector<absl::string_view> parts = absl::StrSplit(line, '|');
  if (parts.size() != 3) return false;
  std::vector<absl::string_view> times = absl::StrSplit(parts[1], ' ', absl::SkipWhitespace());
  std::vector<absl::string_view> rates = absl::StrSplit(parts[2], ' ', absl::SkipWhitespace());
  if (times.size() != 4 || rates.size() != 2) return false;
  absl::string_view head = parts[0], fails, reqs;
  if (!PopLast(&head, &fails) || !PopLast(&head, &reqs)) return false;
  size_t paren = fails.find('(');
  if (paren == absl::string_view::npos) return false;
  SplitMethodName(head, &row->method, &row->name);
  return !row->name.empty() && ParseInt(reqs, &row->requests) &&
         ParseInt(fails.substr(0, paren), &row->failures) && ParseInt(times[0], &row->avg_ms) &&
         ParseInt(times[1], &row->min_ms) && ParseInt(times[2], &row->max_ms) &&
         ParseInt(times[3], &row->median_ms) && absl::SimpleAtod(rates[0], &row->rps) &&
         absl::SimpleAtod(rates[1], &row->failures_per_s);
}

// "POST     /orders     140    150 ...    360    187" with one value per header percentile.
bool ParsePercentileRow(absl::string_view line, const std::vector<std::string>& columns,
                        LocustPercentileRow* row) {
  absl::string_view head = line, token;
  if (!PopLast(&head, &token) || !ParseInt(token, &row->requests)) return false;
  for (size_t i = columns.size(); i > 0; --i) {
    int64_t value = 0;
    if (!PopLast(&head, &token) || !ParseInt(token, &value)) return false;
    row->percentiles[columns[i - 1]] = value;
  }
  SplitMethodName(head, &row->method, &row->name);
  return !row->name.empty();
}

absl::Status RowError(size_t index, absl::string_view what, absl::string_view line) {
  return absl::InvalidArgumentError(absl::StrCat("Locust report line ", index + 1,
                                                 ": cannot parse ", what, " row \"",
                                                 absl::StripTrailingAsciiWhitespace(line), "\""));
}

}  // namespace

absl::StatusOr<LocustSummary> ParseLocustSummary(absl::string_view log) {
  std::vector<absl::string_view> lines = absl::StrSplit(log, '\n');
  for (absl::string_view& line : lines) {
    if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
    line = StripLogPrefix(line);
  }
  // The final report is the only place the percentile table appears.
  size_t title = lines.size();
  for (size_t i = lines.size(); i > 0; --i) {
    if (absl::StripTrailingAsciiWhitespace(lines[i - 1]) == kPercentilesTitle) {
      title = i - 1;
      break;
    }
  }
  if (title == lines.size()) return absl::NotFoundError(kNoReport);
  size_t header = title;
  while (header > 0 && !(absl::StartsWith(lines[header - 1], "Type ") &&
                         absl::StrContains(lines[header - 1], "# fails"))) {
    --header;
  }
  if (header == 0) return absl::NotFoundError(kNoReport);

  LocustSummary summary;
  bool have_aggregated = false;
  for (size_t i = header; i < title; ++i) {
    absl::string_view line = lines[i];
    if (IsSeparator(line) || absl::StripAsciiWhitespace(line).empty()) continue;
    LocustRequestRow row;
    if (!ParseRequestRow(line, &row)) return RowError(i, "request", line);
    if (row.method.empty() && row.name == "Aggregated") {
      summary.aggregated = std::move(row);
      have_aggregated = true;
    } else {
      summary.requests.push_back(std::move(row));
    }
  }
  if (!have_aggregated) return absl::NotFoundError(kNoReport);

  // The percentile header names its columns: "Type Name 50% 66% ... 100% # reqs".
  if (title + 1 >= lines.size() || !absl::StartsWith(lines[title + 1], "Type ")) {
    return absl::NotFoundError(kNoReport);
  }
  std::vector<std::string> columns;
  for (absl::string_view token : absl::StrSplit(lines[title + 1], ' ', absl::SkipEmpty())) {
    if (absl::EndsWith(token, "%")) columns.emplace_back(token);
  }
  bool have_aggregated_percentiles = false;
  size_t i = title + 2;
  for (; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    if (absl::StripAsciiWhitespace(line).empty() ||
        absl::StripTrailingAsciiWhitespace(line) == "Error report") {
      break;
    }
    if (IsSeparator(line)) continue;
    LocustPercentileRow row;
    if (!ParsePercentileRow(line, columns, &row)) return RowError(i, "percentile", line);
    if (row.method.empty() && row.name == "Aggregated") {
      summary.aggregated_percentiles = std::move(row);
      have_aggregated_percentiles = true;
    } else {
      summary.percentiles.push_back(std::move(row));
    }
  }
  if (!have_aggregated_percentiles) return absl::NotFoundError(kNoReport);

  // The error report, when the run had failures: a title, a header, rows between separators.
  for (; i < lines.size(); ++i) {
    if (absl::StripTrailingAsciiWhitespace(lines[i]) == "Error report") break;
  }
  int separators = 0;
  for (i += 1; i < lines.size() && separators < 2; ++i) {
    absl::string_view line = lines[i];
    if (absl::StartsWith(line, "------------------|")) {
      ++separators;
      continue;
    }
    if (separators != 1) continue;
    absl::string_view text = absl::StripAsciiWhitespace(line);
    size_t space = text.find(' ');
    LocustError error;
    if (space == absl::string_view::npos || !ParseInt(text.substr(0, space), &error.occurrences)) {
      return RowError(i, "error report", line);
    }
    error.error = std::string(absl::StripLeadingAsciiWhitespace(text.substr(space)));
    summary.errors.push_back(std::move(error));
  }
  return summary;
}

namespace {

// kubectl's "2026-11-24T10:05:00.123456789Z " before `*line`, removed, into `*time`.
bool PopTimestamp(absl::string_view* line, absl::Time* time) {
  size_t space = line->find(' ');
  if (space == absl::string_view::npos) return false;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", std::string(line->substr(0, space)), time,
                       &err)) {
    return false;
  }
  line->remove_prefix(space + 1);
  return true;
}

bool IsBlank(absl::string_view line) { return absl::StripAsciiWhitespace(line).empty(); }

bool IsStatsHeader(absl::string_view line) {
  return absl::StartsWith(line, "Type ") && absl::StrContains(line, "# fails");
}

bool IsAggregatedRow(absl::string_view line) {
  return absl::StartsWith(line, " ") &&
         absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "Aggregated ");
}

struct StampedLine {
  bool stamped = false;
  absl::Time time;
  absl::string_view text;
};

}  // namespace

LocustJobLog SplitLocustJobLog(absl::string_view timestamped_log) {
  std::vector<StampedLine> lines;
  for (absl::string_view raw : absl::StrSplit(timestamped_log, '\n')) {
    StampedLine line;
    line.stamped = PopTimestamp(&raw, &line.time);
    line.text = raw;
    lines.push_back(line);
  }
  // The piece after the last newline: empty when the log ends with one.
  const bool trailing_newline = lines.back().text.empty() && !lines.back().stamped;
  if (trailing_newline) lines.pop_back();

  LocustJobLog out;
  std::vector<bool> keep(lines.size(), true);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsStatsHeader(lines[i].text)) continue;
    size_t aggregated = i + 1;
    while (aggregated < lines.size() && !IsBlank(lines[aggregated].text) &&
           !IsAggregatedRow(lines[aggregated].text)) {
      ++aggregated;
    }
    if (aggregated == lines.size() || !IsAggregatedRow(lines[aggregated].text)) continue;
    size_t end = aggregated + 1;
    if (end < lines.size() && IsBlank(lines[end].text)) ++end;
    if (end == lines.size() ||
        absl::StripTrailingAsciiWhitespace(lines[end].text) == kPercentilesTitle) {
      continue;  // the final report, or perhaps one being written
    }
    LocustRequestRow row;
    if (!lines[aggregated].stamped || !ParseRequestRow(lines[aggregated].text, &row)) continue;
    out.stats.push_back({lines[aggregated].time, row.requests, row.failures, row.avg_ms, row.min_ms,
                         row.max_ms, row.median_ms, row.rps, row.failures_per_s});
    std::fill(keep.begin() + i, keep.begin() + end, false);
    i = end - 1;
  }
  size_t kept = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!keep[i]) continue;
    if (kept++ > 0) out.text += '\n';
    absl::StrAppend(&out.text, lines[i].text);
  }
  if (trailing_newline && kept > 0) out.text += '\n';
  return out;
}

std::vector<LocustInterval> LocustIntervalMeans(const std::vector<LocustStatsPoint>& stats) {
  std::vector<LocustInterval> out;
  if (stats.empty()) return out;
  absl::Time base_time = stats.front().time;
  int64_t base_requests = 0, base_avg_ms = 0;
  for (const LocustStatsPoint& p : stats) {
    if (p.requests < base_requests) {  // reset: count again from zero
      base_time = p.time;
      base_requests = 0;
      base_avg_ms = 0;
    }
    const int64_t added = p.requests - base_requests;
    if (added <= 0 || added * 20 < p.requests) continue;
    const double total_ms = static_cast<double>(p.avg_ms) * static_cast<double>(p.requests) -
                            static_cast<double>(base_avg_ms) * static_cast<double>(base_requests);
    out.push_back({base_time, p.time, added, std::max(0.0, total_ms / static_cast<double>(added))});
    base_time = p.time;
    base_requests = p.requests;
    base_avg_ms = p.avg_ms;
  }
  return out;
}

}  // namespace incident
}  // namespace sre_eval
