// Fuzzes responses.jsonl reading (score/responses.h): each line of the input is parsed as a
// line of the file. A line is accepted exactly when it adds no problem, and an accepted line
// holds what the format requires.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_split.h"
#include "fuzz_input.h"
#include "score/responses.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  Diagnostics problems;
  Response response;
  int line = 0;
  for (absl::string_view text : absl::StrSplit(fuzz::AsText(data, size), '\n')) {
    ++line;
    size_t before = problems.size();
    bool ok = ParseResponseLine(text, "responses.jsonl", line, &response, &problems);
    FUZZ_CHECK(ok == (problems.size() == before));
    if (ok) {
      FUZZ_CHECK(!response.incident.empty() && !response.prompt_id.empty());
      FUZZ_CHECK(response.trial >= 1);
      FUZZ_CHECK(response.error.empty() == (response.status == ResponseStatus::kOk));
    }
  }
  for (const Diagnostic& d : problems.Sorted()) (void)d.ToString();
  return 0;
}
