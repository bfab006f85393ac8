// The LPR event pictures: scene sizes with and without the OSD bar, the resolution and Size
// settings, two snapshots, the plate overlay at its rectangle, the OSD drawn in the bar, and cutouts
// that hold the plate the simulated world put there (its ground-truth box).
#include "device/traffic/picture_composer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "sim/render/scene_renderer.hpp"
#include "sim/world/ground_truth.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::traffic {
namespace {

constexpr int k_width = 1280;
constexpr int k_height = 720;
const PixelBox k_plate{600, 500, 160, 40};

// A mid-grey scene with a white plate crossed by black bars (the characters).
hal::VideoFramePtr plate_scene(bool noisy = false) {
  auto frame = std::make_shared<hal::VideoFrame>(k_width, k_height);
  std::memset(frame->plane(0), 100, static_cast<std::size_t>(k_width) * k_height);
  std::memset(frame->plane(1), 128, static_cast<std::size_t>(k_width) * k_height / 2);
  if (noisy) {
    std::mt19937 random(7);
    for (int i = 0; i < k_width * k_height; ++i) frame->plane(0)[i] = static_cast<std::uint8_t>(random() % 256);
  }
  for (int y = k_plate.y; y < k_plate.y + k_plate.height; ++y)
    for (int x = k_plate.x; x < k_plate.x + k_plate.width; ++x)
      frame->plane(0)[y * k_width + x] = (x - k_plate.x) % 20 < 14 ? 235 : 10;
  frame->timestamp = hal::Nanos{1'000'000'000};
  return frame;
}

PlateRead read_of(hal::VideoFramePtr frame, PixelBox plate = k_plate) {
  PlateRead read;
  read.plate = "A12345";
  read.plate_box = plate;
  read.direction = VehicleDirection::approaching;
  read.frame = std::move(frame);
  return read;
}

PictureSettings settings() {
  PictureSettings s;
  s.osd.boxes.resize(1);
  s.osd.boxes[0].x = 0.01;
  s.osd.boxes[0].items.resize(2);
  s.osd.boxes[0].items[0].info = OsdInfo::date;
  s.osd.boxes[0].items[1].info = OsdInfo::plate;
  return s;
}

PictureFacts facts() {
  PictureFacts f;
  f.plate = "A12345";
  return f;
}

cv::Mat decode(const ComposedPicture& picture) {
  return cv::imdecode(picture.jpeg, cv::IMREAD_GRAYSCALE);
}

const ComposedPicture* find(const std::vector<ComposedPicture>& pictures, const std::string& kind) {
  for (const auto& p : pictures)
    if (p.kind == kind) return &p;
  return nullptr;
}

class PictureComposerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = PictureComposer::open();
    ASSERT_TRUE(opened) << opened.error().message;
    composer = std::move(*opened);
  }
  std::unique_ptr<PictureComposer> composer;
};

TEST_F(PictureComposerTest, TheBarBelowIsAddedUnderTheSceneAndCarriesTheText) {
  const auto pictures = composer->compose(read_of(plate_scene()), settings(), facts());
  ASSERT_TRUE(pictures) << pictures.error().message;
  const auto* scene = find(*pictures, "scene");
  ASSERT_NE(scene, nullptr);
  const int bar = composer->bar_height(settings(), facts(), k_width);
  EXPECT_GT(bar, 30);
  EXPECT_EQ(scene->width, k_width);
  EXPECT_EQ(scene->height, k_height + bar);
  const auto image = decode(*scene);
  ASSERT_EQ(image.cols, k_width);
  ASSERT_EQ(image.rows, k_height + bar);
  // The bar is black with white text on its left; the scene above it is untouched grey.
  const cv::Mat bar_area = image(cv::Rect(0, k_height, k_width, bar));
  double darkest = 0, brightest = 0;
  cv::minMaxLoc(bar_area(cv::Rect(0, 0, k_width / 3, bar)), &darkest, &brightest);
  EXPECT_LT(darkest, 20);
  EXPECT_GT(brightest, 200);
  EXPECT_LT(cv::mean(bar_area(cv::Rect(k_width * 2 / 3, 0, k_width / 3, bar)))[0], 10);
  EXPECT_NEAR(cv::mean(image(cv::Rect(0, 0, 400, 400)))[0], 100, 4);
}

