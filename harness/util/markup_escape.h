// Text from a run (answers, notes, names) made safe inside HTML and XML output. One loop
// serves both; the markup says which entities and replacements it writes.
#ifndef SRE_EVAL_UTIL_MARKUP_ESCAPE_H_
#define SRE_EVAL_UTIL_MARKUP_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sre_eval {

enum class Markup {
  // HTML text or a quoted attribute value: & < > " ' as &amp; &lt; &gt; &quot; &#39;; each
  // byte that is not well-formed UTF-8, and NUL, as U+FFFD; everything else as is.
  kHtml,
  // XML 1.0 element content: & < > " ' as &amp; &lt; &gt; &quot; &apos;, CR as &#13;; each
  // byte that is not well-formed UTF-8, and the control characters XML 1.0 forbids (below
  // 0x20 but tab, LF and CR), as '?'.
  kXmlText,
  // A quoted XML attribute value: as kXmlText, and tab and LF as &#9; and &#10;, so that a
  // parser's attribute normalisation keeps them.
  kXmlAttribute,
};

// `text` escaped for `markup`, as described above. Always valid UTF-8.
std::string EscapeMarkup(absl::string_view text, Markup markup);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_MARKUP_ESCAPE_H_
