#pragma once
// `--json FILE`: everything about a run in one document: settings, start time, mlfaas version,
// the summary, the latency histogram, the per-second timeline, gateway samples and sweep steps.
// `mlfaas bench compare` reads these files back (see compare.h). Times are in milliseconds unless
// a key says otherwise (`_s`, `_us`).
#include <boost/json/object.hpp>
#include <string_view>

#include "bench/bench_run.h"
#include "bench/plan.h"

namespace mlfaas::bench {

inline constexpr int kJsonFormatVersion = 1;

boost::json::object result_to_json(const BenchPlan& plan, const RunResult& result, std::string_view mlfaas_version,
                                   std::string_view command_line);

// Latency summary of a histogram: min, mean, stdev, max and p50/p75/p90/p99/p99.9, in ms.
boost::json::object latency_json(const LatencyHistogram& h);
boost::json::object failures_json(const Tally& t);

}  // namespace mlfaas::bench
