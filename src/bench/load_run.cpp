#include "bench/load_run.h"

namespace mlfaas::bench {

LoadRun::LoadRun(LoadSpec spec) : spec_(std::move(spec)) {
  spec_.threads = std::max(1, std::min(spec_.threads, spec_.connections));
  for (int i = 0; i < spec_.threads; ++i) loads_.push_back(std::make_unique<LoadThread>(spec_, i, shared_));
}

LoadRun::~LoadRun() {
  stop();
  wait();
}

void LoadRun::start() {
  running_.store(int(loads_.size()));
  for (auto& l : loads_)
    threads_.emplace_back([this, load = l.get()] {
      load->run();
      running_.fetch_sub(1);
    });
}

void LoadRun::wait() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

RecordedData LoadRun::collect() const {
  RecordedData all;
  each_recorder([&](const RecordedData& d) { all.merge(d); });
  return all;
}

uint64_t LoadRun::connections_opened() const {
  uint64_t n = 0;
  for (auto& l : loads_) n += l->connections_opened();
  return n;
}

Clock::time_point LoadRun::finished_at() const {
  Clock::time_point last{};
  for (auto& l : loads_) last = std::max(last, l->finished_at());
  return last;
}

}  // namespace mlfaas::bench