TEST_F(PictureComposerTest, TheBarAboveMovesTheSceneDownAndNoBarKeepsTheSceneSize) {
  auto s = settings();
  s.osd.bar = OsdBar::above;
  auto pictures = composer->compose(read_of(plate_scene()), s, facts());
  ASSERT_TRUE(pictures) << pictures.error().message;
  const int bar = composer->bar_height(s, facts(), k_width);
  auto image = decode(pictures->front());
  ASSERT_EQ(image.rows, k_height + bar);
  EXPECT_GT(cv::mean(image(cv::Rect(0, bar + k_plate.y, k_width, k_plate.height)))[0],
            cv::mean(image(cv::Rect(0, k_plate.y, k_width, k_plate.height)))[0]);

  s.osd.bar = OsdBar::none;
  s.resolution = std::pair(640, 360);
  pictures = composer->compose(read_of(plate_scene()), s, facts());
  ASSERT_TRUE(pictures) << pictures.error().message;
  image = decode(pictures->front());
  EXPECT_EQ(image.cols, 640);
  EXPECT_EQ(image.rows, 360);
  // Without a bar the text is drawn on the scene at the box's place (top left).
  double brightest = 0;
  cv::minMaxLoc(image(cv::Rect(0, 0, 200, 40)), nullptr, &brightest);
  EXPECT_GT(brightest, 200);
}

TEST_F(PictureComposerTest, SnapshotQuantityTwoGivesTwoScenesAndCutoutsFollowTheirSettings) {
  auto s = settings();
  s.snapshots = 2;
  s.vehicle_cutout = true;
  auto later = std::const_pointer_cast<hal::VideoFrame>(plate_scene());
  later->timestamp = hal::Nanos{2'000'000'000};
  const auto pictures = composer->compose(read_of(plate_scene()), s, facts(), later);
  ASSERT_TRUE(pictures) << pictures.error().message;
  std::vector<std::string> kinds;
  for (const auto& p : *pictures) kinds.push_back(p.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"scene", "scene2", "plate", "vehicle"}));
  s.snapshots = 1;
  s.plate_cutout = false;
  s.vehicle_cutout = false;
  const auto only_scene = composer->compose(read_of(plate_scene()), s, facts());
  ASSERT_TRUE(only_scene);
  EXPECT_EQ(only_scene->size(), 1u);
}

TEST_F(PictureComposerTest, SizeLimitLowersTheQualityUntilThePictureFits) {
  auto s = settings();
  s.max_size_kb = 1024;
  s.quality = 90;
  const auto large = composer->compose(read_of(plate_scene(true)), s, facts());
  ASSERT_TRUE(large);
  s.max_size_kb = 400;
  const auto limited = composer->compose(read_of(plate_scene(true)), s, facts());
  ASSERT_TRUE(limited);
  EXPECT_GT(large->front().jpeg.size(), 400u * 1024);
  EXPECT_LE(limited->front().jpeg.size(), 400u * 1024);
}

TEST_F(PictureComposerTest, PlateOverlayIsDrawnAtItsPositionAndSize) {
  auto s = settings();
  s.osd.bar = OsdBar::none;
  s.osd.boxes.clear();
  s.plate_overlay = true;
  s.overlay_x = 0.5;
  s.overlay_y = 0.1;
  s.overlay_width = 0.25;
  s.overlay_height = 0.1;
  const auto pictures = composer->compose(read_of(plate_scene()), s, facts());
  ASSERT_TRUE(pictures);
  const auto image = decode(pictures->front());
  const cv::Rect overlay(640, 72, 320, 72);
  // The plate (bright, with dark bars) fills the rectangle; just outside it the grey scene stays.
  EXPECT_GT(cv::mean(image(overlay))[0], 150);
  double darkest = 0;
  cv::minMaxLoc(image(overlay), &darkest);
  EXPECT_LT(darkest, 60);
  EXPECT_NEAR(cv::mean(image(cv::Rect(overlay.x - 40, overlay.y, 30, overlay.height)))[0], 100, 4);
  EXPECT_NEAR(cv::mean(image(cv::Rect(overlay.x, overlay.y + overlay.height + 10, overlay.width, 30)))[0], 100, 4);
}

constexpr int k_world_width = 960;
constexpr int k_world_height = 540;

// A frame of the simulated gate lane with a whole plate in view, and the plate's ground-truth box.
struct WorldFrame {
  hal::VideoFramePtr frame;
  PixelBox plate;
  std::string text;
};

