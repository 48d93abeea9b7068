#include "util/clock.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  absl::Time start = absl::FromUnixSeconds(1795000000);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.SleepFor(absl::Seconds(90));
  clock.SleepFor(absl::Seconds(-5));  // Ignored, like a real sleep.
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(90) + absl::Milliseconds(250));
  EXPECT_EQ(clock.slept(), absl::Seconds(90));
}

TEST(ClockTest, SystemClockSleepsForReal) {
  Clock* clock = SystemClock::Get();
  absl::Time before = clock->Now();
  clock->SleepFor(absl::Milliseconds(20));
  EXPECT_GE(clock->Now() - before, absl::Milliseconds(20));
}

}  // namespace
}  // namespace sre_eval
