// The CLI against a running gateway: deploy, ls, describe, invoke, scale, rm, logs.
#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "common/credentials.h"
#include "common/strings.h"

namespace mlfaas::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::string content_type_for(const std::string& path) {
  auto ext = to_lower(fs::path(path).extension().string());
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".webp") return "image/webp";
  if (ext == ".bmp") return "image/bmp";
  if (ext == ".gif") return "image/gif";
  if (ext == ".json") return "application/json";
  return "application/octet-stream";
}

int deploy(const std::string& gw, const std::string& file) {
  const std::string base = gateway_url(gw);
  std::string text = read_file(file);
  http::HeaderList headers = {{"Content-Type", "application/yaml"}, {"X-Mlfaas-Spec-Path", fs::absolute(file).string()}};
  // Like faas-cli: update if it exists, else create.
  auto r = call_gateway(base, http::Verb::put, "/system/functions", text, headers);
  if (r.response.result_int() == 404) r = call_gateway(base, http::Verb::post, "/system/functions", text, headers);
  if (r.response.result_int() != 202) {
    fmt::print(stderr, "mlfaas deploy: {}\n", api_error(r));
    return 1;
  }
  auto v = json::parse(r.response.body()).as_object();
  for (auto& n : v.at("deployed").as_array())
    fmt::print("deployed {}: {}/function/{}/\n", std::string(n.as_string()), base, std::string(n.as_string()));
  if (auto* revs = v.if_contains("revisions"))
    for (auto& n : revs->as_array()) fmt::print("created revision {}\n", std::string(n.as_string()));
  for (auto& w : v.at("warnings").as_array()) fmt::print(stderr, "warning: {}\n", std::string(w.as_string()));
  return 0;
}

int ls(const std::string& gw) {
  auto r = call_gateway(gateway_url(gw), http::Verb::get, "/system/functions");
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  fmt::print("{:<20} {:<12} {:>8} {:>6} {:>6} {:>6} {:>12}\n", "NAME", "POLICY", "DESIRED", "READY", "QUEUE", "INFL",
             "INVOCATIONS");
  const json::value list = json::parse(r.response.body());
  for (auto& f : list.as_array()) {
    auto& o = f.as_object();
    fmt::print("{:<20} {:<12} {:>8} {:>6} {:>6} {:>6} {:>12}\n", std::string(o.at("name").as_string()),
               std::string(o.at("autoscaler").as_object().at("policy").as_string()), o.at("desiredReplicas").to_number<int64_t>(),
               o.at("readyReplicas").to_number<int64_t>(), o.at("queueDepth").to_number<int64_t>(),
               o.at("inFlight").to_number<int64_t>(), o.at("invocationCount").to_number<int64_t>());
  }
  return 0;
}

