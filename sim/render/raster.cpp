#include "sim/render/raster.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace camrig::sim::render {
namespace {

std::uint8_t clamp_byte(double value) { return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L)); }

// Calls span(row, x0, x1) for every run of pixel centres inside `polygon` scaled by `scale`,
// clipped to width x height. Even-odd rule, so self-overlapping outlines still fill sensibly.
template <typename Span>
void for_each_span(const std::vector<Pixel>& polygon, double scale, int width, int height, Span&& span) {
  const std::size_t n = polygon.size();
  if (n < 3) return;
  double top = 1e300, bottom = -1e300;
  for (const auto& p : polygon) {
    top = std::min(top, p.y * scale);
    bottom = std::max(bottom, p.y * scale);
  }
  const int first = std::max(0, static_cast<int>(std::ceil(top - 0.5)));
  const int last = std::min(height, static_cast<int>(std::ceil(bottom - 0.5)));
  std::vector<double> xs;
  xs.reserve(8);
  for (int row = first; row < last; ++row) {
    const double y = row + 0.5;
    xs.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const Pixel a{polygon[i].x * scale, polygon[i].y * scale};
      const Pixel b{polygon[(i + 1) % n].x * scale, polygon[(i + 1) % n].y * scale};
      if ((a.y <= y && y < b.y) || (b.y <= y && y < a.y)) xs.push_back(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
      const int x0 = std::max(0, static_cast<int>(std::ceil(std::max(xs[i], -1.0) - 0.5)));
      const int x1 = std::min(width, static_cast<int>(std::ceil(std::min(xs[i + 1], width + 1.0) - 0.5)));
      if (x0 < x1) span(row, x0, x1);
    }
  }
}

// Solves the 8x8 system of a homography mapping src[i] -> dst[i]; false when degenerate.
bool homography(const std::array<Pixel, 4>& src, const std::array<Pixel, 4>& dst, double h[9]) {
  double a[8][9] = {};
  for (int i = 0; i < 4; ++i) {
    const double x = src[i].x, y = src[i].y, u = dst[i].x, v = dst[i].y;
    double* r0 = a[2 * i];
    double* r1 = a[2 * i + 1];
    r0[0] = x, r0[1] = y, r0[2] = 1, r0[6] = -u * x, r0[7] = -u * y, r0[8] = u;
    r1[3] = x, r1[4] = y, r1[5] = 1, r1[6] = -v * x, r1[7] = -v * y, r1[8] = v;
  }
  for (int c = 0; c < 8; ++c) {
    int pivot = c;
    for (int r = c + 1; r < 8; ++r)
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    if (std::abs(a[pivot][c]) < 1e-12) return false;
    if (pivot != c)
      for (int k = 0; k < 9; ++k) std::swap(a[c][k], a[pivot][k]);
    for (int r = 0; r < 8; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int k = c; k < 9; ++k) a[r][k] -= f * a[c][k];
    }
  }
  for (int i = 0; i < 8; ++i) h[i] = a[i][8] / a[i][i];
  h[8] = 1;
  return true;
}

// Bilinear sample of one channel at texel coordinates (u, v) (texel centres at +0.5).
inline int sample(const std::vector<std::uint8_t>& channel, int width, int height, double u, double v) {
  const double fx = std::clamp(u - 0.5, 0.0, width - 1.0);
  const double fy = std::clamp(v - 0.5, 0.0, height - 1.0);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
  const int wx = static_cast<int>((fx - x0) * 256), wy = static_cast<int>((fy - y0) * 256);
  const std::uint8_t* r0 = channel.data() + static_cast<std::size_t>(y0) * width;
  const std::uint8_t* r1 = channel.data() + static_cast<std::size_t>(y1) * width;
  const int top = r0[x0] * (256 - wx) + r0[x1] * wx;
  const int bottom = r1[x0] * (256 - wx) + r1[x1] * wx;
  return (top * (256 - wy) + bottom * wy + (1 << 15)) >> 16;
}

}  // namespace

Yuv to_yuv(Rgb rgb) {
  return {clamp_byte(0.299 * rgb.r + 0.587 * rgb.g + 0.114 * rgb.b),
          clamp_byte(128 - 0.168736 * rgb.r - 0.331264 * rgb.g + 0.5 * rgb.b),
          clamp_byte(128 + 0.5 * rgb.r - 0.418688 * rgb.g - 0.081312 * rgb.b)};
}

Rgb scale(Rgb rgb, double factor) {
  return {clamp_byte(rgb.r * factor), clamp_byte(rgb.g * factor), clamp_byte(rgb.b * factor)};
}

