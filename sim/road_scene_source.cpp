#include "sim/road_scene_source.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace camrig::sim {

namespace {

// A 5x7 digit font with square, segment-like shapes so that digits stay legible after video
// compression at small scales. Each row is 5 bits, most significant bit = leftmost column.
constexpr int k_glyph_width = 5;
constexpr int k_glyph_height = 7;

struct Glyph {
  char character;
  std::array<std::uint8_t, k_glyph_height> rows;
};

constexpr std::array<Glyph, 16> k_font{{
    {'0', {0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111}},
    {'1', {0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110}},
    {'2', {0b11111, 0b00001, 0b00001, 0b11111, 0b10000, 0b10000, 0b11111}},
    {'3', {0b11111, 0b00001, 0b00001, 0b01111, 0b00001, 0b00001, 0b11111}},
    {'4', {0b10001, 0b10001, 0b10001, 0b11111, 0b00001, 0b00001, 0b00001}},
    {'5', {0b11111, 0b10000, 0b10000, 0b11111, 0b00001, 0b00001, 0b11111}},
    {'6', {0b11111, 0b10000, 0b10000, 0b11111, 0b10001, 0b10001, 0b11111}},
    {'7', {0b11111, 0b00001, 0b00010, 0b00100, 0b00100, 0b00100, 0b00100}},
    {'8', {0b11111, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b11111}},
    {'9', {0b11111, 0b10001, 0b10001, 0b11111, 0b00001, 0b00001, 0b11111}},
    {'-', {0b00000, 0b00000, 0b00000, 0b01110, 0b00000, 0b00000, 0b00000}},
    {':', {0b00000, 0b00100, 0b00100, 0b00000, 0b00100, 0b00100, 0b00000}},
    {'.', {0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100}},
    {'F', {0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000}},
    {'#', {0b01010, 0b11111, 0b01010, 0b01010, 0b01010, 0b11111, 0b01010}},
    {' ', {0, 0, 0, 0, 0, 0, 0}},
}};

const Glyph* find_glyph(char character) {
  for (const auto& glyph : k_font) {
    if (glyph.character == character) return &glyph;
  }
  return nullptr;
}

// "YYYY-MM-DD HH:MM:SS.mmm F" followed by up to this many frame digits.
constexpr int k_overlay_characters = 25 + 10;

struct Rgb {
  int r, g, b;
};

// Full-range BT.601, the sensor's output range.
std::uint8_t clamp_byte(double value) { return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L)); }

struct Yuv {
  std::uint8_t y, u, v;
};

Yuv to_yuv(Rgb rgb) {
  return {clamp_byte(0.299 * rgb.r + 0.587 * rgb.g + 0.114 * rgb.b),
          clamp_byte(128 - 0.168736 * rgb.r - 0.331264 * rgb.g + 0.5 * rgb.b),
          clamp_byte(128 + 0.5 * rgb.r - 0.418688 * rgb.g - 0.081312 * rgb.b)};
}

// Plane views over a frame's I420 buffer (or the background buffer, which has the same layout).
struct Planes {
  std::uint8_t* y;
  std::uint8_t* u;
  std::uint8_t* v;
  int width;
  int height;

  // Fills [x0, x1) x [y0, y1) clipped to the picture; chroma covers every 2x2 block touched.
  void fill(int x0, int y0, int x1, int y1, Yuv colour) const {
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, width);
    y1 = std::min(y1, height);
    if (x0 >= x1 || y0 >= y1) return;
    for (int row = y0; row < y1; ++row) std::memset(y + static_cast<std::ptrdiff_t>(row) * width + x0, colour.y, x1 - x0);
    const int chroma_width = width / 2;
    const int cx0 = x0 / 2, cx1 = (x1 + 1) / 2, cy0 = y0 / 2, cy1 = (y1 + 1) / 2;
    for (int row = cy0; row < cy1; ++row) {
      std::memset(u + static_cast<std::ptrdiff_t>(row) * chroma_width + cx0, colour.u, cx1 - cx0);
      std::memset(v + static_cast<std::ptrdiff_t>(row) * chroma_width + cx0, colour.v, cx1 - cx0);
    }
  }

  // A filled disc (wheels), chroma by the block centre.
  void disc(int centre_x, int centre_y, int radius, Yuv colour) const {
    const int r2 = radius * radius;
    for (int dy = -radius; dy <= radius; ++dy) {
      const int half = static_cast<int>(std::sqrt(static_cast<double>(r2 - dy * dy)));
      fill(centre_x - half, centre_y + dy, centre_x + half + 1, centre_y + dy + 1, colour);
    }
  }
};

