#include "util/markup_escape.h"

#include <algorithm>

#include "util/utf8.h"

namespace sre_eval {
namespace {

// What `c` is written as in `markup`, or nullptr when it is written as is.
const char* Entity(char c, Markup markup) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return markup == Markup::kHtml ? "&#39;" : "&apos;";
    case '\t':
      return markup == Markup::kXmlAttribute ? "&#9;" : nullptr;
    case '\n':
      return markup == Markup::kXmlAttribute ? "&#10;" : nullptr;
    case '\r':
      return markup == Markup::kHtml ? nullptr : "&#13;";
    default:
      return nullptr;
  }
}

}  // namespace

std::string EscapeMarkup(absl::string_view text, Markup markup) {
  const bool html = markup == Markup::kHtml;
  // What stands for a byte that cannot be written (FindInvalidUtf8 also stops at NUL).
  const char* replacement = html ? "\xEF\xBF\xBD" : "?";
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t bad = FindInvalidUtf8(text);
    for (char c : text.substr(0, std::min(bad, text.size()))) {
      if (const char* entity = Entity(c, markup); entity != nullptr) {
        out += entity;
      } else if (!html && static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' &&
                 c != '\r') {
        out += replacement;  // a control character XML 1.0 forbids
      } else {
        out += c;
      }
    }
    if (bad == absl::string_view::npos || bad >= text.size()) break;
    out += replacement;
    text.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace sre_eval
