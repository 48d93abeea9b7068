#include "util/diagnostic.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(DiagnosticTest, FormatsWithWhatIsKnown) {
  EXPECT_EQ((Diagnostic{"a.yaml", 12, 5, "bad"}).ToString(), "a.yaml:12:5: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 12, 0, "bad"}).ToString(), "a.yaml:12: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, 0, "bad"}).ToString(), "a.yaml: bad");
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
