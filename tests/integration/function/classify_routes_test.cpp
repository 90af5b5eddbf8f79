// Every classify route and input form against the real server (tiny generated model).
#include <gtest/gtest.h>

#include "common/base64.h"
#include "service_fixture.h"
#include "support/paths.h"
#include "support/promtool.h"

using namespace mlfaas::test;
namespace json = boost::json;

namespace {

class ClassifyRoutes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { svc = start_service(tiny_model_dir()).release(); }
  static void TearDownTestSuite() { delete svc; }
  static Service* svc;
};
Service* ClassifyRoutes::svc = nullptr;

// Checks the documented response shape; returns the top-1 index.
int64_t check_prediction(const json::value& v, size_t k = 5) {
  const auto& o = v.as_object();
  const auto& preds = o.at("predictions").as_array();
  EXPECT_EQ(preds.size(), k);
  double prev = 2;
  for (auto& p : preds) {
    const auto& po = p.as_object();
    int64_t idx = po.at("index").as_int64();
    EXPECT_GE(idx, 0);
    EXPECT_LT(idx, 10);
    EXPECT_EQ(po.at("label").as_string(), "class " + std::to_string(idx));
    EXPECT_EQ(po.at("wnid").as_string().size(), 9u);
    double c = po.at("confidence").to_number<double>();
    EXPECT_LE(c, prev);
    prev = c;
  }
  EXPECT_EQ(o.at("predicted_class"), preds[0].as_object().at("label"));
  EXPECT_EQ(o.at("confidence"), preds[0].as_object().at("confidence"));
  EXPECT_EQ(o.at("model").as_object().at("name").as_string(), "tiny");
  EXPECT_EQ(o.at("model").as_object().at("version").as_string(), "1");
  const auto& t = o.at("timings_ms").as_object();
  for (const char* key : {"decode", "preprocess", "queue", "inference", "total"}) {
    if (!t.contains(key)) {
      ADD_FAILURE() << "missing timing " << key;
      continue;
    }
    EXPECT_GE(t.at(key).to_number<double>(), 0.0) << key;
  }
  EXPECT_GE(t.at("total").to_number<double>(), t.at("inference").to_number<double>());
  return preds[0].as_object().at("index").as_int64();
}

TEST_F(ClassifyRoutes, RawBodyOnAllThreeRoutesGivesTheSameAnswer) {
  const std::string img = test_jpeg();
  std::vector<json::value> answers;
  for (const char* route : {"/classify", "/predict", "/"}) {
    auto r = svc->post(route, img, "image/jpeg");
    ASSERT_EQ(r.status, 200) << route << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    check_prediction(r.json());
    answers.push_back(r.json().as_object().at("predictions"));
  }
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);
}

TEST_F(ClassifyRoutes, OctetStreamAndNoContentTypeAreRawImages) {
  const std::string img = test_png();
  auto a = svc->post("/classify", img, "application/octet-stream");
  ASSERT_EQ(a.status, 200) << a.body;
  auto b = http_call(svc->port, "POST", "/classify", img);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(a.json().as_object().at("predictions"), b.json().as_object().at("predictions"));
}

TEST_F(ClassifyRoutes, TopKQueryParameter) {
  auto r = svc->post("/classify?top_k=3", test_jpeg(), "image/jpeg");
  ASSERT_EQ(r.status, 200) << r.body;
  check_prediction(r.json(), 3);
  auto all = svc->post("/predict?top_k=10", test_jpeg(), "image/jpeg");
  ASSERT_EQ(all.status, 200);
  double sum = 0;
  for (auto& p : all.json().as_object().at("predictions").as_array()) sum += p.as_object().at("confidence").to_number<double>();
  EXPECT_NEAR(sum, 1.0, 1e-4);
}

TEST_F(ClassifyRoutes, MultipartFieldFileLikeTheStudysKnativeClient) {
  const std::string img = test_png();
  auto [ct, body] = multipart_body({{"file", "image.png", "image/png", img}});
  auto r = svc->post("/predict", body, ct);
  ASSERT_EQ(r.status, 200) << r.body;
  auto raw = svc->post("/predict", img, "image/png");
  EXPECT_EQ(r.json().as_object().at("predictions"), raw.json().as_object().at("predictions"));
}

