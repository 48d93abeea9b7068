#include "util/markup_escape.h"

#include <algorithm>

#include "util/utf8.h"

namespace sre_eval {

std::string EscapeMarkup(absl::string_view text, Markup markup) {
  const bool html = markup == Markup::kHtml;
  const bool attribute = markup == Markup::kXmlAttribute;
  // What stands for a byte that cannot be written (FindInvalidUtf8 also stops at NUL).
  const char* replacement = html ? "\xEF\xBF\xBD" : "?";
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t bad = FindInvalidUtf8(text);
    for (char c : text.substr(0, std::min(bad, text.size()))) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += html ? "&#39;" : "&apos;";
          break;
        case '\t':
          out += attribute ? "&#9;" : "\t";
          break;
        case '\n':
          out += attribute ? "&#10;" : "\n";
          break;
        case '\r':
          out += html ? "\r" : "&#13;";
          break;
        default:
          if (!html && static_cast<unsigned char>(c) < 0x20) {
            out += replacement;
          } else {
            out += c;
          }
      }
    }
    if (bad == absl::string_view::npos || bad >= text.size()) break;
    out += replacement;
    text.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace sre_eval
