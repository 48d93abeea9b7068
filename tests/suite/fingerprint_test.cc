#include "suite/fingerprint.h"

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

// Published FNV-1a 64-bit test vectors.
TEST(Fnv1a64Test, KnownVectors) {
  EXPECT_EQ(FingerprintText(Fnv1a64("")), "fnv1a64:cbf29ce484222325");
  EXPECT_EQ(FingerprintText(Fnv1a64("a")), "fnv1a64:af63dc4c8601ec8c");
  EXPECT_EQ(FingerprintText(Fnv1a64("foobar")), "fnv1a64:85944171f73967e8");
  // Continuing from a state is hashing the concatenation.
  EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar"));
}

class FingerprintSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("prompts/p.yaml", "prompts: []\n");
    dir_.WriteFile("rubrics/a.yaml", "a");
    dir_.WriteFile("rubrics/b.yaml", "foobar");
    dir_.WriteFile("incidents/crash.yaml", "steps: []\n");
    dir_.WriteFile("incidents/manifests/job.yaml", "kind: Job\n");
    dir_.WriteFile("incidents/README.md", "docs\n");
    dir_.WriteFile("gate.yaml", "overall: 0.5\n");
    suite_.root = dir_.path();
    Rubric a, b;
    a.prompt_id = "i1.a";
    a.file = dir_.path() + "/rubrics/a.yaml";
    b.prompt_id = "i1.b";
    b.file = dir_.path() + "/rubrics/b.yaml";
    suite_.rubrics = {a, b};
  }
  SuiteFingerprint Take() {
    absl::StatusOr<SuiteFingerprint> f = FingerprintSuite(suite_);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : SuiteFingerprint{};
  }
  TempDir dir_;
  Suite suite_;
};

TEST_F(FingerprintSuiteTest, RubricVersionsAreTheHashesOfTheirFiles) {
  SuiteFingerprint f = Take();
  EXPECT_EQ(f.rubric_versions.size(), 2u);
  EXPECT_EQ(f.rubric_versions["i1.a"], "fnv1a64:af63dc4c8601ec8c");
  EXPECT_EQ(f.rubric_versions["i1.b"], "fnv1a64:85944171f73967e8");
  EXPECT_EQ(f.suite_hash.size(), std::string("fnv1a64:").size() + 16);
  EXPECT_EQ(Take().suite_hash, f.suite_hash);  // the same files, the same hash
}

TEST_F(FingerprintSuiteTest, DocsAndThresholdsDoNotCount) {
  const std::string before = Take().suite_hash;
  dir_.WriteFile("incidents/README.md", "other docs\n");
  dir_.WriteFile("gate.yaml", "overall: 0.9\n");
  dir_.WriteFile("notes.txt", "outside the three folders\n");
  EXPECT_EQ(Take().suite_hash, before);
}

TEST_F(FingerprintSuiteTest, EveryFileThatDecidesTheRunCounts) {
  const std::string base = Take().suite_hash;
  for (const char* file : {"prompts/p.yaml", "incidents/crash.yaml", "incidents/manifests/job.yaml",
                           "rubrics/a.yaml"}) {
    SCOPED_TRACE(file);
    dir_.WriteFile(file, "changed");
    SuiteFingerprint f = Take();
    EXPECT_NE(f.suite_hash, base);
    // Only the edited rubric's version moves.
    EXPECT_EQ(f.rubric_versions["i1.b"], "fnv1a64:85944171f73967e8");
    SetUp();  // put the file back
    EXPECT_EQ(Take().suite_hash, base);
  }
  dir_.WriteFile("rubrics/a.yaml", "b");
  EXPECT_EQ(Take().rubric_versions["i1.a"], FingerprintText(Fnv1a64("b")));
}

TEST_F(FingerprintSuiteTest, ContentMovedBetweenFilesChangesTheHash) {
  const std::string base = Take().suite_hash;
  dir_.WriteFile("rubrics/a.yaml", "afoo");
  dir_.WriteFile("rubrics/b.yaml", "bar");
  EXPECT_NE(Take().suite_hash, base);
}

TEST_F(FingerprintSuiteTest, AnUnreadableRubricFails) {
  suite_.rubrics[0].file = dir_.path() + "/rubrics/missing.yaml";
  absl::StatusOr<SuiteFingerprint> f = FingerprintSuite(suite_);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("missing.yaml"), std::string::npos) << f.status();
}

}  // namespace
}  // namespace sre_eval
