#include "platform/function_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mlfaas::platform {

namespace json = boost::json;

FunctionStore::FunctionStore(std::filesystem::path dir) : file_(dir / "functions.json") {
  std::filesystem::create_directories(dir);
}

json::object FunctionStore::load() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) return json::object{{"services", json::array{}}, {"eventing", json::array{}}};
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object() || !v.as_object().contains("services") || !v.as_object().at("services").is_array())
    throw std::runtime_error(fmt::format("{}: not a saved function list ({}); move it away to start empty",
                                         file_.string(), ec ? ec.message() : "unexpected shape"));
  json::object o = v.as_object();
  if (!o.contains("eventing") || !o.at("eventing").is_array()) o["eventing"] = json::array{};
  return o;
}

void FunctionStore::save(const json::array& services, const json::array& eventing) {
  std::string text = json::serialize(json::object{{"version", 1}, {"services", services}, {"eventing", eventing}});
  if (text == last_) return;
  const auto tmp = file_.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: {}", tmp, std::strerror(errno)));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error(fmt::format("{}: {}", tmp, std::strerror(errno)));
    }
    off += size_t(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), file_.c_str()) != 0)
    throw std::runtime_error(fmt::format("{}: {}", file_.string(), std::strerror(errno)));
  last_ = std::move(text);
}

}  // namespace mlfaas::platform
