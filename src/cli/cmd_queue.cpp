// The async queue of a running gateway:
//   mlfaas queue ls                         calls queued / in progress / dead-lettered per function
//   mlfaas queue dead-letters [NAME]        the dead letters: call id, why, attempts, last status
//   mlfaas queue replay [NAME] [--sequence N]   queue dead letters again
#include <fmt/format.h>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/gateway_client.h"

namespace mlfaas::cli {

namespace json = boost::json;

namespace {

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  if (!v) return "-";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

int ls(const std::string& gw) {
  auto v = get_json(gw, "/system/queue").as_object();
  fmt::print("{:<24} {:>8} {:>12} {:>12} {:>13}\n", "FUNCTION", "QUEUED", "IN PROGRESS", "REDELIVERED", "DEAD LETTERS");
  for (auto& f : v.at("functions").as_array()) {
    auto& o = f.as_object();
    fmt::print("{:<24} {:>8} {:>12} {:>12} {:>13}\n", str(o, "name"), str(o, "queued"), str(o, "inProgress"),
               str(o, "redelivered"), str(o, "deadLetters"));
  }
  return 0;
}

int dead_letters(const std::string& gw, const std::string& fn) {
  auto v = get_json(gw, "/system/queue/dead-letters" + (fn.empty() ? "" : "?function=" + fn));
  fmt::print("{:>6} {:<38} {:<16} {:<18} {:>8} {:>6}  {}\n", "SEQ", "CALL ID", "FUNCTION", "REASON", "ATTEMPTS",
             "STATUS", "TARGET");
  for (auto& d : v.as_array()) {
    auto& o = d.as_object();
    fmt::print("{:>6} {:<38} {:<16} {:<18} {:>8} {:>6}  {} {}\n", str(o, "sequence"), str(o, "callId"),
               str(o, "function"), str(o, "reason"), str(o, "attempts"), str(o, "status"), str(o, "method"),
               str(o, "target"));
  }
  return 0;
}

int replay(const std::string& gw, const std::string& fn, int64_t seq) {
  json::object body;
  if (!fn.empty()) body["function"] = fn;
  if (seq > 0) body["sequence"] = seq;
  auto r = call_gateway(gateway_url(gw), http::Verb::post, "/system/queue/replay", json::serialize(body),
                        {{"Content-Type", "application/json"}});
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  fmt::print("replayed {}\n", json::serialize(json::parse(r.response.body()).at("replayed")));
  return 0;
}

}  // namespace

void add_queue(CLI::App& app, Runner& run) {
  auto gw = std::make_shared<std::string>();
  auto* q = app.add_subcommand("queue", "The async invocation queue: ls, dead-letters, replay");
  q->require_subcommand(1);
  auto add_gw = [gw](CLI::App* c) {
    c->add_option("--gateway,-g", *gw, "gateway URL (default: $MLFAAS_GATEWAY, $OPENFAAS_URL, http://127.0.0.1:8080)");
  };
  auto* l = q->add_subcommand("ls", "Calls queued, in progress and dead-lettered per function");
  add_gw(l);
  l->callback([=, &run] { run = [=] { return guarded("queue ls", [&] { return ls(*gw); }); }; });

  auto* d = q->add_subcommand("dead-letters", "Calls given up on (retries exhausted, callback failed, function gone)");
  auto dname = std::make_shared<std::string>();
  d->add_option("function", *dname, "only this function's");
  add_gw(d);
  d->callback([=, &run] { run = [=] { return guarded("queue dead-letters", [&] { return dead_letters(*gw, *dname); }); }; });

  auto* r = q->add_subcommand("replay", "Queue dead letters again (all, a function's, or one by --sequence)");
  auto rname = std::make_shared<std::string>();
  auto rseq = std::make_shared<int64_t>(0);
  r->add_option("function", *rname, "only this function's");
  r->add_option("--sequence", *rseq, "only this dead letter (SEQ in `mlfaas queue dead-letters`)");
  add_gw(r);
  r->callback([=, &run] { run = [=] { return guarded("queue replay", [&] { return replay(*gw, *rname, *rseq); }); }; });
}

}  // namespace mlfaas::cli
