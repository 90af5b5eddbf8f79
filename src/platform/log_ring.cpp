#include "platform/log_ring.h"

namespace mlfaas::platform {

void LogRing::add(int replica, std::string_view text) {
  lines_.push_back(LogLine{++seq_, std::chrono::system_clock::now(), replica, std::string(text)});
  if (lines_.size() > capacity_) lines_.pop_front();
}

std::vector<LogLine> LogRing::since(uint64_t after_seq, size_t max) const {
  std::vector<LogLine> out;
  for (auto& l : lines_)
    if (l.seq > after_seq) out.push_back(l);
  if (out.size() > max) out.erase(out.begin(), out.end() - long(max));
  return out;
}

}  // namespace mlfaas::platform
