// `camrig conform` from the outside: against a camrig device every check passes (or is skipped
// for what the device says it lacks), ONVIF answers schema-valid; against a target that answers
// 200 to everything without asking for a login and has no RTSP service, the login and error
// checks fail with the evidence and the ONVIF checks are skipped.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/loopback_socket.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The checks of a report.json by id.
std::map<std::string, nlohmann::json> checks_of(const std::filesystem::path& report) {
  std::map<std::string, nlohmann::json> checks;
  const auto json = nlohmann::json::parse(read(report));
  for (const auto& suite : json["scenarios"])
    for (const auto& check : suite["expectations"]) checks[check["id"]] = check;
  return checks;
}

class Conform : public ::testing::Test {
 protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() / ("camrig-conform-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
  }
  void TearDown() override { std::filesystem::remove_all(directory); }
  std::filesystem::path directory;
};

TEST_F(Conform, EveryCheckPassesAgainstACamrigDevice) {
  const auto http_port = std::to_string(test::free_tcp_port());
  test::ChildProcess device({CAMRIG_BINARY, "device", "--rtsp-port", std::to_string(test::free_tcp_port()), "--http-port", http_port,
                             "--https-port", std::to_string(test::free_tcp_port()), "--bind", "127.0.0.1", "--data-dir",
                             (directory / "data").string(), "--admin-password", "Conform-1234"});
  ASSERT_TRUE(device.wait_for_output("Ctrl-C", 60s)) << device.output();
  const auto gov_length = [&] {
    const auto stream = test::run_process({"curl", "-s", "--digest", "-u", "admin:Conform-1234",
                                           "http://127.0.0.1:" + http_port + "/ISAPI/Streaming/channels/101"}, 30s);
    const auto at = stream.out.find("<GovLength>");
    return at == std::string::npos ? std::string() : stream.out.substr(at, stream.out.find("</GovLength>", at) - at);
  };
  const auto gov_length_before = gov_length();
  ASSERT_FALSE(gov_length_before.empty());
  const auto reports = directory / "out";
  const auto result = test::run_process({CAMRIG_BINARY, "conform", "--target", "http://127.0.0.1:" + http_port, "--user", "admin",
                                         "--password", "Conform-1234", "--report-dir", reports.string()},
                                        150s);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("PASSED: "), std::string::npos) << result.out;
  const auto checks = checks_of(reports / "report.json");
  for (const auto& id : {"ISAPI-AUTH-CHALLENGE", "ISAPI-DEVICEINFO", "ISAPI-ERROR-NOTFOUND", "ISAPI-ERROR-BADXML",
                         "ISAPI-STREAMING-CHANNELS", "ISAPI-STREAMING-ROUNDTRIP", "ISAPI-TIME", "ISAPI-USERS", "ISAPI-ALERTSTREAM",
                         "RTSP-OPTIONS", "RTSP-AUTH-CHALLENGE", "RTSP-DESCRIBE-SDP", "RTSP-URL-LIVEMEDIA", "RTSP-PLAY-UDP",
                         "RTSP-PLAY-TCP", "RTSP-TEARDOWN", "RTSP-BAD-CSEQ", "RTSP-UNKNOWN-METHOD", "SNAPSHOT-JPEG"}) {
    ASSERT_TRUE(checks.count(id)) << id;
    EXPECT_TRUE(checks.at(id)["passed"].get<bool>()) << id << ": " << checks.at(id)["evidence"];
    EXPECT_FALSE(checks.at(id)["skipped"].get<bool>()) << id << ": " << checks.at(id)["evidence"];
  }
  // The ONVIF suite: every answer schema-valid; PTZ is skipped, the network camera has no PTZ drive.
  for (const auto& id : {"DEVICE-3-1-1", "DEVICE-3-1-9", "DEVICE-1-1-2", "DEVICE-1-1-13", "ONVIF-DEVICE-SCOPES",
                         "ONVIF-DEVICE-USERS", "ONVIF-DEVICE-NETWORK", "ONVIF-MEDIA-PROFILES", "MEDIA2-1-1-4", "ONVIF-MEDIA-STREAMURI", "ONVIF-MEDIA-SNAPSHOT",
                         "ONVIF-EVENT-PROPERTIES", "ONVIF-EVENT-PULLPOINT", "ONVIF-IMAGING-SETTINGS", "ONVIF-FAULT-ACTION",
                         "ONVIF-FAULT-PASSWORD", "ONVIF-FAULT-STALE-CREATED"}) {
    ASSERT_TRUE(checks.count(id)) << id;
    EXPECT_TRUE(checks.at(id)["passed"].get<bool>()) << id << ": " << checks.at(id)["evidence"] << "\n" << checks.at(id)["detail"];
    EXPECT_FALSE(checks.at(id)["skipped"].get<bool>()) << id << ": " << checks.at(id)["evidence"];
  }
  ASSERT_TRUE(checks.count("ONVIF-PTZ-NODES"));
  EXPECT_TRUE(checks.at("ONVIF-PTZ-NODES")["skipped"].get<bool>()) << checks.at("ONVIF-PTZ-NODES")["evidence"];
  // The round trip put the original value back.
  EXPECT_EQ(gov_length(), gov_length_before);
  EXPECT_NE(read(reports / "junit.xml").find("failures=\"0\""), std::string::npos);
  EXPECT_EQ(device.stop(SIGINT, 15s), 0);
}

