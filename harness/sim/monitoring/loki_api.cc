#include "sim/monitoring/loki_api.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"
#include "sim/monitoring/promql.h"

namespace sre_eval {
namespace sim {
namespace {

constexpr size_t kMaxLinesPerInstance = 20000;
constexpr int64_t kMaxLimit = 5000;

struct Stage {
  enum Kind { kContains, kNotContains, kRegex, kNotRegex, kJson, kLogfmt, kLabel } kind;
  std::string text;
  std::shared_ptr<const RE2> re;
  std::string label, op;  // kLabel
  LabelMatcher matcher;   // kLabel with a string operand
  double number = 0;      // kLabel with a numeric comparison
  bool numeric = false;
};

struct LogQuery {
  std::vector<LabelMatcher> selector;
  std::vector<Stage> stages;
};

struct MetricQuery {
  bool is_metric = false;
  // A range aggregation: count_over_time, rate, bytes_over_time, bytes_rate.
  std::string range_fn;
  int64_t range_ms = 0;
  LogQuery log;
  // Vector aggregations around it, innermost last.
  struct Agg {
    std::string op;
    bool without = false;
    std::vector<std::string> grouping;
    int64_t k = 0;
  };
  std::vector<Agg> aggs;
};

// ---- Parsing: a small hand-written recursive descent over the query text.

class LogQLParser {
 public:
  explicit LogQLParser(absl::string_view s) : s_(s) {}

  bool Parse(MetricQuery* out, std::string* error) {
    if (!Query(out)) return Done(error);
    Skip();
    if (i_ != s_.size()) {
      Fail(absl::StrCat("syntax error: unexpected ", s_.substr(i_, 10)));
      return Done(error);
    }
    return true;
  }

