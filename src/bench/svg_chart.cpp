#include "bench/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/strings.h"

namespace mlfaas::bench {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
constexpr int kLeft = 72, kRight = 24, kTop = 56, kBottom = 52;
constexpr const char* kFont = "font-family=\"Helvetica,Arial,sans-serif\"";

std::string color_at(const std::string& given, size_t i) {
  return given.empty() ? kPalette[i % std::size(kPalette)] : given;
}

// Maps data values to pixels along one axis.
struct Scale {
  double lo, hi;  // data range
  double p0, p1;  // pixel range
  bool log;
  double operator()(double v) const {
    double a = log ? std::log10(std::max(v, lo)) : v, l = log ? std::log10(lo) : lo, h = log ? std::log10(hi) : hi;
    if (h == l) return (p0 + p1) / 2;
    return p0 + (a - l) / (h - l) * (p1 - p0);
  }
};

std::string header(int w, int h, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" {2}>\n"
      "<title>{3}</title>\n<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{4}\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{3}</text>\n",
      w, h, kFont, svg_escape(title), kLeft);
}

// Legend entries in one row under the title.
std::string legend(const std::vector<std::pair<std::string, std::string>>& entries, bool lines) {
  std::string out;
  double x = kLeft;
  for (auto& [name, color] : entries) {
    if (lines)
      out += fmt::format("<line x1=\"{:.1f}\" y1=\"38\" x2=\"{:.1f}\" y2=\"38\" stroke=\"{}\" stroke-width=\"3\"/>\n", x, x + 18, color);
    else
      out += fmt::format("<rect x=\"{:.1f}\" y=\"32\" width=\"14\" height=\"12\" fill=\"{}\"/>\n", x, color);
    out += fmt::format("<text x=\"{:.1f}\" y=\"42\" font-size=\"12\" fill=\"#333\">{}</text>\n", x + 22, svg_escape(name));
    x += 22 + 7.0 * double(name.size()) + 18;
  }
  return out;
}

std::string y_axis(const Scale& y, const std::vector<double>& ticks, int width, const std::string& label, int height) {
  std::string out;
  for (double t : ticks) {
    double py = y(t);
    out += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#e3e3e3\"/>\n", kLeft, py, width - kRight, py);
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#444\" text-anchor=\"end\">{}</text>\n", kLeft - 6,
                       py + 4, tick_label(t));
  }
  const double mid = (kTop + (height - kBottom)) / 2.0;
  out += fmt::format("<text x=\"16\" y=\"{:.1f}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 16 {:.1f})\">{}</text>\n",
                     mid, mid, svg_escape(label));
  return out;
}

std::string frame(int width, int height) {
  return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", kLeft, kTop,
                     width - kLeft - kRight, height - kTop - kBottom);
}

std::string no_data(int width, int height) {
  return fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#888\" text-anchor=\"middle\">no data</text>\n",
                     width / 2, height / 2);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) hi = lo == 0 ? 1 : lo + std::abs(lo) * 0.1;
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  const double first = std::floor(lo / step + 1e-9) * step;
  for (double t = first; t < hi + step * 0.999; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
    if (ticks.size() > 100) break;
  }
  if (ticks.size() < 2) ticks.push_back(first + step);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi > lo)) return ticks;
  const bool wide = hi / lo > 1e3;  // wide ranges: decades only
  for (double dec = std::pow(10, std::floor(std::log10(lo))); dec <= hi * 1.0001; dec *= 10)
    for (double m : {1.0, 2.0, 5.0}) {
      if (wide && m != 1.0) continue;
      double t = m * dec;
      if (t >= lo * 0.9999 && t <= hi * 1.0001) ticks.push_back(t);
    }
  return ticks;
}

std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (a >= 1e6) return trim(fmt::format("{:.2f}", v / 1e6)) + "M";
  if (a >= 1e4) return trim(fmt::format("{:.2f}", v / 1e3)) + "k";
  if (a >= 1) return trim(fmt::format("{:.2f}", v));
  return trim(fmt::format("{:.{}f}", v, std::min(9, int(-std::floor(std::log10(a))) + 2)));
}

std::string svg_escape(const std::string& s) { return xml_escape(s); }

