#include "platform/function_runtime.h"

#include <fmt/format.h>

#include <sys/wait.h>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "autoscale/policy_factory.h"
#include "common/log.h"

namespace mlfaas::platform {

namespace asio = boost::asio;

namespace {

overload::QueueLimits queue_limits(const RuntimeOptions& o) {
  overload::QueueLimits l;
  l.max_items = o.max_queue;
  l.max_bytes = o.max_queue_bytes;
  // The service time seen here is a whole forwarded call, the replica's own short queue included,
  // so fewer of them make the overloaded wait (measured: 10 gave p50 470 ms at 1.5x, 3 keeps it
  // near 150 ms with the same goodput; docs/benchmarks.md).
  l.service_multiple = 3;
  return l;
}

}  // namespace

FunctionRuntime::FunctionRuntime(asio::io_context& ioc, ChildReaper& reaper, http::Client& client,
                                 PlatformMetrics& metrics, NodeCapacity& node, FunctionShared& shared, FunctionSpec spec,
                                 RuntimeOptions opts)
    : ioc_(ioc),
      metrics_(metrics),
      spec_(std::move(spec)),
      opts_(opts),
      replicas_(ioc, reaper, client, node, opts.stop_grace, opts.container,
                ReplicaEvents{[this](Replica& r) { on_ready(r); },
                              [this](const Replica& r, int status, bool expected) { on_exit(r, status, expected); },
                              [this](int replica, std::string_view line) { add_log(replica, line); }},
                shared.next_replica_id),
      client_(client),
      queue_(ioc, replicas_.lb(), queue_limits(opts_)),
      backoff_timer_(ioc),
      demand_(autoscale::demand_windows(spec_.scaling), Clock::now()),
      created_(Clock::now()),
      logs_(shared.logs) {
  const metrics::Labels l = {{"function_name", spec_.name}};
  const metrics::Labels rl = {{"function_name", spec_.name}, {"revision", spec_.revision_name}};
  m_ = Series{&metrics_.started.with(l),         &metrics_.cold_starts.with(l), &metrics_.restarts.with(l),
              &metrics_.retries.with(l),         &metrics_.abandoned.with(l),   &metrics_.upstream_cancelled.with(l),
              &metrics_.cold_start_seconds.with(l),
              &metrics_.revision_desired.with(rl), &metrics_.revision_ready.with(rl),
              nullptr, nullptr, nullptr};
  const metrics::Labels kl = {{"namespace_name", spec_.namespace_},
                              {"configuration_name", spec_.name},
                              {"revision_name", spec_.revision_name}};
  m_.kn_desired = &metrics_.kn_desired_pods.with(kl);
  m_.kn_actual = &metrics_.kn_actual_pods.with(kl);
  m_.kn_panic = &metrics_.kn_panic_mode.with(kl);
  pending_gauge_.g = &metrics_.pending.with(l);
  service_count_.g = &metrics_.service_count.with(l);
  desired_gauge_.g = &metrics_.desired.with(l);
  ready_gauge_.g = &metrics_.ready.with(l);
  queue_gauge_.g = &metrics_.queue_depth.with(l);
  in_flight_gauge_.g = &metrics_.inflight_openfaas.with(l);
  policy_ = make_policy_now(created_, 0);
  queue_.set_can_serve(false);
  queue_.on_enqueue = [this] {
    refresh_gauges();
    // No ready replica, or all full: decide now rather than at the next tick (scale from zero in ms).
    if (ready_replicas() == 0 || replicas_.lb().free_capacity() == 0) tick();
  };
  tick();
}

FunctionRuntime::~FunctionRuntime() {
  *alive_ = false;
  alive_.reset();
  queue_.stop_all();
  // Take this revision's share out of the function's gauges.
  for (auto* g : {&service_count_, &desired_gauge_, &ready_gauge_, &queue_gauge_, &in_flight_gauge_, &pending_gauge_})
    g->set(0);
  for (auto* g : {m_.rev_desired, m_.rev_ready, m_.kn_desired, m_.kn_actual, m_.kn_panic}) g->set(0);
}

std::unique_ptr<autoscale::Policy> FunctionRuntime::make_policy_now(Clock::time_point created, int ready) {
  return autoscale::make_policy(spec_.scaling, created, ready);
}

// ---------------------------------------------------------------------------------------------
// Scaling

void FunctionRuntime::record_demand() { demand_.record(Clock::now(), double(in_flight_)); }

void FunctionRuntime::tick() {
  if (stopping_) return;
  const auto now = Clock::now();
  record_demand();
  if (!routed_ && queue_.empty() && in_flight_ == 0) {
    desired_ = 0;
    reconcile();
    refresh_gauges();
    return;
  }
  if (zero_hold_) {
    if (queue_.empty() && in_flight_ == 0) {
      desired_ = 0;
      reconcile();
      refresh_gauges();
      return;
    }
    zero_hold_ = false;  // demand arrived: the autoscaler takes over, starting from zero
    policy_ = make_policy_now(now, 0);
  }
  autoscale::Observed obs = demand_.observe(now, ready_replicas());
  last_decision_ = policy_->decide(now, obs);
  desired_ = last_decision_.desired_pods;
  // A request waiting at zero must get a replica whatever the policy's arithmetic says.
  if (desired_ == 0 && !queue_.empty()) desired_ = 1;
  reconcile();
  refresh_gauges();
}

void FunctionRuntime::scale_to(int replicas) {
  const auto now = Clock::now();
  // Forget the demand history either way: the operator's number replaces what it implied.
  demand_ = autoscale::FunctionMetrics(autoscale::demand_windows(spec_.scaling), now);
  if (spec_.scaling.kind == autoscale::PolicyKind::fixed) spec_.scaling.fixed.replicas = std::max(1, replicas);
  policy_ = make_policy_now(now, replicas);
  // Zero holds until the next request (which then scales up from zero as usual); a fresh policy
  // would otherwise bring back its initial scale at the next tick.
  zero_hold_ = replicas == 0;
  desired_ = replicas;
  last_decision_ = autoscale::Decision{};
  last_decision_.desired_pods = replicas;
  last_decision_.reason = fmt::format("scaled to {} through the API", replicas);
  reconcile();
  refresh_gauges();
}

void FunctionRuntime::set_routed(bool routed) {
  if (routed == routed_) return;
  routed_ = routed;
  if (!routed) {
    add_log(0, fmt::format("[gateway] revision {} gets no traffic: scaling to zero", spec_.revision_name));
  } else {
    // Back in the route: the autoscaler starts from zero demand, like a scale from zero.
    demand_ = autoscale::FunctionMetrics(autoscale::demand_windows(spec_.scaling), Clock::now());
    policy_ = make_policy_now(Clock::now(), ready_replicas());
  }
  tick();
}

void FunctionRuntime::reconcile() {
  if (stopping_) return;
  const int active = replicas_.active(revision_);
  if (active < desired_) {
    if (Clock::now() < backoff_.next_start()) {
      // Crash-looping: try again when the backoff allows.
      if (!backoff_pending_) {
        backoff_pending_ = true;
        std::weak_ptr<bool> alive = alive_;
        backoff_timer_.expires_at(backoff_.next_start());
        backoff_timer_.async_wait([this, alive](boost::system::error_code ec) {
          if (ec || alive.expired()) return;
          backoff_pending_ = false;
          reconcile();
        });
      }
      return;
    }
    pending_ = 0;
    for (int i = active; i < desired_; ++i) {
      if (!replicas_.reserve(spec_)) {
        pending_ = desired_ - i;  // retried at every tick and whenever a replica exits
        break;
      }
      if (!start_replica()) break;
    }
    return;
  }
  pending_ = 0;
  if (active > desired_) {
    // Remove starting replicas first (they serve nobody), then the least loaded ready ones.
    std::vector<std::pair<int, int>> candidates;  // (priority, id)
    for (auto& [id, r] : replicas_.all()) {
      if (r.revision != revision_) continue;
      if (r.state == ReplicaState::starting) candidates.push_back({-1, id});
      else if (r.state == ReplicaState::ready) candidates.push_back({replicas_.lb().in_flight(id), id});
    }
    std::sort(candidates.begin(), candidates.end(),
              [](auto& a, auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    for (int i = 0; i < active - desired_ && i < int(candidates.size()); ++i)
      replicas_.drain(candidates[size_t(i)].second);
  }
}

bool FunctionRuntime::start_replica() {
  const auto t = Clock::now();
  try {
    replicas_.start(spec_, revision_);
    return true;
  } catch (const std::exception& e) {
    log::warn("function {}: a replica could not start: {}", spec_.name, e.what());
    record_failure("StartFailed", fmt::format("function '{}' cannot start: {}", spec_.name, e.what()));
    ++restarts_;
    m_.restarts->inc();
    backoff_.failed(Clock::now(), t);
    reconcile();  // schedules the retry after the backoff
    return false;
  }
}

void FunctionRuntime::record_failure(std::string reason, std::string message) {
  failure_ = Failure{std::move(reason), std::move(message), std::chrono::system_clock::now()};
  add_log(0, "[gateway] " + failure_->message);
  if (ready_replicas() == 0) queue_.fail_all(failure_->message);
}

void FunctionRuntime::on_ready(Replica& r) {
  failure_.reset();
  if (cold_start_since_) {
    const double secs = std::chrono::duration<double>(r.ready_at - *cold_start_since_).count();
    ++cold_starts_;
    m_.cold_starts->inc();
    m_.cold_start_seconds->observe(secs);
    cold_start_since_.reset();
  }
  refresh_gauges();
  if (!ever_ready_) {
    ever_ready_ = true;
    if (on_first_ready) on_first_ready();
  }
  queue_.pump();
}

void FunctionRuntime::on_exit(const Replica& r, int status, bool expected) {
  if (!expected) {
    ++restarts_;
    m_.restarts->inc();
    backoff_.failed(Clock::now(), r.started);
    log::warn("function {}: replica {} exited unexpectedly: {}", spec_.name, r.id, ChildReaper::describe(status));
    if (r.ready_at == Replica::Clock::time_point{}) {
      // It never served: its own last words are the cause the waiting clients need. Posted, so
      // that output the reactor already read (its handler still queued) is in the log first.
      asio::post(ioc_, [this, alive = std::weak_ptr<bool>(alive_), id = r.id, status] {
        if (alive.expired()) return;
        std::string out;
        for (auto& line : logs_.last_output(id, 5)) out += (out.empty() ? "" : " | ") + line;
        record_failure(WIFSIGNALED(status) ? "Signal" : "ExitCode",
                       fmt::format("function '{}' is failing: its replica exited before becoming ready ({}){}{}",
                                   spec_.name, ChildReaper::describe(status), out.empty() ? "" : "; last output: ", out));
      });
    }
  }
  reconcile();  // replace it if it is still wanted
  refresh_gauges();
}

void FunctionRuntime::stop_all() {
  stopping_ = true;
  queue_.stop_all();
  replicas_.stop_all();
  desired_ = 0;
  pending_ = 0;
  refresh_gauges();
}

// ---------------------------------------------------------------------------------------------
// Metrics

void FunctionRuntime::refresh_gauges() {
  const int ready = ready_replicas();
  service_count_.set(desired_);
  desired_gauge_.set(desired_);
  ready_gauge_.set(ready);
  queue_gauge_.set(double(queue_.size()));
  m_.rev_desired->set(desired_);
  m_.rev_ready->set(ready);
  pending_gauge_.set(pending_);
  m_.kn_desired->set(desired_);
  m_.kn_actual->set(ready + replicas_.count(ReplicaState::starting));
  m_.kn_panic->set(last_decision_.in_panic ? 1 : 0);
  // While replicas are starting (from zero, or scaling up) the queue is absorbing a scale event:
  // nothing is shed until the function runs all the replicas it will get.
  queue_.set_can_serve(ready > 0 && replicas_.count(ReplicaState::starting) == 0);
  in_flight_gauge_.set(in_flight_);
}

FunctionRuntime::ByCode& FunctionRuntime::by_code(unsigned code) {
  auto it = by_code_.find(code);
  if (it != by_code_.end()) return it->second;
  const metrics::Labels l = {{"function_name", spec_.name}, {"code", std::to_string(code)}};
  const metrics::Labels rl = {{"function_name", spec_.name}, {"revision", spec_.revision_name}, {"code", std::to_string(code)}};
  const metrics::Labels kl = {{"namespace_name", spec_.namespace_}, {"service_name", spec_.name},
                              {"configuration_name", spec_.name}, {"revision_name", spec_.revision_name},
                              {"response_code", std::to_string(code)},
                              {"response_code_class", std::to_string(code / 100) + "xx"}};
  return by_code_[code] = ByCode{&metrics_.invocations.with(l), &metrics_.duration.with(l),
                                 &metrics_.revision_requests.with(rl), &metrics_.kn_request_count.with(kl),
                                 &metrics_.kn_request_latencies.with(kl)};
}

}  // namespace mlfaas::platform
