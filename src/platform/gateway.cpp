#include "platform/gateway.h"

#include <fmt/format.h>
#include <malloc.h>

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "common/cpus.h"
#include "common/credentials.h"
#include "common/log.h"
#include "common/version.h"
#include "common/strings.h"
#include "http/query.h"
#include "http/responses.h"
#include "metrics/text_format.h"
#include "platform/container_runtime.h"
#include "platform/ui_assets.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;

namespace {

http::ClientOptions client_options() {
  http::ClientOptions o;
  o.single_threaded = true;          // the platform runs on one I/O thread
  o.max_idle_per_endpoint = 256;     // one per concurrent request to a replica, kept warm
  o.connect_timeout = std::chrono::milliseconds(2000);
  return o;
}

std::string host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::string(host);  // IPv6 literal: never a function
  auto colon = host.rfind(':');
  return std::string(colon == std::string_view::npos ? host : host.substr(0, colon));
}

}  // namespace

Gateway::Gateway(asio::io_context& ioc, GatewayOptions opts)
    : ioc_(ioc),
      opts_(opts),
      reaper_(ioc),
      client_(ioc.get_executor(), client_options()),
      metrics_(registry_),
      node_(opts.node_cpus > 0 ? opts.node_cpus : double(usable_cpus())),
      ticker_(ioc) {
  if (!opts_.state_dir.empty()) store_ = std::make_unique<FunctionStore>(opts_.state_dir);
  registry_.gauge_callback("mlfaas_gateway_functions", "Deployed functions", [this] { return double(functions_.size()); });
  schedule_tick();
}

Gateway::~Gateway() {
  *alive_ = false;
  eventing_.reset();  // its fetch threads post to the I/O thread and call back into the functions
  async_.reset();
  ticker_.cancel();
  functions_.clear();
}

void Gateway::schedule_tick() {
  std::weak_ptr<bool> alive = alive_;
  ticker_.expires_after(opts_.tick);
  ticker_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    bool idle = true;
    for (auto& [name, fn] : functions_) {
      fn->tick();
      idle = idle && fn->idle();
      for (auto& r : fn->take_retired()) retiring_revisions_.push_back(std::move(r));
    }
    std::erase_if(retiring_, [](const std::unique_ptr<Service>& fn) { return fn->all_stopped(); });
    std::erase_if(retiring_revisions_, [](const std::unique_ptr<FunctionRuntime>& r) { return r->all_stopped(); });
    persist();  // which revisions became ready changes what a restart restores
    if (async_) async_->refresh_gauges();
    write_scrape_targets();
    // After a burst, give the memory its bodies and connections took back to the system (glibc
    // keeps freed heap otherwise; Envoy's overload manager has shrink_heap for the same reason).
    if (idle && !trimmed_) malloc_trim(0);
    trimmed_ = idle;
    schedule_tick();
  });
}

http::Handler Gateway::handler() {
  return [this](http::Request& req, http::RequestContext& ctx) { return handle(req, ctx); };
}

uint64_t Gateway::body_limit(const http::Request& head) {
  if (route_by_host(head).first) return UINT64_MAX;
  if (head.target().starts_with("/async-function/")) return async_body_limit();
  return head.target().starts_with("/system/") ? uint64_t(1) << 20 : UINT64_MAX;
}

void Gateway::limit_replicas(FunctionSpec& spec) const {
  // Knative's max-scale-limit (config-autoscaler): no revision may ask for more, and "unlimited"
  // means the limit. Here it is what one node may fork per function.
  const int cap = opts_.max_replicas;
  auto refuse = [&](const char* field, int v) {
    throw SpecError(fmt::format("function '{}': {}: {} is above the {} replicas one function may have on this node "
                                "(mlfaas up --max-replicas)",
                                spec.name, field, v, cap));
  };
  auto& sc = spec.scaling;
  if (sc.kpa.min_scale > cap) refuse("autoscaling.knative.dev/min-scale", sc.kpa.min_scale);
  if (sc.kpa.initial_scale > cap) refuse("autoscaling.knative.dev/initial-scale", sc.kpa.initial_scale);
  if (sc.kpa.max_scale > cap) refuse("autoscaling.knative.dev/max-scale", sc.kpa.max_scale);
  if (sc.kind == autoscale::PolicyKind::fixed && sc.fixed.replicas > cap) refuse("replicas", sc.fixed.replicas);
  if (sc.kind == autoscale::PolicyKind::openfaas_ce && sc.openfaas_ce.min_replicas > cap)
    refuse("com.openfaas.scale.min", sc.openfaas_ce.min_replicas);
  sc.kpa.max_scale_limit = cap;
}

