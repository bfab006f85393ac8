// Face capture on the simulated world: people walking up to the camera each get their best-shot
// capture, whose face picture really holds the person's face (found against the world's ground
// truth), none in a shield region, none before the filtering time; and the stored settings.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/face_capture.hpp"
#include "device/analytics/video_analytics.hpp"
#include "tests/unit/analytics/face_capture_recorder.hpp"
#include "device/core/config_schema.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::analytics {
namespace {

using events::Event;
using events::EventKind;

// People walking up to a camera at head height, three abreast, one after another; the last one
// is out of the picture by 25 s. The middle lane is the camera's axis, where someone walking
// behind another is hidden for seconds (and is rightly a new face track afterwards): one at a time.
constexpr const char* k_face_scene = R"(
seed: 11
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[-1.3, 13], [-1.3, 1.2]], spawn: 2.5, every: 4, count: 3}
  - {kind: person, path: [[0.1, 14], [0.1, 1.2]], spawn: 3.5, every: 9, count: 2}
  - {kind: person, path: [[1.4, 13.5], [1.4, 1.2]], spawn: 4.2, every: 5, count: 3}
)";
constexpr double k_scene_seconds = 26;

// The same walks, but two of the people come back 9 s later (a fixed appearance: the same face)
// and the middle lane brings two different people; the last one is out of the picture by 23 s.
constexpr const char* k_return_scene = R"(
seed: 11
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[-1.3, 13], [-1.3, 1.2]], spawn: 2.5, every: 9, count: 2, appearance: 101}
  - {kind: person, path: [[0.1, 14], [0.1, 1.2]], spawn: 3.5, every: 9, count: 2}
  - {kind: person, path: [[1.4, 13.5], [1.4, 1.2]], spawn: 4.2, every: 9, count: 2, appearance: 202}
)";

using Recorder = test::FaceCaptureRecorder;

struct FaceTruth {
  std::uint32_t actor = 0;
  cv::Rect box;
};

//! The ground truth of every frame: each person's face box, by frame time.
struct SceneRun {
  const char* scene = k_face_scene;
  double seconds = k_scene_seconds;
  std::map<std::int64_t, std::vector<FaceTruth>> faces;  //!< by frame time (ns)
  std::map<std::uint32_t, bool> wanted;                  //!< actor -> showed a whole frontal face >= 60 px
  std::map<std::uint32_t, std::uint64_t> appearance;     //!< actor -> the face the world drew

  void run(const std::vector<std::shared_ptr<Detector>>& detectors) {
    auto description = sim::parse_world_description(scene, "face scene");
    ASSERT_TRUE(description) << description.error().message;
    auto world = sim::World::create(*description);
    ASSERT_TRUE(world) << world.error().message;
    sim::SharedWorld shared(**world);
    sim::SceneRenderer renderer((*world)->layout(), description->seed, 12.5);
    sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), {1280, 720, {25, 2}}, sim::FramePacer{});
    VideoAnalytics analytics({}, [](Event) {});
    for (const auto& d : detectors) analytics.add(d);
    source.on_ground_truth([this](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
      auto& frame = faces[snapshot.time.count()];
      for (const auto& actor : snapshot.actors) {
        const auto face = sim::face_of(actor, camera);
        if (!face) continue;
        const auto box = sim::image_box(*face, camera);
        if (!box) continue;
        const cv::Rect rect(box->x, box->y, box->width, box->height);
        frame.push_back({actor.id, rect});
        appearance[actor.id] = actor.appearance;
        constexpr int margin = 8;  // a face cut by the frame's edge is no whole face
        const bool whole = rect.x >= margin && rect.y >= margin && rect.x + rect.width <= 1280 - margin &&
                           rect.y + rect.height <= 720 - margin;
        auto& w = wanted[actor.id];
        w = w || (face->frontal && whole && rect.width >= 60);
      }
    });
    std::stop_source stop;
    while (auto frame = source.read(stop.get_token())) {
      analytics.process(frame);
      if (static_cast<double>(frame->timestamp.count()) / 1e9 >= seconds) break;
    }
  }

  //! The person whose face the capture shows at its frame time; 0 for none.
  std::uint32_t person_of(const Event& capture, cv::Rect* truth = nullptr) const {
    auto it = faces.find(capture.device_time.count());
    if (it == faces.end() || !capture.target || !capture.target->box) return 0;
    const auto& b = *capture.target->box;
    const cv::Rect box(cvRound(b.x * 1280), cvRound(b.y * 720), cvRound(b.width * 1280), cvRound(b.height * 720));
    for (const auto& face : it->second) {
      const double inter = (face.box & box).area();
      if (inter / (face.box.area() + box.area() - inter) >= 0.3) {
        if (truth) *truth = face.box;
        return face.actor;
      }
    }
    return 0;
  }
};

