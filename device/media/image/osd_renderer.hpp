// Draws OSD text into I420 frames with FreeType (DejaVu Sans Mono). Owns the font face and a
// cache of rendered glyphs per size, so a line costs a few blends once its glyphs are cached.
// Also composes the date/time line in the manual's formats.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"
#include "device/media/image/image_settings.hpp"

namespace camrig::media::image {

inline constexpr const char* k_osd_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

struct YuvColour {
  std::uint8_t y = 255;
  std::uint8_t u = 128;
  std::uint8_t v = 128;
};

YuvColour yuv_from_rgb(std::uint32_t rgb);

//! A drawn line's pixel box (top-left, size), for tests and for placing the next line.
struct TextBox {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

class OsdRenderer {
 public:
  //! Opens the font; an error names the file when it is missing or unreadable.
  static Result<std::unique_ptr<OsdRenderer>> open(const std::string& font_path = k_osd_font_path);
  ~OsdRenderer();
  OsdRenderer(const OsdRenderer&) = delete;
  OsdRenderer& operator=(const OsdRenderer&) = delete;

  //! The pixel box `text` (UTF-8) takes at `pixel_size`, without drawing.
  TextBox measure(std::string_view text, int pixel_size);
  //! Draws `text` with its box's top-left at (x, y), moved inside the frame if it would not fit.
  //! `background` (not transparent mode) fills the box first.
  TextBox draw(hal::VideoFrame& frame, std::string_view text, int x, int y, int pixel_size, YuvColour colour,
               const YuvColour* background = nullptr);

  //! Draws every enabled line of `osd` for the picture taken at `wall_time`.
  void draw_osd(hal::VideoFrame& frame, const OsdSettings& osd, hal::WallTime wall_time);

  //! The font size "auto" picks for a picture `height` pixels high.
  static int automatic_font_size(int height);

 private:
  struct Glyph {
    int left = 0;     // from the pen position to the bitmap's left edge
    int top = 0;      // from the baseline up to the bitmap's top edge
    int width = 0;
    int rows = 0;
    int advance = 0;
    std::vector<std::uint8_t> alpha;
  };
  struct SizeMetrics {
    int ascender = 0;
    int line_height = 0;
  };
  struct Face;

  OsdRenderer() = default;
  const Glyph& glyph(char32_t code_point, int pixel_size);
  const SizeMetrics& metrics(int pixel_size);
  bool select_size(int pixel_size);

  std::unique_ptr<Face> face_;
  int selected_size_ = 0;
  std::unordered_map<std::uint64_t, Glyph> glyphs_;
  std::unordered_map<int, SizeMetrics> metrics_;
};

//! "2026-01-01 Thu 08:00:00" in the OSD's date format, 12/24-hour clock and week display.
std::string compose_date_line(const OsdSettings& osd, hal::WallTime wall_time);

}  // namespace camrig::media::image
