#include "common/memory_quantity.h"

#include <gtest/gtest.h>

namespace mlfaas {
namespace {

TEST(MemoryQuantity, KubernetesForms) {
  EXPECT_EQ(parse_memory_quantity("512Mi"), 512ull << 20);
  EXPECT_EQ(parse_memory_quantity("1Gi"), 1ull << 30);
  EXPECT_EQ(parse_memory_quantity("64Ki"), 64ull << 10);
  EXPECT_EQ(parse_memory_quantity("128M"), 128'000'000ull);
  EXPECT_EQ(parse_memory_quantity("1G"), 1'000'000'000ull);
  EXPECT_EQ(parse_memory_quantity("2k"), 2000ull);
  EXPECT_EQ(parse_memory_quantity("1048576"), 1048576ull);
  EXPECT_EQ(parse_memory_quantity("1e9"), 1'000'000'000ull);
  EXPECT_EQ(parse_memory_quantity("1.5Gi"), 1610612736ull);
  EXPECT_EQ(parse_memory_quantity("0.5"), 1ull);  // a fractional byte rounds up
}

TEST(MemoryQuantity, RejectsWhatIsNotOne) {
  for (const char* bad : {"", "Mi", "-1Mi", "1.5.5Gi", "1Mb", "512 Mi", "lots", "1Zi", "1e30", "nan", "inf"})
    EXPECT_FALSE(parse_memory_quantity(bad).has_value()) << bad;
}

}  // namespace
}  // namespace mlfaas
