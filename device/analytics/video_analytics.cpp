#include "device/analytics/video_analytics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// The silence timer outlives the analytics only as this shared state: a callback already due
// when the analytics go away finds `stopped` and does nothing.
struct VideoAnalytics::Watch {
  std::mutex mutex;
  bool stopped = false;
  bool armed = false;
  hal::Clock::TimerId timer = 0;
};

VideoAnalytics::VideoAnalytics(VideoAnalyticsOptions options, EventSink sink)
    : options_(options), sink_(std::move(sink)),
      background_(cv::createBackgroundSubtractorMOG2(kBackgroundHistory, kBackgroundVarianceThreshold, false)) {
  if (options_.clock) watch_ = std::make_shared<Watch>();
}

VideoAnalytics::~VideoAnalytics() {
  if (!watch_) return;
  std::lock_guard lock(watch_->mutex);  // waits for a check in progress
  watch_->stopped = true;
  if (watch_->armed) options_.clock->cancel(watch_->timer);
}

namespace {

hal::Nanos seconds_as_nanos(double s) { return hal::Nanos{static_cast<std::int64_t>(std::llround(s * 1e9))}; }

// 1920x1080 to 640x360 is a reduction by exactly 3: each analysis pixel the rounded mean of a 3x3
// block, the same numbers as OpenCV's area resize, whose general path for whole odd factors
// takes about three times as long.
bool reduce_by_three(const cv::Mat& full, cv::Mat& out, cv::Size size) {
  if (full.cols != size.width * 3 || full.rows != size.height * 3) return false;
  out.create(size, CV_8UC1);
  for (int y = 0; y < size.height; ++y) {
    const std::uint8_t* a = full.ptr<std::uint8_t>(3 * y);
    const std::uint8_t* b = full.ptr<std::uint8_t>(3 * y + 1);
    const std::uint8_t* c = full.ptr<std::uint8_t>(3 * y + 2);
    std::uint8_t* row = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < size.width; ++x, a += 3, b += 3, c += 3) {
      const unsigned sum = a[0] + a[1] + a[2] + b[0] + b[1] + b[2] + c[0] + c[1] + c[2];
      row[x] = static_cast<std::uint8_t>((sum + 4) / 9);
    }
  }
  return true;
}

}  // namespace

void VideoAnalytics::check_silence(const std::shared_ptr<Watch>& watch) {
  // On the clock's timer thread. Held throughout, so the destructor cannot pass meanwhile; once
  // it has, `this` is gone and only `watch` may be touched.
  std::lock_guard lock(watch->mutex);
  if (watch->stopped) return;
  const hal::Nanos now = options_.clock->now();
  const hal::Nanos silence = now - hal::Nanos{last_frame_.load()};
  const hal::Nanos interval = seconds_as_nanos(std::max(0.05, options_.silence_check_seconds));
  // Frames still coming keep the analytics thread busy now and then: skip a check rather than wait.
  if (silence >= interval) {
    if (std::unique_lock run(run_mutex_, std::try_to_lock); run.owns_lock())
      for (const auto& detector : detectors_) detector->no_frames(options_.channel, now, silence, sink_);
  }
  watch->timer = options_.clock->call_at(now + interval, [this, weak = std::weak_ptr<Watch>(watch)] {
    if (auto alive = weak.lock()) check_silence(alive);
  });
}

void VideoAnalytics::add(std::shared_ptr<Detector> detector) { detectors_.push_back(std::move(detector)); }

void VideoAnalytics::process(const hal::VideoFramePtr& frame) {
  if (!frame) return;
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.frames_offered;
  }
  last_frame_ = frame->timestamp.count();
  if (watch_ && !started_) {
    std::lock_guard lock(watch_->mutex);
    watch_->armed = true;
    watch_->timer = options_.clock->call_at(frame->timestamp + seconds_as_nanos(options_.silence_check_seconds),
                                            [this, weak = std::weak_ptr<Watch>(watch_)] {
                                              if (auto alive = weak.lock()) check_silence(alive);
                                            });
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
  else if (!reduce_by_three(full_luma, analysis.luma, cv::Size(width, height)))
    cv::resize(full_luma, analysis.luma, cv::Size(width, height), 0, 0, cv::INTER_AREA);

  cv::Mat mask;
  background_->apply(analysis.luma, mask);
  if (learned_ < options_.learning_frames) {
    ++learned_;
  } else {
    static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
    cv::morphologyEx(mask, analysis.foreground, cv::MORPH_OPEN, kernel);
  }
  {
    std::lock_guard run(run_mutex_);
    for (const auto& detector : detectors_) detector->analyse(analysis, sink_);
  }

  std::lock_guard lock(counters_mutex_);
  ++counters_.frames_analysed;
  counters_.last_duration = std::chrono::steady_clock::now() - began;
}

VideoAnalyticsCounters VideoAnalytics::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

}  // namespace camrig::analytics
