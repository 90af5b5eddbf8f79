#pragma once
// Dependency-free SVG charts for the reports: line charts (timelines, CDF, sweeps) and grouped bar
// charts (comparisons). Plain SVG 1.1 with a white background, no scripts, no external fonts, so
// the files render the same in a browser and on GitHub.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlfaas::bench {

struct Axis {
  std::string label;
  bool log = false;  // log10 scale (values must be > 0)
  std::optional<double> min, max;  // default: from the data (linear axes start at 0)
  std::vector<double> ticks;       // explicit tick positions (e.g. a sweep's concurrency steps)
};

struct LineSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y); a NaN y breaks the line
  std::string color;                              // empty: from the palette
  bool dashed = false;
  bool markers = false;  // a dot on every point (few, meaningful points such as sweep steps)
};

struct LineChart {
  std::string title;
  Axis x, y;
  std::vector<LineSeries> series;
  int width = 760, height = 320;
};

struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category
  std::string color;
};

struct BarChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;  // bars of a category stand side by side
  std::string value_format = "{:.2f}";  // fmt format of the value printed above each bar
  int width = 760, height = 320;
};

std::string render_line_chart(const LineChart& chart);
std::string render_bar_chart(const BarChart& chart);

// Axis ticks at 1, 2 or 5 times a power of ten, covering [lo, hi] with about `target` ticks; the
// first tick is <= lo and the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// 1, 2, 5 x 10^k ticks inside [lo, hi] for log axes (at least the decades).
std::vector<double> log_ticks(double lo, double hi);
// A tick label with just enough decimals: 0.5, 2, 1500 -> "1.5k", 0.001 -> "0.001".
std::string tick_label(double v);
// Escapes &, <, >, " for SVG text and attributes.
std::string svg_escape(const std::string& text);

}  // namespace mlfaas::bench
