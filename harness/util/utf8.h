// UTF-8: checking that input is text before handing it to a parser, and repairing text that
// comes from outside (an agent's answer, an error body, a process's output) where it enters,
// so that nothing downstream (JSON, reports, the scorer) can fail on it.
#ifndef SRE_EVAL_UTIL_UTF8_H_
#define SRE_EVAL_UTIL_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sre_eval {

// The offset of the first byte that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included) or is a NUL, or npos when the whole of
// `text` is clean.
size_t FindInvalidUtf8(absl::string_view text);

// Whether `text` is well-formed UTF-8 (NUL included, unlike FindInvalidUtf8).
bool IsValidUtf8(absl::string_view text);

// 1-based line and column (in bytes) of `offset` in `text`.
void LineAndColumn(absl::string_view text, size_t offset, int* line, int* column);

// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER.
inline constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Makes `*text` well-formed UTF-8 (the Unicode Standard's Table 3-7: no overlong forms, no
// surrogates, nothing past U+10FFFF): each maximal subpart of an ill-formed sequence becomes
// one U+FFFD, as the Unicode Standard (section 3.9, "U+FFFD Substitution of Maximal
// Subparts") and the WHATWG decoder do: "\xE2\x82A" -> U+FFFD "A", "\xFF\xFE" -> two U+FFFD,
// "\xED\xA0\x80" (a surrogate) -> three. NUL is well-formed and kept. Returns the number of
// replacements (0: `*text` is unchanged and nothing was allocated). Linear in the size.
size_t RepairUtf8(std::string* text);

// Cuts `*text` to at most `max_bytes` bytes without splitting a character: when what is left
// ends inside a character (a lead byte followed by fewer continuation bytes than it announces,
// each one allowed there), that partial character is removed too. This also holds when nothing
// needed cutting, so pass a text that was cut elsewhere (a body read up to a cap) with its own
// size to drop a character that cut split. Bytes that can start no character are left for
// RepairUtf8. Returns the number of bytes removed.
size_t TruncateUtf8(std::string* text, size_t max_bytes);

// What MakeValidUtf8 changed.
struct Utf8Repair {
  size_t replaced = 0;  // ill-formed sequences replaced by U+FFFD
  bool cut = false;     // the text came cut, or was cut here to fit `max_bytes`
};

// Bytes from outside made valid UTF-8 of at most `max_bytes` bytes, in this order: when
// `came_cut` (the bytes are the start of something longer, read up to a cap), a character
// that cut split is dropped (TruncateUtf8 at its size); then RepairUtf8; then TruncateUtf8 to
// `max_bytes` (a repair can make the text longer: one byte becomes three).
Utf8Repair MakeValidUtf8(std::string* text, size_t max_bytes = std::string::npos,
                         bool came_cut = false);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_UTF8_H_
