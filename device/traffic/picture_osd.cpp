#include "device/traffic/picture_osd.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace camrig::traffic {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> k_separators{{
    {"vertical_bar", "|"},
    {"space", " "},
    {"comma", ","},
    {"semicolon", ";"},
    {"colon", ":"},
    {"slash", "/"},
    {"hyphen", "-"},
    {"underscore", "_"},
    {"none", ""},
}};

constexpr std::array<std::pair<OsdInfo, std::string_view>, 11> k_infos{{
    {OsdInfo::time, "time"},
    {OsdInfo::date, "date"},
    {OsdInfo::plate, "plate"},
    {OsdInfo::location, "location"},
    {OsdInfo::custom, "custom"},
    {OsdInfo::direction, "direction"},
    {OsdInfo::plate_colour, "plate_colour"},
    {OsdInfo::vehicle_colour, "vehicle_colour"},
    {OsdInfo::vehicle_type, "vehicle_type"},
    {OsdInfo::confidence, "confidence"},
    {OsdInfo::event_type, "event_type"},
}};

std::string capitalised(std::string text) {
  if (!text.empty() && text.front() >= 'a' && text.front() <= 'z') text.front() = static_cast<char>(text.front() - 'a' + 'A');
  return text;
}

std::optional<std::uint32_t> parse_colour_text(std::string_view text) {
  if (text.size() != 7 || text.front() != '#') return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text.substr(1)) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return value;
}

std::string separator_name(std::string_view text) {
  for (const auto& [name, value] : k_separators)
    if (value == text) return std::string(name);
  return "none";
}

// Byte length of the UTF-8 sequence starting with `lead` (1 for stray continuation bytes, so a
// damaged text still advances).
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

std::string trim_left(std::string text) {
  const auto first = text.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : text.substr(first);
}

}  // namespace

std::optional<std::string> separator_text(std::string_view name) {
  for (const auto& [key, value] : k_separators)
    if (key == name) return std::string(value);
  return std::nullopt;
}

std::optional<std::uint32_t> parse_osd_colour(std::string_view text) { return parse_colour_text(text); }

std::optional<OsdInfo> osd_info_from_string(std::string_view name) {
  for (const auto& [info, key] : k_infos)
    if (key == name) return info;
  return std::nullopt;
}

std::string_view to_string(OsdInfo info) {
  for (const auto& [value, key] : k_infos)
    if (value == info) return key;
  return "custom";
}

