// Placeholder: `mlfaas bench` is being written (issue 3).
#include "cli/commands.h"

namespace mlfaas::cli {

void add_bench(CLI::App& app, Runner& run) {
  app.add_subcommand("bench", "Load generator (not yet available)");
  (void)run;
}

}  // namespace mlfaas::cli
