#include "platform/replica_set.h"
#include "platform/revision_name.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <cmath>
#include <cstdlib>

#include "platform/readiness_probe.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

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

}  // namespace

const char* replica_state_name(ReplicaState s) {
  switch (s) {
    case ReplicaState::starting: return "starting";
    case ReplicaState::ready: return "ready";
    case ReplicaState::draining: return "draining";
    case ReplicaState::stopping: return "stopping";
  }
  return "?";
}

ReplicaSet::ReplicaSet(asio::io_context& ioc, ChildReaper& reaper, http::Client& client, NodeCapacity& node,
                       std::chrono::milliseconds stop_grace, ContainerRuntime runtime, ReplicaEvents events,
                       int& next_id)
    : ioc_(ioc),
      reaper_(reaper),
      client_(client),
      node_(node),
      stop_grace_(stop_grace),
      runtime_(std::move(runtime)),
      events_(std::move(events)),
      next_id_(next_id) {}

ReplicaSet::~ReplicaSet() {
  *alive_ = false;
  alive_.reset();
  for (auto& [id, r] : replicas_) {
    node_.release(r.cpu);
    if (r.proc) {
      reaper_.forget(r.proc->pid());
      kill_hard(r);
    }
  }
}

const Replica* ReplicaSet::find(int id) const {
  auto it = replicas_.find(id);
  return it == replicas_.end() ? nullptr : &it->second;
}

int ReplicaSet::count(ReplicaState s) const {
  int n = 0;
  for (auto& [id, r] : replicas_) n += r.state == s;
  return n;
}

int ReplicaSet::active(int revision) const {
  int n = 0;
  for (auto& [id, r] : replicas_)
    n += r.revision == revision && (r.state == ReplicaState::starting || r.state == ReplicaState::ready);
  return n;
}

int ReplicaSet::start(const FunctionSpec& spec, int revision) {
  const int id = next_id_++;
  Replica rep;
  rep.id = id;
  rep.revision = revision;
  rep.cpu = spec.cpu_request;  // reserved by reserve()
  rep.started = Clock::now();
  rep.probe = spec.readiness;
  rep.startup_timeout = spec.startup_timeout;
  try {
    rep.port = pick_port();
    std::map<std::string, std::string> env = spec.env;
    env["PORT"] = std::to_string(rep.port);
    env["K_SERVICE"] = spec.name;
    env["K_CONFIGURATION"] = spec.name;
    env["K_REVISION"] = spec.revision_name.empty() ? revision_name(spec.name, revision) : spec.revision_name;
    // Threads sized from the CPU limit (else the request), never above the node's cores.
    if (double c = spec.cpu_limit > 0 ? spec.cpu_limit : spec.cpu_request; c > 0)
      env["MLFAAS_CPUS"] = std::to_string(int(std::ceil(std::min(c, node_.cores()))));
    if (runtime_.containers()) {
      rep.container = container_name(runtime_, spec.name, id);
      // The one platform-wide setting replicas inherit; a container gets nothing else of ours.
      if (const char* a = std::getenv("MLFAAS_ACCESS_LOG"); a && !env.count("MLFAAS_ACCESS_LOG"))
        env["MLFAAS_ACCESS_LOG"] = a;
    }
    const auto argv = replica_argv(runtime_, spec, env, rep.container);
    std::weak_ptr<bool> alive = alive_;
    rep.proc = std::make_unique<ChildProcess>(ioc_.get_executor(), argv, env,
                                              [this, alive, id](std::string_view line) {
                                                if (!alive.expired()) note(id, line);
                                              });
  } catch (const std::exception& e) {
    node_.release(rep.cpu);
    note(id, fmt::format("[gateway] replica {} could not start: {}", id, e.what()));
    throw;
  }
  const pid_t pid = rep.proc->pid();
  const int port = rep.port;
  replicas_.emplace(id, std::move(rep));
  lb_.add(id, spec.container_concurrency);
  const std::string container = replicas_.at(id).container;
  note(id, container.empty() ? fmt::format("[gateway] replica {} started: pid {}, PORT={}", id, pid, port)
                             : fmt::format("[gateway] replica {} started: container {} of {}, PORT={}", id,
                                           container, spec.image, port));
  probe_until_ready(id);
  // Last: the child may have exited already, and then watch() reaps it (and forgets the replica) now.
  std::weak_ptr<bool> alive = alive_;
  reaper_.watch(pid, [this, alive, id](int status) {
    if (!alive.expired()) on_exit(id, status);
  });
  return id;
}

