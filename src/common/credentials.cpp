#include "common/credentials.h"
#include "common/random.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/base64.h"
#include "common/strings.h"

namespace mlfaas {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string() + ": " + std::strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

// Writes `content` to `file` with mode 0600, atomically (temp file + rename).
void write_private(const fs::path& file, std::string_view content) {
  make_private_dir(file.parent_path());
  fs::path tmp = file;
  tmp += ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == ssize_t(content.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  }
}

std::string random_password() {
  unsigned char bytes[24];
  random_bytes(bytes, sizeof bytes);
  std::string s = base64_encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;  // URL- and shell-safe
  return s;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Length is not secret (the user name is public, the password is random of a fixed length).
  unsigned diff = unsigned(a.size() ^ b.size());
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? (unsigned char)a[i] : 0, y = i < b.size() ? (unsigned char)b[i] : 0;
    diff |= unsigned(x ^ y);
  }
  return diff == 0;
}

bool is_loopback_url(const std::string& url) {
  std::string_view u = url;
  if (u.rfind("http://", 0) == 0) u.remove_prefix(7);
  auto end = u.find_first_of("/?");
  std::string_view host = u.substr(0, end);
  if (!host.empty() && host.front() == '[') return host.rfind("[::1]", 0) == 0;
  host = host.substr(0, host.rfind(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

fs::path logins_file() { return state_dir() / "logins.json"; }

}  // namespace

fs::path state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return fs::path(x) / "mlfaas";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".local" / "state" / "mlfaas";
}

fs::path local_password_file() { return state_dir() / "basic-auth-password"; }

std::string read_password_file(const fs::path& file) {
  std::string pw(trim(slurp(file)));
  if (pw.empty()) throw std::runtime_error(file.string() + " is empty");
  return pw;
}

std::string load_or_create_password(const fs::path& file) {
  make_private_dir(file.parent_path());
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    // We create it; a rename would let a concurrent reader see no file, so write in place.
    std::string pw = random_password();
    std::string line = pw + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == ssize_t(line.size());
    ok = ::close(fd) == 0 && ok;
    if (!ok) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
    return pw;
  }
  if (errno != EEXIST) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  // Another process created it: wait (briefly) for its content.
  for (int i = 0; i < 100; ++i) {
    std::string pw(trim(slurp(file)));
    if (!pw.empty()) return pw;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error(file.string() + " is empty");
}

std::string basic_authorization(std::string_view user, std::string_view password) {
  std::string up(user);
  up += ':';
  up += password;
  return "Basic " + base64_encode(up);
}

bool basic_authorization_matches(std::string_view header, std::string_view user, std::string_view password) {
  header = trim(header);
  if (header.size() < 6 || !iequals(header.substr(0, 6), "Basic ")) return false;
  auto decoded = base64_decode(trim(header.substr(6)));
  if (!decoded) return false;
  std::string expected(user);
  expected += ':';
  expected += password;
  return constant_time_equal(*decoded, expected);
}

std::optional<std::string> gateway_authorization(const std::string& gateway_url) {
  std::error_code ec;
  if (fs::exists(logins_file(), ec)) {
    try {
      auto v = json::parse(slurp(logins_file()));
      if (auto* o = v.if_object())
        if (auto* a = o->if_contains(gateway_url); a && a->is_string()) return std::string(a->as_string());
    } catch (const std::exception&) {
      // An unreadable logins file is ignored like a missing one.
    }
  }
  if (is_loopback_url(gateway_url) && fs::exists(local_password_file(), ec)) {
    try {
      return basic_authorization(kAdminUser, read_password_file(local_password_file()));
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

void save_gateway_login(const std::string& gateway_url, std::string_view user, std::string_view password) {
  json::object logins;
  std::error_code ec;
  if (fs::exists(logins_file(), ec)) {
    try {
      auto v = json::parse(slurp(logins_file()));
      if (v.is_object()) logins = v.as_object();
    } catch (const std::exception&) {
    }
  }
  logins[gateway_url] = basic_authorization(user, password);
  write_private(logins_file(), json::serialize(logins) + "\n");
}

}  // namespace mlfaas
