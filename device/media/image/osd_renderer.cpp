#include "device/media/image/osd_renderer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace camrig::media::image {

struct OsdRenderer::Face {
  FT_Library library = nullptr;
  FT_Face face = nullptr;
  ~Face() {
    if (face) FT_Done_Face(face);
    if (library) FT_Done_FreeType(library);
  }
};

namespace {

// Decodes UTF-8; a malformed byte becomes '?' so a bad title never stops the OSD.
std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> result;
  result.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    char32_t value = extra <= 0 ? lead : lead & (0x3F >> extra);
    bool valid = extra >= 0 && i + static_cast<std::size_t>(extra) < text.size();
    for (int k = 1; valid && k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      valid = (next & 0xC0) == 0x80;
      value = (value << 6) | (next & 0x3F);
    }
    result.push_back(valid ? value : U'?');
    i += valid ? static_cast<std::size_t>(extra) + 1 : 1;
  }
  return result;
}

std::uint8_t blend(std::uint8_t under, std::uint8_t over, unsigned alpha) {
  return static_cast<std::uint8_t>((over * alpha + under * (255 - alpha) + 127) / 255);
}

int to_pixels(double normalised, int size) { return static_cast<int>(std::lround(std::clamp(normalised, 0.0, 1.0) * size)); }

}  // namespace

