#include "bench/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include "bench/units.h"

namespace mlfaas::bench {

std::string progress_line(const Progress& p, bool show_concurrency) {
  std::string line = fmt::format("[{:6.1f}s] ", p.elapsed_s);
  if (show_concurrency) line += fmt::format("concurrency {:>4}  ", p.concurrency);
  line += fmt::format("{:>9.1f} req/s  p99 {:>9}  {} requests, {} failed", p.last_second_rps,
                      p.last_second_rps > 0 ? format_latency_us(p.last_second_p99_us) : std::string("-"), p.completed,
                      p.failed);
  return line;
}

ProgressPrinter::ProgressPrinter(std::FILE* out, bool show_concurrency, bool force)
    : out_(out), show_concurrency_(show_concurrency), enabled_(force || isatty(fileno(out))) {}

void ProgressPrinter::print(const Progress& p) {
  if (!enabled_) return;
  fmt::print(out_, "\r\033[K{}", progress_line(p, show_concurrency_));
  std::fflush(out_);
  printed_ = true;
}

void ProgressPrinter::finish() {
  if (!enabled_ || !printed_) return;
  fmt::print(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace mlfaas::bench
