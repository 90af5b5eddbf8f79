// `mlfaas study`'s pure pieces: the study as data (profiles, clients, published figures), the runs
// and their targets, the machine description, the gateway's cold-start metrics, and the report
// assembled from fixed run results.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <unistd.h>

#include "bench/study.h"
#include "bench/study_report.h"
#include "bench/study_run.h"
#include "platform/eventing_spec.h"
#include "support/paths.h"

namespace mlfaas::bench {
namespace {

namespace json = boost::json;

TEST(StudyData, PublishedFiguresAreSlide18) {
  auto* k = find_published("knative");
  auto* o = find_published("openfaas");
  ASSERT_TRUE(k && o);
  EXPECT_DOUBLE_EQ(k->requests_per_s, 100.39);
  EXPECT_DOUBLE_EQ(k->mean_latency_s, 1.28);
  EXPECT_EQ(k->non_2xx, 62u);
  EXPECT_DOUBLE_EQ(k->transfer_kb_per_s, 24.42);
  EXPECT_DOUBLE_EQ(o->requests_per_s, 83.50);
  EXPECT_DOUBLE_EQ(o->mean_latency_s, 1.08);
  EXPECT_EQ(o->non_2xx, 525u);
  EXPECT_DOUBLE_EQ(o->transfer_kb_per_s, 41.39);
  EXPECT_EQ(k->requests, 6000u);
  EXPECT_EQ(find_published("nope"), nullptr);
}

TEST(StudyData, LoadsAreTheStudysAndAShortOne) {
  auto full = full_study_load();
  EXPECT_EQ(full.requests, 6000u);
  EXPECT_DOUBLE_EQ(full.rate, 100);
  EXPECT_DOUBLE_EQ(full.seconds(), 60);
  EXPECT_EQ(full.timeout, "2s");
  EXPECT_EQ(full.connections, 1000);
  auto s = short_study_load();
  EXPECT_LT(s.seconds(), 15);
  EXPECT_EQ(s.timeout, "2s");
}

TEST(StudyData, ClientsArePresets) {
  EXPECT_EQ(find_study_client("knative")->preset, "seed-knative");
  EXPECT_EQ(find_study_client("openfaas")->preset, "seed-openfaas");
}

// The compiled-in profiles say what the report claims: KPA, target 100 at 70 %, scale to zero,
// containerConcurrency 0; OpenFaaS CE, min 1, max 5.
TEST(StudyData, ProfilesParseAsTheStudysSettings) {
  auto k = platform::parse_spec_set(find_study_profile("knative")->spec_text, "knative-service.yaml");
  ASSERT_EQ(k.functions.size(), 1u);
  const auto& kf = k.functions[0];
  EXPECT_EQ(kf.name, "ml-image-classifier");
  EXPECT_EQ(kf.namespace_, "demo");
  EXPECT_EQ(kf.scaling.kind, autoscale::PolicyKind::kpa);
  ASSERT_TRUE(kf.scaling.kpa.target);
  EXPECT_DOUBLE_EQ(*kf.scaling.kpa.target, 100);
  EXPECT_DOUBLE_EQ(kf.scaling.kpa.utilization_fraction(), 0.7);
  EXPECT_EQ(kf.scaling.kpa.min_scale, 0);
  EXPECT_TRUE(kf.scaling.kpa.enable_scale_to_zero);
  EXPECT_EQ(kf.container_concurrency, 0);
  EXPECT_EQ(kf.cpu_request, 0);
  EXPECT_EQ(kf.command.size(), 2u);

  auto o = platform::parse_spec_set(find_study_profile("openfaas")->spec_text, "openfaas-stack.yml");
  ASSERT_EQ(o.functions.size(), 1u);
  const auto& of = o.functions[0];
  EXPECT_EQ(of.name, "image-classifier-new");
  EXPECT_EQ(of.scaling.kind, autoscale::PolicyKind::openfaas_ce);
  EXPECT_EQ(of.scaling.openfaas_ce.min_replicas, 1);
  EXPECT_EQ(of.scaling.openfaas_ce.effective_max(), 5);
  EXPECT_EQ(of.cpu_request, 0);
}

TEST(StudyRuns, PairedFirstThenCross) {
  auto runs = plan_study_runs({"knative", "openfaas"}, false);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id(), "knative");
  EXPECT_EQ(runs[1].id(), "openfaas");
  auto cross = plan_study_runs({"knative", "openfaas"}, true);
  ASSERT_EQ(cross.size(), 4u);
  EXPECT_EQ(cross[2].id(), "openfaas-client-on-knative");
  EXPECT_FALSE(cross[2].paired);
  EXPECT_EQ(cross[3].id(), "knative-client-on-openfaas");
  EXPECT_EQ(plan_study_runs({"openfaas"}, true).size(), 2u);
}

TEST(StudyRuns, LocalTargetsRouteLikeTheStudysClients) {
  const auto& k = *find_study_profile("knative");
  const auto& o = *find_study_profile("openfaas");
  const auto& kc = *find_study_client("knative");
  const auto& oc = *find_study_client("openfaas");
  auto t = local_run_target(k, kc, "http://127.0.0.1:9");
  EXPECT_EQ(t.url, "http://127.0.0.1:9/predict");
  ASSERT_EQ(t.headers.size(), 1u);
  EXPECT_EQ(t.headers[0], "Host: ml-image-classifier.demo.example.com");
  t = local_run_target(o, oc, "http://127.0.0.1:9");
  EXPECT_EQ(t.url, "http://127.0.0.1:9/function/image-classifier-new");
  EXPECT_TRUE(t.headers.empty());
  EXPECT_EQ(local_run_target(o, kc, "http://h:1").url, "http://h:1/function/image-classifier-new/predict");
  t = local_run_target(k, oc, "http://h:1");
  EXPECT_EQ(t.url, "http://h:1/");
  EXPECT_EQ(t.headers.size(), 1u);
}

TEST(StudyRuns, BenchCommandLineQuotes) {
  BenchOptions o;
  o.url = "http://127.0.0.1:9/predict";
  o.preset = "seed-knative";
  o.files = {"../shared/seed-study/knative-image.png"};
  o.rate = 100;
  o.requests = 6000;
  o.connections = 1000;
  o.threads = 2;
  o.headers = {"Host: ml-image-classifier.demo.example.com"};
  o.gateway = "http://127.0.0.1:9";
  o.function = "ml-image-classifier";
  o.label = "knative";
  EXPECT_EQ(bench_command_line(o),
            "mlfaas bench http://127.0.0.1:9/predict --preset seed-knative --file ../shared/seed-study/knative-image.png "
            "-R 100 -n 6000 -c 1000 -t 2 --timeout 2s -H 'Host: ml-image-classifier.demo.example.com' --gateway "
            "http://127.0.0.1:9 --function ml-image-classifier --label knative");
}

TEST(StudyMachine, ParsesCpuinfoAndMeminfo) {
  const char* cpuinfo =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma bmi2\n\n"
      "processor\t: 1\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma bmi2\n";
  auto m = parse_machine_info(cpuinfo, "MemTotal:       24634428 kB\nMemFree: 1 kB\n");
  EXPECT_EQ(m.cpu_model, "AMD EPYC 7B13");
  EXPECT_EQ(m.logical_cpus, 2);
  EXPECT_EQ(m.flags_note, "AVX2, FMA");
  EXPECT_EQ(m.memory_bytes, 24634428ull * 1024);
  EXPECT_EQ(parse_machine_info("", "").cpu_model, "unknown");
}

TEST(StudyMachine, BusyFractionFromProcStat) {
  auto a = parse_proc_stat("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n");
  auto b = parse_proc_stat("cpu  150 0 150 900 0 0 0 0 0 0\n");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->total, 1000u);
  EXPECT_EQ(a->busy, 200u);
  EXPECT_DOUBLE_EQ(busy_fraction(*a, *b), 0.5);
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\n"));
  EXPECT_DOUBLE_EQ(busy_fraction(*b, *a), 0);
}

