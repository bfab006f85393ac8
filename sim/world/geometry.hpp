// Plain value types for the simulated world's geometry. World space is metric and right-handed:
// x east (right, seen from a camera at pan 0), y north (away from such a camera), z up; the
// ground is z = 0. Headings are in radians from +y, clockwise seen from above (towards +x).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace camrig::sim {

struct Vec2 {
  double x = 0;
  double y = 0;
  friend Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
  friend Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
  friend Vec2 operator*(Vec2 a, double s) { return {a.x * s, a.y * s}; }
  friend bool operator==(const Vec2&, const Vec2&) = default;
};

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
  friend Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
  friend Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
  friend Vec3 operator*(Vec3 a, double s) { return {a.x * s, a.y * s, a.z * s}; }
  friend bool operator==(const Vec3&, const Vec3&) = default;
};

inline double dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline Vec3 cross(Vec3 a, Vec3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
inline double length(Vec3 a) { return std::sqrt(dot(a, a)); }

//! Unit vector on the ground for a heading (0 = +y, pi/2 = +x).
inline Vec2 heading_vector(double heading) { return {std::sin(heading), std::cos(heading)}; }

//! An sRGB colour.
struct Rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

//! A point in image pixels: x right, y down, (0, 0) the top-left corner of the top-left pixel.
struct Pixel {
  double x = 0;
  double y = 0;
};

//! An axis-aligned box in image pixels (integer, clipped to the frame where stated).
struct ImageBox {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool empty() const { return width <= 0 || height <= 0; }
  friend bool operator==(const ImageBox&, const ImageBox&) = default;
};

using Polygon2 = std::vector<Vec2>;

}  // namespace camrig::sim
