// MaxWindow: the scale-down-delay window (maximum over time, 2 s slots).
#include <gtest/gtest.h>

#include <stdexcept>

#include "autoscale/max_window.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

TEST(MaxWindow, KeepsTheMaximumForTheWholeWindow) {
  MaxWindow w(10s, 2s);  // 5 slots
  w.record(at(0), 10);
  EXPECT_EQ(w.current(), 10);
  for (int t = 2; t <= 8; t += 2) {
    w.record(at(t), 4);
    EXPECT_EQ(w.current(), 10) << "t=" << t;
  }
  w.record(at(10), 4);  // 10 s after the 10 was recorded
  EXPECT_EQ(w.current(), 4);
}

TEST(MaxWindow, LargerValuesTakeOverAtOnce) {
  MaxWindow w(10s, 2s);
  w.record(at(0), 3);
  w.record(at(2), 7);
  EXPECT_EQ(w.current(), 7);
  w.record(at(4), 5);
  w.record(at(12), 1);  // 7 expired (slot 1 vs 6), 5 still inside (slot 2 vs 6)
  EXPECT_EQ(w.current(), 5);
  w.record(at(14), 1);
  EXPECT_EQ(w.current(), 1);
}

TEST(MaxWindow, SeveralRecordsInOneSlotKeepTheLargest) {
  MaxWindow w(4s, 2s);
  w.record(at(0), 9);
  w.record(at(1), 2);  // same 2 s slot
  EXPECT_EQ(w.current(), 9);
  w.record(at(4), 2);
  EXPECT_EQ(w.current(), 2);
}

TEST(MaxWindow, WindowShorterThanASlotIsOneSlot) {
  MaxWindow w(1s, 2s);
  w.record(at(0), 9);
  w.record(at(2), 1);
  EXPECT_EQ(w.current(), 1);
}

TEST(MaxWindow, EmptyIsZeroAndGranularityMustBePositive) {
  EXPECT_EQ(MaxWindow(10s, 2s).current(), 0);
  EXPECT_THROW((void)MaxWindow(10s, 0s), std::invalid_argument);
}

}  // namespace
}  // namespace mlfaas::autoscale