WorldFrame world_frame_with_plate() {
  auto description = sim::load_world_description(std::string(CAMRIG_PLATE_SCENES) + "/lpr-day_us.yaml");
  EXPECT_TRUE(description) << description.error().message;
  if (!description) return {};
  auto world = sim::World::create(*description);
  EXPECT_TRUE(world);
  if (!world) return {};
  sim::SharedWorld shared(**world);
  // Small frames render fast; the plate is still tens of pixels wide near the camera.
  const hal::VideoFormat format{k_world_width, k_world_height, {25, 2}};
  sim::SceneRenderer renderer((*world)->layout(), description->seed, 12.5);
  sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), format, {});
  WorldFrame found;
  std::optional<PixelBox> truth;
  source.on_ground_truth([&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    truth.reset();
    const auto record = sim::frame_record(1, 0, snapshot, camera.pose());
    for (const auto& actor : record["actors"]) {
      if (!actor.contains("plate") || actor["plate"]["box"].is_null()) continue;
      const auto& b = actor["plate"]["box"];
      const PixelBox box{b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()};
      if (box.width >= 28 && box.x > 0 && box.y > 0 && box.x + box.width < k_world_width &&
          box.y + box.height < k_world_height) {
        truth = box;
        found.text = actor["plate"]["text"].get<std::string>();
      }
    }
  });
  std::stop_source stop;
  for (int i = 0; i < 100 && !found.frame; ++i) {
    auto frame = source.read(stop.get_token());
    if (!frame) break;
    if (truth) {
      found.frame = frame;
      found.plate = *truth;
    }
  }
  return found;
}

bool contains(const PixelBox& outer, const PixelBox& inner) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width &&
         inner.y + inner.height <= outer.y + outer.height;
}

TEST_F(PictureComposerTest, CutoutsHoldThePlateOfTheSimulatedVehicle) {
  const auto world = world_frame_with_plate();
  ASSERT_TRUE(world.frame) << "no vehicle with a whole plate in 100 frames";
  auto s = settings();
  s.vehicle_cutout = true;
  const auto pictures = composer->compose(read_of(world.frame, world.plate), s, facts());
  ASSERT_TRUE(pictures) << pictures.error().message;
  const auto* plate = find(*pictures, "plate");
  const auto* vehicle = find(*pictures, "vehicle");
  ASSERT_NE(plate, nullptr);
  ASSERT_NE(vehicle, nullptr);
  EXPECT_TRUE(contains(plate->source, world.plate)) << world.text;
  EXPECT_TRUE(contains(vehicle->source, world.plate)) << world.text;
  EXPECT_GT(vehicle->source.width, plate->source.width * 3);
  // The cutout's pixels are the frame's pixels there (up to JPEG loss and colour conversion):
  // it correlates with that place and much less with the place one cutout further left.
  const auto cut = decode(*plate);
  ASSERT_EQ(cut.cols, plate->source.width);
  ASSERT_EQ(cut.rows, plate->source.height);
  const cv::Mat luma(k_world_height, k_world_width, CV_8UC1, const_cast<std::uint8_t*>(world.frame->plane(0)));
  const cv::Rect source(plate->source.x, plate->source.y, plate->source.width, plate->source.height);
  const auto correlation = [&](const cv::Rect& where) {
    cv::Mat score;
    cv::matchTemplate(luma(where), cut, score, cv::TM_CCOEFF_NORMED);
    return score.at<float>(0, 0);
  };
  EXPECT_GT(correlation(source), 0.95);
  ASSERT_GE(source.x, source.width);
  EXPECT_LT(correlation(source - cv::Point(source.width, 0)), 0.6);
  // A plate has contrast (dark characters on a light plate); the grey road beside it has little.
  double darkest = 0, brightest = 0;
  cv::minMaxLoc(cut, &darkest, &brightest);
  EXPECT_GT(brightest - darkest, 80);
}

TEST_F(PictureComposerTest, AReadWithoutAFrameOrWithAnOddResolutionIsRefused) {
  PlateRead read;
  EXPECT_FALSE(composer->compose(read, settings(), facts()));
  auto s = settings();
  s.resolution = std::pair(641, 360);
  EXPECT_FALSE(composer->compose(read_of(plate_scene()), s, facts()));
}

TEST(PictureCutoutBoxTest, BoxesStayInsideTheFrameAndEven) {
  const auto edge = plate_cutout_box({1250, 700, 40, 20}, k_width, k_height);
  EXPECT_LE(edge.x + edge.width, k_width);
  EXPECT_LE(edge.y + edge.height, k_height);
  EXPECT_EQ(edge.x % 2, 0);
  EXPECT_EQ(edge.width % 2, 0);
  PlateRead read;
  read.plate_box = {600, 500, 100, 30};
  read.vehicle_box = PixelBox{401, 201, 501, 401};
  EXPECT_EQ(vehicle_cutout_box(read, k_width, k_height).x, 400);
  read.vehicle_box.reset();
  const auto body = vehicle_cutout_box(read, k_width, k_height);
  EXPECT_TRUE(contains(body, read.plate_box));
}

}  // namespace
}  // namespace camrig::traffic
