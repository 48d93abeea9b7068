#include "sim/monitoring/prometheus_api.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/promql.h"

namespace sre_eval {
namespace sim {
namespace {

MonitoringReply Error(int status, const std::string& type, const std::string& message) {
  MonitoringReply r;
  r.status = status;
  r.body = absl::StrCat(R"({"status":"error","errorType":")", type, R"(","error":)",
                        JsonString(message), "}");
  return r;
}

MonitoringReply Success(const std::string& data) {
  MonitoringReply r;
  r.body = absl::StrCat(R"({"status":"success","data":)", data, "}");
  return r;
}

// A time parameter in milliseconds (ParseTimeParam).
bool ParseTime(const std::string& text, int64_t* ms) {
  absl::Time t;
  if (!ParseTimeParam(text, &t)) return false;
  *ms = absl::ToUnixMillis(t);
  return true;
}

// A step or timeout: a duration ("15s") or seconds (a float).
bool ParseStep(const std::string& text, int64_t* ms) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds) && std::isfinite(seconds)) {
    *ms = static_cast<int64_t>(std::llround(seconds * 1000));
    return true;
  }
  return ParsePromDuration(text, ms);
}

std::string Time(int64_t ms) { return FormatPromValue(static_cast<double>(ms) / 1000); }

// The series of every match[] selector, each once.
bool MatchSeries(const History& h, const std::vector<std::pair<std::string, std::string>>& params,
                 std::vector<const Series*>* out, MonitoringReply* error, bool required) {
  std::set<const Series*> seen;
  bool any = false;
  for (const auto& [k, v] : params) {
    if (k != "match[]") continue;
    any = true;
    std::string e;
    auto expr = ParsePromQL(v, &e);
    if (expr == nullptr) {
      *error = Error(400, "bad_data", absl::StrCat("invalid parameter \"match[]\": ", e));
      return false;
    }
    if (!IsSelector(*expr)) {
      *error = Error(400, "bad_data",
                     absl::StrCat("invalid parameter \"match[]\": expected vector selector"));
      return false;
    }
    for (const Series* s : SelectorSeries(h, *expr)) {
      if (seen.insert(s).second) out->push_back(s);
    }
  }
  if (!any && required) {
    *error = Error(400, "bad_data", "no match[] parameter provided");
    return false;
  }
  return true;
}

}  // namespace

bool ParseTimeParam(const std::string& text, absl::Time* out) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds) && std::isfinite(seconds)) {
    *out = absl::FromUnixNanos(static_cast<int64_t>(std::llround(seconds * 1e9)));
    return true;
  }
  std::string err;
  return absl::ParseTime(absl::RFC3339_full, text, out, &err);
}

std::string LabelsJson(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [n, v] : labels) {
    absl::StrAppend(&out, first ? "" : ",", JsonString(n), ":", JsonString(v));
    first = false;
  }
  return out + "}";
}

std::string PromResultJson(const PromValue& v, int64_t t_ms, int64_t shift_ms,
                           absl::string_view extra) {
  auto time = [&](int64_t ms) { return Time(ms + shift_ms); };
  auto point = [&](int64_t ms, double value) {
    return absl::StrCat("[", time(ms), ",\"", FormatPromValue(value), "\"]");
  };
  std::string out;
  switch (v.type) {
    case PromType::kScalar:
      out = absl::StrCat(R"({"resultType":"scalar","result":)", point(t_ms, v.scalar));
      break;
    case PromType::kString:
      out = absl::StrCat(R"({"resultType":"string","result":[)", time(t_ms), ",", JsonString(v.str),
                         "]");
      break;
    case PromType::kVector:
      out = R"({"resultType":"vector","result":[)";
      for (size_t i = 0; i < v.vector.size(); ++i) {
        absl::StrAppend(&out, i == 0 ? "" : ",", R"({"metric":)", LabelsJson(v.vector[i].metric),
                        R"(,"value":)", point(t_ms, v.vector[i].v), "}");
      }
      out += "]";
      break;
    case PromType::kMatrix:
      out = R"({"resultType":"matrix","result":[)";
      for (size_t i = 0; i < v.matrix.size(); ++i) {
        absl::StrAppend(&out, i == 0 ? "" : ",", R"({"metric":)", LabelsJson(v.matrix[i].labels),
                        R"(,"values":[)");
        const std::vector<Sample>& s = v.matrix[i].samples;
        for (size_t j = 0; j < s.size(); ++j) {
          absl::StrAppend(&out, j == 0 ? "" : ",", point(s[j].t_ms, s[j].v));
        }
        out += "]}";
      }
      out += "]";
      break;
  }
  return absl::StrCat(out, extra, "}");
}