cv::Mat decode(const events::PictureRef& picture) {
  if (!picture.jpeg) return {};
  const std::vector<std::uint8_t> bytes(picture.jpeg->begin(), picture.jpeg->end());
  return cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
}

const events::PictureRef* picture_of(const Event& event, std::string_view kind) {
  for (const auto& p : event.pictures)
    if (p.kind == kind) return &p;
  return nullptr;
}

std::shared_ptr<Recorder> recorder(FaceCaptureSettings settings) {
  settings.enabled = true;
  auto capture = FaceCapture::create(settings);
  if (!capture) throw std::runtime_error(capture.error().message);
  return std::make_shared<Recorder>(*capture);
}

TEST(FaceCaptureTest, EachPersonIsCapturedOnceWithTheFaceInTheCutoutAndNoneInShieldRegions) {
  auto best_shot = recorder({});
  FaceCaptureSettings shielded_settings;
  shielded_settings.shield_regions.push_back({{0, 0}, {0.5f, 0}, {0.5f, 1}, {0, 1}});
  auto shielded = recorder(shielded_settings);
  FaceCaptureSettings filtered_settings;
  filtered_settings.filtering_time = 30;  // nobody stays that long
  auto filtered = recorder(filtered_settings);
  SceneRun scene;
  scene.run({best_shot, shielded, filtered});
  if (HasFatalFailure()) return;

  std::map<std::uint32_t, int> captures_of;
  int unmatched = 0;
  for (const auto& capture : best_shot->events) {
    ASSERT_EQ(capture.kind, EventKind::face_capture);
    ASSERT_TRUE(capture.target && capture.target->face_quality);
    EXPECT_GE(*capture.target->face_quality, 30);
    cv::Rect truth;
    const auto person = scene.person_of(capture, &truth);
    if (person == 0) {
      ++unmatched;
      continue;
    }
    ++captures_of[person];
    std::printf("capture of person %u at %.2f s: track %llu, quality %d, face width %.3f\n", person,
                static_cast<double>(capture.device_time.count()) / 1e9,
                static_cast<unsigned long long>(*capture.target->track_id), *capture.target->face_quality,
                capture.target->box->width);
    // The cutout is found in the background picture of the same moment, around the true face.
    const auto* face = picture_of(capture, "face");
    const auto* scene_picture = picture_of(capture, "scene");
    ASSERT_TRUE(face && scene_picture);
    const cv::Mat cutout = decode(*face), background = decode(*scene_picture);
    ASSERT_FALSE(cutout.empty());
    ASSERT_EQ(background.size(), cv::Size(1280, 720));
    cv::Mat score;
    cv::matchTemplate(background, cutout, score, cv::TM_SQDIFF_NORMED);
    double least = 0;
    cv::Point at;
    cv::minMaxLoc(score, &least, nullptr, &at);
    const cv::Rect located(at, cutout.size());
    EXPECT_LT(least, 0.02);
    EXPECT_EQ((located & truth).area(), truth.area())
        << "the face at " << truth << " is not inside the cutout found at " << located;
  }
  int wanted = 0, captured_once = 0;
  for (const auto& [person, is_wanted] : scene.wanted) {
    if (!is_wanted) continue;
    ++wanted;
    captured_once += captures_of[person] == 1;
    EXPECT_LE(captures_of[person], 1) << "person " << person << " captured more than once";
  }
  int shielded_left = 0;
  for (const auto& capture : shielded->events)
    shielded_left += capture.target->box->x + capture.target->box->width / 2 < 0.5;
  std::printf("face capture: %zu captures, %d of %d people with a frontal face >= 60 px captured once, %d unmatched; "
              "shielded: %zu captures, %d in the shield; filtered: %zu\n",
              best_shot->events.size(), captured_once, wanted, unmatched, shielded->events.size(), shielded_left,
              filtered->events.size());
  EXPECT_GE(wanted, 6);
  EXPECT_EQ(captured_once, wanted);
  EXPECT_EQ(unmatched, 0);
  EXPECT_EQ(shielded_left, 0);
  EXPECT_GT(shielded->events.size(), 0u);
  EXPECT_LT(shielded->events.size(), best_shot->events.size());
  EXPECT_TRUE(filtered->events.empty());
}

