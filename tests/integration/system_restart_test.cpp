// Restart persistence of the camrig command: a configuration change made over ISAPI reaches the
// RTSP stream (ffprobe), and stays after an ISAPI reboot (the camera rebuilt in-process) and
// after the device process is stopped and started again on the same data directory.
#include <signal.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Camrig-demo-1";

// Width x height of the stream's video as ffprobe reads it, or the error.
std::string probe_size(const std::string& url) {
  const auto result = test::run_process(
      {"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", "-of", "json", url}, 30s);
  if (result.exit_code != 0) return "ffprobe exit " + std::to_string(result.exit_code) + ": " + result.err;
  const auto doc = nlohmann::json::parse(result.out, nullptr, false);
  if (doc.is_discarded() || !doc.contains("streams") || doc["streams"].empty()) return "unexpected: " + result.out;
  return std::to_string(doc["streams"][0].value("width", 0)) + "x" + std::to_string(doc["streams"][0].value("height", 0));
}

test::ProcessResult isapi(const std::string& method, const std::string& url, const std::string& body = {}) {
  std::vector<std::string> argv{"curl", "-s", "-S", "--max-time", "20", "--digest", "-u",
                                std::string("admin:") + k_password, "-X", method, url};
  if (!body.empty()) {
    argv.push_back("--data-binary");
    argv.push_back(body);
  }
  return test::run_process(argv, 30s);
}

class SystemRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data = std::filesystem::temp_directory_path() / ("camrig-restart-" + std::to_string(::getpid()));
    std::filesystem::remove_all(data);
  }
  void TearDown() override { std::filesystem::remove_all(data); }

  std::unique_ptr<test::ChildProcess> start_device(bool activate) {
    std::vector<std::string> argv{CAMRIG_BINARY, "device", "--profile", "network-camera", "--rtsp-port", rtsp_port,
                                  "--http-port", http_port, "--data-dir", data.string(), "--bind", "127.0.0.1"};
    if (activate) {
      argv.push_back("--admin-password");
      argv.push_back(k_password);
    }
    auto device = std::make_unique<test::ChildProcess>(argv);
    EXPECT_TRUE(device->started());
    EXPECT_TRUE(device->wait_for_output("Ctrl-C", 30s)) << device->output();
    return device;
  }

  std::filesystem::path data;
  const std::string rtsp_port = std::to_string(test::free_tcp_port());
  const std::string http_port = std::to_string(test::free_tcp_port());
  std::string stream() const {
    return std::string("rtsp://admin:") + k_password + "@127.0.0.1:" + rtsp_port + "/Streaming/Channels/101";
  }
  std::string http(const std::string& path) const { return "http://127.0.0.1:" + http_port + path; }
};

TEST_F(SystemRestartTest, ResolutionSetOverIsapiSurvivesRebootAndProcessRestart) {
  auto device = start_device(true);
  ASSERT_EQ(probe_size(stream()), "1920x1080");

  const auto put = isapi("PUT", http("/ISAPI/Streaming/channels/101"),
                         "<StreamingChannel><Video><videoResolutionWidth>1280</videoResolutionWidth>"
                         "<videoResolutionHeight>720</videoResolutionHeight></Video></StreamingChannel>");
  ASSERT_NE(put.out.find("<statusString>OK</statusString>"), std::string::npos) << put.out << put.err;
  std::string size;
  for (int attempt = 0; attempt < 20 && size != "1280x720"; ++attempt) size = probe_size(stream());
  EXPECT_EQ(size, "1280x720");

  // Reboot: the answer comes first, then the camera is rebuilt from the stored configuration.
  const auto reboot = isapi("PUT", http("/ISAPI/System/reboot"));
  ASSERT_NE(reboot.out.find("<statusString>OK</statusString>"), std::string::npos) << reboot.out << reboot.err;
  ASSERT_TRUE(device->wait_for_output("Restarted", 30s)) << device->output();
  EXPECT_EQ(probe_size(stream()), "1280x720");

  EXPECT_EQ(device->stop(SIGINT, 15s), 0);
  device = start_device(false);  // activated already: the stored accounts
  EXPECT_EQ(probe_size(stream()), "1280x720");

  // The reboot and the configuration change are in the log that survived too.
  const auto search = isapi("POST", http("/ISAPI/ContentMgmt/logSearch"),
                            "<CMSearchDescription><metaId>log.std-cgi.com/Operation/ALL</metaId></CMSearchDescription>");
  EXPECT_NE(search.out.find("<minorType>Remote: Reboot</minorType>"), std::string::npos) << search.out;
  EXPECT_NE(search.out.find("stream.101.resolution"), std::string::npos) << search.out;
  EXPECT_EQ(device->stop(SIGINT, 15s), 0);
}

}  // namespace
}  // namespace camrig