int describe(const std::string& gw, const std::string& name, bool as_json) {
  auto r = call_gateway(gateway_url(gw), http::Verb::get, "/system/function/" + name);
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  if (as_json) {
    fmt::print("{}\n", r.response.body());
    return 0;
  }
  auto o = json::parse(r.response.body()).as_object();
  auto s = [&](const char* k) { return json::serialize(o.at(k)); };
  auto& as = o.at("autoscaler").as_object();
  fmt::print("name:          {}.{}\n", std::string(o.at("name").as_string()), std::string(o.at("namespace").as_string()));
  fmt::print("revision:      {} (from {} {})\n", std::string(o.at("revision").as_string()),
             std::string(o.at("format").as_string()), std::string(o.at("source").as_string()));
  fmt::print("command:       {}\n", s("command"));
  fmt::print("replicas:      desired {}, ready {}, starting {}, pending {}\n", s("desiredReplicas"),
             s("readyReplicas"), s("startingReplicas"), s("pendingReplicas"));
  if (auto why = o.at("pendingReason").as_string(); !why.empty()) fmt::print("pending:       {}\n", std::string(why));
  fmt::print("cpu:           request {:g}, limit {:g}\n", o.at("cpuRequest").to_number<double>(),
             o.at("cpuLimit").to_number<double>());
  fmt::print("requests:      {} invocations, {} in flight, {} queued{}\n", s("invocationCount"), s("inFlight"),
             s("queueDepth"), o.at("overloaded").as_bool() ? " (overloaded: shedding)" : "");
  fmt::print("cold starts:   {}    restarts: {}\n", s("coldStarts"), s("restarts"));
  fmt::print("concurrency:   containerConcurrency {}, timeout {} s\n", s("containerConcurrency"), s("timeoutSeconds"));
  fmt::print("autoscaler:    {} ({})\n", std::string(as.at("policy").as_string()), std::string(as.at("parameters").as_string()));
  fmt::print("last decision: {} replicas{}: {}\n", json::serialize(as.at("desired")),
             as.at("inPanic").as_bool() ? " (panic)" : "", std::string(as.at("reason").as_string()));
  for (auto& c : o.at("conditions").as_array()) {
    auto& co = c.as_object();
    fmt::print("condition:     {}={}{}{}\n", std::string(co.at("type").as_string()), std::string(co.at("status").as_string()),
               co.at("reason").as_string().empty() ? "" : " (" + std::string(co.at("reason").as_string()) + ")",
               co.at("message").as_string().empty() ? "" : ": " + std::string(co.at("message").as_string()));
  }
  for (auto& w : o.at("warnings").as_array()) fmt::print("warning:       {}\n", std::string(w.as_string()));
  if (o.contains("traffic")) print_traffic(o);
  fmt::print("\n{:>4} {:>8} {:>6} {:<22} {:<9} {:>6} {:>10}\n", "ID", "PID", "PORT", "REVISION", "STATE", "INFL", "UPTIME");
  for (auto& rv : o.at("replicaDetails").as_array()) {
    auto& rep = rv.as_object();
    fmt::print("{:>4} {:>8} {:>6} {:<22} {:<9} {:>6} {:>9.1f}s\n", rep.at("id").to_number<int64_t>(),
               rep.at("pid").to_number<int64_t>(), rep.at("port").to_number<int64_t>(),
               std::string(rep.at("revision").as_string()), std::string(rep.at("state").as_string()),
               rep.at("inFlight").to_number<int64_t>(), rep.at("uptimeSeconds").to_number<double>());
  }
  return 0;
}

// With `async`: POST /async-function/... (202 + call id; the result goes to `callback` if given).
int invoke(const std::string& gw, const std::string& name, const std::string& file, const std::string& path,
           const std::string& data, const std::string& method, double timeout_s, bool async, const std::string& callback) {
  std::string body = file.empty() ? data : read_file(file);
  http::HeaderList headers;
  if (!file.empty()) headers.push_back({"Content-Type", content_type_for(file)});
  std::string m = method.empty() ? (body.empty() ? "GET" : "POST") : method;
  for (auto& c : m) c = char(std::toupper(static_cast<unsigned char>(c)));
  auto verb = boost::beast::http::string_to_verb(m);
  if (verb == http::Verb::unknown) throw std::runtime_error("unknown method " + m);
  std::string p = path.empty() ? "/" : (path[0] == '/' ? path : "/" + path);
  if (!callback.empty()) headers.push_back({"X-Callback-Url", callback});
  auto r = call_gateway(gateway_url(gw), verb, (async ? "/async-function/" : "/function/") + name + p, std::move(body),
                        headers, std::chrono::milliseconds(int64_t(timeout_s * 1000)));
  if (async && r.response.result_int() == 202) {
    fmt::print("queued: call id {}{}\n", std::string(r.response["X-Call-Id"]),
               callback.empty() ? "" : "; the result goes to " + callback);
    return 0;
  }
  fmt::print("{}", r.response.body());
  if (!r.response.body().empty() && r.response.body().back() != '\n') fmt::print("\n");
  if (r.response.result_int() >= 400) {
    fmt::print(stderr, "mlfaas invoke: HTTP {}\n", r.response.result_int());
    return 1;
  }
  return 0;
}