TEST(StudyMachine, ProcessTicksFromPidStat) {
  // The command name may hold spaces and parentheses; utime, stime, cutime, cstime are fields 14-17.
  const char* stat = "42 (mlfaas (up) x) S 1 42 42 0 -1 4194560 100 0 0 0 700 50 30 20 20 0 1 0 12345\n";
  EXPECT_EQ(parse_pid_stat_ticks(stat, false), 750u);
  EXPECT_EQ(parse_pid_stat_ticks(stat, true), 800u);
  EXPECT_FALSE(parse_pid_stat_ticks("42 (x) S 1 2", true));
  EXPECT_GT(process_ticks(getpid(), false) + self_ticks() + 1, 0u);
  EXPECT_EQ(process_ticks(-1, true), 0u);
}

TEST(StudyMachine, SumsCountersByLabel) {
  const char* text =
      "# TYPE mlfaas_function_rejected_total counter\n"
      "mlfaas_function_rejected_total{function_name=\"f\",reason=\"shed\"} 3\n"
      "mlfaas_function_rejected_total{function_name=\"f\",reason=\"queue_full\"} 2\n"
      "mlfaas_function_rejected_total{function_name=\"g\",reason=\"shed\"} 7\n"
      "mlfaas_function_rejected_total_extra{function_name=\"f\",reason=\"shed\"} 100\n"
      "mlfaas_requests_abandoned_total 4\n"
      "mlfaas_requests_rejected_total{reason=\"shed\"} 5\n"
      "mlfaas_requests_rejected_total{reason=\"deadline\"} 1\n";
  auto f = sum_metric(text, "mlfaas_function_rejected_total", "function_name=\"f\"", "reason");
  EXPECT_EQ(f.size(), 2u);
  EXPECT_DOUBLE_EQ(f["shed"], 3);
  EXPECT_DOUBLE_EQ(f["queue_full"], 2);
  EXPECT_DOUBLE_EQ(sum_metric(text, "mlfaas_function_rejected_total", "", "")[""], 12);
  EXPECT_DOUBLE_EQ(sum_metric(text, "mlfaas_requests_abandoned_total", "", "")[""], 4);
  auto r = sum_metric(text, "mlfaas_requests_rejected_total", "", "reason");
  EXPECT_DOUBLE_EQ(r["shed"] + r["deadline"], 6);
  EXPECT_TRUE(sum_metric(text, "missing_total", "", "").empty());
  ServerSideCounts c;
  c.gateway_rejected = f;
  c.replica_rejected = r;
  EXPECT_DOUBLE_EQ(c.gateway_rejected_total(), 5);
  EXPECT_DOUBLE_EQ(c.replica_rejected_total(), 6);
}

