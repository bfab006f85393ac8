// WS-Security UsernameToken login: the digest as OASIS defines it, the Created window on device
// time, replayed nonces, the illegal login lock, and the ONVIF access classes per user level.
#include <gtest/gtest.h>

#include <stdexcept>

#include "device/core/base64.hpp"
#include "device/core/wall_time_format.hpp"
#include "device/onvif/access_policy.hpp"
#include "device/onvif/username_token.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::onvif {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Camrig-demo-1";

class UsernameTokenTest : public ::testing::Test {
 protected:
  static std::unique_ptr<security::UserAccounts> open_accounts() {
    auto accounts = security::UserAccounts::open(":memory:", "camrig",
                                                 security::PasswordPolicy::for_profile("network-camera"));
    if (!accounts) throw std::runtime_error(accounts.error().message);
    if (auto activated = (*accounts)->activate(k_password); !activated)
      throw std::runtime_error(activated.error().message);
    return std::move(*accounts);
  }

  //! A token as a client builds it, Created at the device's current time plus `offset`.
  UsernameToken token(std::string nonce, hal::Nanos offset = {}, std::string password = k_password) {
    UsernameToken result;
    result.username = "admin";
    result.nonce = core::base64_encode(nonce);
    result.created = core::format_utc_iso8601(clock_.wall_time() + offset);
    result.password = password_digest(nonce, result.created, password);
    return result;
  }

  test::LockstepTestClock clock_;
  std::unique_ptr<security::UserAccounts> accounts_ = open_accounts();
  security::IllegalLoginLock lock_{clock_, [] { return security::IllegalLoginLockSettings{}; }};
  UsernameTokenSettings settings_;
  UsernameTokenVerifier verifier_{*accounts_, lock_, clock_, [this] { return settings_; }};
};

TEST(UsernameTokenDigest, IsBase64OfSha1OverNonceCreatedAndPassword) {
  // Computed independently: base64(sha1(b"0123456789abcdef" + b"2024-03-01T12:00:00Z" + b"Camrig-demo-1")).
  EXPECT_EQ(password_digest("0123456789abcdef", "2024-03-01T12:00:00Z", k_password), "9UWYlMrRfV0wRUnjlB8xEZjd96c=");
}

TEST(UsernameTokenDateTime, ParsesUtcFractionsAndOffsets) {
  const hal::WallTime noon{test::LockstepTestClock::k_wall_origin};
  EXPECT_EQ(parse_xsd_datetime("2024-03-01T12:00:00Z"), noon);
  EXPECT_EQ(parse_xsd_datetime("2024-03-01T12:00:00.250Z"), noon + 250ms);
  EXPECT_EQ(parse_xsd_datetime("2024-03-01T14:00:00+02:00"), noon);
  EXPECT_EQ(parse_xsd_datetime("2024-03-01T07:30:00-04:30"), noon);
  EXPECT_FALSE(parse_xsd_datetime("2024-02-30T12:00:00Z"));
  EXPECT_FALSE(parse_xsd_datetime("2024-03-01 12:00:00Z"));
  EXPECT_FALSE(parse_xsd_datetime("yesterday"));
}

TEST_F(UsernameTokenTest, AcceptsTheDigestOfTheAccountPassword) {
  auto outcome = verifier_.verify(token("nonce-1"), "10.0.0.5");
  ASSERT_TRUE(std::holds_alternative<security::UserAccount>(outcome)) << std::get<TokenRefusal>(outcome).message;
  EXPECT_EQ(std::get<security::UserAccount>(outcome).name, "admin");
  EXPECT_EQ(std::get<security::UserAccount>(outcome).level, security::UserLevel::administrator);
}

TEST_F(UsernameTokenTest, AcceptsPasswordTextAndRefusesAWrongOne) {
  UsernameToken text;
  text.username = "admin";
  text.digest = false;
  text.password = k_password;
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(text, "10.0.0.5")));
  text.password = "Camrig-demo-2";
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(text, "10.0.0.5")));
}

