// Load and time behaviour of `mlfaas serve`, with real processes: a caller who leaves is never
// worked for, a deadline that has passed is answered without inference, and overload is answered
// with 503 + Retry-After, never a dropped connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "service_fixture.h"

namespace mlfaas::test {
namespace {

using namespace std::chrono_literals;

// The value of a series in Prometheus text ("name" or "name{labels}"), 0 when absent.
double metric(const Service& svc, const std::string& series) {
  std::istringstream in(svc.get("/metrics").body);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return 0;
}

// Waits until the inference queue holds at least `n` images (a batch request has arrived).
void wait_for_queue(const Service& svc, double n) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (metric(svc, "mlfaas_inference_queue_depth") < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(2ms);
  ASSERT_GE(metric(svc, "mlfaas_inference_queue_depth"), n) << "the batch never queued";
}

// Sends a whole request on a raw connection and returns the socket, without reading anything.
int send_and_keep(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(send(fd, request.data(), request.size(), 0), ssize_t(request.size()));
  return fd;
}

std::string classify_request(const std::string& body) {
  return "POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(OverloadBehaviour, AClientThatLeavesWhileQueuedNeverReachesInference) {
  auto svc = start_service(tiny_model_dir(), {"--workers", "1", "--cpus", "1"});
  // A batch of big images keeps the single worker busy.
  std::vector<Part> parts(48, Part{"file", "a.jpg", "image/jpeg", test_jpeg(640, 480)});
  auto [ct, body] = multipart_body(parts);
  HttpResult busy;
  std::thread t([&, ct = ct, body = body] { busy = svc->post("/classify", body, ct); });
  wait_for_queue(*svc, 10);
  // Three callers queue behind it and hang up.
  for (int i = 0; i < 3; ++i) close(send_and_keep(svc->port, classify_request(test_jpeg())));
  t.join();
  ASSERT_EQ(busy.status, 200) << busy.body;
  // The next request is served; none of the three ran.
  EXPECT_EQ(svc->post("/classify", test_jpeg(), "image/jpeg").status, 200);
  EXPECT_EQ(metric(*svc, "mlfaas_requests_abandoned_total"), 3);
  EXPECT_EQ(metric(*svc, "mlfaas_inference_count_total"), 49);  // the batch and the last one
  EXPECT_EQ(metric(*svc, "mlfaas_inference_wasted_total"), 0);
}

TEST(OverloadBehaviour, AnExpiredClientDeadlineIsAnsweredWithoutInference) {
  auto svc = start_service(tiny_model_dir());
  for (auto [name, value] : {std::pair{"X-Mlfaas-Timeout-Ms", "0"}, {"grpc-timeout", "0m"}}) {
    auto r = http_call(svc->port, "POST", "/classify", test_jpeg(), {{"Content-Type", "image/jpeg"}, {name, value}});
    EXPECT_EQ(r.status, 504) << name << ": " << r.body;
    EXPECT_NE(r.body.find("deadline"), std::string::npos) << r.body;
  }
  EXPECT_EQ(metric(*svc, "mlfaas_inference_count_total"), 0);
  EXPECT_EQ(metric(*svc, "mlfaas_requests_rejected_total{reason=\"expired\"}"), 2);
  // A budget that is long enough is honoured as usual.
  auto ok = http_call(svc->port, "POST", "/classify", test_jpeg(),
                      {{"Content-Type", "image/jpeg"}, {"X-Mlfaas-Timeout-Ms", "10000"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(OverloadBehaviour, ADeadlineThatPassesWhileQueuedGets504WithoutInference) {
  auto svc = start_service(tiny_model_dir(), {"--workers", "1", "--cpus", "1"});
  std::vector<Part> parts(48, Part{"file", "a.jpg", "image/jpeg", test_jpeg(640, 480)});
  auto [ct, body] = multipart_body(parts);
  HttpResult busy;
  std::thread t([&, ct = ct, body = body] { busy = svc->post("/classify", body, ct); });
  wait_for_queue(*svc, 10);
  auto r = http_call(svc->port, "POST", "/classify", test_jpeg(),
                     {{"Content-Type", "image/jpeg"}, {"X-Mlfaas-Timeout-Ms", "20"}});
  t.join();
  ASSERT_EQ(busy.status, 200);
  // Refused at the door (cannot finish in time: 503) or expired in the queue (504); never run.
  EXPECT_TRUE(r.status == 504 || r.status == 503) << r.status << " " << r.body;
  EXPECT_EQ(metric(*svc, "mlfaas_inference_count_total"), 48);
}

TEST(OverloadBehaviour, AFloodGetsOnly200Or503WithRetryAfterAndNoDroppedConnection) {
  auto svc = start_service(tiny_model_dir(), {"--workers", "1", "--cpus", "1", "--max-queue", "4"});
  const std::string img = test_jpeg(640, 480);
  std::mutex mu;
  std::map<int, int> codes;
  bool retry_after_everywhere = true;
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i)
    threads.emplace_back([&] {
      HttpResult r;
      try {
        r = svc->post("/classify", img, "image/jpeg");
      } catch (const std::exception&) {
        r.status = -1;  // a dropped connection
      }
      std::lock_guard lk(mu);
      ++codes[r.status];
      if (r.status == 503 && r.header("retry-after").empty()) retry_after_everywhere = false;
    });
  for (auto& t : threads) t.join();
  int total = 0;
  for (auto [code, n] : codes) {
    EXPECT_TRUE(code == 200 || code == 503) << "status " << code << " x " << n;
    total += n;
  }
  EXPECT_EQ(total, 64);
  EXPECT_GT(codes[200], 0);
  EXPECT_GT(codes[503], 0);
  EXPECT_TRUE(retry_after_everywhere);
}

}  // namespace
}  // namespace mlfaas::test
