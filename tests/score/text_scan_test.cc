#include "score/text_scan.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace sre_eval {
namespace {

// "value/unit-kind/scale" for every number found.
std::vector<std::string> Numbers(const std::string& text) {
  TextScan scan(text);
  std::vector<std::string> out;
  for (const NumberMention& m : scan.numbers()) {
    std::string s = text.substr(m.begin, m.end - m.begin) + "=" +
                    (m.zero_word ? std::string("zero-word") : std::to_string(m.value)) + "/" +
                    std::to_string(static_cast<int>(m.unit)) + "/" + std::to_string(m.scale);
    out.push_back(s);
  }
  return out;
}

bool Negated(const std::string& text, const std::string& word) {
  TextScan scan(text);
  size_t at = text.find(word);
  EXPECT_NE(at, std::string::npos) << word;
  return scan.IsNegated(at, at + word.size());
}

TEST(TextScanTest, FindsNumbersWithTheirUnits) {
  EXPECT_EQ(
      Numbers("5 restarts in 10 minutes"),
      (std::vector<std::string>{"5=5.000000/0/1.000000", "10 minutes=10.000000/1/60000.000000"}));
  EXPECT_EQ(
      Numbers("p95 was 4.1s, limit 1000Mi, cpu 300m, 48,213 requests, 65.5% failed"),
      (std::vector<std::string>{"4.1s=4.100000/1/1000.000000", "1000Mi=1000.000000/3/1.000000",
                                "300m=300.000000/1/60000.000000", "48,213=48213.000000/0/1.000000",
                                "65.5%=65.500000/2/1.000000"}));
  EXPECT_EQ(Numbers("five pods restarted twice; no errors"),
            (std::vector<std::string>{"five=5.000000/0/1.000000", "twice=2.000000/0/1.000000",
                                      "no=zero-word/0/1.000000"}));
  EXPECT_EQ(Numbers("$29.99 and 3k users"),
            (std::vector<std::string>{"$29.99=29.990000/5/1.000000", "3k=3.000000/0/1000.000000"}));
}

TEST(TextScanTest, IdsDatesTimesAndVersionsAreNotNumbers) {
  EXPECT_EQ(Numbers("front-end-6f8c9d7b5-x2k9p at 10:23:05 on 2026-11-24, v1.2.3, pod-5"),
            std::vector<std::string>{});
}

TEST(TextScanTest, FindsTimesInEveryForm) {
  std::string text =
      "Started 10:23 UTC, OOM at 10:24:12Z, ended 2026-11-24T10:28:05Z, noon 12:05 pm, "
      "local 11:23+01:00, not 110:23 or 25:00 or 10:61 or 2026-02-30T10:00:00Z";
  TextScan scan(text);
  std::vector<std::string> got;
  for (const TimeMention& t : scan.times()) {
    got.push_back(text.substr(t.begin, t.end - t.begin) + "=" + std::to_string(t.seconds_of_day) +
                  (t.has_date ? "@" + std::to_string(t.unix_seconds) : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10:23 UTC=37380", "10:24:12Z=37452",
                                           "2026-11-24T10:28:05Z=37685@1795516085",
                                           "12:05 pm=43500", "11:23+01:00=37380"}));
}

TEST(TextScanTest, TimesJoinedByADashAreARangeNotAZone) {
  std::string text =
      "between 10:14-10:17 UTC, then 10:14:20-10:17:40, at 2026-11-24T10:28:05-05:00 and "
      "10:28:05 -0500";
  TextScan scan(text);
  std::vector<std::string> got;
  for (const TimeMention& t : scan.times()) {
    got.push_back(text.substr(t.begin, t.end - t.begin) + "=" + std::to_string(t.seconds_of_day) +
                  (t.has_seconds ? "s" : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10:14=36840", "10:17 UTC=37020", "10:14:20=36860s",
                                           "10:17:40=37060s", "2026-11-24T10:28:05-05:00=55685s",
                                           "10:28:05 -0500=55685s"}));
}

TEST(TextScanTest, NegationInTheClause) {
  EXPECT_TRUE(Negated("No pods restarted during the incident.", "restarted"));
  EXPECT_TRUE(Negated("There were no restarts.", "restarts"));
  EXPECT_TRUE(Negated("The cause was not memory.", "memory"));
  EXPECT_TRUE(Negated("Memory was not the cause.", "Memory"));
  EXPECT_TRUE(Negated("It didn't run out of memory at all.", "memory"));
  EXPECT_TRUE(Negated("It didn\xE2\x80\x99t restart.", "restart"));
  EXPECT_TRUE(Negated("We ruled out memory.", "memory"));
  EXPECT_TRUE(Negated("CPU throttling rather than memory.", "memory"));
  // Not negated: another clause, a scoped "no other", too far away.
  EXPECT_FALSE(Negated("It was not the database, memory ran out.", "memory"));
  EXPECT_FALSE(Negated("Not the database but memory.", "memory"));
  EXPECT_FALSE(Negated("No other pod restarted.", "restarted"));
  EXPECT_FALSE(Negated("Nothing else restarted.", "restarted"));
  EXPECT_FALSE(Negated("No, the front-end container ran out of memory.", "memory"));
  EXPECT_FALSE(Negated("Not surprisingly the front end pod itself ran out of memory", "memory"));
  EXPECT_FALSE(Negated("The front-end was OOMKilled. Nothing was wrong with carts.", "OOMKilled"));
}

// Whether the first `word` of `text` stands in an enumeration or a list of candidates.
bool Listed(absl::string_view text, absl::string_view word) {
  TextScan scan(text);
  size_t at = text.find(word);
  return scan.InEnumeration(scan.TokenAt(at));
}

TEST(TextScanTest, ItemsOfAListOfPossibilitiesAreCandidates) {
  const char kList[] =
      "Latency like this is usually caused by one of the following:\n"
      "- DNS lookups\n"
      "* a memory leak\n"
      "2. slow queries\n"
      "\n"
      "The front-end was throttled.";
  EXPECT_TRUE(Listed(kList, "DNS"));
  EXPECT_TRUE(Listed(kList, "leak"));
  EXPECT_TRUE(Listed(kList, "slow"));
  // The list ends at the first line that is no bullet.
  EXPECT_FALSE(Listed(kList, "throttled"));
  EXPECT_TRUE(Listed("**Possible causes:**\n- DNS\n", "DNS"));
  // A lead-in that states what happened makes its bullets claims.
  EXPECT_FALSE(Listed("Root causes:\n- DNS lookups\n", "DNS"));
  // And a possibility not followed by a colon and bullets leads no list.
  EXPECT_FALSE(Listed("It could be many things.\n- DNS lookups\n", "DNS"));
  // Five short comma-separated items in one sentence are an enumeration.
  EXPECT_TRUE(Listed("It came from DNS, GC, the disk, a leak, the network.", "GC"));
  EXPECT_FALSE(Listed("It came from DNS and GC.", "GC"));
}

TEST(TextScanTest, CleanExcerptKeepsJsonSafeText) {
  EXPECT_EQ(CleanExcerpt("ok\xFF\xFEok", 100), "ok\xEF\xBF\xBD\xEF\xBF\xBDok");
  EXPECT_EQ(CleanExcerpt("caf\xC3\xA9", 4), "caf");  // Never splits a character.
  EXPECT_EQ(CleanExcerpt(std::string("a\0b", 3), 10),
            "a\xEF\xBF\xBD"
            "b");
}

// FindTime is a hand-written copy of one regex: it must agree with RE2 on that regex, span and
// groups, on many generated strings made of the characters that matter.
TEST(FindTimeTest, AgreesWithTheRegexItReplaces) {
  RE2 re(
      "(?i)(?:(\\d{4})-(\\d{2})-(\\d{2})[T ])?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\.\\d+)?"
      "(?:\\s?(Z|UTC|GMT|[+-]\\d{2}:?\\d{2}))?(?:\\s?([ap])\\.?m\\b\\.?)?");
  ASSERT_TRUE(re.ok());
  const std::vector<std::string> pieces = {
      "1",   "2",   "0",           "9",           ":",     "-",   ".",     " ",      "T",     "t",
      "Z",   "utc", "GMT",         "+",           "a",     "P",   "m",     "x",      "\n",    "\t",
      "12:", ":3",  "2026-11-24",  "am",          "p.m",   "05",  "10:23", "+05:30", "-0800", "UtC",
      "é",   "_",   "2026-11-24T", "1999-01-01 ", " a.m.", " PM", "am.",   "7:05"};
  std::mt19937 rng(20261124);  // Seeded: the same strings every run.
  int matched = 0, dated = 0, zoned = 0, ampm = 0;
  for (int n = 0; n < 40000; ++n) {
    std::string text;
    int parts = 1 + static_cast<int>(rng() % 10);
    for (int k = 0; k < parts; ++k) text += pieces[rng() % pieces.size()];
    // Half of the searches cover the whole text, half a window of it.
    size_t from = 0;
    size_t to = text.size();
    if (rng() % 2 == 0) {
      from = rng() % (text.size() + 1);
      to = from + rng() % (text.size() - from + 1);
    }
    re2::StringPiece input(text);
    re2::StringPiece g[9];
    bool want = re.Match(input, from, to, RE2::UNANCHORED, g, 9);
    TimeMatch m;
    bool got = FindTime(text, from, to, &m);
    ASSERT_EQ(got, want) << "'" << text << "' [" << from << ", " << to << ")";
    if (!want) continue;
    ++matched;
    dated += !m.year.empty();
    zoned += !m.zone.empty();
    ampm += !m.ampm.empty();
    auto at = [&](const re2::StringPiece& p) {
      return p.data() == nullptr ? std::string("-")
                                 : absl::StrCat(p.data() - text.data(), "+", p.size());
    };
    auto at_view = [&](absl::string_view v) {
      return v.data() == nullptr ? std::string("-")
                                 : absl::StrCat(v.data() - text.data(), "+", v.size());
    };
    std::string what = absl::StrCat("'", text, "' [", from, ", ", to, ")");
    EXPECT_EQ(m.begin, static_cast<size_t>(g[0].data() - text.data())) << what;
    EXPECT_EQ(m.end, static_cast<size_t>(g[0].data() - text.data() + g[0].size())) << what;
    EXPECT_EQ(at_view(m.year), at(g[1])) << what;
    EXPECT_EQ(at_view(m.month), at(g[2])) << what;
    EXPECT_EQ(at_view(m.day), at(g[3])) << what;
    EXPECT_EQ(at_view(m.hour), at(g[4])) << what;
    EXPECT_EQ(at_view(m.minute), at(g[5])) << what;
    EXPECT_EQ(at_view(m.second), at(g[6])) << what;
    EXPECT_EQ(at_view(m.zone), at(g[7])) << what;
    EXPECT_EQ(at_view(m.ampm), at(g[8])) << what;
  }
  // The generator reaches the interesting cases.
  EXPECT_GT(matched, 2000);
  EXPECT_GT(dated, 50);
  EXPECT_GT(zoned, 200);
  EXPECT_GT(ampm, 50);
}

}  // namespace
}  // namespace sre_eval