Result<std::vector<TitleBox>> parse_title_boxes(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_array()) return make_error(ErrorCode::invalid_argument, "picture OSD title boxes: expected a JSON array of boxes");
  if (doc.size() > PictureOsdSettings::k_max_boxes)
    return make_error(ErrorCode::out_of_range, fmt::format("picture OSD: at most {} title boxes", PictureOsdSettings::k_max_boxes));
  std::vector<TitleBox> boxes;
  for (std::size_t b = 0; b < doc.size(); ++b) {
    const auto& node = doc[b];
    const std::string where = fmt::format("picture OSD title box {}", b + 1);
    if (!node.is_object()) return make_error(ErrorCode::invalid_argument, where + ": expected an object");
    TitleBox box;
    try {
      box.x = node.value("x", 0.0);
      box.y = node.value("y", 0.0);
      box.font_size = node.value("font_size", 0);
      if (auto colour = node.value("colour", std::string()); !colour.empty()) {
        box.colour = parse_colour_text(colour);
        if (!box.colour) return make_error(ErrorCode::invalid_argument, where + ": colour must be #RRGGBB, not \"" + colour + "\"");
      }
      if (!(box.x >= 0 && box.x < 1 && box.y >= 0 && box.y < 1))
        return make_error(ErrorCode::out_of_range, where + ": x and y must be from 0 to below 1 (fractions of the picture)");
      if (box.font_size != 0 && (box.font_size < 12 || box.font_size > 128))
        return make_error(ErrorCode::out_of_range, where + ": font size must be 0 (the OSD's) or 12 to 128");
      const auto items = node.value("items", nlohmann::json::array());
      if (!items.is_array() || items.size() > PictureOsdSettings::k_max_items)
        return make_error(ErrorCode::out_of_range,
                          fmt::format("{}: items must be a list of at most {}", where, PictureOsdSettings::k_max_items));
      for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& entry = items[i];
        const std::string item_where = fmt::format("{} item {}", where, i + 1);
        if (!entry.is_object()) return make_error(ErrorCode::invalid_argument, item_where + ": expected an object");
        OsdItem item;
        const auto name = entry.value("info", std::string());
        auto info = osd_info_from_string(name);
        if (!info) return make_error(ErrorCode::invalid_argument, item_where + ": unknown info type \"" + name + "\"");
        item.info = *info;
        item.with_ms = entry.value("with_ms", false);
        item.prefix = entry.value("prefix", std::string());
        item.suffix = entry.value("suffix", std::string());
        item.content = entry.value("content", std::string());
        item.delimiters = entry.value("delimiters", 1);
        item.line_feed = entry.value("line_feed", false);
        if (item.delimiters < 0 || item.delimiters > PictureOsdSettings::k_max_delimiters)
          return make_error(ErrorCode::out_of_range,
                            fmt::format("{}: delimiter quantity must be 0 to {}", item_where, PictureOsdSettings::k_max_delimiters));
        if (item.with_ms && item.info != OsdInfo::time)
          return make_error(ErrorCode::invalid_argument, item_where + ": \"with ms\" applies to Time only");
        if (!item.content.empty() && item.info != OsdInfo::location && item.info != OsdInfo::custom)
          return make_error(ErrorCode::invalid_argument, item_where + ": contents apply to Location and Custom only");
        if (auto separator = entry.value("separator", std::string()); !separator.empty()) {
          item.separator = separator_text(separator);
          if (!item.separator) return make_error(ErrorCode::invalid_argument, item_where + ": unknown separator \"" + separator + "\"");
        }
        box.items.push_back(std::move(item));
      }
    } catch (const nlohmann::json::exception&) {
      return make_error(ErrorCode::invalid_argument, where + ": a field has the wrong type");
    }
    boxes.push_back(std::move(box));
  }
  return boxes;
}

std::string title_boxes_json(const std::vector<TitleBox>& boxes) {
  auto doc = nlohmann::json::array();
  for (const auto& box : boxes) {
    nlohmann::json node = {{"x", box.x}, {"y", box.y}, {"font_size", box.font_size}};
    if (box.colour) node["colour"] = fmt::format("#{:06X}", *box.colour);
    auto items = nlohmann::json::array();
    for (const auto& item : box.items) {
      nlohmann::json entry = {{"info", to_string(item.info)}, {"delimiters", item.delimiters}};
      if (item.with_ms) entry["with_ms"] = true;
      if (!item.prefix.empty()) entry["prefix"] = item.prefix;
      if (!item.suffix.empty()) entry["suffix"] = item.suffix;
      if (!item.content.empty()) entry["content"] = item.content;
      if (item.separator) entry["separator"] = separator_name(*item.separator);
      if (item.line_feed) entry["line_feed"] = true;
      items.push_back(std::move(entry));
    }
    node["items"] = std::move(items);
    doc.push_back(std::move(node));
  }
  return doc.dump();
}

Result<PictureOsdSettings> picture_osd_from_config(const core::ConfigService& config) {
  PictureOsdSettings settings;
  const auto bar = config.get_string("pictures.osd.bar");
  settings.bar = bar == "above" ? OsdBar::above : bar == "none" ? OsdBar::none : OsdBar::below;
  settings.font_size = static_cast<int>(config.get_int("pictures.osd.font_size"));
  const auto colour_text = config.get_string("pictures.osd.font_colour");
  auto colour = parse_colour_text(colour_text);
  if (!colour) return make_error(ErrorCode::invalid_argument, "picture OSD font colour must be #RRGGBB, not \"" + colour_text + "\"");
  settings.colour = *colour;
  settings.separator = separator_text(config.get_string("pictures.osd.separator")).value_or("|");
  settings.word_wrap = config.get_bool("pictures.osd.word_wrap");
  auto boxes = parse_title_boxes(config.get_string("pictures.osd.title_boxes"));
  if (!boxes) return boxes.error();
  settings.boxes = std::move(*boxes);
  return settings;
}