int scale(const std::string& gw, const std::string& name, int replicas) {
  auto r = call_gateway(gateway_url(gw), http::Verb::post, "/system/scale-function/" + name,
                        fmt::format(R"({{"replicas":{}}})", replicas), {{"Content-Type", "application/json"}});
  if (r.response.result_int() != 202) throw std::runtime_error(api_error(r));
  fmt::print("scaled {} to {}\n", name, replicas);
  return 0;
}

int rm(const std::string& gw, const std::string& name) {
  auto r = call_gateway(gateway_url(gw), http::Verb::delete_, "/system/functions",
                        fmt::format(R"({{"functionName":"{}"}})", name), {{"Content-Type", "application/json"}});
  if (r.response.result_int() != 202) throw std::runtime_error(api_error(r));
  fmt::print("removed {}\n", name);
  return 0;
}

int logs(const std::string& gw, const std::string& name, bool follow, int tail) {
  const std::string base = gateway_url(gw);
  uint64_t since = 0;
  for (bool first = true;; first = false) {
    auto r = call_gateway(base, http::Verb::get,
                          fmt::format("/system/logs?name={}&since={}&tail={}", name, since, first ? tail : 100000));
    if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
    for (auto line : split(r.response.body(), '\n')) {
      if (line.empty()) continue;
      auto o = json::parse(line).as_object();
      since = std::max<uint64_t>(since, o.at("seq").to_number<uint64_t>());
      fmt::print("{} {}\n", std::string(o.at("instance").as_string()), std::string(o.at("text").as_string()));
    }
    std::fflush(stdout);
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// faas-cli login: the password comes on stdin (never in arguments or the process list); it is
// checked against the gateway before it is saved.
int login(const std::string& gw, const std::string& user, bool password_stdin) {
  if (!password_stdin) {
    fmt::print(stderr, "login: pass the password on stdin with --password-stdin (e.g. `cat pw | mlfaas login "
                       "--password-stdin`); it is never taken as an argument\n");
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == ' ')) password.pop_back();
  if (password.empty()) {
    fmt::print(stderr, "login: no password on stdin\n");
    return 2;
  }
  const std::string base = gateway_url(gw);
  http::ClientResult r;
  try {
    r = http::fetch(base + "/system/functions", http::Verb::get, {}, {{"Authorization", basic_authorization(user, password)}});
  } catch (const std::exception& e) {
    fmt::print(stderr, "login: bad gateway URL {}: {}\n", base, e.what());
    return 2;
  }
  if (!r.ok()) {
    fmt::print(stderr, "login: cannot reach the gateway at {} ({})\n", base, r.message);
    return 1;
  }
  if (r.response.result_int() == 401) {
    fmt::print(stderr, "login: the gateway at {} refused user '{}' with that password\n", base, user);
    return 1;
  }
  save_gateway_login(base, user, password);
  fmt::print("credentials for {} saved in {}\n", base, (state_dir() / "logins.json").string());
  return 0;
}

}  // namespace

