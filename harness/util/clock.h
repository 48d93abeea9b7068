// Time as the harness sees it. Everything that reads or waits on time takes a Clock, so
// tests run on a FakeClock and the simulated cluster can drive a virtual one.
#ifndef SRE_EVAL_UTIL_CLOCK_H_
#define SRE_EVAL_UTIL_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sre_eval {

// Thread-safe in every implementation.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // Returns after `d` has passed on this clock (at once for d <= 0).
  virtual void SleepFor(absl::Duration d) = 0;
};

// The wall clock. A process-wide instance; never deleted.
class SystemClock final : public Clock {
 public:
  static SystemClock* Get();
  absl::Time Now() override;
  void SleepFor(absl::Duration d) override;
};

// A clock that moves only when told to. SleepFor advances it instantly, so code that waits
// runs at full speed in tests while seeing exactly the durations it asked for.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() override;
  void SleepFor(absl::Duration d) override;
  void Advance(absl::Duration d);
  // The total of all SleepFor calls so far.
  absl::Duration slept() const;

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  absl::Duration slept_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_CLOCK_H_
