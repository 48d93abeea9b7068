// report.html: exact fragments and escaping on the example run fixtures/runs/clean (with the
// crash timeline fixture), and what headless Chromium renders from the file.
#include "report/html.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report_fixtures.h"
#include "score/rubric_set.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = SRE_EVAL_SOURCE_DIR;
const std::string kScript = "<script>alert(1)</script>";
const std::string kImg = "\"><img src=x onerror=alert(1)>";

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A copy of the clean run with the crash timeline fixture; the first crash answer ends in
// the two attack strings.
class HtmlRun {
 public:
  HtmlRun() {
    std::filesystem::copy(kSource + "/fixtures/runs/clean", path(),
                          std::filesystem::copy_options::recursive);
    std::filesystem::copy_file(kSource + "/fixtures/timelines/crash_multi_restart.jsonl",
                               path() + "/crash/timeline.jsonl");
    absl::StatusOr<std::string> responses = ReadFile(path() + "/responses.jsonl");
    EXPECT_TRUE(responses.ok());
    std::string text = *responses;
    size_t end = text.find("\",\"status\":\"ok\"");  // The end of the first answer.
    text.insert(end,
                absl::StrCat("\\n", kScript, " ", absl::StrReplaceAll(kImg, {{"\"", "\\\""}})));
    dir_.WriteFile("run/responses.jsonl", text);
  }
  std::string path() const { return dir_.path() + "/run"; }

  Report Build(const Gate& gate = {}) const {
    absl::StatusOr<RunScores> s = ScoreRun(ShippedSuite(), ShippedRubrics(), path(), nullptr, 1);
    EXPECT_TRUE(s.ok()) << s.status();
    EXPECT_TRUE(s->problems.empty());
    return BuildReport(ShippedSuite(), *s, nullptr, gate, "my-agent", 1);
  }

 private:
  TempDir dir_;
};

TEST(HtmlTest, EscapesEveryUnsafeCharacter) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape(std::string("a\xff"
                                   "b\0c\xc3\xa9",
                                   7)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xc3\xa9");
  EXPECT_EQ(HtmlEscape("plain text 100%"), "plain text 100%");
}

TEST(HtmlTest, ScorecardAndGate) {
  HtmlRun run;
  Gate gate;
  gate.overall = 0.9;
  std::string html = RenderHtml(run.Build(gate), run.path());
  EXPECT_TRUE(absl::StartsWith(html,
                               "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                               "<meta charset=\"utf-8\">\n"
                               "<title>sre-eval report: my-agent</title>\n"));
  EXPECT_THAT(html, HasSubstr("<thead><tr><th>incident</th><th>answers</th><th>score</th>"
                              "<th>detection</th><th>diagnosis</th><th>impact</th>"
                              "<th>remediation</th><th>95% CI</th></tr></thead>"));
  EXPECT_THAT(html, HasSubstr("<tr><th scope=\"row\">latency</th><td>10</td><td>0.8910</td>"
                              "<td>0.6316</td><td>0.8993</td><td>0.9142</td><td>0.9465</td>"
                              "<td>[0.7727, 0.9662]</td></tr>\n"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"overall\"><th scope=\"row\">overall</th><td>34</td>"));
  EXPECT_THAT(html, HasSubstr("<p>Thresholds: overall 0.9 (gate.yaml); an answer passes at 0.5."
                              "</p>\n<p class=\"gate fail\">Incomplete: 2 of 34 answers failed "
                              "(error or timeout) and scored 0.</p>\n"
                              "<p class=\"gate fail\">Gate failed:</p>\n"
                              "<ul class=\"misses\">\n<li>overall 0.8696"));
  EXPECT_THAT(html, HasSubstr(" &lt; 0.9 (gate.yaml)</li>\n</ul>\n"));
  EXPECT_TRUE(absl::EndsWith(html, "</section>\n</body>\n</html>\n"));
  // With no thresholds nothing is missed, but two answers failed: the run is incomplete and
  // never "passed". The same inputs give the same bytes.
  std::string incomplete = RenderHtml(run.Build(), run.path());
  EXPECT_THAT(incomplete, HasSubstr("<p>Thresholds: none; an answer passes at 0.5.</p>\n"
                                    "<p class=\"gate fail\">Incomplete: 2 of 34 answers failed "
                                    "(error or timeout) and scored 0.</p>\n"
                                    "<p>No threshold was missed.</p>\n"));
  EXPECT_THAT(incomplete, Not(HasSubstr("Gate passed")));
  EXPECT_EQ(incomplete, RenderHtml(run.Build(), run.path()));
  // Every answer arrived, but no threshold is set: nothing was gated, and no page says passed.
  Report complete = run.Build();
  complete.errors.clear();
  EXPECT_THAT(RenderHtml(complete, run.path()),
              HasSubstr("<p>Thresholds: none; an answer passes at 0.5.</p>\n"
                        "<p>No thresholds are set: nothing was gated (<code>--fail-under</code>, "
                        "or a gate.yaml in the suite).</p>\n"));
  EXPECT_THAT(RenderHtml(complete, run.path()), Not(HasSubstr("Gate passed")));
  // Only with every answer arrived and a threshold met does the gate pass.
  Gate low;
  low.overall = 0.5;
  Report passing = run.Build(low);
  passing.errors.clear();
  passing.gate_misses.clear();
  EXPECT_THAT(RenderHtml(passing, run.path()),
              HasSubstr("<p class=\"gate pass\">Gate passed.</p>\n"));
}

