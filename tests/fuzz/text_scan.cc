// Fuzzes the answer text scanner (score/text_scan.h): tokens, numbers and times stay inside
// the text and in order, and excerpts are valid UTF-8 within their cap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "score/text_scan.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  absl::string_view text = fuzz::AsText(data, size);
  TextScan scan(text);
  uint32_t last_end = 0;
  for (const Token& t : scan.tokens()) {
    FUZZ_CHECK(t.begin < t.end && t.end <= text.size());
    FUZZ_CHECK(t.begin >= last_end);
    last_end = t.end;
  }
  for (const NumberMention& n : scan.numbers()) {
    FUZZ_CHECK(n.begin < n.end && n.end <= text.size());
    FUZZ_CHECK(n.token < scan.tokens().size());
  }
  for (const TimeMention& t : scan.times()) {
    FUZZ_CHECK(t.begin < t.end && t.end <= text.size());
    FUZZ_CHECK(t.seconds_of_day >= 0 && t.seconds_of_day < 86400);
  }
  for (size_t i = 0; i < scan.tokens().size(); ++i) {
    size_t first, after;
    scan.TokenRange(scan.tokens()[i].begin, scan.tokens()[i].end, &first, &after);
    FUZZ_CHECK(first <= i && i < after);
    (void)scan.IsNegatedTokens(first, after);
  }
  TimeMatch m;
  size_t from = 0;
  while (from < text.size() && FindTime(text, from, text.size(), &m)) {
    FUZZ_CHECK(m.begin >= from && m.begin < m.end && m.end <= text.size());
    from = m.end;
  }
  for (size_t cap : {size_t{0}, size_t{1}, size_t{7}, size_t{160}}) {
    std::string excerpt = CleanExcerpt(text, cap);
    std::replace(excerpt.begin(), excerpt.end(), '\0', ' ');  // NUL is fine in JSON.
    FUZZ_CHECK(FindInvalidUtf8(excerpt) == absl::string_view::npos);
  }
  return 0;
}
