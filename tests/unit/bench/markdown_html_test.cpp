// report.html: the Markdown subset the reports use, rendered without ever passing raw HTML through.
#include "bench/markdown_html.h"

#include <gtest/gtest.h>

using mlfaas::bench::markdown_to_html;

namespace {

std::string body(const std::string& html) {
  auto a = html.find("<body>\n"), b = html.rfind("</body>");
  return html.substr(a + 7, b - a - 7);
}

TEST(MarkdownHtml, DocumentHasTitleCharsetAndStyle) {
  auto html = markdown_to_html("# x\n", "run <1> & co");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<title>run &lt;1&gt; &amp; co</title>"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
}

TEST(MarkdownHtml, HeadingsParagraphsAndInlineCode) {
  EXPECT_EQ(body(markdown_to_html("# Top\n\n## Settings\n\nline one\nline `a<b>` two\n\nnext **bold**\n", "t")),
            "<h1>Top</h1>\n<h2>Settings</h2>\n<p>line one line <code>a&lt;b&gt;</code> two</p>\n"
            "<p>next <strong>bold</strong></p>\n");
  EXPECT_EQ(body(markdown_to_html("#not a heading\n", "t")), "<p>#not a heading</p>\n");
}

TEST(MarkdownHtml, FencedCodeIsVerbatimAndEscaped) {
  EXPECT_EQ(body(markdown_to_html("```\n| not a table |\n# not a heading\n<tag> & `x`\n```\nafter\n", "t")),
            "<pre><code>| not a table |\n# not a heading\n&lt;tag&gt; &amp; `x`\n</code></pre>\n<p>after</p>\n");
}

TEST(MarkdownHtml, TablesWithAlignmentAndEscapedPipes) {
  auto b = body(markdown_to_html("| name | rps | mid |\n| --- | ---: | :---: |\n| `a\\|b` | 1.5 | x |\n| c | 2 | y |\n", "t"));
  EXPECT_EQ(b,
            "<table>\n<thead><tr><th>name</th><th style=\"text-align:right\">rps</th>"
            "<th style=\"text-align:center\">mid</th></tr></thead>\n<tbody>\n"
            "<tr><td><code>a|b</code></td><td style=\"text-align:right\">1.5</td><td style=\"text-align:center\">x</td></tr>\n"
            "<tr><td>c</td><td style=\"text-align:right\">2</td><td style=\"text-align:center\">y</td></tr>\n"
            "</tbody>\n</table>\n");
  // The empty header row the reports use for key/value tables.
  EXPECT_NE(body(markdown_to_html("| | |\n| --- | --- |\n| URL | `u` |\n", "t")).find("<td>URL</td><td><code>u</code></td>"),
            std::string::npos);
}

TEST(MarkdownHtml, ImagesAndLinks) {
  EXPECT_EQ(body(markdown_to_html("![latency \"CDF\"](latency-cdf.svg)\n", "t")),
            "<p><img src=\"latency-cdf.svg\" alt=\"latency &quot;CDF&quot;\"></p>\n");
  EXPECT_EQ(body(markdown_to_html("see [the report](a/report.md) and [broken\n", "t")),
            "<p>see <a href=\"a/report.md\">the report</a> and [broken</p>\n");
}

TEST(MarkdownHtml, ListsAndEntityReferences) {
  EXPECT_EQ(body(markdown_to_html("Runs:\n\n- **a**: x\n- b & c\n\n| &nbsp;&nbsp;read | &#8201; |\n", "t")),
            "<p>Runs:</p>\n<ul>\n<li><strong>a</strong>: x</li>\n<li>b &amp; c</li>\n</ul>\n"
            "<table>\n<thead><tr><th>&nbsp;&nbsp;read</th><th>&#8201;</th></tr></thead>\n<tbody>\n</tbody>\n</table>\n");
  EXPECT_EQ(body(markdown_to_html("a &<b>; &toolongname;", "t")), "<p>a &amp;&lt;b&gt;; &amp;toolongname;</p>\n");
}

TEST(MarkdownHtml, RawHtmlNeverPassesThrough) {
  auto b = body(markdown_to_html("<script>alert(1)</script>\n| <img onerror=x> |\n| --- |\n", "t"));
  EXPECT_EQ(b.find("<script>"), std::string::npos);
  EXPECT_EQ(b.find("<img"), std::string::npos);
  EXPECT_NE(b.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(body(markdown_to_html("", "t")), "");
  EXPECT_EQ(body(markdown_to_html("[x](javascript:alert(1)) [y](https://e.org/a)", "t")),
            "<p>[x](javascript:alert(1)) <a href=\"https://e.org/a\">y</a></p>\n");
}

}  // namespace
