// ISAPI over real HTTP: curl --digest against a camera started in-process with a simulated scene,
// covering activation, device information, a stream change seen on RTSP by ffprobe, the illegal
// login lock and adding a user.
#include <signal.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

struct CurlResult {
  int http_status = 0;
  std::string body;
  std::string error;
};

class IsapiOverHttp : public ::testing::Test {
 protected:
  void start(std::string admin_password = {}) {
    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    camera::CameraOptions options;
    rtsp_port = test::free_tcp_port();
    http_port = test::free_tcp_port();
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port)}, {"network.http_port", std::to_string(http_port)}};
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = std::move(admin_password);
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  CurlResult curl(const std::string& method, const std::string& path, const std::string& credentials = {},
                  const std::string& body = {}) {
    std::vector<std::string> argv{"curl", "-s", "-S", "-X", method, "-w", "\n%{http_code}", "--max-time", "20"};
    if (!credentials.empty()) argv.insert(argv.end(), {"--digest", "-u", credentials});
    if (!body.empty()) argv.insert(argv.end(), {"-H", "Content-Type: application/xml", "--data-binary", body});
    argv.push_back("http://127.0.0.1:" + std::to_string(http_port) + path);
    const auto result = test::run_process(argv, 30s);
    CurlResult out;
    if (result.exit_code != 0) {
      out.error = "curl exit " + std::to_string(result.exit_code) + ": " + result.err;
      return out;
    }
    const auto newline = result.out.rfind('\n');
    out.body = result.out.substr(0, newline);
    out.http_status = std::stoi(result.out.substr(newline + 1));
    return out;
  }

  int probe_width(const std::string& stream) {
    const auto result = test::run_process({"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", "-of", "json",
                                           "rtsp://admin:Admin1234@127.0.0.1:" + std::to_string(rtsp_port) + "/Streaming/Channels/" + stream},
                                          30s);
    const auto doc = nlohmann::json::parse(result.out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("streams") || doc["streams"].empty()) return 0;
    return doc["streams"][0].value("width", 0);
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int rtsp_port = 0;
  int http_port = 0;
};

TEST_F(IsapiOverHttp, ActivationThenDigestLoginAndUserCreation) {
  start();
  const auto before = curl("GET", "/ISAPI/Streaming/channels/101", "admin:Admin1234");
  EXPECT_EQ(before.error, "");
  EXPECT_EQ(before.http_status, 403);
  EXPECT_NE(before.body.find("<subStatusCode>notActivated</subStatusCode>"), std::string::npos) << before.body;

  const auto discovery = curl("GET", "/ISAPI/System/deviceInfo");
  EXPECT_EQ(discovery.http_status, 200);
  EXPECT_NE(discovery.body.find("<activated>false</activated>"), std::string::npos) << discovery.body;

  const auto activated = curl("PUT", "/ISAPI/System/activate", {},
                              "<ActivateInfo><password>Admin1234</password></ActivateInfo>");
  EXPECT_EQ(activated.http_status, 200) << activated.body;

  const auto info = curl("GET", "/ISAPI/System/deviceInfo", "admin:Admin1234");
  EXPECT_EQ(info.http_status, 200) << info.body << info.error;
  EXPECT_NE(info.body.find("<model>" + profile.device.model + "</model>"), std::string::npos) << info.body;
  EXPECT_EQ(curl("GET", "/ISAPI/System/deviceInfo").http_status, 401);

  const auto added = curl("POST", "/ISAPI/Security/users", "admin:Admin1234",
                          "<User><userName>operator1</userName><password>Operat0r1</password><userLevel>Operator</userLevel></User>");
  EXPECT_EQ(added.http_status, 200) << added.body;
  const auto check = curl("GET", "/ISAPI/Security/userCheck", "operator1:Operat0r1");
  EXPECT_EQ(check.http_status, 200) << check.body;
  EXPECT_NE(check.body.find("<userLevel>Operator</userLevel>"), std::string::npos) << check.body;
  const auto denied = curl("POST", "/ISAPI/Security/users", "operator1:Operat0r1",
                           "<User><userName>x1</userName><password>Passw0rd1</password></User>");
  EXPECT_EQ(denied.http_status, 403);
  EXPECT_NE(denied.body.find("lowPrivilege"), std::string::npos) << denied.body;
}

