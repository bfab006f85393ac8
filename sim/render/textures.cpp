#include "sim/render/textures.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "device/core/log.hpp"

namespace camrig::sim::render {
namespace {

constexpr const char* k_font_dir = "/usr/share/fonts/truetype/dejavu/";

// Paints a solid rectangle into all channels of a texture.
void fill_rect(Texture& t, int x0, int y0, int x1, int y1, Rgb colour) {
  const Yuv c = to_yuv(colour);
  for (int r = std::max(0, y0); r < std::min(t.height, y1); ++r) {
    for (int x = std::max(0, x0); x < std::min(t.width, x1); ++x) {
      const std::size_t i = static_cast<std::size_t>(r) * t.width + x;
      t.y[i] = c.y, t.u[i] = c.u, t.v[i] = c.v;
    }
  }
}

double gauss(double x, double y, double cx, double cy, double sx, double sy) {
  const double dx = (x - cx) / sx, dy = (y - cy) / sy;
  return std::exp(-0.5 * (dx * dx + dy * dy));
}

}  // namespace

std::uint64_t mix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

double unit(std::uint64_t hash) { return static_cast<double>(hash >> 11) * (1.0 / 9007199254740992.0); }

struct PlateRasteriser::Fonts {
  FT_Library library = nullptr;
  FT_Face condensed = nullptr;  // EU plates: narrow, many characters
  FT_Face regular = nullptr;    // US plates: seven wide characters
  ~Fonts() {
    if (condensed) FT_Done_Face(condensed);
    if (regular) FT_Done_Face(regular);
    if (library) FT_Done_FreeType(library);
  }
};

PlateRasteriser::PlateRasteriser() : fonts_(std::make_unique<Fonts>()) {
  auto log = log::get("sim.render");
  if (FT_Init_FreeType(&fonts_->library) != 0) {
    log->error("FreeType failed to initialise: licence plates are drawn without characters");
    return;
  }
  const std::string condensed = std::string(k_font_dir) + "DejaVuSansCondensed-Bold.ttf";
  const std::string regular = std::string(k_font_dir) + "DejaVuSans-Bold.ttf";
  if (FT_New_Face(fonts_->library, condensed.c_str(), 0, &fonts_->condensed) != 0) fonts_->condensed = nullptr;
  if (FT_New_Face(fonts_->library, regular.c_str(), 0, &fonts_->regular) != 0) fonts_->regular = nullptr;
  // Debian ships the two faces in different packages.
  if (!fonts_->condensed) {
    log->error("plate font {} not found: install the package fonts-dejavu-extra; EU licence plates are drawn "
               "without characters",
               condensed);
  }
  if (!fonts_->regular) {
    log->error("plate font {} not found: install the package fonts-dejavu-core; US licence plates are drawn "
               "without characters",
               regular);
  }
}

PlateRasteriser::~PlateRasteriser() = default;

bool PlateRasteriser::has_font() const { return fonts_->condensed && fonts_->regular; }

Texture PlateRasteriser::rasterise(const std::string& text, PlateFormat format) const {
  // Texels per millimetre: enough for a plate filling a 4K frame's width to stay sharp.
  const bool eu = format == PlateFormat::eu;
  const int mm = eu ? 2 : 3;
  const int width = (eu ? 520 : 305) * mm;
  const int height = (eu ? 110 : 152) * mm;
  Texture t;
  t.resize(width, height);
  const Rgb paper{238, 238, 232};
  const Rgb ink{22, 22, 26};
  fill_rect(t, 0, 0, width, height, Rgb{30, 30, 30});
  const int border = 2 * mm;
  fill_rect(t, border, border, width - border, height - border, paper);
  int text_left = 5 * mm;
  int text_top = 0;
  int text_bottom = height;
  if (eu) {
    // The blue band on the left; its country letters are left out so OCR reads only the registration.
    const int band = 40 * mm;
    fill_rect(t, border, border, band, height - border, Rgb{0, 51, 153});
    text_left = band + 4 * mm;
    text_top = 14 * mm;
    text_bottom = height - 14 * mm;
  } else {
    fill_rect(t, border, border, width - border, border + 16 * mm, Rgb{40, 70, 150});
    text_top = 34 * mm;
    text_bottom = height - 28 * mm;
  }
  const int text_right = width - 5 * mm;
  FT_Face face = eu ? fonts_->condensed : fonts_->regular;
  if (face == nullptr || text.empty()) {
    t.build_levels(24);
    return t;
  }
  // Cap height of DejaVu is ~0.73 em: size the em so capitals fill the text band, then shrink
  // to the available width when the text is long.
  const int cap = text_bottom - text_top;
  int pixel_size = static_cast<int>(cap / 0.73);
  auto measure = [&](int size) {
    FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(size));
    long advance = 0;
    for (unsigned char c : text) {
      if (FT_Load_Char(face, c, FT_LOAD_DEFAULT) != 0) continue;
      advance += face->glyph->advance.x >> 6;
    }
    return advance;
  };
  long advance = measure(pixel_size);
  const int available = text_right - text_left;
  double squeeze = 1.0;
  if (advance > available) {
    // Narrow the letters rather than shrinking them, as plate fonts do.
    squeeze = static_cast<double>(available) / advance;
    if (squeeze < 0.7) {
      pixel_size = static_cast<int>(pixel_size * squeeze / 0.7);
      squeeze = 0.7;
      advance = measure(pixel_size);
      squeeze = std::min(1.0, static_cast<double>(available) / std::max(1L, advance));
    }
  }
  FT_Matrix matrix{static_cast<FT_Fixed>(squeeze * 0x10000), 0, 0, 0x10000};
  FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixel_size));
  FT_Set_Transform(face, &matrix, nullptr);
  const double total = advance * squeeze;
  double pen = text_left + (available - total) / 2.0;
  const int baseline = text_bottom;
  const Yuv ink_yuv = to_yuv(ink);
  for (unsigned char c : text) {
    // Plate fonts stand every character on the line: DejaVu's J and Q reach below it, where a
    // plate's J has its hook inside the character height. Such a glyph is drawn squeezed into
    // the height from its top to the baseline.
    FT_Matrix glyph_matrix = matrix;
    FT_Vector lift{0, 0};
    if (FT_Load_Char(face, c, FT_LOAD_DEFAULT) == 0) {
      const FT_Glyph_Metrics& m = face->glyph->metrics;
      const long top = m.horiBearingY, below = m.height - m.horiBearingY;
      if (below > 32 && top > 0) {
        const double keep = static_cast<double>(top) / static_cast<double>(top + below);
        glyph_matrix.yy = static_cast<FT_Fixed>(keep * 0x10000);
        lift.y = static_cast<FT_Pos>(std::lround(below * keep));
      }
    }
    FT_Set_Transform(face, &glyph_matrix, &lift);
    if (FT_Load_Char(face, c, FT_LOAD_RENDER) != 0) continue;
    const FT_GlyphSlot g = face->glyph;
    const int gx = static_cast<int>(std::lround(pen)) + g->bitmap_left;
    const int gy = baseline - g->bitmap_top;
    for (unsigned r = 0; r < g->bitmap.rows; ++r) {
      for (unsigned col = 0; col < g->bitmap.width; ++col) {
        const int x = gx + static_cast<int>(col), y = gy + static_cast<int>(r);
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const int a = g->bitmap.buffer[r * static_cast<unsigned>(g->bitmap.pitch) + col];
        const std::size_t i = static_cast<std::size_t>(y) * width + x;
        t.y[i] = static_cast<std::uint8_t>((ink_yuv.y * a + t.y[i] * (255 - a)) / 255);
        t.u[i] = static_cast<std::uint8_t>((ink_yuv.u * a + t.u[i] * (255 - a)) / 255);
        t.v[i] = static_cast<std::uint8_t>((ink_yuv.v * a + t.v[i] * (255 - a)) / 255);
      }
    }
    pen += g->advance.x / 64.0;
  }
  FT_Set_Transform(face, nullptr, nullptr);
  t.build_levels(24);
  return t;
}

