// Accounts: activation, the 31-account limit, levels, the undeletable administrator, persistence.
#include <filesystem>

#include <gtest/gtest.h>

#include "device/security/user_accounts.hpp"

namespace camrig::security {
namespace {

std::unique_ptr<UserAccounts> open_accounts(const std::string& path = ":memory:") {
  auto accounts = UserAccounts::open(path, "CR-NC2043", PasswordPolicy::for_profile("network-camera"));
  EXPECT_TRUE(accounts) << accounts.error().message;
  return std::move(*accounts);
}

TEST(UserAccounts, InactiveUntilTheAdminPasswordIsSetAndActivatesOnce) {
  auto accounts = open_accounts();
  EXPECT_FALSE(accounts->activated());
  EXPECT_FALSE(accounts->add("viewer", "Viewer123", UserLevel::user)) << "no accounts before activation";
  EXPECT_FALSE(accounts->activate("weak"));
  EXPECT_FALSE(accounts->activated());
  ASSERT_TRUE(accounts->activate("Admin1234"));
  EXPECT_TRUE(accounts->activated());
  EXPECT_FALSE(accounts->activate("Other1234"));
  EXPECT_TRUE(accounts->verify_password("admin", "Admin1234"));
  EXPECT_FALSE(accounts->verify_password("admin", "Admin12345"));
}

TEST(UserAccounts, StoresDigestHa1ForTheRealmInMd5AndSha256) {
  auto accounts = open_accounts();
  ASSERT_TRUE(accounts->activate("Admin1234"));
  EXPECT_EQ(accounts->digest_ha1("admin", DigestAlgorithm::md5), digest_hex(DigestAlgorithm::md5, "admin:CR-NC2043:Admin1234"));
  EXPECT_EQ(accounts->digest_ha1("admin", DigestAlgorithm::sha256),
            digest_hex(DigestAlgorithm::sha256, "admin:CR-NC2043:Admin1234"));
}

TEST(UserAccounts, AdministratorCanAddUpTo31AccountsAndNoMore) {
  auto accounts = open_accounts();
  ASSERT_TRUE(accounts->activate("Admin1234"));
  for (int i = 0; i < 31; ++i)
    ASSERT_TRUE(accounts->add("user" + std::to_string(i), "Passw0rd" + std::to_string(i), UserLevel::user)) << i;
  const auto extra = accounts->add("user31", "Passw0rd31", UserLevel::user);
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().message.find("up to 31"), std::string::npos);
  EXPECT_EQ(accounts->list().size(), 32u);
}

TEST(UserAccounts, DuplicateNamesSecondAdministratorAndDeletingAdminAreRefused) {
  auto accounts = open_accounts();
  ASSERT_TRUE(accounts->activate("Admin1234"));
  const auto op = accounts->add("operator1", "Operat0r1", UserLevel::operator_level);
  ASSERT_TRUE(op);
  EXPECT_EQ(accounts->add("operator1", "Operat0r2", UserLevel::user).error().code, ErrorCode::already_exists);
  EXPECT_FALSE(accounts->add("boss", "Boss12345", UserLevel::administrator));
  EXPECT_EQ(accounts->remove(1).error().code, ErrorCode::not_configurable);
  EXPECT_FALSE(accounts->modify(1, std::nullopt, UserLevel::user));
  ASSERT_TRUE(accounts->modify(op->id, std::string("NewPassw0rd"), UserLevel::user));
  EXPECT_EQ(accounts->find(op->id)->level, UserLevel::user);
  EXPECT_TRUE(accounts->verify_password("operator1", "NewPassw0rd"));
  ASSERT_TRUE(accounts->remove(op->id));
  EXPECT_FALSE(accounts->find("operator1"));
}

TEST(UserAccounts, AccountsSurviveReopeningTheDatabase) {
  const auto path = std::filesystem::temp_directory_path() / ("camrig-users-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto accounts = open_accounts(path.string());
    ASSERT_TRUE(accounts->activate("Admin1234"));
    ASSERT_TRUE(accounts->add("viewer", "Viewer123", UserLevel::user));
  }
  auto reopened = open_accounts(path.string());
  EXPECT_TRUE(reopened->activated());
  EXPECT_TRUE(reopened->verify_password("viewer", "Viewer123"));
  reopened.reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST(UserLevels, PermissionsFollowTheManualsLevels) {
  EXPECT_TRUE(level_has(UserLevel::administrator, Permission::user_management));
  EXPECT_FALSE(level_has(UserLevel::operator_level, Permission::user_management));
  EXPECT_TRUE(level_has(UserLevel::operator_level, Permission::parameter_settings));
  EXPECT_TRUE(level_has(UserLevel::user, Permission::live_view));
  EXPECT_TRUE(level_has(UserLevel::user, Permission::ptz_control));
  EXPECT_TRUE(level_has(UserLevel::user, Permission::change_own_password));
  EXPECT_FALSE(level_has(UserLevel::user, Permission::parameter_settings));
  EXPECT_EQ(parse_user_level("operator"), UserLevel::operator_level);
  EXPECT_FALSE(parse_user_level("root"));
}

}  // namespace
}  // namespace camrig::security
