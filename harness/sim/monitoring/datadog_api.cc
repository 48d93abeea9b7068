#include "sim/monitoring/datadog_api.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/promql.h"

namespace sre_eval {
namespace sim {
namespace {

using json = nlohmann::json;

MonitoringReply JsonReply(int status, const json& body) {
  MonitoringReply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

MonitoringReply Errors(int status, const std::string& message) {
  return JsonReply(status, json{{"errors", {message}}});
}

// Datadog's times: Unix seconds or milliseconds, ISO 8601, or "now", "now-15m", "now-2h".
bool ParseDdTime(const std::string& text, absl::Time now, absl::Time* out) {
  if (text == "now") {
    *out = now;
    return true;
  }
  if (absl::StartsWith(text, "now-")) {
    int64_t ms = 0;
    if (!ParsePromDuration(text.substr(4), &ms)) return false;
    *out = now - absl::Milliseconds(ms);
    return true;
  }
  int64_t n = 0;
  if (absl::SimpleAtoi(text, &n)) {
    *out = text.size() > 11 ? absl::FromUnixMillis(n) : absl::FromUnixSeconds(n);
    return true;
  }
  std::string err;
  return absl::ParseTime(absl::RFC3339_full, text, out, &err);
}

// A Datadog wildcard pattern (`*` any run) against `value`, without regard to case.
bool Wildcard(absl::string_view pattern, absl::string_view value) {
  size_t p = 0, v = 0, star = absl::string_view::npos, mark = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = v;
    } else if (p < pattern.size() &&
               absl::ascii_tolower(pattern[p]) == absl::ascii_tolower(value[v])) {
      ++p;
      ++v;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// ---- Logs.

struct DdLog {
  absl::Time time;
  std::string message;
  std::map<std::string, std::string> facets;  // service, status, source, pod_name, ...
};

std::string StatusOf(const std::string& line) {
  const std::string lower = absl::AsciiStrToLower(line);
  for (const char* e : {" error ", "level=error", "[error]", "error:", "exception", " e "}) {
    if (absl::StrContains(lower, e)) return "error";
  }
  for (const char* w : {" warn ", "warning", "level=warn", "[warn"}) {
    if (absl::StrContains(lower, w)) return "warn";
  }
  return "info";
}

std::string SourceOf(const std::string& image) {
  if (absl::StrContains(image, "front-end")) return "nodejs";
  if (absl::StrContains(image, "mongo") || absl::StrContains(image, "user-db")) return "mongodb";
  if (absl::StrContains(image, "catalogue-db")) return "mysql";
  if (absl::StrContains(image, "rabbitmq")) return "rabbitmq";
  if (absl::StrContains(image, "redis")) return "redis";
  for (const char* go : {"catalogue", "payment", "user"}) {
    if (absl::StrContains(image, go)) return "go";
  }
  return "java";
}

// A node of the parsed search query.
struct Search {
  enum Kind { kAll, kTerm, kFacet, kAnd, kOr, kNot } kind = kAll;
  std::string key, value;
  bool phrase = false;
  std::vector<std::unique_ptr<Search>> kids;

  bool Matches(const DdLog& l) const {
    switch (kind) {
      case kAll:
        return true;
      case kTerm: {
        const std::string msg = absl::AsciiStrToLower(l.message);
        const std::string v = absl::AsciiStrToLower(value);
        if (!phrase && absl::StrContains(value, "*")) {
          for (absl::string_view w : absl::StrSplit(l.message, absl::ByAnyChar(" \t=:,;\"'[]()"))) {
            if (Wildcard(value, w)) return true;
          }
          return false;
        }
        return absl::StrContains(msg, v);
      }
      case kFacet: {
        auto it = l.facets.find(key);
        return it != l.facets.end() && Wildcard(value, it->second);
      }
      case kAnd:
        for (const auto& k : kids) {
          if (!k->Matches(l)) return false;
        }
        return true;
      case kOr:
        for (const auto& k : kids) {
          if (k->Matches(l)) return true;
        }
        return false;
      case kNot:
        return !kids[0]->Matches(l);
    }
    return false;
  }
};

class SearchParser {
 public:
  explicit SearchParser(absl::string_view s) : s_(s) {}
  std::unique_ptr<Search> Parse(std::string* error) {
    auto n = Or();
    Skip();
    if (n == nullptr || i_ != s_.size()) {
      *error = error_.empty() ? absl::StrCat("invalid query at position ", i_) : error_;
      return nullptr;
    }
    return n;
  }

 private:
  void Skip() {
    while (i_ < s_.size() && absl::ascii_isspace(s_[i_])) ++i_;
  }
  // Whether the operator `w` (AND, OR, NOT) comes next, as a whole word.
  bool AtWord(absl::string_view w) {
    Skip();
    if (s_.substr(i_, w.size()) != w) return false;
    const size_t after = i_ + w.size();
    return after >= s_.size() || absl::ascii_isspace(s_[after]) || s_[after] == '(';
  }
  bool Word(absl::string_view w) {
    if (!AtWord(w)) return false;
    i_ += w.size();
    return true;
  }
  std::unique_ptr<Search> Or() {
    auto left = And();
    if (left == nullptr) return nullptr;
    if (!Word("OR")) return left;
    auto node = std::make_unique<Search>();
    node->kind = Search::kOr;
    node->kids.push_back(std::move(left));
    do {
      auto right = And();
      if (right == nullptr) return nullptr;
      node->kids.push_back(std::move(right));
    } while (Word("OR"));
    return node;
  }
  std::unique_ptr<Search> And() {
    auto node = std::make_unique<Search>();
    node->kind = Search::kAnd;
    for (;;) {
      Skip();
      if (i_ >= s_.size() || s_[i_] == ')' || AtWord("OR")) break;
      Word("AND");
      auto t = Unary();
      if (t == nullptr) return nullptr;
      node->kids.push_back(std::move(t));
      if (++count_ > 200) {
        error_ = "query too long";
        return nullptr;
      }
    }
    if (node->kids.empty()) node->kind = Search::kAll;
    return node;
  }
  std::unique_ptr<Search> Unary() {
    Skip();
    if (Word("NOT") || (i_ < s_.size() && s_[i_] == '-' && ++i_)) {
      auto inner = Unary();
      if (inner == nullptr) return nullptr;
      auto node = std::make_unique<Search>();
      node->kind = Search::kNot;
      node->kids.push_back(std::move(inner));
      return node;
    }
    if (i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      if (++depth_ > 50) {
        error_ = "query nested too deeply";
        return nullptr;
      }
      auto inner = Or();
      --depth_;
      Skip();
      if (inner == nullptr || i_ >= s_.size() || s_[i_] != ')') {
        if (error_.empty()) error_ = "missing closing parenthesis";
        return nullptr;
      }
      ++i_;
      return inner;
    }
    auto node = std::make_unique<Search>();
    node->kind = Search::kTerm;
    std::string token;
    if (!Token(&token, &node->phrase)) return nullptr;
    Skip();
    const size_t colon = token.find(':');
    if (!node->phrase && colon != std::string::npos && colon > 0) {
      node->kind = Search::kFacet;
      node->key = token.substr(0, colon);
      if (node->key[0] == '@') node->key = node->key.substr(1);
      node->value = token.substr(colon + 1);
      if (node->value.empty() && i_ < s_.size() && s_[i_ - 1] == ':') {
        bool quoted = false;
        if (!Token(&node->value, &quoted)) return nullptr;
      }
      return node;
    }
    node->value = token;
    return node;
  }
  bool Token(std::string* out, bool* phrase) {
    Skip();
    out->clear();
    if (i_ < s_.size() && s_[i_] == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        *out += s_[i_++];
      }
      if (i_ >= s_.size()) {
        error_ = "unterminated quoted phrase";
        return false;
      }
      ++i_;
      *phrase = true;
      return true;
    }
    while (i_ < s_.size() && !absl::ascii_isspace(s_[i_]) && s_[i_] != '(' && s_[i_] != ')') {
      *out += s_[i_++];
      // key:"quoted value"
      if (out->back() == ':' && i_ < s_.size() && s_[i_] == '"') {
        std::string quoted;
        bool p = false;
        if (!Token(&quoted, &p)) return false;
        *out += quoted;
        return true;
      }
    }
    if (out->empty()) {
      error_ = absl::StrCat("invalid query at position ", i_);
      return false;
    }
    return true;
  }

  absl::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
  int count_ = 0;
  std::string error_;
};

MonitoringReply LogsSearch(const LogStreams& streams, const LogBook& book, uint64_t seed,
                           const std::string& body, absl::Time now) {
  json req = json::parse(body.empty() ? "{}" : body, nullptr, false);
  if (!req.is_object()) return Errors(400, "the request body is not a JSON object");
  const json filter = req.value("filter", json::object());
  const std::string query = filter.is_object() ? filter.value("query", "*") : "*";
  absl::Time from = now - absl::Minutes(15), to = now;
  if (filter.is_object() && filter.contains("from") &&
      !ParseDdTime(
          filter["from"].is_string() ? filter["from"].get<std::string>() : filter["from"].dump(),
          now, &from)) {
    return Errors(400, "invalid filter.from");
  }
  if (filter.is_object() && filter.contains("to") &&
      !ParseDdTime(filter["to"].is_string() ? filter["to"].get<std::string>() : filter["to"].dump(),
                   now, &to)) {
    return Errors(400, "invalid filter.to");
  }
  const json page = req.value("page", json::object());
  int64_t limit = 10;
  if (page.is_object() && page.contains("limit")) {
    if (!page["limit"].is_number_integer() || page["limit"].get<int64_t>() < 1 ||
        page["limit"].get<int64_t>() > 5000) {
      return Errors(400, "page.limit must be between 1 and 5000");
    }
    limit = page["limit"].get<int64_t>();
  }
  int64_t offset = 0;
  if (page.is_object() && page.contains("cursor") && page["cursor"].is_string() &&
      !absl::SimpleAtoi(page["cursor"].get<std::string>(), &offset)) {
    return Errors(400, "invalid page.cursor");
  }
  const bool ascending = req.value("sort", std::string("-timestamp")) == "timestamp";
  std::string error;
  std::unique_ptr<Search> search = SearchParser(query == "*" ? "" : query).Parse(&error);
  if (search == nullptr) return Errors(400, error);
  std::vector<DdLog> logs;
  for (const LogInstance& in : streams.instances()) {
    DdLog base;
    base.facets = {{"kube_namespace", LabelValue(in.labels, "namespace")},
                   {"service", in.ref.app},
                   {"pod_name", in.ref.pod},
                   {"kube_container_name", in.ref.container},
                   {"container_name", in.ref.container},
                   {"host", LabelValue(in.labels, "node_name")},
                   {"source", SourceOf(in.ref.app)}};
    for (LogLine& l : LogStreams::Lines(in, book, seed, from, to, 20000)) {
      DdLog d = base;
      d.time = l.time;
      d.facets["status"] = StatusOf(" " + l.text + " ");
      d.message = std::move(l.text);
      if (search->Matches(d)) logs.push_back(std::move(d));
    }
  }
  std::stable_sort(logs.begin(), logs.end(), [&](const DdLog& a, const DdLog& b) {
    return ascending ? a.time < b.time : a.time > b.time;
  });
  json data = json::array();
  for (int64_t i = offset; i < static_cast<int64_t>(logs.size()) && i < offset + limit; ++i) {
    const DdLog& l = logs[i];
    json tags = json::array();
    for (const auto& [k, v] : l.facets) tags.push_back(absl::StrCat(k, ":", v));
    data.push_back(
        {{"id", absl::StrCat("AQAAAZ", absl::ToUnixNanos(l.time), "-", i)},
         {"type", "log"},
         {"attributes",
          {{"timestamp", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", l.time, absl::UTCTimeZone())},
           {"status", l.facets.at("status")},
           {"service", l.facets.at("service")},
           {"host", l.facets.at("host")},
           {"message", l.message},
           {"tags", tags},
           {"attributes", json::object()}}}});
  }
  json out = {{"data", data},
              {"meta", {{"elapsed", 1}, {"status", "done"}, {"request_id", "sre-eval-sim"}}}};
  if (offset + limit < static_cast<int64_t>(logs.size())) {
    const std::string cursor = absl::StrCat(offset + limit);
    out["meta"]["page"] = {{"after", cursor}};
    out["links"] = {{"next", absl::StrCat("/api/v2/logs/events?page[cursor]=", cursor)}};
  }
  return JsonReply(200, out);
}

// ---- Metrics.

struct DdMetric {
  const char* name;
  // Over the container series; {M} is where the scope's matchers go. Trace metrics give the
  // PromQL of one of the two histogram families, {H} for its name (see TraceFamilies).
  const char* promql;
  bool trace = false;
};
constexpr DdMetric kMetrics[] = {
    {"kubernetes.cpu.usage.total", "rate(container_cpu_usage_seconds_total{M}[1m]) * 1e9"},
    {"kubernetes.memory.usage", "container_memory_working_set_bytes{M}"},
    {"kubernetes.containers.restarts", "kube_pod_container_status_restarts_total{M}"},
    {"kubernetes.containers.running", "kube_pod_container_status_running{M}"},
    {"kubernetes.cpu.limits", "kube_pod_container_resource_limits{resource=\"cpu\",M}"},
    {"kubernetes.memory.limits", "kube_pod_container_resource_limits{resource=\"memory\",M}"},
    // APM's service entry spans, from the services' own request histograms: the mean duration
    // in seconds, and hits and errors (5xx) as per-second rates.
    {"trace.http.request.duration", "(rate({H}_sum{M}[1m]) / rate({H}_count{M}[1m]))", true},
    {"trace.http.request.hits", "rate({H}_count{M}[1m])", true},
    {"trace.http.request.errors", "rate({H}_count{status_code=~\"5..\",M}[1m])", true},
};
// The services' request histograms: the front-end's and the Go services', and the Java ones'.
constexpr const char* kTraceFamilies[] = {"request_duration_seconds",
                                          "http_request_duration_seconds"};

// Datadog's tags and the Prometheus labels they are.
const std::map<std::string, std::string>& TagLabels(bool trace) {
  static const auto* containers =
      new std::map<std::string, std::string>{{"kube_namespace", "namespace"},
                                             {"pod_name", "pod"},
                                             {"kube_container_name", "container"},
                                             {"container_name", "container"},
                                             {"service", "container"},
                                             {"short_image", "container"}};
  static const auto* traces =
      new std::map<std::string, std::string>{{"kube_namespace", "namespace"},
                                             {"pod_name", "pod"},
                                             {"service", "service"},
                                             {"http.status_code", "status_code"}};
  return trace ? *traces : *containers;
}

std::string PromString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

MonitoringReply MetricsQuery(const History& h,
                             const std::vector<std::pair<std::string, std::string>>& params,
                             absl::Time now) {
  const std::string query = FormValue(params, "query");
  absl::Time from, to;
  if (!ParseDdTime(FormValue(params, "from"), now, &from) ||
      !ParseDdTime(FormValue(params, "to"), now, &to) || to < from) {
    return Errors(400, "from and to must be Unix seconds, with from <= to");
  }
  // aggr:metric{scope} by {tags}
  const size_t colon = query.find(':');
  const size_t brace = query.find('{');
  const size_t close = query.find('}');
  if (colon == std::string::npos || brace == std::string::npos || close == std::string::npos ||
      brace < colon || close < brace) {
    return Errors(400, absl::StrCat("Error parsing query: ", query));
  }
  const std::string aggr = query.substr(0, colon);
  const std::string metric =
      std::string(absl::StripAsciiWhitespace(query.substr(colon + 1, brace - colon - 1)));
  const std::string scope = query.substr(brace + 1, close - brace - 1);
  std::vector<std::string> by;
  std::string rest(absl::StripAsciiWhitespace(query.substr(close + 1)));
  if (absl::StartsWith(rest, "by")) {
    const size_t b = rest.find('{'), e = rest.find('}');
    if (b == std::string::npos || e == std::string::npos || e < b) {
      return Errors(400, absl::StrCat("Error parsing query: ", query));
    }
    for (absl::string_view t :
         absl::StrSplit(rest.substr(b + 1, e - b - 1), ',', absl::SkipEmpty())) {
      by.emplace_back(absl::StripAsciiWhitespace(t));
    }
  } else if (!rest.empty()) {
    return Errors(400, absl::StrCat("Error parsing query: ", query));
  }
  // A percentile of a distribution: "p95:trace.http.request.duration{...}", or the metric
  // with a ".p95" suffix as the guide writes it.
  std::string metric_name = metric;
  std::string percentile;
  for (const char* p : {"p50", "p75", "p90", "p95", "p99"}) {
    if (aggr == p) percentile = p;
    if (absl::EndsWith(metric_name, absl::StrCat(".", p))) {
      percentile = p;
      metric_name.resize(metric_name.size() - 4);
    }
  }
  if (aggr != "avg" && aggr != "sum" && aggr != "min" && aggr != "max" && aggr != percentile) {
    return Errors(400, absl::StrCat("Error parsing query: unknown aggregator '", aggr, "'"));
  }
  const DdMetric* m = nullptr;
  for (const DdMetric& d : kMetrics) {
    if (metric_name == d.name) m = &d;
  }
  if (m != nullptr && !percentile.empty() &&
      std::string(m->name) != "trace.http.request.duration") {
    return Errors(400, absl::StrCat("Error parsing query: ", metric_name,
                                    " is not a distribution: no percentiles"));
  }
  if (m == nullptr) {
    // Datadog answers an unknown metric with no series.
    return JsonReply(200, {{"status", "ok"},
                           {"res_type", "time_series"},
                           {"series", json::array()},
                           {"from_date", absl::ToUnixMillis(from)},
                           {"to_date", absl::ToUnixMillis(to)},
                           {"query", query},
                           {"message", ""},
                           {"group_by", by}});
  }
  std::vector<std::string> matchers;
  for (absl::string_view t : absl::StrSplit(scope, ',', absl::SkipEmpty())) {
    t = absl::StripAsciiWhitespace(t);
    if (t == "*") continue;
    const size_t c = t.find(':');
    if (c == absl::string_view::npos) continue;
    auto label = TagLabels(m->trace).find(std::string(t.substr(0, c)));
    if (label == TagLabels(m->trace).end()) continue;  // A tag these series do not carry.
    std::string value(t.substr(c + 1));
    if (absl::StrContains(value, "*")) {
      std::string re;
      for (char ch : value)
        re += ch == '*' ? std::string(".*") : RE2::QuoteMeta(std::string(1, ch));
      matchers.push_back(absl::StrCat(label->second, "=~", PromString(re)));
    } else {
      matchers.push_back(absl::StrCat(label->second, "=", PromString(value)));
    }
  }
  std::vector<std::string> group;
  for (const std::string& t : by) {
    auto label = TagLabels(m->trace).find(t);
    if (label == TagLabels(m->trace).end()) {
      return Errors(400, absl::StrCat("Error parsing query: cannot group by '", t, "'"));
    }
    group.push_back(label->second);
  }
  const std::string joined = absl::StrJoin(matchers, ",");
  auto fill = [&](std::string q, const std::string& family) {
    return absl::StrReplaceAll(q, {{",M}", joined.empty() ? "}" : absl::StrCat(",", joined, "}")},
                                   {"{M}", joined.empty() ? "" : absl::StrCat("{", joined, "}")},
                                   {"{H}", family}});
  };
  std::string promql;
  if (!percentile.empty()) {
    // The percentile of the buckets summed over the group, per family (their bounds differ).
    std::vector<std::string> parts;
    for (const char* family : kTraceFamilies) {
      parts.push_back(absl::StrCat("histogram_quantile(0.", percentile.substr(1), ", sum by (le",
                                   group.empty() ? "" : ",", absl::StrJoin(group, ","), ") (",
                                   fill(absl::StrCat("rate(", family, "_bucket{M}[1m])"), family),
                                   "))"));
    }
    promql = absl::StrJoin(parts, " or ");
  } else if (m->trace) {
    std::vector<std::string> parts;
    for (const char* family : kTraceFamilies) parts.push_back(fill(m->promql, family));
    promql = absl::StrCat(aggr, " by (", absl::StrJoin(group, ","), ") (",
                          absl::StrJoin(parts, " or "), ")");
  } else {
    promql =
        absl::StrCat(aggr, " by (", absl::StrJoin(group, ","), ") (", fill(m->promql, ""), ")");
  }
  std::string error;
  auto expr = ParsePromQL(promql, &error);
  if (expr == nullptr) return Errors(400, absl::StrCat("Error parsing query: ", error));
  // Datadog's interval for the span: 20 s up to an hour, longer beyond.
  const int64_t span = absl::ToInt64Seconds(to - from);
  const int64_t interval = span <= 3600 ? 20 : span <= 4 * 3600 ? 60 : 300;
  PromValue v;
  if (!EvalRange(*expr, h, absl::ToUnixMillis(from), absl::ToUnixMillis(to), interval * 1000, &v,
                 &error)) {
    return Errors(400, error);
  }
  json series = json::array();
  for (const Series& s : v.matrix) {
    std::vector<std::string> tags, scope_tags;
    for (size_t i = 0; i < by.size(); ++i)
      tags.push_back(absl::StrCat(by[i], ":", LabelValue(s.labels, group[i])));
    scope_tags = tags;
    if (scope_tags.empty()) scope_tags.push_back(scope.empty() ? "*" : scope);
    json points = json::array();
    for (const Sample& p : s.samples) {
      if (!std::isnan(p.v)) points.push_back({static_cast<double>(p.t_ms), p.v});  // 0/0: none
    }
    series.push_back(
        {{"metric", metric},
         {"display_name", metric},
         {"aggr", aggr},
         {"scope", absl::StrJoin(scope_tags, ",")},
         {"tag_set", tags},
         {"expression", absl::StrCat(aggr, ":", metric, "{", absl::StrJoin(scope_tags, ","), "}")},
         {"pointlist", points},
         {"interval", interval},
         {"length", s.samples.size()},
         {"start", s.samples.empty() ? 0 : s.samples.front().t_ms},
         {"end", s.samples.empty() ? 0 : s.samples.back().t_ms}});
  }
  return JsonReply(200, {{"status", "ok"},
                         {"res_type", "time_series"},
                         {"series", series},
                         {"from_date", absl::ToUnixMillis(from)},
                         {"to_date", absl::ToUnixMillis(to)},
                         {"query", query},
                         {"message", ""},
                         {"group_by", by}});
}

MonitoringReply Events(const LogStreams& streams,
                       const std::vector<std::pair<std::string, std::string>>& params,
                       absl::Time now) {
  absl::Time start, end;
  if (!ParseDdTime(FormValue(params, "start"), now, &start) ||
      !ParseDdTime(FormValue(params, "end"), now, &end)) {
    return Errors(400, "start and end must be Unix seconds");
  }
  json events = json::array();
  int64_t id = 0;
  for (const EventLine& e : streams.events()) {
    ++id;
    if (e.line.time < start || e.line.time > end) continue;
    // The logfmt line's type, reason, kind and name become the title and tags.
    const std::string& text = e.line.text;
    auto field = [&](const std::string& key) {
      const size_t p = text.find(key + "=");
      if (p == std::string::npos) return std::string();
      const size_t s = p + key.size() + 1;
      return text.substr(s, text.find(' ', s) - s);
    };
    const size_t msg = text.find("msg=\"");
    std::string message = msg == std::string::npos ? "" : text.substr(msg + 5);
    if (!message.empty()) message.pop_back();
    events.push_back(
        {{"id", id},
         {"date_happened", absl::ToUnixSeconds(e.line.time)},
         {"title", absl::StrCat("Events from the ", field("kind"), " ",
                                LabelValue(e.labels, "namespace"), "/", field("name"))},
         {"text", absl::StrCat(field("reason"), ": ", message)},
         {"alert_type", field("type") == "Warning" ? "warning" : "info"},
         {"source_type_name", "kubernetes"},
         {"tags",
          {absl::StrCat("kube_namespace:", LabelValue(e.labels, "namespace")),
           absl::StrCat("kube_kind:", field("kind")), absl::StrCat("kube_name:", field("name")),
           absl::StrCat("event_reason:", field("reason"))}}});
  }
  return JsonReply(200, {{"events", events}});
}

}  // namespace

MonitoringReply DatadogApi(const History& h, const LogStreams& streams, const LogBook& book,
                           uint64_t seed, const std::string& method, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           const std::string& body, absl::Time now) {
  if (path == "/api/v2/logs/events/search" && method == "POST") {
    return LogsSearch(streams, book, seed, body, now);
  }
  if (path == "/api/v1/query" && method == "GET") return MetricsQuery(h, params, now);
  if (path == "/api/v1/events" && method == "GET") return Events(streams, params, now);
  if (path == "/api/v1/validate" && method == "GET") return JsonReply(200, {{"valid", true}});
  return Errors(404, "Not found");
}

}  // namespace sim
}  // namespace sre_eval
