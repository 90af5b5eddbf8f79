#pragma once
// What `mlfaas up` must remember across restarts: every function's revisions (the spec text each
// came from), their generations and the traffic, as one JSON file in the state directory, replaced
// atomically (write, fsync, rename) so a crash leaves the old file or the new one, never half.
#include <boost/json.hpp>
#include <filesystem>
#include <string>

namespace mlfaas::platform {

class FunctionStore {
 public:
  explicit FunctionStore(std::filesystem::path dir);
  const std::filesystem::path& file() const { return file_; }
  // {"services": [...], "eventing": [...]} (empty arrays when nothing was saved). Throws
  // std::runtime_error naming the file when it cannot be read or parsed.
  boost::json::object load() const;
  // Saves when different from what was saved last. Throws std::runtime_error on I/O errors.
  void save(const boost::json::array& services, const boost::json::array& eventing = {});

 private:
  std::filesystem::path file_;
  std::string last_;
};

}  // namespace mlfaas::platform