TEST(StudyMachine, ColdStartMetricsOfOneFunction) {
  const char* text =
      "# HELP mlfaas_function_cold_starts_total Scale-ups from zero replicas\n"
      "mlfaas_function_cold_starts_total{function_name=\"other\"} 7\n"
      "mlfaas_function_cold_starts_total{function_name=\"ml-image-classifier\"} 1\n"
      "mlfaas_function_cold_start_seconds_bucket{function_name=\"ml-image-classifier\",le=\"0.5\"} 1\n"
      "mlfaas_function_cold_start_seconds_sum{function_name=\"ml-image-classifier\"} 0.182\n"
      "mlfaas_function_cold_start_seconds_count{function_name=\"ml-image-classifier\"} 1\n";
  auto m = parse_cold_start_metrics(text, "ml-image-classifier");
  EXPECT_TRUE(m.found);
  EXPECT_DOUBLE_EQ(m.cold_starts, 1);
  EXPECT_DOUBLE_EQ(m.mean_seconds(), 0.182);
  EXPECT_FALSE(parse_cold_start_metrics(text, "missing").found);
}

// --- the report, from fixed results ---

BenchPlan plan_for(const std::string& label) {
  BenchOptions o;
  o.url = "http://127.0.0.1:9/";
  o.rate = 100;
  o.requests = 300;
  o.connections = 1000;
  o.threads = 2;
  o.label = label;
  return resolve_plan(o, [](const std::string&) { return std::string(); });
}