// What the replicas will run must exist: a command for processes, an image for containers.
void Gateway::check_runnable(const FunctionSpec& spec) const {
  if (opts_.runtime.container.containers()) {
    if (spec.image.empty())
      throw SpecError(fmt::format("function '{}': names no image, which --runtime podman runs", spec.name));
    if (spec.security.run_as_non_root) {
      // The kubelet checks this when it creates the container; we can at deploy, and say so there.
      std::string user;  // the image's USER, which decides only without a runAsUser
      if (!spec.security.run_as_user) {
        auto u = image_user(opts_.runtime.container, spec.image);
        if (!u)
          throw SpecError(fmt::format("function '{}': runAsNonRoot cannot be verified: podman has no image {} "
                                      "(mlfaas never pulls; build or load it first)",
                                      spec.name, spec.image));
        user = *u;
      }
      if (auto why = run_as_non_root_violation(spec.security, spec.image, user); !why.empty())
        throw SpecError(fmt::format("function '{}': {}", spec.name, why));
    }
  } else if (spec.command.empty()) {
    throw SpecError(spec.no_command_error.empty() ? fmt::format("function '{}': no command to run", spec.name)
                                                  : spec.no_command_error);
  }
}

std::string Gateway::deploy(FunctionSpec spec) {
  check_runnable(spec);
  limit_replicas(spec);
  if (eventing_) eventing_->decorate(spec);
  auto it = functions_.find(spec.name);
  if (it != functions_.end()) {
    const std::string from = spec.source.empty() ? spec.format : spec.source;
    std::string rev = it->second->apply(std::move(spec));
    if (async_) async_->watch(it->first, async_max_inflight(it->second->spec()));
    if (!rev.empty()) log::info("function {}: new revision {} from {}", it->first, rev, from);
    for (auto& r : it->second->take_retired()) retiring_revisions_.push_back(std::move(r));
    persist();
    return rev;
  }
  log::info("function {}: deployed from {} ({} policy)", spec.name, spec.source.empty() ? spec.format : spec.source,
            autoscale::policy_kind_name(spec.scaling.kind));
  std::string name = spec.name;
  auto svc = std::make_unique<Service>(service_context(), std::move(spec));
  std::string rev = svc->latest_ready_name();
  if (async_) async_->watch(name, async_max_inflight(svc->spec()));
  functions_[name] = std::move(svc);
  persist();
  return rev;
}

ServiceContext Gateway::service_context() {
  return ServiceContext{ioc_, reaper_, client_, metrics_, node_, opts_.runtime, opts_.keep_revisions};
}

size_t Gateway::restore() {
  if (!store_) return 0;
  size_t n = 0;
  const auto saved = store_->load();
  // Eventing first: SinkBindings decorate the functions restored below.
  if (eventing_) eventing_->restore(saved.at("eventing").as_array());
  else if (!saved.at("eventing").as_array().empty())
    log::error("{} saved eventing objects are not restored: no queue (--nats)", saved.at("eventing").as_array().size());
  for (auto& sv : saved.at("services").as_array()) {
    const auto& so = sv.as_object();
    const std::string name(so.at("name").as_string());
    try {
      std::unique_ptr<Service> svc;
      for (auto& rv : so.at("revisions").as_array()) {
        const auto& ro = rv.as_object();
        const std::string text(ro.at("text").as_string()), source(ro.at("source").as_string());
        FunctionSpec spec;
        bool found = false;
        for (auto& s : parse_specs(text, source))
          if (s.name == name) {
            spec = std::move(s);
            found = true;
          }
        if (!found) throw SpecError("its saved spec no longer defines it");
        limit_replicas(spec);
        if (eventing_) eventing_->decorate(spec);
        spec.revision_name = std::string(ro.at("name").as_string());
        spec.traffic.reset();
        const int gen = int(ro.at("generation").to_number<int64_t>());
        const bool ready = ro.at("ready").as_bool();
        if (!svc) {
          svc = std::make_unique<Service>(service_context(), std::move(spec), gen);
          if (ready) svc->revision(svc->latest_ready_name())->assume_ready();
        } else {
          svc->restore_revision(std::move(spec), gen, ready);
        }
      }
      if (!svc) continue;
      svc->restore_traffic(traffic_from_json(so.at("traffic"), "traffic"));
      if (auto* b = so.if_contains("bootText"); b && b->is_string()) svc->set_boot_text(std::string(b->as_string()));
      log::info("function {}: restored ({} revisions) from {}", name, svc->revisions_json().size(), store_->file().string());
      if (async_) async_->watch(name, async_max_inflight(svc->spec()));
      functions_[name] = std::move(svc);
      ++n;
    } catch (const std::exception& e) {
      log::error("function {}: could not be restored from {}: {}", name, store_->file().string(), e.what());
    }
  }
  return n;
}

