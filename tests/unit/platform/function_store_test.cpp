#include "platform/function_store.h"

#include <gtest/gtest.h>

#include <fstream>

namespace mlfaas::platform {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("mlfaas-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  return d;
}

TEST(FunctionStore, EmptyWhenNothingWasSaved) {
  auto d = temp_dir();
  FunctionStore s(d);
  EXPECT_TRUE(s.load().at("services").as_array().empty());
  EXPECT_TRUE(s.load().at("eventing").as_array().empty());
  fs::remove_all(d);
}

TEST(FunctionStore, SavesAtomicallyAndLoadsBack) {
  auto d = temp_dir();
  {
    FunctionStore s(d);
    s.save(boost::json::array{boost::json::object{{"name", "a"}}});
  }
  FunctionStore s2(d);
  auto v = s2.load().at("services").as_array();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].as_object().at("name").as_string(), "a");
  EXPECT_FALSE(fs::exists(d / "functions.json.tmp"));
  EXPECT_EQ(fs::status(d / "functions.json").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(d);
}

TEST(FunctionStore, ACorruptFileIsAnErrorNamingIt) {
  auto d = temp_dir();
  FunctionStore s(d);
  std::ofstream(d / "functions.json") << "{not json";
  try {
    s.load();
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("functions.json"), std::string::npos);
  }
  fs::remove_all(d);
}

}  // namespace
}  // namespace mlfaas::platform
