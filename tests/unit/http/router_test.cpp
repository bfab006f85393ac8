// Routing, authentication and per-route permission checks, without sockets.
#include <gtest/gtest.h>

#include "device/http/router.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::http {
namespace {

using security::Permission;
using security::UserLevel;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = security::UserAccounts::open(":memory:", "camrig", security::PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    ASSERT_TRUE(accounts->activate("Admin1234"));
    ASSERT_TRUE(accounts->add("viewer", "Viewer123", UserLevel::user));
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);

    router.add(beast_http::verb::get, "/public", std::nullopt, [](RequestContext&) -> Result<Reply> {
      Reply reply;
      reply.response.body() = "hello";
      return reply;
    });
    router.add(beast_http::verb::get, "/items/{id}", Permission::live_view, [](RequestContext& context) -> Result<Reply> {
      Reply reply;
      reply.response.body() = context.path_parameters.at("id") + " for " + (context.user ? context.user->name : std::string("nobody")) + " format " +
                              (context.query.contains("format") ? context.query.at("format") : "xml");
      return reply;
    });
    router.add(beast_http::verb::put, "/settings", Permission::parameter_settings,
               [](RequestContext&) -> Result<Reply> { return make_error(ErrorCode::out_of_range, "Frame Rate must be 1..25"); });
  }

  Response send(beast_http::verb method, const std::string& target, const std::string& basic = {}) {
    Request request{method, target, 11};
    if (!basic.empty()) request.set(beast_http::field::authorization, "Basic " + basic);
    return router.handle(request, "192.0.2.9", authenticator.get()).response;
  }

  test::LockstepTestClock clock;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  Router router;
};

constexpr const char* k_admin = "YWRtaW46QWRtaW4xMjM0";     // admin:Admin1234
constexpr const char* k_viewer = "dmlld2VyOlZpZXdlcjEyMw==";  // viewer:Viewer123

TEST_F(RouterTest, PublicRouteNeedsNoLogin) {
  const auto response = send(beast_http::verb::get, "/public");
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response.body(), "hello");
}

TEST_F(RouterTest, ProtectedRouteChallengesWithDigestAndBasic) {
  const auto response = send(beast_http::verb::get, "/items/7");
  EXPECT_EQ(response.result(), beast_http::status::unauthorized);
  int digest = 0;
  for (const auto& field : response)
    if (field.name() == beast_http::field::www_authenticate && field.value().starts_with("Digest")) ++digest;
  EXPECT_EQ(digest, 2);
}

TEST_F(RouterTest, PathParametersQueryAndUserReachTheHandler) {
  const auto response = send(beast_http::verb::get, "/ITEMS/7?format=json", k_viewer);
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response.body(), "7 for viewer format json");
}

TEST_F(RouterTest, LevelWithoutThePermissionGets403) {
  const auto response = send(beast_http::verb::put, "/settings", k_viewer);
  EXPECT_EQ(response.result(), beast_http::status::forbidden);
  EXPECT_NE(response.body().find("parameter settings"), std::string::npos) << response.body();
}

TEST_F(RouterTest, HandlerErrorsAreMappedToTheirStatus) {
  const auto response = send(beast_http::verb::put, "/settings", k_admin);
  EXPECT_EQ(response.result(), beast_http::status::bad_request);
  EXPECT_NE(response.body().find("Frame Rate"), std::string::npos);
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(send(beast_http::verb::get, "/nothing").result(), beast_http::status::not_found);
  EXPECT_EQ(send(beast_http::verb::delete_, "/public").result(), beast_http::status::method_not_allowed);
}

TEST_F(RouterTest, PreconditionRefusesBeforeAuthentication) {
  router.set_precondition([](const RequestContext& context,
                             std::optional<Permission> permission) -> std::variant<Router::Admission, Response> {
    if (context.path == "/items/2") return Router::Admission::without_login;
    if (!permission) return Router::Admission::as_declared;
    Response refused{beast_http::status::forbidden, 11};
    refused.body() = "not activated";
    return refused;
  });
  EXPECT_EQ(send(beast_http::verb::get, "/items/1").body(), "not activated");
  EXPECT_EQ(send(beast_http::verb::get, "/public").body(), "hello");
  EXPECT_EQ(send(beast_http::verb::get, "/items/2").result(), beast_http::status::ok) << "admitted without login";
}

TEST_F(RouterTest, StatusForMapsEveryErrorCode) {
  EXPECT_EQ(status_for({ErrorCode::invalid_argument, ""}), beast_http::status::bad_request);
  EXPECT_EQ(status_for({ErrorCode::permission_denied, ""}), beast_http::status::forbidden);
  EXPECT_EQ(status_for({ErrorCode::not_found, ""}), beast_http::status::not_found);
  EXPECT_EQ(status_for({ErrorCode::unavailable, ""}), beast_http::status::service_unavailable);
  EXPECT_EQ(status_for({ErrorCode::internal, ""}), beast_http::status::internal_server_error);
}

TEST(ParseQuery, DecodesPairs) {
  const auto query = parse_query("format=json&name=a%20b&flag");
  EXPECT_EQ(query.at("format"), "json");
  EXPECT_EQ(query.at("name"), "a b");
  EXPECT_EQ(query.at("flag"), "");
}

}  // namespace
}  // namespace camrig::http
