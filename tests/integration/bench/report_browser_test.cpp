// The --report output opened in a real browser (Debian's headless Chromium): report.html loads
// from disk, its tables are there, and every SVG chart it shows decodes as an image. A broken SVG
// planted next to the charts proves the probe can tell.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/bench_target_server.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace mlfaas::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kChromium = "/usr/bin/chromium";

// Appended to a copy of report.html: once everything has loaded, writes what the browser made of
// each image into the DOM, which --dump-dom prints.
constexpr const char* kProbe = R"(<img src="planted-broken.svg" alt="planted">
<script>
window.addEventListener('load', () => {
  const images = [...document.images].map(i => ({src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight}));
  const out = {images, tables: document.querySelectorAll('table').length, title: document.title};
  const pre = document.createElement('pre');
  pre.textContent = 'PROBE' + JSON.stringify(out) + 'END';
  document.body.appendChild(pre);
});
</script>
</body>)";

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// Runs report.html (plus the probe) in headless Chromium; returns the probe's JSON.
boost::json::object browse(const fs::path& report_dir) {
  std::string html = read_binary(report_dir / "report.html");
  auto end = html.rfind("</body>");
  EXPECT_NE(end, std::string::npos);
  html.replace(end, 7, kProbe);
  write(report_dir / "probe.html", html);
  write(report_dir / "planted-broken.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"10\"");
  Subprocess p({kChromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + (report_dir / ".chromium").string(), "--allow-file-access-from-files",
                "--virtual-time-budget=5000", "--dump-dom", "file://" + (report_dir / "probe.html").string()});
  auto code = p.wait(60s);
  EXPECT_EQ(code, 0) << p.stderr_text();
  const std::string dom = p.stdout_text();
  // "PROBE{" is only in the output (the script's own text reads PROBE' + ...).
  auto a = dom.find("PROBE{"), b = dom.find("}END", a);
  if (a == std::string::npos || b == std::string::npos) {
    ADD_FAILURE() << "no probe output in the DOM:\n" << dom.substr(0, 2000) << "\n" << p.stderr_text();
    return {};
  }
  // --dump-dom serializes the text node: undo its &lt; &gt; &amp;.
  std::string json;
  for (size_t i = a + 5; i <= b; ++i) {
    if (dom.compare(i, 4, "&lt;") == 0) json += '<', i += 3;
    else if (dom.compare(i, 4, "&gt;") == 0) json += '>', i += 3;
    else if (dom.compare(i, 5, "&amp;") == 0) json += '&', i += 4;
    else json += dom[i];
  }
  return boost::json::parse(json).as_object();
}

// Every chart decodes with a size; the planted broken SVG does not.
void expect_charts_render(const boost::json::object& probe, size_t min_charts) {
  size_t charts = 0;
  bool saw_planted = false;
  for (auto& v : probe.at("images").as_array()) {
    auto& img = v.as_object();
    const std::string src(img.at("src").as_string());
    const auto w = img.at("w").to_number<int64_t>(), h = img.at("h").to_number<int64_t>();
    if (src == "planted-broken.svg") {
      saw_planted = true;
      EXPECT_EQ(w, 0) << "the probe cannot tell a broken SVG";
      continue;
    }
    ++charts;
    EXPECT_GT(w, 100) << src;
    EXPECT_GT(h, 100) << src;
  }
  EXPECT_TRUE(saw_planted);
  EXPECT_GE(charts, min_charts);
}

struct ReportInBrowser : ::testing::Test {
  BenchTargetServer server;
  fs::path dir = make_temp_dir("bench-browser");
  void SetUp() override {
    if (!fs::exists(kChromium)) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    server.start();
  }
  int bench(std::vector<std::string> args) {
    args.insert(args.begin(), mlfaas_exe().string());
    Subprocess p(args);
    auto code = p.wait(30s);
    EXPECT_EQ(code, 0) << p.stderr_text();
    return code.value_or(-1);
  }
};

TEST_F(ReportInBrowser, RunReportShowsTablesAndEveryChart) {
  ASSERT_EQ(bench({"bench", server.url("/cycle?statuses=200,200,503"), "-d", "1500ms", "-c", "4", "--label",
                   "browser <check>", "--json", (dir / "run.json").string(), "--report", (dir / "report").string()}),
            0);
  auto probe = browse(dir / "report");
  ASSERT_FALSE(probe.empty());
  EXPECT_EQ(probe.at("title"), "mlfaas bench: browser <check>");
  EXPECT_GE(probe.at("tables").to_number<int64_t>(), 3);  // settings, summary, latency
  expect_charts_render(probe, 3);                         // throughput, latency, latency CDF
}

TEST_F(ReportInBrowser, CompareReportShowsEveryBarChart) {
  for (const char* name : {"a", "b"})
    ASSERT_EQ(bench({"bench", server.url("/"), "-d", "500ms", "-c", "2", "--label", name, "--json",
                     (dir / (std::string(name) + ".json")).string()}),
              0);
  ASSERT_EQ(bench({"bench", "compare", (dir / "a.json").string(), (dir / "b.json").string(), "--report",
                   (dir / "cmp").string()}),
            0);
  auto probe = browse(dir / "cmp");
  ASSERT_FALSE(probe.empty());
  EXPECT_GE(probe.at("tables").to_number<int64_t>(), 1);
  expect_charts_render(probe, 4);  // requests/s, latency, failures, transfer
}

}  // namespace
}  // namespace mlfaas::test
