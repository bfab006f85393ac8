// Web sessions: control timeout on the device clock, simultaneous login limit, online users,
// logout, and a session standing for credentials in the authenticator.
#include <gtest/gtest.h>

#include "device/security/authenticator.hpp"
#include "device/security/web_sessions.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::security {
namespace {

using namespace std::chrono_literals;

class WebSessionsTest : public ::testing::Test {
 protected:
  test::LockstepTestClock clock;
  WebSessionSettings settings{true, 15min, 2};
  WebSessions sessions{clock, [this] { return settings; }};
  UserAccount admin{1, "admin", UserLevel::administrator};
  UserAccount viewer{2, "viewer", UserLevel::user};
};

TEST_F(WebSessionsTest, IdleSessionExpiresAfterControlTimeoutButActivityKeepsItAlive) {
  auto token = sessions.open(admin, "192.0.2.1");
  ASSERT_TRUE(token);
  clock.advance_to(14min);
  ASSERT_TRUE(sessions.resume(*token));
  clock.advance_to(28min);
  EXPECT_TRUE(sessions.resume(*token)) << "the request at 14 min restarted the idle time";
  clock.advance_to(43min);
  EXPECT_FALSE(sessions.resume(*token));
  EXPECT_TRUE(sessions.online().empty());
}

TEST_F(WebSessionsTest, WithoutControlTimeoutSessionsStay) {
  settings.timeout_enabled = false;
  auto token = sessions.open(admin, "192.0.2.1");
  clock.advance_to(10h);
  EXPECT_TRUE(sessions.resume(*token));
}

TEST_F(WebSessionsTest, SimultaneousLoginLimitRefusesWithAClearError) {
  ASSERT_TRUE(sessions.open(admin, "192.0.2.1"));
  auto second = sessions.open(viewer, "192.0.2.2");
  ASSERT_TRUE(second);
  auto third = sessions.open(viewer, "192.0.2.3");
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::unavailable);
  EXPECT_NE(third.error().message.find("Simultaneous Login"), std::string::npos);
  EXPECT_TRUE(sessions.close(*second));
  EXPECT_FALSE(sessions.close(*second));
  EXPECT_TRUE(sessions.open(viewer, "192.0.2.3"));
}

TEST_F(WebSessionsTest, OnlineUsersListNameLevelAddressAndLoginTime) {
  clock.advance_to(5s);
  ASSERT_TRUE(sessions.open(viewer, "192.0.2.9"));
  const auto online = sessions.online();
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(online[0].name, "viewer");
  EXPECT_EQ(online[0].level, UserLevel::user);
  EXPECT_EQ(online[0].address, "192.0.2.9");
  EXPECT_EQ(online[0].login_time, hal::WallTime{test::LockstepTestClock::k_wall_origin + 5s});
  sessions.close_all(viewer.id);
  EXPECT_TRUE(sessions.online().empty());
}

TEST(WebSessionCookie, TokenIsFoundAmongOtherCookies) {
  EXPECT_EQ(session_token_in("a=1; WebSession=abc123; b=2"), "abc123");
  EXPECT_EQ(session_token_in("WebSession=xyz"), "xyz");
  EXPECT_EQ(session_token_in("NotWebSession=1"), "");
  EXPECT_EQ(session_token_in(""), "");
}

TEST_F(WebSessionsTest, AuthenticatorAcceptsALiveSessionInsteadOfCredentials) {
  auto accounts = UserAccounts::open(":memory:", "camrig", PasswordPolicy::for_profile("network-camera"));
  ASSERT_TRUE(accounts);
  ASSERT_TRUE((*accounts)->activate("Admin1234"));
  IllegalLoginLock lock(clock, [] { return IllegalLoginLockSettings{}; });
  Authenticator authenticator(**accounts, lock, clock);
  auto token = sessions.open(admin, "192.0.2.1");
  ASSERT_TRUE(token);
  const AuthenticationRequest request{"GET", "/ISAPI/System/deviceInfo", "", "192.0.2.1"};
  EXPECT_TRUE(std::holds_alternative<Challenge>(authenticator.authenticate(request, *token))) << "no sessions attached yet";
  authenticator.set_sessions(&sessions);
  auto outcome = authenticator.authenticate(request, *token);
  ASSERT_TRUE(std::holds_alternative<UserAccount>(outcome));
  EXPECT_EQ(std::get<UserAccount>(outcome).name, "admin");
  EXPECT_TRUE(std::holds_alternative<Challenge>(authenticator.authenticate(request, "forged")));
}

}  // namespace
}  // namespace camrig::security
