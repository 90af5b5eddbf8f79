#pragma once
// report.html: the Markdown of a report rendered to one self-contained HTML page, so a report
// opens in any browser straight from disk, next to report.md for GitHub. Covers exactly the
// Markdown the reports write: headings, paragraphs, "- " lists, fenced code, pipe tables with
// alignment, images, links, inline code, bold and entity references (&nbsp;). Anything else is
// escaped text, never raw HTML.
#include <string>
#include <string_view>

namespace mlfaas::bench {

std::string markdown_to_html(std::string_view markdown, std::string_view title);

}  // namespace mlfaas::bench
