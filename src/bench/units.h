#pragma once
// Parsing what users type (durations, sweep ranges) and printing numbers the way wrk does.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mlfaas::bench {

// "10s", "500ms", "1.5s", "2m", "1h", "250us"; a bare number is seconds. Throws
// std::invalid_argument naming the bad value.
std::chrono::nanoseconds parse_duration(std::string_view text);

// Concurrency sweep, perf_analyzer style: "START:END:xFACTOR" (1:64:x2 -> 1 2 4 .. 64),
// "START:END:+STEP" or "START:END:STEP" (1:16:+4 -> 1 5 9 13), "START:END" (step 1), a single
// number, or a comma-separated list. Throws std::invalid_argument.
std::vector<int> parse_sweep(std::string_view text);

// wrk's units: "812.00us", "102.60ms", "1.28s", "2.50m".
std::string format_latency_us(double us);
// wrk's byte units (base 1024): "512.00B", "24.42KB", "1.20MB".
std::string format_bytes(double bytes);
// "12.3" for a count with thousands separators left out; large counts as "1.23k", "4.56M" like wrk.
std::string format_count(double n);

}  // namespace mlfaas::bench
