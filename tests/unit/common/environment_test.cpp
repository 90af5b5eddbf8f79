#include "common/environment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

namespace {

TEST(Environment, InheritsAndOverridesEachKeyOnce) {
  ::setenv("MLFAAS_ENV_TEST_KEEP", "a=b", 1);
  ::setenv("MLFAAS_ENV_TEST_OVERRIDE", "old", 1);
  auto env = mlfaas::environment_with({{"MLFAAS_ENV_TEST_OVERRIDE", "new"}, {"MLFAAS_ENV_TEST_ADDED", ""}});
  auto has = [&](const std::string& kv) { return std::count(env.begin(), env.end(), kv); };
  EXPECT_EQ(has("MLFAAS_ENV_TEST_KEEP=a=b"), 1);  // values may contain '='
  EXPECT_EQ(has("MLFAAS_ENV_TEST_OVERRIDE=new"), 1);
  EXPECT_EQ(has("MLFAAS_ENV_TEST_OVERRIDE=old"), 0);
  EXPECT_EQ(has("MLFAAS_ENV_TEST_ADDED="), 1);
  EXPECT_TRUE(std::is_sorted(env.begin(), env.end()));
}

}  // namespace
