// The parts every ISAPI test starts from: a profile's config service, user accounts, an illegal
// login lock and an authenticator that takes Basic (so requests need no challenge round trip), a
// router with the ISAPI routes of the services a test gives, and send() through that router
// without sockets. A fixture derives from it and adds the services it exercises.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/core/config_schema.hpp"
#include "device/core/event_bus.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/security/authenticator.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::test {

// Basic credentials of the accounts tests add.
inline constexpr const char* k_admin_basic = "YWRtaW46QWRtaW4xMjM0";          // admin:Admin1234
inline constexpr const char* k_operator_basic = "b3BlcmF0b3I6T3BlcmF0b3IxMjM=";  // operator:Operator123
inline constexpr const char* k_viewer_basic = "dmlld2VyOlZpZXdlcjEyMw==";        // viewer:Viewer123

//! A response as a test reads it; `doc` holds the body parsed as XML (empty when it is not XML).
struct IsapiAnswer {
  http::beast_http::status http_status{};
  std::string body;
  std::string content_type;
  std::string set_cookie;
  pugi::xml_document doc;
  //! The text at a child path of the root element; "<absent>" when missing.
  std::string text(std::initializer_list<std::string_view> path) const {
    return isapi::text_at(doc.document_element(), path).value_or("<absent>");
  }
};

struct IsapiRequest {
  std::string basic = k_admin_basic;  //!< Basic credentials; empty sends none
  std::string cookie;                 //!< WebSession token; set: sent instead of credentials
  std::string content_type;
};

class IsapiHarness {
 public:
  //! Opens the stores of `profile_name`, in memory or (with `data_directory`) in its files, as
  //! Camera::start does; activates the admin account with Admin1234 unless told not to or already
  //! active. The authenticator reads `auth_clock` when given (e.g. a device clock), else `clock`.
  void open_device(const std::string& profile_name, const std::string& data_directory = {}, bool activate = true,
                   hal::Clock* auth_clock = nullptr) {
    profile = *core::DeviceProfile::builtin(profile_name);
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema) << schema.error().message;
    auto in = [&](const char* file) { return data_directory.empty() ? std::string(":memory:") : data_directory + "/" + file; };
    auto opened_config = core::ConfigService::open(*schema, profile, in("config.db"), &bus);
    ASSERT_TRUE(opened_config) << opened_config.error().message;
    config = std::move(*opened_config);
    auto opened = security::UserAccounts::open(in("users.db"), profile.device.model,
                                               security::PasswordPolicy::for_profile(profile.name));
    ASSERT_TRUE(opened) << opened.error().message;
    accounts = std::move(*opened);
    if (activate && !accounts->activated()) {
      ASSERT_TRUE(accounts->activate("Admin1234"));
    }
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, auth_clock ? *auth_clock : clock, options);
  }

  //! Adds the viewer (user level) and operator accounts of k_viewer_basic and k_operator_basic.
  void add_viewer() { ASSERT_TRUE(accounts->add("viewer", "Viewer123", security::UserLevel::user)); }
  void add_operator() { ASSERT_TRUE(accounts->add("operator", "Operator123", security::UserLevel::operator_level)); }

  //! The profile, config and accounts; a test sets the other services it needs.
  isapi::DeviceServices services() {
    isapi::DeviceServices base;
    base.profile = &profile;
    base.config = config.get();
    base.accounts = accounts.get();
    return base;
  }

  //! A new router with every ISAPI route of `with`.
  void route(isapi::DeviceServices with) {
    router = std::make_unique<http::Router>();
    isapi::add_routes(*router, std::move(with));
  }

  std::unique_ptr<IsapiAnswer> send(http::beast_http::verb method, const std::string& target, const std::string& body = {},
                                    const IsapiRequest& how = {}) {
    http::Request request{method, target, 11};
    if (!how.cookie.empty()) request.set(http::beast_http::field::cookie, "WebSession=" + how.cookie);
    else if (!how.basic.empty()) request.set(http::beast_http::field::authorization, "Basic " + how.basic);
    if (!how.content_type.empty()) request.set(http::beast_http::field::content_type, how.content_type);
    request.body() = body;
    request.prepare_payload();
    auto reply = router->handle(request, "192.0.2.7", authenticator.get());
    auto answer = std::make_unique<IsapiAnswer>();
    answer->http_status = reply.response.result();
    answer->body = reply.response.body();
    answer->content_type = std::string(reply.response[http::beast_http::field::content_type]);
    answer->set_cookie = std::string(reply.response[http::beast_http::field::set_cookie]);
    answer->doc.load_string(answer->body.c_str());
    return answer;
  }
  //! send() with other Basic credentials ("" for none).
  std::unique_ptr<IsapiAnswer> send_as(const std::string& basic, http::beast_http::verb method, const std::string& target,
                                       const std::string& body = {}) {
    return send(method, target, body, IsapiRequest{basic, {}, {}});
  }

  LockstepTestClock clock;
  //! The config service publishes its changes here (services such as events listen).
  core::EventBus bus;
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<http::Router> router;
};

}  // namespace camrig::test
