// The cost of running a child through PosixProcessRunner: a bare spawn-and-reap, and a spawn
// that pushes 1 MB through the child's stdin and reads it back from its stdout.
#include <string>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

void BM_SubprocessRunTrue(benchmark::State& state) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"/bin/true"};
  for (auto _ : state) {
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    if (!result.ok() || result->exit_code != 0) {
      state.SkipWithError("/bin/true failed");
      break;
    }
  }
}
BENCHMARK(BM_SubprocessRunTrue)->Unit(benchmark::kMicrosecond);

void BM_SubprocessRunCatOneMegabyte(benchmark::State& state) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"cat"};
  options.stdin_data = std::string(size_t{1} << 20, 'x');
  for (auto _ : state) {
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    if (!result.ok() || result->exit_code != 0 ||
        result->stdout_data.size() != options.stdin_data->size()) {
      state.SkipWithError("cat did not echo its stdin");
      break;
    }
    benchmark::DoNotOptimize(result->stdout_data.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(options.stdin_data->size()));
}
BENCHMARK(BM_SubprocessRunCatOneMegabyte)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sre_eval