// 3 s at 100/s: `slow_first` makes the first second a cold start (a 400 ms first answer, two
// timeouts in it); `errors` 503s spread over the run.
RunResult result_for(bool slow_first, int errors) {
  RunResult r;
  r.started_at = "2026-12-01T10:00:00Z";
  r.elapsed_s = 3.0;
  int n503 = 0;
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < 100; ++i) {
      const bool fail = n503 < errors && i % 50 == 10;
      const int status = fail ? 503 : 200;
      n503 += fail;
      const double us = slow_first && s == 0 && i < 40 ? 400'000 - 5'000 * i : 8'000 + 100 * i;
      r.data.total.record_response(status, 600, us);
      r.data.seconds.at(s + 0.5).record_response(status, 600, us);
    }
  if (slow_first) {
    for (int i = 0; i < 2; ++i) {
      r.data.total.record_failure(Cause::timeout, 2'000'000);
      r.data.seconds.at(2.05).record_failure(Cause::timeout, 2'000'000);
    }
    r.data.first_success_s = 0.4;
    r.data.first_success_latency_us = 400'000;
  } else {
    r.data.first_success_s = 0.008;
    r.data.first_success_latency_us = 8'000;
  }
  GatewaySample g0{0.0, true, 200, slow_first ? 1 : 1, slow_first ? 0 : 1, 0, ""};
  GatewaySample g1{1.0, true, 200, slow_first ? 1 : 2, 1, 0, ""};
  GatewaySample g2{2.0, true, 200, slow_first ? 1 : 3, slow_first ? 1 : 2, 0, ""};
  r.gateway = {g0, g1, g2};
  return r;
}

StudyRun run_for(StudyRunSpec spec, bool slow_first, int errors) {
  StudyRun run;
  run.spec = spec;
  run.url = "http://127.0.0.1:9/";
  run.bench_command = "mlfaas bench http://127.0.0.1:9/ --preset seed-" + spec.client;
  run.prepared = slow_first ? "scaled to zero" : "1 replica ready";
  run.autoscaler = spec.profile == "knative" ? "kpa: metric=concurrency target=70/pod" : "openfaas-ce: min=1 max=5";
  if (errors) {
    ServerSideCounts sc;
    sc.replica_rejected["shed"] = errors;
    sc.replicas_scraped = 3;
    run.server = sc;
  }
  run.background_cpu = 0.05;
  run.other_cpu = 0.1;
  run.own_cpu_cores = 1.5;
  if (slow_first) run.cold_start = ColdStartMetrics{1, 0.21, 1, true};
  run.from_zero = slow_first;
  run.json_file = "runs/" + spec.id() + ".json";
  run.report_dir = "runs/" + spec.id();
  fill_study_run(run, plan_for(spec.id()), result_for(slow_first, errors));
  return run;
}

StudyReport sample_report(bool cross = false) {
  StudyReport r;
  r.command = "mlfaas study --out x";
  r.version = "0.1.0";
  r.started_at = "2026-12-01T10:00:00Z";
  r.finished_at = "2026-12-01T10:03:00Z";
  r.load = full_study_load();
  r.machine = parse_machine_info("processor : 0\nmodel name : Test CPU\nprocessor : 1\n", "MemTotal: 2097152 kB\n");
  r.machine.usable_cpus = 2;
  r.load_average_before = 0.3;
  r.background_cpu_before = 0.04;
  r.model = "/models/mobilenetv2";
  r.runs.push_back(run_for({"knative", "knative", true}, true, 0));
  r.runs.push_back(run_for({"openfaas", "openfaas", true}, false, 6));
  if (cross) {
    r.runs.push_back(run_for({"knative", "openfaas", false}, true, 0));
    StudyRun failed;
    failed.spec = {"openfaas", "knative", false};
    failed.error = "mlfaas up did not answer /healthz within 20 s";
    r.runs.push_back(failed);
  }
  return r;
}

TEST(StudyReportTest, RunNumbersFromTheBenchResult) {
  auto r = sample_report();
  const StudyRun& k = r.runs[0];
  EXPECT_TRUE(k.ran);
  EXPECT_EQ(k.requests, 302u);
  EXPECT_EQ(k.failed(), 2u);
  EXPECT_EQ(k.failures_of(Cause::timeout), 2u);
  EXPECT_NEAR(k.rps(), 302.0 / 3, 1e-9);
  // Both timeouts completed in second 2, before 0.4 s + the 2 s timeout: the cold start.
  EXPECT_EQ(k.failures_while_cold(), 2u);
  EXPECT_EQ(k.max_replicas(), 1);
  const StudyRun& o = r.runs[1];
  EXPECT_EQ(o.failed(), 6u);
  EXPECT_EQ(o.failures_while_cold(), 0u) << "a run that did not start from zero has no cold failures";
  EXPECT_EQ(o.max_replicas(), 3);
  EXPECT_EQ(o.max_ready(), 2);
  EXPECT_EQ(r.paired_run("knative"), &r.runs[0]);
  EXPECT_FALSE(r.machine_busy());
}

