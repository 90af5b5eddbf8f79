#include "common/command_output.h"

#include <gtest/gtest.h>

using mlfaas::command_output;

TEST(CommandOutput, ReturnsWhatTheCommandPrintedWithArgumentsPassedAsTheyAre) {
  // No shell: quotes, spaces and $ reach the program unchanged.
  EXPECT_EQ(command_output({"printf", "%s|", "it's", "a b", "$HOME"}), "it's|a b|$HOME|");
}

TEST(CommandOutput, AFailingOrMissingCommandHasNoOutput) {
  EXPECT_EQ(command_output({"false"}), std::nullopt);
  EXPECT_EQ(command_output({"sh", "-c", "echo partial; echo oops >&2; exit 3"}), std::nullopt);
  EXPECT_EQ(command_output({"mlfaas-no-such-program"}), std::nullopt);
  EXPECT_EQ(command_output({}), std::nullopt);
}

TEST(CommandOutput, ReadsOutputLargerThanAPipeBuffer) {
  auto out = command_output({"head", "-c", "1000000", "/dev/zero"});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 1000000u);
}