std::string FormValue(const std::vector<std::pair<std::string, std::string>>& params,
                      const std::string& name, bool* present) {
  for (const auto& [k, v] : params) {
    if (k == name) {
      if (present != nullptr) *present = true;
      return v;
    }
  }
  if (present != nullptr) *present = false;
  return "";
}

std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void ParseQueryText(const std::string& text,
                    std::vector<std::pair<std::string, std::string>>* out) {
  auto decode = [](absl::string_view s) {
    std::string r;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        r += ' ';
      } else if (s[i] == '%' && i + 2 < s.size() && absl::ascii_isxdigit(s[i + 1]) &&
                 absl::ascii_isxdigit(s[i + 2])) {
        int v = 0;
        absl::SimpleHexAtoi(s.substr(i + 1, 2), &v);
        r += static_cast<char>(v);
        i += 2;
      } else {
        r += s[i];
      }
    }
    return r;
  };
  for (absl::string_view pair : absl::StrSplit(text, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    out->emplace_back(decode(pair.substr(0, eq)),
                      eq == absl::string_view::npos ? "" : decode(pair.substr(eq + 1)));
  }
}

MonitoringReply PrometheusApi(const History& h, const std::string& endpoint,
                              const std::vector<std::pair<std::string, std::string>>& raw_params,
                              absl::Time now, absl::Duration shift) {
  const int64_t shift_ms = absl::ToInt64Milliseconds(shift);
  // Times in: the client's clock back to the virtual one.
  std::vector<std::pair<std::string, std::string>> params = raw_params;
  for (auto& [k, v] : params) {
    int64_t ms = 0;
    if ((k == "time" || k == "start" || k == "end") && ParseTime(v, &ms)) {
      v = Time(ms - shift_ms);
    }
  }
  const int64_t now_ms = absl::ToUnixMillis(now);
  if (endpoint == "query" || endpoint == "query_range") {
    bool present = false;
    const std::string query = FormValue(params, "query", &present);
    std::string error;
    auto expr = ParsePromQL(query, &error);
    if (expr == nullptr) {
      return Error(400, "bad_data", absl::StrCat("invalid parameter \"query\": ", error));
    }
    PromValue v;
    if (endpoint == "query") {
      int64_t t = now_ms;
      const std::string time = FormValue(params, "time", &present);
      if (present && !ParseTime(time, &t)) {
        return Error(400, "bad_data",
                     absl::StrCat("invalid parameter \"time\": cannot parse \"", time,
                                  "\" to a valid timestamp"));
      }
      if (!EvalInstant(*expr, h, t, &v, &error)) return Error(422, "execution", error);
      return Success(PromResultJson(v, t, shift_ms));
    }
    int64_t start = 0, end = 0, step = 0;
    for (const char* name : {"start", "end"}) {
      const std::string text = FormValue(params, name, &present);
      if (!ParseTime(text, std::string(name) == "start" ? &start : &end)) {
        return Error(400, "bad_data",
                     absl::StrCat("invalid parameter \"", name, "\": cannot parse \"", text,
                                  "\" to a valid timestamp"));
      }
    }
    const std::string step_text = FormValue(params, "step", &present);
    if (!ParseStep(step_text, &step)) {
      return Error(400, "bad_data",
                   absl::StrCat("invalid parameter \"step\": cannot parse \"", step_text,
                                "\" to a valid duration"));
    }
    if (end < start) {
      return Error(400, "bad_data",
                   "invalid parameter \"end\": end timestamp must not be before start time");
    }
    if (step <= 0) {
      return Error(400, "bad_data",
                   "invalid parameter \"step\": zero or negative query resolution step widths "
                   "are not accepted. Try a positive integer");
    }
    if ((end - start) / step > 11000) {
      return Error(400, "bad_data",
                   "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                   "the query resolution (?step=XX)");
    }
    if (!EvalRange(*expr, h, start, end, step, &v, &error)) {
      return Error(absl::StartsWith(error, "invalid expression type") ? 400 : 422,
                   absl::StartsWith(error, "invalid expression type") ? "bad_data" : "execution",
                   error);
    }
    return Success(PromResultJson(v, end, shift_ms));
  }
  if (endpoint == "series" || endpoint == "labels" ||
      (absl::StartsWith(endpoint, "label/") && absl::EndsWith(endpoint, "/values"))) {
    std::vector<const Series*> series;
    MonitoringReply error;
    const bool have_match = !FormValue(params, "match[]").empty();
    if (endpoint == "series" || have_match) {
      if (!MatchSeries(h, params, &series, &error, endpoint == "series")) return error;
    } else {
      series = h.Select({});
    }
    int64_t start = INT64_MIN, end = INT64_MAX;
    bool present = false;
    const std::string s = FormValue(params, "start", &present);
    if (present && !ParseTime(s, &start)) {
      return Error(400, "bad_data",
                   absl::StrCat("invalid parameter \"start\": cannot parse \"", s,
                                "\" to a valid timestamp"));
    }
    const std::string e = FormValue(params, "end", &present);
    if (present && !ParseTime(e, &end)) {
      return Error(
          400, "bad_data",
          absl::StrCat("invalid parameter \"end\": cannot parse \"", e, "\" to a valid timestamp"));
    }
    std::vector<const Series*> in_range;
    for (const Series* x : series) {
      for (const Sample& smp : x->samples) {
        if (smp.t_ms >= start && smp.t_ms <= end) {
          in_range.push_back(x);
          break;
        }
      }
    }
    if (endpoint == "series") {
      std::string out = "[";
      for (size_t i = 0; i < in_range.size(); ++i) {
        absl::StrAppend(&out, i == 0 ? "" : ",", LabelsJson(in_range[i]->labels));
      }
      return Success(out + "]");
    }
    std::set<std::string> values;
    const std::string label =
        endpoint == "labels" ? "" : endpoint.substr(6, endpoint.size() - 6 - 7);
    for (const Series* x : in_range) {
      for (const auto& [n, v] : x->labels) {
        if (endpoint == "labels") {
          values.insert(n);
        } else if (n == label) {
          values.insert(v);
        }
      }
    }
    std::string out = "[";
    bool first = true;
    for (const std::string& v : values) {
      absl::StrAppend(&out, first ? "" : ",", JsonString(v));
      first = false;
    }
    return Success(out + "]");
  }
  if (endpoint == "metadata") {
    const std::string metric = FormValue(params, "metric");
    int64_t limit = -1;
    bool present = false;
    const std::string limit_text = FormValue(params, "limit", &present);
    if (present && !absl::SimpleAtoi(limit_text, &limit)) {
      return Error(400, "bad_data", "limit must be a number");
    }
    std::string out = "{";
    int64_t n = 0;
    for (const auto& [name, info] : h.metadata()) {
      if (!metric.empty() && name != metric) continue;
      if (limit >= 0 && n >= limit) break;
      absl::StrAppend(&out, n == 0 ? "" : ",", JsonString(name), R"(:[{"type":)",
                      JsonString(info.type), R"(,"help":)", JsonString(info.help), R"(,"unit":)",
                      JsonString(info.unit), "}]");
      ++n;
    }
    return Success(out + "}");
  }
  if (endpoint == "status/buildinfo") {
    return Success(
        R"({"version":"2.53.0","revision":"sre-eval-sim","branch":"HEAD","buildUser":"sre-eval","buildDate":"20260101-00:00:00","goVersion":"go1.22.4"})");
  }
  MonitoringReply r =
      Error(404, "not_found", absl::StrCat("unknown API endpoint /api/v1/", endpoint));
  return r;
}

}  // namespace sim
}  // namespace sre_eval
