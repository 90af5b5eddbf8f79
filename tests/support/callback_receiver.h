#pragma once
// An HTTP server on 127.0.0.1 (its own thread) that records the async callbacks POSTed to it
// (X-Call-Id, X-Function-Status, X-Function-Name, X-Duration-Seconds, body), and can refuse the
// next N with a status to test retries.
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mlfaas::test {

class CallbackReceiver {
 public:
  struct Received {
    std::string call_id, status, function, duration, body;
    std::map<std::string, std::string> headers;  // every header, lower-case names (ce-id, ce-type, ...)
    std::string header(const std::string& lower) const {
      auto it = headers.find(lower);
      return it == headers.end() ? "" : it->second;
    }
  };
  CallbackReceiver();
  ~CallbackReceiver();
  CallbackReceiver(const CallbackReceiver&) = delete;
  CallbackReceiver& operator=(const CallbackReceiver&) = delete;

  std::string url(const std::string& path = "/callback") const;
  std::vector<Received> received() const;
  std::set<std::string> call_ids() const;  // distinct
  size_t count() const;                    // all, duplicates included
  // The next `n` callbacks are answered `status` (and not recorded).
  void fail_next(int n, unsigned status = 503);
  // Answer every request with a CloudEvent of this type in binary mode (a trigger subscriber's reply).
  void reply_with_event(const std::string& type);
  // Every answer waits this long (a slow subscriber; requests still overlap).
  void set_delay(int ms);
  int refused() const;
  // Distinct values of one header among what was received (e.g. "ce-id").
  std::set<std::string> distinct(const std::string& lower_header) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlfaas::test
