#include "device/media/image/image_processor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

#include "device/core/log.hpp"

namespace camrig::media::image {
namespace {

// Automatic day/night: the scene must get clearly darker to switch to night and clearly
// brighter to switch back, so a passing shadow does not toggle the mode.
constexpr double k_night_below = 40;
constexpr double k_day_above = 70;

struct PixelRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

// Even edges, so the chroma samples cover exactly the same area as the luma.
PixelRect to_pixels(const NormalizedRect& rect, int width, int height) {
  const auto edge = [](double value, int size, bool up) {
    const double pixels = std::clamp(value, 0.0, 1.0) * size;
    const int rounded = static_cast<int>(up ? std::ceil(pixels) : std::floor(pixels));
    return std::clamp(up ? (rounded + 1) & ~1 : rounded & ~1, 0, size);
  };
  return {edge(rect.x, width, false), edge(rect.y, height, false), edge(rect.x + rect.width, width, true),
          edge(rect.y + rect.height, height, true)};
}

}  // namespace

std::array<std::uint8_t, 256> luma_curve(const Adjustments& adjustments) {
  std::array<std::uint8_t, 256> curve{};
  const double wdr = adjustments.wdr ? std::clamp(adjustments.wdr_level, 0, 100) / 100.0 : 0.0;
  const double hlc = adjustments.hlc ? std::clamp(adjustments.hlc_level, 0, 100) / 100.0 : 0.0;
  const double knee = 0.85 - 0.35 * hlc;
  const double contrast = std::clamp(adjustments.contrast, 0, 100) / 50.0;
  const double brightness = (std::clamp(adjustments.brightness, 0, 100) - 50) / 100.0;
  for (int value = 0; value < 256; ++value) {
    double t = value / 255.0;
    // WDR: a logarithmic curve lifts the shadows and compresses the highlights.
    if (wdr > 0) t += wdr * (std::log1p(8.0 * t) / std::log1p(8.0) - t);
    // BLC: brighten the (backlit, dark) subject as a whole.
    if (adjustments.blc) t = std::pow(t, 0.6);
    // HLC: flatten everything above the knee so bright spots stop dazzling.
    if (adjustments.hlc && t > knee) t = knee + (t - knee) * 0.3;
    t = (t - 0.5) * contrast + 0.5 + brightness;
    curve[static_cast<std::size_t>(value)] = static_cast<std::uint8_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255));
  }
  return curve;
}

ImageProcessor::ImageProcessor(const hal::Clock* clock, ImageSettings settings)
    : clock_(clock), requested_(std::move(settings)) {}

ImageProcessor::~ImageProcessor() = default;

void ImageProcessor::apply(ImageSettings settings) {
  std::lock_guard lock(mutex_);
  requested_ = std::move(settings);
  changed_ = true;
}

ImageSettings ImageProcessor::settings() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

void ImageProcessor::take_new_settings() {
  {
    std::lock_guard lock(mutex_);
    if (!changed_) return;
    active_ = requested_;
    changed_ = false;
  }
  settings_luma_curve_ = luma_curve(active_.adjustments);
  const int saturation = std::clamp(active_.adjustments.saturation, 0, 100);
  for (int value = 0; value < 256; ++value)
    settings_chroma_curve_[static_cast<std::size_t>(value)] =
        static_cast<std::uint8_t>(std::clamp(128 + (value - 128) * saturation / 50, 0, 255));
  curves_stale_ = true;
}

