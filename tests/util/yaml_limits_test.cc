#include "util/yaml_limits.h"

#include <string>

#include "gtest/gtest.h"
#include "util/yaml_json.h"
#include "util/yaml_reader.h"

namespace sre_eval {
namespace {

std::string Check(const std::string& text, const YamlLimits& limits = YamlLimits()) {
  absl::Status s = CheckYamlLimits("f.yaml", text, limits);
  return s.ok() ? "ok" : std::string(s.message());
}

TEST(YamlLimitsTest, OrdinaryDocumentsPass) {
  EXPECT_EQ(Check("a: 1\nb: [1, 2, {c: d}]\n"), "ok");
  // Anchors used as intended: a shared default merged into two places.
  EXPECT_EQ(Check("base: &b {cpu: 1}\nx: *b\ny: *b\n"), "ok");
  // Anchor names restart with every document.
  EXPECT_EQ(Check("a: &x 1\nb: *x\n---\nc: &x [1]\nd: *x\n"), "ok");
  // A syntax error is not a limit: the caller's parser reports it.
  EXPECT_EQ(Check("a: [\n"), "ok");
  EXPECT_EQ(Check("a: *undefined\n"), "ok");
}

TEST(YamlLimitsTest, AliasCyclesAreRefused) {
  EXPECT_EQ(Check("&a [*a]"),
            "f.yaml:1:5: YAML alias *a refers to a node that contains it (an alias cycle)");
  EXPECT_EQ(Check("top: &t\n  inner:\n    - deeper: {again: *t}\n"),
            "f.yaml:3:23: YAML alias *t refers to a node that contains it (an alias cycle)");
}

TEST(YamlLimitsTest, ExpansionIsCountedThroughNestedAliases) {
  YamlLimits limits;
  limits.max_expanded_nodes = 100;
  // l0 is 11 nodes (a list of 10); l1 expands to 1 + 10 * 11 = 111 nodes.
  std::string text =
      "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\nl1: [*l0, *l0, *l0, *l0, *l0, "
      "*l0, *l0, *l0, *l0, *l0]\n";
  EXPECT_EQ(Check(text, limits),
            "f.yaml:2:41: YAML aliases expand to more than 100 nodes (an alias bomb?)");
  limits.max_expanded_nodes = 1000;
  EXPECT_EQ(Check(text, limits), "ok");
  limits.max_expanded_bytes = 50;  // 10 * 10 bytes of "a" through l1, plus l0's own 10.
  EXPECT_EQ(Check(text, limits),
            "f.yaml:2:21: YAML aliases expand to more than 50 bytes (an alias bomb?)");
}

TEST(YamlLimitsTest, DepthCountsAliasedCollections) {
  YamlLimits limits;
  limits.max_depth = 3;
  EXPECT_EQ(Check("a: {b: {c: 1}}\n", limits), "ok");
  EXPECT_EQ(Check("a: {b: {c: [1]}}\n", limits),
            "f.yaml:1:12: YAML nesting is deeper than 3 levels");
  // Two levels anchored, placed under two more.
  EXPECT_EQ(Check("x: &x {y: [1]}\nz: {w: *x}\n", limits),
            "f.yaml:2:8: YAML nesting is deeper than 3 levels");
  EXPECT_EQ(Check(std::string(100000, '[') + std::string(100000, ']')),
            "f.yaml:1:129: YAML nesting is deeper than 128 levels");
}

// yaml-cpp 0.7 loops forever, allocating, on these (found by the fuzz targets).
TEST(YamlLimitsTest, TheCommaThatMakesYamlCppLoopIsAnError) {
  EXPECT_EQ(Check(","),
            "f.yaml:1:1: YAML syntax error: unexpected ',' where a document should start");
  EXPECT_EQ(Check("- a\n,"),
            "f.yaml:2:1: YAML syntax error: unexpected ',' where a document should start");
  EXPECT_EQ(Check("[a] ,"),
            "f.yaml:1:5: YAML syntax error: unexpected ',' where a document should start");
  EXPECT_EQ(Check(", kind: http\n"),
            "f.yaml:1:1: YAML syntax error: unexpected ',' where a document should start");
  Diagnostics diags;
  EXPECT_FALSE(ParseYaml("a.yaml", "- a\n,", &diags).has_value());
  EXPECT_EQ(diags.list().size(), 1u);
}

TEST(YamlLimitsTest, YamlDocumentsToJsonAppliesThePolicy) {
  absl::StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson("body", "&a [*a]");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(),
            "body:1:5: YAML alias *a refers to a node that contains it (an alias cycle)");
  docs = YamlDocumentsToJson("body",
                             "data: {k: \"a\xff"
                             "b\"}\n");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(), "body:1:13: invalid UTF-8 byte 0xff (YAML must be UTF-8)");
}

}  // namespace
}  // namespace sre_eval
