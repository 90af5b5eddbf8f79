// The rendered text must pass Prometheus' own linter (promtool from the Debian prometheus package).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "metrics/registry.h"
#include "support/paths.h"

namespace mlfaas::metrics {
namespace {

struct CheckResult {
  int exit_code;
  std::string output;
};

CheckResult promtool_check(const std::string& text) {
  auto dir = test::make_temp_dir("promtool");
  auto file = dir / "metrics.txt";
  test::write_binary(file, text);
  std::string cmd = "promtool check metrics < '" + file.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

bool have_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

TEST(Promtool, AcceptsRenderedSample) {
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed (apt install prometheus)";
  Registry reg;
  auto& req = reg.counter("mlfaas_http_requests_total", "HTTP requests by route and status.", {"route", "code"});
  req.with({{"route", "/classify"}, {"code", "200"}}).inc(41);
  req.with({{"route", "/weird\"path\\with\nnewline"}, {"code", "500"}}).inc();
  reg.gauge("mlfaas_queue_depth", "Jobs waiting for a worker.\nSecond line with \\ backslash.").get().set(-2.5);
  auto& lat = reg.histogram("mlfaas_request_duration_seconds", "Request latency.",
                            exponential_buckets(0.0005, 2.5, 12), {"route"});
  for (double v : {0.0001, 0.003, 0.02, 0.7, 3.0, 100.0}) lat.with({{"route", "/classify"}}).observe(v);
  lat.with({{"route", "/healthz"}});
  reg.histogram("mlfaas_batch_size", "Images per batch.", linear_buckets(1, 1, 8)).get().observe(3);
  reg.gauge_callback("mlfaas_models_loaded", "Models in memory.", [] { return 2.0; });
  reg.gauge("mlfaas_special_values", "Inf and NaN.", {"kind"}).with({{"kind", "inf"}}).set(HUGE_VAL);
  reg.gauge("mlfaas_special_values", "Inf and NaN.", {"kind"}).with({{"kind", "nan"}}).set(std::nan(""));
  reg.gauge("mlfaas_tiny", "Exponent notation.").get().set(1.25e-9);
  auto text = reg.render();
  auto r = promtool_check(text);
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n--- input ---\n" << text;
  EXPECT_EQ(r.output, "") << text;
}

// The harness itself can fail: promtool rejects a broken exposition.
TEST(Promtool, RejectsBrokenText) {
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed (apt install prometheus)";
  auto r = promtool_check("# TYPE x counter\nx{a=\"unterminated} 1\n");
  EXPECT_NE(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace mlfaas::metrics