TEST_F(UsernameTokenTest, RefusesACreatedTimeOutsideTheConfiguredSkewWithoutCountingIt) {
  for (int i = 0; i < 10; ++i) {
    auto stale = verifier_.verify(token("stale-" + std::to_string(i), -301s), "10.0.0.5");
    ASSERT_TRUE(std::holds_alternative<TokenRefusal>(stale));
    EXPECT_NE(std::get<TokenRefusal>(stale).message.find("clock skew"), std::string::npos);
  }
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(token("future", 301s), "10.0.0.5")));
  EXPECT_FALSE(lock_.locked_for("10.0.0.5")) << "a skewed clock is not a wrong password";
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(token("edge", -299s), "10.0.0.5")));

  settings_.max_clock_skew = 10min;
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(token("wider", -301s), "10.0.0.5")));
}

TEST_F(UsernameTokenTest, RefusesAReplayedNonceUntilItsCreatedTimeLeavesTheWindow) {
  const auto first = token("once");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  auto replay = verifier_.verify(first, "10.0.0.6");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(replay));
  EXPECT_NE(std::get<TokenRefusal>(replay).message.find("already used"), std::string::npos);
  clock_.advance_to(6min);
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(first, "10.0.0.5")))
      << "by now the Created time itself is stale";
}

TEST_F(UsernameTokenTest, TheSameTokenFromTheSameAddressPassesAgainWithinOneSecond) {
  const auto first = token("repeated");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  clock_.advance_to(400ms);
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  clock_.advance_to(1s);
  auto repeat = verifier_.verify(first, "10.0.0.5");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(repeat)) << std::get<TokenRefusal>(repeat).message;
}

TEST_F(UsernameTokenTest, TheSameNonceUnderAnotherCreatedPassesFromTheSameAddressWithinOneSecond) {
  // libonvif: one nonce per second, Created to the millisecond, so each request has its own digest.
  const auto first = token("libonvif");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  clock_.advance_to(8ms);
  const auto second = token("libonvif", 1s);
  ASSERT_NE(second.created, first.created);
  ASSERT_NE(second.password, first.password);
  auto repeat = verifier_.verify(second, "10.0.0.5");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(repeat)) << std::get<TokenRefusal>(repeat).message;
}

TEST_F(UsernameTokenTest, TheSameNonceFromAnotherAddressIsAReplayAndCounts) {
  const auto first = token("captured");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  auto recreated = verifier_.verify(token("captured", 1s), "10.0.0.6");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(recreated));
  EXPECT_NE(std::get<TokenRefusal>(recreated).message.find("already used"), std::string::npos);
  for (int i = 0; i < 6; ++i) {
    auto replay = verifier_.verify(first, "10.0.0.6");
    ASSERT_TRUE(std::holds_alternative<TokenRefusal>(replay)) << i;
    EXPECT_NE(std::get<TokenRefusal>(replay).message.find("already used"), std::string::npos);
  }
  EXPECT_TRUE(lock_.locked_for("10.0.0.6")) << "replays count toward the illegal login lock";
  EXPECT_FALSE(lock_.locked_for("10.0.0.5"));
}

TEST_F(UsernameTokenTest, TheSameNonceMoreThanOneSecondAfterItsFirstUseIsAReplay) {
  const auto first = token("late");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  clock_.advance_to(700ms);
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(first, "10.0.0.5")));
  clock_.advance_to(1100ms);
  auto replay = verifier_.verify(first, "10.0.0.5");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(replay)) << "the window runs from the first use, not the last";
  EXPECT_NE(std::get<TokenRefusal>(replay).message.find("already used"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(token("late", 1s), "10.0.0.5")))
      << "nor under a new Created";
}