Rgb mix(Rgb a, Rgb b, double t) {
  return {clamp_byte(a.r + (b.r - a.r) * t), clamp_byte(a.g + (b.g - a.g) * t), clamp_byte(a.b + (b.b - a.b) * t)};
}

Planes Planes::of(hal::VideoFrame& frame) {
  return {frame.plane(0), frame.plane(1), frame.plane(2), frame.width(), frame.height()};
}

Planes Planes::of(std::vector<std::uint8_t>& buffer, int width, int height) {
  const std::size_t luma = static_cast<std::size_t>(width) * height;
  buffer.resize(luma * 3 / 2);
  return {buffer.data(), buffer.data() + luma, buffer.data() + luma + luma / 4, width, height};
}

void fill_polygon(const Planes& planes, const std::vector<Pixel>& polygon, Yuv colour) {
  for_each_span(polygon, 1.0, planes.width, planes.height, [&](int row, int x0, int x1) {
    std::memset(planes.y + static_cast<std::ptrdiff_t>(row) * planes.width + x0, colour.y, x1 - x0);
  });
  const int cw = planes.chroma_width();
  for_each_span(polygon, 0.5, cw, planes.chroma_height(), [&](int row, int x0, int x1) {
    std::memset(planes.u + static_cast<std::ptrdiff_t>(row) * cw + x0, colour.u, x1 - x0);
    std::memset(planes.v + static_cast<std::ptrdiff_t>(row) * cw + x0, colour.v, x1 - x0);
  });
}

Coverage coverage(const Planes& planes, const std::vector<Pixel>& polygon) {
  Coverage c;
  for_each_span(polygon, 1.0, planes.width, planes.height, [&](int row, int x0, int x1) {
    for (int x = x0; x < x1; ++x) c.luma.push_back(static_cast<std::size_t>(row) * planes.width + x);
  });
  const int cw = planes.chroma_width();
  for_each_span(polygon, 0.5, cw, planes.chroma_height(), [&](int row, int x0, int x1) {
    for (int x = x0; x < x1; ++x) c.chroma.push_back(static_cast<std::size_t>(row) * cw + x);
  });
  return c;
}

void add_polygon_luma(const Planes& planes, const std::vector<Pixel>& polygon, int delta) {
  for_each_span(polygon, 1.0, planes.width, planes.height, [&](int row, int x0, int x1) {
    std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(row) * planes.width;
    for (int x = x0; x < x1; ++x) line[x] = static_cast<std::uint8_t>(std::clamp(line[x] + delta, 0, 255));
  });
}

void fill_ellipse(const Planes& planes, Pixel centre, double radius_x, double radius_y, Yuv colour) {
  if (radius_x <= 0 || radius_y <= 0) return;
  // A polygon fine enough that the outline looks round at the size drawn.
  const int segments = std::clamp(static_cast<int>(std::max(radius_x, radius_y)), 8, 48);
  std::vector<Pixel> outline(static_cast<std::size_t>(segments));
  for (int i = 0; i < segments; ++i) {
    const double a = 2.0 * std::numbers::pi * i / segments;
    outline[static_cast<std::size_t>(i)] = {centre.x + radius_x * std::cos(a), centre.y + radius_y * std::sin(a)};
  }
  fill_polygon(planes, outline, colour);
}

void draw_line(const Planes& planes, Pixel a, Pixel b, double thickness, Yuv colour) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len = std::hypot(dx, dy);
  if (len < 1e-9) return;
  const double nx = -dy / len * thickness / 2, ny = dx / len * thickness / 2;
  fill_polygon(planes, {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}},
               colour);
}

std::vector<Pixel> project_polygon(const CameraModel& camera, const std::vector<Vec3>& world) {
  // Sutherland-Hodgman against z = near (with a margin so projection never rejects a clip point).
  const double near = CameraModel::near_plane * 1.01;
  std::vector<Pixel> out;
  const std::size_t n = world.size();
  if (n < 3) return out;
  std::vector<double> depth(n);
  for (std::size_t i = 0; i < n; ++i) depth[i] = camera.to_camera(world[i]).z - near;
  out.reserve(n + 2);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = (i + 1) % n;
    const bool in_i = depth[i] >= 0, in_j = depth[j] >= 0;
    if (in_i) {
      if (const auto p = camera.project(world[i])) out.push_back(*p);
    }
    if (in_i != in_j) {
      const double t = depth[i] / (depth[i] - depth[j]);
      if (const auto p = camera.project(world[i] + (world[j] - world[i]) * t)) out.push_back(*p);
    }
  }
  if (out.size() < 3) out.clear();
  return out;
}