bool Gateway::deploy_at_start(FunctionSpec spec) {
  auto* svc = find(spec.name);
  if (svc && svc->boot_text() == spec.text) return false;
  std::string text = spec.text, name = spec.name;
  deploy(std::move(spec));
  find(name)->set_boot_text(std::move(text));
  persist();
  return true;
}

void Gateway::persist() {
  if (!store_) return;
  json::array services;
  for (auto& [name, fn] : functions_) services.push_back(fn->to_state());
  try {
    store_->save(services, eventing_ ? eventing_->to_state() : json::array{});
  } catch (const std::exception& e) {
    log::error("saving the functions: {}", e.what());
  }
}

void Gateway::write_scrape_targets() {
  if (opts_.scrape_targets_file.empty()) return;
  json::array targets;
  for (auto& [name, fn] : functions_) fn->scrape_targets(targets);
  std::string text = json::serialize(targets);
  if (text == scrape_targets_written_) return;
  // Written whole and renamed: Prometheus never reads half a file.
  const std::string tmp = opts_.scrape_targets_file + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text << '\n';
    if (!f.flush()) {
      log::warn("cannot write {}", tmp);
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, opts_.scrape_targets_file, ec);
  if (!ec) scrape_targets_written_ = std::move(text);
}

bool Gateway::remove(const std::string& name) {
  auto it = functions_.find(name);
  if (it == functions_.end()) return false;
  it->second->stop_all();
  if (async_) async_->unwatch(name);
  // Kept until its replicas have exited and its last request is answered (see schedule_tick).
  retiring_.push_back(std::move(it->second));
  functions_.erase(it);
  persist();
  return true;
}

Service* Gateway::find(const std::string& name) {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second.get();
}

void Gateway::stop_all() {
  for (auto& [name, fn] : functions_) fn->stop_all();
}

bool Gateway::all_stopped() const {
  for (auto& [name, fn] : functions_)
    if (!fn->all_stopped()) return false;
  for (auto& fn : retiring_)
    if (!fn->all_stopped()) return false;
  for (auto& r : retiring_revisions_)
    if (!r->all_stopped()) return false;
  return true;
}

std::pair<Service*, std::string> Gateway::route_by_host(const http::Request& req) {
  // Knative: {name}.{namespace}.{domain}, also bare {name}.{namespace}; a tag's revision at
  // {tag}-{name}.{namespace}... (the default tag-template).
  std::string host = host_without_port(std::string_view(req[http::Field::host]));
  auto dot = host.find('.');
  if (dot == std::string::npos) return {nullptr, ""};
  const std::string first = host.substr(0, dot);
  auto rest = std::string_view(host).substr(dot + 1);
  auto ns = rest.substr(0, rest.find('.'));
  if (auto* fn = find(first)) return {fn->namespace_() == ns ? fn : nullptr, ""};
  for (auto& [name, fn] : functions_) {
    if (first.size() <= name.size() + 1 || !first.ends_with("-" + name)) continue;
    std::string tag = first.substr(0, first.size() - name.size() - 1);
    if (fn->namespace_() == ns && fn->has_tag(tag)) return {fn.get(), tag};
  }
  return {nullptr, ""};
}

