// Fixtures the report tests share (report_test.cc, html_test.cc): the shipped suite and its
// compiled rubrics, each loaded once for the whole test binary and never freed. A problem
// loading either is a test failure.
#ifndef SRE_EVAL_TESTS_REPORT_REPORT_FIXTURES_H_
#define SRE_EVAL_TESTS_REPORT_REPORT_FIXTURES_H_

#include "gtest/gtest.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

// The suite of this source tree (prompts/, rubrics/).
inline const Suite& ShippedSuite() {
  static const Suite* suite = [] {
    Diagnostics problems;
    auto* s = new Suite(LoadSuite(SRE_EVAL_SOURCE_DIR, &problems));
    EXPECT_TRUE(problems.empty());
    return s;
  }();
  return *suite;
}

// ShippedSuite's rubrics, compiled.
inline const RubricSet& ShippedRubrics() {
  static const RubricSet* rubrics = [] {
    Diagnostics problems;
    auto* r = new RubricSet(RubricSet::Compile(ShippedSuite(), &problems));
    EXPECT_TRUE(problems.empty());
    return r;
  }();
  return *rubrics;
}

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_REPORT_REPORT_FIXTURES_H_