void ImageProcessor::apply_exposure_gain(const hal::VideoFrame& frame) {
  // WDR compresses the very range the gain would stretch: the manuals have face exposure need WDR off.
  const double gain = active_.face_exposure && !active_.adjustments.wdr ? active_.face_exposure->gain_at(frame.timestamp) : 1.0;
  if (!curves_stale_ && gain == exposure_gain_) return;
  exposure_gain_ = gain;
  curves_stale_ = false;
  // An exposure change scales the light: luma from black, chroma from grey, before the tone curve.
  const auto scaled = [gain](int value, int zero) {
    return static_cast<std::size_t>(std::clamp(static_cast<int>(std::lround(zero + (value - zero) * gain)), 0, 255));
  };
  identity_curves_ = true;
  for (int value = 0; value < 256; ++value) {
    const auto index = static_cast<std::size_t>(value);
    luma_curve_[index] = settings_luma_curve_[scaled(value, 0)];
    chroma_curve_[index] = settings_chroma_curve_[scaled(value, 128)];
    identity_curves_ = identity_curves_ && luma_curve_[index] == value && chroma_curve_[index] == value;
  }
}

bool ImageProcessor::leaves_unchanged() const {
  const auto& a = active_.adjustments;
  const auto& osd = active_.osd;
  bool any_text = osd.channel_name.enabled || osd.show_date;
  for (const auto& text : osd.texts) any_text = any_text || text.enabled;
  bool any_mask = false;
  for (std::size_t i = 0; i < active_.privacy_mask.regions.size(); ++i)
    any_mask = any_mask || (active_.privacy_mask.enabled && active_.privacy_mask.region_enabled[i]);
  return identity_curves_ && a.mirror == Mirror::off && !a.rotate && a.sharpness == 50 && a.day_night == DayNight::day &&
         !any_text && !any_mask && !(active_.overlay_picture.enabled && active_.overlay_picture.picture);
}

bool ImageProcessor::night_at(const hal::VideoFrame& frame, hal::WallTime wall_time) {
  const auto& a = active_.adjustments;
  switch (a.day_night) {
    case DayNight::day: return false;
    case DayNight::night: return true;
    case DayNight::scheduled: {
      const auto since_midnight = wall_time - std::chrono::floor<std::chrono::days>(wall_time);
      const auto minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
      const bool day = a.day_start_minute <= a.day_end_minute
                           ? minute >= a.day_start_minute && minute < a.day_end_minute
                           : minute >= a.day_start_minute || minute < a.day_end_minute;
      return !day;
    }
    case DayNight::automatic: break;
  }
  std::uint64_t sum = 0, count = 0;
  for (int row = 0; row < frame.height(); row += 8)
    for (int column = 0; column < frame.width(); column += 8, ++count)
      sum += frame.plane(0)[static_cast<std::ptrdiff_t>(row) * frame.stride(0) + column];
  const double mean = count ? static_cast<double>(sum) / static_cast<double>(count) : 128.0;
  mean_luma_ += (mean - mean_luma_) * 0.2;
  if (night_.load() ? mean_luma_ > k_day_above : mean_luma_ < k_night_below) return !night_.load();
  return night_.load();
}

void ImageProcessor::copy_with_tone_and_mirror(const hal::VideoFrame& source, hal::VideoFrame& target,
                                               bool night) const {
  const auto mirror = active_.adjustments.mirror;
  const bool flip_rows = mirror == Mirror::up_down || mirror == Mirror::center;
  const bool flip_columns = mirror == Mirror::left_right || mirror == Mirror::center;
  for (int plane = 0; plane < 3; ++plane) {
    const int width = plane == 0 ? source.width() : source.width() / 2;
    const int height = plane == 0 ? source.height() : source.height() / 2;
    const auto& curve = plane == 0 ? luma_curve_ : chroma_curve_;
    const bool grey = plane != 0 && night;
    bool identity = true;
    for (int value = 0; value < 256; ++value) identity = identity && curve[static_cast<std::size_t>(value)] == value;
    for (int row = 0; row < height; ++row) {
      const auto* in = source.plane(plane) + static_cast<std::ptrdiff_t>(flip_rows ? height - 1 - row : row) * source.stride(plane);
      auto* out = target.plane(plane) + static_cast<std::ptrdiff_t>(row) * target.stride(plane);
      if (grey) {
        std::memset(out, 128, static_cast<std::size_t>(width));
      } else if (identity && !flip_columns) {
        std::memcpy(out, in, static_cast<std::size_t>(width));
      } else if (flip_columns) {
        for (int column = 0; column < width; ++column) out[column] = curve[in[width - 1 - column]];
      } else {
        for (int column = 0; column < width; ++column) out[column] = curve[in[column]];
      }
    }
  }
}

