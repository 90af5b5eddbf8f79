#include "platform/function_runtime.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "autoscale/policy_factory.h"
#include "common/log.h"
#include "common/strings.h"
#include "http/responses.h"
#include "overload/deadline.h"
#include "platform/readiness_probe.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;

namespace {

constexpr size_t kMaxLogLines = 5000;
constexpr int kMaxForwardAttempts = 3;  // first try plus retries of failures that did no work

// A TCP port that was free a moment ago; the replica binds it right after.
int pick_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool is_hop_by_hop(std::string_view name) {
  for (const char* h : {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                        "proxy-authenticate", "proxy-authorization"})
    if (iequals(name, h)) return true;
  return false;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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
                                 PlatformMetrics& metrics, NodeCapacity& node, FunctionSpec spec, RuntimeOptions opts)
    : ioc_(ioc),
      reaper_(reaper),
      client_(client),
      metrics_(metrics),
      node_(node),
      spec_(std::move(spec)),
      opts_(opts),
      queue_(ioc, lb_, queue_limits(opts_)),
      backoff_timer_(ioc),
      demand_(autoscale::demand_windows(spec_.scaling), Clock::now()),
      created_(Clock::now()) {
  const metrics::Labels l = {{"function_name", spec_.name}};
  m_ = Series{&metrics_.started.with(l),         &metrics_.cold_starts.with(l), &metrics_.restarts.with(l),
              &metrics_.retries.with(l),         &metrics_.abandoned.with(l),   &metrics_.upstream_cancelled.with(l),
              &metrics_.cold_start_seconds.with(l),
              &metrics_.service_count.with(l),   &metrics_.desired.with(l),     &metrics_.ready.with(l),
              &metrics_.queue_depth.with(l),     &metrics_.inflight_openfaas.with(l)};
  policy_ = make_policy_now(created_, 0);
  queue_.set_can_serve(false);
  queue_.on_enqueue = [this] {
    refresh_gauges();
    // No ready replica, or all full: decide now rather than at the next tick (scale from zero in ms).
    if (ready_replicas() == 0 || lb_.free_capacity() == 0) tick();
  };
  tick();
}

FunctionRuntime::~FunctionRuntime() {
  *alive_ = false;
  alive_.reset();
  queue_.stop_all();
  for (auto& [id, r] : replicas_) {
    node_.release(r.cpu);
    if (r.proc) {
      reaper_.forget(r.proc->pid());
      r.proc->signal(SIGKILL);
    }
  }
}

std::unique_ptr<autoscale::Policy> FunctionRuntime::make_policy_now(Clock::time_point created, int ready) {
  return autoscale::make_policy(spec_.scaling, created, ready);
}

// ---------------------------------------------------------------------------------------------
// Requests

asio::awaitable<http::Response> FunctionRuntime::invoke(http::Request& req, const CallerInfo& caller) {
  const auto arrival = Clock::now();
  // One deadline for the whole call: the function's timeout, or less if the client asks.
  const auto budget = overload::request_budget(spec_.timeout, [&](std::string_view name) {
    auto it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
  });
  const auto deadline = arrival + budget;
  ++invocations_;
  ++in_flight_;
  demand_.record_requests(arrival, 1);
  record_demand();
  m_.started->inc();

  // Forwarding headers (Knative's runtime contract promises them to the container).
  std::string xff(req["X-Forwarded-For"]);
  req.set("X-Forwarded-For", xff.empty() ? caller.remote_ip : xff + ", " + caller.remote_ip);
  if (req.find("X-Forwarded-Proto") == req.end()) req.set("X-Forwarded-Proto", "http");
  if (!caller.host.empty() && req.find("X-Forwarded-Host") == req.end()) req.set("X-Forwarded-Host", caller.host);
  req.set(http::Field::forwarded, fmt::format("for={};proto=http{}", caller.remote_ip,
                                              caller.host.empty() ? "" : ";host=" + caller.host));
  for (auto it = req.begin(); it != req.end();) {
    if (is_hop_by_hop(it->name_string())) it = req.erase(it);
    else ++it;
  }

  http::Response res;
  int replica_used = -1;
  std::optional<int> failed_on;  // the replica a retry should go around
  auto client_gone = [&] { return caller.cancellation && caller.cancellation->cancelled(); };
  for (int attempt = 0;; ++attempt) {
    // Fast path without a coroutine frame: a replica has room and nobody is waiting (a retry was
    // admitted before the waiters, so it does not queue behind them).
    std::optional<int> now_free =
        (queue_.empty() || failed_on) && !stopping_ ? lb_.acquire(failed_on) : std::nullopt;
    int rid = -1;
    if (now_free) {
      rid = *now_free;
    } else if (stopping_) {
      metrics_.rejected.with({{"function_name", spec_.name}, {"reason", "stopping"}}).inc();
      res = http::unavailable(fmt::format("function '{}' is being removed", spec_.name), opts_.retry_after_seconds);
      break;
    } else {
      if (ready_replicas() == 0 && !cold_start_since_) cold_start_since_ = Clock::now();
      QueueOutcome o = co_await queue_.acquire(deadline, req.body().size(), caller.cancellation);
      if (o.kind != QueueOutcome::Kind::granted) {
        res = queue_response(o);
        break;
      }
      rid = o.replica;
    }
    if (client_gone()) {  // left between being granted a replica and now
      release(rid);
      m_.abandoned->inc();
      res = http::error_response(Status(499), "the client went away");
      break;
    }
    auto rep = replicas_.find(rid);
    if (rep == replicas_.end()) continue;  // it exited between being picked and now: pick again
    http::Endpoint ep("127.0.0.1", uint16_t(rep->second.port));
    const auto sent = Clock::now();
    // The replica gets what is left of the budget (gRPC and Envoy propagate deadlines the same way).
    req.set(overload::kTimeoutHeader, std::to_string(overload::millis_left(deadline, sent)));
    auto left = std::chrono::milliseconds(overload::millis_left(deadline, sent));
    http::ClientResult r = co_await client_.send(ep, req, left, caller.cancellation);
    release(rid);
    replica_used = rid;
    if (r.ok()) {
      queue_.record_service(Clock::now() - sent, spec_.container_concurrency * std::max(1, ready_replicas()));
      res = std::move(r.response);
      break;
    }
    if (r.error == http::ErrorKind::cancelled) {
      // The client left mid-call: the upstream exchange was closed, so the replica drops it too.
      m_.abandoned->inc();
      m_.upstream_cancelled->inc();
      res = http::error_response(Status(499), "the client went away");
      break;
    }
    // The replica failed before answering anything (it died, or was never really listening):
    // the request did no work there, so it goes to another replica. If none has room it waits
    // like any request and may meet the dead, not yet reaped replica again: that connect is
    // refused at once and takes it out of routing, so a third attempt is allowed.
    const bool retryable = r.error == http::ErrorKind::connect ||
                           ((r.error == http::ErrorKind::write || r.error == http::ErrorKind::read) && r.nothing_received);
    if (retryable && attempt < kMaxForwardAttempts - 1 && Clock::now() < deadline) {
      m_.retries->inc();
      add_log(rid, fmt::format("[gateway] request failed on replica {} before any response ({}); retrying", rid, r.message));
      if (r.error == http::ErrorKind::connect) reprobe(rid);  // no traffic until it passes its probe again
      failed_on = rid;
      continue;
    }
    if (r.error == http::ErrorKind::timeout)
      res = http::error_response(Status::gateway_timeout,
                                 fmt::format("function '{}' did not answer within its deadline ({} ms)", spec_.name,
                                             std::chrono::duration_cast<std::chrono::milliseconds>(budget).count()));
    else
      res = http::error_response(Status::bad_gateway, fmt::format("function '{}' failed: {}", spec_.name, r.message));
    break;
  }
  for (auto it = res.begin(); it != res.end();) {
    if (is_hop_by_hop(it->name_string())) it = res.erase(it);
    else ++it;
  }
  const double secs = seconds_since(arrival);
  char dur[32];
  auto [dend, dec] = std::to_chars(dur, dur + sizeof dur, secs, std::chars_format::fixed, 6);
  res.set("X-Duration-Seconds", std::string_view(dur, size_t(dend - dur)));
  if (replica_used >= 0) res.set("X-Mlfaas-Replica", std::to_string(replica_used));
  --in_flight_;
  const auto code = res.result_int();
  demand_.record_status(Clock::now(), int(code / 100), 1);
  record_demand();
  auto& series = by_code(code);
  series.invocations->inc();
  series.duration->observe(secs);
  refresh_gauges();
  co_return res;
}

// What a request that got no replica is told: 503 + Retry-After for load and time (Knative's
// activator answers a full queue or a passed deadline the same way), 499 if its client left.
http::Response FunctionRuntime::queue_response(const QueueOutcome& o) {
  using Kind = QueueOutcome::Kind;
  if (o.kind == Kind::dropped && o.drop == overload::DropReason::abandoned) {
    m_.abandoned->inc();
    return http::error_response(Status(499), "the client went away");
  }
  const char* reason = o.kind == Kind::rejected ? overload::rejection_name(o.rejection)
                       : o.kind == Kind::dropped ? overload::drop_name(o.drop)
                                                 : "stopping";
  metrics_.rejected.with({{"function_name", spec_.name}, {"reason", reason}}).inc();
  if (o.kind == Kind::rejected && o.rejection == overload::Rejection::expired)
    return http::error_response(Status::gateway_timeout, "the request's deadline had passed before it could be forwarded");
  std::string why;
  switch (o.kind) {
    case Kind::rejected:
      why = o.rejection == overload::Rejection::deadline
                ? fmt::format("function '{}' cannot answer within the request's deadline at its current load", spec_.name)
            : o.rejection == overload::Rejection::shed
                ? fmt::format("function '{}' is overloaded ({} requests waiting for a replica)", spec_.name, queue_.size())
                : fmt::format("function '{}' has {} requests ({} MiB) waiting for a replica", spec_.name, queue_.size(),
                              queue_.bytes() >> 20);
      break;
    case Kind::dropped:
      why = o.drop == overload::DropReason::shed
                ? fmt::format("function '{}' is overloaded: no replica was free within {:.0f} ms", spec_.name, o.waited_ms)
            : ready_replicas() == 0
                ? fmt::format("no replica of function '{}' became available within the request's deadline ({:.0f} ms)",
                              spec_.name, o.waited_ms)
                : fmt::format("function '{}' was busy past the request's deadline ({:.0f} ms)", spec_.name, o.waited_ms);
      break;
    default:
      why = fmt::format("function '{}' is being removed", spec_.name);
  }
  return http::unavailable(why + "; retry later", opts_.retry_after_seconds);
}

void FunctionRuntime::release(int replica) {
  lb_.release(replica);
  auto it = replicas_.find(replica);
  if (it != replicas_.end() && it->second.state == State::draining && lb_.in_flight(replica) == 0) terminate(replica);
  queue_.pump();
}

// ---------------------------------------------------------------------------------------------
// Scaling

void FunctionRuntime::record_demand() { demand_.record(Clock::now(), double(in_flight_)); }

void FunctionRuntime::tick() {
  if (stopping_) return;
  const auto now = Clock::now();
  record_demand();
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

void FunctionRuntime::update(FunctionSpec spec) {
  spec_ = std::move(spec);
  ++revision_;
  demand_ = autoscale::FunctionMetrics(autoscale::demand_windows(spec_.scaling), Clock::now());
  policy_ = make_policy_now(Clock::now(), 0);
  add_log(0, fmt::format("[gateway] revision {} deployed", revision_));
  // Old replicas keep serving; they are drained once a new one is ready (on_ready).
  tick();
  if (desired_ == 0)
    for (auto& [id, r] : replicas_)
      if (r.revision != revision_ && (r.state == State::ready || r.state == State::starting)) drain(id);
}

int FunctionRuntime::ready_replicas() const {
  int n = 0;
  for (auto& [id, r] : replicas_) n += r.state == State::ready;
  return n;
}

int FunctionRuntime::active_replicas() const {
  int n = 0;
  for (auto& [id, r] : replicas_)
    n += r.revision == revision_ && (r.state == State::starting || r.state == State::ready);
  return n;
}

void FunctionRuntime::reconcile() {
  if (stopping_) return;
  int active = active_replicas();
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
      if (!node_.reserve(spec_.cpu_request)) {
        pending_ = desired_ - i;  // retried at every tick and whenever a replica exits
        break;
      }
      start_replica();
    }
    return;
  }
  pending_ = 0;
  if (active > desired_) {
    // Remove starting replicas first (they serve nobody), then the least loaded ready ones.
    std::vector<std::pair<int, int>> candidates;  // (priority, id)
    for (auto& [id, r] : replicas_) {
      if (r.revision != revision_) continue;
      if (r.state == State::starting) candidates.push_back({-1, id});
      else if (r.state == State::ready) candidates.push_back({lb_.in_flight(id), id});
    }
    std::sort(candidates.begin(), candidates.end(),
              [](auto& a, auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    for (int i = 0; i < active - desired_ && i < int(candidates.size()); ++i) drain(candidates[size_t(i)].second);
  }
}

void FunctionRuntime::start_replica() {
  const int id = next_id_++;
  Replica rep;
  rep.id = id;
  rep.revision = revision_;
  rep.cpu = spec_.cpu_request;  // reserved by reconcile()
  rep.started = Clock::now();
  try {
    rep.port = pick_port();
    std::map<std::string, std::string> env = spec_.env;
    env["PORT"] = std::to_string(rep.port);
    env["K_SERVICE"] = spec_.name;
    env["K_CONFIGURATION"] = spec_.name;
    env["K_REVISION"] = fmt::format("{}-{:05d}", spec_.name, revision_);
    // Threads sized from the CPU limit (else the request), never above the node's cores.
    if (double c = spec_.cpu_limit > 0 ? spec_.cpu_limit : spec_.cpu_request; c > 0)
      env["MLFAAS_CPUS"] = std::to_string(int(std::ceil(std::min(c, node_.cores()))));
    std::weak_ptr<bool> alive = alive_;
    rep.proc = std::make_unique<ChildProcess>(ioc_.get_executor(), spec_.command, env,
                                              [this, alive, id](std::string_view line) {
                                                if (!alive.expired()) add_log(id, line);
                                              });
  } catch (const std::exception& e) {
    node_.release(rep.cpu);
    add_log(id, fmt::format("[gateway] replica {} could not start: {}", id, e.what()));
    log::warn("function {}: replica {} could not start: {}", spec_.name, id, e.what());
    ++restarts_;
    m_.restarts->inc();
    backoff_.failed(Clock::now(), rep.started);
    reconcile();
    return;
  }
  const pid_t pid = rep.proc->pid();
  const int port = rep.port;
  replicas_.emplace(id, std::move(rep));
  lb_.add(id, spec_.container_concurrency);
  add_log(id, fmt::format("[gateway] replica {} started: pid {}, PORT={}", id, pid, port));
  std::weak_ptr<bool> alive = alive_;
  reaper_.watch(pid, [this, alive, id](int status) {
    if (!alive.expired()) on_exit(id, status);
  });
  probe_until_ready(id, port);
}

// Probe until ready (or the replica dies, or the startup timeout passes, which replaces it).
void FunctionRuntime::probe_until_ready(int id, int port) {
  std::weak_ptr<bool> alive = alive_;
  auto probe = spec_.readiness;
  auto deadline = Clock::now() + spec_.startup_timeout;
  auto is_alive = [this, alive, id] {
    if (alive.expired()) return false;
    auto it = replicas_.find(id);
    return it != replicas_.end() && it->second.state == State::starting && !it->second.proc->exited();
  };
  asio::co_spawn(
      ioc_, wait_until_ready(port, probe, deadline, is_alive),
      [this, alive, id](std::exception_ptr, bool ok) {
        if (alive.expired()) return;
        auto it = replicas_.find(id);
        if (it == replicas_.end() || it->second.state != State::starting) return;
        if (ok) {
          on_ready(id);
        } else if (!it->second.proc->exited()) {
          add_log(id, fmt::format("[gateway] replica {} not ready after {} ms; restarting it", id,
                                  spec_.startup_timeout.count()));
          it->second.proc->signal(SIGKILL);  // on_exit counts it as a failure and replaces it
        }
      });
}

void FunctionRuntime::reprobe(int id) {
  auto it = replicas_.find(id);
  if (it == replicas_.end() || it->second.state != State::ready) return;
  // Usually it just died and is about to be reaped; if it is alive but not listening, it gets
  // traffic back once its probe passes, or is replaced after the startup timeout.
  it->second.state = State::starting;
  lb_.set_routable(id, false);
  add_log(id, fmt::format("[gateway] replica {} refused a connection; probing it again", id));
  refresh_gauges();
  probe_until_ready(id, it->second.port);
}

void FunctionRuntime::on_ready(int id) {
  auto& r = replicas_.at(id);
  r.state = State::ready;
  r.ready_at = Clock::now();
  lb_.set_routable(id, true);
  add_log(id, fmt::format("[gateway] replica {} ready in {:.1f} ms", id,
                          std::chrono::duration<double, std::milli>(r.ready_at - r.started).count()));
  if (cold_start_since_) {
    const double secs = std::chrono::duration<double>(r.ready_at - *cold_start_since_).count();
    ++cold_starts_;
    m_.cold_starts->inc();
    m_.cold_start_seconds->observe(secs);
    cold_start_since_.reset();
  }
  // A new revision is serving: retire the old one's replicas.
  if (r.revision == revision_)
    for (auto& [oid, o] : replicas_)
      if (o.revision != revision_ && (o.state == State::ready || o.state == State::starting)) drain(oid);
  refresh_gauges();
  queue_.pump();
}

void FunctionRuntime::drain(int id) {
  auto& r = replicas_.at(id);
  if (r.state == State::draining || r.state == State::stopping) return;
  r.state = State::draining;
  lb_.set_routable(id, false);
  add_log(id, fmt::format("[gateway] replica {} draining ({} in flight)", id, lb_.in_flight(id)));
  if (lb_.in_flight(id) == 0) terminate(id);
}

void FunctionRuntime::terminate(int id) {
  auto& r = replicas_.at(id);
  if (r.state == State::stopping) return;
  r.state = State::stopping;
  // Our idle keep-alive connections would keep a well-behaved server waiting for its clients.
  client_.close_idle(http::Endpoint("127.0.0.1", uint16_t(r.port)));
  r.proc->signal(SIGTERM);
  r.kill_timer = std::make_unique<asio::steady_timer>(ioc_, opts_.stop_grace);
  std::weak_ptr<bool> alive = alive_;
  r.kill_timer->async_wait([this, alive, id](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    auto it = replicas_.find(id);
    if (it != replicas_.end() && !it->second.proc->exited()) {
      add_log(id, fmt::format("[gateway] replica {} did not stop within {} ms; SIGKILL", id, opts_.stop_grace.count()));
      it->second.proc->signal(SIGKILL);
    }
  });
}

void FunctionRuntime::on_exit(int id, int status) {
  auto it = replicas_.find(id);
  if (it == replicas_.end()) return;
  Replica& r = it->second;
  r.proc->mark_exited();
  if (r.kill_timer) r.kill_timer->cancel();
  const bool expected = r.state == State::stopping;
  add_log(id, fmt::format("[gateway] replica {} exited: {}{}", id, ChildReaper::describe(status),
                          expected ? "" : " (unexpected)"));
  if (!expected) {
    ++restarts_;
    m_.restarts->inc();
    backoff_.failed(Clock::now(), r.started);
    log::warn("function {}: replica {} exited unexpectedly: {}", spec_.name, id, ChildReaper::describe(status));
  }
  lb_.remove(id);
  node_.release(r.cpu);
  replicas_.erase(it);
  reconcile();  // replace it if it is still wanted
  refresh_gauges();
}

void FunctionRuntime::stop_all() {
  stopping_ = true;
  queue_.stop_all();
  std::vector<int> ids;
  for (auto& [id, r] : replicas_) ids.push_back(id);
  for (int id : ids) {
    auto& r = replicas_.at(id);
    if (r.state != State::stopping) {
      r.state = State::draining;
      lb_.set_routable(id, false);
      terminate(id);
    }
  }
  desired_ = 0;
  refresh_gauges();
}

// ---------------------------------------------------------------------------------------------
// Reporting

void FunctionRuntime::refresh_gauges() {
  m_.service_count->set(desired_);
  m_.desired->set(desired_);
  m_.ready->set(ready_replicas());
  m_.queue_depth->set(double(queue_.size()));
  queue_.set_can_serve(ready_replicas() > 0);
  m_.in_flight->set(in_flight_);
}

FunctionRuntime::ByCode& FunctionRuntime::by_code(unsigned code) {
  auto it = by_code_.find(code);
  if (it != by_code_.end()) return it->second;
  const metrics::Labels l = {{"function_name", spec_.name}, {"code", std::to_string(code)}};
  return by_code_[code] = ByCode{&metrics_.invocations.with(l), &metrics_.duration.with(l)};
}

void FunctionRuntime::add_log(int replica, std::string_view text) {
  logs_.push_back(LogLine{++log_seq_, std::chrono::system_clock::now(), replica, std::string(text)});
  if (logs_.size() > kMaxLogLines) logs_.pop_front();
}

std::vector<LogLine> FunctionRuntime::logs(uint64_t after_seq, size_t max) const {
  std::vector<LogLine> out;
  for (auto& l : logs_)
    if (l.seq > after_seq) out.push_back(l);
  if (out.size() > max) out.erase(out.begin(), out.end() - long(max));
  return out;
}

json::object FunctionRuntime::status_json() const {
  const auto now = Clock::now();
  json::array reps;
  int starting = 0;
  for (auto& [id, r] : replicas_) {
    const char* st = r.state == State::starting ? "starting" : r.state == State::ready ? "ready"
                   : r.state == State::draining ? "draining" : "stopping";
    starting += r.state == State::starting;
    reps.push_back(json::object{{"id", id},
                                {"pid", r.proc ? r.proc->pid() : 0},
                                {"port", r.port},
                                {"revision", fmt::format("{}-{:05d}", spec_.name, r.revision)},
                                {"state", st},
                                {"inFlight", lb_.in_flight(id)},
                                {"uptimeSeconds", std::chrono::duration<double>(now - r.started).count()}});
  }
  json::object labels, annotations, env;
  for (auto& [k, v] : spec_.labels) labels[k] = v;
  for (auto& [k, v] : spec_.annotations) annotations[k] = v;
  for (auto& [k, v] : spec_.env) env[k] = v;
  json::array command;
  for (auto& c : spec_.command) command.push_back(json::string(c));
  json::array warnings;
  for (auto& w : spec_.warnings) warnings.push_back(json::string(w));
  // OpenFaaS FunctionStatus fields first (faas-cli reads these), then mlfaas's.
  return json::object{
      {"name", spec_.name},
      {"namespace", spec_.namespace_},
      {"image", spec_.image},
      {"envProcess", command.empty() ? "" : spec_.command[0]},
      {"envVars", env},
      {"labels", labels},
      {"annotations", annotations},
      {"replicas", desired_},
      {"availableReplicas", ready_replicas()},
      {"invocationCount", invocations_},
      {"desiredReplicas", desired_},
      {"readyReplicas", ready_replicas()},
      {"startingReplicas", starting},
      {"pendingReplicas", pending_},
      {"pendingReason", pending_ == 0 ? std::string()
                        : fmt::format("Unschedulable: each replica requests {} CPU and {:.3g} of the node's {:.3g} "
                                      "cores are reserved",
                                      spec_.cpu_request, node_.reserved(), node_.cores())},
      {"cpuRequest", spec_.cpu_request},
      {"cpuLimit", spec_.cpu_limit},
      {"queueDepth", queue_.size()},
      {"overloaded", queue_.overloaded()},
      {"inFlight", in_flight_},
      {"coldStarts", cold_starts_},
      {"restarts", restarts_},
      {"revision", fmt::format("{}-{:05d}", spec_.name, revision_)},
      {"format", spec_.format},
      {"source", spec_.source},
      {"command", command},
      {"containerConcurrency", spec_.container_concurrency},
      {"timeoutSeconds", spec_.timeout.count() % 1000 == 0 ? json::value(spec_.timeout.count() / 1000)
                                                          : json::value(double(spec_.timeout.count()) / 1000)},
      {"autoscaler", json::object{{"policy", std::string(autoscale::policy_kind_name(spec_.scaling.kind))},
                                  {"parameters", policy_->describe()},
                                  {"desired", last_decision_.desired_pods},
                                  {"inPanic", last_decision_.in_panic},
                                  {"reason", last_decision_.reason}}},
      {"warnings", warnings},
      {"replicaDetails", reps}};
}

}  // namespace mlfaas::platform
