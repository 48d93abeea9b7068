#include "util/yaml_reader.h"

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(YamlReaderTest, StrictMappingReportsEverything) {
  Diagnostics diags;
  std::optional<YAML::Node> node = ParseYaml("f.yaml",
                                             "name: x\n"
                                             "nmae: y\n"
                                             "name: z\n"
                                             "list: [a, [b], c]\n"
                                             "empty: \"  \"\n"
                                             "nothing:\n",
                                             &diags);
  ASSERT_TRUE(node.has_value());
  std::string file = "f.yaml";
  YamlMap map(*node, file, "thing", {"name", "list", "empty", "nothing", "needed"}, &diags);
  ASSERT_TRUE(map.valid());
  EXPECT_EQ(map.String("name", true)->value, "x");
  EXPECT_FALSE(map.StringList("list", true).has_value());
  EXPECT_FALSE(map.String("empty", true).has_value());
  EXPECT_FALSE(map.String("nothing", false).has_value());
  EXPECT_FALSE(map.String("needed", true).has_value());
  EXPECT_FALSE(map.String("absent", false).has_value());
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "f.yaml:1:1: thing is missing required key 'needed'",
                "f.yaml:2:1: unknown key 'nmae' in thing (did you mean 'name'?)",
                "f.yaml:3:1: duplicate key 'name' in thing",
                "f.yaml:4:11: items of 'list' must be strings, got a list",
                "f.yaml:5:8: 'empty' must not be empty",
                "f.yaml:6:1: 'nothing' must be a string, got null",
            }));
}

TEST(YamlReaderTest, ParseFailures) {
  struct {
    std::string text;
    const char* want;
  } cases[] = {
      {"", "f.yaml: file is empty"},
      {"a: [1\n", "f.yaml:2:1: YAML syntax error: end of sequence flow not found"},
      {"a: *nope\n", "f.yaml:1:4: YAML syntax error: the referenced anchor is not defined"},
      {"a: 1\n---\nb: 2\n", "f.yaml:3:1: expected one YAML document, found 2"},
      {"a: \xc3\x28\n",
       "f.yaml:1:4: not a text file: invalid UTF-8 byte 0xc3 (YAML files must be UTF-8)"},
  };
  for (const auto& c : cases) {
    Diagnostics diags;
    EXPECT_FALSE(ParseYaml("f.yaml", c.text, &diags).has_value()) << c.text;
    ASSERT_EQ(diags.size(), 1u) << c.text;
    EXPECT_EQ(diags.list()[0].ToString(), c.want);
  }
}

TEST(YamlReaderTest, NotAMappingMakesGettersQuiet) {
  Diagnostics diags;
  std::optional<YAML::Node> node = ParseYaml("f.yaml", "- a\n", &diags);
  std::string file = "f.yaml";
  YamlMap map(*node, file, "config", {"x"}, &diags);
  EXPECT_FALSE(map.valid());
  EXPECT_FALSE(map.String("x", true).has_value());
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{"f.yaml:1:1: config must be a mapping, got a list"});
}

}  // namespace
}  // namespace sre_eval
