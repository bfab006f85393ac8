// The permission walk: every route a running Camera serves, enumerated from its router (so routes
// added later, and those wired only by the camera — maintenance, events, traffic, IO, serial — are
// walked too), called as anonymous, user, operator and administrator. Each answer must follow the
// route's declared permission exactly: 401 without credentials, 403 for a level without the
// permission, anything but 401/403 for a level with it.
#include <condition_variable>
#include <set>
#include <mutex>

#include <gtest/gtest.h>

#include "device/camera/camera.hpp"
#include "device/security/authenticator.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "sim/virtual_serial_port.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/process.hpp"

namespace camrig::http {
namespace {

using beast_http::status;

struct Caller {
  std::string name;
  std::optional<security::UserLevel> level;  // nullopt: anonymous
  std::string account;  // empty: anonymous
};

// A sensor that delivers no frame until stopped: the walk needs the routes, not pictures.
class DarkSensor final : public hal::VideoSource {
 public:
  hal::VideoFormat format() const override { return {320, 240, {25, 1}}; }
  hal::VideoFramePtr read(std::stop_token stop) override {
    std::mutex mutex;
    std::condition_variable_any never;
    std::unique_lock lock(mutex);
    never.wait(lock, stop, [] { return false; });
    return nullptr;
  }
};

class PermissionWalk : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto profile = core::DeviceProfile::builtin(GetParam());
    ASSERT_TRUE(profile);
    inputs = std::make_unique<sim::VirtualInputs>(clock, profile->capabilities.alarm_inputs);
    relays = std::make_unique<sim::VirtualRelays>(clock, profile->capabilities.alarm_outputs);
    camera::CameraHardware hardware;
    hardware.clock = &clock;
    for (const auto& channel : profile->channels) hardware.video_sources[channel.id] = &sensor;
    hardware.inputs = inputs.get();
    hardware.relays = relays.get();
    hardware.serial_ports[1] = &serial;
    camera::CameraOptions options;
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = "Admin1234";
    options.settings = {{"network.rtsp_port", std::to_string(test::free_tcp_port())},
                        {"network.http_port", std::to_string(test::free_tcp_port())},
                        {"network.https.enabled", "false"},
                        // Room for the sessions that the sessionLogin route opens for the callers.
                        {"security.simultaneous_login", "20"}};
    auto started = camera::Camera::start(*profile, hardware, options);
    ASSERT_TRUE(started) << started.error().message;
    camera = std::move(*started);

    // The callers' identities: the router asks whichever authenticator the listener hands it, so
    // the walk authenticates with a session store of its own and a cheap session per call.
    auto opened = security::UserAccounts::open(":memory:", profile->device.model,
                                               security::PasswordPolicy::for_profile(profile->name));
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
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, security::AuthenticatorOptions{});
    sessions = std::make_unique<security::WebSessions>(clock, [] { return security::WebSessionSettings{false, {}, 32}; });
    authenticator->set_sessions(sessions.get());
  }
  void TearDown() override {
    if (camera) camera->stop();
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
    auto reply = camera->router().handle(request, "192.0.2.50", authenticator.get());
    if (reply.stream) reply.stream->close();  // alertStream: the walk does not listen
    if (!token.empty()) sessions->close(token);
    return reply.response.result();
  }

  test::LockstepTestClock clock;
  DarkSensor sensor;
  std::unique_ptr<sim::VirtualInputs> inputs;
  std::unique_ptr<sim::VirtualRelays> relays;
  sim::VirtualSerialPort serial;
  std::unique_ptr<camera::Camera> camera;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<security::WebSessions> sessions;
};

TEST_P(PermissionWalk, EveryRouteAnswersPerItsDeclaredPermission) {
  const std::vector<Caller> callers{
      {"anonymous", std::nullopt, ""},
      {"user", security::UserLevel::user, "viewer"},
      {"operator", security::UserLevel::operator_level, "operator"},
      {"administrator", security::UserLevel::administrator, "admin"},
  };
  const auto routes = camera->router().routes();
  ASSERT_GT(routes.size(), 30u);
  RecordProperty("routes", static_cast<int>(routes.size()));
  std::set<std::string> walked;
  for (const auto& route : routes) {
    // ONVIF endpoints admit per SOAP operation (pre-auth list, UsernameToken, Digest), not per
    // route; onvif_auth_test and onvif_device_test walk that admission.
    if (route.pattern.rfind("/onvif/", 0) == 0) continue;
    walked.insert(route.pattern);
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
  // The groups the camera wires from its own parts are among them.
  for (const auto* pattern : {"/ISAPI/Security/illegalLoginLock", "/ISAPI/System/reboot", "/ISAPI/System/time",
                              "/ISAPI/ContentMgmt/logSearch", "/ISAPI/Event/triggers", "/ISAPI/System/IO/outputs",
                              "/ISAPI/System/Serial/ports"})
    EXPECT_TRUE(walked.contains(pattern)) << pattern;
  if (camera->profile().capabilities.license_plate_recognition) {
    EXPECT_TRUE(walked.contains("/ISAPI/Traffic/channels/{channel}/licensePlateAuditData"));
  }
}

TEST_P(PermissionWalk, SerialPortSettingsPutThroughIsapiReachTheTerminal) {
  Request request{beast_http::verb::put, "/ISAPI/System/Serial/ports/1", 11};
  auto admin = accounts->find("admin");
  ASSERT_TRUE(admin);
  auto token = sessions->open(*admin, "192.0.2.50");
  ASSERT_TRUE(token);
  request.set(beast_http::field::cookie, "WebSession=" + *token);
  ASSERT_EQ(serial.configure_count(), 1) << "configured with the stored settings at start";
  request.body() = "<SerialPort><baudRate>57600</baudRate><parityType>even</parityType></SerialPort>";
  request.prepare_payload();
  const auto reply = camera->router().handle(request, "192.0.2.50", authenticator.get());
  ASSERT_EQ(reply.response.result(), status::ok) << reply.response.body();
  // The camera's configuration watcher applies the change on its own thread.
  ASSERT_TRUE(serial.wait_configured(2, std::chrono::seconds(10)));
  EXPECT_EQ(serial.device_settings()->baud_rate, 57600);
  EXPECT_EQ(serial.device_settings()->parity, hal::SerialSettings::Parity::even);
}

INSTANTIATE_TEST_SUITE_P(Profiles, PermissionWalk, ::testing::Values("network-camera", "lpr-camera"),
                         [](const auto& instance) {
                           auto name = instance.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace camrig::http
