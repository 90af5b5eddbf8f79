#include "common/cpus.h"

#include <gtest/gtest.h>

namespace mlfaas {
namespace {

TEST(Cpus, ParsesCgroupCpuMax) {
  EXPECT_DOUBLE_EQ(*parse_cpu_max("200000 100000\n"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("50000 100000"), 0.5);
  EXPECT_FALSE(parse_cpu_max("max 100000"));
  EXPECT_FALSE(parse_cpu_max("100000"));
  EXPECT_FALSE(parse_cpu_max("1 0"));
}

TEST(Cpus, ParsesKubernetesQuantities) {
  EXPECT_DOUBLE_EQ(*parse_cpu_quantity("2"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_cpu_quantity("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_cpu_quantity("500m"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_cpu_quantity("2000m"), 2.0);
  EXPECT_FALSE(parse_cpu_quantity(""));
  EXPECT_FALSE(parse_cpu_quantity("m"));
  EXPECT_FALSE(parse_cpu_quantity("two"));
  EXPECT_FALSE(parse_cpu_quantity("-1"));
  EXPECT_FALSE(parse_cpu_quantity("1Gi"));
}

TEST(Cpus, UsableCpusIsAtLeastOne) { EXPECT_GE(usable_cpus(), 1); }

}  // namespace
}  // namespace mlfaas
