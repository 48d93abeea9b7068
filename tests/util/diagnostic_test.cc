#include "util/diagnostic.h"

#include <string>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(DiagnosticTest, FormatsWithWhatIsKnown) {
  EXPECT_EQ((Diagnostic{"a.yaml", 12, 5, "bad"}).ToString(), "a.yaml:12:5: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 12, 0, "bad"}).ToString(), "a.yaml:12: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, 0, "bad"}).ToString(), "a.yaml: bad");
}

TEST(DiagnosticTest, EscapeControlsCoversC0DelAndC1) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain €", "plain €"},
      {"a\nb", "a\\nb"},
      {"a\r\nb\tc", "a\\r\\nb\\tc"},
      {"\x1b[31mred", "\\x1b[31mred"},
      {std::string("nul\0x", 5), "nul\\x00x"},
      {"del\x7f", "del\\x7f"},
      {"nel\xc2\x85 csi\xc2\x9b", "nel\\u0085 csi\\u009b"},
      {"nbsp\xc2\xa0 cut\xc2", "nbsp\xc2\xa0 cut\xc2"},  // Not controls: kept.
      {"back\\slash", "back\\slash"},
  };
  for (const Case& c : cases) EXPECT_EQ(EscapeControls(c.in), c.out) << c.in;
}

// Finding 10 of issue 16: an unknown prompt_id with newlines printed over several lines and
// could forge a "FILE:LINE:COL:" line of its own.
TEST(DiagnosticTest, ADiagnosticIsAlwaysOneLine) {
  Diagnostic d{"run/responses.jsonl", 3, 0,
               "unknown prompt 'x\nsuite/prompts/a.yaml:1:1: forged\r\x1b[2K'"};
  EXPECT_EQ(d.ToString(),
            "run/responses.jsonl:3: unknown prompt 'x\\nsuite/prompts/a.yaml:1:1: "
            "forged\\r\\x1b[2K'");
  EXPECT_EQ((Diagnostic{"a\nb.yaml", 0, 0, "bad"}).ToString(), "a\\nb.yaml: bad");
  Diagnostics list;
  list.Add(d);
  list.Add("a.yaml", 1, 1, "second");
  EXPECT_EQ(list.ToStatus().message(),
            "a.yaml:1:1: second\nrun/responses.jsonl:3: unknown prompt "
            "'x\\nsuite/prompts/a.yaml:1:1: forged\\r\\x1b[2K'");
}

TEST(DiagnosticTest, SortsByFileLineColumnAndCountsFiles) {
  Diagnostics d;
  EXPECT_TRUE(d.ToStatus().ok());
  d.Add("b.yaml", 1, 1, "b1");
  d.Add("a.yaml", 3, 2, "a32");
  d.Add("a.yaml", 3, 1, "a31");
  d.Add("a.yaml", 3, 1, "a31 second");
  EXPECT_EQ(d.size(), 4u);
  EXPECT_EQ(d.FileCount(), 2u);
  EXPECT_EQ(d.ToStatus(),
            absl::InvalidArgumentError(
                "a.yaml:3:1: a31\na.yaml:3:1: a31 second\na.yaml:3:2: a32\nb.yaml:1:1: b1"));
}

}  // namespace
}  // namespace sre_eval