Planes planes_of(hal::VideoFrame& frame) {
  return {frame.plane(0), frame.plane(1), frame.plane(2), frame.width(), frame.height()};
}

}  // namespace

RoadSceneSource::RoadSceneSource(RoadSceneOptions options, const hal::Clock& clock, FramePacer pacer)
    : options_(options), clock_(clock), pacer_(std::move(pacer)) {
  const auto& format = options_.format;
  if (format.width <= 0 || format.height <= 0 || format.width % 2 != 0 || format.height % 2 != 0) {
    throw std::invalid_argument("road scene size " + std::to_string(format.width) + "x" +
                                std::to_string(format.height) + " must be positive and even in both directions");
  }
  if (format.frame_rate.num <= 0 || format.frame_rate.den <= 0) {
    throw std::invalid_argument("road scene frame rate " + std::to_string(format.frame_rate.num) + "/" +
                                std::to_string(format.frame_rate.den) + " must be positive");
  }
  if (options_.vehicles < 0 || options_.vehicles > 1000) {
    throw std::invalid_argument("road scene vehicle count " + std::to_string(options_.vehicles) +
                                " must be 0..1000");
  }

  const int width = format.width;
  const int height = format.height;
  road_top_ = height * 53 / 100;
  road_bottom_ = std::max(road_top_ + lanes_, height * 93 / 100);
  lane_height_ = (road_bottom_ - road_top_) / lanes_;
  font_scale_ = std::max(1, height / 360);

  std::mt19937_64 random(options_.seed);
  build_background(random);

  // Two far lanes drive left, two near lanes drive right; cars and the odd van or truck.
  std::uniform_int_distribution<int> lane(0, lanes_ - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  constexpr std::array<Rgb, 8> palette{{{200, 30, 30},
                                        {30, 60, 180},
                                        {235, 235, 235},
                                        {25, 25, 25},
                                        {150, 150, 160},
                                        {230, 190, 40},
                                        {30, 130, 60},
                                        {120, 40, 110}}};
  for (int i = 0; i < options_.vehicles; ++i) {
    Vehicle vehicle;
    vehicle.lane = lane(random);
    vehicle.direction = vehicle.lane < lanes_ / 2 ? -1 : 1;
    vehicle.height = std::max(2, lane_height_ * 6 / 10);
    const double shape = unit(random);
    vehicle.length = static_cast<int>(vehicle.height * (shape < 0.7 ? 2.2 + shape : 3.2 + shape));
    vehicle.speed = width * (0.08 + 0.22 * unit(random));
    vehicle.start_x = (width + vehicle.length) * unit(random);
    const Rgb base = palette[static_cast<std::size_t>(unit(random) * palette.size()) % palette.size()];
    const double tint = 0.8 + 0.4 * unit(random);
    const Yuv colour = to_yuv({static_cast<int>(base.r * tint), static_cast<int>(base.g * tint),
                               static_cast<int>(base.b * tint)});
    vehicle.body = {colour.y, colour.u, colour.v};
    vehicles_.push_back(vehicle);
  }
  // Far lanes first, so nearer vehicles cover farther ones.
  std::stable_sort(vehicles_.begin(), vehicles_.end(), [](const Vehicle& a, const Vehicle& b) { return a.lane < b.lane; });
}

void RoadSceneSource::build_background(std::mt19937_64& random) {
  const int width = options_.format.width;
  const int height = options_.format.height;
  const std::size_t luma = static_cast<std::size_t>(width) * height;
  background_.assign(luma * 3 / 2, 0);
  const Planes planes{background_.data(), background_.data() + luma, background_.data() + luma + luma / 4, width,
                      height};
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  const int horizon = height * 36 / 100;
  const int grass_bottom = height * 46 / 100;
  const int sidewalk_bottom = height * 52 / 100;

  // Sky: a vertical gradient, deeper blue at the top.
  for (int row = 0; row < horizon; ++row) {
    const double t = static_cast<double>(row) / std::max(1, horizon);
    planes.fill(0, row, width, row + 1,
                to_yuv({static_cast<int>(90 + 100 * t), static_cast<int>(140 + 80 * t), static_cast<int>(220 + 25 * t)}));
  }
  // Skyline: buildings of random width and height with a grid of windows, some lit.
  for (int x = 0; x < width;) {
    const int building_width = std::max(4, static_cast<int>(width * (0.05 + 0.1 * unit(random))));
    const int top = static_cast<int>(height * (0.06 + 0.2 * unit(random)));
    const int grey = static_cast<int>(90 + 90 * unit(random));
    const Rgb wall{grey + 20, grey + 10, grey};
    planes.fill(x, top, x + building_width - std::max(1, width / 400), horizon, to_yuv(wall));
    const int window = std::max(2, height / 60);
    for (int wy = top + window; wy + window < horizon - window; wy += window * 2) {
      for (int wx = x + window; wx + window < x + building_width - window; wx += window * 2) {
        const bool lit = unit(random) < 0.3;
        planes.fill(wx, wy, wx + window, wy + window, to_yuv(lit ? Rgb{240, 220, 140} : Rgb{50, 60, 75}));
      }
    }
    x += building_width;
  }
  planes.fill(0, horizon, width, grass_bottom, to_yuv({70, 140, 60}));
  planes.fill(0, sidewalk_bottom, width, road_top_, to_yuv({120, 120, 115}));  // curb
  planes.fill(0, grass_bottom, width, sidewalk_bottom, to_yuv({185, 180, 170}));
  planes.fill(0, road_top_, width, road_bottom_, to_yuv({70, 70, 74}));
  planes.fill(0, road_bottom_, width, height, to_yuv({70, 140, 60}));

  // Sidewalk slab joints.
  const int slab = std::max(4, height / 25);
  const int joint = std::max(1, height / 540);
  for (int x = 0; x < width; x += slab) planes.fill(x, grass_bottom, x + joint, sidewalk_bottom, to_yuv({150, 148, 140}));

  // Fine texture on grass and asphalt, so that the encoder sees realistic detail.
  std::uniform_int_distribution<int> grass_noise(-14, 14);
  std::uniform_int_distribution<int> asphalt_noise(-7, 7);
  auto texture = [&](int first_row, int last_row, std::uniform_int_distribution<int>& noise) {
    for (int row = first_row; row < last_row; ++row) {
      std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(row) * width;
      for (int x = 0; x < width; ++x) line[x] = static_cast<std::uint8_t>(std::clamp(line[x] + noise(random), 0, 255));
    }
  };
  texture(horizon, grass_bottom, grass_noise);
  texture(road_bottom_, height, grass_noise);
  texture(road_top_, road_bottom_, asphalt_noise);

  // Lane markings: solid white edges, a double yellow centre line, dashed white lane lines.
  const int line = std::max(1, height / 200);
  const Yuv white = to_yuv({235, 235, 235});
  const Yuv yellow = to_yuv({230, 190, 30});
  planes.fill(0, road_top_ + line, width, road_top_ + 2 * line, white);
  planes.fill(0, road_bottom_ - 2 * line, width, road_bottom_ - line, white);
  const int centre = road_top_ + lane_height_ * (lanes_ / 2);
  planes.fill(0, centre - 2 * line, width, centre - line, yellow);
  planes.fill(0, centre + line, width, centre + 2 * line, yellow);
  const int dash = std::max(2, width / 25);
  for (int lane = 1; lane < lanes_; ++lane) {
    if (lane == lanes_ / 2) continue;
    const int y = road_top_ + lane_height_ * lane;
    for (int x = 0; x < width; x += dash * 2) planes.fill(x, y - line / 2, x + dash, y - line / 2 + line, white);
  }
}

hal::Nanos RoadSceneSource::frame_time(std::uint64_t index) const {
  // index * den / num seconds, split so that the product cannot overflow for any real run.
  const auto num = static_cast<std::uint64_t>(options_.format.frame_rate.num);
  const auto den = static_cast<std::uint64_t>(options_.format.frame_rate.den);
  constexpr std::uint64_t second = 1'000'000'000;
  const std::uint64_t whole = index / num;
  const std::uint64_t rest = index % num;
  return hal::Nanos{static_cast<std::int64_t>(whole * den * second + rest * den * second / num)};
}

hal::VideoFramePtr RoadSceneSource::read(std::stop_token stop) {
  if (stop.stop_requested()) return nullptr;
  const std::uint64_t index = next_index_;
  if (pacer_ && !pacer_(frame_time(index), stop)) return nullptr;
  if (stop.stop_requested()) return nullptr;
  ++next_index_;
  return render(index, clock_.wall_time());
}

hal::VideoFramePtr RoadSceneSource::render(std::uint64_t index, hal::WallTime wall) const {
  auto frame = std::make_shared<hal::VideoFrame>(options_.format.width, options_.format.height);
  std::memcpy(frame->plane(0), background_.data(), background_.size());
  frame->timestamp = frame_time(index);
  frame->sequence = index;
  // Positions follow the frame's own time, never the wall: the same seed gives the same video.
  const double seconds = std::chrono::duration<double>(frame->timestamp).count();
  for (const auto& vehicle : vehicles_) draw_vehicle(*frame, vehicle, seconds);
  draw_overlay(*frame, wall, index);
  return frame;
}

void RoadSceneSource::draw_vehicle(hal::VideoFrame& frame, const Vehicle& vehicle, double seconds) const {
  const Planes planes = planes_of(frame);
  const int width = options_.format.width;
  const double span = width + vehicle.length;
  const double travelled = std::fmod(vehicle.start_x + vehicle.speed * seconds, span);
  const int left = static_cast<int>(vehicle.direction > 0 ? travelled - vehicle.length : width - travelled);
  const int length = vehicle.length;
  const int height = vehicle.height;
  const int bottom = road_top_ + lane_height_ * vehicle.lane + lane_height_ * 85 / 100;
  const int top = bottom - height;
  const Yuv body{vehicle.body.y, vehicle.body.u, vehicle.body.v};
  const Yuv glass = to_yuv({40, 60, 90});
  const Yuv tyre = to_yuv({20, 20, 20});
  const Yuv headlight = to_yuv({250, 240, 200});
  const Yuv tail_light = to_yuv({210, 25, 25});

  // Lower body over the full length, cabin on the middle part; the windshield faces the way
  // the vehicle drives, so direction is visible in a still frame.
  const int waist = top + height * 45 / 100;
  const int wheel_radius = std::max(1, height * 18 / 100);
  planes.fill(left, waist, left + length, bottom - wheel_radius / 2, body);
  const int cabin_left = left + length * 18 / 100;
  const int cabin_right = left + length * 78 / 100;
  planes.fill(cabin_left, top, cabin_right, waist, body);
  const int pane = std::max(1, height / 12);
  const int windshield_width = (cabin_right - cabin_left) * 30 / 100;
  if (vehicle.direction > 0) {
    planes.fill(cabin_right - windshield_width, top + pane, cabin_right - pane, waist, glass);
    planes.fill(cabin_left + pane, top + pane, cabin_right - windshield_width - pane, waist - pane, glass);
    planes.fill(left + length - pane * 2, waist + pane, left + length, waist + pane * 3, headlight);
    planes.fill(left, waist + pane, left + pane * 2, waist + pane * 3, tail_light);
  } else {
    planes.fill(cabin_left + pane, top + pane, cabin_left + windshield_width, waist, glass);
    planes.fill(cabin_left + windshield_width + pane, top + pane, cabin_right - pane, waist - pane, glass);
    planes.fill(left, waist + pane, left + pane * 2, waist + pane * 3, headlight);
    planes.fill(left + length - pane * 2, waist + pane, left + length, waist + pane * 3, tail_light);
  }
  planes.disc(left + length * 20 / 100, bottom - wheel_radius, wheel_radius, tyre);
  planes.disc(left + length * 80 / 100, bottom - wheel_radius, wheel_radius, tyre);
}

RoadSceneSource::Box RoadSceneSource::overlay_box() const {
  const int margin = 2 * font_scale_;
  const int advance = (k_glyph_width + 1) * font_scale_;
  return {margin * 2, margin * 2, k_overlay_characters * advance + margin * 2, k_glyph_height * font_scale_ + margin * 2};
}

void RoadSceneSource::draw_overlay(hal::VideoFrame& frame, hal::WallTime wall, std::uint64_t index) const {
  using namespace std::chrono;
  const auto milliseconds_since_epoch = floor<milliseconds>(wall);
  const auto day = floor<days>(milliseconds_since_epoch);
  const year_month_day date{day};
  const hh_mm_ss time{milliseconds_since_epoch - day};
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d.%03d F%llu", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()),
                static_cast<unsigned long long>(index));

  const Planes planes = planes_of(frame);
  const Box box = overlay_box();
  planes.fill(box.x, box.y, box.x + box.width, box.y + box.height, Yuv{16, 128, 128});
  const int margin = 2 * font_scale_;
  const int advance = (k_glyph_width + 1) * font_scale_;
  int x = box.x + margin;
  const int y = box.y + margin;
  for (int i = 0; text[i] != '\0' && i < k_overlay_characters; ++i, x += advance) {
    const Glyph* glyph = find_glyph(text[i]);
    if (glyph == nullptr) continue;
    for (int row = 0; row < k_glyph_height; ++row) {
      for (int column = 0; column < k_glyph_width; ++column) {
        if ((glyph->rows[static_cast<std::size_t>(row)] >> (k_glyph_width - 1 - column) & 1) == 0) continue;
        const int px = x + column * font_scale_;
        const int py = y + row * font_scale_;
        planes.fill(px, py, px + font_scale_, py + font_scale_, Yuv{250, 128, 128});
      }
    }
  }
}

}  // namespace camrig::sim