void ImageProcessor::sharpen(hal::VideoFrame& frame) {
  // Unsharp mask with the four neighbours: above 50 adds edge contrast, below 50 blurs.
  const int strength = (std::clamp(active_.adjustments.sharpness, 0, 100) - 50) * 256 / 50;
  const int width = frame.width();
  const int height = frame.height();
  const int stride = frame.stride(0);
  auto* luma = frame.plane(0);
  row_buffer_.resize(static_cast<std::size_t>(width) * 3);
  auto* above = row_buffer_.data();
  auto* current = row_buffer_.data() + width;
  auto* result = row_buffer_.data() + 2 * width;
  std::memcpy(above, luma, static_cast<std::size_t>(width));
  // Separate input and output rows so the loop has no aliasing and vectorises.
  for (int row = 1; row + 1 < height; ++row) {
    auto* line = luma + static_cast<std::ptrdiff_t>(row) * stride;
    const std::uint8_t* below = line + stride;
    std::memcpy(current, line, static_cast<std::size_t>(width));
    result[0] = current[0];
    result[width - 1] = current[width - 1];
    for (int column = 1; column + 1 < width; ++column) {
      const int centre = current[column];
      const int edge = 4 * centre - above[column] - below[column] - current[column - 1] - current[column + 1];
      result[column] = static_cast<std::uint8_t>(std::clamp(centre + ((strength * edge) >> 10), 0, 255));
    }
    std::memcpy(line, result, static_cast<std::size_t>(width));
    std::swap(above, current);
  }
}

void ImageProcessor::mask(hal::VideoFrame& frame) const {
  const auto& masks = active_.privacy_mask;
  if (!masks.enabled) return;
  for (std::size_t i = 0; i < masks.regions.size(); ++i) {
    if (!masks.region_enabled[i]) continue;
    const auto rect = to_pixels(masks.regions[i], frame.width(), frame.height());
    if (rect.empty()) continue;
    for (int row = rect.y0; row < rect.y1; ++row)
      std::memset(frame.plane(0) + static_cast<std::ptrdiff_t>(row) * frame.stride(0) + rect.x0, 0,
                  static_cast<std::size_t>(rect.x1 - rect.x0));
    for (int plane = 1; plane < 3; ++plane)
      for (int row = rect.y0 / 2; row < rect.y1 / 2; ++row)
        std::memset(frame.plane(plane) + static_cast<std::ptrdiff_t>(row) * frame.stride(plane) + rect.x0 / 2, 128,
                    static_cast<std::size_t>(rect.x1 - rect.x0) / 2);
  }
}

void ImageProcessor::overlay(hal::VideoFrame& frame) const {
  const auto& settings = active_.overlay_picture;
  if (!settings.enabled || !settings.picture) return;
  const auto& picture = *settings.picture;
  const int width = std::min(picture.width, frame.width());
  const int height = std::min(picture.height, frame.height());
  // Top-left corner on even pixels, moved left/up if the picture would leave the frame.
  const int x = std::clamp(static_cast<int>(std::lround(settings.x * frame.width())), 0, frame.width() - width) & ~1;
  const int y = std::clamp(static_cast<int>(std::lround(settings.y * frame.height())), 0, frame.height() - height) & ~1;
  for (int row = 0; row < height; ++row)
    std::memcpy(frame.plane(0) + static_cast<std::ptrdiff_t>(y + row) * frame.stride(0) + x,
                picture.y.data() + static_cast<std::ptrdiff_t>(row) * picture.width, static_cast<std::size_t>(width));
  const int chroma_width = std::min((picture.width + 1) / 2, frame.width() / 2 - x / 2);
  const int chroma_height = std::min((picture.height + 1) / 2, frame.height() / 2 - y / 2);
  const int picture_chroma_stride = (picture.width + 1) / 2;
  for (int row = 0; row < chroma_height; ++row) {
    const auto offset = static_cast<std::ptrdiff_t>(y / 2 + row) * frame.stride(1) + x / 2;
    const auto source = static_cast<std::ptrdiff_t>(row) * picture_chroma_stride;
    std::memcpy(frame.plane(1) + offset, picture.u.data() + source, static_cast<std::size_t>(chroma_width));
    std::memcpy(frame.plane(2) + offset, picture.v.data() + source, static_cast<std::size_t>(chroma_width));
  }
}

