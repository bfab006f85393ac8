// The permission walk: every route the ISAPI front-end registers, enumerated from the router (so
// routes added later are walked too), called as anonymous, user, operator and administrator. Each
// answer must follow the route's declared permission exactly: 401 without credentials, 403 for a
// level without the permission, anything but 401/403 for a level with it.
#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/security/authenticator.hpp"
#include "device/storage/system_log_store.hpp"
#include "device/system/device_clock.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::http {
namespace {

using beast_http::status;

struct Caller {
  std::string name;
  std::optional<security::UserLevel> level;  // nullopt: anonymous
  std::string account;  // empty: anonymous
};

class PermissionWalk : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin(GetParam());
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema);
    auto opened_config = core::ConfigService::open(*schema, profile, ":memory:", nullptr);
    ASSERT_TRUE(opened_config);
    config = std::move(*opened_config);
    auto opened = security::UserAccounts::open(":memory:", profile.device.model, security::PasswordPolicy::for_profile(profile.name));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    ASSERT_TRUE(accounts->activate("Admin1234"));
    ASSERT_TRUE(accounts->add("viewer", "Viewer123", security::UserLevel::user));
    ASSERT_TRUE(accounts->add("operator", "Operat0r1", security::UserLevel::operator_level));
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] {
      security::IllegalLoginLockSettings settings;
      settings.enabled = false;
      return settings;
    });
    security::AuthenticatorOptions options;
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);
    // Room for the sessions that the sessionLogin route opens besides the caller's own.
    sessions = std::make_unique<security::WebSessions>(clock, [] { return security::WebSessionSettings{false, {}, 32}; });
    authenticator->set_sessions(sessions.get());
    auto store = security::CertificateStore::open("", "IP CAMERA", clock);
    ASSERT_TRUE(store);
    certificates = std::move(*store);
    auto log = storage::SqliteSystemLog::open(":memory:", 1024, clock);
    ASSERT_TRUE(log);
    system_log = std::move(*log);
    device_clock = std::make_unique<system::DeviceClock>(clock);

    isapi::DeviceServices services;
    services.profile = &profile;
    services.config = config.get();
    services.accounts = accounts.get();
    services.sessions = sessions.get();
    services.certificates = certificates.get();
    services.system_log = system_log.get();
    services.clock = device_clock.get();
    services.snapshot = [](int, media::SnapshotSize) -> Result<media::Snapshot> {
      return make_error(ErrorCode::unavailable, "no picture in this test");
    };
    isapi::add_routes(router, services);
  }

  status call(const Router::RouteInfo& route, const Caller& caller) {
    // Path parameters name nothing that exists, so no handler acts on a real resource.
    std::string target;
    std::size_t start = 0;
    while (start < route.pattern.size()) {
      const auto open = route.pattern.find('{', start);
      if (open == std::string::npos) {
        target += route.pattern.substr(start);
        break;
      }
      target += route.pattern.substr(start, open - start) + "999";
      start = route.pattern.find('}', open) + 1;
    }
    Request request{route.method, target, 11};
    // A fresh web session per call authenticates without a password hash per request, and a
    // route that ends sessions (sessionLogout) cannot affect the next call.
    std::string token;
    if (!caller.account.empty()) {
      auto account = accounts->find(caller.account);
      EXPECT_TRUE(account && account->level == *caller.level) << caller.account;
      if (!account) return status::internal_server_error;
      auto opened = sessions->open(*account, "192.0.2.50");
      EXPECT_TRUE(opened);
      token = opened ? *opened : std::string();
      request.set(beast_http::field::cookie, "WebSession=" + token);
    }
    request.prepare_payload();
    const auto answer = router.handle(request, "192.0.2.50", authenticator.get()).response.result();
    if (!token.empty()) sessions->close(token);
    return answer;
  }

  test::LockstepTestClock clock;
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<security::WebSessions> sessions;
  std::unique_ptr<security::CertificateStore> certificates;
  std::unique_ptr<storage::SqliteSystemLog> system_log;
  std::unique_ptr<system::DeviceClock> device_clock;
  Router router;
};

TEST_P(PermissionWalk, EveryRouteAnswersPerItsDeclaredPermission) {
  const std::vector<Caller> callers{
      {"anonymous", std::nullopt, ""},
      {"user", security::UserLevel::user, "viewer"},
      {"operator", security::UserLevel::operator_level, "operator"},
      {"administrator", security::UserLevel::administrator, "admin"},
  };
  const auto routes = router.routes();
  ASSERT_GT(routes.size(), 30u);
  RecordProperty("routes", static_cast<int>(routes.size()));
  bool walked_own = false;
  for (const auto& route : routes) {
    walked_own = walked_own || route.pattern == "/ISAPI/Security/illegalLoginLock";
    for (const auto& caller : callers) {
      const auto answer = call(route, caller);
      const auto what = std::string(beast_http::to_string(route.method)) + " " + route.pattern + " as " + caller.name +
                        " (needs " +
                        (route.permission ? std::string(security::to_string(*route.permission)) : std::string("nothing")) +
                        ") answered " + std::to_string(static_cast<int>(answer));
      if (!route.permission) {
        EXPECT_TRUE(answer != status::unauthorized && answer != status::forbidden) << what;
      } else if (!caller.level) {
        EXPECT_EQ(answer, status::unauthorized) << what;
      } else if (!security::level_has(*caller.level, *route.permission)) {
        EXPECT_EQ(answer, status::forbidden) << what;
      } else {
        EXPECT_TRUE(answer != status::unauthorized && answer != status::forbidden) << what;
      }
    }
  }
  EXPECT_TRUE(walked_own);
}

INSTANTIATE_TEST_SUITE_P(Profiles, PermissionWalk, ::testing::Values("network-camera", "lpr-camera"),
                         [](const auto& instance) {
                           auto name = instance.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace camrig::http