 private:
  bool Done(std::string* error) {
    *error = error_;
    return false;
  }
  bool Fail(const std::string& what) {
    if (error_.empty()) {
      error_ = absl::StrCat("parse error at line 1, col ", i_ + 1, ": ", what);
    }
    return false;
  }
  void Skip() {
    while (i_ < s_.size() && absl::ascii_isspace(s_[i_])) ++i_;
  }
  bool Peek(absl::string_view t) {
    Skip();
    return s_.substr(i_, t.size()) == t;
  }
  bool Eat(absl::string_view t) {
    if (!Peek(t)) return false;
    i_ += t.size();
    return true;
  }
  bool Ident(std::string* out) {
    Skip();
    size_t j = i_;
    while (j < s_.size() && (absl::ascii_isalnum(s_[j]) || s_[j] == '_')) ++j;
    if (j == i_) return Fail("syntax error: expected an identifier");
    *out = std::string(s_.substr(i_, j - i_));
    i_ = j;
    return true;
  }
  bool String(std::string* out) {
    Skip();
    if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '`')) {
      return Fail("syntax error: expected a string");
    }
    const char q = s_[i_++];
    out->clear();
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' && q == '"' && i_ + 1 < s_.size()) {
        const char e = s_[i_ + 1];
        *out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        i_ += 2;
        continue;
      }
      *out += s_[i_++];
    }
    if (i_ >= s_.size()) return Fail("syntax error: unterminated string");
    ++i_;
    return true;
  }

  bool Query(MetricQuery* out) {
    Skip();
    if (Peek("{")) return Log(&out->log);
    std::string name;
    const size_t at = i_;
    if (!Ident(&name)) return false;
    static const std::set<std::string> kAggs = {"sum",   "avg",  "min",    "max",
                                                "count", "topk", "bottomk"};
    static const std::set<std::string> kRange = {"count_over_time", "rate", "bytes_over_time",
                                                 "bytes_rate"};
    out->is_metric = true;
    if (kAggs.count(name) != 0) {
      MetricQuery::Agg agg;
      agg.op = name;
      auto grouping = [&]() {
        if (Peek("by") || Peek("without")) {
          agg.without = Eat("without");
          if (!agg.without) Eat("by");
          if (!Eat("(")) return Fail("syntax error: expected (");
          while (!Eat(")")) {
            std::string l;
            if (!Ident(&l)) return false;
            agg.grouping.push_back(l);
            Eat(",");
          }
        }
        return true;
      };
      if (!grouping() || !Eat("(")) return Fail("syntax error: expected (");
      if (name == "topk" || name == "bottomk") {
        Skip();
        size_t j = i_;
        while (j < s_.size() && absl::ascii_isdigit(s_[j])) ++j;
        if (j == i_ || !absl::SimpleAtoi(s_.substr(i_, j - i_), &agg.k)) {
          return Fail("syntax error: expected a number");
        }
        i_ = j;
        if (!Eat(",")) return Fail("syntax error: expected ,");
      }
      MetricQuery inner;
      if (!Query(&inner) || !inner.is_metric) return Fail("syntax error: expected a metric query");
      if (!Eat(")")) return Fail("syntax error: expected )");
      if (agg.grouping.empty() && !grouping()) return false;
      *out = std::move(inner);
      out->aggs.insert(out->aggs.begin(), agg);
      return true;
    }
    if (kRange.count(name) == 0) {
      i_ = at;
      return Fail(absl::StrCat("syntax error: unexpected IDENTIFIER ", name));
    }
    out->range_fn = name;
    if (!Eat("(")) return Fail("syntax error: expected (");
    if (!Log(&out->log)) return false;
    if (!Eat("[")) return Fail("syntax error: expected a range [duration]");
    Skip();
    size_t j = i_;
    while (j < s_.size() && s_[j] != ']') ++j;
    if (!ParsePromDuration(s_.substr(i_, j - i_), &out->range_ms) || out->range_ms <= 0) {
      return Fail("syntax error: bad range duration");
    }
    i_ = j;
    if (!Eat("]") || !Eat(")")) return Fail("syntax error: expected ])");
    return true;
  }

  bool Log(LogQuery* q) {
    if (!Eat("{")) return Fail("syntax error: expected {");
    while (!Eat("}")) {
      std::string name, value;
      if (!Ident(&name)) return false;
      LabelMatcher::Op op;
      if (Eat("=~")) {
        op = LabelMatcher::kRe;
      } else if (Eat("!~")) {
        op = LabelMatcher::kNre;
      } else if (Eat("!=")) {
        op = LabelMatcher::kNe;
      } else if (Eat("=")) {
        op = LabelMatcher::kEq;
      } else {
        return Fail("syntax error: expected a label matcher");
      }
      if (!String(&value)) return false;
      LabelMatcher m;
      std::string e;
      if (!LabelMatcher::Make(op, name, value, &m, &e)) return Fail(e);
      q->selector.push_back(std::move(m));
      if (!Eat(",") && !Peek("}")) return Fail("syntax error: expected , or }");
    }
    bool non_empty = false;
    for (const LabelMatcher& m : q->selector) non_empty = non_empty || !Matches({}, m);
    if (!non_empty) {
      return Fail(
          "queries require at least one regexp or equality matcher that does not have "
          "an empty-compatible value");
    }
    for (;;) {
      Stage st;
      if (Eat("|=")) {
        st.kind = Stage::kContains;
      } else if (Eat("!=")) {
        st.kind = Stage::kNotContains;
      } else if (Eat("|~")) {
        st.kind = Stage::kRegex;
      } else if (Eat("!~")) {
        st.kind = Stage::kNotRegex;
      } else if (Eat("|")) {
        std::string word;
        if (!Ident(&word)) return false;
        if (word == "json") {
          st.kind = Stage::kJson;
        } else if (word == "logfmt") {
          st.kind = Stage::kLogfmt;
        } else {
          st.kind = Stage::kLabel;
          st.label = word;
          for (const char* op : {"=~", "!~", "!=", ">=", "<=", "==", "=", ">", "<"}) {
            if (Eat(op)) {
              st.op = op;
              break;
            }
          }
          if (st.op.empty()) return Fail("syntax error: expected a label filter operator");
          Skip();
          if (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '`')) {
            std::string value, e;
            if (!String(&value)) return false;
            LabelMatcher::Op op = st.op == "=~"   ? LabelMatcher::kRe
                                  : st.op == "!~" ? LabelMatcher::kNre
                                  : st.op == "!=" ? LabelMatcher::kNe
                                                  : LabelMatcher::kEq;
            if (st.op == ">" || st.op == "<" || st.op == ">=" || st.op == "<=") {
              return Fail("syntax error: a numeric comparison needs a number");
            }
            if (!LabelMatcher::Make(op, st.label, value, &st.matcher, &e)) return Fail(e);
          } else {
            size_t j = i_;
            while (j < s_.size() && (absl::ascii_isdigit(s_[j]) || s_[j] == '.' || s_[j] == '-'))
              ++j;
            if (!absl::SimpleAtod(s_.substr(i_, j - i_), &st.number)) {
              return Fail("syntax error: expected a string or a number");
            }
            st.numeric = true;
            i_ = j;
          }
        }
        q->stages.push_back(std::move(st));
        continue;
      } else {
        break;
      }
      if (!String(&st.text)) return false;
      if (st.kind == Stage::kRegex || st.kind == Stage::kNotRegex) {
        RE2::Options o;
        o.set_log_errors(false);
        auto re = std::make_shared<const RE2>(st.text, o);
        if (!re->ok()) return Fail(absl::StrCat("error parsing regexp: ", re->error()));
        st.re = std::move(re);
      }
      q->stages.push_back(std::move(st));
    }
    return true;
  }

  absl::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

