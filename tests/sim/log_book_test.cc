#include "sim/shop/log_book.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace sim {
namespace {

std::vector<std::string> Texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> out;
  for (const LogLine& l : lines) out.push_back(l.text);
  return out;
}

TEST(LogBookTest, KeepsTheNewestLinesOfEachInstanceUpToTheTime) {
  const absl::Time start = At("2026-11-24T10:00:00Z");
  LogBook book(3);
  for (int i = 0; i < 8; ++i) {
    book.Add("uid", "c", start, start + absl::Seconds(i), "line " + std::to_string(i));
  }
  book.Add("uid", "c", start + absl::Minutes(1), start + absl::Minutes(1), "next instance");
  EXPECT_EQ(Texts(book.Lines("uid", "c", start, start + absl::Seconds(7))),
            (std::vector<std::string>{"line 5", "line 6", "line 7"}));
  EXPECT_EQ(Texts(book.Lines("uid", "c", start, start + absl::Seconds(6))),
            (std::vector<std::string>{"line 5", "line 6"}));
  EXPECT_EQ(Texts(book.Lines("uid", "c", start + absl::Minutes(1), start + absl::Hours(1))),
            (std::vector<std::string>{"next instance"}));
  EXPECT_TRUE(book.Lines("uid", "other", start, start + absl::Hours(1)).empty());
}

TEST(LogBookTest, MergeKeepsTimeOrderAndPutsTheFirstListFirstOnTies) {
  const absl::Time t = At("2026-11-24T10:00:00Z");
  std::vector<LogLine> generated = {{t, "a1"}, {t + absl::Seconds(2), "a2"}};
  std::vector<LogLine> incident = {
      {t, "b1"}, {t + absl::Seconds(1), "b2"}, {t + absl::Seconds(3), "b3"}};
  EXPECT_EQ(Texts(MergeLogLines(generated, incident)),
            (std::vector<std::string>{"a1", "b1", "b2", "a2", "b3"}));
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
