#include "bench/markdown_html.h"

#include <vector>

#include "common/strings.h"

namespace mlfaas::bench {
namespace {

// Relative paths and http(s) only: a label that smuggles in `javascript:` stays text.
bool safe_url(std::string_view u) {
  const size_t colon = u.find(':');
  if (colon == std::string_view::npos || u.substr(0, colon).find('/') != std::string_view::npos) return true;
  return u.substr(0, 7) == "http://" || u.substr(0, 8) == "https://";
}

// `code`, ![alt](src), [text](href), **bold**; everything else escaped.
std::string inline_html(std::string_view s) {
  std::string out;
  size_t i = 0;
  auto bracket_link = [&](size_t open, std::string& text, std::string& target) -> size_t {
    size_t close = s.find("](", open);
    if (close == std::string_view::npos) return 0;
    size_t end = s.find(')', close + 2);
    if (end == std::string_view::npos || !safe_url(s.substr(close + 2, end - close - 2))) return 0;
    text = std::string(s.substr(open + 1, close - open - 1));
    target = std::string(s.substr(close + 2, end - close - 2));
    return end + 1;
  };
  while (i < s.size()) {
    if (s[i] == '`') {
      size_t end = s.find('`', i + 1);
      if (end != std::string_view::npos) {
        out += "<code>" + xml_escape(s.substr(i + 1, end - i - 1)) + "</code>";
        i = end + 1;
        continue;
      }
    }
    if (s.substr(i, 2) == "**") {
      size_t end = s.find("**", i + 2);
      if (end != std::string_view::npos) {
        out += "<strong>" + inline_html(s.substr(i + 2, end - i - 2)) + "</strong>";
        i = end + 2;
        continue;
      }
    }
    std::string text, target;
    if (s.substr(i, 2) == "![") {
      if (size_t next = bracket_link(i + 1, text, target)) {
        out += "<img src=\"" + xml_escape(target) + "\" alt=\"" + xml_escape(text) + "\">";
        i = next;
        continue;
      }
    }
    if (s[i] == '[') {
      if (size_t next = bracket_link(i, text, target)) {
        out += "<a href=\"" + xml_escape(target) + "\">" + inline_html(text) + "</a>";
        i = next;
        continue;
      }
    }
    if (s[i] == '&') {  // an entity reference (&nbsp;, &#8201;) is safe and means what it says
      size_t semi = s.find(';', i);
      auto name = semi == std::string_view::npos ? std::string_view{} : s.substr(i + 1, semi - i - 1);
      if (!name.empty() && name.size() <= 8 &&
          name.find_first_not_of("#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
              std::string_view::npos) {
        out += s.substr(i, semi - i + 1);
        i = semi + 1;
        continue;
      }
    }
    out += xml_escape(s.substr(i, 1));
    ++i;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "| a | b |" -> {"a", "b"}; "\|" stays a literal pipe inside a cell.
std::vector<std::string> table_cells(std::string_view line) {
  line = trim(line);
  if (!line.empty() && line.front() == '|') line.remove_prefix(1);
  if (!line.empty() && line.back() == '|' && (line.size() < 2 || line[line.size() - 2] != '\\')) line.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cur += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.emplace_back(trim(cur));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  cells.emplace_back(trim(cur));
  return cells;
}

const char* alignment(std::string_view sep) {
  sep = trim(sep);
  const bool left = !sep.empty() && sep.front() == ':', right = !sep.empty() && sep.back() == ':';
  if (left && right) return " style=\"text-align:center\"";
  if (right) return " style=\"text-align:right\"";
  return "";
}

void render_table(const std::vector<std::string_view>& rows, std::string& out) {
  std::vector<std::string> header = table_cells(rows[0]);
  std::vector<std::string> seps = rows.size() > 1 ? table_cells(rows[1]) : std::vector<std::string>{};
  auto align = [&](size_t c) { return c < seps.size() ? alignment(seps[c]) : ""; };
  out += "<table>\n<thead><tr>";
  for (size_t c = 0; c < header.size(); ++c) out += std::string("<th") + align(c) + ">" + inline_html(header[c]) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (size_t r = 2; r < rows.size(); ++r) {
    out += "<tr>";
    auto cells = table_cells(rows[r]);
    for (size_t c = 0; c < cells.size(); ++c) out += std::string("<td") + align(c) + ">" + inline_html(cells[c]) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1f2328}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:4px 10px}"
    "th{background:#f6f8fa}pre{background:#f6f8fa;padding:1em;overflow-x:auto}"
    "code{font-family:ui-monospace,monospace;font-size:90%}img{max-width:100%;display:block;margin:1em 0}";

}  // namespace

std::string markdown_to_html(std::string_view markdown, std::string_view title) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= markdown.size();) {
    size_t nl = markdown.find('\n', pos);
    if (nl == std::string_view::npos) nl = markdown.size();
    lines.push_back(markdown.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string body;
  std::vector<std::string_view> paragraph;
  auto flush_paragraph = [&] {
    if (paragraph.empty()) return;
    body += "<p>";
    for (size_t k = 0; k < paragraph.size(); ++k) {
      if (k) body += ' ';
      body += inline_html(trim(paragraph[k]));
    }
    body += "</p>\n";
    paragraph.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::string_view t = trim(line);
    if (t.substr(0, 3) == "```") {
      flush_paragraph();
      body += "<pre><code>";
      for (++i; i < lines.size() && trim(lines[i]).substr(0, 3) != "```"; ++i) body += xml_escape(lines[i]) + "\n";
      body += "</code></pre>\n";
      continue;
    }
    if (t.empty()) {
      flush_paragraph();
      continue;
    }
    if (t.front() == '#') {
      size_t level = t.find_first_not_of('#');
      if (level != std::string_view::npos && level <= 6 && t[level] == ' ') {
        flush_paragraph();
        const char digit = char('0' + level);
        body.append("<h").append(1, digit).append(">").append(inline_html(trim(t.substr(level))));
        body.append("</h").append(1, digit).append(">\n");
        continue;
      }
    }
    if (t.substr(0, 2) == "- ") {
      flush_paragraph();
      body += "<ul>\n";
      for (; i < lines.size() && trim(lines[i]).substr(0, 2) == "- "; ++i)
        body += "<li>" + inline_html(trim(trim(lines[i]).substr(2))) + "</li>\n";
      --i;
      body += "</ul>\n";
      continue;
    }
    if (t.front() == '|') {
      flush_paragraph();
      std::vector<std::string_view> rows;
      for (; i < lines.size() && !trim(lines[i]).empty() && trim(lines[i]).front() == '|'; ++i) rows.push_back(lines[i]);
      --i;
      render_table(rows, body);
      continue;
    }
    paragraph.push_back(line);
  }
  flush_paragraph();
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  html.append(xml_escape(title)).append("</title>\n<style>").append(kStyle).append("</style>\n</head>\n<body>\n");
  html.append(body).append("</body>\n</html>\n");
  return html;
}

}  // namespace mlfaas::bench