// ---- Evaluation.

void Flatten(const nlohmann::json& j, const std::string& prefix, Labels* out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : absl::StrCat(prefix, "_", it.key());
    for (char& c : key) {
      if (!absl::ascii_isalnum(c) && c != '_') c = '_';
    }
    if (it->is_object()) {
      Flatten(*it, key, out);
    } else if (it->is_string()) {
      out->emplace_back(key, it->get<std::string>());
    } else if (!it->is_array()) {
      out->emplace_back(key, it->dump());
    }
  }
}

void Logfmt(absl::string_view line, Labels* out) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t k = i;
    while (k < line.size() && line[k] != '=' && line[k] != ' ') ++k;
    if (k >= line.size() || line[k] != '=' || k == i) {
      while (i < line.size() && line[i] != ' ') ++i;
      continue;
    }
    std::string key(line.substr(i, k - i));
    for (char& c : key) {
      if (!absl::ascii_isalnum(c) && c != '_') c = '_';
    }
    i = k + 1;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        value += line[i++];
      }
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ') value += line[i++];
    }
    out->emplace_back(key, value);
  }
}

// Sets each of `extracted` in *labels (a parsed key replaces a label of that name).
void SetLabels(Labels extracted, Labels* labels) {
  for (auto& kv : extracted) {
    const std::string& key = kv.first;
    labels->erase(std::remove_if(labels->begin(), labels->end(),
                                 [&key](const auto& p) { return p.first == key; }),
                  labels->end());
    labels->push_back(std::move(kv));
  }
  std::sort(labels->begin(), labels->end());
}

// Runs the pipeline over `line`; false when a filter drops it. Parsers add to *labels.
bool Pipeline(const std::vector<Stage>& stages, const std::string& line, Labels* labels) {
  for (const Stage& st : stages) {
    switch (st.kind) {
      case Stage::kContains:
        if (!absl::StrContains(line, st.text)) return false;
        break;
      case Stage::kNotContains:
        if (absl::StrContains(line, st.text)) return false;
        break;
      case Stage::kRegex:
        if (!RE2::PartialMatch(line, *st.re)) return false;
        break;
      case Stage::kNotRegex:
        if (RE2::PartialMatch(line, *st.re)) return false;
        break;
      case Stage::kJson: {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        Labels extracted;
        if (j.is_object()) {
          Flatten(j, "", &extracted);
        } else {
          extracted.emplace_back("__error__", "JSONParserErr");
        }
        SetLabels(std::move(extracted), labels);
        break;
      }
      case Stage::kLogfmt: {
        Labels extracted;
        Logfmt(line, &extracted);
        SetLabels(std::move(extracted), labels);
        break;
      }
      case Stage::kLabel: {
        if (!st.numeric) {
          if (!Matches(*labels, st.matcher)) return false;
          break;
        }
        double v = 0;
        if (!absl::SimpleAtod(LabelValue(*labels, st.label), &v)) return false;
        const std::string& op = st.op;
        const bool keep = op == ">"    ? v > st.number
                          : op == "<"  ? v < st.number
                          : op == ">=" ? v >= st.number
                          : op == "<=" ? v <= st.number
                          : op == "!=" ? v != st.number
                                       : v == st.number;
        if (!keep) return false;
        break;
      }
    }
  }
  return true;
}

