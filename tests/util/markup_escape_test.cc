// EscapeMarkup: each markup's entities and replacements, table-driven.
#include "util/markup_escape.h"

#include <string>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

struct Case {
  std::string text;
  std::string html, xml_text, xml_attribute;
};

TEST(MarkupEscapeTest, EachMarkup) {
  const Case cases[] = {
      {"plain text 100%", "plain text 100%", "plain text 100%", "plain text 100%"},
      {"<a href=\"x\" title='y'>&amp;</a>",
       "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
       "&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;amp;&lt;/a&gt;",
       "&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;amp;&lt;/a&gt;"},
      {"a\tb\nc\rd", "a\tb\nc\rd", "a\tb\nc&#13;d", "a&#9;b&#10;c&#13;d"},
      // Bad UTF-8 (a lone continuation byte, 0xff), NUL and other C0 controls; DEL and é stay.
      {std::string("\x80x\xff\0\x01\x1f\x7f\xc3\xa9", 9),
       "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD\x01\x1f\x7f\xc3\xa9", "?x????\x7f\xc3\xa9",
       "?x????\x7f\xc3\xa9"},
      // A truncated sequence at the end.
      {"ok \xe2\x82", "ok \xEF\xBF\xBD\xEF\xBF\xBD", "ok ??", "ok ??"},
      {"", "", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(EscapeMarkup(c.text, Markup::kHtml), c.html);
    EXPECT_EQ(EscapeMarkup(c.text, Markup::kXmlText), c.xml_text);
    EXPECT_EQ(EscapeMarkup(c.text, Markup::kXmlAttribute), c.xml_attribute);
  }
}

}  // namespace
}  // namespace sre_eval
