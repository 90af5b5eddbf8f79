// Revisions and traffic against a running gateway:
//   mlfaas revisions NAME
//   mlfaas traffic NAME [REV=PCT ...] [--tag REV=TAG ...] [--untag TAG ...]
// (the shape of `kn service update --traffic/--tag/--untag`; @latest names the latest revision).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "platform/traffic.h"

namespace mlfaas::cli {

namespace json = boost::json;

namespace {

json::object status(const std::string& base, const std::string& name) {
  auto r = call_gateway(base, http::Verb::get, "/system/function/" + name);
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  return json::parse(r.response.body()).as_object();
}

int revisions(const std::string& gw, const std::string& name) {
  auto o = status(gateway_url(gw), name);
  print_traffic(o);
  return 0;
}

std::pair<std::string, std::string> split_pair(const std::string& s, const char* what) {
  auto eq = s.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    throw std::runtime_error(fmt::format("expected {}, got '{}'", what, s));
  return {s.substr(0, eq), s.substr(eq + 1)};
}

int traffic(const std::string& gw, const std::string& name, const std::vector<std::string>& percents,
            const std::vector<std::string>& tags, const std::vector<std::string>& untag) {
  const std::string base = gateway_url(gw);
  auto o = status(base, name);
  // The current spec.traffic (latestRevision targets as such, not as the revision they resolve to).
  json::array current;
  for (auto& t : o.at("traffic").as_array()) {
    auto to = t.as_object();
    if (to.contains("latestRevision")) to.erase("revisionName");
    to.erase("host");
    current.push_back(to);
  }
  platform::TrafficEdit edit;
  for (auto& p : percents) {
    auto [rev, pct] = split_pair(p, "REVISION=PERCENT");
    int v = -1;
    auto res = std::from_chars(pct.data(), pct.data() + pct.size(), v);
    if (res.ec != std::errc() || res.ptr != pct.data() + pct.size() || v < 0 || v > 100)
      throw std::runtime_error(fmt::format("'{}': the percent must be a whole number from 0 to 100", p));
    edit.percents.emplace_back(rev, v);
  }
  for (auto& t : tags) edit.tags.push_back(split_pair(t, "REVISION=TAG"));
  edit.untag = untag;
  auto next = platform::apply_traffic_edit(platform::traffic_from_json(current, "traffic"), edit);
  auto r = call_gateway(base, http::Verb::put, "/system/traffic/" + name,
                        json::serialize(json::object{{"traffic", platform::traffic_to_json(next)}}),
                        {{"Content-Type", "application/json"}});
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  print_traffic(json::parse(r.response.body()).as_object());
  return 0;
}

}  // namespace

void add_revisions(CLI::App& app, Runner& run) {
  auto gw = std::make_shared<std::string>();
  auto* rv = app.add_subcommand("revisions", "A function's revisions, their traffic, tags and replicas");
  auto rname = std::make_shared<std::string>();
  rv->add_option("name", *rname, "function")->required();
  rv->add_option("--gateway,-g", *gw, "gateway URL (default: $MLFAAS_GATEWAY, $OPENFAAS_URL, http://127.0.0.1:8080)");
  rv->callback([=, &run] { run = [=] { return guarded("revisions", [&] { return revisions(*gw, *rname); }); }; });

  auto* tr = app.add_subcommand(
      "traffic", "Split a function's traffic between revisions (like kn service update --traffic); rollback is a traffic change");
  auto tname = std::make_shared<std::string>();
  auto pcts = std::make_shared<std::vector<std::string>>();
  auto tags = std::make_shared<std::vector<std::string>>();
  auto untag = std::make_shared<std::vector<std::string>>();
  tr->add_option("name", *tname, "function")->required();
  tr->add_option("split", *pcts, "REVISION=PERCENT ... (@latest = the latest ready revision); replaces every percent");
  tr->add_option("--tag", *tags, "REVISION=TAG: a route of its own at Host {tag}-{name}.{namespace}.<domain>");
  tr->add_option("--untag", *untag, "TAG to remove");
  tr->add_option("--gateway,-g", *gw, "gateway URL (default: $MLFAAS_GATEWAY, $OPENFAAS_URL, http://127.0.0.1:8080)");
  tr->callback([=, &run] {
    run = [=] {
      return guarded("traffic", [&] {
        if (pcts->empty() && tags->empty() && untag->empty()) return revisions(*gw, *tname);
        return traffic(*gw, *tname, *pcts, *tags, *untag);
      });
    };
  });
}

}  // namespace mlfaas::cli
