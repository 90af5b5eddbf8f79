// mlfaas: serverless ML inference. One binary, subcommands:
//   serve     the classifier function (HTTP)
//   classify  one-shot classification of image files
//   model     inspect / pull models
//   bench     load generator and reports
//   study     the OpenFaaS-vs-Knative study, reproduced (one report)
//   up        the single-node serverless platform; deploy/ls/describe/invoke/scale/rm/logs talk to it
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "cli/commands.h"
#include "common/version.h"

namespace {

// oneDNN runs on OpenMP, and libgomp reads its wait policy only when it loads, so set it here and
// re-exec. Measured on MobileNetV2 batch 1 with 2 threads (docs/benchmarks.md): passive waiting
// costs a thread wake-up per layer (10.0 ms), unbounded spinning (libgomp's default 300k spins)
// 6.9 ms, a short spin of 20k iterations 5.0 ms. The short spin never burns a core for long, and
// the worker pool never runs more OpenMP threads than cores. Users' own settings win.
void ensure_openmp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  setenv("GOMP_SPINCOUNT", "20000", 1);
  execv("/proc/self/exe", argv);  // on failure just continue with libgomp's defaults
}

// Servers and the load generator hold one descriptor per connection: use all the hard limit allows
// (the soft default of 1024 is for select()-era programs; asio uses epoll).
void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ensure_openmp_wait_policy(argv);
  raise_fd_limit();
  CLI::App app{"mlfaas: serverless machine-learning inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mlfaas ") + mlfaas::version());
  mlfaas::cli::Runner run;
  mlfaas::cli::add_serve(app, run);
  mlfaas::cli::add_classify(app, run);
  mlfaas::cli::add_model(app, run);
  mlfaas::cli::add_bench(app, run);
  mlfaas::cli::add_study(app, run);
  mlfaas::cli::add_up(app, run);
  mlfaas::cli::add_functions(app, run);
  mlfaas::cli::add_revisions(app, run);
  mlfaas::cli::add_queue(app, run);
  mlfaas::cli::add_eventing(app, run);
  mlfaas::cli::add_event_display(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return run ? run() : 0;
}