// Probe until ready (or the replica dies, or the startup timeout passes, which replaces it).
void ReplicaSet::probe_until_ready(int id) {
  const Replica& r = replicas_.at(id);
  std::weak_ptr<bool> alive = alive_;
  auto deadline = Clock::now() + r.startup_timeout;
  auto is_alive = [this, alive, id] {
    if (alive.expired()) return false;
    auto it = replicas_.find(id);
    return it != replicas_.end() && it->second.state == ReplicaState::starting && !it->second.proc->exited();
  };
  asio::co_spawn(ioc_, wait_until_ready(r.port, r.probe, deadline, is_alive),
                 [this, alive, id](std::exception_ptr, bool ok) {
                   if (alive.expired()) return;
                   auto it = replicas_.find(id);
                   if (it == replicas_.end() || it->second.state != ReplicaState::starting) return;
                   if (ok) {
                     on_ready(id);
                   } else if (!it->second.proc->exited()) {
                     note(id, fmt::format("[gateway] replica {} not ready after {} ms; restarting it", id,
                                          it->second.startup_timeout.count()));
                     kill_hard(it->second);  // the owner counts it as a failure and replaces it
                   }
                 });
}

void ReplicaSet::reprobe(int id) {
  auto it = replicas_.find(id);
  if (it == replicas_.end() || it->second.state != ReplicaState::ready) return;
  // Usually it just died and is about to be reaped; if it is alive but not listening, it gets
  // traffic back once its probe passes, or is replaced after the startup timeout.
  it->second.state = ReplicaState::starting;
  lb_.set_routable(id, false);
  note(id, fmt::format("[gateway] replica {} refused a connection; probing it again", id));
  probe_until_ready(id);
}

void ReplicaSet::on_ready(int id) {
  auto& r = replicas_.at(id);
  r.state = ReplicaState::ready;
  r.ready_at = Clock::now();
  lb_.set_routable(id, true);
  note(id, fmt::format("[gateway] replica {} ready in {:.1f} ms", id,
                       std::chrono::duration<double, std::milli>(r.ready_at - r.started).count()));
  events_.ready(r);
}

void ReplicaSet::release(int id) {
  lb_.release(id);
  auto it = replicas_.find(id);
  if (it != replicas_.end() && it->second.state == ReplicaState::draining && lb_.in_flight(id) == 0) terminate(id);
}

void ReplicaSet::drain(int id) {
  auto& r = replicas_.at(id);
  if (r.state == ReplicaState::draining || r.state == ReplicaState::stopping) return;
  r.state = ReplicaState::draining;
  lb_.set_routable(id, false);
  note(id, fmt::format("[gateway] replica {} draining ({} in flight)", id, lb_.in_flight(id)));
  if (lb_.in_flight(id) == 0) terminate(id);
}

void ReplicaSet::terminate(int id) {
  auto& r = replicas_.at(id);
  if (r.state == ReplicaState::stopping) return;
  r.state = ReplicaState::stopping;
  // Our idle keep-alive connections would keep a well-behaved server waiting for its clients.
  client_.close_idle(http::Endpoint("127.0.0.1", uint16_t(r.port)));
  r.proc->signal(SIGTERM);
  r.kill_timer = std::make_unique<asio::steady_timer>(ioc_, stop_grace_);
  std::weak_ptr<bool> alive = alive_;
  r.kill_timer->async_wait([this, alive, id](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    auto it = replicas_.find(id);
    if (it != replicas_.end() && !it->second.proc->exited()) {
      note(id, fmt::format("[gateway] replica {} did not stop within {} ms; SIGKILL", id, stop_grace_.count()));
      kill_hard(it->second);
    }
  });
}

void ReplicaSet::on_exit(int id, int status) {
  auto it = replicas_.find(id);
  if (it == replicas_.end()) return;
  Replica& r = it->second;
  r.proc->mark_exited();
  r.proc->drain_output();  // its last words, before anyone reads them
  if (r.kill_timer) r.kill_timer->cancel();
  const bool expected = r.state == ReplicaState::stopping;
  note(id, fmt::format("[gateway] replica {} exited: {}{}", id, ChildReaper::describe(status),
                       expected ? "" : " (unexpected)"));
  lb_.remove(id);
  node_.release(r.cpu);
  Replica gone = std::move(r);
  replicas_.erase(it);
  events_.exited(gone, status, expected);
}

void ReplicaSet::kill_hard(Replica& r) {
  r.proc->signal(SIGKILL);
  // podman cannot pass SIGKILL on: its container would live on without the podman that ran it.
  if (!r.container.empty()) run_detached(remove_container_argv(runtime_, r.container));
}

void ReplicaSet::stop_all() {
  std::vector<int> ids;
  for (auto& [id, r] : replicas_) ids.push_back(id);
  for (int id : ids) {
    auto& r = replicas_.at(id);
    if (r.state != ReplicaState::stopping) {
      r.state = ReplicaState::draining;
      lb_.set_routable(id, false);
      terminate(id);
    }
  }
}

}  // namespace mlfaas::platform
