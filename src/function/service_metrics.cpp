#include "function/service_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

namespace mlfaas::function {

namespace {
std::vector<double> latency_buckets() {
  return {0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.010, 0.015, 0.020, 0.030, 0.050,
          0.075,  0.1,   0.15,  0.25,  0.5,   1,     2.5,   5,     10,    30};
}
}  // namespace

ServiceMetrics::ServiceMetrics(metrics::Registry& r)
    : registry(r),
      requests(r.counter("mlfaas_http_requests_total", "HTTP requests by route, method and status code",
                         {"route", "method", "code"})),
      request_seconds(r.histogram("mlfaas_http_request_duration_seconds",
                                  "Time from a request being read to its response being ready", latency_buckets(),
                                  {"route"})),
      in_flight(r.gauge("mlfaas_http_requests_in_flight", "Requests being handled").get()),
      queue_seconds(r.histogram("mlfaas_inference_queue_duration_seconds",
                                "Time an image waited in the inference queue", latency_buckets())
                        .get()),
      compute_seconds(r.histogram("mlfaas_inference_compute_duration_seconds",
                                  "Time of one model execution (a batch)", latency_buckets())
                          .get()),
      decode_seconds(
          r.histogram("mlfaas_image_decode_duration_seconds", "Time to decode one image", latency_buckets()).get()),
      preprocess_seconds(r.histogram("mlfaas_image_preprocess_duration_seconds",
                                     "Time to resize and normalize one image", latency_buckets())
                             .get()),
      batch_size(r.histogram("mlfaas_inference_batch_size", "Images per model execution", {1, 2, 3, 4, 6, 8, 12, 16, 32})
                     .get()),
      inference_count(r.counter("mlfaas_inference_count_total", "Images run through the model").get()),
      exec_count(r.counter("mlfaas_inference_exec_count_total", "Model executions (batches)").get()),
      failures(r.counter("mlfaas_inference_failures_total", "Images that got no prediction, by reason", {"reason"})),
      rejected(r.counter("mlfaas_requests_rejected_total",
                         "Requests answered without inference because of load or time: queue_full, too_many_bytes, "
                         "deadline (could not finish in time), shed (waited too long while overloaded), expired "
                         "(deadline passed while queued), max_inflight",
                         {"reason"})),
      abandoned(r.counter("mlfaas_requests_abandoned_total",
                          "Requests whose client left before they ran; dropped without inference")
                    .get()),
      wasted(r.counter("mlfaas_inference_wasted_total",
                       "Images inferred for a client that had already left (work wasted; should stay near 0)")
                 .get()),
      ready(r.gauge("mlfaas_ready", "1 when the model is loaded and warmed up and the server is not draining").get()) {}

void ServiceMetrics::record_request(const std::string& route, const std::string& method, unsigned code,
                                    double seconds) {
  requests.with({{"route", route}, {"method", method}, {"code", std::to_string(code)}}).inc();
  request_seconds.with({{"route", route}}).observe(seconds);
}

void register_process_metrics(metrics::Registry& r) {
  static const double start = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  r.gauge_callback("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds",
                   [] { return start; });
  r.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes", [] {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE));
  });
  r.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds", [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  });
  r.gauge_callback("process_open_fds", "Number of open file descriptors", [] {
    double n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
      while (readdir(d)) ++n;
      closedir(d);
      n -= 2;
    }
    return n;
  });
}

}  // namespace mlfaas::function
