#include "util/edit_distance.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(EditDistanceTest, Table) {
  struct {
    const char* a;
    const char* b;
    size_t want;
  } cases[] = {{"", "", 0},
               {"abc", "", 3},
               {"", "abc", 3},
               {"kitten", "sitting", 3},
               {"dimesions", "dimensions", 1},
               {"flaw", "lawn", 2},
               {"same", "same", 0},
               {"nmae", "name", 1},
               {"ab", "ba", 1},
               {"ca", "abc", 3}};
  for (const auto& c : cases) EXPECT_EQ(EditDistance(c.a, c.b), c.want) << c.a << "/" << c.b;
}

TEST(EditDistanceTest, SuggestsOnlyPlausibleTypos) {
  std::vector<std::string> keys = {"id", "text", "dimensions", "continues"};
  EXPECT_EQ(DidYouMean("dimesions", keys), " (did you mean 'dimensions'?)");
  EXPECT_EQ(DidYouMean("txt", keys), " (did you mean 'text'?)");
  EXPECT_EQ(DidYouMean("ib", keys), " (did you mean 'id'?)");
  EXPECT_EQ(DidYouMean("banana", keys), "");
  EXPECT_EQ(ClosestMatch("contniues", keys), "continues");
  // Ties go to the earlier candidate.
  EXPECT_EQ(ClosestMatch("ab", {"aa", "bb"}), "aa");
}

}  // namespace
}  // namespace sre_eval
