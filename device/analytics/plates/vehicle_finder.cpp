#include "device/analytics/plates/vehicle_finder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace camrig::analytics::plates {

namespace {

// Luma steps from the road that are a vehicle: well above sensor noise (about 5 levels under IR
// at night), below a dark rider on a dark road at night (about 30).
constexpr double kDiffers = 18;
// Road pixels follow light changes within a couple of seconds.
constexpr double kRoadSeconds = 1.6;
// A pixel that differs from the road this long without a break is road now: a vehicle that stopped
// (at the barrier), or the place it left. Passing vehicles never cover a pixel that long, and only
// road pixels learn otherwise: learning passing vehicles into the road leaves ghosts of bright
// markings behind every car.
constexpr double kStillSeconds = 5;
// More of the picture than this differing at once is a change of light (day/night, IR, exposure),
// not vehicles: the road is learnt again from that frame.
constexpr double kLightChange = 0.5;

double rate(double seconds, double time_constant) { return 1.0 - std::exp(-seconds / time_constant); }

}  // namespace

std::vector<cv::Rect> VehicleFinder::find(const AnalysisFrame& frame, double min_fraction) {
  cv::Mat luma;
  frame.luma.convertTo(luma, CV_32F);
  cv::Mat differs;
  if (road_.size() != luma.size()) {
    road_ = luma.clone();
    covered_ = cv::Mat::zeros(luma.size(), CV_32F);
    differs = cv::Mat::zeros(luma.size(), CV_8UC1);
  } else {
    cv::Mat difference;
    cv::absdiff(luma, road_, difference);
    differs = difference >= kDiffers;
    if (cv::countNonZero(differs) > kLightChange * static_cast<double>(differs.total())) {
      road_ = luma.clone();
      covered_.setTo(0);
      differs.setTo(0);
    } else {
      // The time since the frame before, at most a second (the first frame, a pause in the frames).
      const double seconds =
          last_time_ ? std::clamp(std::chrono::duration<double>(frame.time - *last_time_).count(), 0.0, 1.0) : 1.0;
      cv::Mat road_pixels;
      cv::bitwise_not(differs, road_pixels);
      cv::accumulateWeighted(luma, road_, rate(seconds, kRoadSeconds), road_pixels);
      cv::add(covered_, cv::Scalar(seconds), covered_, differs);
      covered_.setTo(0, road_pixels);
      const cv::Mat still = covered_ >= kStillSeconds;
      luma.copyTo(road_, still);
      covered_.setTo(0, still);
      differs.setTo(0, still);
    }
  }
  last_time_ = frame.time;
  if (!frame.background_ready()) return {};

  // The same small opening as the shared foreground: single noisy pixels are no vehicle.
  static const cv::Mat kOpen = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
  cv::morphologyEx(differs, differs, cv::MORPH_OPEN, kOpen);
  cv::Mat mask;
  cv::bitwise_or(differs, frame.foreground, mask);

  // Windows, lights and shadows split a vehicle's blob; closing joins the parts.
  static const cv::Mat kJoin = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(15, 15));
  cv::Mat joined, labels, stats, centroids;
  cv::morphologyEx(mask, joined, cv::MORPH_CLOSE, kJoin);
  const int n = cv::connectedComponentsWithStats(joined, labels, stats, centroids, 8, CV_32S);
  const double min_area = min_fraction * static_cast<double>(joined.total());
  const double scale = frame.scale();
  const cv::Rect picture(0, 0, frame.full->width(), frame.full->height());
  std::vector<cv::Rect> vehicles;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
    const cv::Rect box(static_cast<int>(stats.at<int>(i, cv::CC_STAT_LEFT) * scale),
                       static_cast<int>(stats.at<int>(i, cv::CC_STAT_TOP) * scale),
                       static_cast<int>(stats.at<int>(i, cv::CC_STAT_WIDTH) * scale),
                       static_cast<int>(stats.at<int>(i, cv::CC_STAT_HEIGHT) * scale));
    vehicles.push_back(box & picture);
  }
  return vehicles;
}

}  // namespace camrig::analytics::plates
