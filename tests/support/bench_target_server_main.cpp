// The load generator's test server as a process: bench_target_server [PORT]. Prints
// "listening on PORT" and serves until killed. See bench_target_server.h for the behaviours.
#include <cstdio>
#include <cstdlib>

#include "support/bench_target_server.h"

int main(int argc, char** argv) {
  mlfaas::test::BenchTargetServer server(argc > 1 ? uint16_t(std::atoi(argv[1])) : 0);
  std::printf("listening on %u\n", unsigned(server.port()));
  std::fflush(stdout);
  server.run();
}
