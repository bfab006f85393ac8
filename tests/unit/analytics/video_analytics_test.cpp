// The analysis picture VideoAnalytics hands its detectors: at 1080p its own exact 3x3 reduction,
// which must give the very pixels of OpenCV's area resize that the detectors were tuned on.
#include <gtest/gtest.h>

#include <memory>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/video_analytics.hpp"

namespace camrig::analytics {
namespace {

class LumaProbe final : public Detector {
 public:
  std::string_view name() const override { return "luma probe"; }
  void analyse(const AnalysisFrame& frame, const EventSink&) override { seen = frame.luma.clone(); }
  cv::Mat seen;
};

void expect_area_resize(int width, int height) {
  auto frame = std::make_shared<hal::VideoFrame>(width, height);
  cv::Mat luma(height, width, CV_8UC1, frame->plane(0), static_cast<std::size_t>(frame->stride(0)));
  cv::RNG rng(7);
  rng.fill(luma, cv::RNG::UNIFORM, 0, 256);  // every level and every block sum occurs
  auto probe = std::make_shared<LumaProbe>();
  VideoAnalytics analytics({}, [](events::Event) {});
  analytics.add(probe);
  analytics.process(frame);
  cv::Mat expected;
  cv::resize(luma, expected, probe->seen.size(), 0, 0, cv::INTER_AREA);
  EXPECT_EQ(probe->seen.size(), cv::Size(640, height * 640 / width));
  EXPECT_EQ(cv::countNonZero(probe->seen != expected), 0) << width << "x" << height;
}

TEST(VideoAnalyticsTest, AnalysisPictureIsTheAreaResizeOfTheSensorsLuma) {
  expect_area_resize(1920, 1080);  // the exact 3x reduction
  expect_area_resize(1280, 720);   // OpenCV's own
}

}  // namespace
}  // namespace camrig::analytics
