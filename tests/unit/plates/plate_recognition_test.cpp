// Plate recognition's parts that need no scene: settings validation (capture area, 3 shield
// areas, layouts), layout correction, voting, a loop trigger with no plate in view, and vehicles
// without plates on a synthetic dark road (found apart from the shared foreground, reported
// unlicensed when they pass, not when a blob stays put or the light changes); the OCR reads on
// the caller's thread alone.
#include "device/analytics/plates/plate_recognition.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <filesystem>
#include <iterator>
#include <memory>
#include <thread>
#include <vector>

#include "device/analytics/plates/plate_layout.hpp"
#include "device/analytics/plates/plate_ocr.hpp"
#include "device/analytics/plates/plate_vote.hpp"
#include "device/analytics/plates/vehicle_finder.hpp"

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

std::ptrdiff_t threads_of_this_process() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return std::distance(begin(tasks), end(tasks));
}

// Tesseract's LSTM asks OpenMP for a team of threads; on the camera's two cores they cost three
// times the CPU for the same read and spin between plates. The engine is made on one thread and
// reads on the analytics thread, as in the camera: no thread may appear for the read.
TEST(PlateOcrTest, ReadsOnTheCallingThreadWithoutATeamOfHelperThreads) {
  auto ocr = plates::PlateOcr::create("");
  ASSERT_TRUE(ocr) << ocr.error().message;
  cv::Mat line(64, 320, CV_8UC1, cv::Scalar(255));
  cv::putText(line, "AB123CD", cv::Point(12, 50), cv::FONT_HERSHEY_SIMPLEX, 1.6, cv::Scalar(0), 4);
  std::ptrdiff_t before = 0, after = 0;
  plates::OcrRead read;
  std::thread reader([&] {
    before = threads_of_this_process();
    for (int i = 0; i < 3; ++i) read = (*ocr)->read(line);
    after = threads_of_this_process();
  });
  reader.join();
  EXPECT_EQ(read.text, "AB123CD");
  EXPECT_EQ(after, before);
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

// A night road under IR as the analytics see it: luma 53 with sensor noise, 640x360 (analysis
// and full size alike), and a shared foreground that shows nothing, as when the shared model has
// learnt dark vehicles as background. `dark` boxes are drawn at luma 22 (a rider's clothes).
class DarkRoad {
 public:
  AnalysisFrame frame(std::vector<cv::Rect> dark = {}, int road = 53) {
    cv::Mat luma(360, 640, CV_8UC1);
    rng_.fill(luma, cv::RNG::NORMAL, road, 5);
    for (const auto& box : dark) luma(box).setTo(22);
    auto full = std::make_shared<hal::VideoFrame>(640, 360);
    std::memset(full->plane(0), 128, full->size_bytes());
    std::memcpy(full->plane(0), luma.data, luma.total());
    full->timestamp = hal::Nanos{static_cast<std::int64_t>(index_++) * 80'000'000};  // 12.5 a second
    AnalysisFrame analysis;
    analysis.time = full->timestamp;
    analysis.full = full;
    analysis.luma = luma;
    analysis.foreground = cv::Mat::zeros(360, 640, CV_8UC1);
    return analysis;
  }
  static constexpr int kPerSecond = 12;

 private:
  cv::RNG rng_{7};
  int index_ = 0;
};

double overlap(const cv::Rect& a, const cv::Rect& b) {
  return static_cast<double>((a & b).area()) / std::max(1, (a | b).area());
}

TEST(VehicleFinderTest, ADarkRiderTheSharedForegroundMissesIsFound) {
  DarkRoad road;
  plates::VehicleFinder finder;
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) EXPECT_TRUE(finder.find(road.frame(), 0.005).empty());
  for (int i = 0; i < 10; ++i) {
    const cv::Rect rider(300, 40 + 20 * i, 40, 80);  // 3200 pixels: 1.4 % of the picture
    const AnalysisFrame frame = road.frame({rider});
    const auto found = finder.find(frame, 0.005);
    ASSERT_EQ(found.size(), 1u) << "frame " << i;
    EXPECT_GT(overlap(found[0], rider), 0.7) << "frame " << i;
    EXPECT_TRUE(finder.find(road.frame({cv::Rect(rider.x, rider.y + 10, 40, 80)}), 0.05).empty()) << "smaller than 5 %";
  }
}

