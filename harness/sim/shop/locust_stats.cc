#include "sim/shop/locust_stats.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace sre_eval {
namespace sim {
namespace {

// ---- Python's formatting, as Locust's "%-80s" and "%d" do it ----

// Python pads a str by code points, not bytes.
size_t CodePoints(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string PadRight(absl::string_view s, size_t width) {
  std::string out(s);
  const size_t n = CodePoints(s);
  if (n < width) out.append(width - n, ' ');
  return out;
}

std::string PadLeft(absl::string_view s, size_t width) {
  const size_t n = CodePoints(s);
  std::string out(n < width ? width - n : 0, ' ');
  out.append(s.data(), s.size());
  return out;
}

// Python's "%d" of a float truncates toward zero.
int64_t Trunc(double x) { return std::isfinite(x) ? static_cast<int64_t>(x) : 0; }

// ---- Statistics ----

// StatsEntry._log_response_time's rounding: Python's round(), half to even on the exact value.
int64_t RoundedResponseTime(double ms) {
  if (!std::isfinite(ms)) return 0;
  if (ms < 100) return static_cast<int64_t>(std::nearbyint(ms));
  const double unit = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
  const double rest = std::fmod(ms, unit);  // Exact, as is the subtraction below.
  double base = ms - rest;
  if (rest > unit / 2 || (rest == unit / 2 && std::fmod(base / unit, 2) != 0)) base += unit;
  return static_cast<int64_t>(base);
}

// calculate_response_time_percentile
int64_t PercentileOf(const std::map<int64_t, int64_t>& times, int64_t n, double p) {
  const int64_t wanted = static_cast<int64_t>(static_cast<double>(n) * p);
  int64_t processed = 0;
  for (auto it = times.rbegin(); it != times.rend(); ++it) {
    processed += it->second;
    if (n - processed <= wanted) return it->first;
  }
  return 0;
}

// StatsEntry.median_response_time
double MedianOf(const std::map<int64_t, int64_t>& times, int64_t n, std::optional<double> min_time,
                double max_time) {
  if (times.empty()) return 0;
  double pos = (static_cast<double>(n) - 1) / 2;
  int64_t key = 0;
  for (const auto& [k, count] : times) {
    key = k;
    if (pos < static_cast<double>(count)) break;
    pos -= static_cast<double>(count);
  }
  double median = static_cast<double>(key);
  if (median > max_time) {
    median = max_time;
  } else if (min_time && median < *min_time) {
    median = *min_time;
  }
  return median;
}

constexpr double kPercentiles[] = {0.50, 0.66, 0.75,  0.80,   0.90, 0.95,
                                   0.98, 0.99, 0.999, 0.9999, 1.0};
constexpr const char* kPercentileNames[] = {"50%", "66%", "75%",   "80%",    "90%", "95%",
                                            "98%", "99%", "99.9%", "99.99%", "100%"};

// STATS_NAME_WIDTH is 80 when stdout is no terminal (always, in a pod).
constexpr size_t kNameWidth = 80;
constexpr size_t kTypeWidth = 8;
constexpr size_t kStatsNameColumn = kNameWidth - kTypeWidth + 4;

// StatsError.parse_error: errors that differ only in an "object at 0x..." address are one.
std::string ErrorKey(absl::string_view error) {
  constexpr absl::string_view kTarget = "object at 0x";
  const size_t at = error.find(kTarget);
  if (at == absl::string_view::npos) return std::string(error);
  const size_t start = at + kTarget.size() - 2;
  const size_t end = error.find('>', start);
  if (end == absl::string_view::npos) return std::string(error);
  return absl::StrReplaceAll(error, {{error.substr(start, end - start), "0x...."}});
}

}  // namespace

LocustStats::LocustStats(absl::Time start) : start_(start) { total_.name = "Aggregated"; }

LocustStats::Entry& LocustStats::Get(const std::string& method, const std::string& name) {
  auto [it, inserted] =
      entries_.try_emplace(std::make_pair(std::string(name), std::string(method)));
  if (inserted) {
    it->second.method = std::string(method);
    it->second.name = std::string(name);
  }
  return it->second;
}

void LocustStats::Log(Entry& e, double response_time_ms, int64_t content_length, int64_t count,
                      int64_t second) {
  e.num_requests += count;
  e.reqs_per_sec[second] += count;
  e.total_response_time += response_time_ms * static_cast<double>(count);
  if (!e.min_response_time || response_time_ms < *e.min_response_time) {
    e.min_response_time = response_time_ms;
  }
  e.max_response_time = std::max(e.max_response_time, response_time_ms);
  e.response_times[RoundedResponseTime(response_time_ms)] += count;
  e.total_content_length += content_length * count;
}

void LocustStats::Prune(Entry& e) const {
  // The current rates only look at [last-12, last-2); older seconds are dead weight.
  const int64_t oldest = absl::ToUnixSeconds(*last_request_) - 12;
  e.reqs_per_sec.erase(e.reqs_per_sec.begin(), e.reqs_per_sec.lower_bound(oldest));
  e.fails_per_sec.erase(e.fails_per_sec.begin(), e.fails_per_sec.lower_bound(oldest));
}

void LocustStats::AddSuccess(const std::string& method, const std::string& name,
                             double response_time_ms, int64_t content_length, int64_t count,
                             absl::Time at) {
  if (count <= 0) return;
  if (!last_request_ || at > *last_request_) last_request_ = at;
  const int64_t second = absl::ToUnixSeconds(at);
  Entry& e = Get(method, name);
  Log(total_, response_time_ms, content_length, count, second);
  Log(e, response_time_ms, content_length, count, second);
  Prune(total_);
  Prune(e);
}

void LocustStats::AddFailure(const std::string& method, const std::string& name,
                             double response_time_ms, const std::string& error, int64_t count,
                             absl::Time at) {
  if (count <= 0) return;
  AddSuccess(method, name, response_time_ms, 0, count, at);
  const int64_t second = absl::ToUnixSeconds(at);
  for (Entry* e : {&total_, &Get(method, name)}) {
    e->num_failures += count;
    e->fails_per_sec[second] += count;
  }
  auto key = std::make_tuple(std::string(method), std::string(name), ErrorKey(error));
  auto [it, inserted] = error_index_.try_emplace(std::move(key), errors_.size());
  if (inserted) {
    errors_.push_back({std::string(method), std::string(name), std::string(error), 0});
  }
  errors_[it->second].occurrences += count;
}

void LocustStats::Reset(absl::Time start) {
  start_ = start;
  last_request_.reset();
  total_ = Entry();
  total_.name = "Aggregated";
  for (auto& [key, e] : entries_) e = Entry{e.method, e.name};
  errors_.clear();
  error_index_.clear();
}

int64_t LocustStats::total_requests() const { return total_.num_requests; }
int64_t LocustStats::total_failures() const { return total_.num_failures; }

int64_t LocustStats::Percentile(double p) const {
  return PercentileOf(total_.response_times, total_.num_requests, p);
}

double LocustStats::MedianResponseTime() const {
  return MedianOf(total_.response_times, total_.num_requests, total_.min_response_time,
                  total_.max_response_time);
}

double LocustStats::AverageResponseTime() const {
  return total_.num_requests == 0
             ? 0
             : total_.total_response_time / static_cast<double>(total_.num_requests);
}

double LocustStats::AverageContentLength() const {
  return total_.num_requests == 0 ? 0
                                  : static_cast<double>(total_.total_content_length) /
                                        static_cast<double>(total_.num_requests);
}

double LocustStats::CurrentRate(const std::map<int64_t, int64_t>& per_sec) const {
  if (!last_request_) return 0;
  const int64_t last = absl::ToUnixSeconds(*last_request_);
  const int64_t from = std::max(last - 12, absl::ToUnixSeconds(start_));
  const int64_t to = last - 2;
  if (to <= from) return 0;
  int64_t sum = 0;
  for (auto it = per_sec.lower_bound(from); it != per_sec.end() && it->first < to; ++it) {
    sum += it->second;
  }
  return static_cast<double>(sum) / static_cast<double>(to - from);
}

double LocustStats::TotalRate(int64_t n) const {
  if (!last_request_ || start_ == absl::UnixEpoch()) return 0;
  const double seconds = absl::ToDoubleSeconds(*last_request_ - start_);
  return seconds == 0 ? 0 : static_cast<double>(n) / seconds;
}

std::string LocustStats::Row(const Entry& e, LocustRates rates) const {
  const bool current = rates == LocustRates::kCurrent;
  double rps = current ? CurrentRate(e.reqs_per_sec) : TotalRate(e.num_requests);
  double fps = current ? CurrentRate(e.fails_per_sec) : TotalRate(e.num_failures);
  if (rps == 0) rps = 0;  // Locust's "rps or 0" turns -0.0 into 0.
  if (fps == 0) fps = 0;
  const double fail_ratio = e.num_requests != 0 ? static_cast<double>(e.num_failures) /
                                                      static_cast<double>(e.num_requests)
                            : e.num_failures > 0 ? 1.0
                                                 : 0.0;
  const double avg =
      e.num_requests != 0 ? e.total_response_time / static_cast<double>(e.num_requests) : 0;
  const double median =
      MedianOf(e.response_times, e.num_requests, e.min_response_time, e.max_response_time);
  return absl::StrCat(
      PadRight(e.method.empty() ? "" : e.method + " ", kTypeWidth), " ",
      PadRight(e.name, kStatsNameColumn), " ", absl::StrFormat("%7d", e.num_requests), " ",
      PadLeft(absl::StrFormat("%d(%.2f%%)", e.num_failures, fail_ratio * 100), 12), " |",
      absl::StrFormat("%7d %7d %7d%7d | %7.2f %11.2f", Trunc(avg),
                      Trunc(e.min_response_time.value_or(0)), Trunc(e.max_response_time),
                      Trunc(median), rps, fps),
      "\n");
}

std::string LocustStats::StatsTable(LocustRates rates) const {
  const std::string separator =
      absl::StrCat(std::string(kTypeWidth, '-'), "|", std::string(kStatsNameColumn, '-'),
                   "|-------|-------------|-------|-------|-------|-------|--------|-----------\n");
  std::string out =
      absl::StrCat(PadRight("Type", kTypeWidth), " ", PadRight("Name", kStatsNameColumn), " ",
                   PadLeft("# reqs", 7), " ", PadLeft("# fails", 12), " |", PadLeft("Avg", 7), " ",
                   PadLeft("Min", 7), " ", PadLeft("Max", 7), PadLeft("Med", 7), " | ",
                   PadLeft("req/s", 7), " ", PadLeft("failures/s", 11), "\n", separator);
  for (const auto& [key, e] : entries_) out += Row(e, rates);
  absl::StrAppend(&out, separator, Row(total_, rates));
  return out;
}

std::string LocustStats::PercentileTable() const {
  std::string separator =
      absl::StrCat(std::string(kTypeWidth, '-'), "|", std::string(kNameWidth, '-'), "|--------");
  for (size_t i = 0; i < std::size(kPercentiles); ++i) separator += "|------";
  separator += "\n";
  std::string out =
      absl::StrCat("Response time percentiles (approximated)\n", PadRight("Type", kTypeWidth), " ",
                   PadRight("Name", kNameWidth), " ", PadLeft(kPercentileNames[0], 8));
  for (size_t i = 1; i < std::size(kPercentileNames); ++i) {
    absl::StrAppend(&out, " ", PadLeft(kPercentileNames[i], 6));
  }
  absl::StrAppend(&out, " ", PadLeft("# reqs", 6), "\n", separator);
  auto row = [](const Entry& e) {
    std::string line = absl::StrCat(
        PadRight(e.method, kTypeWidth), " ", PadRight(e.name, kNameWidth), " ",
        absl::StrFormat("%8d", PercentileOf(e.response_times, e.num_requests, kPercentiles[0])));
    for (size_t i = 1; i < std::size(kPercentiles); ++i) {
      absl::StrAppendFormat(&line, " %6d",
                            PercentileOf(e.response_times, e.num_requests, kPercentiles[i]));
    }
    absl::StrAppendFormat(&line, " %6d\n", e.num_requests);
    return line;
  };
  for (const auto& [key, e] : entries_) {
    if (!e.response_times.empty()) out += row(e);
  }
  out += separator;
  if (!total_.response_times.empty()) out += row(total_);
  return out;
}

std::string LocustStats::ErrorReport() const {
  if (errors_.empty()) return "";
  const std::string separator =
      absl::StrCat(std::string(18, '-'), "|", std::string(80 + kNameWidth - 19, '-'), "\n");
  std::string out = absl::StrCat("Error report\n", PadRight("# occurrences", 18), " ",
                                 PadRight("Error", 100), "\n", separator);
  for (const Error& e : errors_) {
    absl::StrAppend(&out, PadRight(absl::StrCat(e.occurrences), 18), " ",
                    PadRight(absl::StrCat(e.method, " ", e.name, ": ", e.error), 100), "\n");
  }
  absl::StrAppend(&out, separator, "\n");
  return out;
}

std::string LocustStats::PeriodicStats() const { return StatsTable(LocustRates::kCurrent) + "\n"; }

std::string LocustStats::FinalSummary() const {
  return absl::StrCat(StatsTable(LocustRates::kTotal), "\n", PercentileTable(), "\n",
                      ErrorReport());
}

// ---- Log output ----

namespace {

int LevelValue(absl::string_view level) {
  if (level == "DEBUG") return 10;
  if (level == "WARNING") return 30;
  if (level == "ERROR") return 40;
  if (level == "CRITICAL") return 50;
  return 20;
}

std::string BasicConfigLine(absl::string_view level, absl::string_view logger,
                            absl::string_view message) {
  return absl::StrCat(level, ":", logger, ":", message, "\n");
}

}  // namespace

std::string LocustLogLine(absl::Time t, const std::string& hostname, const std::string& level,
                          const std::string& logger, const std::string& message) {
  const int64_t millis = ((absl::ToUnixMillis(t) % 1000) + 1000) % 1000;
  return absl::StrCat("[", absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone()), ",",
                      absl::StrFormat("%03d", millis), "] ", hostname, "/", level, "/", logger,
                      ": ", message, "\n");
}

std::string LocustLog(const LocustOptions& options, absl::Time t, const std::string& hostname,
                      const std::string& level, const std::string& logger,
                      const std::string& message) {
  const int value = LevelValue(level);
  // Without Locust's set-up, Python's logging.basicConfig() default applies (root at WARNING).
  if (options.skip_log_setup) return value >= 30 ? BasicConfigLine(level, logger, message) : "";
  // The stats tables' logger prints bare lines at INFO, to stderr even with --logfile.
  if (logger == "locust.stats_logger") return value >= 20 ? message + "\n" : "";
  if (!options.logfile.empty()) return "";
  if (value < LevelValue(options.loglevel)) return "";
  return LocustLogLine(t, hostname, level, logger, message);
}

bool LocustPrintsStats(const LocustOptions& options) { return !options.skip_log_setup; }

bool LocustPrintsPeriodicStats(const LocustOptions& options) {
  return LocustPrintsStats(options) && !options.only_summary &&
         (options.print_stats || (options.headless && !options.worker));
}

std::string RunTimeLimitMessage(int64_t seconds) {
  return absl::StrCat("Run time limit set to ", seconds, " seconds");
}

std::string StartingLocustMessage(const std::string& version) {
  return absl::StrCat("Starting Locust ", version);
}

std::string RampingMessage(int64_t users, double spawn_rate) {
  return absl::StrFormat("Ramping to %d users at a rate of %.2f per second", users, spawn_rate);
}

std::string AllUsersSpawnedMessage(const std::map<std::string, int64_t>& users_per_class) {
  // json.dumps of the class counts, sorted by name; class names are Python identifiers.
  std::vector<std::string> items;
  int64_t total = 0;
  for (const auto& [name, count] : users_per_class) {
    items.push_back(absl::StrCat("\"", name, "\": ", count));
    total += count;
  }
  return absl::StrCat("All users spawned: {", absl::StrJoin(items, ", "), "} (", total,
                      " total users)");
}

std::string ShuttingDownMessage(int exit_code) {
  return absl::StrCat("Shutting down (exit code ", exit_code, ")");
}

int LocustExitCode(const LocustOptions& options, const LocustStats& stats, bool task_exceptions) {
  return stats.total_failures() > 0 || task_exceptions ? options.exit_code_on_error : 0;
}

int LocustProcessExitStatus(int exit_code) { return ((exit_code % 256) + 256) % 256; }

}  // namespace sim
}  // namespace sre_eval
