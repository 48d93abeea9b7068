#include "util/utf8.h"

#include <cstdint>
#include <cstring>

namespace sre_eval {
namespace {

// One sequence at the start of s[0..n) under the Unicode Standard's Table 3-7.
struct Sequence {
  size_t length = 1;    // of the well-formed sequence, or of the ill-formed maximal subpart
  bool ok = true;       // well-formed
  bool at_end = false;  // ill-formed only because the text ended before it was complete
};

Sequence Decode(const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  if (c < 0x80) return {1, true, false};
  size_t want;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range; later bytes are 80..BF
  if (c >= 0xC2 && c <= 0xDF) {
    want = 2;
  } else if (c == 0xE0) {
    want = 3, lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    want = 3;
  } else if (c == 0xED) {
    want = 3, hi = 0x9F;  // no surrogates
  } else if (c == 0xF0) {
    want = 4, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    want = 4;
  } else if (c == 0xF4) {
    want = 4, hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return {1, false, false};  // 80..C1, F5..FF start nothing
  }
  for (size_t i = 1; i < want; ++i) {
    if (i >= n) return {i, false, true};
    const unsigned char b = s[i];
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return {i, false, false};
  }
  return {want, true, false};
}

// The length of the run of ASCII bytes (below 0x80) at the start of s[0..n), read eight
// bytes at a time: most text is ASCII, and this is what keeps these checks cheap on it. With
// `stop_at_nul`, a NUL also ends the run.
size_t AsciiRun(const unsigned char* s, size_t n, bool stop_at_nul) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  constexpr uint64_t kLow = 0x0101010101010101ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    uint64_t stop = w & kHigh;
    if (stop_at_nul) stop |= (w - kLow) & ~w & kHigh;  // a zero byte sets its high bit here
    if (stop != 0) break;
  }
  while (i < n && s[i] < 0x80 && !(stop_at_nul && s[i] == 0)) ++i;
  return i;
}

}  // namespace

size_t FindInvalidUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    i += AsciiRun(s + i, n - i, /*stop_at_nul=*/true);
    if (i == n) break;
    if (s[i] == 0) return i;
    Sequence seq = Decode(s + i, n - i);
    if (!seq.ok) return i;
    i += seq.length;
  }
  return absl::string_view::npos;
}

bool IsValidUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    i += AsciiRun(s + i, n - i, /*stop_at_nul=*/false);
    if (i == n) break;
    Sequence seq = Decode(s + i, n - i);
    if (!seq.ok) return false;
    i += seq.length;
  }
  return true;
}

void LineAndColumn(absl::string_view text, size_t offset, int* line, int* column) {
  int l = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  *line = l;
  *column = static_cast<int>(offset - line_start) + 1;
}

size_t RepairUtf8(std::string* text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text->data());
  const size_t n = text->size();
  size_t i = 0;
  Sequence seq;
  // The common case: already valid, nothing copied.
  for (; i < n; i += seq.length) {
    i += AsciiRun(s + i, n - i, /*stop_at_nul=*/false);
    if (i == n) break;
    seq = Decode(s + i, n - i);
    if (!seq.ok) break;
  }
  if (i == n) return 0;
  std::string out;
  out.reserve(n + 8);
  out.append(*text, 0, i);
  size_t replaced = 0;
  for (; i < n; i += seq.length) {
    seq = Decode(s + i, n - i);
    if (seq.ok) {
      out.append(reinterpret_cast<const char*>(s + i), seq.length);
    } else {
      out.append(kReplacementCharacter.data(), kReplacementCharacter.size());
      ++replaced;
    }
  }
  text->swap(out);
  return replaced;
}

size_t TruncateUtf8(std::string* text, size_t max_bytes) {
  const size_t before = text->size();
  if (text->size() > max_bytes) text->resize(max_bytes);
  const auto* s = reinterpret_cast<const unsigned char*>(text->data());
  const size_t n = text->size();
  // A character is at most 4 bytes: its lead byte is within the last 3 when it is partial.
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const size_t start = n - back;
    if ((s[start] & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    Sequence seq = Decode(s + start, back);
    if (seq.at_end && seq.length == back) text->resize(start);
    break;
  }
  return before - text->size();
}

Utf8Repair MakeValidUtf8(std::string* text, size_t max_bytes, bool came_cut) {
  Utf8Repair repair;
  if (came_cut) {
    TruncateUtf8(text, text->size());
    repair.cut = true;
  }
  repair.replaced = RepairUtf8(text);
  if (TruncateUtf8(text, max_bytes) > 0) repair.cut = true;
  return repair;
}

}  // namespace sre_eval
