#include <algorithm>
#include "platform_fixture.h"

#include "common/credentials.h"

#include <thread>

#include "support/paths.h"

namespace mlfaas::test {

std::string hello_exe() { return MLFAAS_HELLO_EXE; }

std::string hello_service(const std::string& name, const std::string& annotations, const std::string& spec_extra) {
  std::string ann;
  for (auto& line : split_lines(annotations)) ann += "        " + line + "\n";
  return "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: " + name +
         "\nspec:\n  template:\n    metadata:\n      annotations:\n        mlfaas.dev/scale-to-zero-grace-period: \"0s\"\n" + ann +
         "    spec:\n" + spec_extra + "      containers:\n        - image: example/hello\n          command: [\"" +
         hello_exe() + "\"]\n";
}

boost::json::object Platform::status(const std::string& fn) const {
  auto r = call("GET", "/system/function/" + fn);
  if (r.status != 200) throw std::runtime_error("status " + std::to_string(r.status) + ": " + r.body);
  return boost::json::parse(r.body).as_object();
}

bool Platform::wait_for(const std::function<bool()>& cond, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (cond()) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::filesystem::path test_state_dir() {
  static const std::filesystem::path dir = [] {
    auto d = make_temp_dir("state");
    setenv("XDG_STATE_HOME", d.c_str(), 1);  // inherited by every mlfaas process we start
    return d;
  }();
  return dir;
}

HttpResult Platform::call(const std::string& method, const std::string& target, const std::string& body,
                          const Headers& headers) const {
  Headers h = headers;
  bool has_auth = false;
  for (auto& [k, v] : h) has_auth = has_auth || k == "Authorization";
  if (target.rfind("/system/", 0) == 0 && !has_auth)
    if (auto a = gateway_authorization(gateway())) h.emplace_back("Authorization", *a);
  return http_call(port, method, target, body, h);
}

std::unique_ptr<Platform> start_platform(const std::string& spec, std::vector<std::string> extra) {
  test_state_dir();
  auto p = std::make_unique<Platform>();
  auto dir = make_temp_dir("platform");
  write_binary(dir / "spec.yaml", spec);
  p->spec_file = dir / "spec.yaml";
  // A free port can be taken by another process (a parallel test's replica or nats-server) before
  // mlfaas up binds it: then it says so and exits, and we try another port.
  for (int attempt = 0;; ++attempt) {
    p->port = free_port();
    std::vector<std::string> argv = {mlfaas_exe().string(), "up", "--address", "127.0.0.1", "--port",
                                     std::to_string(p->port), "--specs", (dir / "spec.yaml").string(),
                                     "--stop-grace-ms", "3000"};
    // Each platform saves its functions in its own state directory (a restart test passes the same
    // --state-dir again), never in one another test left behind.
    if (std::find(extra.begin(), extra.end(), "--state-dir") == extra.end()) {
      p->state_dir = dir / "state";
      argv.insert(argv.end(), {"--state-dir", p->state_dir.string()});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    p->proc = std::make_unique<Subprocess>(argv);
    if (p->proc->wait_http_ok(p->port, "/healthz", std::chrono::seconds(20))) return p;
    const bool port_taken = !p->proc->running() && p->proc->stderr_text().find("in use") != std::string::npos;
    if (port_taken && attempt < 3) continue;
    const auto code = p->proc->wait(std::chrono::milliseconds(0));
    ADD_FAILURE() << "mlfaas up did not start (" << (code ? "exited with " + std::to_string(*code) : std::string("still running, no /healthz after 20 s"))
                  << "); stderr:\n" << p->proc->stderr_text();
    return p;
  }
}

std::unique_ptr<Platform> restart_platform(const Platform& old, std::vector<std::string> extra) {
  auto p = std::make_unique<Platform>();
  p->port = old.port;
  p->state_dir = old.state_dir;
  p->spec_file = old.spec_file;
  std::vector<std::string> argv = {mlfaas_exe().string(), "up", "--address", "127.0.0.1", "--port",
                                   std::to_string(p->port), "--specs", old.spec_file.string(), "--state-dir",
                                   old.state_dir.string(), "--stop-grace-ms", "3000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  p->proc = std::make_unique<Subprocess>(argv);
  if (!p->proc->wait_http_ok(p->port, "/healthz", std::chrono::seconds(20)))
    ADD_FAILURE() << "mlfaas up did not start again; stderr:\n" << p->proc->stderr_text();
  return p;
}

CliRun run_cli(std::vector<std::string> args) {
  test_state_dir();
  args.insert(args.begin(), mlfaas_exe().string());
  Subprocess p(args);
  auto code = p.wait(std::chrono::seconds(60));
  return {code.value_or(-1), p.stdout_text(), p.stderr_text()};
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace mlfaas::test