TEST_F(IsapiOverHttp, StreamingChannelPutChangesTheRtspStream) {
  start("Admin1234");
  ASSERT_EQ(probe_width("101"), 1920);
  const auto put = curl("PUT", "/ISAPI/Streaming/channels/101", "admin:Admin1234",
                        "<StreamingChannel xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><id>101</id><Video>"
                        "<videoResolutionWidth>1280</videoResolutionWidth><videoResolutionHeight>720</videoResolutionHeight>"
                        "</Video></StreamingChannel>");
  ASSERT_EQ(put.http_status, 200) << put.body << put.error;
  int width = 0;
  for (int attempt = 0; attempt < 20 && width != 1280; ++attempt) {
    std::this_thread::sleep_for(100ms);
    width = probe_width("101");
  }
  EXPECT_EQ(width, 1280);
  const auto read_back = curl("GET", "/ISAPI/Streaming/channels/101", "admin:Admin1234");
  EXPECT_NE(read_back.body.find("<videoResolutionWidth>1280</videoResolutionWidth>"), std::string::npos) << read_back.body;

  const auto bad = curl("PUT", "/ISAPI/Streaming/channels/101", "admin:Admin1234",
                        "<StreamingChannel><Video><maxFrameRate>9900</maxFrameRate></Video></StreamingChannel>");
  EXPECT_EQ(bad.http_status, 400);
  EXPECT_NE(bad.body.find("<statusCode>6</statusCode>"), std::string::npos) << bad.body;
}

TEST_F(IsapiOverHttp, SevenWrongAdminPasswordsLockTheAddress) {
  start("Admin1234");
  for (int attempt = 1; attempt <= 6; ++attempt) {
    const auto wrong = curl("GET", "/ISAPI/System/deviceInfo", "admin:Wrong" + std::to_string(attempt) + "pass");
    EXPECT_EQ(wrong.http_status, 401) << attempt << ": " << wrong.body << wrong.error;
  }
  EXPECT_EQ(curl("GET", "/ISAPI/System/deviceInfo", "admin:Admin1234").http_status, 200)
      << "six failures do not lock; a success clears the count";
  for (int attempt = 1; attempt <= 7; ++attempt) curl("GET", "/ISAPI/System/deviceInfo", "admin:Wrong1pass");
  const auto locked = curl("GET", "/ISAPI/System/deviceInfo", "admin:Admin1234");
  EXPECT_EQ(locked.http_status, 403) << locked.body;
  EXPECT_NE(locked.body.find("<subStatusCode>ipLocked</subStatusCode>"), std::string::npos) << locked.body;
  EXPECT_NE(locked.body.find("locked for 30 more minute(s)"), std::string::npos) << locked.body;
}

TEST(CamrigDeviceCommand, AdminPasswordOptionActivatesTheDevice) {
  const auto data = std::filesystem::temp_directory_path() / ("camrig-it-admin-" + std::to_string(::getpid()));
  std::filesystem::remove_all(data);
  const auto http_port = std::to_string(test::free_tcp_port());
  test::ChildProcess device({CAMRIG_BINARY, "device", "--rtsp-port", std::to_string(test::free_tcp_port()), "--http-port",
                             http_port, "--bind", "127.0.0.1", "--data-dir", data.string(), "--admin-password", "Admin1234"});
  ASSERT_TRUE(device.started());
  ASSERT_TRUE(device.wait_for_output("Ctrl-C", 30s)) << device.output();
  EXPECT_NE(device.output().find("http://127.0.0.1:" + http_port + "/ISAPI/System/deviceInfo"), std::string::npos)
      << device.output();
  const auto check = test::run_process({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--digest", "-u",
                                        "admin:Admin1234", "http://127.0.0.1:" + http_port + "/ISAPI/Security/userCheck"},
                                       30s);
  EXPECT_EQ(check.out, "200") << check.err;
  EXPECT_EQ(device.stop(SIGINT, 15s), 0);
  std::filesystem::remove_all(data);

  const auto weak = test::run_process({CAMRIG_BINARY, "device", "--rtsp-port", std::to_string(test::free_tcp_port()),
                                       "--http-port", std::to_string(test::free_tcp_port()), "--data-dir", data.string(),
                                       "--admin-password", "short", "--duration", "1"},
                                      30s);
  EXPECT_NE(weak.exit_code, 0);
  EXPECT_NE(weak.err.find("admin password: the password must have 8 to 16 characters"), std::string::npos) << weak.err;
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace camrig