std::string compose_item(const OsdItem& item, const PictureFacts& facts) {
  std::string value;
  const auto seconds = std::chrono::floor<std::chrono::seconds>(facts.local_time);
  // local_time is already in the camera's zone: format it as is, never through the host's zone.
  const std::tm calendar = fmt::gmtime(std::chrono::system_clock::to_time_t(seconds));
  switch (item.info) {
    case OsdInfo::time: {
      value = fmt::format("{:%Y-%m-%d %H:%M:%S}", calendar);
      if (item.with_ms)
        value += fmt::format(".{:03d}", std::chrono::duration_cast<std::chrono::milliseconds>(facts.local_time - seconds).count());
      break;
    }
    case OsdInfo::date: value = fmt::format("{:%Y-%m-%d}", calendar); break;
    case OsdInfo::plate: value = facts.plate.empty() ? "Unlicensed" : facts.plate; break;
    case OsdInfo::location:
    case OsdInfo::custom: value = item.content; break;
    case OsdInfo::direction:
      value = facts.direction == "approaching" ? "Approaching" : facts.direction == "leaving" ? "Departing" : "Unknown";
      break;
    case OsdInfo::plate_colour: value = capitalised(facts.plate_colour.empty() ? "unknown" : facts.plate_colour); break;
    case OsdInfo::vehicle_colour: value = capitalised(facts.vehicle_colour.empty() ? "unknown" : facts.vehicle_colour); break;
    case OsdInfo::vehicle_type: value = capitalised(facts.vehicle_type.empty() ? "unknown" : facts.vehicle_type); break;
    case OsdInfo::confidence: value = fmt::format("{}%", static_cast<int>(std::lround(facts.confidence * 100))); break;
    case OsdInfo::event_type: value = facts.event_type; break;
  }
  return item.prefix + value + item.suffix;
}

std::vector<std::string> compose_title_lines(const TitleBox& box, const std::string& separator, const PictureFacts& facts) {
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t i = 0; i < box.items.size(); ++i) {
    const auto& item = box.items[i];
    line += compose_item(item, facts);
    if (i + 1 == box.items.size()) break;
    if (item.line_feed) {
      lines.push_back(std::move(line));
      line.clear();
      continue;
    }
    const auto& between = item.separator ? *item.separator : separator;
    for (int d = 0; d < item.delimiters; ++d) line += between;
  }
  if (!line.empty() || !box.items.empty()) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> fit_lines(const std::vector<std::string>& lines, int max_width, bool word_wrap,
                                   const std::string& separator, const TextWidth& width) {
  std::vector<std::string> fitted;
  for (const auto& original : lines) {
    std::string rest = original;
    while (true) {
      if (rest.empty() || width(rest) <= max_width) {
        fitted.push_back(rest);
        break;
      }
      // The longest prefix (whole UTF-8 characters) that fits; at least one character.
      std::size_t fits = sequence_length(static_cast<unsigned char>(rest[0]));
      for (std::size_t next = fits; next < rest.size();) {
        const auto end = next + sequence_length(static_cast<unsigned char>(rest[next]));
        if (end > rest.size() || width(std::string_view(rest).substr(0, end)) > max_width) break;
        fits = end;
        next = end;
      }
      if (!word_wrap) {
        fitted.push_back(rest.substr(0, fits));
        break;
      }
      std::size_t cut = fits;
      if (fits < rest.size()) {
        // Prefer to break after a space or the separator, so a value is not split.
        for (std::size_t at = fits; at > 0; --at) {
          const auto before = std::string_view(rest).substr(0, at);
          if (before.back() == ' ' || (!separator.empty() && before.ends_with(separator))) {
            cut = at;
            break;
          }
        }
      }
      std::string head = rest.substr(0, cut);
      while (!head.empty() && head.back() == ' ') head.pop_back();
      fitted.push_back(std::move(head));
      rest = trim_left(rest.substr(cut));
      if (rest.empty()) break;
    }
  }
  return fitted;
}

}  // namespace camrig::traffic