void add_functions(CLI::App& app, Runner& run) {
  auto gw = std::make_shared<std::string>();
  auto add_gw = [gw](CLI::App* c) {
    c->add_option("--gateway,-g", *gw, "gateway URL (default: $MLFAAS_GATEWAY, $OPENFAAS_URL, http://127.0.0.1:8080)");
  };

  auto* dep = app.add_subcommand("deploy", "Deploy (or update) the functions in a Knative Service YAML or OpenFaaS stack.yml");
  auto file = std::make_shared<std::string>();
  dep->add_option("file", *file, "spec file")->required()->check(CLI::ExistingFile);
  add_gw(dep);
  dep->callback([=, &run] { run = [=] { return guarded("deploy", [&] { return deploy(*gw, *file); }); }; });

  auto* li = app.add_subcommand("login", "Save the admin credentials of a gateway (password on stdin)");
  auto luser = std::make_shared<std::string>("admin");
  auto lstdin = std::make_shared<bool>(false);
  li->add_option("--username,-u", *luser, "user")->capture_default_str();
  li->add_flag("--password-stdin", *lstdin, "read the password from stdin");
  add_gw(li);
  li->callback([=, &run] { run = [=] { return login(*gw, *luser, *lstdin); }; });

  auto* l = app.add_subcommand("ls", "List deployed functions");
  add_gw(l);
  l->callback([=, &run] { run = [=] { return guarded("ls", [&] { return ls(*gw); }); }; });

  auto* d = app.add_subcommand("describe", "A function's replicas, autoscaler state and counters");
  auto dname = std::make_shared<std::string>();
  auto djson = std::make_shared<bool>(false);
  d->add_option("name", *dname, "function")->required();
  d->add_flag("--json", *djson, "print the API's JSON");
  add_gw(d);
  d->callback([=, &run] { run = [=] { return guarded("describe", [&] { return describe(*gw, *dname, *djson); }); }; });

  auto* inv = app.add_subcommand("invoke", "Call a function through the gateway and print the response");
  auto iname = std::make_shared<std::string>(), ifile = std::make_shared<std::string>(),
       ipath = std::make_shared<std::string>(), idata = std::make_shared<std::string>(),
       imethod = std::make_shared<std::string>();
  auto itimeout = std::make_shared<double>(60);
  auto iasync = std::make_shared<bool>(false);
  auto icallback = std::make_shared<std::string>();
  inv->add_option("name", *iname, "function")->required();
  inv->add_option("--file,-f", *ifile, "send this file as the body (Content-Type from its extension)")->check(CLI::ExistingFile);
  inv->add_option("--data,-d", *idata, "send this text as the body");
  inv->add_option("--path", *ipath, "path inside the function (default /)");
  inv->add_option("--method,-X", *imethod, "HTTP method (default POST with a body, else GET)");
  inv->add_option("--timeout", *itimeout, "seconds")->capture_default_str();
  inv->add_flag("--async", *iasync, "queue the call (POST /async-function/...): prints its call id");
  inv->add_option("--callback", *icallback, "with --async: POST the result to this http:// URL (X-Callback-Url)");
  add_gw(inv);
  inv->callback([=, &run] {
    run = [=] { return guarded("invoke", [&] { return invoke(*gw, *iname, *ifile, *ipath, *idata, *imethod, *itimeout, *iasync, *icallback); }); };
  });

  auto* sc = app.add_subcommand("scale", "Set a function's replica count now (its autoscaler keeps deciding afterwards)");
  auto sname = std::make_shared<std::string>();
  auto sn = std::make_shared<int>(0);
  sc->add_option("name", *sname, "function")->required();
  sc->add_option("replicas", *sn, "replicas")->required();
  add_gw(sc);
  sc->callback([=, &run] { run = [=] { return guarded("scale", [&] { return scale(*gw, *sname, *sn); }); }; });

  auto* r = app.add_subcommand("rm", "Remove a function (its replicas get SIGTERM)");
  auto rname = std::make_shared<std::string>();
  r->add_option("name", *rname, "function")->required();
  add_gw(r);
  r->callback([=, &run] { run = [=] { return guarded("rm", [&] { return rm(*gw, *rname); }); }; });

  auto* lg = app.add_subcommand("logs", "Output of a function's replicas (and the gateway's notes about them)");
  auto lname = std::make_shared<std::string>();
  auto follow = std::make_shared<bool>(false);
  auto tail = std::make_shared<int>(200);
  lg->add_option("name", *lname, "function")->required();
  lg->add_flag("--follow,-f", *follow, "keep printing new lines");
  lg->add_option("--tail", *tail, "lines to show first")->capture_default_str();
  add_gw(lg);
  lg->callback([=, &run] { run = [=] { return guarded("logs", [&] { return logs(*gw, *lname, *follow, *tail); }); }; });
}

}  // namespace mlfaas::cli
