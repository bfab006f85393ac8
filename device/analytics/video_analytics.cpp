#include "device/analytics/video_analytics.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>

namespace camrig::analytics {

namespace {

// MOG2 over a few seconds of history: follows slow light changes, keeps a parked car in the
// foreground long enough for dwell rules, and costs about 2 ms at 640x360.
constexpr int kBackgroundHistory = 250;
constexpr double kBackgroundVarianceThreshold = 25.0;

}  // namespace

VideoAnalytics::VideoAnalytics(VideoAnalyticsOptions options, EventSink sink)
    : options_(options), sink_(std::move(sink)),
      background_(cv::createBackgroundSubtractorMOG2(kBackgroundHistory, kBackgroundVarianceThreshold, false)) {}

VideoAnalytics::~VideoAnalytics() = default;

void VideoAnalytics::add(std::shared_ptr<Detector> detector) { detectors_.push_back(std::move(detector)); }

void VideoAnalytics::process(const hal::VideoFramePtr& frame) {
  if (!frame) return;
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.frames_offered;
  }
  const auto interval = std::chrono::nanoseconds(
      options_.max_rate > 0 ? static_cast<std::int64_t>(std::llround(1e9 / options_.max_rate)) : 0);
  if (started_ && frame->timestamp < next_due_) return;
  // Due times advance on a fixed grid from the first frame, so which frames are analysed depends
  // on capture times only.
  if (!started_) next_due_ = frame->timestamp;
  started_ = true;
  while (next_due_ <= frame->timestamp) next_due_ += std::max(interval, std::chrono::nanoseconds(1));

  const auto began = std::chrono::steady_clock::now();
  AnalysisFrame analysis;
  analysis.channel = options_.channel;
  analysis.time = frame->timestamp;
  analysis.sequence = frame->sequence;
  analysis.full = frame;
  const cv::Mat full_luma(frame->height(), frame->width(), CV_8UC1, const_cast<std::uint8_t*>(frame->plane(0)),
                          static_cast<std::size_t>(frame->stride(0)));
  const int width = std::min(options_.analysis_width, frame->width());
  const int height = std::max(2, static_cast<int>(std::lround(static_cast<double>(frame->height()) * width /
                                                              frame->width() / 2.0)) * 2);
  if (width == frame->width()) analysis.luma = full_luma.clone();
  else cv::resize(full_luma, analysis.luma, cv::Size(width, height), 0, 0, cv::INTER_AREA);

  cv::Mat mask;
  background_->apply(analysis.luma, mask);
  if (learned_ < options_.learning_frames) {
    ++learned_;
  } else {
    static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
    cv::morphologyEx(mask, analysis.foreground, cv::MORPH_OPEN, kernel);
  }
  for (const auto& detector : detectors_) detector->analyse(analysis, sink_);

  std::lock_guard lock(counters_mutex_);
  ++counters_.frames_analysed;
  counters_.last_duration = std::chrono::steady_clock::now() - began;
}

VideoAnalyticsCounters VideoAnalytics::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

}  // namespace camrig::analytics
