// Login operations in the system log: one "Remote: Login" per client (user, address, protocol)
// until it has been idle for the window, an "Illegal Login" per refused credential, and a
// "Remote: Logout" for each way a web session ends, stamped when it ended.
#include <gtest/gtest.h>

#include "device/core/base64.hpp"
#include "device/security/authenticator.hpp"
#include "device/storage/system_log_store.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::security {
namespace {

using namespace std::chrono_literals;

class LoginLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = UserAccounts::open(":memory:", "camrig", PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    ASSERT_TRUE(accounts->activate("Admin1234"));
    auto opened_log = storage::SqliteSystemLog::open(":memory:", 100, clock);
    ASSERT_TRUE(opened_log);
    log = std::move(*opened_log);
    login_log = std::make_unique<LoginLog>(clock, *log, [] { return hal::Nanos(15min); });
    AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    http = std::make_unique<Authenticator>(*accounts, lock, clock, options);
    options.protocol = "RTSP";
    rtsp = std::make_unique<Authenticator>(*accounts, lock, clock, options);
    http->set_login_log(login_log.get());
    rtsp->set_login_log(login_log.get());
    sessions.set_login_log(login_log.get());
  }

  AuthenticationOutcome basic(Authenticator& authenticator, const std::string& credentials,
                              std::string_view address = "192.0.2.9") {
    const auto header = "Basic " + core::base64_encode(credentials);
    return authenticator.authenticate({"GET", "/ISAPI/System/deviceInfo", header, address});
  }

  std::vector<storage::LogEntry> logged(const std::string& minor) {
    storage::LogQuery query;
    query.minor = minor;
    auto page = log->search(query);
    return page ? page->entries : std::vector<storage::LogEntry>{};
  }

  test::LockstepTestClock clock;
  std::unique_ptr<UserAccounts> accounts;
  std::unique_ptr<storage::SqliteSystemLog> log;
  std::unique_ptr<LoginLog> login_log;
  IllegalLoginLock lock{clock, [] { return IllegalLoginLockSettings{}; }};
  std::unique_ptr<Authenticator> http;
  std::unique_ptr<Authenticator> rtsp;
  WebSessions sessions{clock, [] { return WebSessionSettings{true, 15min, 10}; }};
};

TEST_F(LoginLogTest, AClientLogsInOncePerIdleWindowAndProtocol) {
  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*http, "admin:Admin1234")));
  clock.advance_to(clock.now() + 10min);
  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*http, "admin:Admin1234")));
  clock.advance_to(clock.now() + 10min);
  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*http, "admin:Admin1234")));
  auto logins = logged("Remote: Login");
  ASSERT_EQ(logins.size(), 1u) << "requests within 15 minutes of each other are one login";
  EXPECT_EQ(logins[0].user, "admin");
  EXPECT_EQ(logins[0].remote_address, "192.0.2.9");
  EXPECT_EQ(logins[0].description, "HTTP Basic");
  EXPECT_EQ(logins[0].major, storage::LogMajor::operation);

  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*rtsp, "admin:Admin1234")));
  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*http, "admin:Admin1234", "192.0.2.10")));
  EXPECT_EQ(logged("Remote: Login").size(), 3u) << "another protocol and another address are other clients";

  clock.advance_to(clock.now() + 15min);
  ASSERT_TRUE(std::holds_alternative<UserAccount>(basic(*http, "admin:Admin1234")));
  logins = logged("Remote: Login");
  ASSERT_EQ(logins.size(), 4u) << "idle for the whole window: a new login";
  EXPECT_EQ(logins[0].description, "HTTP Basic");  // newest first
}

TEST_F(LoginLogTest, RefusedCredentialsAreIllegalLogins) {
  ASSERT_TRUE(std::holds_alternative<Challenge>(basic(*rtsp, "admin:wrong")));
  const auto refused = logged("Illegal Login");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].major, storage::LogMajor::exception);
  EXPECT_EQ(refused[0].user, "admin");
  EXPECT_EQ(refused[0].description, "RTSP Basic: wrong user name or password");
  EXPECT_TRUE(logged("Remote: Login").empty());
  ASSERT_TRUE(std::holds_alternative<Challenge>(
      http->authenticate({"GET", "/", "", "192.0.2.9"})));
  EXPECT_EQ(logged("Illegal Login").size(), 1u) << "a request without credentials is no login attempt";
}

TEST_F(LoginLogTest, EveryEndOfAWebSessionIsALogout) {
  auto admin = accounts->find("admin");
  ASSERT_TRUE(admin);
  auto first = sessions.open(*admin, "192.0.2.9");
  auto second = sessions.open(*admin, "192.0.2.10");
  auto third = sessions.open(*admin, "192.0.2.11");
  ASSERT_TRUE(first && second && third);
  ASSERT_TRUE(sessions.close(*first));
  auto logouts = logged("Remote: Logout");
  ASSERT_EQ(logouts.size(), 1u);
  EXPECT_EQ(logouts[0].remote_address, "192.0.2.9");
  EXPECT_EQ(logouts[0].description, "web session: logout");

  clock.advance_to(clock.now() + 5min);
  ASSERT_TRUE(sessions.resume(*third));
  const auto second_expires = clock.wall_time() + 10min;  // opened 5 min ago, Control Timeout 15 min
  clock.advance_to(clock.now() + 12min);
  ASSERT_FALSE(sessions.resume(*second)) << "expired";
  logouts = logged("Remote: Logout");
  ASSERT_EQ(logouts.size(), 2u);
  EXPECT_EQ(logouts[0].remote_address, "192.0.2.10");
  EXPECT_EQ(logouts[0].description, "web session expired: no request within the Control Timeout");
  EXPECT_EQ(logouts[0].time, second_expires) << "stamped when it expired, not when noticed";

  sessions.close_all(admin->id);
  logouts = logged("Remote: Logout");
  ASSERT_EQ(logouts.size(), 3u);
  EXPECT_EQ(logouts[0].remote_address, "192.0.2.11");
  EXPECT_EQ(logouts[0].description, "web session closed: the account was changed or deleted");
}

}  // namespace
}  // namespace camrig::security