TEST(VehicleFinderTest, WhereAStoppedVehicleStoodBecomesRoadAgain) {
  DarkRoad road;
  plates::VehicleFinder finder;
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) (void)finder.find(road.frame(), 0.005);
  const cv::Rect stopped(200, 150, 120, 100);
  EXPECT_EQ(finder.find(road.frame({stopped}), 0.005).size(), 1u);
  for (int i = 0; i < 10 * DarkRoad::kPerSecond; ++i) (void)finder.find(road.frame({stopped}), 0.005);
  EXPECT_TRUE(finder.find(road.frame({stopped}), 0.005).empty()) << "a vehicle standing 10 s is road";
  for (int i = 0; i < 10 * DarkRoad::kPerSecond; ++i) (void)finder.find(road.frame(), 0.005);
  EXPECT_TRUE(finder.find(road.frame(), 0.005).empty()) << "10 s after it left its place is road again";
}

TEST(VehicleFinderTest, AChangeOfLightIsNoVehicle) {
  DarkRoad road;
  plates::VehicleFinder finder;
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) (void)finder.find(road.frame(), 0.005);
  for (int i = 0; i < DarkRoad::kPerSecond; ++i) {
    EXPECT_TRUE(finder.find(road.frame({}, 120), 0.005).empty()) << "frame " << i;
  }
}

TEST(PlateRecognitionTest, AVehicleWithoutAPlateIsReportedUnlicensedOnceWhenItHasPassed) {
  std::vector<traffic::PlateRead> reads;
  PlateRecognition recognition({}, [&](const traffic::PlateRead& r) { reads.push_back(r); });
  ASSERT_TRUE(recognition.ready());
  DarkRoad road;
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame(), {});
  // 14 frames from the top of the picture to the bottom, then gone.
  for (int i = 0; i < 14; ++i) recognition.analyse(road.frame({cv::Rect(300, 20 + 18 * i, 40, 80)}), {});
  EXPECT_TRUE(reads.empty()) << "reported when it leaves, not before";
  for (int i = 0; i < DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame(), {});
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].plate, "");
  EXPECT_EQ(reads[0].trigger, traffic::CaptureTrigger::video);
  ASSERT_TRUE(reads[0].vehicle_box);
  EXPECT_GT(overlap({reads[0].vehicle_box->x, reads[0].vehicle_box->y, reads[0].vehicle_box->width,
                     reads[0].vehicle_box->height},
                    {300, 20 + 18 * 13, 40, 80}),
            0.5);
  EXPECT_EQ(reads[0].direction, traffic::VehicleDirection::approaching);
}

TEST(PlateRecognitionTest, ABlobThatStaysPutOrPassesTooQuicklyIsNotUnlicensed) {
  std::vector<traffic::PlateRead> reads;
  PlateRecognition recognition({}, [&](const traffic::PlateRead& r) { reads.push_back(r); });
  ASSERT_TRUE(recognition.ready());
  DarkRoad road;
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame(), {});
  // A dark patch for 2 s on one spot (what a shadow or the place a car left looks like).
  for (int i = 0; i < 2 * DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame({cv::Rect(300, 150, 60, 60)}), {});
  for (int i = 0; i < DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame(), {});
  // A vehicle seen for fewer frames than "Frames to Output Unlicensed Vehicle Snapshot" (10).
  for (int i = 0; i < 8; ++i) recognition.analyse(road.frame({cv::Rect(300, 20 + 30 * i, 40, 80)}), {});
  for (int i = 0; i < DarkRoad::kPerSecond; ++i) recognition.analyse(road.frame(), {});
  EXPECT_TRUE(reads.empty());
}

}  // namespace
}  // namespace camrig::analytics
