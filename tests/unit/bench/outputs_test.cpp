// Outputs from a synthetic run: the wrk-shaped summary, JSON, CSV, SVG charts, the Markdown
// report, the comparison table, and the progress line.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <sstream>

#include "bench/compare.h"
#include "bench/progress.h"
#include "bench/report.h"
#include "bench/result_json.h"
#include "bench/summary_text.h"
#include "bench/svg_chart.h"
#include "support/paths.h"

namespace mlfaas::bench {
namespace {

namespace json = boost::json;

BenchPlan sample_plan(LoadMode mode = LoadMode::closed) {
  BenchOptions o;
  o.url = "http://127.0.0.1:8080/classify";
  o.connections = 16;
  o.threads = 1;
  o.duration = "3s";
  o.label = "sample";
  if (mode == LoadMode::open) o.rate = 100;
  if (mode == LoadMode::sweep) o.sweep = "1:4:x2";
  return resolve_plan(o, [](const std::string&) { return std::string(); });
}

// 3 seconds: 100 responses/s at 10-30 ms, some 503s, 2 timeouts and a refused connect.
RunResult sample_result() {
  RunResult r;
  r.started_at = "2024-01-02T03:04:05Z";
  r.elapsed_s = 2.5;
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < 100; ++i) {
      const double us = 10000 + 200 * i;
      const int status = i % 25 == 0 ? 503 : 200;
      r.data.total.record_response(status, 250, us);
      r.data.seconds.at(s + 0.5).record_response(status, 250, us);
    }
  for (int i = 0; i < 2; ++i) {
    r.data.total.record_failure(Cause::timeout, 2'000'100);
    r.data.seconds.at(2.2).record_failure(Cause::timeout, 2'000'100);
  }
  r.data.total.record_failure(Cause::connect, 50);
  r.data.seconds.at(0.1).record_failure(Cause::connect, 50);
  r.connections_opened = 16;
  r.thread_second_rates = {100, 100};
  GatewaySample g1{0.0, true, 200, 1, 1, 0, ""}, g2{1.0, true, 200, 2, 1, 4, ""}, g3{2.0, false, 0, {}, {}, {}, "refused"};
  r.gateway = {g1, g2, g3};
  return r;
}

TEST(Summary, HasWrksShapeAndWhatWrkLeavesOut) {
  auto text = summary_text(sample_plan(), sample_result());
  for (const char* line : {"Running 3.00s test @ http://127.0.0.1:8080/classify", "1 threads and 16 connections",
                           "Thread Stats   Avg      Stdev     Max   +/- Stdev", "    Latency ", "    Req/Sec ",
                           "Latency Distribution", "     50% ", "   99.9% ", "303 requests in 2.50s",
                           "Socket errors: connect 1, read 0, write 0, timeout 2", "Non-2xx responses: 12",
                           "Requests/sec:     121.20", "Transfer/sec: ", "Status codes: 200 x 288, 503 x 12",
                           "Failures by cause: connect 1, write 0, read 0, timeout 2, non-2xx 12 (15 of 303 requests",
                           "2 requests got no response within 2.00s", "wrk leaves them out too"})
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\n" << text;
}

TEST(Summary, OpenLoopReportsSendLag) {
  auto r = sample_result();
  r.data.send_lag.record(120);
  r.data.send_lag.record(35000);
  auto text = summary_text(sample_plan(LoadMode::open), r);
  EXPECT_NE(text.find("open loop at 100.00 requests/s (constant arrivals)"), std::string::npos) << text;
  EXPECT_NE(text.find("Send lag"), std::string::npos);
  EXPECT_NE(text.find("max 35.00ms"), std::string::npos) << text;
}

TEST(Json, HoldsSettingsSummaryHistogramTimelineAndGateway) {
  auto plan = sample_plan();
  plan.gateway_origin = "http://127.0.0.1:8080";
  plan.function = "classifier";
  auto doc = result_to_json(plan, sample_result(), "0.1.0", "mlfaas bench ...");
  // Round-trips through text.
  auto parsed = json::parse(json::serialize(doc)).as_object();
  EXPECT_EQ(parsed.at("format"), "mlfaas-bench");
  EXPECT_EQ(parsed.at("mlfaas_version"), "0.1.0");
  EXPECT_EQ(parsed.at("started_at"), "2024-01-02T03:04:05Z");
  auto& settings = parsed.at("settings").as_object();
  EXPECT_EQ(settings.at("connections"), 16);
  EXPECT_EQ(settings.at("mode"), "closed");
  EXPECT_EQ(settings.at("timeout_ms"), 2000);
  auto& summary = parsed.at("summary").as_object();
  EXPECT_EQ(summary.at("requests"), 303);
  EXPECT_NEAR(summary.at("requests_per_s").as_double(), 121.2, 1e-9);
  EXPECT_EQ(summary.at("status").at("503"), 12);
  EXPECT_EQ(summary.at("failures").at("timeout"), 2);
  EXPECT_EQ(summary.at("failures").at("total"), 15);
  EXPECT_EQ(summary.at("timeouts").at("count"), 2);
  EXPECT_GT(summary.at("latency_with_timeouts_ms").at("p99_9").as_double(), 1900);  // 2 of 302 timed out
  EXPECT_LT(summary.at("latency_ms").at("p99").as_double(), 31);
  uint64_t in_buckets = 0;
  for (auto& b : parsed.at("latency_histogram").at("buckets").as_array()) in_buckets += b.as_array()[2].to_number<uint64_t>();
  EXPECT_EQ(in_buckets, 300u);
  auto& timeline = parsed.at("timeline").as_array();
  ASSERT_EQ(timeline.size(), 3u);
  EXPECT_EQ(timeline[0].at("requests"), 101);
  EXPECT_DOUBLE_EQ(timeline[2].at("seconds").as_double(), 0.5);  // the run ended at 2.5 s
  EXPECT_DOUBLE_EQ(timeline[2].at("requests_per_s").as_double(), 204);
  EXPECT_EQ(timeline[1].at("replicas"), 2);
  EXPECT_EQ(timeline[1].at("queue_depth"), 4);
  EXPECT_TRUE(timeline[2].at("replicas").is_null());
  auto& gw = parsed.at("gateway").as_object();
  EXPECT_EQ(gw.at("status_url"), "http://127.0.0.1:8080/system/function/classifier");
  EXPECT_EQ(gw.at("samples").as_array().size(), 3u);
}

TEST(Csv, OneRowPerSecond) {
  auto csv = timeline_csv(sample_result());
  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("t_s,seconds,requests,requests_per_s,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("0,1.000,101,101.000,", 0), 0u) << lines[1];
  EXPECT_NE(lines[2].find(",2,1,4"), std::string::npos) << lines[2];  // replicas, ready, queue
}

TEST(Svg, NiceTicksAndLabels) {
  EXPECT_EQ(nice_ticks(0, 100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0, 93, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  auto t = nice_ticks(0, 0.7, 5);
  EXPECT_DOUBLE_EQ(t[1], 0.2);
  EXPECT_GE(t.back(), 0.7);
  EXPECT_GE(nice_ticks(5, 5).size(), 2u);
  EXPECT_EQ(log_ticks(1, 100), (std::vector<double>{1, 2, 5, 10, 20, 50, 100}));
  EXPECT_EQ(log_ticks(0.1, 1e4), (std::vector<double>{0.1, 1, 10, 100, 1000, 10000}));
  EXPECT_EQ(tick_label(0), "0");
  EXPECT_EQ(tick_label(0.2), "0.2");
  EXPECT_EQ(tick_label(2), "2");
  EXPECT_EQ(tick_label(2.5), "2.5");
  EXPECT_EQ(tick_label(15000), "15k");
  EXPECT_EQ(tick_label(0.005), "0.005");
  EXPECT_EQ(svg_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

// Every element opened is closed (a cheap well-formedness check without an XML parser).
void expect_balanced_svg(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::regex open("<([a-z]+)[ >]"), close("</([a-z]+)>"), self("/>");
  auto count = [&](const std::regex& re) { return std::distance(std::sregex_iterator(svg.begin(), svg.end(), re), std::sregex_iterator()); };
  EXPECT_EQ(count(open), count(close) + count(self)) << svg;
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(Svg, LineChartWithGapsAndLogAxis) {
  LineChart c;
  c.title = "T <1>";
  c.x.label = "x";
  c.y.label = "y";
  c.series = {{"a", {{0, 1}, {1, 2}, {2, std::nan("")}, {3, 4}}, "", false}, {"b", {{1, 3}}, "#000", true}};
  auto svg = render_line_chart(c);
  expect_balanced_svg(svg);
  EXPECT_NE(svg.find("T &lt;1&gt;"), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 10, true);
  size_t polylines = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) ++polylines;
  EXPECT_EQ(polylines, 3u);  // a is broken in two by the NaN, b is one point
  c.x.log = true;
  c.series[0].points = {{0.5, 1}, {10, 2}, {500, 3}};
  expect_balanced_svg(render_line_chart(c));
  LineChart empty;
  empty.title = "nothing";
  auto e = render_line_chart(empty);
  expect_balanced_svg(e);
  EXPECT_NE(e.find("no data"), std::string::npos);
}

TEST(Svg, ExplicitTicksAndMarkers) {
  LineChart c;
  c.x.log = true;
  c.x.ticks = {16, 1, 4};  // sweep steps, in any order
  c.series = {{"rps", {{1, 40}, {4, 60}, {16, 150}}, "", false, true}};
  auto svg = render_line_chart(c);
  expect_balanced_svg(svg);
  for (const char* label : {">1<", ">4<", ">16<"}) EXPECT_NE(svg.find(label), std::string::npos) << label;
  EXPECT_EQ(svg.find(">2<"), std::string::npos);  // no automatic 1-2-5 ticks
  size_t dots = 0;
  for (size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) ++dots;
  EXPECT_EQ(dots, 3u);
}

TEST(Svg, BarChart) {
  BarChart b{"Requests per second", "req/s", {"knative", "openfaas"}, {{"rps", {100.39, 83.5}, ""}}};
  auto svg = render_bar_chart(b);
  expect_balanced_svg(svg);
  EXPECT_NE(svg.find(">100.39<"), std::string::npos);
  EXPECT_NE(svg.find(">openfaas<"), std::string::npos);
}

TEST(Report, MarkdownLinksEveryChartAndWritesThem) {
  auto plan = sample_plan();
  auto r = sample_result();
  auto charts = report_charts(plan, r);
  std::vector<std::string> names;
  for (auto& c : charts) {
    names.push_back(c.file);
    expect_balanced_svg(c.svg);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"throughput.svg", "latency.svg", "replicas.svg", "queue-depth.svg", "latency-cdf.svg"}));
  auto md = report_markdown(plan, r, "mlfaas bench http://127.0.0.1:8080/classify", "0.1.0", charts);
  for (auto& n : names) EXPECT_NE(md.find("](" + n + ")"), std::string::npos) << n;
  EXPECT_NE(md.find("mlfaas bench http://127.0.0.1:8080/classify"), std::string::npos);
  EXPECT_NE(md.find("| 303 | 121.20 |"), std::string::npos) << md;
  EXPECT_NE(md.find("2 requests timed out"), std::string::npos);

  auto dir = test::make_temp_dir("bench-report");
  auto written = write_report(dir / "sub", plan, r, "cmd", "0.1.0");
  EXPECT_EQ(written.size(), 7u);  // 5 charts, report.md, report.html
  for (auto& f : written) EXPECT_GT(std::filesystem::file_size(f), 100u) << f;
}

TEST(Report, SweepAddsItsTableAndCharts) {
  auto plan = sample_plan(LoadMode::sweep);
  RunResult r = sample_result();
  r.gateway.clear();
  for (int c : {1, 2, 4}) {
    SweepStep s;
    s.concurrency = c;
    s.stable = c != 4;
    s.windows = {{100.0 * c, 10000, 10000}, {100.0 * c, 10000, 10000}, {100.0 * c, 10000, 10000}};
    for (int i = 0; i < 300 * c; ++i) s.measured.record_response(200, 10, 10000);
    s.measured_seconds = 3;
    r.sweep.push_back(s);
  }
  r.concurrency_changes = {{0, 1}, {1, 2}, {2, 4}};
  auto charts = report_charts(plan, r);
  ASSERT_EQ(charts.size(), 5u);
  EXPECT_EQ(charts[3].file, "sweep-throughput.svg");
  auto md = report_markdown(plan, r, "cmd", "0.1.0", charts);
  EXPECT_NE(md.find("| 4 | 400.00 |"), std::string::npos) << md;
  auto table = sweep_table_text(plan, r);
  EXPECT_NE(table.find("concurrency"), std::string::npos);
  EXPECT_NE(table.find("no (3)"), std::string::npos) << table;
  auto doc = result_to_json(plan, r, "0.1.0", "cmd");
  EXPECT_EQ(doc.at("sweep").as_array().size(), 3u);
  EXPECT_EQ(doc.at("timeline").as_array()[1].at("concurrency"), 2);
}

TEST(Compare, ReadsJsonBackAndPrintsTheStudysTable) {
  auto a_plan = sample_plan();
  a_plan.label = "knative";
  auto b_plan = sample_plan();
  b_plan.label = "openfaas";
  auto b_result = sample_result();
  b_result.elapsed_s = 5;
  auto a = compare_entry_from_json(result_to_json(a_plan, sample_result(), "0.1.0", "a"), "a.json");
  auto b = compare_entry_from_json(result_to_json(b_plan, b_result, "0.1.0", "b"), "b.json");
  EXPECT_EQ(a.label, "knative");
  EXPECT_NEAR(a.rps, 121.2, 1e-9);
  EXPECT_NEAR(b.rps, 60.6, 1e-9);
  EXPECT_EQ(a.failures[size_t(Cause::non_2xx)], 12u);
  EXPECT_EQ(a.failed, 15u);
  auto text = compare_text({a, b});
  for (const char* s : {"knative", "openfaas", "Requests per second", "121.20", "60.60", "Average latency",
                        "Non-2xx responses", "Transfer rate (KB/s)", "p99 latency", "timeouts"})
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
  auto charts = compare_charts({a, b});
  ASSERT_EQ(charts.size(), 4u);
  for (auto& c : charts) expect_balanced_svg(c.svg);
  auto md = compare_markdown({a, b}, "mlfaas bench compare a.json b.json", {"compare-rps.svg"});
  EXPECT_NE(md.find("| metric | knative | openfaas |"), std::string::npos) << md;
  EXPECT_NE(md.find("![compare-rps.svg](compare-rps.svg)"), std::string::npos);
}

TEST(Compare, RejectsOtherJson) {
  EXPECT_THROW(compare_entry_from_json(json::parse("[1]"), "x.json"), std::invalid_argument);
  EXPECT_THROW(compare_entry_from_json(json::parse(R"({"format":"other"})"), "x.json"), std::invalid_argument);
  EXPECT_THROW(compare_entry_from_json(json::parse(R"({"format":"mlfaas-bench"})"), "x.json"), std::invalid_argument);
}

TEST(Progress, Line) {
  Progress p;
  p.elapsed_s = 12;
  p.completed = 1550;
  p.failed = 3;
  p.last_second_rps = 154.9;
  p.last_second_p99_us = 163500;
  EXPECT_EQ(progress_line(p, false), "[  12.0s]     154.9 req/s  p99  163.50ms  1550 requests, 3 failed");
  p.concurrency = 8;
  EXPECT_NE(progress_line(p, true).find("concurrency    8"), std::string::npos);
  std::FILE* f = std::tmpfile();
  ProgressPrinter quiet(f, false);  // a file is not a terminal
  EXPECT_FALSE(quiet.enabled());
  quiet.print(p);
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

}  // namespace
}  // namespace mlfaas::bench
