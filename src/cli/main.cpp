// mlfaas: serverless ML inference. One binary, subcommands:
//   serve     the classifier function (HTTP)
//   classify  one-shot classification of image files
//   model     inspect / pull models
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "cli/commands.h"

namespace {

// oneDNN runs on OpenMP; libgomp reads OMP_WAIT_POLICY only when it loads, so set it and re-exec.
// Passive waiting keeps idle OpenMP threads off the cores that other workers (or other replicas
// on the same machine) need: with spinning, p99 latency was 10x worse (docs/benchmarks.md).
void ensure_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // on failure just continue with the default policy
}

}  // namespace

int main(int argc, char** argv) {
  ensure_passive_openmp(argv);
  CLI::App app{"mlfaas: serverless machine-learning inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mlfaas 0.1.0");
  mlfaas::cli::Runner run;
  mlfaas::cli::add_serve(app, run);
  mlfaas::cli::add_classify(app, run);
  mlfaas::cli::add_model(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return run ? run() : 0;
}