void Texture::resize(int w, int h) {
  width = w;
  height = h;
  const std::size_t n = static_cast<std::size_t>(w) * h;
  y.assign(n, 0);
  u.assign(n, 128);
  v.assign(n, 128);
  alpha.assign(n, 255);
  levels.clear();
}

void Texture::build_levels(int min_width) {
  levels.clear();
  const Texture* source = this;
  while (source->width / 2 >= min_width && source->height / 2 >= 2) {
    Texture next;
    next.resize(source->width / 2, source->height / 2);
    auto halve = [&](const std::vector<std::uint8_t>& from, std::vector<std::uint8_t>& to) {
      for (int r = 0; r < next.height; ++r) {
        for (int c = 0; c < next.width; ++c) {
          const std::size_t a = static_cast<std::size_t>(2 * r) * source->width + 2 * c;
          const std::size_t b = a + source->width;
          to[static_cast<std::size_t>(r) * next.width + c] =
              static_cast<std::uint8_t>((from[a] + from[a + 1] + from[b] + from[b + 1] + 2) / 4);
        }
      }
    };
    halve(source->y, next.y);
    halve(source->u, next.u);
    halve(source->v, next.v);
    halve(source->alpha, next.alpha);
    levels.push_back(std::move(next));
    source = &levels.back();
  }
}

void map_texture(const Planes& planes, const Texture& base, const std::array<Pixel, 4>& corners, int shade) {
  if (base.width <= 0 || base.height <= 0) return;
  // Pick the level whose texels are about the size of the pixels they land on.
  const double screen_width = std::max(std::hypot(corners[1].x - corners[0].x, corners[1].y - corners[0].y),
                                       std::hypot(corners[2].x - corners[3].x, corners[2].y - corners[3].y));
  const Texture* texture = &base;
  for (const auto& level : base.levels) {
    if (level.width < screen_width * 1.4) break;
    texture = &level;
  }
  const int w = texture->width, h = texture->height;
  const std::array<Pixel, 4> tex{Pixel{0, 0}, Pixel{double(w), 0}, Pixel{double(w), double(h)}, Pixel{0, double(h)}};
  double m[9];
  if (!homography(corners, tex, m)) return;
  const std::vector<Pixel> outline(corners.begin(), corners.end());
  // Texture coordinates of an image point; false outside the quad.
  auto lookup = [&](double x, double y, double& u, double& v) {
    const double d = m[6] * x + m[7] * y + m[8];
    if (std::abs(d) < 1e-12) return false;
    u = (m[0] * x + m[1] * y + m[2]) / d;
    v = (m[3] * x + m[4] * y + m[5]) / d;
    return u >= 0 && v >= 0 && u <= w && v <= h;
  };
  for_each_span(outline, 1.0, planes.width, planes.height, [&](int row, int x0, int x1) {
    std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(row) * planes.width;
    for (int x = x0; x < x1; ++x) {
      double u, v;
      if (!lookup(x + 0.5, row + 0.5, u, v)) continue;
      const int a = sample(texture->alpha, w, h, u, v);
      if (a == 0) continue;
      const int value = std::min(255, (sample(texture->y, w, h, u, v) * shade) >> 8);
      line[x] = static_cast<std::uint8_t>((value * a + line[x] * (255 - a) + 127) / 255);
    }
  });
  const int cw = planes.chroma_width();
  for_each_span(outline, 0.5, cw, planes.chroma_height(), [&](int row, int x0, int x1) {
    std::uint8_t* line_u = planes.u + static_cast<std::ptrdiff_t>(row) * cw;
    std::uint8_t* line_v = planes.v + static_cast<std::ptrdiff_t>(row) * cw;
    for (int x = x0; x < x1; ++x) {
      double u, v;
      if (!lookup(2.0 * x + 1.0, 2.0 * row + 1.0, u, v)) continue;
      const int a = sample(texture->alpha, w, h, u, v);
      if (a == 0) continue;
      line_u[x] = static_cast<std::uint8_t>((sample(texture->u, w, h, u, v) * a + line_u[x] * (255 - a) + 127) / 255);
      line_v[x] = static_cast<std::uint8_t>((sample(texture->v, w, h, u, v) * a + line_v[x] * (255 - a) + 127) / 255);
    }
  });
}

}  // namespace camrig::sim::render