struct Entry {
  int64_t t_ns;
  std::string line;
};

// Every line of the matching streams in [start, end], grouped by final labels, oldest first.
std::map<Labels, std::vector<Entry>> Collect(const LogStreams& streams, const LogBook& book,
                                             uint64_t seed, const LogQuery& q, absl::Time start,
                                             absl::Time end) {
  std::map<Labels, std::vector<Entry>> out;
  for (const LogInstance& in : streams.instances()) {
    bool match = true;
    for (const LabelMatcher& m : q.selector) match = match && Matches(in.labels, m);
    if (!match) continue;
    for (LogLine& l : LogStreams::Lines(in, book, seed, start, end, kMaxLinesPerInstance)) {
      Labels labels = in.labels;
      if (!Pipeline(q.stages, l.text, &labels)) continue;
      out[labels].push_back({absl::ToUnixNanos(l.time), std::move(l.text)});
    }
  }
  for (const EventLine& e : streams.events()) {
    if (e.line.time < start || e.line.time > end) continue;
    bool match = true;
    for (const LabelMatcher& m : q.selector) match = match && Matches(e.labels, m);
    if (!match) continue;
    Labels labels = e.labels;
    if (!Pipeline(q.stages, e.line.text, &labels)) continue;
    out[labels].push_back({absl::ToUnixNanos(e.line.time), e.line.text});
  }
  for (auto& [labels, entries] : out) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.t_ns < b.t_ns; });
  }
  return out;
}

// Loki's times: integers as Unix nanoseconds (or seconds when short), else ParseTimeParam's.
bool ParseLokiTime(const std::string& text, int64_t* ns) {
  int64_t i = 0;
  if (absl::SimpleAtoi(text, &i)) {
    *ns = text.size() > 11 ? i : i * 1000000000;
    return true;
  }
  absl::Time t;
  if (!ParseTimeParam(text, &t)) return false;
  *ns = absl::ToUnixNanos(t);
  return true;
}

MonitoringReply Text(int status, const std::string& message) {
  MonitoringReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = message + "\n";
  return r;
}

// A metric query's value per label set at each evaluation time.
std::map<Labels, std::vector<Sample>> EvalMetric(const MetricQuery& q,
                                                 const std::map<Labels, std::vector<Entry>>& data,
                                                 const std::vector<int64_t>& times_ns) {
  std::map<Labels, std::vector<Sample>> series;
  const int64_t range_ns = q.range_ms * 1000000;
  for (const auto& [labels, entries] : data) {
    for (int64_t t : times_ns) {
      // Entries in (t - range, t].
      auto lo = std::upper_bound(entries.begin(), entries.end(), t - range_ns,
                                 [](int64_t v, const Entry& e) { return v < e.t_ns; });
      auto hi = std::upper_bound(entries.begin(), entries.end(), t,
                                 [](int64_t v, const Entry& e) { return v < e.t_ns; });
      if (lo == hi) continue;
      double v = 0;
      if (q.range_fn == "count_over_time" || q.range_fn == "rate") {
        v = static_cast<double>(hi - lo);
      } else {
        for (auto it = lo; it != hi; ++it) v += static_cast<double>(it->line.size());
      }
      if (q.range_fn == "rate" || q.range_fn == "bytes_rate") {
        v /= static_cast<double>(q.range_ms) / 1000;
      }
      series[labels].push_back({t / 1000000, v});
    }
  }
  // The aggregations, innermost first.
  for (auto agg = q.aggs.rbegin(); agg != q.aggs.rend(); ++agg) {
    std::map<Labels, std::map<int64_t, std::vector<std::pair<const Labels*, double>>>> groups;
    for (const auto& [labels, samples] : series) {
      Labels key;
      for (const auto& p : labels) {
        const bool listed =
            std::find(agg->grouping.begin(), agg->grouping.end(), p.first) != agg->grouping.end();
        if (agg->without ? !listed : listed) key.push_back(p);
      }
      for (const Sample& s : samples) groups[key][s.t_ms].push_back({&labels, s.v});
    }
    std::map<Labels, std::vector<Sample>> next;
    for (auto& [key, by_time] : groups) {
      for (auto& [t, values] : by_time) {
        if (agg->op == "topk" || agg->op == "bottomk") {
          std::stable_sort(values.begin(), values.end(), [&](const auto& a, const auto& b) {
            return agg->op == "topk" ? a.second > b.second : a.second < b.second;
          });
          for (int64_t i = 0; i < agg->k && i < static_cast<int64_t>(values.size()); ++i) {
            next[*values[i].first].push_back({t, values[i].second});
          }
          continue;
        }
        double v = agg->op == "min" || agg->op == "max" ? values[0].second : 0;
        for (const auto& [l, x] : values) {
          if (agg->op == "sum" || agg->op == "avg") v += x;
          if (agg->op == "min") v = std::min(v, x);
          if (agg->op == "max") v = std::max(v, x);
        }
        if (agg->op == "avg") v /= static_cast<double>(values.size());
        if (agg->op == "count") v = static_cast<double>(values.size());
        next[key].push_back({t, v});
      }
    }
    for (auto& [l, s] : next) {
      std::sort(s.begin(), s.end(),
                [](const Sample& a, const Sample& b) { return a.t_ms < b.t_ms; });
    }
    series = std::move(next);
  }
  return series;
}

}  // namespace

