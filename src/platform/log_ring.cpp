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

std::vector<std::string> LogRing::last_output(int replica, size_t max) const {
  std::vector<std::string> out;
  for (auto it = lines_.rbegin(); it != lines_.rend() && out.size() < max; ++it)
    if (it->replica == replica && it->text.rfind("[gateway]", 0) != 0) out.push_back(it->text);
  return {out.rbegin(), out.rend()};
}

}  // namespace mlfaas::platform
