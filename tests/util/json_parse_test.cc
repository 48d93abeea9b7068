#include "util/json_parse.h"

#include <string>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(JsonParseTest, ErrorsGiveFileLineColumnAndReason) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"{", "t.json:1:2: not valid JSON: unexpected end of input"},
      {"{\n  \"a\": 1,\n  \"b\": tru\n}", "t.json:3:11: not valid JSON: invalid literal"},
      {"{\"a\": 1}\n\nx", "t.json:3:1: not valid JSON: invalid literal"},
      {"", "t.json:1:1: not valid JSON: unexpected end of input"},
      {"{\"a\": \"x\ny\"}",
       "t.json:1:9: not valid JSON: invalid string: control character "
       "U+000A (LF) must be escaped to \\u000A or \\n"},
      {"[1e999]", "t.json: not valid JSON: number overflow parsing '1e999'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<nlohmann::json> parsed = ParseJson(c.text, "t.json");
    EXPECT_EQ(parsed.status(), absl::InvalidArgumentError(c.error)) << c.text;
  }
  EXPECT_EQ(*ParseJson("{\"a\": [1, 2]}", "t.json"), nlohmann::json::parse("{\"a\":[1,2]}"));
}

TEST(JsonParseTest, ALineOfAJsonLinesFileKeepsItsNumber) {
  EXPECT_EQ(
      ParseJson(R"({"type":"sample",)", "t/timeline.jsonl", 7).status(),
      absl::InvalidArgumentError("t/timeline.jsonl:7:18: not valid JSON: unexpected end of input"));
}

TEST(JsonParseTest, OrderedJsonKeepsItsOrder) {
  absl::StatusOr<nlohmann::ordered_json> parsed =
      ParseJson<nlohmann::ordered_json>(R"({"b": 1, "a": 2})", "s.json");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->dump(), R"({"b":1,"a":2})");
}

// The type of every value in `j`, depth first: nlohmann's == calls 1 and 1u equal, and the
// responses reader tells them apart.
std::string Types(const nlohmann::json& j) {
  std::string out(1, static_cast<char>('0' + static_cast<int>(j.type())));
  if (j.is_structured()) {
    for (const auto& v : j) out += Types(v);
  }
  return out;
}

TEST(JsonParseFastTest, ReadsPlainDocumentsExactlyAsNlohmannDoes) {
  const char* documents[] = {
      R"({"a": 1, "b": -2, "c": "x\"y\\z\/\b\f\n\r\t", "d": [true, false, null, {}, []]})",
      R"(  {"big": 18446744073709551615, "min": -9223372036854775808, "zero": -0}  )",
      R"("\u00e9\u4e2d\ud83d\ude00 é中😀")",
      "[0, 10, 123456789012]",
      "\t\r\n{\"nested\": {\"deeper\": [[[\"x\"]]]}}\n",
      R"("\u0000")",
  };
  for (const char* text : documents) {
    nlohmann::json fast;
    ASSERT_TRUE(ParseJsonFast(text, &fast)) << text;
    nlohmann::json slow = nlohmann::json::parse(text);
    EXPECT_EQ(fast, slow) << text;
    EXPECT_EQ(Types(fast), Types(slow)) << text;
  }
  nlohmann::json j;
  ASSERT_TRUE(ParseJsonFast(R"({"u": 7, "i": -7})", &j));
  EXPECT_TRUE(j["u"].is_number_unsigned());
  EXPECT_TRUE(j["i"].is_number_integer() && !j["i"].is_number_unsigned());
}

TEST(JsonParseFastTest, LeavesToNlohmannWhatItDoesNotReadExactly) {
  // Fractions, exponents and numbers past 64 bits (doubles), a repeated key (nlohmann keeps
  // the last), errors of every kind, and nesting deeper than 64 levels.
  const std::string documents[] = {
      "1.5",
      "1e3",
      "2E-1",
      "18446744073709551616",
      "-9223372036854775809",
      R"({"a": 1, "a": 2})",
      "",
      "{",
      "[1,]",
      "01",
      "-",
      "+1",
      "tru",
      "truex",
      "nul",
      "\"\x01\"",
      "\"\xff\"",
      "\"\xc3\"",
      R"("\ud800")",
      R"("\udc00")",
      R"("\ud800\u0041")",
      R"("\x")",
      R"("\u12g4")",
      "{\"a\" 1}",
      "{1: 2}",
      "[1 2]",
      "{} {}",
      std::string(65, '[') + std::string(65, ']'),
  };
  for (const std::string& text : documents) {
    nlohmann::json j;
    EXPECT_FALSE(ParseJsonFast(text, &j)) << text;
  }
  nlohmann::json deep;
  EXPECT_TRUE(ParseJsonFast(std::string(64, '[') + std::string(64, ']'), &deep));
}

}  // namespace
}  // namespace sre_eval
