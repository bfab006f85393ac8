// The HTML report as a person sees it: headless Chromium (no network) loads the written page,
// and its rendered DOM holds the histograms, the accuracy and plate tables and the failure
// picture, decoded and laid out; the screenshot is a real picture of the page.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "reports/report_writers.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/reports/sample_report.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_chromium = "/usr/bin/chromium";

class ReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(k_chromium)) GTEST_SKIP() << k_chromium << " is not installed (Debian package chromium)";
    directory = std::filesystem::temp_directory_path() / ("camrig-report-chromium-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
    ASSERT_TRUE(reports::write_reports(test::sample_report(), directory / "out"));
  }
  void TearDown() override {
    if (!directory.empty()) std::filesystem::remove_all(directory);
  }

  test::ProcessResult chromium(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{k_chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                  "--user-data-dir=" + (directory / ("profile-" + std::to_string(++runs))).string(),
                                  "--window-size=1280,2000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("file://" + (directory / "out" / "report.html").string());
    return test::run_process(argv, 90s);
  }

  std::filesystem::path directory;
  int runs = 0;
};

TEST_F(ReportInChromium, TheRenderedPageHoldsTheTablesHistogramsAndFailurePicture) {
  const auto result = chromium({"--dump-dom"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto& dom = result.out;
  EXPECT_NE(dom.find("<table class=\"accuracy\">"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("<table class=\"plate-confusion\">"), std::string::npos);
  EXPECT_NE(dom.find("data-metric=\"latency_s.line_crossing\""), std::string::npos);
  EXPECT_NE(dom.find("<figure class=\"evidence-picture\">"), std::string::npos);
  EXPECT_NE(dom.find("src=\"data:image/jpeg;base64,"), std::string::npos);
  EXPECT_NE(dom.find("class=\"box truth\""), std::string::npos);
  EXPECT_NE(dom.find("no-false-alarm"), std::string::npos);
}

TEST_F(ReportInChromium, TheScreenshotIsAPictureOfTheWholeWindow) {
  const auto png = directory / "report.png";
  const auto result = chromium({"--screenshot=" + png.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_TRUE(std::filesystem::exists(png)) << result.err;
  std::ifstream in(png, std::ios::binary);
  std::string header(24, '\0');
  in.read(header.data(), 24);
  ASSERT_EQ(header.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(header[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(header[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(header[at + 2])) << 8) | static_cast<unsigned char>(header[at + 3]);
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2000u);
  // A page with tables, charts and a photo does not compress to a blank page's few kilobytes.
  EXPECT_GT(std::filesystem::file_size(png), 20000u);
}

}  // namespace
}  // namespace camrig
