#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace mlfaas::log {
namespace {

Level level_from_env() {
  const char* v = std::getenv("MLFAAS_LOG");
  if (!v) return Level::info;
  if (!std::strcmp(v, "debug")) return Level::debug;
  if (!std::strcmp(v, "warn")) return Level::warn;
  if (!std::strcmp(v, "error")) return Level::error;
  return Level::info;
}

std::atomic<Level>& current() {
  static std::atomic<Level> l{level_from_env()};
  return l;
}

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}

}  // namespace

Level level() { return current().load(std::memory_order_relaxed); }
void set_level(Level l) { current().store(l); }

void write(Level l, std::string_view msg) {
  using namespace std::chrono;
  static const auto start = steady_clock::now();
  double t = duration<double>(steady_clock::now() - start).count();
  // One write() per line so lines from several threads (and processes sharing a log) don't interleave.
  std::string line = fmt::format("[{:9.3f}] {:5} {}\n", t, name(l), msg);
  ssize_t r = ::write(STDERR_FILENO, line.data(), line.size());
  (void)r;
}

}  // namespace mlfaas::log
