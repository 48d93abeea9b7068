#include "util/utf8.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

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

// ---------------------------------------------------------------------------------------------
// An independent reference: UTF-8 as the Unicode Standard defines it, from an encoder of every
// scalar value, and U+FFFD substitution of maximal subparts written from the definition
// (section 3.9): at each position, a whole well-formed sequence is kept; otherwise the longest
// prefix of a well-formed sequence there (at least one byte) becomes one U+FFFD.

std::string Encode(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

bool IsScalar(uint32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

// A byte string of up to 4 bytes as one number: its length in the top byte.
uint64_t Key(const std::string& s, size_t begin, size_t len) {
  uint64_t k = static_cast<uint64_t>(len) << 32;
  for (size_t i = 0; i < len; ++i) {
    k |= static_cast<uint64_t>(static_cast<unsigned char>(s[begin + i])) << (8 * i);
  }
  return k;
}

class Reference {
 public:
  Reference() {
    for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (!IsScalar(cp)) continue;
      std::string e = Encode(cp);
      whole_.push_back(Key(e, 0, e.size()));
      for (size_t k = 1; k < e.size(); ++k) partial_.push_back(Key(e, 0, k));
    }
    for (auto* v : {&whole_, &partial_}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }

  bool Whole(const std::string& s, size_t i, size_t len) const {
    return i + len <= s.size() && std::binary_search(whole_.begin(), whole_.end(), Key(s, i, len));
  }
  bool Partial(const std::string& s, size_t i, size_t len) const {
    return i + len <= s.size() &&
           std::binary_search(partial_.begin(), partial_.end(), Key(s, i, len));
  }

  // The repaired text and the number of replacements.
  std::string Repair(const std::string& s, size_t* replaced) const {
    std::string out;
    *replaced = 0;
    size_t i = 0;
    while (i < s.size()) {
      size_t whole = 0;
      for (size_t len = 1; len <= 4 && whole == 0; ++len) {
        if (Whole(s, i, len)) whole = len;
      }
      if (whole > 0) {
        out.append(s, i, whole);
        i += whole;
        continue;
      }
      size_t part = 1;
      for (size_t len = 3; len >= 1; --len) {
        if (Partial(s, i, len)) {
          part = len;
          break;
        }
      }
      out += "\xEF\xBF\xBD";
      ++*replaced;
      i += part;
    }
    return out;
  }

 private:
  std::vector<uint64_t> whole_, partial_;
};

const Reference& Ref() {
  static const Reference* ref = new Reference();
  return *ref;
}

TEST(Utf8Test, RepairKeepsEveryScalarValueAndFindsNothingInvalid) {
  for (uint32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    std::string e = Encode(cp);
    std::string text = e;
    if (IsScalar(cp)) {
      ASSERT_EQ(RepairUtf8(&text), 0u) << std::hex << cp;
      ASSERT_EQ(text, e);
      ASSERT_EQ(FindInvalidUtf8(e), std::string::npos) << std::hex << cp;
    } else {
      // A surrogate: ED A0..BF 80..BF, three maximal subparts of one byte each.
      ASSERT_EQ(RepairUtf8(&text), 3u) << std::hex << cp;
      ASSERT_EQ(text, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
      ASSERT_EQ(FindInvalidUtf8(e), 0u);
    }
  }
}

// Every string of one and two bytes, and every string of up to four bytes drawn from one byte
// of each class that Table 3-7 tells apart (and the bounds of each class), against the reference.
TEST(Utf8Test, RepairMatchesTheReferenceOnEveryShortString) {
  auto check = [](const std::string& s) {
    size_t want_replaced = 0;
    std::string want = Ref().Repair(s, &want_replaced);
    std::string got = s;
    size_t replaced = RepairUtf8(&got);
    ASSERT_EQ(got, want) << "input of " << s.size() << " bytes";
    ASSERT_EQ(replaced, want_replaced);
    ASSERT_EQ(FindInvalidUtf8(got) == std::string::npos || got.find('\0') != std::string::npos,
              true);
    // Repairing twice changes nothing.
    ASSERT_EQ(RepairUtf8(&got), 0u);
  };
  for (int a = 0; a < 256; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      check(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
  }
  const unsigned char classes[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                   0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                   0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (unsigned char a : classes) {
    for (unsigned char b : classes) {
      for (unsigned char c : classes) {
        check(std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        for (unsigned char d : classes) {
          check(std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                            static_cast<char>(d)});
        }
      }
    }
  }
}

TEST(Utf8Test, RepairReplacesEachMaximalSubpartOnce) {
  struct {
    std::string in;
    std::string want;
    size_t replaced;
  } cases[] = {
      {"", "", 0},
      {"payment \xff scaled to 0", "payment \xEF\xBF\xBD scaled to 0", 1},
      {"\xff\xfe", "\xEF\xBF\xBD\xEF\xBF\xBD", 2},
      {"\xe2\x82"
       "A",
       "\xEF\xBF\xBD"
       "A",
       1},                                                          // a cut € then A: one subpart
      {"\xf0\x9f\x98", "\xEF\xBF\xBD", 1},                          // a cut emoji at the end
      {"\xc0\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD", 2},                  // overlong: C0 starts nothing
      {"\xe0\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3},  // overlong 3 bytes
      {"\xf4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4},
      {std::string("a\0b", 3), std::string("a\0b", 3), 0},  // NUL is well-formed
      {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", 0},
      {"\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD", 2},
  };
  for (const auto& c : cases) {
    std::string text = c.in;
    EXPECT_EQ(RepairUtf8(&text), c.replaced) << c.in;
    EXPECT_EQ(text, c.want) << c.in;
  }
}

TEST(Utf8Test, TruncateNeverSplitsACharacter) {
  // Every scalar value after "ab", cut at every length: a partial character goes.
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!IsScalar(cp)) continue;
    const std::string whole = "ab" + Encode(cp);
    for (size_t max = 2; max <= whole.size() + 1; ++max) {
      std::string text = whole;
      size_t removed = TruncateUtf8(&text, max);
      const std::string want = max >= whole.size() ? whole : "ab";
      ASSERT_EQ(text, want) << std::hex << cp << " max " << max;
      ASSERT_EQ(removed, whole.size() - want.size());
    }
  }
}

TEST(Utf8Test, TruncateCases) {
  struct {
    std::string in;
    size_t max;
    std::string want;
  } cases[] = {
      {"hello", 10, "hello"},
      {"hello", 3, "hel"},
      {"hello", 0, ""},
      {"\xe2\x82\xac\xe2\x82\xac", 4, "\xe2\x82\xac"},
      {"\xe2\x82\xac\xe2\x82\xac", 5, "\xe2\x82\xac"},
      {"\xe2\x82\xac\xe2\x82\xac", 6, "\xe2\x82\xac\xe2\x82\xac"},
      // A text that came cut: its own size drops the split character.
      {"ok\xe2\x82", 4, "ok"},
      {"ok\xf0\x9f\x98", 5, "ok"},
      // Bytes that start nothing are left for RepairUtf8.
      {"ok\xff", 3, "ok\xff"},
      {"ok\xc0", 3, "ok\xc0"},
      {"ok\xe0\x80", 4, "ok\xe0\x80"},  // E0 80 can never become a character
      {"ok\x80\x80\x80", 5, "ok\x80\x80\x80"},
  };
  for (const auto& c : cases) {
    std::string text = c.in;
    TruncateUtf8(&text, c.max);
    EXPECT_EQ(text, c.want) << c.in << " at " << c.max;
  }
}

TEST(Utf8Test, MakeValidUtf8RepairsThenCutsOnACharacter) {
  // 300 KB of euro signs read up to a 262144-byte cap: the split euro sign at the cut goes
  // and nothing is replaced.
  std::string euros;
  for (int i = 0; i < 100000; ++i) euros += "\xe2\x82\xac";
  std::string body = euros.substr(0, 262144);
  Utf8Repair r = MakeValidUtf8(&body, 262144, /*came_cut=*/true);
  EXPECT_EQ(r.replaced, 0u);
  EXPECT_TRUE(r.cut);
  EXPECT_EQ(body.size(), 262143u);
  EXPECT_EQ(body, euros.substr(0, 262143));

  // The same bytes, not known to be cut: the partial character is ill-formed.
  std::string text = "ok\xe2\x82";
  r = MakeValidUtf8(&text);
  EXPECT_EQ(r.replaced, 1u);
  EXPECT_FALSE(r.cut);
  EXPECT_EQ(text, "ok\xEF\xBF\xBD");

  // A replacement makes the text longer than the cap: cut again, on a character.
  text = "ab\xff\xff";
  r = MakeValidUtf8(&text, 6);
  EXPECT_EQ(r.replaced, 2u);
  EXPECT_TRUE(r.cut);
  EXPECT_EQ(text, "ab\xEF\xBF\xBD");

  text = "fine";
  r = MakeValidUtf8(&text, 10);
  EXPECT_EQ(r.replaced, 0u);
  EXPECT_FALSE(r.cut);
  EXPECT_EQ(text, "fine");
}

}  // namespace
}  // namespace sre_eval
