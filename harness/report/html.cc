#include "report/html.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "incident/locust_summary.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"
#include "score/engine.h"
#include "score/responses.h"
#include "util/file_util.h"
#include "util/markup_escape.h"

namespace sre_eval {

std::string HtmlEscape(absl::string_view text) { return EscapeMarkup(text, Markup::kHtml); }

namespace {

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  if (dir.back() == '/') return dir + name;
  return absl::StrCat(dir, "/", name);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string Fixed(const std::optional<double>& v) {
  return v.has_value() ? absl::StrFormat("%.4f", RoundScore(*v)) : "-";
}

// ---------------------------------------------------------------------------------------------
// Scorecard and gate

std::string PairCell(const Report& r, const ScorePair& p) {
  if (!r.has_reference) return Fixed(p.agent);
  return absl::StrCat(Fixed(p.agent), " / ", Fixed(p.reference));
}

std::string ScorecardRow(const Report& r, const ReportRow& row, bool overall) {
  std::string out = absl::StrCat("<tr", overall ? " class=\"overall\"" : "", "><th scope=\"row\">",
                                 HtmlEscape(row.name), "</th><td>", row.trials, "</td><td>",
                                 PairCell(r, row.score), "</td>");
  for (size_t i = 0; i < row.dimensions.size(); ++i) {
    absl::StrAppend(&out, "<td>", row.present[i] ? PairCell(r, row.dimensions[i]) : "", "</td>");
  }
  absl::StrAppend(
      &out, "<td>",
      row.ci.has_value() ? absl::StrFormat("[%.4f, %.4f]", row.ci->low, row.ci->high) : "-",
      "</td></tr>\n");
  return out;
}

std::string Scorecard(const Report& r) {
  std::string out =
      "<table class=\"scorecard\">\n<thead><tr><th>incident</th><th>answers</th>"
      "<th>score</th>";
  for (const std::string& d : r.dimensions) absl::StrAppend(&out, "<th>", HtmlEscape(d), "</th>");
  absl::StrAppend(&out, "<th>95% CI</th></tr></thead>\n<tbody>\n");
  for (const ReportRow& row : r.incidents) absl::StrAppend(&out, ScorecardRow(r, row, false));
  absl::StrAppend(&out, ScorecardRow(r, r.overall, true), "</tbody>\n</table>\n");
  absl::StrAppend(&out,
                  "<p class=\"legend\">Scores run from 0 (nothing the rubric asks) to 1 "
                  "(all of it); answers counts the agent's (prompts &times; trials). Cells: ",
                  HtmlEscape(r.agent_name),
                  r.has_reference ? " / reference (the built-in rule-based agent on the same "
                                    "incidents: a yardstick, not a ceiling)"
                                  : "",
                  ". 95% CI: bootstrap over prompts and trials (", kBootstrapResamples,
                  " resamples, seed ", r.seed, ").</p>\n");
  return out;
}

std::string GateSection(const Report& r) {
  std::string out =
      absl::StrCat("<h2>Gate</h2>\n<p>Thresholds: ", HtmlEscape(GateThresholds(r.gate)),
                   "; an answer passes at ", ShortScore(r.gate.prompt), ".</p>\n");
  if (!r.errors.empty()) {
    absl::StrAppend(&out, "<p class=\"gate fail\">", HtmlEscape(IncompleteSentence(r)), "</p>\n");
    if (r.gate_misses.empty()) {
      absl::StrAppend(&out, "<p>No threshold was missed.</p>\n");
      return out;
    }
  }
  if (r.gate_misses.empty()) {
    absl::StrAppend(&out, HasThresholds(r.gate)
                              ? "<p class=\"gate pass\">Gate passed.</p>\n"
                              : "<p>No thresholds are set: nothing was gated (<code>--fail-under"
                                "</code>, or a gate.yaml in the suite).</p>\n");
    return out;
  }
  absl::StrAppend(&out, "<p class=\"gate fail\">Gate failed:</p>\n<ul class=\"misses\">\n");
  for (const std::string& m : r.gate_misses)
    absl::StrAppend(&out, "<li>", HtmlEscape(m), "</li>\n");
  absl::StrAppend(&out, "</ul>\n");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Charts

struct Point {
  absl::Time time;
  double value = 0;
};

struct Series {
  std::string name;
  std::vector<Point> points;
  bool flat = false;  // several series at one value throughout (FoldFlat)
};

// A horizontal line: a container's memory limit.
struct Limit {
  double value = 0;
  std::string short_label;  // beside the line: "limit 1000Mi"
  std::string label;        // its tooltip
};

struct Marker {
  absl::Time time;
  double value = 0;
  std::string label;
};

constexpr int kWidth = 760, kPlotHeight = 150;
constexpr int kLeft = 56, kRight = 70;
const char* const kColors[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
                               "#e377c2", "#17becf", "#bcbd22", "#ff7f0e"};
constexpr const char* kFlatColor = "#9e9e9e";

std::string Num(double v) {
  std::string s = absl::StrFormat("%.1f", v);
  if (absl::EndsWith(s, ".0")) s.resize(s.size() - 2);
  return s;
}

std::string Clock(absl::Time t) { return absl::FormatTime("%H:%M:%S", t, absl::UTCTimeZone()); }

// A label's width in pixels at `font_px`, for layout: sans-serif glyphs average about 0.55 of
// the font size; 0.62 leaves room (UTF-8 continuation bytes do not count).
double TextWidth(const std::string& text, double font_px) {
  size_t glyphs = 0;
  for (unsigned char c : text) glyphs += (c & 0xC0) != 0x80;
  return static_cast<double>(glyphs) * font_px * 0.62;
}

// Labels laid out in rows, left to right, none overlapping: each goes into the first row
// where it clears the last label by `gap`. Returns each label's row.
std::vector<int> LabelRows(const std::vector<std::pair<double, double>>& spans, double gap) {
  std::vector<double> row_end;
  std::vector<int> rows;
  for (const auto& [left, right] : spans) {
    size_t r = 0;
    while (r < row_end.size() && left < row_end[r] + gap) ++r;
    if (r == row_end.size()) row_end.push_back(-1e9);
    row_end[r] = right;
    rows.push_back(static_cast<int>(r));
  }
  return rows;
}

// Series that stay at one value throughout, folded into one legend entry per value ("11
// containers at 0 throughout"), drawn once in grey: fourteen lines on top of each other and
// fourteen legend entries say less than that. `what` names the series ("containers").
std::vector<Series> FoldFlat(const std::vector<Series>& all, const std::string& what) {
  std::vector<Series> out;
  std::map<double, std::vector<const Series*>> flat;
  for (const Series& s : all) {
    bool is_flat = !s.points.empty();
    for (const Point& p : s.points) is_flat = is_flat && p.value == s.points.front().value;
    if (is_flat) {
      flat[s.points.front().value].push_back(&s);
    } else {
      out.push_back(s);
    }
  }
  for (const auto& [value, list] : flat) {
    if (list.size() == 1) {
      out.push_back(*list.front());
      continue;
    }
    Series folded{absl::StrCat(list.size(), " ", what, " at ", Num(value), " throughout"), {}};
    folded.points = list.front()->points;
    folded.flat = true;
    out.push_back(std::move(folded));
  }
  return out;
}

// The series' value at `t`, on the line drawn between its points; nullopt outside them.
std::optional<double> ValueAt(const Series& s, absl::Time t) {
  for (size_t i = 0; i + 1 < s.points.size(); ++i) {
    const Point& a = s.points[i];
    const Point& b = s.points[i + 1];
    if (t < a.time || t > b.time) continue;
    // Two points at one time draw a vertical step: the later one's value.
    const double span = absl::ToDoubleSeconds(b.time - a.time);
    const double f = span <= 0 ? 1.0 : absl::ToDoubleSeconds(t - a.time) / span;
    return a.value + f * (b.value - a.value);
  }
  if (s.points.size() == 1 && s.points.front().time == t) return s.points.front().value;
  return std::nullopt;
}

// A line chart over [t0, t1]: one polyline per series, markers as red crosses on their series'
// line, the marks as vertical dashed lines with their names in rows above the plot (never on
// top of each other), a horizontal limit line when there is one, and every series in a legend
// that flows in rows under the axis; the chart is as tall as its labels need.
std::string Chart(const std::string& title, const std::string& unit,
                  const std::vector<Series>& series, const std::vector<Marker>& markers,
                  const std::vector<incident::Mark>& marks, absl::Time t0, absl::Time t1,
                  const std::optional<Limit>& limit = std::nullopt) {
  double max = 1;
  for (const Series& s : series) {
    for (const Point& p : s.points) max = std::max(max, p.value);
  }
  for (const Marker& m : markers) max = std::max(max, m.value);
  if (limit.has_value()) max = std::max(max, limit->value);
  max *= 1.1;
  const double span = std::max(1.0, absl::ToDoubleSeconds(t1 - t0));
  const double w = kWidth - kLeft - kRight, h = kPlotHeight;
  auto xf = [&](absl::Time t) {
    double f = std::clamp(absl::ToDoubleSeconds(t - t0) / span, 0.0, 1.0);
    return kLeft + f * w;
  };
  auto x = [&](absl::Time t) { return Num(xf(t)); };

  // The marks' names: rows above the plot.
  constexpr double kMarkFont = 10, kMarkRow = 12;
  std::vector<const incident::Mark*> shown;
  for (const incident::Mark& m : marks) {
    if (m.time >= t0 && m.time <= t1) shown.push_back(&m);
  }
  std::stable_sort(
      shown.begin(), shown.end(),
      [](const incident::Mark* a, const incident::Mark* b) { return a->time < b->time; });
  std::vector<std::pair<double, double>> mark_spans;
  std::vector<double> mark_x;  // where each name starts (text-anchor start)
  for (const incident::Mark* m : shown) {
    double width = TextWidth(m->name, kMarkFont);
    double left = std::clamp(xf(m->time) - width / 2, 0.0, kWidth - width);
    mark_x.push_back(left);
    mark_spans.push_back({left, left + width});
  }
  std::vector<int> mark_rows = LabelRows(mark_spans, 6);
  int mark_row_count = 0;
  for (int r : mark_rows) mark_row_count = std::max(mark_row_count, r + 1);
  const double top = 26 + mark_row_count * kMarkRow;
  auto y = [&](double v) { return Num(top + h - v / max * h); };

  // The legend: entries flow left to right, wrapping, under the axis.
  constexpr double kLegendFont = 11, kLegendRow = 14, kLegendGap = 14;
  std::vector<std::pair<double, int>> legend_at;  // (x, row)
  {
    double lx = kLeft;
    int row = 0;
    for (const Series& s : series) {
      double width = TextWidth(absl::StrCat("\u25AC ", s.name), kLegendFont);
      if (lx > kLeft && lx + width > kWidth - 8) {
        lx = kLeft;
        ++row;
      }
      legend_at.push_back({lx, row});
      lx += width + kLegendGap;
    }
  }
  const int legend_rows = legend_at.empty() ? 0 : legend_at.back().second + 1;
  const double legend_top = top + h + 32;
  const int height = static_cast<int>(legend_top + legend_rows * kLegendRow + 4);

  std::string out = absl::StrCat(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", kWidth, "\" height=\"",
      height, "\" viewBox=\"0 0 ", kWidth, " ", height, "\" role=\"img\" aria-label=\"",
      HtmlEscape(title), "\">\n<title>", HtmlEscape(title), "</title>\n");
  absl::StrAppend(&out, "<text x=\"", kLeft, "\" y=\"16\" class=\"title\">", HtmlEscape(title),
                  " (", HtmlEscape(unit), ")</text>\n");
  // Axes and ticks: 0, half and the top of the scale; the start and end times.
  absl::StrAppend(&out, "<path class=\"axis\" d=\"M", kLeft, " ", Num(top), "V", Num(top + h), "H",
                  Num(kLeft + w), "\"/>\n");
  for (double f : {0.0, 0.5, 1.0}) {
    double v = max / 1.1 * f;
    absl::StrAppend(&out, "<text class=\"tick\" x=\"", kLeft - 4, "\" y=\"", y(v),
                    "\" text-anchor=\"end\">", Num(v), "</text>\n");
  }
  absl::StrAppend(&out, "<text class=\"tick\" x=\"", kLeft, "\" y=\"", Num(top + h + 14), "\">",
                  Clock(t0), "</text>\n<text class=\"tick\" x=\"", Num(kLeft + w), "\" y=\"",
                  Num(top + h + 14), "\" text-anchor=\"end\">", Clock(t1), " UTC</text>\n");
  for (size_t i = 0; i < shown.size(); ++i) {
    const incident::Mark& m = *shown[i];
    absl::StrAppend(&out, "<g class=\"mark\"><title>", HtmlEscape(m.name), " ", Clock(m.time),
                    "</title><line x1=\"", x(m.time), "\" y1=\"", Num(top), "\" x2=\"", x(m.time),
                    "\" y2=\"", Num(top + h), "\"/><text x=\"", Num(mark_x[i]), "\" y=\"",
                    Num(24 + mark_rows[i] * kMarkRow + kMarkRow - 2), "\">", HtmlEscape(m.name),
                    "</text></g>\n");
  }
  if (limit.has_value()) {
    absl::StrAppend(&out, "<g class=\"limit\"><title>", HtmlEscape(limit->label),
                    "</title><line x1=\"", kLeft, "\" y1=\"", y(limit->value), "\" x2=\"",
                    Num(kLeft + w), "\" y2=\"", y(limit->value), "\"/><text x=\"",
                    Num(kLeft + w + 4), "\" y=\"", y(limit->value), "\" dy=\"4\">",
                    HtmlEscape(limit->short_label), "</text></g>\n");
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    const char* color = s.flat ? kFlatColor : kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
    std::vector<std::string> pts;
    for (const Point& p : s.points) pts.push_back(absl::StrCat(x(p.time), ",", y(p.value)));
    absl::StrAppend(&out, "<polyline class=\"series\" stroke=\"", color, "\" points=\"",
                    absl::StrJoin(pts, " "), "\"><title>", HtmlEscape(s.name),
                    "</title></polyline>\n");
    absl::StrAppend(&out, "<text class=\"legend\" x=\"", Num(legend_at[i].first), "\" y=\"",
                    Num(legend_top + legend_at[i].second * kLegendRow), "\" fill=\"", color,
                    "\">&#9644; ", HtmlEscape(s.name), "</text>\n");
  }
  for (const Marker& m : markers) {
    std::string cx = x(m.time), cy = y(m.value);
    absl::StrAppend(&out, "<g class=\"oom\"><title>", HtmlEscape(m.label), "</title><path d=\"M",
                    cx, " ", cy, "m-4 -4l8 8m0 -8l-8 8\"/></g>\n");
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace

std::string RenderLineChart(const std::string& title, const std::string& unit,
                            const std::vector<ChartLine>& lines,
                            const std::vector<std::pair<std::string, absl::Time>>& marks,
                            absl::Time t0, absl::Time t1, const std::string& fold_flat) {
  std::vector<Series> series;
  for (const ChartLine& l : lines) {
    Series s{l.name, {}};
    for (const auto& [t, v] : l.points) s.points.push_back({t, v});
    series.push_back(std::move(s));
  }
  std::vector<incident::Mark> ms;
  for (const auto& [name, t] : marks) {
    incident::Mark m;
    m.name = name;
    m.time = t;
    ms.push_back(m);
  }
  return Chart(title, unit, fold_flat.empty() ? series : FoldFlat(series, fold_flat), {}, ms, t0,
               t1);
}

namespace {

// The first series named `name`, added when missing.
Series& SeriesNamed(std::vector<Series>* all, const std::string& name) {
  for (Series& s : *all) {
    if (s.name == name) return s;
  }
  all->push_back({name, {}});
  return all->back();
}

// The load Job's periodic Locust stats: the mean response time of each interval with the
// cumulative median, and the current rates. The newest job_log of role "load" is used.
std::string LocustCharts(const incident::Timeline& t, absl::Time t0, absl::Time t1) {
  const incident::JobLogRecord* load = nullptr;
  for (const incident::JobLogRecord& r : t.job_logs) {
    if (r.role == "load") load = &r;
  }
  if (load == nullptr) return "";
  if (load->stats.empty()) {
    return absl::StrCat("<p class=\"note\">The log of Job ", HtmlEscape(load->job),
                        " has no periodic Locust stats (run with --only-summary?).</p>\n");
  }
  Series mean{"mean response time per interval", {}}, median{"median (cumulative)", {}};
  for (const incident::LocustInterval& i : incident::LocustIntervalMeans(load->stats)) {
    mean.points.push_back({i.end, i.mean_ms});
  }
  Series rps{"requests/s", {}}, fps{"failures/s", {}};
  for (const incident::LocustStatsPoint& p : load->stats) {
    if (p.requests > 0) median.points.push_back({p.time, static_cast<double>(p.median_ms)});
    rps.points.push_back({p.time, p.rps});
    fps.points.push_back({p.time, p.failures_per_s});
  }
  const std::string job = absl::StrCat(" (Job ", load->job, ")");
  return absl::StrCat(
      Chart("Locust latency" + job, "ms", {mean, median}, {}, t.marks, t0, t1),
      Chart("Locust throughput" + job, "per second", {rps, fps}, {}, t.marks, t0, t1));
}

std::string Charts(const incident::Timeline& t) {
  if (t.samples.empty()) return "<p class=\"note\">The timeline has no samples.</p>\n";
  absl::Time t0 = t.samples.front().time, t1 = t.samples.back().time;
  for (const incident::Mark& m : t.marks) {
    t0 = std::min(t0, m.time);
    t1 = std::max(t1, m.time);
  }
  std::vector<Series> restarts, ready, cpu, memory;
  struct Kill {
    std::string series;  // pod/container
    absl::Time when;
    double restarts = 0;  // the restart count of the sample that showed it
  };
  std::vector<Kill> kills;
  std::set<std::pair<std::string, absl::Time>> seen_kills;  // (pod/container, finished_at)
  std::optional<Limit> memory_limit;
  for (const incident::Sample& s : t.samples) {
    for (const cluster::Pod& pod : s.snapshot.pods) {
      if (pod.owner_kind == "Job") continue;  // Load generators, not the shop.
      for (const cluster::ContainerStatus& c : pod.containers) {
        std::string name = absl::StrCat(pod.name, "/", c.name);
        SeriesNamed(&restarts, name)
            .points.push_back({s.time, static_cast<double>(c.restart_count)});
        for (const auto* term : {&c.last_terminated, &c.terminated}) {
          if (!term->has_value() || (*term)->reason != "OOMKilled") continue;
          absl::Time when =
              (*term)->finished_at == absl::InfinitePast() ? s.time : (*term)->finished_at;
          // A kill before the chart (an earlier incident's, still in lastState) is not this one's.
          if (when < t0 || !seen_kills.insert({name, when}).second) continue;
          kills.push_back({name, std::min(when, t1), static_cast<double>(c.restart_count)});
        }
      }
      if (absl::StartsWith(pod.name, "front-end") && !memory_limit.has_value()) {
        for (const cluster::ContainerResources& r : pod.resources) {
          absl::StatusOr<int64_t> bytes = cluster::ParseMemoryBytes(r.memory_limit);
          if (r.memory_limit.empty() || !bytes.ok()) continue;
          memory_limit =
              Limit{static_cast<double>(*bytes) / (1024.0 * 1024.0),
                    absl::StrCat("limit ", r.memory_limit),
                    absl::StrCat("the ", r.name, " container's memory limit, ", r.memory_limit)};
        }
      }
    }
    for (const cluster::Deployment& d : s.snapshot.deployments) {
      SeriesNamed(&ready, d.name).points.push_back({s.time, static_cast<double>(d.ready_replicas)});
    }
    for (const cluster::PodMetrics& m : s.snapshot.metrics) {
      if (!absl::StartsWith(m.pod, "front-end")) continue;
      double millicores = 0, mib = 0;
      for (const cluster::ContainerUsage& u : m.containers) {
        millicores += static_cast<double>(u.cpu_millicores);
        mib += static_cast<double>(u.memory_bytes) / (1024.0 * 1024.0);
      }
      SeriesNamed(&cpu, m.pod).points.push_back({s.time, millicores});
      SeriesNamed(&memory, m.pod).points.push_back({s.time, mib});
    }
  }
  // An OOM kill sits on its container's restart line, at the time of the kill.
  std::vector<Marker> ooms, memory_ooms;
  for (const Kill& k : kills) {
    double value = k.restarts;
    for (const Series& s : restarts) {
      if (s.name != k.series) continue;
      if (std::optional<double> v = ValueAt(s, k.when)) value = *v;
    }
    std::string label = absl::StrCat("OOMKilled ", k.series, " ", Clock(k.when));
    ooms.push_back({k.when, value, label});
    if (memory_limit.has_value() && absl::StartsWith(k.series, "front-end")) {
      memory_ooms.push_back({k.when, memory_limit->value, label});
    }
  }
  std::string out = "<div class=\"charts\">\n";
  absl::StrAppend(&out, Chart("Restarts per container", "count; x: OOM kill",
                              FoldFlat(restarts, "containers"), ooms, t.marks, t0, t1));
  absl::StrAppend(&out, Chart("Ready replicas per deployment", "replicas",
                              FoldFlat(ready, "deployments"), {}, t.marks, t0, t1));
  if (!cpu.empty()) {
    absl::StrAppend(&out, Chart("front-end CPU", "millicores", cpu, {}, t.marks, t0, t1));
    absl::StrAppend(&out, Chart("front-end memory", "MiB; x: OOM kill", memory, memory_ooms,
                                t.marks, t0, t1, memory_limit));
    if (!memory_ooms.empty()) {
      absl::StrAppend(
          &out,
          "<p class=\"note\">Memory is what each sample read from the metrics API: a rise to the "
          "limit between two samples, which is what an OOM kill is, does not show in the line; "
          "the kill is drawn at the limit, where it happened.</p>\n");
    }
  }
  absl::StrAppend(&out, LocustCharts(t, t0, t1), "</div>\n");
  return out;
}

// The answer's text with the matched evidence spans in <mark>; overlapping spans merge.
std::string Highlighted(const std::string& text, const std::vector<MatchedEvidence>& matched) {
  struct Span {
    size_t begin, end;
    std::set<std::string> criteria;
  };
  std::vector<Span> spans;
  for (const MatchedEvidence& m : matched) {
    if (m.begin >= m.end || m.end > text.size()) continue;
    spans.push_back({m.begin, m.end, {m.criterion}});
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (Span& s : spans) {
    if (!merged.empty() && s.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
      merged.back().criteria.insert(s.criteria.begin(), s.criteria.end());
    } else {
      merged.push_back(std::move(s));
    }
  }
  std::string out;
  size_t at = 0;
  for (const Span& s : merged) {
    absl::StrAppend(&out, HtmlEscape(absl::string_view(text).substr(at, s.begin - at)),
                    "<mark title=\"", HtmlEscape(absl::StrJoin(s.criteria, ", ")), "\">",
                    HtmlEscape(absl::string_view(text).substr(s.begin, s.end - s.begin)),
                    "</mark>");
    at = s.end;
  }
  absl::StrAppend(&out, HtmlEscape(absl::string_view(text).substr(at)));
  return out;
}

std::string AnswerArticle(const ReportAnswer& a, const Response* response) {
  std::string cls = a.status != ResponseStatus::kOk ? "error" : (a.passed ? "pass" : "fail");
  std::string out =
      absl::StrCat("<article class=\"answer ", cls, "\" id=\"",
                   HtmlEscape(absl::StrCat("answer-", a.prompt_id, "-", a.trial)), "\">\n<h4>",
                   HtmlEscape(a.prompt_id), " trial ", a.trial, " <span class=\"score\">",
                   absl::StrFormat("%.4f", a.score), "</span> <span class=\"status\">",
                   a.status == ResponseStatus::kOk ? (a.passed ? "pass" : "FAIL")
                                                   : std::string(ResponseStatusName(a.status)),
                   "</span></h4>\n");
  if (response != nullptr && !response->prompt.empty()) {
    absl::StrAppend(&out, "<p class=\"prompt\">", HtmlEscape(response->prompt), "</p>\n");
  }
  if (!a.note.empty()) absl::StrAppend(&out, "<p class=\"note\">", HtmlEscape(a.note), "</p>\n");
  if (response == nullptr) {
    absl::StrAppend(&out, "<p class=\"note\">The answer is not in responses.jsonl.</p>\n");
  } else if (!response->answer.empty()) {
    absl::StrAppend(&out, "<div class=\"text\">", Highlighted(response->answer, a.matched),
                    "</div>\n");
  }
  std::vector<std::string> met;
  for (const MatchedEvidence& m : a.matched) {
    bool missed = std::any_of(a.missed.begin(), a.missed.end(),
                              [&](const MissedCriterion& c) { return c.id == m.criterion; });
    if (!missed && std::find(met.begin(), met.end(), m.criterion) == met.end()) {
      met.push_back(m.criterion);
    }
  }
  absl::StrAppend(&out, "<p class=\"met\">Met: ",
                  met.empty() ? "none" : HtmlEscape(absl::StrJoin(met, ", ")), "</p>\n");
  if (a.missed.empty()) {
    absl::StrAppend(&out, "<p class=\"missed\">Missed: none</p>\n");
  } else {
    absl::StrAppend(&out, "<p class=\"missed\">Missed:</p>\n<ul class=\"missed\">\n");
    for (const MissedCriterion& m : a.missed) {
      absl::StrAppend(&out, "<li><code>", HtmlEscape(m.id), "</code> (", HtmlEscape(m.dimension),
                      "): ", HtmlEscape(m.note), "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
  }
  absl::StrAppend(&out, "</article>\n");
  return out;
}

// A fact's value, compact: scalars as JSON, a list one element a line, objects as k=v.
std::string FactValue(const nlohmann::json& v) {
  auto scalar = [](const nlohmann::json& j) {
    return j.is_string() ? j.get<std::string>()
                         : j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  auto one = [&](const nlohmann::json& j) {
    if (!j.is_object()) return HtmlEscape(scalar(j));
    std::vector<std::string> parts;
    for (const auto& [k, x] : j.items()) parts.push_back(absl::StrCat(k, "=", scalar(x)));
    return HtmlEscape(absl::StrJoin(parts, ", "));
  };
  if (!v.is_array()) return one(v);
  if (v.empty()) return "[]";
  std::vector<std::string> lines;
  for (const nlohmann::json& e : v) lines.push_back(one(e));
  return absl::StrJoin(lines, "<br>");
}

std::string TruthTable(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{16} << 20);
  if (!text.ok()) return "<p class=\"note\">No truth.json.</p>\n";
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("facts") || !j["facts"].is_object()) {
    return "<p class=\"note\">truth.json has no facts object.</p>\n";
  }
  std::string out =
      "<table class=\"truth\">\n<thead><tr><th>fact</th><th>value</th></tr></thead>\n"
      "<tbody>\n";
  for (const auto& [key, value] : j["facts"].items()) {
    absl::StrAppend(&out, "<tr><th scope=\"row\">", HtmlEscape(key), "</th><td>", FactValue(value),
                    "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
  return out;
}

constexpr char kStyle[] = R"(body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 7px}
table.scorecard td{text-align:right;font-variant-numeric:tabular-nums}
tr.overall{font-weight:bold;background:#f3f3f3}.gate.pass{color:#1a7f37;font-weight:bold}
.gate.fail{color:#c62828;font-weight:bold}.note,.legend{color:#666}
.cols{display:flex;gap:1.5em;align-items:flex-start}.answers{flex:3;min-width:0}
aside{flex:2;min-width:0;position:sticky;top:0}table.truth{font-size:12px}
table.truth td{word-break:break-word}
article.answer{border-left:4px solid #999;padding:.2em .8em;margin:1em 0;background:#fafafa}
article.pass{border-color:#1a7f37}article.fail{border-color:#c62828}
article.error{border-color:#ef6c00}.prompt{font-style:italic}
.text{white-space:pre-wrap;font:12.5px/1.45 ui-monospace,monospace;background:#fff;
border:1px solid #ddd;padding:.5em}mark{background:#fff176}
svg.chart{display:block;margin:.5em 0;background:#fff;border:1px solid #eee}
svg .title{font-size:13px;font-weight:bold}svg .tick,svg .legend{font-size:11px}
svg .axis{stroke:#888;fill:none}svg .series{fill:none;stroke-width:2}
svg .mark line{stroke:#555;stroke-dasharray:4 3}svg .mark text{font-size:10px;fill:#555}
svg .oom path{stroke:#d00;stroke-width:2.5}
svg .limit line{stroke:#d00;stroke-dasharray:6 3}svg .limit text{font-size:10px;fill:#d00}
)";

}  // namespace

std::string RenderHtml(const Report& r, const std::string& run_dir) {
  std::map<std::pair<std::string, int64_t>, Response> responses;  // By (prompt id, trial).
  Diagnostics ignored;                                            // Scoring reported them.
  int lines = 0;
  ReadResponses(
      JoinPath(run_dir, "responses.jsonl"), "responses.jsonl",
      [&](const Response& resp) {
        responses.emplace(std::make_pair(resp.prompt_id, resp.trial), resp);
      },
      &ignored, &lines)
      .IgnoreError();

  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>sre-eval "
      "report: ",
      HtmlEscape(r.agent_name), "</title>\n<style>\n", kStyle, "</style>\n</head>\n<body>\n",
      "<h1>sre-eval report: ", HtmlEscape(r.agent_name), "</h1>\n<h2>Scorecard</h2>\n",
      Scorecard(r), GateSection(r));
  if (r.process.any) {
    const std::string evidence = EvidenceLine(r.process);
    absl::StrAppend(&out, "<h2>Process</h2>\n<p>", HtmlEscape(ProcessLine(r.process.total)),
                    evidence.empty() ? "" : "; ", HtmlEscape(evidence),
                    ".</p>\n<table>\n<thead><tr><th>answer</th><th>calls</th><th>sources</th>"
                    "<th>repeated</th><th>failed</th><th>unsafe</th><th>first evidence</th>"
                    "<th>turns</th><th>tokens in</th><th>tokens out</th><th>cost</th></tr>"
                    "</thead>\n<tbody>\n");
    for (const AnswerProcess& a : r.process.answers) {
      absl::StrAppend(&out, "<tr><td>", HtmlEscape(a.prompt_id), " #", a.trial, "</td>");
      const std::vector<std::string> cells = ProcessCells(a.counts);
      for (size_t i = 0; i < cells.size(); ++i) {
        const bool flagged = i == kUnsafeCell && a.counts.unsafe > 0;
        absl::StrAppend(&out, flagged ? "<td class=\"fail\">" : "<td>", HtmlEscape(cells[i]),
                        "</td>");
      }
      absl::StrAppend(&out, "</tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n");
  }
  if (!r.act_tasks.empty()) {
    absl::StrAppend(&out,
                    "<h2>Action tasks</h2>\n<table>\n<thead><tr><th>task</th><th>result</th>"
                    "<th>time to mitigate</th><th>after the agent</th><th>after the restart</th>"
                    "<th>not met</th><th>guards hit</th><th>actions</th></tr></thead>\n<tbody>\n");
    auto list = [](const std::vector<std::string>& items) {
      std::vector<std::string> escaped;
      for (const std::string& i : items) escaped.push_back(HtmlEscape(i));
      return escaped.empty() ? std::string("none") : absl::StrJoin(escaped, "<br>");
    };
    for (const ActTaskLine& t : r.act_tasks) {
      absl::StrAppend(
          &out, "<tr><td>", HtmlEscape(t.prompt_id), " #", t.trial, "</td>",
          t.passed ? "<td class=\"pass\">passed" : "<td class=\"fail\">FAILED", "</td><td>",
          t.time_to_mitigate_s.has_value() ? absl::StrCat(*t.time_to_mitigate_s, " s") : "-",
          "</td><td>", HtmlEscape(t.verify), "</td><td>", HtmlEscape(t.holds), "</td><td>",
          list(t.unmet), "</td><td>", list(t.guards), "</td><td>", list(t.actions), "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n");
  }
  for (const ReportRow& row : r.incidents) {
    const std::string dir = JoinPath(run_dir, row.name);
    absl::StrAppend(&out, "<section class=\"incident\" id=\"", HtmlEscape("incident-" + row.name),
                    "\">\n<h2>Incident ", HtmlEscape(row.name), ": ", Fixed(row.score.agent),
                    "</h2>\n<h3>Timeline</h3>\n");
    const std::string timeline_path = JoinPath(dir, "timeline.jsonl");
    if (!IsFile(timeline_path)) {
      absl::StrAppend(&out, "<p class=\"note\">No timeline.jsonl.</p>\n");
    } else if (absl::StatusOr<incident::Timeline> t = incident::ReadTimeline(timeline_path);
               t.ok()) {
      absl::StrAppend(&out, Charts(*t));
    } else {
      absl::StrAppend(&out, "<p class=\"note\">", HtmlEscape(t.status().message()), "</p>\n");
    }
    absl::StrAppend(&out, "<div class=\"cols\">\n<div class=\"answers\">\n<h3>Answers</h3>\n");
    for (const ReportAnswer& a : r.answers) {
      if (a.incident != row.name) continue;
      auto it = responses.find({a.prompt_id, a.trial});
      absl::StrAppend(&out, AnswerArticle(a, it == responses.end() ? nullptr : &it->second));
    }
    absl::StrAppend(&out, "</div>\n<aside>\n<h3>Truth</h3>\n",
                    TruthTable(JoinPath(dir, "truth.json")), "</aside>\n</div>\n</section>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace sre_eval
