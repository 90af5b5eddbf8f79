#pragma once
// The live progress line: elapsed time, requests/s and p99 of the last second, failures so far.
// Written to stderr and rewritten in place about once a second, only when stderr is a terminal, so
// logs and pipes get nothing but the final summary.
#include <cstdio>
#include <string>

#include "bench/bench_run.h"

namespace mlfaas::bench {

std::string progress_line(const Progress& p, bool show_concurrency);

class ProgressPrinter {
 public:
  // Enabled when `out` is a terminal (or when forced, for tests).
  explicit ProgressPrinter(std::FILE* out, bool show_concurrency, bool force = false);
  bool enabled() const { return enabled_; }
  void print(const Progress& p);
  // Clears the line before the summary is printed.
  void finish();

 private:
  std::FILE* out_;
  bool show_concurrency_;
  bool enabled_;
  bool printed_ = false;
};

}  // namespace mlfaas::bench
