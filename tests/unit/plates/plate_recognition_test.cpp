// Plate recognition's parts that need no scene: settings validation (capture area, 3 shield
// areas, layouts), layout correction, voting, and a loop trigger with no plate in view.
#include "device/analytics/plates/plate_recognition.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "device/analytics/plates/plate_layout.hpp"
#include "device/analytics/plates/plate_vote.hpp"

namespace camrig::analytics {
namespace {

std::vector<NormalisedPoint> square(double x, double y, double side) {
  return {{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}};
}

TEST(PlateRecognitionSettingsTest, ThreeShieldAreasAreAcceptedAndAFourthIsRefused) {
  PlateRecognitionSettings s;
  s.shield_areas = {square(0, 0, 0.1), square(0.2, 0, 0.1), square(0.4, 0, 0.1)};
  EXPECT_TRUE(validate(s));
  s.shield_areas.push_back(square(0.6, 0, 0.1));
  const auto refused = validate(s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("at most 3 shield areas"), std::string::npos);
}

TEST(PlateRecognitionSettingsTest, CaptureAreaNeedsFourCornersInThePicture) {
  PlateRecognitionSettings s;
  s.capture_area = {{0, 0}, {1, 0}, {1, 1}};
  EXPECT_FALSE(validate(s));
  s.capture_area = square(0.5, 0.5, 0.6);
  EXPECT_FALSE(validate(s));
  s.capture_area = {{0.1, 0.1}, {0.1, 0.1}, {0.1, 0.1}, {0.1, 0.1}};
  EXPECT_FALSE(validate(s));
  s.capture_area = square(0.2, 0.2, 0.5);
  EXPECT_TRUE(validate(s));
  s.plate_layouts = {"LLDDDLL", "LLX"};
  EXPECT_FALSE(validate(s));
}

TEST(PlateLayoutTest, ConfusionsAreTurnedTheWayTheBestFittingLayoutWants) {
  plates::OcrRead read{"1Z055PN", std::vector<double>(7, 0.9)};
  plates::apply_layouts(read, {"LLDDDLL", "DLLLDDD"});
  EXPECT_EQ(read.text, "JZ055PN");
  EXPECT_DOUBLE_EQ(read.confidence[0], 0.45);
  EXPECT_DOUBLE_EQ(read.confidence[1], 0.9);

  plates::OcrRead us{"12ZX9O3", std::vector<double>(7, 0.9)};
  plates::apply_layouts(us, {"LLDDDLL", "DLLLDDD"});
  EXPECT_EQ(us.text, "1ZZX903");

  plates::OcrRead other{"AB12", std::vector<double>(4, 0.9)};
  plates::apply_layouts(other, {"LLDDDLL"});
  EXPECT_EQ(other.text, "AB12");  // no layout of that length
}

TEST(PlateVoteTest, PositionsVoteByConfidenceAmongReadsOfTheCommonLength) {
  plates::PlateVote vote;
  vote.add({"AB123CD", {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9}});
  vote.add({"A8123CD", {0.9, 0.4, 0.9, 0.9, 0.9, 0.9, 0.9}});
  vote.add({"AB123C", {0.9, 0.9, 0.9, 0.9, 0.9, 0.9}});
  vote.add({"AB128CD", {0.9, 0.9, 0.9, 0.9, 0.3, 0.9, 0.9}});
  const auto voted = vote.result();
  EXPECT_EQ(voted.text, "AB123CD");
  EXPECT_EQ(voted.reads, 4);
  EXPECT_EQ(voted.agreeing, 1);
  ASSERT_EQ(voted.confidence.size(), 7u);
  EXPECT_NEAR(voted.confidence[1], 1.8 / 3, 1e-9);
  EXPECT_NEAR(voted.confidence[0], 0.9, 1e-9);
}

TEST(PlateRecognitionTest, LoopTriggerWithoutAPlateInViewReportsAnEmptyPlateOnce) {
  std::vector<traffic::PlateRead> reads;
  PlateRecognition recognition({}, [&](const traffic::PlateRead& r) { reads.push_back(r); });
  ASSERT_TRUE(recognition.ready());
  auto frame_at = [](int i) {
    auto frame = std::make_shared<hal::VideoFrame>(640, 360);
    std::memset(frame->plane(0), 90, frame->size_bytes());
    frame->timestamp = hal::Nanos{static_cast<std::int64_t>(i) * 80'000'000};
    AnalysisFrame analysis;
    analysis.time = frame->timestamp;
    analysis.full = frame;
    analysis.luma = cv::Mat(360, 640, CV_8UC1, cv::Scalar(90));
    return analysis;
  };
  recognition.trigger(traffic::CaptureTrigger::loop, hal::Nanos{400'000'000});
  for (int i = 0; i <= 12; ++i) {
    recognition.analyse(frame_at(i), {});
    // Answered only once the window after the trigger (600 ms, up to 1 s) has been seen.
    EXPECT_TRUE(reads.empty()) << "frame " << i;
  }
  recognition.analyse(frame_at(13), {});
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].trigger, traffic::CaptureTrigger::loop);
  EXPECT_EQ(reads[0].plate, "");
  EXPECT_TRUE(reads[0].frame);
  recognition.analyse(frame_at(14), {});
  EXPECT_EQ(reads.size(), 1u);
}

}  // namespace
}  // namespace camrig::analytics
