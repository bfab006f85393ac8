#include "sim/render/post_effects.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sim/render/textures.hpp"

namespace camrig::sim::render {
namespace {

inline std::uint8_t clamp_u8(int value) { return static_cast<std::uint8_t>(std::clamp(value, 0, 255)); }

// Unit-variance noise in 8.8 fixed point, long enough that a row starting anywhere in the first
// 64K entries never runs off the end.
constexpr int k_noise_period = 1 << 16;
const std::vector<std::int16_t>& noise_table() {
  static const std::vector<std::int16_t> table = [] {
    std::vector<std::int16_t> t(k_noise_period + 8192);
    std::uint64_t state = 0x2545f4914f6cdd1dULL;
    for (auto& value : t) {
      // Sum of four uniforms: variance 4/12, scaled to 1.
      double sum = 0;
      for (int k = 0; k < 4; ++k) {
        state = mix64(state);
        sum += unit(state) - 0.5;
      }
      value = static_cast<std::int16_t>(std::lround(sum * std::sqrt(3.0) * 256.0));
    }
    return t;
  }();
  return table;
}

// Blurs one plane of width x height with a box of `radius` along rows then columns.
void box_blur(std::uint8_t* data, int width, int height, int radius) {
  if (radius < 1) return;
  std::vector<std::uint8_t> line(static_cast<std::size_t>(std::max(width, height)));
  const int norm = 2 * radius + 1;
  auto blur = [&](std::uint8_t* first, int count, int step) {
    for (int i = 0; i < count; ++i) line[static_cast<std::size_t>(i)] = first[static_cast<std::ptrdiff_t>(i) * step];
    int sum = 0;
    for (int k = -radius; k <= radius; ++k) sum += line[static_cast<std::size_t>(std::clamp(k, 0, count - 1))];
    for (int i = 0; i < count; ++i) {
      first[static_cast<std::ptrdiff_t>(i) * step] = static_cast<std::uint8_t>((sum + norm / 2) / norm);
      sum += line[static_cast<std::size_t>(std::min(i + radius + 1, count - 1))] -
             line[static_cast<std::size_t>(std::max(i - radius, 0))];
    }
  };
  for (int r = 0; r < height; ++r) blur(data + static_cast<std::ptrdiff_t>(r) * width, width, 1);
  for (int c = 0; c < width; ++c) blur(data + c, height, width);
}

}  // namespace

double fog_amount(double fog, double distance) {
  if (fog <= 0) return 0;
  if (!std::isfinite(distance)) return std::min(1.0, fog * 1.2);
  return 1.0 - std::exp(-fog * distance / 12.0);
}

Rgb fog_colour() { return {196, 198, 200}; }

void apply_fog(const Planes& planes, const RowDepths& depths, double fog) {
  if (fog <= 0) return;
  const Yuv c = to_yuv(fog_colour());
  for (int r = 0; r < planes.height; ++r) {
    const int a = static_cast<int>(std::clamp(fog_amount(fog, depths[static_cast<std::size_t>(r)]), 0.0, 1.0) * 256);
    if (a == 0) continue;
    std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(r) * planes.width;
    for (int x = 0; x < planes.width; ++x) line[x] = static_cast<std::uint8_t>((line[x] * (256 - a) + c.y * a) >> 8);
    if (r % 2 == 0) {
      const int cw = planes.chroma_width();
      std::uint8_t* u = planes.u + static_cast<std::ptrdiff_t>(r / 2) * cw;
      std::uint8_t* v = planes.v + static_cast<std::ptrdiff_t>(r / 2) * cw;
      for (int x = 0; x < cw; ++x) {
        u[x] = static_cast<std::uint8_t>((u[x] * (256 - a) + c.u * a) >> 8);
        v[x] = static_cast<std::uint8_t>((v[x] * (256 - a) + c.v * a) >> 8);
      }
    }
  }
}

void apply_lighting(const Planes& planes, const RowDepths& depths, const Lighting& lighting) {
  const double level = std::max(0.0, lighting.level);
  if (lighting.mode == LightingMode::day && level == 1.0) return;
  const int cw = planes.chroma_width();
  // Per row: luma gain (8.8), chroma saturation (8.8) and warm shift of u and v.
  for (int r = 0; r < planes.height; ++r) {
    const double d = depths[static_cast<std::size_t>(r)];
    double gain = level, saturation = 1.0;
    int shift_u = 0, shift_v = 0;
    switch (lighting.mode) {
      case LightingMode::day: break;
      case LightingMode::dusk:
        gain *= 0.45;
        saturation = 0.8;
        shift_u = -7, shift_v = 6;
        break;
      case LightingMode::night_ir: {
        // The illuminator on the camera: inverse-square falloff, bright near field.
        const double lit = std::isfinite(d) ? std::min(1.1, std::pow(14.0 / std::max(d, 1.0), 2.0)) : 0.0;
        gain *= 0.05 + lit;
        saturation = 0.0;
        break;
      }
      case LightingMode::night_white_light: {
        const double lit = std::isfinite(d) ? std::min(1.1, std::pow(18.0 / std::max(d, 1.0), 2.0)) : 0.0;
        gain *= 0.07 + lit;
        saturation = 0.6;
        shift_u = -3, shift_v = 2;
        break;
      }
    }
    const int g = static_cast<int>(gain * 256);
    std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(r) * planes.width;
    for (int x = 0; x < planes.width; ++x) line[x] = clamp_u8((line[x] * g) >> 8);
    if (r % 2 == 0) {
      const int s = static_cast<int>(saturation * std::min(1.0, gain + 0.3) * 256);
      std::uint8_t* u = planes.u + static_cast<std::ptrdiff_t>(r / 2) * cw;
      std::uint8_t* v = planes.v + static_cast<std::ptrdiff_t>(r / 2) * cw;
      for (int x = 0; x < cw; ++x) {
        u[x] = clamp_u8(128 + (((u[x] - 128) * s) >> 8) + shift_u);
        v[x] = clamp_u8(128 + (((v[x] - 128) * s) >> 8) + shift_v);
      }
    }
  }
}

void apply_rain(const Planes& planes, double density, std::uint64_t seed) {
  if (density <= 0) return;
  const double scale = planes.height / 1080.0;
  const int count = static_cast<int>(std::min(1.0, density) * 900 * planes.width / 1920.0 * scale);
  std::uint64_t state = seed;
  for (int i = 0; i < count; ++i) {
    state = mix64(state + static_cast<std::uint64_t>(i));
    const double x = unit(state) * planes.width;
    const double y = unit(mix64(state ^ 1)) * planes.height;
    const double length = (18 + 30 * unit(mix64(state ^ 2))) * scale;
    const double thickness = std::max(1.0, 1.5 * scale);
    const double dx = length * 0.18, dy = length;
    const double n = thickness / 2;
    add_polygon_luma(planes, {{x - n, y}, {x + n, y}, {x + dx + n, y + dy}, {x + dx - n, y + dy}},
                     22 + static_cast<int>(20 * unit(mix64(state ^ 3))));
  }
}

void apply_motion_blur(const Planes& planes, ImageBox box, double dx, double dy) {
  const double travel = std::hypot(dx, dy);
  if (travel < 1.5 || box.empty()) return;
  const int taps = std::min(32, static_cast<int>(std::ceil(travel)) + 1);
  // Widen the box by the travel, so the smear spills over the background as it does on film.
  const int grow_x = static_cast<int>(std::ceil(std::abs(dx))) + 1, grow_y = static_cast<int>(std::ceil(std::abs(dy))) + 1;
  const int x0 = std::max(0, (box.x - grow_x) & ~1), y0 = std::max(0, (box.y - grow_y) & ~1);
  const int x1 = std::min(planes.width, box.x + box.width + grow_x), y1 = std::min(planes.height, box.y + box.height + grow_y);
  if (x1 <= x0 || y1 <= y0) return;
  auto blur = [&](std::uint8_t* data, int stride, int bx0, int by0, int bx1, int by1, double sx,
                  double sy) {
    const int w = bx1 - bx0, h = by1 - by0;
    std::vector<std::uint8_t> copy(static_cast<std::size_t>(w) * h);
    for (int r = 0; r < h; ++r) std::memcpy(&copy[static_cast<std::size_t>(r) * w], data + static_cast<std::ptrdiff_t>(by0 + r) * stride + bx0, static_cast<std::size_t>(w));
    std::vector<int> ox(static_cast<std::size_t>(taps)), oy(static_cast<std::size_t>(taps));
    for (int k = 0; k < taps; ++k) {
      const double t = taps == 1 ? 0 : static_cast<double>(k) / (taps - 1) - 0.5;
      ox[static_cast<std::size_t>(k)] = static_cast<int>(std::lround(t * sx));
      oy[static_cast<std::size_t>(k)] = static_cast<int>(std::lround(t * sy));
    }
    for (int r = 0; r < h; ++r) {
      std::uint8_t* line = data + static_cast<std::ptrdiff_t>(by0 + r) * stride + bx0;
      for (int c = 0; c < w; ++c) {
        int sum = 0;
        for (int k = 0; k < taps; ++k) {
          const int sr = std::clamp(r + oy[static_cast<std::size_t>(k)], 0, h - 1);
          const int sc = std::clamp(c + ox[static_cast<std::size_t>(k)], 0, w - 1);
          sum += copy[static_cast<std::size_t>(sr) * w + sc];
        }
        line[c] = static_cast<std::uint8_t>(sum / taps);
      }
    }
  };
  blur(planes.y, planes.width, x0, y0, x1, y1, dx, dy);
  const int cw = planes.chroma_width(), ch = planes.chroma_height();
  blur(planes.u, cw, x0 / 2, y0 / 2, std::min(cw, (x1 + 1) / 2), std::min(ch, (y1 + 1) / 2), dx / 2, dy / 2);
  blur(planes.v, cw, x0 / 2, y0 / 2, std::min(cw, (x1 + 1) / 2), std::min(ch, (y1 + 1) / 2), dx / 2, dy / 2);
}

void apply_defocus(const Planes& planes, double radius) {
  const int r = static_cast<int>(std::lround(radius / 2));
  if (r < 1) return;
  for (int pass = 0; pass < 2; ++pass) {
    box_blur(planes.y, planes.width, planes.height, r);
    box_blur(planes.u, planes.chroma_width(), planes.chroma_height(), std::max(1, r / 2));
    box_blur(planes.v, planes.chroma_width(), planes.chroma_height(), std::max(1, r / 2));
  }
}

void apply_cover(const Planes& planes, double covered) {
  const int a = static_cast<int>(std::clamp(covered, 0.0, 1.0) * 256);
  if (a == 0) return;
  // Light leaking round the hand: a faint vertical gradient, nearly uniform.
  for (int r = 0; r < planes.height; ++r) {
    const int dark = 8 + 10 * r / planes.height;
    std::uint8_t* line = planes.y + static_cast<std::ptrdiff_t>(r) * planes.width;
    for (int x = 0; x < planes.width; ++x) line[x] = static_cast<std::uint8_t>((line[x] * (256 - a) + dark * a) >> 8);
  }
  const std::size_t chroma = static_cast<std::size_t>(planes.chroma_width()) * planes.chroma_height();
  for (std::size_t i = 0; i < chroma; ++i) {
    planes.u[i] = static_cast<std::uint8_t>((planes.u[i] * (256 - a) + 128 * a) >> 8);
    planes.v[i] = static_cast<std::uint8_t>((planes.v[i] * (256 - a) + 128 * a) >> 8);
  }
}

// The per-pixel loop every rendered frame runs over Y, U and V: left out of the sanitizers, whose
// checks on each byte made it nearly half of a sanitized scenario run. Its bounds hold by
// construction: `width` bytes of the row, and at most 8192 table entries past a start below 64K.
// The noise added is (n * strength + 2^15) >> 16; with SSE2 it is computed on 16-bit lanes as the
// high half of n * strength plus the top bit of the low half (the same value, bit for bit), which
// keeps 16 pixels per step instead of widening to 32 bits.
__attribute__((no_sanitize("address", "undefined")))
void add_noise_row(std::uint8_t* line, int width, double sigma, std::uint64_t hash) {
  const auto& table = noise_table();
  const int strength = std::clamp(static_cast<int>(sigma * 256), 0, 32767);
  // Rows longer than the spare tail of the table go through it in chunks.
  int x = 0;
  while (x < width) {
    const std::int16_t* n = table.data() + (hash & (k_noise_period - 1));
    const int end = std::min(width, x + 8192);
    int i = 0;
#if defined(__SSE2__)
    const __m128i s = _mm_set1_epi16(static_cast<std::int16_t>(strength));
    const __m128i zero = _mm_setzero_si128();
    const auto noise = [&](const std::int16_t* at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      return _mm_add_epi16(_mm_mulhi_epi16(v, s), _mm_srli_epi16(_mm_mullo_epi16(v, s), 15));
    };
    for (; x + 16 <= end; x += 16, i += 16) {
      __m128i* at = reinterpret_cast<__m128i*>(line + x);
      const __m128i pixels = _mm_loadu_si128(at);
      const __m128i low = _mm_add_epi16(_mm_unpacklo_epi8(pixels, zero), noise(n + i));
      const __m128i high = _mm_add_epi16(_mm_unpackhi_epi8(pixels, zero), noise(n + i + 8));
      _mm_storeu_si128(at, _mm_packus_epi16(low, high));
    }
#endif
    for (; x < end; ++x, ++i) line[x] = clamp_u8(line[x] + ((n[i] * strength + (1 << 15)) >> 16));
    hash = mix64(hash);
  }
}

void apply_noise(const Planes& planes, double sigma, std::uint64_t seed) {
  if (sigma <= 0) return;
  auto noisy_plane = [&](std::uint8_t* data, int width, int height, double strength, std::uint64_t salt) {
    for (int r = 0; r < height; ++r) {
      add_noise_row(data + static_cast<std::ptrdiff_t>(r) * width, width, strength,
                    mix64(seed ^ (salt + static_cast<std::uint64_t>(r) * 0x9e3779b97f4a7c15ULL)));
    }
  };
  noisy_plane(planes.y, planes.width, planes.height, sigma, 0);
  noisy_plane(planes.u, planes.chroma_width(), planes.chroma_height(), sigma / 2, 1ULL << 40);
  noisy_plane(planes.v, planes.chroma_width(), planes.chroma_height(), sigma / 2, 2ULL << 40);
}

void apply_compression(const Planes& planes, int quality) {
  if (quality <= 0) return;
  quality = std::clamp(quality, 1, 100);
  static constexpr std::array<int, 64> luma_table{16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                                                  14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                                                  18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                                                  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  static constexpr std::array<int, 64> chroma_table{17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
                                                    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
                                                    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                                                    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  static const std::array<double, 64> basis = [] {
    std::array<double, 64> b{};
    for (int k = 0; k < 8; ++k)
      for (int n = 0; n < 8; ++n)
        b[static_cast<std::size_t>(k * 8 + n)] =
            (k == 0 ? std::sqrt(0.125) : 0.5) * std::cos((2 * n + 1) * k * std::numbers::pi / 16.0);
    return b;
  }();
  auto quantise = [&](std::uint8_t* data, int width, int height, const std::array<int, 64>& table) {
    std::array<double, 64> step{};
    for (std::size_t i = 0; i < 64; ++i) step[i] = std::max(1, (table[i] * scale + 50) / 100);
    double block[64], tmp[64];
    for (int by = 0; by + 8 <= height; by += 8) {
      for (int bx = 0; bx + 8 <= width; bx += 8) {
        for (int r = 0; r < 8; ++r)
          for (int c = 0; c < 8; ++c) block[r * 8 + c] = data[static_cast<std::ptrdiff_t>(by + r) * width + bx + c] - 128.0;
        // Forward DCT: rows then columns.
        for (int r = 0; r < 8; ++r)
          for (int k = 0; k < 8; ++k) {
            double s = 0;
            for (int n = 0; n < 8; ++n) s += basis[static_cast<std::size_t>(k * 8 + n)] * block[r * 8 + n];
            tmp[r * 8 + k] = s;
          }
        for (int c = 0; c < 8; ++c)
          for (int k = 0; k < 8; ++k) {
            double s = 0;
            for (int n = 0; n < 8; ++n) s += basis[static_cast<std::size_t>(k * 8 + n)] * tmp[n * 8 + c];
            const double q = step[static_cast<std::size_t>(k * 8 + c)];
            block[k * 8 + c] = std::round(s / q) * q;
          }
        // Inverse: columns then rows.
        for (int c = 0; c < 8; ++c)
          for (int n = 0; n < 8; ++n) {
            double s = 0;
            for (int k = 0; k < 8; ++k) s += basis[static_cast<std::size_t>(k * 8 + n)] * block[k * 8 + c];
            tmp[n * 8 + c] = s;
          }
        for (int r = 0; r < 8; ++r)
          for (int n = 0; n < 8; ++n) {
            double s = 0;
            for (int k = 0; k < 8; ++k) s += basis[static_cast<std::size_t>(k * 8 + n)] * tmp[r * 8 + k];
            data[static_cast<std::ptrdiff_t>(by + r) * width + bx + n] = clamp_u8(static_cast<int>(std::lround(s + 128.0)));
          }
      }
    }
  };
  quantise(planes.y, planes.width, planes.height, luma_table);
  quantise(planes.u, planes.chroma_width(), planes.chroma_height(), chroma_table);
  quantise(planes.v, planes.chroma_width(), planes.chroma_height(), chroma_table);
}

}  // namespace camrig::sim::render
