// Parsing durations and sweep ranges; wrk-style number formatting.
#include <gtest/gtest.h>

#include "bench/units.h"

namespace mlfaas::bench {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, UnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h"), 3600s);
  EXPECT_EQ(parse_duration("250us"), 250us);
  EXPECT_EQ(parse_duration("3"), 3s);
  EXPECT_EQ(parse_duration("0.25"), 250ms);
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* bad : {"", "s", "ten", "10x", "-1s", "1.2.3s", "ms", "5 s"})
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
  try {
    parse_duration("10x");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("10x"), std::string::npos);
  }
}

TEST(ParseSweep, MultiplicativeAdditiveListsAndSingles) {
  EXPECT_EQ(parse_sweep("1:64:x2"), (std::vector<int>{1, 2, 4, 8, 16, 32, 64}));
  EXPECT_EQ(parse_sweep("1:16:+4"), (std::vector<int>{1, 5, 9, 13}));
  EXPECT_EQ(parse_sweep("2:8:2"), (std::vector<int>{2, 4, 6, 8}));
  EXPECT_EQ(parse_sweep("1:3"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(parse_sweep("3:50:x3"), (std::vector<int>{3, 9, 27}));
  EXPECT_EQ(parse_sweep("8"), (std::vector<int>{8}));
  EXPECT_EQ(parse_sweep("1,4,16"), (std::vector<int>{1, 4, 16}));
}

TEST(ParseSweep, RejectsBadRanges) {
  for (const char* bad : {"", "0:4", "8:4", "1:64:x1", "1:64:+0", "a:b", "1:2:3:4", "1,,2", "1:100000:+1"})
    EXPECT_THROW(parse_sweep(bad), std::invalid_argument) << bad;
}

TEST(WrkFormat, LatencyBytesAndCounts) {
  EXPECT_EQ(format_latency_us(812), "812.00us");
  EXPECT_EQ(format_latency_us(102600), "102.60ms");
  EXPECT_EQ(format_latency_us(1280000), "1.28s");
  EXPECT_EQ(format_latency_us(150e6), "2.50m");
  EXPECT_EQ(format_bytes(512), "512.00B");
  EXPECT_EQ(format_bytes(24.42 * 1024), "24.42KB");
  EXPECT_EQ(format_bytes(1.2 * 1024 * 1024), "1.20MB");
  EXPECT_EQ(format_count(77.5), "77.50");
  EXPECT_EQ(format_count(9390), "9.39k");
  EXPECT_EQ(format_count(2.5e6), "2.50M");
}

}  // namespace
}  // namespace mlfaas::bench
