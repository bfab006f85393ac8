// Expression for Upload Feature: the smile cascade tells a smiling mouth from a closed one on the
// simulated world's rendered faces. The world renders closed mouths only, so the smiling faces are
// the same rendered faces with an open smile (teeth between dark lips) drawn over the mouth.
#include <gtest/gtest.h>

#include <cstdio>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "device/analytics/face_capture.hpp"
#include "sim/render/textures.hpp"


namespace camrig::analytics {
namespace {

// A rendered face `width` pixels wide, alone on a grey picture twice its size, smiling or not.
cv::Mat face_picture(std::uint64_t appearance, bool smiling, int width) {
  const auto texture = sim::render::face_texture(appearance);
  const cv::Mat luma(texture.height, texture.width, CV_8UC1, const_cast<std::uint8_t*>(texture.y.data()));
  const cv::Mat alpha(texture.height, texture.width, CV_8UC1, const_cast<std::uint8_t*>(texture.alpha.data()));
  cv::Mat face, mask;
  const double scale = static_cast<double>(width) / texture.width;
  cv::resize(luma, face, {}, scale, scale, cv::INTER_CUBIC);
  cv::resize(alpha, mask, {}, scale, scale, cv::INTER_LINEAR);
  cv::Mat picture(face.rows * 2, face.cols * 2, CV_8UC1, cv::Scalar(110));
  const cv::Rect at(face.cols / 2, face.rows / 2, face.cols, face.rows);
  face.copyTo(picture(at), mask > 128);
  if (smiling) {
    // The rendered mouth lies at ~0.76 of the face's height.
    const cv::Point mouth(at.x + face.cols / 2, at.y + cvRound(face.rows * 0.75));
    const int half = cvRound(face.cols * 0.19);
    cv::ellipse(picture, mouth, {half, cvRound(half * 0.6)}, 0, 0, 180, cv::Scalar(40), cv::FILLED, cv::LINE_AA);
    cv::ellipse(picture, mouth + cv::Point(0, 1), {half - 3, cvRound(half * 0.25)}, 0, 0, 180, cv::Scalar(235),
                cv::FILLED, cv::LINE_AA);
  }
  return picture;
}

TEST(FaceExpressionTest, SmilingAndNeutralFacesAreToldApart) {
  cv::CascadeClassifier faces, smiles;
  ASSERT_TRUE(faces.load(kFrontalFaceCascade)) << "install opencv-data";
  ASSERT_TRUE(smiles.load(kSmileCascade)) << "install opencv-data";
  int checked = 0;
  for (const int width : {80, 120, 180})
    for (std::uint64_t appearance = 1; appearance <= 12; ++appearance)
      for (const bool smiling : {false, true}) {
        const auto picture = face_picture(appearance * 31 + 500, smiling, width);
        // The expression is read in the face detector's box, as face capture does; a face the
        // detector misses is no case here.
        std::vector<cv::Rect> found;
        faces.detectMultiScale(picture, found, 1.1, 3, 0, {24, 24});
        if (found.size() != 1) continue;
        EXPECT_EQ(face_expression(picture, found.front(), smiles), smiling ? "smile" : "neutral")
            << "face " << appearance << " at " << width << " px";
        ++checked;
      }
  std::printf("expression checked on %d of 72 faces\n", checked);
  EXPECT_GE(checked, 66);
}

TEST(FaceExpressionTest, AFaceTooSmallOrOffThePictureIsNeutral) {
  cv::CascadeClassifier smiles;
  ASSERT_TRUE(smiles.load(kSmileCascade));
  const auto picture = face_picture(5, true, 120);
  EXPECT_EQ(face_expression(picture, cv::Rect(100, 100, 10, 10), smiles), "neutral");
  EXPECT_EQ(face_expression(picture, cv::Rect(picture.cols + 10, 0, 80, 80), smiles), "neutral");
}

}  // namespace
}  // namespace camrig::analytics