asio::awaitable<http::Response> Gateway::handle(http::Request& req, http::RequestContext& ctx) {
  // (No structured bindings in coroutines: g++ 12 destroys a bound std::string twice.)
  if (auto host_route = route_by_host(req); host_route.first) {
    const std::string& tag = host_route.second;
    auto* rt = host_route.first->pick(tag);
    if (!rt) co_return http::error_response(Status::not_found, fmt::format("tag '{}' routes to no revision", tag));
    co_return co_await invoke(*rt, req, ctx, std::string(req.target()));
  }

  const std::string target(req.target());
  if (target.rfind("/function/", 0) == 0) {
    // Checked before the general URL parsing: this is the hot path.
    auto fp = parse_function_path(std::string_view(target).substr(10));
    auto* fn = find(fp.name);
    if (!fn || (!fp.ns.empty() && fp.ns != fn->namespace_()))
      co_return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", fp.name));
    co_return co_await invoke(*fn->pick(), req, ctx, fp.target);
  }
  if (target.rfind("/async-function/", 0) == 0)
    co_return co_await async_invoke(req, parse_function_path(std::string_view(target).substr(16)));
  http::Query q;
  try {
    q = http::parse_query(target);
  } catch (const http::BadRequestTarget& e) {
    co_return http::error_response(Status::bad_request, std::string("invalid request target: ") + e.what());
  }
  const std::string& path = q.path;
  const auto m = req.method();
  const bool get = m == http::Verb::get || m == http::Verb::head;

  // The admin API needs the admin's credentials (OpenFaaS's basic auth); invocations stay open.
  if ((path.rfind("/system/", 0) == 0 || path == "/ui" || path.rfind("/ui/", 0) == 0) && !opts_.admin_password.empty() &&
      !basic_authorization_matches(req[http::Field::authorization], kAdminUser, opts_.admin_password)) {
    auto r = http::error_response(Status::unauthorized,
                                  "the /system API and /ui need the admin's credentials (HTTP basic auth, user admin): the CLI "
                                  "finds a local gateway's by itself; for another gateway run `mlfaas login`");
    r.set(http::Field::www_authenticate, "Basic realm=\"mlfaas\", charset=\"UTF-8\"");
    co_return r;
  }
  if (path == "/system/functions") co_return functions_api(req);
  if (path == "/system/queue" || path.rfind("/system/queue/", 0) == 0) co_return co_await queue_api(req, path);
  if (path == "/system/brokers" || path == "/system/triggers" || path == "/system/sources" ||
      path.rfind("/system/eventing/", 0) == 0)
    co_return co_await eventing_api(req, path);
  if (path.rfind("/system/function/", 0) == 0) {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return function_status(path.substr(17));
  }
  if (path.rfind("/system/traffic/", 0) == 0) {
    if (m != http::Verb::put && m != http::Verb::post) co_return http::method_not_allowed("PUT, POST");
    co_return traffic_api(req, path.substr(16));
  }
  if (path.rfind("/system/scale-function/", 0) == 0) {
    if (m != http::Verb::post) co_return http::method_not_allowed("POST");
    co_return scale_api(req, path.substr(23));
  }
  if (path == "/system/logs") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return logs_api(req);
  }
  if (path == "/system/info") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::json_response(
        Status::ok, json::serialize(json::object{
                        {"provider", json::object{{"provider", "mlfaas"}, {"orchestration", "processes"}, {"version", json::object{{"release", mlfaas::version()}}}}},
                        {"version", json::object{{"release", mlfaas::version()}}},
                        {"arch", mlfaas::machine_arch()}}));
  }
  if (auto b = broker_route(req, path); !b.second.empty()) {
    if (!eventing_) co_return http::unavailable("brokers are unavailable: " + async_unavailable_, 5);
    co_return co_await eventing_->ingress(req, b.first, b.second);
  }
  if (path == "/ui" || path.rfind("/ui/", 0) == 0) {
    if (auto r = ui_response(req)) co_return *r;
  }
  if (path == "/healthz") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::text_response(Status::ok, "OK");
  }
  if (path == "/metrics") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::text_response(Status::ok, registry_.render(), metrics::kTextContentType);
  }
  co_return http::error_response(
      Status::not_found,
      fmt::format("no route for {} {}; functions are at /function/{{name}}/... or by Host {{name}}.{{namespace}}.<domain>; "
                  "the API is under /system",
                  std::string(req.method_string()), path));
}

