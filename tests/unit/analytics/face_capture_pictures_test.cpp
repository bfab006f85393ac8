// Face capture's pictures and its duplicates removing library on synthetic frames: which pictures a
// capture carries, the background's resolution and face box, the text overlay in its order, the
// validation of the overlay and duplicate settings, their stored form, and the library dropping a
// face another track just left while keeping new faces, poor pictures and expired entries apart.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/face_capture.hpp"
#include "device/core/config_schema.hpp"

namespace camrig::analytics {
namespace {

using namespace std::chrono_literals;

// A drawn face: a light oval with dark eyes, brows and mouth, on a textured grey background.
void draw_face(cv::Mat& luma, const cv::Rect& box, int variant) {
  const cv::Point c(box.x + box.width / 2, box.y + box.height / 2);
  const int w = box.width, h = box.height;
  cv::ellipse(luma, c, {w * 2 / 5, h / 2}, 0, 0, 360, cv::Scalar(185), cv::FILLED);
  if (variant == 0) {
    for (int side : {-1, 1}) {
      cv::circle(luma, {c.x + side * w / 6, c.y - h / 8}, std::max(2, w / 16), cv::Scalar(30), cv::FILLED);
      cv::line(luma, {c.x + side * w / 10, c.y - h / 4}, {c.x + side * w / 4, c.y - h / 4}, cv::Scalar(60), std::max(1, w / 30));
    }
    cv::ellipse(luma, {c.x, c.y + h / 4}, {w / 7, h / 20}, 0, 0, 180, cv::Scalar(50), std::max(1, w / 25));
  } else {
    // Another person: glasses, a moustache and dark hair over the forehead.
    cv::rectangle(luma, {box.x + w / 10, box.y}, {box.x + w * 9 / 10, box.y + h / 4}, cv::Scalar(40), cv::FILLED);
    for (int side : {-1, 1})
      cv::rectangle(luma, {c.x + side * w / 6 - w / 10, c.y - h / 10}, {c.x + side * w / 6 + w / 10, c.y + h / 20},
                    cv::Scalar(20), std::max(1, w / 25));
    cv::rectangle(luma, {c.x - w / 6, c.y + h / 8}, {c.x + w / 6, c.y + h / 5}, cv::Scalar(35), cv::FILLED);
  }
}

cv::Mat scene_luma(const cv::Rect& face, int variant) {
  cv::Mat luma(720, 1280, CV_8UC1);
  for (int y = 0; y < luma.rows; ++y)
    for (int x = 0; x < luma.cols; ++x) luma.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(90 + ((x / 16 + y / 16) % 2) * 30);
  draw_face(luma, face, variant);
  return luma;
}

hal::VideoFramePtr frame_of(const cv::Mat& luma) {
  auto frame = std::make_shared<hal::VideoFrame>(luma.cols, luma.rows);
  for (int y = 0; y < luma.rows; ++y) std::memcpy(frame->plane(0) + y * frame->stride(0), luma.ptr(y), luma.cols);
  std::memset(frame->plane(1), 128, static_cast<std::size_t>(luma.cols / 2) * (luma.rows / 2) * 2);
  return frame;
}

cv::Mat decode(const events::PictureRef& picture) {
  return cv::imdecode(std::vector<std::uint8_t>(picture.jpeg->begin(), picture.jpeg->end()), cv::IMREAD_COLOR);
}

const events::PictureRef* find(const std::vector<events::PictureRef>& pictures, std::string_view kind) {
  for (const auto& p : pictures)
    if (p.kind == kind) return &p;
  return nullptr;
}

const cv::Rect k_face(600, 200, 80, 80);

TEST(FaceCapturePictures, CarryWhatTheSettingsAskForAtTheBackgroundResolution) {
  const auto frame = frame_of(scene_luma(k_face, 0));
  FaceCaptureSettings s;
  auto pictures = capture_pictures(*frame, k_face, 80, s);
  ASSERT_EQ(pictures.size(), 2u);
  const auto face = decode(*find(pictures, "face"));
  EXPECT_EQ(face.size(), target_picture_rect(k_face, {1280, 720}, TargetPicture::head).size());
  EXPECT_EQ(decode(*find(pictures, "scene")).size(), cv::Size(1280, 720));

  s.background_resolution = BackgroundResolution::r704x576;
  EXPECT_EQ(decode(*find(capture_pictures(*frame, k_face, 80, s), "scene")).size(), cv::Size(704, 576));
  s.background_resolution = BackgroundResolution::r1920x1080;  // larger than the sensor: not enlarged
  EXPECT_EQ(decode(*find(capture_pictures(*frame, k_face, 80, s), "scene")).size(), cv::Size(1280, 720));

  s = {};
  s.background_upload = false;
  pictures = capture_pictures(*frame, k_face, 80, s);
  ASSERT_EQ(pictures.size(), 1u);
  EXPECT_EQ(pictures[0].kind, "face");
  s = {};
  s.face_picture_upload = false;
  pictures = capture_pictures(*frame, k_face, 80, s);
  ASSERT_EQ(pictures.size(), 1u);
  EXPECT_EQ(pictures[0].kind, "scene");
  s.background_upload = false;
  EXPECT_TRUE(capture_pictures(*frame, k_face, 80, s).empty());
}

TEST(FaceCapturePictures, TargetInfoDrawsTheFaceBoxOnTheBackgroundOnly) {
  const auto frame = frame_of(scene_luma(k_face, 0));
  FaceCaptureSettings s;
  auto red_at = [](const cv::Mat& bgr, cv::Point p) {
    const auto px = bgr.at<cv::Vec3b>(p);
    return px[2] > 170 && px[1] < 90 && px[0] < 90;
  };
  const cv::Point left_edge(k_face.x, k_face.y + k_face.height / 2);
  auto plain = decode(*find(capture_pictures(*frame, k_face, 80, s), "scene"));
  EXPECT_FALSE(red_at(plain, left_edge));
  s.target_info_on_picture = true;
  const auto pictures = capture_pictures(*frame, k_face, 80, s);
  const auto boxed = decode(*find(pictures, "scene"));
  EXPECT_TRUE(red_at(boxed, left_edge));
  EXPECT_TRUE(red_at(boxed, {k_face.x + k_face.width / 2, k_face.y}));
  EXPECT_FALSE(red_at(boxed, {k_face.x + k_face.width / 2, k_face.y + k_face.height / 2}));  // the face itself is untouched
  // The face picture stays clean: no red anywhere in it.
  const auto face = decode(*find(pictures, "face"));
  cv::Mat red;
  cv::inRange(face, cv::Scalar(0, 0, 170), cv::Scalar(90, 90, 255), red);
  EXPECT_EQ(cv::countNonZero(red), 0);
}

TEST(FaceCapturePictures, TextOverlayWritesTheItemsInOrderOnBothPictures) {
  FaceCaptureSettings s;
  s.device_number = "CAM-07";
  s.camera_info = "Gate 3";
  EXPECT_EQ(picture_text(s, 88), "");
  s.text_overlay = {PictureText::camera_info, PictureText::device_number, PictureText::face_score};
  EXPECT_EQ(picture_text(s, 88), "Gate 3  CAM-07  Face score 88");
  s.text_overlay = {PictureText::device_number, PictureText::camera_info};
  EXPECT_EQ(picture_text(s, 88), "CAM-07  Gate 3");
  s.device_number.clear();  // an empty item leaves no gap
  EXPECT_EQ(picture_text(s, 88), "Gate 3");

  const auto frame = frame_of(scene_luma(k_face, 0));
  FaceCaptureSettings plain_settings;
  const auto plain = capture_pictures(*frame, k_face, 80, plain_settings);
  s.device_number = "CAM-07";
  const auto written = capture_pictures(*frame, k_face, 80, s);
  for (const char* kind : {"face", "scene"}) {
    const auto before = decode(*find(plain, kind)), after = decode(*find(written, kind));
    ASSERT_EQ(before.size(), after.size());
    cv::Mat diff;
    cv::absdiff(before, after, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    // The text is at the top left; the bottom half is the same picture.
    const cv::Rect top(0, 0, after.cols, after.rows / 2), bottom(0, after.rows / 2, after.cols, after.rows / 2);
    EXPECT_GT(cv::countNonZero(diff(top) > 40), 50) << kind;
    EXPECT_EQ(cv::countNonZero(diff(bottom) > 40), 0) << kind;
    cv::Mat white;
    cv::inRange(after(top), cv::Scalar(200, 200, 200), cv::Scalar(255, 255, 255), white);
    EXPECT_GT(cv::countNonZero(white), 20) << kind << ": no light text";
  }
}

TEST(FaceCapturePictures, OverlayAndDuplicateSettingsAreValidatedAndStored) {
  FaceCaptureSettings s;
  s.device_number = "Kamera \xc3\xbc";  // not ASCII: the picture font cannot draw it
  EXPECT_FALSE(validate(s));
  s.device_number = std::string(33, 'x');
  EXPECT_FALSE(validate(s));
  s = {};
  s.text_overlay = {PictureText::camera_info, PictureText::camera_info};
  const auto twice = validate(s);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("twice"), std::string::npos);
  s = {};
  s.duplicate_similarity = 101;
  EXPECT_FALSE(validate(s));
  s = {};
  s.duplicate_update_time = 0;
  EXPECT_FALSE(validate(s));

  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  core::EventBus bus;
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", &bus);
  ASSERT_TRUE(config) << config.error().message;
  const auto defaults = face_capture_settings_from_config(**config, 1);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->remove_duplicates);
  EXPECT_TRUE(defaults->text_overlay.empty());
  EXPECT_EQ(defaults->background_resolution, BackgroundResolution::source);

