#include "device/traffic/picture_composer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "device/media/image/osd_renderer.hpp"

namespace camrig::traffic {
namespace {

// Below this the picture is blocks; "Size" then wins over nothing else.
constexpr int k_min_quality = 10;
constexpr int k_quality_step = 10;

cv::Mat plane_view(const hal::VideoFrame& frame, int plane) {
  const int divisor = plane == 0 ? 1 : 2;
  return cv::Mat(frame.height() / divisor, frame.width() / divisor, CV_8UC1,
                 const_cast<std::uint8_t*>(frame.plane(plane)), static_cast<std::size_t>(frame.stride(plane)));
}

// Even-aligned and inside a width x height picture (I420 chroma is per 2x2 block); empty when
// nothing of `box` is inside.
PixelBox clamp_even(PixelBox box, int width, int height) {
  const int left = std::clamp(box.x, 0, width) & ~1;
  const int top = std::clamp(box.y, 0, height) & ~1;
  const int right = std::clamp(box.x + box.width, 0, width);
  const int bottom = std::clamp(box.y + box.height, 0, height);
  PixelBox even{left, top, std::max(0, right - left) & ~1, std::max(0, bottom - top) & ~1};
  if (even.width < 2 || even.height < 2) return {};
  return even;
}

// Scales `from` (in `source`) into `to` (in `target`), plane by plane.
void blit(const hal::VideoFrame& source, const PixelBox& from, hal::VideoFrame& target, const PixelBox& to) {
  for (int plane = 0; plane < 3; ++plane) {
    const int divisor = plane == 0 ? 1 : 2;
    const cv::Rect in_rect(from.x / divisor, from.y / divisor, from.width / divisor, from.height / divisor);
    const cv::Rect out_rect(to.x / divisor, to.y / divisor, to.width / divisor, to.height / divisor);
    const cv::Mat in = plane_view(source, plane)(in_rect);
    cv::Mat out = plane_view(target, plane)(out_rect);
    if (in_rect.size() == out_rect.size()) {
      in.copyTo(out);
    } else {
      const bool shrinking = out_rect.area() < in_rect.area();
      cv::resize(in, out, out_rect.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
  }
}

std::shared_ptr<hal::VideoFrame> blank(int width, int height) {
  auto frame = std::make_shared<hal::VideoFrame>(width, height);
  // Black: no luma, neutral chroma.
  std::memset(frame->plane(1), 128, static_cast<std::size_t>(width / 2) * (height / 2) * 2);
  return frame;
}

Result<ComposedPicture> cutout(const hal::VideoFrame& frame, const PixelBox& box, const PictureSettings& settings,
                               std::string kind) {
  if (box.width < 2 || box.height < 2)
    return make_error(ErrorCode::invalid_argument, "the " + kind + " cutout is outside the picture");
  auto picture = std::make_shared<hal::VideoFrame>(box.width, box.height);
  blit(frame, box, *picture, {0, 0, box.width, box.height});
  auto jpeg = encode_jpeg(*picture, settings.quality, static_cast<std::size_t>(settings.max_size_kb) * 1024);
  if (!jpeg) return jpeg.error();
  return ComposedPicture{std::move(kind), std::move(*jpeg), box.width, box.height, box};
}

}  // namespace

Result<PictureSettings> PictureSettings::from_config(const core::ConfigService& config) {
  PictureSettings settings;
  const auto resolution = config.get_string("pictures.snapshot.resolution");
  if (resolution != "sensor") {
    int width = 0, height = 0;
    if (std::sscanf(resolution.c_str(), "%dx%d", &width, &height) != 2)
      return make_error(ErrorCode::invalid_argument, "snapshot resolution \"" + resolution + "\" is not WIDTHxHEIGHT");
    settings.resolution = std::pair(width, height);
  }
  settings.max_size_kb = static_cast<int>(config.get_int("pictures.snapshot.max_size"));
  const auto quality = config.get_string("pictures.snapshot.quality");
  settings.quality = quality == "low" ? 50 : quality == "medium" ? 70 : 90;
  auto osd = picture_osd_from_config(config);
  if (!osd) return osd.error();
  settings.osd = std::move(*osd);
  settings.plate_cutout = config.get_bool("pictures.cutout.plate");
  settings.vehicle_cutout = config.get_bool("pictures.cutout.vehicle");
  settings.plate_overlay = config.get_bool("pictures.plate_overlay.enabled");
  settings.overlay_x = config.get_number("pictures.plate_overlay.x");
  settings.overlay_y = config.get_number("pictures.plate_overlay.y");
  settings.overlay_width = config.get_number("pictures.plate_overlay.width");
  settings.overlay_height = config.get_number("pictures.plate_overlay.height");
  if (config.spec("traffic.capture.snapshot_quantity"))
    settings.snapshots = static_cast<int>(config.get_int("traffic.capture.snapshot_quantity"));
  return settings;
}

Result<std::unique_ptr<PictureComposer>> PictureComposer::open() {
  auto renderer = media::image::OsdRenderer::open();
  if (!renderer) return renderer.error();
  std::unique_ptr<PictureComposer> composer(new PictureComposer());
  composer->renderer_ = std::move(*renderer);
  return composer;
}

PictureComposer::~PictureComposer() = default;

std::vector<PictureComposer::BoxLines> PictureComposer::layout(const PictureSettings& settings, const PictureFacts& facts,
                                                               int width) {
  std::vector<BoxLines> laid;
  for (const auto& box : settings.osd.boxes) {
    BoxLines entry;
    entry.box = &box;
    entry.size = box.font_size > 0 ? box.font_size : settings.osd.font_size;
    entry.line_height = renderer_->measure("Ag|", entry.size).height + entry.size / 4;
    const int left = static_cast<int>(box.x * width);
    const int max_width = std::max(entry.size, width - left - entry.size / 2);
    const auto measure = [this, size = entry.size](std::string_view text) { return renderer_->measure(text, size).width; };
    entry.lines = fit_lines(compose_title_lines(box, settings.osd.separator, facts), max_width, settings.osd.word_wrap,
                            settings.osd.separator, measure);
    laid.push_back(std::move(entry));
  }
  return laid;
}

int PictureComposer::bar_height(const PictureSettings& settings, const PictureFacts& facts, int width) {
  std::lock_guard lock(mutex_);
  return bar_for(settings, layout(settings, facts, width));
}

int PictureComposer::bar_for(const PictureSettings& settings, const std::vector<BoxLines>& laid) {
  if (settings.osd.bar == OsdBar::none) return 0;
  int height = 0;
  for (const auto& entry : laid) height += entry.line_height * static_cast<int>(entry.lines.size());
  if (height == 0) return 0;
  height += settings.osd.font_size / 2;  // a margin above and below the text
  return (height + 1) & ~1;             // even, for I420
}

Result<ComposedPicture> PictureComposer::scene(const hal::VideoFrame& frame, const PlateRead& read,
                                               const PictureSettings& settings, const PictureFacts& facts, std::string kind) {
  const int width = settings.resolution ? settings.resolution->first : frame.width();
  const int height = settings.resolution ? settings.resolution->second : frame.height();
  const auto laid = layout(settings, facts, width);
  const int bar = bar_for(settings, laid);
  // The bar is added to the picture, so the OSD never hides part of the scene.
  auto picture = blank(width, height + bar);
  const int image_top = settings.osd.bar == OsdBar::above ? bar : 0;
  blit(frame, {0, 0, frame.width(), frame.height()}, *picture, {0, image_top, width, height});

  if (settings.plate_overlay && read.plate_box.width > 0) {
    const auto from = clamp_even(read.plate_box, frame.width(), frame.height());
    auto to = clamp_even({static_cast<int>(settings.overlay_x * width), static_cast<int>(settings.overlay_y * height),
                          static_cast<int>(settings.overlay_width * width), static_cast<int>(settings.overlay_height * height)},
                         width, height);
    to.y += image_top;
    if (from.width > 0 && to.width > 0) blit(frame, from, *picture, to);
  }

  int cursor = settings.osd.bar == OsdBar::above ? settings.osd.font_size / 4 : height + settings.osd.font_size / 4;
  for (const auto& entry : laid) {
    const auto colour = media::image::yuv_from_rgb(entry.box->colour.value_or(settings.osd.colour));
    const int left = static_cast<int>(entry.box->x * width);
    int top = bar > 0 ? cursor : static_cast<int>(entry.box->y * height);
    for (const auto& line : entry.lines) {
      if (!line.empty()) renderer_->draw(*picture, line, left, top, entry.size, colour);
      top += entry.line_height;
    }
    if (bar > 0) cursor = top;
  }

  auto jpeg = encode_jpeg(*picture, settings.quality, static_cast<std::size_t>(settings.max_size_kb) * 1024);
  if (!jpeg) return jpeg.error();
  return ComposedPicture{std::move(kind), std::move(*jpeg), picture->width(), picture->height(),
                         {0, 0, frame.width(), frame.height()}};
}

Result<std::vector<ComposedPicture>> PictureComposer::compose(const PlateRead& read, const PictureSettings& settings,
                                                              const PictureFacts& facts, const hal::VideoFramePtr& later_frame) {
  if (!read.frame) return make_error(ErrorCode::unavailable, "no picture for this capture: the read carries no frame");
  if (settings.resolution && (settings.resolution->first <= 0 || settings.resolution->second <= 0 ||
                              settings.resolution->first % 2 != 0 || settings.resolution->second % 2 != 0))
    return make_error(ErrorCode::invalid_argument, "the snapshot resolution must have an even, positive width and height");
  std::lock_guard lock(mutex_);
  std::vector<ComposedPicture> pictures;
  auto first = scene(*read.frame, read, settings, facts, "scene");
  if (!first) return first.error();
  pictures.push_back(std::move(*first));
  if (settings.snapshots >= 2) {
    // The later frame shows the vehicle moved on; its plate box is not known, so no overlay there.
    PlateRead later = read;
    const auto& frame = later_frame ? *later_frame : *read.frame;
    if (later_frame) later.plate_box = {};
    auto second = scene(frame, later, settings, facts, "scene2");
    if (!second) return second.error();
    pictures.push_back(std::move(*second));
  }
  const auto& frame = *read.frame;
  if (settings.plate_cutout && read.plate_box.width > 0 && read.plate_box.height > 0) {
    auto plate = cutout(frame, plate_cutout_box(read.plate_box, frame.width(), frame.height()), settings, "plate");
    if (!plate) return plate.error();
    pictures.push_back(std::move(*plate));
  }
  if (settings.vehicle_cutout) {
    const auto box = vehicle_cutout_box(read, frame.width(), frame.height());
    if (box.width > 0) {
      auto vehicle = cutout(frame, box, settings, "vehicle");
      if (!vehicle) return vehicle.error();
      pictures.push_back(std::move(*vehicle));
    }
  }
  return pictures;
}

PixelBox plate_cutout_box(const PixelBox& plate, int frame_width, int frame_height) {
  // A margin keeps edge characters whole when the localiser's box is tight.
  const int margin_x = std::max(4, plate.width * 15 / 100);
  const int margin_y = std::max(4, plate.height * 30 / 100);
  return clamp_even({plate.x - margin_x, plate.y - margin_y, plate.width + 2 * margin_x, plate.height + 2 * margin_y},
                    frame_width, frame_height);
}

PixelBox vehicle_cutout_box(const PlateRead& read, int frame_width, int frame_height) {
  if (read.vehicle_box) return clamp_even(*read.vehicle_box, frame_width, frame_height);
  if (read.plate_box.width <= 0 || read.plate_box.height <= 0) return {};
  // A car is about 4.5 plate widths wide and its plate sits near the bottom of its front or rear.
  const int width = read.plate_box.width * 9 / 2;
  const int height = width * 9 / 10;
  const int centre = read.plate_box.x + read.plate_box.width / 2;
  const int bottom = read.plate_box.y + read.plate_box.height + read.plate_box.height * 3 / 2;
  return clamp_even({centre - width / 2, bottom - height, width, height}, frame_width, frame_height);
}

Result<std::vector<std::uint8_t>> encode_jpeg(const hal::VideoFrame& picture, int quality, std::size_t max_bytes) {
  if (picture.width() < 2 || picture.height() < 2)
    return make_error(ErrorCode::invalid_argument, "a picture needs at least 2x2 pixels");
  // The planes are contiguous (Y, U, V), the layout OpenCV's I420 conversion expects.
  const cv::Mat yuv(picture.height() * 3 / 2, picture.width(), CV_8UC1, const_cast<std::uint8_t*>(picture.plane(0)));
  cv::Mat bgr;
  cv::cvtColor(yuv, bgr, cv::COLOR_YUV2BGR_I420);
  std::vector<std::uint8_t> jpeg;
  for (int q = std::clamp(quality, k_min_quality, 100);; q -= k_quality_step) {
    q = std::max(q, k_min_quality);
    if (!cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, q}))
      return make_error(ErrorCode::internal, "the JPEG encoder refused the picture");
    if (jpeg.size() <= max_bytes || q == k_min_quality) break;
  }
  return jpeg;
}

}  // namespace camrig::traffic
