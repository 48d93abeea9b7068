#include "util/utf8.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(Utf8Test, FindsFirstInvalidByte) {
  struct {
    std::string text;
    size_t want;
  } cases[] = {
      {"plain ascii", std::string::npos},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", std::string::npos},  // é € 😀
      {"ab\xff", 2},
      {std::string("a\0b", 3), 1},
      {"\xc0\xaf", 0},          // Overlong '/'.
      {"x\xed\xa0\x80", 1},     // A surrogate.
      {"\xf4\x90\x80\x80", 0},  // Past U+10FFFF.
      {"ok\xe2\x82", 2},        // Truncated.
      {"\x80", 0},              // Lone continuation byte.
  };
  for (const auto& c : cases) EXPECT_EQ(FindInvalidUtf8(c.text), c.want);
}

TEST(Utf8Test, LineAndColumnAreOneBased) {
  int line, column;
  LineAndColumn("ab\ncd\nef", 0, &line, &column);
  EXPECT_EQ(line, 1);
  EXPECT_EQ(column, 1);
  LineAndColumn("ab\ncd\nef", 4, &line, &column);
  EXPECT_EQ(line, 2);
  EXPECT_EQ(column, 2);
  LineAndColumn("ab\ncd\nef", 6, &line, &column);
  EXPECT_EQ(line, 3);
  EXPECT_EQ(column, 1);
}

}  // namespace
}  // namespace sre_eval