  FaceCaptureSettings wanted;
  wanted.target_info_on_picture = true;
  wanted.background_resolution = BackgroundResolution::r1280x720;
  wanted.device_number = "CAM-07";
  wanted.camera_info = "Gate 3";
  wanted.text_overlay = {PictureText::face_score, PictureText::device_number};
  wanted.remove_duplicates = true;
  wanted.duplicate_similarity = 70;
  wanted.duplicate_grading_threshold = 40;
  wanted.duplicate_update_time = 300;
  ASSERT_TRUE(store_face_capture_settings(**config, 1, wanted));
  EXPECT_EQ((*config)->get_string("channel.1.face_capture.text_overlay"), "face_score,device_number");
  const auto stored = face_capture_settings_from_config(**config, 1);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_TRUE(stored->target_info_on_picture);
  EXPECT_EQ(stored->background_resolution, BackgroundResolution::r1280x720);
  EXPECT_EQ(stored->device_number, "CAM-07");
  EXPECT_EQ(stored->camera_info, "Gate 3");
  EXPECT_EQ(stored->text_overlay, wanted.text_overlay);
  EXPECT_TRUE(stored->remove_duplicates);
  EXPECT_EQ(stored->duplicate_similarity, 70);
  EXPECT_EQ(stored->duplicate_grading_threshold, 40);
  EXPECT_EQ(stored->duplicate_update_time, 300);
  // A stored list with an unknown item is refused when read, with its name.
  ASSERT_TRUE((*config)->apply({{"channel.1.face_capture.text_overlay", std::string("device_number,time")}}));
  const auto refused = face_capture_settings_from_config(**config, 1);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("'time'"), std::string::npos) << refused.error().message;
}

