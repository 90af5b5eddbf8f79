#include "cli/command_line.h"

#include <fstream>
#include <iterator>

#include "common/strings.h"

namespace mlfaas::cli {

std::atomic<bool> g_interrupted{false};

namespace {
void on_sigint(int) { g_interrupted.store(true); }
}  // namespace

InterruptScope::InterruptScope() {
  g_interrupted.store(false);
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, &old_);
}

InterruptScope::~InterruptScope() { sigaction(SIGINT, &old_, nullptr); }

std::string command_line() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string out;
  for (auto arg : split(raw, '\0')) {
    if (arg.empty()) continue;
    if (!out.empty()) out += ' ';
    const bool plain = arg.find_first_not_of(
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:=@%+,") == std::string_view::npos;
    if (!plain) out += '\'';
    out += arg;
    if (!plain) out += '\'';
  }
  return out;
}

}  // namespace mlfaas::cli