TEST_F(ClassifyRoutes, MultipartFieldImageAndSeveralFilesAreABatchInOrder) {
  const std::string a = test_jpeg(64, 48, 1), b = test_png(40, 50, 2), c = test_jpeg(33, 77, 3);
  auto [ct1, body1] = multipart_body({{"image", "a.jpg", "image/jpeg", a}});
  auto one = svc->post("/classify", body1, ct1);
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_TRUE(one.json().is_object());

  auto [ct, body] = multipart_body({{"file", "a.jpg", "image/jpeg", a},
                                    {"note", "", "", "ignored"},
                                    {"file", "b.png", "image/png", b},
                                    {"image", "c.jpg", "image/jpeg", c}});
  auto r = svc->post("/classify", body, ct);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& arr = r.json().as_array();
  ASSERT_EQ(arr.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const std::string& img = k == 0 ? a : k == 1 ? b : c;
    auto single = svc->post("/classify", img, "application/octet-stream");
    ASSERT_EQ(single.status, 200);
    const auto& want = single.json().as_object().at("predictions").as_array();
    const auto& got = arr[k].as_object().at("predictions").as_array();
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(got[i].as_object().at("index"), want[i].as_object().at("index"));
      EXPECT_NEAR(got[i].as_object().at("confidence").to_number<double>(),
                  want[i].as_object().at("confidence").to_number<double>(), 1e-5);
    }
  }
}

TEST_F(ClassifyRoutes, JsonBase64SingleListAndDataUrl) {
  const std::string img = test_jpeg();
  auto raw = svc->post("/classify", img, "image/jpeg");
  auto one = svc->post("/classify", R"({"image":")" + mlfaas::base64_encode(img) + "\"}", "application/json");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().as_object().at("predictions"), raw.json().as_object().at("predictions"));
  auto url = svc->post("/classify", R"({"image":"data:image/jpeg;base64,)" + mlfaas::base64_encode(img) + "\"}",
                       "application/json; charset=utf-8");
  ASSERT_EQ(url.status, 200) << url.body;
  auto list = svc->post("/classify",
                        R"({"images":[")" + mlfaas::base64_encode(img) + R"(",")" + mlfaas::base64_encode(test_png()) + "\"]}",
                        "application/json");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().as_array().size(), 2u);
  EXPECT_EQ(list.json().as_array()[0].as_object().at("predictions"), raw.json().as_object().at("predictions"));
}

TEST_F(ClassifyRoutes, ConcurrentClientsAllSucceed) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  const std::string img = test_jpeg();
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (svc->post("/classify", img, "image/jpeg").status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(ClassifyRoutes, HealthReadinessAndWatchdogEndpoints) {
  for (const char* p : {"/healthz", "/readyz"}) {
    auto r = svc->get(p);
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.json().as_object().at("status").as_string(), "ok");
  }
  for (const char* p : {"/_/health", "/_/ready"}) {
    auto r = svc->get(p);
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.body, "OK");
  }
}

TEST_F(ClassifyRoutes, MetricsCountRequestsAndPassPromtool) {
  svc->post("/classify", test_jpeg(), "image/jpeg");
  svc->post("/classify", "", "image/jpeg");
  auto m = svc->get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.header("content-type").find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* needle :
       {"mlfaas_http_requests_total{route=\"/classify\",method=\"POST\",code=\"200\"}",
        "mlfaas_http_requests_total{route=\"/classify\",method=\"POST\",code=\"400\"}",
        "mlfaas_http_request_duration_seconds_bucket", "mlfaas_inference_queue_duration_seconds_bucket",
        "mlfaas_inference_compute_duration_seconds_count", "mlfaas_inference_count_total",
        "mlfaas_inference_exec_count_total", "mlfaas_inference_queue_depth", "mlfaas_http_requests_in_flight",
        "mlfaas_ready 1", "mlfaas_model_info{name=\"tiny\",version=\"1\"} 1", "process_resident_memory_bytes"})
    EXPECT_NE(m.body.find(needle), std::string::npos) << needle;
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed";
  auto findings = promtool_check_metrics(m.body);
  ASSERT_TRUE(findings);
  // It must parse; only Triton's borrowed names (no _total) may be flagged.
  for (auto& line : *findings) EXPECT_TRUE(borrowed_name_finding(line)) << "promtool: " << line;
  EXPECT_NE(m.body.find("nv_inference_request_success{model=\"tiny\",version=\"1\"}"), std::string::npos);
}

}  // namespace