YuvColour yuv_from_rgb(std::uint32_t rgb) {
  const int r = static_cast<int>((rgb >> 16) & 0xFF), g = static_cast<int>((rgb >> 8) & 0xFF), b = static_cast<int>(rgb & 0xFF);
  const auto clamp = [](int value) { return static_cast<std::uint8_t>(std::clamp(value, 0, 255)); };
  return {clamp((77 * r + 150 * g + 29 * b + 128) >> 8), clamp(((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128),
          clamp(((128 * r - 107 * g - 21 * b + 128) >> 8) + 128)};
}

Result<std::unique_ptr<OsdRenderer>> OsdRenderer::open(const std::string& font_path) {
  std::unique_ptr<OsdRenderer> renderer(new OsdRenderer());
  renderer->face_ = std::make_unique<Face>();
  if (FT_Init_FreeType(&renderer->face_->library) != 0)
    return make_error(ErrorCode::internal, "OSD: FreeType could not start");
  if (FT_New_Face(renderer->face_->library, font_path.c_str(), 0, &renderer->face_->face) != 0)
    return make_error(ErrorCode::not_found, "OSD: cannot load the font " + font_path + " (install fonts-dejavu-core)");
  return renderer;
}

OsdRenderer::~OsdRenderer() = default;

int OsdRenderer::automatic_font_size(int height) { return std::max(12, height / 30); }

bool OsdRenderer::select_size(int pixel_size) {
  if (selected_size_ == pixel_size) return true;
  if (FT_Set_Pixel_Sizes(face_->face, 0, static_cast<FT_UInt>(pixel_size)) != 0) return false;
  selected_size_ = pixel_size;
  return true;
}

const OsdRenderer::SizeMetrics& OsdRenderer::metrics(int pixel_size) {
  if (auto it = metrics_.find(pixel_size); it != metrics_.end()) return it->second;
  SizeMetrics metrics{pixel_size, pixel_size};
  if (select_size(pixel_size)) {
    metrics.ascender = static_cast<int>(face_->face->size->metrics.ascender >> 6);
    metrics.line_height = static_cast<int>((face_->face->size->metrics.ascender - face_->face->size->metrics.descender) >> 6);
  }
  return metrics_.emplace(pixel_size, metrics).first->second;
}

const OsdRenderer::Glyph& OsdRenderer::glyph(char32_t code_point, int pixel_size) {
  const auto key = (static_cast<std::uint64_t>(pixel_size) << 32) | code_point;
  if (auto it = glyphs_.find(key); it != glyphs_.end()) return it->second;
  Glyph glyph;
  if (select_size(pixel_size) && FT_Load_Char(face_->face, code_point, FT_LOAD_RENDER) == 0) {
    const auto* slot = face_->face->glyph;
    glyph.left = slot->bitmap_left;
    glyph.top = slot->bitmap_top;
    glyph.width = static_cast<int>(slot->bitmap.width);
    glyph.rows = static_cast<int>(slot->bitmap.rows);
    glyph.advance = static_cast<int>(slot->advance.x >> 6);
    glyph.alpha.resize(static_cast<std::size_t>(glyph.width) * glyph.rows);
    for (int row = 0; row < glyph.rows; ++row)
      std::copy_n(slot->bitmap.buffer + static_cast<std::ptrdiff_t>(row) * slot->bitmap.pitch, glyph.width,
                  glyph.alpha.begin() + static_cast<std::ptrdiff_t>(row) * glyph.width);
  }
  return glyphs_.emplace(key, std::move(glyph)).first->second;
}

TextBox OsdRenderer::measure(std::string_view text, int pixel_size) {
  int width = 0;
  for (const char32_t code_point : code_points(text)) width += glyph(code_point, pixel_size).advance;
  return {0, 0, width, metrics(pixel_size).line_height};
}

TextBox OsdRenderer::draw(hal::VideoFrame& frame, std::string_view text, int x, int y, int pixel_size, YuvColour colour,
                          const YuvColour* background) {
  const auto points = code_points(text);
  TextBox box = measure(text, pixel_size);
  // Keep the line inside the picture, on even coordinates so chroma lines up with luma.
  box.x = std::clamp(x, 0, std::max(0, frame.width() - box.width)) & ~1;
  box.y = std::clamp(y, 0, std::max(0, frame.height() - box.height)) & ~1;
  box.width = std::min(box.width, frame.width() - box.x);
  box.height = std::min(box.height, frame.height() - box.y);
  auto* luma = frame.plane(0);
  auto* cb = frame.plane(1);
  auto* cr = frame.plane(2);
  const int luma_stride = frame.stride(0);
  const int chroma_stride = frame.stride(1);
  if (background) {
    for (int row = box.y; row < box.y + box.height; ++row)
      std::fill_n(luma + static_cast<std::ptrdiff_t>(row) * luma_stride + box.x, box.width, background->y);
    for (int row = box.y / 2; row < (box.y + box.height) / 2; ++row) {
      std::fill_n(cb + static_cast<std::ptrdiff_t>(row) * chroma_stride + box.x / 2, box.width / 2, background->u);
      std::fill_n(cr + static_cast<std::ptrdiff_t>(row) * chroma_stride + box.x / 2, box.width / 2, background->v);
    }
  }
  const int baseline = box.y + metrics(pixel_size).ascender;
  int pen = box.x;
  const int right = box.x + box.width;
  const int bottom = box.y + box.height;
  for (const char32_t code_point : points) {
    const auto& shape = glyph(code_point, pixel_size);
    const int left = pen + shape.left;
    const int top = baseline - shape.top;
    for (int row = 0; row < shape.rows; ++row) {
      const int py = top + row;
      if (py < box.y || py >= bottom) continue;
      const auto* alpha = shape.alpha.data() + static_cast<std::ptrdiff_t>(row) * shape.width;
      auto* line = luma + static_cast<std::ptrdiff_t>(py) * luma_stride;
      for (int column = 0; column < shape.width; ++column) {
        const int px = left + column;
        const unsigned a = alpha[column];
        if (a == 0 || px < box.x || px >= right) continue;
        line[px] = blend(line[px], colour.y, a);
        // One chroma sample per 2 x 2 block, taken from its top-left luma position.
        if (((px | py) & 1) == 0) {
          const auto at = static_cast<std::ptrdiff_t>(py / 2) * chroma_stride + px / 2;
          cb[at] = blend(cb[at], colour.u, a);
          cr[at] = blend(cr[at], colour.v, a);
        }
      }
    }
    pen += shape.advance;
  }
  return box;
}

void OsdRenderer::draw_osd(hal::VideoFrame& frame, const OsdSettings& osd, hal::WallTime wall_time) {
  const bool flashing = osd.display_mode == OsdDisplayMode::transparent_flashing ||
                        osd.display_mode == OsdDisplayMode::not_transparent_flashing;
  // Flashing text shows for half of each second of the device's wall time.
  if (flashing) {
    const auto into_second = wall_time.time_since_epoch() % std::chrono::seconds(1);
    if (into_second >= std::chrono::milliseconds(500)) return;
  }
  const bool boxed = osd.display_mode == OsdDisplayMode::not_transparent ||
                     osd.display_mode == OsdDisplayMode::not_transparent_flashing;
  const int size = osd.font_size > 0 ? osd.font_size : automatic_font_size(frame.height());

  const auto draw_line = [&](const std::string& text, double nx, double ny) {
    if (text.empty()) return;
    const int x = to_pixels(nx, frame.width());
    const int y = to_pixels(ny, frame.height());
    YuvColour colour = yuv_from_rgb(osd.colour_rgb);
    if (osd.self_adaptive_colour) {
      // Black on a bright background, white on a dark one: the mean luma under the line decides.
      auto box = measure(text, size);
      const int x0 = std::clamp(x, 0, std::max(0, frame.width() - box.width)) & ~1;
      const int y0 = std::clamp(y, 0, std::max(0, frame.height() - box.height)) & ~1;
      const int x1 = std::min(frame.width(), x0 + box.width);
      const int y1 = std::min(frame.height(), y0 + box.height);
      std::uint64_t sum = 0, count = 0;
      for (int row = y0; row < y1; row += 4)
        for (int column = x0; column < x1; column += 4, ++count)
          sum += frame.plane(0)[static_cast<std::ptrdiff_t>(row) * frame.stride(0) + column];
      const bool bright = count > 0 && sum / count >= 128;
      colour = bright ? YuvColour{0, 128, 128} : YuvColour{255, 128, 128};
    }
    const YuvColour background = colour.y >= 128 ? YuvColour{0, 128, 128} : YuvColour{255, 128, 128};
    draw(frame, text, x, y, size, colour, boxed ? &background : nullptr);
  };

  if (osd.channel_name.enabled) draw_line(osd.channel_name.text, osd.channel_name.x, osd.channel_name.y);
  if (osd.show_date) draw_line(compose_date_line(osd, wall_time), osd.date_x, osd.date_y);
  for (const auto& text : osd.texts)
    if (text.enabled) draw_line(text.text, text.x, text.y);
}

std::string compose_date_line(const OsdSettings& osd, hal::WallTime wall_time) {
  using namespace std::chrono;
  const auto day = floor<days>(wall_time);
  const year_month_day date{day};
  const hh_mm_ss time{floor<seconds>(wall_time - day)};
  const int y = static_cast<int>(date.year());
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  const char separator = osd.date_format.find('/') != std::string::npos ? '/' : '-';
  char buffer[64];
  if (osd.date_format.starts_with("MM"))
    std::snprintf(buffer, sizeof buffer, "%02u%c%02u%c%04d", m, separator, d, separator, y);
  else if (osd.date_format.starts_with("DD"))
    std::snprintf(buffer, sizeof buffer, "%02u%c%02u%c%04d", d, separator, m, separator, y);
  else
    std::snprintf(buffer, sizeof buffer, "%04d%c%02u%c%02u", y, separator, m, separator, d);
  std::string line = buffer;
  if (osd.show_week) {
    static constexpr std::array<const char*, 7> k_week = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    line += ' ';
    line += k_week[weekday{day}.c_encoding()];
  }
  const auto hours = static_cast<unsigned>(time.hours().count());
  const auto minutes = static_cast<unsigned>(time.minutes().count());
  const auto secs = static_cast<unsigned>(time.seconds().count());
  if (osd.clock_12_hour)
    std::snprintf(buffer, sizeof buffer, " %02u:%02u:%02u %s", hours % 12 == 0 ? 12 : hours % 12, minutes, secs,
                  hours < 12 ? "AM" : "PM");
  else
    std::snprintf(buffer, sizeof buffer, " %02u:%02u:%02u", hours, minutes, secs);
  return line + buffer;
}

}  // namespace camrig::media::image
