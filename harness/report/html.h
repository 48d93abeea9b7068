// report.html: the run report as one self-contained HTML page (STYLE.md item 4: a renderer of
// the Report model). No network, scripts, external styles or fonts: inline CSS, and the charts
// are inline SVG drawn here.
//
// The page holds the scorecard (agent / reference per incident and dimension, 95% CI), the
// gate, and per incident: timeline charts, every answer and the incident's truth facts.
// Besides the Report it reads from `run_dir` (each file is optional; a missing or unreadable
// one is said on the page, never an error):
//   RUN_DIR/responses.jsonl            each answer's prompt and text
//   RUN_DIR/INCIDENT/truth.json        the truth facts, a compact table beside the answers
//   RUN_DIR/INCIDENT/timeline.jsonl    the charts: restart count per container over time with
//                                      OOM kill markers, ready replicas per deployment, the
//                                      front-end's CPU and memory when metrics were sampled,
//                                      and from the load Job's periodic Locust stats its
//                                      latency (each interval's mean response time, see
//                                      LocustIntervalMeans, and the cumulative median) and
//                                      throughput (requests/s, failures/s), or a note when its
//                                      log has none; the timeline's marks as vertical lines
// Chart layout: the marks' names go into rows above the plot so that none overlaps another
// (window.end and window.recovered seconds apart stack); the legend flows in rows under the
// axis and the chart grows to hold it all; series at one value throughout fold into one grey
// entry ("13 deployments at 1 throughout"); an OOM kill's cross sits on its container's
// restart line at the kill's time, and on the memory chart at the container's limit, drawn as
// a dashed line (a kill between two samples never shows in the sampled line).
// An answer shows its prompt, its text with the evidence spans of the criteria that earned
// points in <mark>, the criteria met (those with matched evidence and not missed) and missed,
// and its score.
//
// Every text from the run (answers, prompts, notes, names, facts) is escaped (& < > " '),
// also inside attributes; invalid UTF-8 becomes U+FFFD. Deterministic: the same report and
// files give the same bytes.
#ifndef SRE_EVAL_REPORT_HTML_H_
#define SRE_EVAL_REPORT_HTML_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "report/report.h"

namespace sre_eval {

// The whole page.
std::string RenderHtml(const Report& report, const std::string& run_dir);

// One line chart as report.html draws it (exposed for the layout tests): series of (time,
// value) points, the marks as (name, time), over [t0, t1]; with `fold_flat` ("deployments"),
// the series at one value throughout fold into one entry per value.
struct ChartLine {
  std::string name;
  std::vector<std::pair<absl::Time, double>> points;
};
std::string RenderLineChart(const std::string& title, const std::string& unit,
                            const std::vector<ChartLine>& lines,
                            const std::vector<std::pair<std::string, absl::Time>>& marks,
                            absl::Time t0, absl::Time t1, const std::string& fold_flat = "");

// `text` safe as HTML text and as a quoted attribute value: & < > " ' as entities, invalid
// UTF-8 bytes and NUL as U+FFFD (EscapeMarkup's kHtml, util/markup_escape.h).
std::string HtmlEscape(absl::string_view text);

}  // namespace sre_eval

#endif  // SRE_EVAL_REPORT_HTML_H_
