// The LPR camera's picture OSD (LPR manual "Configure Picture OSD"): the black bar, up to 8 title
// boxes of info items (time, plate, location, custom, ...), and how their text is composed and
// wrapped. Pure text rules, no pixels: the picture composer draws what this composes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::traffic {

enum class OsdBar { above, below, none };

//! The info types of an OSD item. `date` is the date part of `time` alone, as in the manual's
//! separator example "2024-11-04|A12345".
enum class OsdInfo { time, date, plate, location, custom, direction, plate_colour, vehicle_colour, vehicle_type, confidence, event_type };

struct OsdItem {
  OsdInfo info = OsdInfo::time;
  bool with_ms = false;  //!< time only: "09:58:41.123"
  std::string prefix;
  std::string suffix;
  std::string content;   //!< location and custom only: the fixed text
  int delimiters = 1;    //!< "Delimiter Quantity": separators between this item and the next (0..4)
  std::optional<std::string> separator;  //!< overrides the OSD Separator after this item
  bool line_feed = false;  //!< "Line Feed": the next item starts a new line
};

struct TitleBox {
  double x = 0;  //!< left edge, 0..1 of the picture width
  double y = 0;  //!< top edge, 0..1 of the picture height (without a bar only)
  int font_size = 0;                     //!< pixels; 0 = the OSD's font size
  std::optional<std::uint32_t> colour;   //!< 0xRRGGBB; unset = the OSD's font colour
  std::vector<OsdItem> items;
};

struct PictureOsdSettings {
  OsdBar bar = OsdBar::below;
  int font_size = 32;
  std::uint32_t colour = 0xFFFFFF;
  std::string separator = "|";
  bool word_wrap = true;
  std::vector<TitleBox> boxes;

  static constexpr std::size_t k_max_boxes = 8;
  static constexpr std::size_t k_max_items = 16;
  static constexpr int k_max_delimiters = 4;
};

//! What the items show for one capture.
struct PictureFacts {
  hal::WallTime local_time{};  //!< capture time in the camera's time zone
  std::string plate;           //!< "" = unlicensed
  std::string direction;       //!< "approaching", "leaving", "unknown"
  std::string plate_colour;
  std::string vehicle_colour;
  std::string vehicle_type;
  double confidence = 0;       //!< 0..1
  std::string event_type = "LPR";
};

//! The OSD Separator choices, by their config name ("vertical_bar") → text ("|").
std::optional<std::string> separator_text(std::string_view name);
std::optional<OsdInfo> osd_info_from_string(std::string_view name);
//! "#RRGGBB" → 0xRRGGBB; nullopt for anything else.
std::optional<std::uint32_t> parse_osd_colour(std::string_view text);
std::string_view to_string(OsdInfo info);

//! Parses the title boxes (JSON, as in `pictures.osd.title_boxes`); errors name the box and item.
Result<std::vector<TitleBox>> parse_title_boxes(std::string_view json);
std::string title_boxes_json(const std::vector<TitleBox>& boxes);
//! The OSD settings from `pictures.osd.*`.
Result<PictureOsdSettings> picture_osd_from_config(const core::ConfigService& config);

//! The value one item shows, with its prefix and suffix.
std::string compose_item(const OsdItem& item, const PictureFacts& facts);
//! A title box's text lines: items joined by their separators (the item's own, else the OSD's),
//! repeated `delimiters` times, a new line after an item with `line_feed`.
std::vector<std::string> compose_title_lines(const TitleBox& box, const std::string& separator, const PictureFacts& facts);

//! Width in pixels of a UTF-8 text; the composer gives the font's measure.
using TextWidth = std::function<int(std::string_view)>;
//! Fits lines into `max_width` pixels. With word wrap, a long line continues on the next line,
//! broken after the last space or separator that fits (mid-word when none does); without, it is
//! cut at the edge. A line always keeps at least one character.
std::vector<std::string> fit_lines(const std::vector<std::string>& lines, int max_width, bool word_wrap,
                                   const std::string& separator, const TextWidth& width);

}  // namespace camrig::traffic
