// Rasterising primitives for the renderer, straight into I420 planes: colour conversion,
// even-odd scanline polygon fill (luma at full resolution, chroma at half), world polygons clipped
// at the camera's near plane, and perspective-correct texture mapping through a homography.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "device/hal/video_frame.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/geometry.hpp"

namespace camrig::sim::render {

struct Yuv {
  std::uint8_t y = 0;
  std::uint8_t u = 128;
  std::uint8_t v = 128;
};

//! Full-range BT.601, the sensor's output range.
Yuv to_yuv(Rgb rgb);
//! `rgb` with every channel multiplied by `factor` (shading), clamped.
Rgb scale(Rgb rgb, double factor);
Rgb mix(Rgb a, Rgb b, double t);

//! A view over I420 planes of `width` x `height` (even), strides width and width / 2.
struct Planes {
  std::uint8_t* y = nullptr;
  std::uint8_t* u = nullptr;
  std::uint8_t* v = nullptr;
  int width = 0;
  int height = 0;

  static Planes of(hal::VideoFrame& frame);
  static Planes of(std::vector<std::uint8_t>& buffer, int width, int height);
  int chroma_width() const { return width / 2; }
  int chroma_height() const { return height / 2; }
};

//! Fills a polygon in image pixels (even-odd rule, pixel centres inside are painted).
void fill_polygon(const Planes& planes, const std::vector<Pixel>& polygon, Yuv colour);
//! Offsets into the luma and chroma planes of the pixels fill_polygon paints for `polygon`.
struct Coverage {
  std::vector<std::size_t> luma;
  std::vector<std::size_t> chroma;
};
Coverage coverage(const Planes& planes, const std::vector<Pixel>& polygon);
//! Fills a polygon on the luma plane only, adding `delta` (texture, shading streaks).
void add_polygon_luma(const Planes& planes, const std::vector<Pixel>& polygon, int delta);
//! Fills an axis-aligned ellipse.
void fill_ellipse(const Planes& planes, Pixel centre, double radius_x, double radius_y, Yuv colour);
//! A line of `thickness` pixels between two points.
void draw_line(const Planes& planes, Pixel a, Pixel b, double thickness, Yuv colour);

//! Projects a world polygon, clipped at the near plane; empty when nothing is in front.
std::vector<Pixel> project_polygon(const CameraModel& camera, const std::vector<Vec3>& world);

//! An I420-like texture at full resolution in all three channels, with coverage (alpha) and
//! half-size levels for minification so that small plates do not alias.
struct Texture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> y, u, v, alpha;
  std::vector<Texture> levels;  //!< levels[i] is 2^(i+1) times smaller

  void resize(int w, int h);
  void build_levels(int min_width);
};

//! Maps `texture` onto the image quadrilateral `corners` (texture top-left, top-right,
//! bottom-right, bottom-left) with perspective (homography) and bilinear sampling. `shade`
//! multiplies luma (lighting of the surface), in 1/256 units.
void map_texture(const Planes& planes, const Texture& texture, const std::array<Pixel, 4>& corners, int shade = 256);

}  // namespace camrig::sim::render