Gateway::FunctionPath Gateway::parse_function_path(std::string_view rest) {
  FunctionPath fp;
  size_t end = rest.find_first_of("/?");
  fp.name = std::string(rest.substr(0, end));
  if (auto dot = fp.name.find('.'); dot != std::string::npos) {
    fp.ns = fp.name.substr(dot + 1);
    fp.name = fp.name.substr(0, dot);
  }
  fp.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (fp.target[0] == '?') fp.target = "/" + fp.target;
  return fp;
}

asio::awaitable<http::Response> Gateway::invoke(FunctionRuntime& fn, http::Request& req, http::RequestContext& ctx,
                                                std::string target) {
  CallerInfo caller;
  caller.remote_ip = ctx.remote.address().to_string();
  caller.host = std::string(req[http::Field::host]);
  caller.cancellation = ctx.cancellation;
  req.target(target);
  co_return co_await fn.invoke(req, caller);
}

http::Response Gateway::functions_api(http::Request& req) {
  const auto m = req.method();
  if (m == http::Verb::get || m == http::Verb::head) {
    json::array list;
    for (auto& [name, fn] : functions_) {
      auto s = fn->status_json();
      s.erase("replicaDetails");
      list.push_back(std::move(s));
    }
    return http::json_response(Status::ok, json::serialize(list));
  }
  if (m == http::Verb::post || m == http::Verb::put) {
    SpecSet set;
    try {
      set = parse_spec_set(req.body(), std::string(req["X-Mlfaas-Spec-Path"]));
    } catch (const SpecError& e) {
      return http::error_response(Status::bad_request, e.what());
    }
    auto& specs = set.functions;
    if (!set.eventing.empty() && !eventing_)
      return http::error_response(Status::bad_request,
                                  fmt::format("eventing objects need the event store, which is off: {}", async_unavailable_));
    for (auto& s : specs) {
      try {
        limit_replicas(s);  // all checked before any is deployed
      } catch (const SpecError& e) {
        return http::error_response(Status::bad_request, e.what());
      }
      bool exists = find(s.name) != nullptr;
      if (m == http::Verb::post && exists)
        return http::error_response(Status::conflict, fmt::format("function '{}' already exists; update it with PUT", s.name));
      if (m == http::Verb::put && !exists)
        return http::error_response(Status::not_found, fmt::format("function '{}' does not exist; deploy it with POST", s.name));
    }
    json::array names, warnings, revisions, objects;
    for (auto& s : specs) {
      names.push_back(json::string(s.name));
      for (auto& w : s.warnings) warnings.push_back(json::string(s.name + ": " + w));
      try {
        std::string rev = deploy(std::move(s));
        if (!rev.empty()) revisions.push_back(json::string(rev));
      } catch (const std::exception& e) {
        return http::error_response(Status::bad_request, e.what());
      }
    }
    try {
      apply_eventing(set.eventing);
    } catch (const std::exception& e) {
      return http::error_response(Status::bad_request, e.what());
    }
    for (auto* list : {&set.eventing.brokers}) for (auto& o : *list) objects.push_back(json::string("Broker " + o.namespace_ + "/" + o.name));
    for (auto& o : set.eventing.triggers) objects.push_back(json::string("Trigger " + o.namespace_ + "/" + o.name));
    for (auto& o : set.eventing.ping_sources) objects.push_back(json::string("PingSource " + o.namespace_ + "/" + o.name));
    for (auto& o : set.eventing.sink_bindings) objects.push_back(json::string("SinkBinding " + o.namespace_ + "/" + o.name));
    return http::json_response(Status::accepted,
                               json::serialize(json::object{{"deployed", names},
                                                            {"revisions", revisions},
                                                            {"eventing", objects},
                                                            {"warnings", warnings}}));
  }
  if (m == http::Verb::delete_) {
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (ec || !v.is_object() || !v.as_object().contains("functionName") || !v.as_object().at("functionName").is_string())
      return http::error_response(Status::bad_request, R"(expected a JSON body {"functionName": "<name>"})");
    std::string name(v.as_object().at("functionName").as_string());
    if (!remove(name)) return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", name));
    return http::json_response(Status::accepted, json::serialize(json::object{{"removed", name}}));
  }
  return http::method_not_allowed("GET, HEAD, POST, PUT, DELETE");
}