std::string render_line_chart(const LineChart& c) {
  std::string out = header(c.width, c.height, c.title);
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (auto& s : c.series)
    for (auto [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (c.x.log && x <= 0) continue;
      if (c.y.log && y <= 0) continue;
      xmin = std::min(xmin, x), xmax = std::max(xmax, x), ymin = std::min(ymin, y), ymax = std::max(ymax, y);
    }
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t i = 0; i < c.series.size(); ++i) entries.emplace_back(c.series[i].name, color_at(c.series[i].color, i));
  out += legend(entries, true);
  if (!std::isfinite(xmin)) {
    out += frame(c.width, c.height) + no_data(c.width, c.height) + "</svg>\n";
    return out;
  }
  if (c.x.min) xmin = *c.x.min;
  if (c.x.max) xmax = *c.x.max;
  if (c.y.min) ymin = *c.y.min;
  if (c.y.max) ymax = *c.y.max;
  if (!c.x.log && !c.x.min) xmin = std::min(xmin, 0.0);
  if (!c.y.log && !c.y.min) ymin = std::min(ymin, 0.0);

  std::vector<double> xt = !c.x.ticks.empty() ? c.x.ticks : c.x.log ? log_ticks(xmin, xmax) : nice_ticks(xmin, xmax, 8);
  std::vector<double> yt = !c.y.ticks.empty() ? c.y.ticks : c.y.log ? log_ticks(ymin, ymax) : nice_ticks(ymin, ymax, 5);
  std::sort(xt.begin(), xt.end());
  std::sort(yt.begin(), yt.end());
  if (!c.x.log && !c.x.max) xmax = xt.back();
  if (!c.x.log && !c.x.min) xmin = xt.front();
  if (!c.y.log && !c.y.max) ymax = yt.back();
  if (!c.y.log && !c.y.min) ymin = yt.front();
  if (c.x.log && xmax <= xmin) xmax = xmin * 10;
  if (c.y.log && ymax <= ymin) ymax = ymin * 10;
  Scale sx{xmin, xmax, double(kLeft), double(c.width - kRight), c.x.log};
  Scale sy{ymin, ymax, double(c.height - kBottom), double(kTop), c.y.log};

  out += y_axis(sy, yt, c.width, c.y.label, c.height);
  for (double t : xt) {
    if (t < xmin - 1e-9 * std::abs(xmax) || t > xmax + 1e-9 * std::abs(xmax)) continue;
    double px = sx(t);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#eeeeee\"/>\n", px, kTop, px, c.height - kBottom);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">{}</text>\n", px,
                       c.height - kBottom + 16, tick_label(t));
  }
  out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">{}</text>\n",
                     (kLeft + c.width - kRight) / 2.0, c.height - 12, svg_escape(c.x.label));
  out += frame(c.width, c.height);

  for (size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    std::string pts;
    auto flush = [&] {
      if (!pts.empty())
        out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>\n",
                           color_at(s.color, i), s.dashed ? " stroke-dasharray=\"6 4\"" : "", pts);
      pts.clear();
    };
    for (auto [x, y] : s.points) {
      if (!std::isfinite(y) || !std::isfinite(x) || (c.x.log && x <= 0) || (c.y.log && y <= 0)) {
        flush();
        continue;
      }
      pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ", sx(std::clamp(x, xmin, xmax)),
                         sy(std::clamp(y, ymin, ymax)));
    }
    flush();
    // Dots where asked for, and always for a lone point (a line needs two).
    if (s.markers || s.points.size() == 1)
      for (auto [x, y] : s.points) {
        if (!std::isfinite(y) || !std::isfinite(x) || (c.x.log && x <= 0) || (c.y.log && y <= 0)) continue;
        out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", sx(std::clamp(x, xmin, xmax)),
                           sy(std::clamp(y, ymin, ymax)), color_at(s.color, i));
      }
  }
  out += "</svg>\n";
  return out;
}

std::string render_bar_chart(const BarChart& c) {
  std::string out = header(c.width, c.height, c.title);
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t i = 0; i < c.series.size(); ++i) entries.emplace_back(c.series[i].name, color_at(c.series[i].color, i));
  if (c.series.size() > 1) out += legend(entries, false);
  double ymax = 0;
  for (auto& s : c.series)
    for (double v : s.values)
      if (std::isfinite(v)) ymax = std::max(ymax, v);
  std::vector<double> yt = nice_ticks(0, ymax > 0 ? ymax * 1.08 : 1, 5);  // headroom for the value labels
  Scale sy{0, yt.back(), double(c.height - kBottom), double(kTop), false};
  out += y_axis(sy, yt, c.width, c.y_label, c.height);
  out += frame(c.width, c.height);

  const size_t groups = std::max<size_t>(1, c.categories.size());
  const double plot_w = c.width - kLeft - kRight;
  const double group_w = plot_w / double(groups);
  const double bar_w = std::min(80.0, group_w * 0.7 / double(std::max<size_t>(1, c.series.size())));
  for (size_t g = 0; g < c.categories.size(); ++g) {
    const double center = kLeft + group_w * (double(g) + 0.5);
    const double start = center - bar_w * double(c.series.size()) / 2;
    for (size_t s = 0; s < c.series.size(); ++s) {
      double v = g < c.series[s].values.size() ? c.series[s].values[g] : std::nan("");
      if (!std::isfinite(v)) continue;
      const double x = start + bar_w * double(s), y = sy(v);
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x + 1, y,
                         bar_w - 2, sy(0) - y, color_at(c.series[s].color, s));
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#222\" text-anchor=\"middle\">{}</text>\n",
                         x + bar_w / 2, y - 4, svg_escape(fmt::format(fmt::runtime(c.value_format), v)));
    }
    std::string label = c.categories[g];
    const size_t max_chars = size_t(std::max(6.0, group_w / 7));
    if (label.size() > max_chars) label = label.substr(0, max_chars - 3) + "...";
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">{}</text>\n",
                       center, c.height - kBottom + 18, svg_escape(label));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace mlfaas::bench