namespace {

// Source column x of target row y: one target row reads a source column, so the work goes in
// square tiles that stay in the cache for both sides.
void rotate_plane(const std::uint8_t* source, int width, int height, std::uint8_t* target) {
  constexpr int k_tile = 32;
  // target is height wide and width high; target(x', y') = source(width - 1 - y', x').
  for (int ty = 0; ty < width; ty += k_tile)
    for (int tx = 0; tx < height; tx += k_tile)
      for (int y = ty; y < std::min(ty + k_tile, width); ++y) {
        const int source_x = width - 1 - y;
        std::uint8_t* row = target + static_cast<std::size_t>(y) * height;
        for (int x = tx; x < std::min(tx + k_tile, height); ++x)
          row[x] = source[static_cast<std::size_t>(x) * width + source_x];
      }
}

}  // namespace

std::shared_ptr<hal::VideoFrame> rotated_counterclockwise(const hal::VideoFrame& frame) {
  auto out = std::make_shared<hal::VideoFrame>(frame.height(), frame.width());
  rotate_plane(frame.plane(0), frame.width(), frame.height(), out->plane(0));
  for (int plane = 1; plane <= 2; ++plane)
    rotate_plane(frame.plane(plane), frame.width() / 2, frame.height() / 2, out->plane(plane));
  out->timestamp = frame.timestamp;
  out->sequence = frame.sequence;
  return out;
}

hal::VideoFramePtr ImageProcessor::process(const hal::VideoFramePtr& frame) {
  if (!frame) return frame;
  const auto started = clock_ ? clock_->now() : hal::Nanos(0);
  take_new_settings();
  apply_exposure_gain(*frame);
  // The frame's own capture time as calendar time, so the OSD shows when it was taken.
  const hal::WallTime wall_time = clock_ ? clock_->wall_time() - (clock_->now() - frame->timestamp)
                                         : hal::WallTime(std::chrono::duration_cast<hal::WallTime::duration>(frame->timestamp));
  const bool night = night_at(*frame, wall_time);
  night_.store(night);
  if (leaves_unchanged()) return frame;

  auto processed = std::make_shared<hal::VideoFrame>(frame->width(), frame->height());
  copy_with_tone_and_mirror(*frame, *processed, night);
  if (active_.adjustments.rotate) processed = rotated_counterclockwise(*processed);
  processed->timestamp = frame->timestamp;
  processed->sequence = frame->sequence;
  if (active_.adjustments.sharpness != 50) sharpen(*processed);
  mask(*processed);
  overlay(*processed);

  const auto& osd = active_.osd;
  bool any_text = osd.channel_name.enabled || osd.show_date;
  for (const auto& text : osd.texts) any_text = any_text || text.enabled;
  if (any_text && !osd_ && !osd_unavailable_) {
    auto opened = OsdRenderer::open();
    if (opened) {
      osd_ = std::move(*opened);
    } else {
      osd_unavailable_ = true;
      log::get("media")->error("{}; the OSD stays off", opened.error().message);
    }
  }
  if (any_text && osd_) osd_->draw_osd(*processed, osd, wall_time);

  if (clock_) last_duration_ns_.store((clock_->now() - started).count());
  return processed;
}

}  // namespace camrig::media::image
