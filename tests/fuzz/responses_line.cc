// Fuzzes responses.jsonl reading (score/responses.h): each line of the input is parsed as a
// line of the file. A line is accepted exactly when it adds no problem, and an accepted line
// holds what the format requires. Each line is also read by ParseJsonFast (util/json_parse.h)
// and nlohmann: what the fast reader accepts, nlohmann must read to the same value and types.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_split.h"
#include "fuzz_input.h"
#include "score/responses.h"
#include "util/diagnostic.h"
#include "util/json_parse.h"

namespace {

bool Same(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
      if (x.key() != y.key() || !Same(x.value(), y.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  Diagnostics problems;
  Response response;
  int line = 0;
  for (absl::string_view text : absl::StrSplit(fuzz::AsText(data, size), '\n')) {
    ++line;
    nlohmann::json fast;
    if (ParseJsonFast(text, &fast)) {
      nlohmann::json slow;
      try {
        slow = nlohmann::json::parse(text.begin(), text.end());
      } catch (const nlohmann::json::exception&) {
        FUZZ_CHECK(false);  // the fast reader accepted what nlohmann refuses
      }
      FUZZ_CHECK(Same(fast, slow));
    }
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
