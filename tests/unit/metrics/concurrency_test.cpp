// Hot-path updates from many threads lose nothing; series creation and scrapes can run alongside.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/registry.h"

namespace mlfaas::metrics {
namespace {

constexpr int kThreads = 4;
constexpr int kPerThread = 100'000;

TEST(Concurrency, IncrementsFromManyThreadsAreExact) {
  Registry reg;
  auto& c = reg.counter("c_total", "h").get();
  auto& g = reg.gauge("g", "h").get();
  auto& h = reg.histogram("h", "h", {0.5, 1.5}).get();
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        g.inc(2);
        g.dec();
        h.observe(i % 2 ? 1.0 : 2.0);  // alternating buckets
        if (t == 0 && i % 10'000 == 0) (void)reg.render();  // scrapes race with updates
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value(), double(kThreads) * kPerThread);
  EXPECT_EQ(g.value(), double(kThreads) * kPerThread);
  auto s = h.snapshot();
  EXPECT_EQ(s.count, uint64_t(kThreads) * kPerThread);
  EXPECT_EQ(s.cumulative[0], 0u);
  EXPECT_EQ(s.cumulative[1], uint64_t(kThreads) * kPerThread / 2);
  EXPECT_EQ(s.sum, 1.5 * kThreads * kPerThread);
}

TEST(Concurrency, ConcurrentWithCreatesOneSeriesPerLabelSet) {
  Registry reg;
  auto& f = reg.counter("req_total", "h", {"route"});
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) f.with({{"route", "/r" + std::to_string(i % 50)}}).inc();
    });
  for (auto& t : ts) t.join();
  auto text = reg.render();
  for (int r = 0; r < 50; ++r) {
    std::string line = "req_total{route=\"/r" + std::to_string(r) + "\"} " + std::to_string(kThreads * 200) + "\n";
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace mlfaas::metrics