TEST(FaceCaptureDuplicates, AFaceAnotherTrackJustLeftIsDroppedNewFacesAndExpiredEntriesAreNot) {
  // The same person seen larger and slightly shifted, with sensor noise; and someone else.
  const cv::Rect first_box(600, 200, 80, 80), again_box(300, 150, 104, 104);
  auto bgr = [](const cv::Mat& luma) {
    cv::Mat out;
    cv::cvtColor(luma, out, cv::COLOR_GRAY2BGR);
    return out;
  };
  const cv::Mat first = bgr(scene_luma(first_box, 0)(first_box));
  cv::Mat again_luma = scene_luma(again_box, 0)(again_box + cv::Point(3, -2)).clone();
  cv::Mat noise(again_luma.size(), CV_8SC1);
  cv::randn(noise, 0, 6);
  cv::add(again_luma, noise, again_luma, cv::noArray(), CV_8U);
  const cv::Mat again = bgr(again_luma);
  const cv::Mat other = bgr(scene_luma(first_box, 1)(first_box));
  // The same layout in another skin tone is someone else.
  cv::Mat tinted = first.clone();
  tinted += cv::Scalar(0, 10, 25);
  const int same = face_similarity(first, again), different = face_similarity(first, other);
  std::printf("similarity: same face %d, another face %d\n", same, different);
  EXPECT_GT(same, 85);
  EXPECT_LT(different, 70);
  EXPECT_LT(face_similarity(first, tinted), 70);

  FaceCaptureSettings s;
  s.remove_duplicates = true;  // similarity 85, grading threshold 60, update time 60 s
  DuplicateFaceLibrary library;
  EXPECT_FALSE(library.is_duplicate(first, 90, 1, 10s, s));   // new: kept
  EXPECT_FALSE(library.is_duplicate(first, 90, 1, 12s, s));   // the same track: capture times decide
  EXPECT_TRUE(library.is_duplicate(again, 90, 2, 15s, s));    // another track, same face: dropped
  EXPECT_FALSE(library.is_duplicate(other, 90, 3, 16s, s));   // someone else
  EXPECT_FALSE(library.is_duplicate(again, 50, 4, 17s, s));   // graded below the threshold: not compared
  s.duplicate_similarity = 99;
  EXPECT_FALSE(library.is_duplicate(again, 90, 5, 18s, s));   // not similar enough at 99
  s.duplicate_similarity = 85;
  EXPECT_TRUE(library.is_duplicate(again, 90, 6, 69s, s));    // 59 s after the first: still kept
  EXPECT_FALSE(library.is_duplicate(again, 90, 7, 100s, s));  // after the update time the library has forgotten it
}

}  // namespace
}  // namespace camrig::analytics