// Answers every request 200 with a small XML body, asking for no login: a web server at the
// camera's address, or a camera with authentication switched off.
class OpenServer {
 public:
  OpenServer() {
    fd_ = test::bind_loopback(SOCK_STREAM, port_);
    thread_ = std::thread([this] {
      while (true) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        std::string request;
        char chunk[4096];
        ssize_t n;
        while (request.find("\r\n\r\n") == std::string::npos && (n = ::recv(client, chunk, sizeof chunk, 0)) > 0)
          request.append(chunk, static_cast<std::size_t>(n));
        const std::string body = "<?xml version=\"1.0\"?>\r\n<DeviceInfo><deviceName>open</deviceName></DeviceInfo>\n";
        const auto response = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
                              "\r\nConnection: close\r\n\r\n" + body;
        (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
        ::close(client);
      }
    });
  }
  ~OpenServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(Conform, ATargetWithoutLoginFailsTheLoginAndErrorChecksWithEvidence) {
  OpenServer server;
  const auto reports = directory / "out";
  const auto result = test::run_process({CAMRIG_BINARY, "conform", "--target", "http://127.0.0.1:" + std::to_string(server.port()),
                                         "--password", "whatever", "--rtsp-port", std::to_string(test::free_tcp_port()),
                                         "--timeout", "3", "--report-dir", reports.string()},
                                        120s);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("[conform-isapi] FAIL ISAPI-AUTH-CHALLENGE: expected 401 without credentials, got 200"),
            std::string::npos)
      << result.out;
  const auto checks = checks_of(reports / "report.json");
  const auto failed_with = [&](const std::string& id, const std::string& evidence) {
    ASSERT_TRUE(checks.count(id)) << id;
    EXPECT_FALSE(checks.at(id)["passed"].get<bool>()) << id;
    EXPECT_NE(checks.at(id)["evidence"].get<std::string>().find(evidence), std::string::npos) << id << ": " << checks.at(id)["evidence"];
  };
  failed_with("ISAPI-AUTH-CHALLENGE", "got 200");
  failed_with("ISAPI-AUTH-WRONG", "expected 401 for a wrong password, got 200");
  failed_with("ISAPI-ERROR-NOTFOUND", "expected a 4xx answer, got 200");
  failed_with("ISAPI-STREAMING-CHANNELS", "no StreamingChannelList document");
  failed_with("ISAPI-ALERTSTREAM", "expected a Digest challenge, got 200");
  failed_with("RTSP-OPTIONS", "no answer");
  failed_with("RTSP-DESCRIBE-SDP", "no answer");
  // A web server is no ONVIF device: the ONVIF checks are skipped, saying on one line what answered instead.
  ASSERT_TRUE(checks.count("DEVICE-3-1-9"));
  EXPECT_TRUE(checks.at("DEVICE-3-1-9")["skipped"].get<bool>());
  EXPECT_NE(checks.at("DEVICE-3-1-9")["evidence"].get<std::string>().find("no ONVIF device service: POST /onvif/device_service "
                                                                          "GetSystemDateAndTime: 200 without a SOAP envelope "
                                                                          "(<?xml version=\"1.0\"?> <DeviceInfo>"),
            std::string::npos)
      << checks.at("DEVICE-3-1-9")["evidence"];
  // The detail shows the exchange that decided it.
  EXPECT_NE(checks.at("ISAPI-AUTH-CHALLENGE")["detail"].get<std::string>().find("<DeviceInfo>"), std::string::npos);
  const auto junit = read(reports / "junit.xml");
  EXPECT_NE(junit.find("<failure message=\"GET /ISAPI/System/deviceInfo without credentials"), std::string::npos) << junit;
}

}  // namespace
}  // namespace camrig
