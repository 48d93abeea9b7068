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

#include "absl/strings/string_view.h"
#include "report/report.h"

namespace sre_eval {

// The whole page.
std::string RenderHtml(const Report& report, const std::string& run_dir);

// `text` safe as HTML text and as a quoted attribute value: & < > " ' as entities, invalid
// UTF-8 bytes and NUL as U+FFFD (EscapeMarkup's kHtml, util/markup_escape.h).
std::string HtmlEscape(absl::string_view text);

}  // namespace sre_eval

#endif  // SRE_EVAL_REPORT_HTML_H_