TEST_F(UsernameTokenTest, ARepeatUnderALaterCreatedIsRememberedUntilThatLeavesTheWindow) {
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(token("kept", -299s), "10.0.0.5")));
  const auto later = token("kept");
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(later, "10.0.0.5")));
  // The first Created has left the window; the later one has not, so its token is still a replay.
  clock_.advance_to(2s);
  auto replay = verifier_.verify(later, "10.0.0.6");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(replay));
  EXPECT_NE(std::get<TokenRefusal>(replay).message.find("already used"), std::string::npos);
}

TEST_F(UsernameTokenTest, WrongPasswordsLockTheAddressAndThenEvenTheRightOneIsRefused) {
  for (int i = 0; i < 6; ++i) {
    auto wrong = verifier_.verify(token("wrong-" + std::to_string(i), {}, "Not-the-password-1"), "10.0.0.5");
    ASSERT_TRUE(std::holds_alternative<TokenRefusal>(wrong));
    EXPECT_FALSE(std::get<TokenRefusal>(wrong).locked) << i;
  }
  auto seventh = verifier_.verify(token("wrong-7", {}, "Not-the-password-1"), "10.0.0.5");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(seventh));
  EXPECT_TRUE(std::get<TokenRefusal>(seventh).locked) << "the admin limit is 7";
  auto right = verifier_.verify(token("right"), "10.0.0.5");
  ASSERT_TRUE(std::holds_alternative<TokenRefusal>(right));
  EXPECT_TRUE(std::get<TokenRefusal>(right).locked);
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(verifier_.verify(token("other"), "10.0.0.9")))
      << "another address is not locked";
}

TEST_F(UsernameTokenTest, UnknownUserAndMalformedTokensAreRefused) {
  auto unknown = token("who");
  unknown.username = "nobody";
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(unknown, "10.0.0.5")));
  auto bad_nonce = token("x");
  bad_nonce.nonce = "***";
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(bad_nonce, "10.0.0.5")));
  auto bad_time = token("y");
  bad_time.created = "soon";
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(bad_time, "10.0.0.5")));
}

TEST_F(UsernameTokenTest, AChangedPasswordIsTheOneTheDigestMustUse) {
  ASSERT_TRUE(accounts_->modify(1, std::string("Camrig-demo-2"), std::nullopt));
  EXPECT_TRUE(std::holds_alternative<TokenRefusal>(verifier_.verify(token("old"), "10.0.0.5")));
  EXPECT_TRUE(std::holds_alternative<security::UserAccount>(
      verifier_.verify(token("new", {}, "Camrig-demo-2"), "10.0.0.5")));
}

TEST(AccessPolicy, FollowsOnvifDefaultPolicyPerUserLevel) {
  using security::UserLevel;
  for (auto access : {AccessClass::pre_auth, AccessClass::read_system, AccessClass::read_system_sensitive,
                      AccessClass::read_system_secret, AccessClass::write_system, AccessClass::unrecoverable,
                      AccessClass::read_media, AccessClass::actuate})
    EXPECT_TRUE(level_allows(UserLevel::administrator, access));
  EXPECT_TRUE(level_allows(UserLevel::operator_level, AccessClass::actuate));
  EXPECT_TRUE(level_allows(UserLevel::operator_level, AccessClass::read_system_sensitive));
  EXPECT_FALSE(level_allows(UserLevel::operator_level, AccessClass::read_system_secret));
  EXPECT_FALSE(level_allows(UserLevel::operator_level, AccessClass::write_system));
  EXPECT_FALSE(level_allows(UserLevel::operator_level, AccessClass::unrecoverable));
  EXPECT_TRUE(level_allows(UserLevel::user, AccessClass::read_system));
  EXPECT_TRUE(level_allows(UserLevel::user, AccessClass::read_media));
  EXPECT_FALSE(level_allows(UserLevel::user, AccessClass::read_system_sensitive));
  EXPECT_FALSE(level_allows(UserLevel::user, AccessClass::actuate));
  EXPECT_FALSE(level_allows(UserLevel::user, AccessClass::write_system));
}

}  // namespace
}  // namespace camrig::onvif
