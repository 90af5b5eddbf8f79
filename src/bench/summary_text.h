#pragma once
// The text printed at the end of a run: wrk's layout (so people who know wrk can read it and
// compare numbers), then what wrk does not say: percentiles up to p99.9, a count per status,
// failures by cause, what the timeouts would do to the percentiles, and the open-loop send lag.
#include <string>

#include "bench/bench_run.h"
#include "bench/plan.h"

namespace mlfaas::bench {

std::string summary_text(const BenchPlan& plan, const RunResult& result);
// Sweeps: one row per concurrency step.
std::string sweep_table_text(const BenchPlan& plan, const RunResult& result);

}  // namespace mlfaas::bench