Rgb skin_colour(std::uint64_t appearance) {
  // From very light to very dark, evenly, so tests cover every tone.
  static constexpr std::array<Rgb, 6> tones{
      {{236, 200, 176}, {224, 178, 150}, {198, 150, 118}, {165, 117, 86}, {125, 84, 58}, {92, 62, 44}}};
  return tones[mix64(appearance ^ 0x51u) % tones.size()];
}

Rgb hair_colour(std::uint64_t appearance) {
  static constexpr std::array<Rgb, 5> colours{{{30, 24, 20}, {70, 50, 35}, {120, 90, 55}, {20, 20, 22}, {150, 150, 150}}};
  return colours[mix64(appearance ^ 0x4a1u) % colours.size()];
}

Texture face_texture(std::uint64_t appearance, bool glasses, double yaw_degrees) {
  constexpr int w = 96, h = 132;  // 0.16 x 0.22 m
  Texture t;
  t.resize(w, h);
  const Rgb skin = skin_colour(appearance);
  const Rgb hair = hair_colour(appearance);
  const Rgb lips = mix(skin, Rgb{150, 60, 60}, 0.35);
  auto r = [&](unsigned salt) { return unit(mix64(appearance * 0x9e37u + salt)); };
  const double eye_y = 0.40 + 0.04 * (r(1) - 0.5);
  const double eye_x = 0.36 + 0.06 * (r(2) - 0.5);
  const double brow_y = eye_y - 0.085 - 0.02 * r(3);
  const double mouth_y = 0.76 + 0.04 * (r(4) - 0.5);
  const double mouth_w = 0.26 + 0.08 * r(5);
  const double hairline = 0.10 + 0.08 * r(6);
  const double nose_len = 0.62 + 0.04 * (r(7) - 0.5);
  const double brow_dark = 0.45 + 0.2 * r(8);
  // A turned head is a vertical cylinder through the face's sides: the point at angle phi on it is
  // seen at sin(phi - yaw), so the features crowd towards the side the face turns to and the far
  // side shows the skin and hair drawn behind the texture.
  const double yaw = yaw_degrees * std::numbers::pi / 180.0;
  for (int py = 0; py < h; ++py) {
    for (int px = 0; px < w; ++px) {
      const std::size_t i = static_cast<std::size_t>(py) * w + px;
      const double seen = std::asin(std::clamp((px + 0.5) / w * 2.0 - 1.0, -1.0, 1.0)) + yaw;
      if (std::abs(seen) >= std::numbers::pi / 2) {
        t.alpha[i] = 0;
        continue;
      }
      const double u = std::sin(seen);  // -1 left .. 1 right on the unturned face
      const double v = (py + 0.5) / h;  // 0 top .. 1 chin
      const double ox = u / 0.98, oy = (v - 0.5) / 0.52;
      const double oval = ox * ox + oy * oy;
      if (oval > 1.0) {
        t.alpha[i] = 0;
        continue;
      }
      // Overhead light: the forehead is brightest, the jaw and the sides turn away.
      double f = 1.06 - 0.18 * v - 0.30 * std::pow(std::abs(u), 3.0);
      f += 0.10 * gauss(u, v, 0, 0.24, 0.45, 0.08);                                   // forehead
      f -= (1 - brow_dark) * (gauss(u, v, -eye_x - 0.02, brow_y, 0.17, 0.03) + gauss(u, v, eye_x + 0.02, brow_y, 0.17, 0.03));
      f -= 0.30 * gauss(u, v, 0, eye_y, 0.75, 0.055);                                  // eye socket band
      f -= 0.45 * (gauss(u, v, -eye_x, eye_y, 0.13, 0.035) + gauss(u, v, eye_x, eye_y, 0.13, 0.035));  // eyes
      f += 0.22 * gauss(u, v, 0, (eye_y + nose_len) / 2, 0.07, 0.12);                  // nose bridge
      f -= 0.14 * (gauss(u, v, -0.15, nose_len - 0.03, 0.05, 0.07) + gauss(u, v, 0.15, nose_len - 0.03, 0.05, 0.07));
      f -= 0.28 * gauss(u, v, 0, nose_len + 0.04, 0.14, 0.022);                         // under the nose
      f += 0.08 * (gauss(u, v, -0.45, 0.6, 0.15, 0.08) + gauss(u, v, 0.45, 0.6, 0.15, 0.08));  // cheeks
      const double mouth = gauss(u, v, 0, mouth_y, mouth_w, 0.022);
      f -= 0.40 * mouth;
      f -= 0.20 * gauss(u, v, 0, mouth_y + 0.09, 0.25, 0.03);                          // under the lip
      f -= 0.25 * std::clamp((v - 0.9) / 0.1, 0.0, 1.0);                                 // chin shadow
      Rgb colour = mix(skin, lips, std::min(1.0, mouth * 1.3));
      colour = scale(colour, std::max(0.05, f));
      // Hair above the hairline and down the temples.
      const double hair_edge = hairline + 0.12 * u * u;
      if (v < hair_edge || (std::abs(u) > 0.86 && v < 0.45)) colour = scale(hair, 1.0 - 0.3 * v);
      if (glasses) {
        // Dark full-rim frames round each eye, a bridge over the nose and the arms to the temples;
        // the lenses are lightly tinted.
        const double lens_x = std::abs(std::abs(u) - eye_x) / 0.25, lens_y = (v - eye_y) / 0.075;
        const double lens = std::hypot(lens_x, lens_y);
        const bool rim = lens >= 0.78 && lens <= 1.0;
        const bool bridge = std::abs(u) < eye_x - 0.2 && std::abs(v - (eye_y - 0.02)) < 0.016;
        const bool arm = std::abs(u) > eye_x + 0.24 && std::abs(v - (eye_y - 0.03)) < 0.014;
        if (rim || bridge || arm) colour = Rgb{28, 26, 30};
        else if (lens < 0.78) colour = scale(colour, 0.8);
      }
      const Yuv c = to_yuv(colour);
      t.y[i] = c.y, t.u[i] = c.u, t.v[i] = c.v;
      // Soft oval edge.
      t.alpha[i] = static_cast<std::uint8_t>(std::clamp((1.0 - oval) * 12.0, 0.0, 1.0) * 255);
    }
  }
  t.build_levels(12);
  return t;
}

}  // namespace camrig::sim::render
