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
  EXPECT_THAT(html, HasSubstr("<thead><tr><th>incident</th><th>trials</th><th>score</th>"
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
  // Only with every answer arrived does the gate pass.
  Report complete = run.Build();
  complete.errors.clear();
  EXPECT_THAT(RenderHtml(complete, run.path()),
              HasSubstr("<p>Thresholds: none; an answer passes at 0.5.</p>\n"
                        "<p class=\"gate pass\">Gate passed.</p>\n"));
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
              HasSubstr("points=\"138.6,171.6 182.8,149.1 227,89.8 271.3,44.3 315.5,44.3 "
                        "359.7,41.6 404,68.4 448.2,67.3 492.4,70.9 533.7,67.2\"><title>mean "
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
  EXPECT_EQ(Count(section,
                  "<g class=\"oom\"><title>OOMKilled front-end-6f8c9d7b5-x2k9p/"
                  "front-end "),
            4u);
  EXPECT_EQ(Count(section, "<article class=\"answer "), 13u);
  EXPECT_THAT(section, HasSubstr("<tr><th scope=\"row\">restarts.total</th><td>5</td></tr>\n"));
  EXPECT_THAT(section, HasSubstr("<tr><th scope=\"row\">restarts.by_container</th><td>"
                                 "container=front-end, pod=front-end-6f8c9d7b5-x2k9p, "
                                 "restarts=5</td></tr>\n"));
  EXPECT_THAT(html.substr(latency), HasSubstr("<p class=\"note\">No timeline.jsonl.</p>\n"));
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