TEST(StudyReportTest, NoSuccessMeansEveryFailureWasCold) {
  StudyRun run;
  run.failures[size_t(Cause::timeout)] = 5;
  run.first_success_s = -1;
  EXPECT_EQ(run.failures_while_cold(), 0u);
  run.from_zero = true;
  EXPECT_EQ(run.failures_while_cold(), 5u);
  // A 503 in second 0 came before the first success at 0.3 s; one in second 1 did not.
  run.failures = {};
  run.first_success_s = 0.3;
  run.timeline.resize(4);
  for (auto& row : run.timeline) row.t = double(&row - run.timeline.data());
  run.timeline[0].failures[size_t(Cause::non_2xx)] = 1;
  run.timeline[1].failures[size_t(Cause::non_2xx)] = 1;
  run.timeline[2].failures[size_t(Cause::timeout)] = 1;
  run.timeline[3].failures[size_t(Cause::timeout)] = 1;
  run.failures[size_t(Cause::non_2xx)] = 2;
  run.failures[size_t(Cause::timeout)] = 2;
  EXPECT_EQ(run.failures_while_cold(), 2u);
}

TEST(StudyReportTest, PublishedTableSideBySide) {
  auto md = published_table_markdown(sample_report());
  EXPECT_NE(md.find("| metric | Knative: study | Knative: mlfaas | OpenFaaS: study | OpenFaaS: mlfaas |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Requests per second | 100.39 | 100.67 | 83.50 | 100.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Average latency | 1.28s |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Non-2xx responses | 62 | 0 | 525 | 6 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Transfer rate (KB/s) | 24.42 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| p99 latency | — |"), std::string::npos) << "the study published no percentiles\n" << md;
  EXPECT_NE(md.find("| &nbsp;&nbsp;timeouts (no answer in time) | — | 2 | — | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Status codes | — | 200 × 300 | — | 200 × 294, 503 × 6 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Cold starts (gateway: count, mean) | — | 1, 210.00ms | — | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Replicas at most (desired / ready) | — | 1 / 1 | — | 3 / 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("≈ 249 B (inferred)"), std::string::npos) << md;
}

TEST(StudyReportTest, CrossRunsAndFailedRunsAppear) {
  auto r = sample_report(true);
  auto md = published_table_markdown(r);
  EXPECT_NE(md.find("OpenFaaS client on Knative: mlfaas |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Knative client on OpenFaaS: mlfaas"), std::string::npos) << "a run that did not run has no column";
  auto text = study_text(r);
  EXPECT_NE(text.find("knative-client-on-openfaas did not run: mlfaas up did not answer"), std::string::npos) << text;
  EXPECT_NE(text.find("Requests per second"), std::string::npos);
  auto full = study_markdown(r, study_charts(r));
  EXPECT_NE(full.find("| knative-client-on-openfaas | Knative client | OpenFaaS CE (RPS rule, 1 to 5 replicas) | did not run: "),
            std::string::npos)
      << full;
  EXPECT_NE(full.find("The cross runs (each client on the other platform) separate the two."), std::string::npos);
}

TEST(StudyReportTest, MarkdownHasEverySection) {
  auto r = sample_report();
  auto charts = study_charts(r);
  std::vector<std::string> files;
  for (auto& c : charts) files.push_back(c.file);
  for (const char* f : {"study-rps.svg", "study-latency.svg", "study-failures.svg", "study-transfer.svg", "throughput.svg",
                        "latency-p99.svg", "replicas.svg", "latency-cdf.svg"})
    EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
  for (auto& c : charts) EXPECT_EQ(c.svg.rfind("<svg", 0), 0u) << c.file;
  auto md = study_markdown(r, charts);
  for (const char* s :
       {"# The study, reproduced", "```\nmlfaas study --out x\n```", "## The study's figures next to ours", "## Every run",
        "## Over time", "## Failures by cause", "## Cold starts", "## What ran", "## This machine and the study's cluster",
        "## How this differs from the study, honestly", "## Reproduce", "![requests per second, the study and mlfaas](study-rps.svg)",
        "![replicas over time, every run](replicas.svg)", "[report](runs/knative/report.md)", "[JSON](runs/knative.json)",
        "| CPU | not published | Test CPU |", "| cores | not published | 2 logical, 2 usable by this process |",
        "[knative-service.yaml](profiles/knative-service.yaml)", "`kpa: metric=concurrency target=70/pod`",
        "- **knative**: scaled to zero. First 2xx after 400.00ms", "the gateway counted 1 cold start",
        "- **openfaas**: statuses 200 × 294, 503 × 6. 0 of the 6 failures came while", "load average 0.30",
        "Server side: the gateway refused 0 without a replica and counted 0 whose client had left; the 3 replicas alive "
        "at the end refused 6 (shed 6) and dropped 0 whose client had left.",
        "| Refused by the gateway / the replicas | — | — | — | 0 / 6 |",
        "open loop (like wrk2): 6000 requests at 100 requests/s (60 s)",
        "| 3 | 5 % / 10 % | 1.50 cores | [report](runs/openfaas/report.md)",
        "other work during each load: knative 10 %, openfaas 10 %"})
    EXPECT_NE(md.find(s), std::string::npos) << "missing: " << s << "\n" << md;
  EXPECT_EQ(md.find("The machine was busy"), std::string::npos);
  EXPECT_EQ(md.find("short mode"), std::string::npos);
}

TEST(StudyReportTest, SaysWhenTheMachineWasBusyOrShort) {
  auto r = sample_report();
  r.runs[1].other_cpu = 0.4;
  EXPECT_TRUE(r.machine_busy()) << "busy during a run";
  r.runs[1].other_cpu = 0.1;
  EXPECT_FALSE(r.machine_busy());
  r.background_cpu_before = 0.6;
  r.short_mode = true;
  EXPECT_TRUE(r.machine_busy());
  auto md = study_markdown(r, {});
  EXPECT_NE(md.find("The machine was busy with other work"), std::string::npos);
  EXPECT_NE(md.find("**short mode** (CI)"), std::string::npos);
}

TEST(StudyReportTest, JsonHasEveryRun) {
  auto doc = study_json(sample_report(true));
  EXPECT_EQ(doc.at("format"), "mlfaas-study");
  EXPECT_EQ(doc.at("published").as_array().size(), 2u);
  const auto& runs = doc.at("runs").as_array();
  ASSERT_EQ(runs.size(), 4u);
  const auto& k = runs[0].as_object();
  EXPECT_EQ(k.at("id"), "knative");
  EXPECT_EQ(k.at("failures").at("timeout"), 2);
  EXPECT_EQ(k.at("failures").at("while_cold"), 2);
  EXPECT_EQ(k.at("failures").at("after_cold"), 0);
  EXPECT_DOUBLE_EQ(k.at("cold_start").at("mean_s").as_double(), 0.21);
  EXPECT_EQ(k.at("max_replicas"), 1);
  EXPECT_TRUE(runs[1].at("cold_start").is_null());
  EXPECT_EQ(runs[1].at("server_side").at("replica_rejected").at("shed"), 6);
  EXPECT_TRUE(runs[0].at("server_side").is_null());
  EXPECT_EQ(runs[3].at("ran"), false);
  EXPECT_EQ(doc.at("machine").at("cpu_model"), "Test CPU");
}

TEST(StudyReportTest, WritesTheFiles) {
  auto dir = test::make_temp_dir("study-report");
  auto written = write_study_report(dir, sample_report());
  for (const char* f : {"report.md", "report.html", "study.json", "study-rps.svg", "replicas.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  EXPECT_EQ(written.size(), 11u);
  auto html = test::read_binary(dir / "report.html");
  EXPECT_NE(html.find("<title>The study, reproduced"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"study-rps.svg\""), std::string::npos);
}

}  // namespace
}  // namespace mlfaas::bench
