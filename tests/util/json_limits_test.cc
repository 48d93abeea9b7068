#include "util/json_limits.h"

#include <string>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonLimitsTest, ParsesUpToTheDepthCapAndRejectsDeeper) {
  auto ok = ParseJsonBounded(Nested(512), "the body");
  ASSERT_TRUE(ok.ok()) << ok.status();
  auto deep = ParseJsonBounded(Nested(513), "the body");
  EXPECT_EQ(deep.status(), absl::InvalidArgumentError("the body: nesting depth exceeds 512"));
  EXPECT_TRUE(IsDepthError(deep.status()));
  // 100,000 levels stop at the cap without building them.
  deep = ParseJsonBounded(Nested(100000), "the body");
  EXPECT_EQ(deep.status(), absl::InvalidArgumentError("the body: nesting depth exceeds 512"));
}

TEST(JsonLimitsTest, SyntaxErrorsKeepTheParsersMessage) {
  auto bad = ParseJsonBounded("{\"a\": }", "the body");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "the body: [json.exception.parse_error.101] parse error at line 1, column 7: syntax "
            "error while parsing value - unexpected '}'; expected '[', '{', or a literal");
  EXPECT_FALSE(IsDepthError(bad.status()));
  auto value = ParseJsonBounded("{\"a\": [1, \"x\\u0000y\"]}", "the body");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->dump(), "{\"a\":[1,\"x\\u0000y\"]}");
}

TEST(JsonLimitsTest, CheckJsonValueFindsBadUtf8AndDepth) {
  nlohmann::json v = {{"data",
                       {{"k",
                         "a\xff"
                         "b"}}}};
  EXPECT_EQ(CheckJsonValue(v, "the body"),
            absl::InvalidArgumentError("the body: invalid UTF-8 in a string"));
  nlohmann::json key = {{"a\xff", 1}};
  EXPECT_EQ(CheckJsonValue(key, "the body"),
            absl::InvalidArgumentError("the body: invalid UTF-8 in an object key"));
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) deep = nlohmann::json::array({deep});
  EXPECT_EQ(CheckJsonValue(deep, "x", 3), absl::InvalidArgumentError("x: nesting depth exceeds 3"));
  EXPECT_EQ(CheckJsonValue(deep, "x", 4), absl::OkStatus());
  EXPECT_EQ(CheckJsonValue(nlohmann::json(std::string("nul\0ok", 6)), "x"), absl::OkStatus());
}

TEST(JsonLimitsTest, DumpSizeMatchesDump) {
  const char* cases[] = {
      "null",
      "true",
      "false",
      "0",
      "-12345",
      "18446744073709551615",
      "\"\"",
      "\"tab\\tquote\\\"back\\\\ctl\\u0001\"",
      "[]",
      "{}",
      "[1,[2,[3]],{\"a\":{\"b\":\"c\"}}]",
      "{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"front-end\"}},\"data\":{}}",
      "\"\xe2\x82\xac\""};
  for (const char* c : cases) {
    nlohmann::json v = nlohmann::json::parse(c);
    EXPECT_EQ(JsonDumpSize(v), v.dump().size()) << c;
  }
  nlohmann::json f = 1.5;
  EXPECT_GE(JsonDumpSize(f), f.dump().size());
}

}  // namespace
}  // namespace sre_eval
