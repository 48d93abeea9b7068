#include "util/yaml_json.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(YamlJsonTest, PlainScalarsAreTypedQuotedOnesStayStrings) {
  auto docs = YamlDocumentsToJson("x.yaml",
                                  "---\na: 'true'\nb: true\nc: 80\nd: 0.4.8\ne: ~\n"
                                  "---\n---\nf: [\"1\", 2]\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0],
            nlohmann::json::parse(R"({"a":"true","b":true,"c":80,"d":"0.4.8","e":null})"));
  EXPECT_EQ((*docs)[1], nlohmann::json::parse(R"({"f":["1",2]})"));
}

TEST(YamlJsonTest, DecimalsAreNumbersVersionsAreNot) {
  auto docs = YamlDocumentsToJson("x.yaml", "a: 0.5\nb: -2.25\nc: 1.2.3\nd: .\ne: '0.5'\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0],
            nlohmann::json::parse(R"({"a":0.5,"b":-2.25,"c":"1.2.3","d":".","e":"0.5"})"));
}

TEST(YamlJsonTest, SyntaxErrorHasItsLocation) {
  auto docs = YamlDocumentsToJson("x.yaml", "a: b\nc: [d\n");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(docs.status().message(), "x.yaml:3:1: end of sequence flow not found");
}

}  // namespace
}  // namespace sre_eval
