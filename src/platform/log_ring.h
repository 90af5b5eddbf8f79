#pragma once
// The last lines a function's replicas printed (and the gateway's notes about them), numbered so
// `mlfaas logs --follow` can ask for what came after the last line it saw.
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mlfaas::platform {

struct LogLine {
  uint64_t seq;
  std::chrono::system_clock::time_point time;
  int replica;  // 0 = the gateway
  std::string text;
};

class LogRing {
 public:
  explicit LogRing(size_t capacity = 5000) : capacity_(capacity) {}
  void add(int replica, std::string_view text);
  // Lines with seq > after_seq, the last `max` of them.
  std::vector<LogLine> since(uint64_t after_seq, size_t max) const;
  // The last `max` lines a replica printed itself (not the gateway's notes about it).
  std::vector<std::string> last_output(int replica, size_t max) const;

 private:
  size_t capacity_;
  std::deque<LogLine> lines_;
  uint64_t seq_ = 0;
};

}  // namespace mlfaas::platform
