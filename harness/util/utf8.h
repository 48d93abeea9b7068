// Checking that input is text before handing it to a parser.
#ifndef SRE_EVAL_UTIL_UTF8_H_
#define SRE_EVAL_UTIL_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace sre_eval {

// The offset of the first byte that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included) or is a NUL, or npos when the whole of
// `text` is clean.
size_t FindInvalidUtf8(absl::string_view text);

// 1-based line and column (in bytes) of `offset` in `text`.
void LineAndColumn(absl::string_view text, size_t offset, int* line, int* column);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_UTF8_H_
