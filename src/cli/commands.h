#pragma once
// Each subcommand registers its options on the CLI11 app and returns a runner (exit code).
#include <CLI/CLI.hpp>
#include <functional>

namespace mlfaas::cli {

using Runner = std::function<int()>;

void add_serve(CLI::App& app, Runner& run);
void add_classify(CLI::App& app, Runner& run);
void add_model(CLI::App& app, Runner& run);
void add_bench(CLI::App& app, Runner& run);
void add_study(CLI::App& app, Runner& run);  // the study's scenarios, one report
void add_up(CLI::App& app, Runner& run);
void add_functions(CLI::App& app, Runner& run);  // deploy, ls, describe, invoke, scale, rm, logs
void add_revisions(CLI::App& app, Runner& run);  // revisions, traffic
void add_queue(CLI::App& app, Runner& run);      // queue ls, dead-letters, replay
void add_eventing(CLI::App& app, Runner& run);   // broker, trigger, event send
void add_event_display(CLI::App& app, Runner& run);

}  // namespace mlfaas::cli