TEST(FaceCaptureTest, RemoveDuplicatedFacesDropsThePeopleWhoComeBackAndKeepsEveryoneElse) {
  auto every_pass = recorder({});
  FaceCaptureSettings removing;
  removing.remove_duplicates = true;  // similarity 85, grading threshold 60, update time 60 s
  auto unique = recorder(removing);
  SceneRun scene;
  scene.scene = k_return_scene;
  scene.seconds = 26;
  scene.run({every_pass, unique});
  if (HasFatalFailure()) return;

  // Each capture to the pass it shows; passes by the face they carry.
  auto passes_captured = [&](const Recorder& r) {
    std::map<std::uint32_t, int> captures;
    for (const auto& capture : r.events)
      if (const auto person = scene.person_of(capture)) ++captures[person];
    return captures;
  };
  const auto all = passes_captured(*every_pass), kept = passes_captured(*unique);
  std::map<std::uint64_t, std::vector<std::uint32_t>> passes_of;  // face -> its wanted passes, in order
  for (const auto& [person, is_wanted] : scene.wanted)
    if (is_wanted) passes_of[scene.appearance.at(person)].push_back(person);
  int returns = 0, returns_dropped = 0, first_visits = 0, first_visits_kept = 0;
  for (const auto& [face, passes] : passes_of) {
    for (std::size_t i = 0; i < passes.size(); ++i) {
      const std::uint32_t person = passes[i];
      const int captured = all.count(person) ? all.at(person) : 0;
      const int left = kept.count(person) ? kept.at(person) : 0;
      std::printf("face %llu, pass %zu (person %u): %d capture(s), %d with duplicates removed\n",
                  static_cast<unsigned long long>(face), i + 1, person, captured, left);
      EXPECT_EQ(captured, 1) << "without duplicate removal every pass is captured once";
      if (i == 0) {
        ++first_visits;
        first_visits_kept += left == 1;
      } else {
        ++returns;
        returns_dropped += left == 0;
      }
    }
  }
  std::printf("remove duplicated faces: %d of %d returns dropped, %d of %d first visits kept\n", returns_dropped,
              returns, first_visits_kept, first_visits);
  EXPECT_EQ(returns, 2);
  EXPECT_EQ(first_visits, 4);
  EXPECT_EQ(returns_dropped, returns);
  EXPECT_EQ(first_visits_kept, first_visits);
}

TEST(FaceCaptureTest, SettingsAreValidatedStoredAndReadBack) {
  FaceCaptureSettings s;
  EXPECT_TRUE(validate(s));
  s.min_pupil_distance = 300;
  EXPECT_FALSE(validate(s));  // minimum above maximum
  s = {};
  s.best_shot = false;
  EXPECT_FALSE(validate(s));  // nothing would ever be captured
  s = {};
  s.shield_regions.assign(5, {{0, 0}, {0.1f, 0}, {0.1f, 0.1f}});
  EXPECT_FALSE(validate(s));

  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  core::EventBus bus;
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", &bus);
  ASSERT_TRUE(config) << config.error().message;
  auto defaults = face_capture_settings_from_config(**config, 1);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->enabled);
  EXPECT_EQ(defaults->capture_times, 1);  // "The default value is 1."

  FaceCaptureSettings wanted;
  wanted.enabled = true;
  wanted.min_pupil_distance = 30;
  wanted.detection_area = {{0.1f, 0.1f}, {0.9f, 0.1f}, {0.9f, 0.9f}, {0.1f, 0.9f}};
  wanted.shield_regions.push_back({{0, 0}, {0.2f, 0}, {0.2f, 0.2f}});
  wanted.target_picture = TargetPicture::half_body;
  wanted.quick_shot = true;
  wanted.capture_times = 3;
  wanted.filtering_time = 5;
  ASSERT_TRUE(store_face_capture_settings(**config, 1, wanted));
  auto stored = face_capture_settings_from_config(**config, 1);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_TRUE(stored->enabled);
  EXPECT_EQ(stored->min_pupil_distance, 30);
  EXPECT_EQ(stored->detection_area, wanted.detection_area);
  ASSERT_EQ(stored->shield_regions.size(), 1u);
  EXPECT_EQ(stored->target_picture, TargetPicture::half_body);
  EXPECT_TRUE(stored->quick_shot);
  EXPECT_EQ(stored->capture_times, 3);
  EXPECT_EQ(stored->filtering_time, 5);

  wanted.max_pupil_distance = 20;  // below the minimum: nothing is stored
  EXPECT_FALSE(store_face_capture_settings(**config, 1, wanted));
  EXPECT_EQ(face_capture_settings_from_config(**config, 1)->max_pupil_distance, 200);
}

TEST(FaceCaptureTest, TargetPictureFramesGrowFromHeadToFullBody) {
  const cv::Rect face(600, 200, 60, 60);
  const cv::Size frame(1280, 720);
  const auto head = target_picture_rect(face, frame, TargetPicture::head);
  const auto half = target_picture_rect(face, frame, TargetPicture::half_body);
  const auto full = target_picture_rect(face, frame, TargetPicture::full_body);
  EXPECT_EQ((head & face), face);
  EXPECT_EQ((half & head), head);
  EXPECT_EQ((full & half), half);
  EXPECT_GT(full.height, half.height);
  // Clipped to the picture near its edge.
  const auto edge = target_picture_rect(cv::Rect(0, 0, 60, 60), frame, TargetPicture::full_body);
  EXPECT_EQ(edge.x, 0);
  EXPECT_EQ(edge.y, 0);
}

}  // namespace
}  // namespace camrig::analytics