TEST(HtmlTest, AttackStringsRenderAsText) {
  HtmlRun run;
  Report report = run.Build();
  report.agent_name = kImg;
  report.answers[0].missed.push_back({kScript, "diagnosis", kImg});
  std::string html = RenderHtml(report, run.path());
  EXPECT_THAT(html, HasSubstr("\n&lt;script&gt;alert(1)&lt;/script&gt; "
                              "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</div>"));
  EXPECT_THAT(html, HasSubstr("<title>sre-eval report: &quot;&gt;&lt;img src=x "
                              "onerror=alert(1)&gt;</title>"));
  EXPECT_THAT(html, HasSubstr("<li><code>&lt;script&gt;alert(1)&lt;/script&gt;</code> "
                              "(diagnosis): &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</li>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  // Inside an attribute.
  report.answers[0].prompt_id = kImg;
  html = RenderHtml(report, run.path());
  EXPECT_THAT(html, HasSubstr("<article class=\"answer pass\" id=\"answer-&quot;&gt;&lt;img "
                              "src=x onerror=alert(1)&gt;-1\">"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
}

TEST(HtmlTest, AnswerWithHighlightedEvidence) {
  TempDir dir;
  dir.WriteFile("responses.jsonl",
                "{\"schema_version\":1,\"incident\":\"crash\",\"prompt_id\":\"p1\",\"trial\":2,"
                "\"prompt\":\"What <broke>?\",\"answer\":\"The front-end was OOMKilled 5 "
                "times & more.\",\"status\":\"ok\"}\n");
  Report r;
  r.agent_name = "a";
  r.incidents.push_back({});
  r.incidents[0].name = "crash";
  ReportAnswer a;
  a.incident = "crash";
  a.prompt_id = "p1";
  a.trial = 2;
  a.score = 0.75;
  a.passed = true;
  a.matched = {{"c2", "OOMKilled", 18, 27},
               {"c1", "front-end", 4, 13},
               {"c3", "OOMKilled 5 times", 18, 35},
               {"c9", "out of range", 40, 90}};
  a.missed = {{"c3", "impact", "wrong number: claimed 5, truth 6"}};
  r.answers.push_back(a);
  std::string html = RenderHtml(r, dir.path());
  EXPECT_THAT(html,
              HasSubstr("<article class=\"answer pass\" id=\"answer-p1-2\">\n"
                        "<h4>p1 trial 2 <span class=\"score\">0.7500</span> "
                        "<span class=\"status\">pass</span></h4>\n"
                        "<p class=\"prompt\">What &lt;broke&gt;?</p>\n"
                        "<div class=\"text\">The <mark title=\"c1\">front-end</mark> was "
                        "<mark title=\"c2, c3\">OOMKilled 5 times</mark> &amp; more.</div>\n"
                        "<p class=\"met\">Met: c2, c1, c9</p>\n"
                        "<p class=\"missed\">Missed:</p>\n<ul class=\"missed\">\n"
                        "<li><code>c3</code> (impact): wrong number: claimed 5, truth 6</li>\n"
                        "</ul>\n</article>\n"));
  // No timeline, no truth: said, not an error.
  EXPECT_THAT(html, HasSubstr("<p class=\"note\">No timeline.jsonl.</p>\n"));
  EXPECT_THAT(html, HasSubstr("<p class=\"note\">No truth.json.</p>\n"));
}

TEST(HtmlTest, TimelineChartsAndTruth) {
  HtmlRun run;
  std::string html = RenderHtml(run.Build(), run.path());
  size_t crash = html.find("<section class=\"incident\" id=\"incident-crash\">");
  size_t latency = html.find("<section class=\"incident\" id=\"incident-latency\">");
  ASSERT_NE(crash, std::string::npos);
  ASSERT_NE(latency, std::string::npos);
  std::string section = html.substr(crash, latency - crash);
  EXPECT_EQ(Count(section, "<svg class=\"chart\""), 6u);
  EXPECT_THAT(section, HasSubstr("aria-label=\"Restarts per container\">"));
  EXPECT_THAT(section, HasSubstr("aria-label=\"Ready replicas per deployment\">"));
  EXPECT_THAT(section, HasSubstr("aria-label=\"front-end CPU\">"));
  EXPECT_THAT(section, HasSubstr("aria-label=\"front-end memory\">"));
  EXPECT_EQ(Count(section, "<g class=\"mark\"><title>window.start 10:23:05</title>"), 6u);
  EXPECT_EQ(Count(section, "<g class=\"mark\"><title>window.recovered 10:29:41</title>"), 6u);
  // The load Job's periodic stats: 10 interval means (from 120 ms to 2550 ms at 10:26:06, the
  // top of the scale), the median from the 10 tables with requests, and the rates.
  size_t latency_chart = section.find("aria-label=\"Locust latency (Job locust-crash)\">");
  size_t throughput_chart = section.find("aria-label=\"Locust throughput (Job locust-crash)\">");
  ASSERT_NE(latency_chart, std::string::npos);
  ASSERT_NE(throughput_chart, std::string::npos);
  std::string latency_svg = section.substr(latency_chart, throughput_chart - latency_chart);
  EXPECT_THAT(latency_svg, HasSubstr(">Locust latency (Job locust-crash) (ms)</text>"));
  EXPECT_THAT(latency_svg, HasSubstr("text-anchor=\"end\">2550</text>"));
  EXPECT_THAT(latency_svg,
              HasSubstr("points=\"138.6,181.6 182.8,159.1 227,99.8 271.3,54.3 315.5,54.3 "
                        "359.7,51.6 404,78.4 448.2,77.3 492.4,80.9 533.7,77.2\"><title>mean "
                        "response time per interval</title>"));
  EXPECT_THAT(latency_svg, HasSubstr("&#9644; mean response time per interval</text>"));
  EXPECT_THAT(latency_svg, HasSubstr("&#9644; median (cumulative)</text>"));
  std::string throughput_svg = section.substr(throughput_chart);
  throughput_svg = throughput_svg.substr(0, throughput_svg.find("</svg>"));
  EXPECT_THAT(throughput_svg, HasSubstr(">Locust throughput (Job locust-crash) (per second)"));
  EXPECT_THAT(throughput_svg, HasSubstr("text-anchor=\"end\">200</text>"));
  EXPECT_THAT(throughput_svg, HasSubstr("&#9644; requests/s</text>"));
  EXPECT_THAT(throughput_svg, HasSubstr("&#9644; failures/s</text>"));
  EXPECT_EQ(Count(throughput_svg, "<polyline class=\"series\""), 2u);
  // Four kills: on the restart line, and at the memory limit on the memory chart.
  EXPECT_EQ(Count(section,
                  "<g class=\"oom\"><title>OOMKilled front-end-6f8c9d7b5-x2k9p/"
                  "front-end "),
            8u);
  // The first kill (10:24:12) sits on the drawn restart line: its first segment runs from
  // (56,188) to (218.2,165.3), which at x 191.6 is at y 169.
  EXPECT_THAT(section, HasSubstr("<g class=\"oom\"><title>OOMKilled front-end-6f8c9d7b5-x2k9p/"
                                 "front-end 10:24:12</title><path d=\"M191.6 169m-4 -4l8 8m0 "
                                 "-8l-8 8\"/></g>"));
  EXPECT_THAT(section, HasSubstr("<g class=\"limit\"><title>the front-end container&#39;s "
                                 "memory limit, 1000Mi</title>"));
  EXPECT_THAT(section, HasSubstr("the kill is drawn at the limit, where it happened.</p>"));
  EXPECT_EQ(Count(section, "<article class=\"answer "), 13u);
  EXPECT_THAT(section, HasSubstr("<tr><th scope=\"row\">restarts.total</th><td>5</td></tr>\n"));
  EXPECT_THAT(section, HasSubstr("<tr><th scope=\"row\">restarts.by_container</th><td>"
                                 "container=front-end, pod=front-end-6f8c9d7b5-x2k9p, "
                                 "restarts=5</td></tr>\n"));
  EXPECT_THAT(html.substr(latency), HasSubstr("<p class=\"note\">No timeline.jsonl.</p>\n"));
}

// A label of an SVG chart: its class, its box (text-anchor start, font size from the page's
// CSS: 10 px for the marks, 11 for the legend; glyphs at 0.55 of it) and its text.
struct Label {
  std::string cls, text;
  double left = 0, right = 0, top = 0, bottom = 0;
};

std::vector<Label> Labels(const std::string& svg) {
  std::vector<Label> out;
  size_t at = 0;
  while ((at = svg.find("<text", at)) != std::string::npos) {
    size_t open_end = svg.find('>', at);
    size_t close = svg.find("</text>", open_end);
    std::string tag = svg.substr(at, open_end - at);
    std::string text = svg.substr(open_end + 1, close - open_end - 1);
    at = close;
    auto attr = [&](const std::string& name) {
      size_t p = tag.find(" " + name + "=\"");
      if (p == std::string::npos) return std::string();
      p += name.size() + 3;
      return tag.substr(p, tag.find('"', p) - p);
    };
    Label l;
    // A mark's text has no class of its own: it is in <g class="mark">.
    l.cls = attr("class");
    size_t group = svg.rfind("<g class=\"", open_end);
    size_t group_end = svg.rfind("</g>", open_end);
    if (l.cls.empty() && group != std::string::npos &&
        (group_end == std::string::npos || group_end < group) &&
        svg.compare(group, 16, "<g class=\"mark\">") == 0) {
      l.cls = "mark";
    }
    if (l.cls != "mark" && l.cls != "legend") continue;
    double font = l.cls == "mark" ? 10 : 11;
    size_t glyphs = 0;
    std::string plain = absl::StrReplaceAll(text, {{"&#9644;", "#"}, {"&amp;", "&"}});
    for (unsigned char c : plain) glyphs += (c & 0xC0) != 0x80;
    l.text = plain;
    l.left = std::stod(attr("x"));
    l.right = l.left + static_cast<double>(glyphs) * font * 0.55;
    l.bottom = std::stod(attr("y"));
    l.top = l.bottom - font;
    out.push_back(l);
  }
  return out;
}

TEST(HtmlTest, ChartLabelsNeverOverlapAndFitTheChart) {
  const absl::Time t0 = absl::FromUnixSeconds(1764000000);
  const absl::Time t1 = t0 + absl::Minutes(6);
  // Marks seconds apart (window.end and window.recovered at the same sample, a wait_job's
  // mark beside them), one at each edge; 16 long series, as many containers as the shop has.
  std::vector<std::pair<std::string, absl::Time>> marks = {
      {"window.start", t0},
      {"locust-crash.started", t0 + absl::Seconds(5)},
      {"window.end", t0 + absl::Minutes(4)},
      {"window.recovered", t0 + absl::Minutes(4)},
      {"locust-crash.complete", t0 + absl::Minutes(4) + absl::Seconds(10)},
      {"restore.done", t1}};
  std::vector<ChartLine> lines;
  for (int i = 0; i < 16; ++i) {
    ChartLine l{absl::StrCat("catalogue-db-6c9b8f5d9d-", i, "xk2p/catalogue-db"), {}};
    for (int k = 0; k <= 12; ++k) l.points.push_back({t0 + absl::Seconds(30 * k), i + k % 3});
    lines.push_back(std::move(l));
  }
  std::string svg = RenderLineChart("Restarts per container", "count", lines, marks, t0, t1);
  std::vector<Label> labels = Labels(svg);
  int marks_seen = 0, legend_seen = 0;
  for (const Label& l : labels) (l.cls == "mark" ? marks_seen : legend_seen)++;
  EXPECT_EQ(marks_seen, 6);
  EXPECT_EQ(legend_seen, 16);  // every series in the legend
  const size_t h = svg.find("height=\"");
  ASSERT_NE(h, std::string::npos);
  const double height = std::stod(svg.substr(h + 8));
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& a = labels[i];
    EXPECT_GE(a.left, 0) << a.text;
    EXPECT_LE(a.right, 760) << a.text;
    EXPECT_GE(a.top, 0) << a.text;
    EXPECT_LE(a.bottom, height) << a.text;
    for (size_t j = i + 1; j < labels.size(); ++j) {
      const Label& b = labels[j];
      bool apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      EXPECT_TRUE(apart) << "\"" << a.text << "\" [" << a.left << ", " << a.right << "] x ["
                         << a.top << ", " << a.bottom << "] overlaps \"" << b.text << "\" ["
                         << b.left << ", " << b.right << "] x [" << b.top << ", " << b.bottom
                         << "]";
    }
  }
  // window.end and window.recovered are at one x: one row above the other.
  const Label* end = nullptr;
  const Label* recovered = nullptr;
  for (const Label& l : labels) {
    if (l.text == "window.end") end = &l;
    if (l.text == "window.recovered") recovered = &l;
  }
  ASSERT_NE(end, nullptr);
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(recovered->bottom - end->bottom, 12);
}

TEST(HtmlTest, FlatSeriesFoldIntoOneGreyEntry) {
  const absl::Time t0 = absl::FromUnixSeconds(1764000000);
  std::vector<ChartLine> lines;
  for (const char* name : {"carts", "orders", "user"}) {
    lines.push_back({name, {{t0, 1}, {t0 + absl::Seconds(30), 1}, {t0 + absl::Seconds(60), 1}}});
  }
  lines.push_back({"payment", {{t0, 1}, {t0 + absl::Seconds(30), 0}, {t0 + absl::Seconds(60), 1}}});
  std::string svg = RenderLineChart("Ready replicas per deployment", "replicas", lines, {}, t0,
                                    t0 + absl::Seconds(60), "deployments");
  EXPECT_EQ(Count(svg, "<polyline class=\"series\""), 2u);
  EXPECT_THAT(svg, HasSubstr("fill=\"#1f77b4\">&#9644; payment</text>"));
  EXPECT_THAT(svg, HasSubstr("fill=\"#9e9e9e\">&#9644; 3 deployments at 1 throughout</text>"));
  // Without folding, each its own line.
  EXPECT_EQ(Count(RenderLineChart("r", "replicas", lines, {}, t0, t0 + absl::Seconds(60)),
                  "<polyline class=\"series\""),
            4u);
}

TEST(HtmlTest, ALoadLogWithoutPeriodicStatsIsSaid) {
  HtmlRun run;
  std::filesystem::copy_file(kSource + "/fixtures/timelines/payment.jsonl",
                             run.path() + "/payment/timeline.jsonl");
  std::string html = RenderHtml(run.Build(), run.path());
  size_t payment = html.find("<section class=\"incident\" id=\"incident-payment\">");
  ASSERT_NE(payment, std::string::npos);
  std::string section = html.substr(payment);
  // No metrics in the fixture: restarts and replicas only, then the note.
  EXPECT_EQ(Count(section, "<svg class=\"chart\""), 2u);
  EXPECT_THAT(section, HasSubstr("</svg>\n<p class=\"note\">The log of Job locust-payment has no "
                                 "periodic Locust stats (run with --only-summary?).</p>\n</div>"));
  EXPECT_THAT(section, Not(HasSubstr("Locust latency")));
}

TEST(HtmlTest, WriteReportsWritesTheHtml) {
  HtmlRun run;
  Report report = run.Build();
  ASSERT_TRUE(WriteReports(run.path(), report).ok());
  absl::StatusOr<std::string> written = ReadFile(run.path() + "/report.html");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, RenderHtml(report, run.path()));
}

TEST(HtmlTest, HeadlessChromiumRendersIt) {
  std::string chromium;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(p)) chromium = p;
  }
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh)";
  HtmlRun run;
  Report report = run.Build();
  report.answers[0].missed.push_back({"c", "diagnosis", kImg});
  TempDir home;
  std::string path = home.WriteFile("report.html", RenderHtml(report, run.path()));
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {chromium,         "--headless=new",
                  "--no-sandbox",   "--disable-gpu",
                  "--no-first-run", absl::StrCat("--user-data-dir=", home.path(), "/profile"),
                  "--dump-dom",     "file://" + path};
  options.env = {{"HOME", home.path()}};
  options.timeout = absl::Seconds(60);
  absl::StatusOr<SubprocessResult> r = runner.Run(options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->stderr_data;
  const std::string& dom = r->stdout_data;
  EXPECT_THAT(dom, HasSubstr("<td>0.8910</td><td>0.6316</td><td>0.8993</td>"));
  EXPECT_THAT(dom, HasSubstr("<td>[0.7727, 0.9662]</td>"));
  EXPECT_EQ(Count(dom, "<svg class=\"chart\""), 6u);
  EXPECT_THAT(dom, HasSubstr("<title>Locust latency (Job locust-crash)</title>"));
  EXPECT_THAT(dom, HasSubstr("<title>Locust throughput (Job locust-crash)</title>"));
  EXPECT_THAT(dom, HasSubstr("<title>mean response time per interval</title>"));
  EXPECT_THAT(dom, HasSubstr("\xe2\x96\xac median (cumulative)</text>"));  // U+25AC
  EXPECT_THAT(dom, HasSubstr("<polyline class=\"series\""));
  EXPECT_THAT(dom, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; \"&gt;&lt;img src=x "
                             "onerror=alert(1)&gt;</div>"));
  EXPECT_THAT(dom, HasSubstr("(diagnosis): \"&gt;&lt;img src=x onerror=alert(1)&gt;</li>"));
  EXPECT_THAT(dom, Not(HasSubstr("<script")));
  EXPECT_THAT(dom, Not(HasSubstr("<img")));
  EXPECT_THAT(dom, HasSubstr("<mark title="));
}

}  // namespace
}  // namespace sre_eval