MonitoringReply LokiApi(const LogStreams& streams, const LogBook& book, uint64_t seed,
                        const std::string& endpoint,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        absl::Time now, absl::Duration shift) {
  const int64_t shift_ns = absl::ToInt64Nanoseconds(shift);
  bool present = false;
  int64_t end_ns = absl::ToUnixNanos(now), start_ns = end_ns - 3600LL * 1000000000;
  for (const char* name : {"start", "end", "time"}) {
    const std::string v = FormValue(params, name, &present);
    if (!present) continue;
    int64_t ns = 0;
    if (!ParseLokiTime(v, &ns)) {
      return Text(400, absl::StrCat("invalid ", name, ": cannot parse \"", v, "\""));
    }
    ns -= shift_ns;
    if (std::string(name) == "start") start_ns = ns;
    if (std::string(name) != "start") end_ns = ns;
  }
  if (endpoint == "query" && FormValue(params, "time", &present).empty()) {
    end_ns = absl::ToUnixNanos(now);
  }
  if (endpoint == "labels" ||
      (absl::StartsWith(endpoint, "label/") && absl::EndsWith(endpoint, "/values"))) {
    std::set<std::string> values;
    const std::string label = endpoint == "labels" ? "" : endpoint.substr(6, endpoint.size() - 13);
    auto add = [&](const Labels& labels) {
      for (const auto& [n, v] : labels) {
        if (endpoint == "labels") values.insert(n);
        if (n == label) values.insert(v);
      }
    };
    for (const LogInstance& in : streams.instances()) {
      if (in.finished < absl::FromUnixNanos(start_ns) ||
          in.ref.started > absl::FromUnixNanos(end_ns)) {
        continue;
      }
      add(in.labels);
    }
    for (const EventLine& e : streams.events()) {
      if (e.line.time >= absl::FromUnixNanos(start_ns) &&
          e.line.time <= absl::FromUnixNanos(end_ns)) {
        add(e.labels);
      }
    }
    std::string out = R"({"status":"success","data":[)";
    bool first = true;
    for (const std::string& v : values) {
      absl::StrAppend(&out, first ? "" : ",", JsonString(v));
      first = false;
    }
    MonitoringReply r;
    r.body = out + "]}";
    return r;
  }
  if (endpoint != "query" && endpoint != "query_range") {
    return Text(404, "404 page not found");
  }
  const std::string query = FormValue(params, "query", &present);
  MetricQuery q;
  std::string error;
  LogQLParser parser(query);
  if (!parser.Parse(&q, &error)) return Text(400, error);
  int64_t limit = 100;
  const std::string limit_text = FormValue(params, "limit", &present);
  if (present && (!absl::SimpleAtoi(limit_text, &limit) || limit <= 0)) {
    return Text(400, "limit must be a positive value");
  }
  if (limit > kMaxLimit) {
    return Text(400,
                absl::StrCat("max entries limit per query exceeded, limit > max_entries_limit (",
                             limit, " > ", kMaxLimit, ")"));
  }
  const bool forward = absl::EqualsIgnoreCase(FormValue(params, "direction", &present), "forward");
  if (end_ns < start_ns)
    return Text(400, "end timestamp must not be before or equal to start time");
  MonitoringReply r;
  if (!q.is_metric) {
    // The newest (or, forward, oldest) `limit` entries over all streams.
    auto data = Collect(streams, book, seed, q.log, absl::FromUnixNanos(start_ns),
                        absl::FromUnixNanos(end_ns));
    std::vector<std::pair<int64_t, std::pair<const Labels*, const Entry*>>> all;
    for (const auto& [labels, entries] : data) {
      for (const Entry& e : entries) all.push_back({e.t_ns, {&labels, &e}});
    }
    std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
      return forward ? a.first < b.first : a.first > b.first;
    });
    if (static_cast<int64_t>(all.size()) > limit) all.resize(limit);
    std::map<Labels, std::vector<const Entry*>> kept;
    for (const auto& [t, le] : all) kept[*le.first].push_back(le.second);
    std::string out = R"({"status":"success","data":{"resultType":"streams","result":[)";
    bool first = true;
    for (auto& [labels, entries] : kept) {
      absl::StrAppend(&out, first ? "" : ",", R"({"stream":)", LabelsJson(labels),
                      R"(,"values":[)");
      first = false;
      for (size_t i = 0; i < entries.size(); ++i) {
        absl::StrAppend(&out, i == 0 ? "" : ",", "[\"", entries[i]->t_ns + shift_ns, "\",",
                        JsonString(entries[i]->line), "]");
      }
      out += "]}";
    }
    absl::StrAppend(&out, R"(],"stats":{"summary":{"totalEntriesReturned":)", all.size(), "}}}}");
    r.body = out;
    return r;
  }
  // Metric queries: evaluated at `time` (instant) or every `step` over [start, end].
  std::vector<int64_t> times;
  if (endpoint == "query") {
    times.push_back(end_ns);
  } else {
    int64_t step_ms = 0;
    const std::string step = FormValue(params, "step", &present);
    if (present) {
      double seconds = 0;
      if (absl::SimpleAtod(step, &seconds)) {
        step_ms = static_cast<int64_t>(seconds * 1000);
      } else if (!ParsePromDuration(step, &step_ms)) {
        return Text(400, absl::StrCat("invalid step: cannot parse \"", step, "\""));
      }
    } else {
      // Loki's default: the range over 250 points, at least 1 s.
      step_ms = std::max<int64_t>(1000, (end_ns - start_ns) / 1000000 / 250 / 1000 * 1000);
    }
    if (step_ms <= 0)
      return Text(
          400,
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    if ((end_ns - start_ns) / 1000000 / step_ms > 11000) {
      return Text(400,
                  "exceeded maximum resolution of 11,000 points per timeseries. Try increasing the "
                  "value of the step parameter");
    }
    for (int64_t t = start_ns; t <= end_ns; t += step_ms * 1000000) times.push_back(t);
  }
  auto data =
      Collect(streams, book, seed, q.log, absl::FromUnixNanos(times.front() - q.range_ms * 1000000),
              absl::FromUnixNanos(times.back()));
  auto series = EvalMetric(q, data, times);
  PromValue v;
  if (endpoint == "query") {
    v.type = PromType::kVector;
    for (auto& [labels, samples] : series) v.vector.push_back({labels, samples.back().v});
  } else {
    v.type = PromType::kMatrix;
    for (auto& [labels, samples] : series) v.matrix.push_back({labels, std::move(samples)});
  }
  r.body = absl::StrCat(
      R"({"status":"success","data":)",
      PromResultJson(v, times.back() / 1000000, shift_ns / 1000000, R"(,"stats":{})"), "}");
  return r;
}

}  // namespace sim
}  // namespace sre_eval