http::Response Gateway::function_status(const std::string& name) {
  auto* fn = find(name);
  if (!fn) return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", name));
  return http::json_response(Status::ok, json::serialize(fn->status_json()));
}

http::Response Gateway::traffic_api(http::Request& req, const std::string& name) {
  auto* fn = find(name);
  if (!fn) return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", name));
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec || !v.is_object() || !v.as_object().contains("traffic"))
    return http::error_response(Status::bad_request,
                                R"(expected a JSON body {"traffic": [{"revisionName" | "latestRevision", "percent", "tag"}, ...]})");
  try {
    fn->set_traffic(traffic_from_json(v.as_object().at("traffic"), "traffic"));
  } catch (const SpecError& e) {
    return http::error_response(Status::bad_request, e.what());
  }
  log::info("function {}: traffic {}", name, json::serialize(traffic_to_json(fn->traffic())));
  persist();
  return http::json_response(Status::ok, json::serialize(fn->status_json()));
}

http::Response Gateway::scale_api(http::Request& req, const std::string& name) {
  auto* fn = find(name);
  if (!fn) return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", name));
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec || !v.is_object() || !v.as_object().contains("replicas") || !v.as_object().at("replicas").is_number())
    return http::error_response(Status::bad_request, R"(expected a JSON body {"replicas": N})");
  int64_t n = v.as_object().at("replicas").to_number<int64_t>();
  const auto& sc = fn->spec().scaling;
  int lo = 0, hi = opts_.max_replicas;
  switch (sc.kind) {
    case autoscale::PolicyKind::kpa:
      lo = sc.kpa.enable_scale_to_zero ? sc.kpa.min_scale : std::max(1, sc.kpa.min_scale);
      if (sc.kpa.effective_max_scale() > 0) hi = std::min(hi, sc.kpa.effective_max_scale());
      break;
    case autoscale::PolicyKind::openfaas_ce:  // CE clamps to [1, 5] (gateway/scaling/ranges.go)
      lo = 1;
      hi = autoscale::kOpenFaasCeMaxReplicas;
      break;
    case autoscale::PolicyKind::fixed:
      lo = 1;
      break;
  }
  if (n < lo || n > hi)
    return http::error_response(Status::bad_request,
                                fmt::format("replicas must be between {} and {} for function '{}' ({} policy)", lo, hi,
                                            name, autoscale::policy_kind_name(sc.kind)));
  fn->scale_to(int(n));
  return http::json_response(Status::accepted, json::serialize(json::object{{"name", name}, {"replicas", n}}));
}

http::Response Gateway::logs_api(const http::Request& req) {
  auto q = http::parse_query(req.target());
  auto name = q.get("name");
  if (!name) return http::error_response(Status::bad_request, "the name query parameter is required");
  auto* fn = find(*name);
  if (!fn) return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", *name));
  uint64_t since = 0;
  size_t tail = 1000;
  if (auto s = q.get("since")) std::from_chars(s->data(), s->data() + s->size(), since);
  if (auto t = q.get("tail")) std::from_chars(t->data(), t->data() + t->size(), tail);
  std::string body;
  for (auto& l : fn->logs(since, tail)) {
    auto secs = std::chrono::duration<double>(l.time.time_since_epoch()).count();
    // OpenFaaS log message fields (name, namespace, instance, timestamp, text) plus seq for --follow.
    body += json::serialize(json::object{{"name", *name},
                                         {"namespace", fn->namespace_()},
                                         {"instance", l.replica == 0 ? "gateway" : fmt::format("{}-{}", *name, l.replica)},
                                         {"timestamp", secs},
                                         {"seq", l.seq},
                                         {"text", l.text}});
    body += '\n';
  }
  auto r = http::text_response(Status::ok, std::move(body), "application/x-ndjson");
  return r;
}

}  // namespace mlfaas::platform
