#include "util/status_macros.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x, int* calls) {
  ++*calls;
  RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateAndAssign) {
  EXPECT_EQ(*Quarter(12), 3);
  EXPECT_EQ(Quarter(6).status(), absl::InvalidArgumentError("odd"));
  int calls = 0;
  EXPECT_TRUE(CheckEven(4, &calls).ok());
  EXPECT_EQ(CheckEven(5, &calls), absl::InvalidArgumentError("odd"));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace sre_eval
