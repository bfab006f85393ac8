// Image resources: /ISAPI/Image/channels/<id> (colour, sharpness, day/night, WDR, iris, BLC, HLC, mirror,
// corridor = rotate)
// and /ISAPI/System/Video/inputs/channels/<id>/{overlays, overlays/picture, privacyMask}, mapped to
// the config service's channel.<id>.* parameters; /ISAPI/Streaming/channels/<id>/regionOfInterest
// to stream.<id>.roi.*. Positions use ISAPI's 704 × 576 normalised
// screen, from the top-left corner. A PUT changes only what differs, all at once.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <tuple>

#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/media/image/bmp_image.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using Wanted = std::vector<std::pair<std::string, std::string>>;

constexpr int k_text_lines = 8;
constexpr int k_mask_regions = 4;

struct ImageChannel {
  const core::ConfigService* config = nullptr;
  int id = 0;
  std::string key(std::string_view field) const { return "channel." + std::to_string(id) + "." + std::string(field); }
  std::int64_t integer(std::string_view field) const { return config->get_int(key(field)); }
  bool flag(std::string_view field) const { return config->get_bool(key(field)); }
  std::string text(std::string_view field) const { return config->get_string(key(field)); }
  double number(std::string_view field) const { return config->get_number(key(field)); }
};

// A boolean element as the config service's text for it.
Result<std::string> parse_flag(const std::string& text, std::string_view element) {
  auto value = element_bool(text, element);
  if (!value) return value.error();
  return std::string(*value ? "true" : "false");
}

// A value from one list mapped to the config's spelling, or an error listing the document's choices.
Result<std::string> map_choice(const std::string& text, std::string_view element,
                               std::initializer_list<std::pair<const char*, const char*>> choices) {
  std::string allowed;
  for (const auto& [document, config] : choices) {
    if (text == document) return std::string(config);
    allowed += (allowed.empty() ? "" : ", ") + std::string(document);
  }
  return make_error(ErrorCode::out_of_range, "<" + std::string(element) + "> must be one of " + allowed + " (got '" + text + "')");
}

std::string document_choice(const std::string& value, std::initializer_list<std::pair<const char*, const char*>> choices) {
  for (const auto& [document, config] : choices)
    if (value == config) return document;
  return value;
}

// Adds `field` from the child path if present, after `convert` (identity by default).
Result<void> want(pugi::xml_node node, std::initializer_list<std::string_view> path, const ImageChannel& channel,
                  std::string_view field, Wanted& wanted,
                  const std::function<Result<std::string>(const std::string&)>& convert = {}) {
  auto text = text_at(node, path);
  if (!text) return {};
  if (!convert) {
    wanted.emplace_back(channel.key(field), *text);
    return {};
  }
  auto converted = convert(*text);
  if (!converted) return converted.error();
  wanted.emplace_back(channel.key(field), *converted);
  return {};
}

Result<void> want_flag(pugi::xml_node node, std::initializer_list<std::string_view> path, const ImageChannel& channel,
                       std::string_view field, Wanted& wanted) {
  return want(node, path, channel, field, wanted, [path](const std::string& text) { return parse_flag(text, *(path.end() - 1)); });
}

std::string normalised_text(int units, int screen) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", static_cast<double>(units) / screen);
  return buffer;
}

Result<void> want_position(pugi::xml_node node, const ImageChannel& channel, const std::string& prefix,
                           Wanted& wanted) {
  for (const auto& [element, field, screen] : {std::tuple{"positionX", ".x", k_screen_width}, std::tuple{"positionY", ".y", k_screen_height}}) {
    auto text = text_at(node, {element});
    if (!text) continue;
    auto units = element_int(*text, element);
    if (!units) return units.error();
    if (*units < 0 || *units > screen)
      return make_error(ErrorCode::out_of_range, std::string("<") + element + "> must be within the normalised screen 0.." +
                                                     std::to_string(screen) + " (got " + *text + ")");
    wanted.emplace_back(channel.key(prefix + field), normalised_text(*units, screen));
  }
  return {};
}

void append_position(pugi::xml_node node, const ImageChannel& channel, const std::string& prefix) {
  node.append_child("positionX").text() = static_cast<int>(std::lround(channel.number(prefix + ".x") * k_screen_width));
  node.append_child("positionY").text() = static_cast<int>(std::lround(channel.number(prefix + ".y") * k_screen_height));
}

// Only the values that differ, validated together by the config service.
Result<void> apply_wanted(core::ConfigService& config, const Wanted& wanted) {
  std::vector<core::ConfigService::Change> changes;
  for (const auto& [key, text] : wanted) {
    const auto* spec = config.spec(key);
    if (!spec) return make_error(ErrorCode::not_found, "this device has no " + key);
    auto value = spec->parse(text);
    if (!value) return value.error();
    if (*value != config.get(key)) changes.emplace_back(key, std::move(*value));
  }
  if (changes.empty()) return {};
  return config.apply(changes);
}

// ---- /ISAPI/Image/channels/<id>: one section per sub-resource -----------------------------------

constexpr std::initializer_list<std::pair<const char*, const char*>> k_ircut = {
    {"day", "day"}, {"night", "night"}, {"auto", "auto"}, {"schedule", "scheduled"}};
constexpr std::initializer_list<std::pair<const char*, const char*>> k_flip = {
    {"LEFTRIGHT", "left_right"}, {"UPDOWN", "up_down"}, {"CENTER", "center"}};

std::string time_of_day(std::int64_t minutes) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d:00", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return buffer;
}

Result<std::string> minutes_of_day(const std::string& text) {
  int hours = -1, minutes = -1, seconds = 0;
  char tail = 0;
  const int fields = std::sscanf(text.c_str(), "%d:%d:%d%c", &hours, &minutes, &seconds, &tail);
  if ((fields != 2 && fields != 3) || hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59)
    return make_error(ErrorCode::invalid_argument, "a time of day is hh:mm:ss, 00:00:00 to 23:59:59 (got '" + text + "')");
  return std::to_string(hours * 60 + minutes);
}

struct Section {
  const char* element;  // root element of the sub-resource and child of ImageChannel
  const char* path;     // sub-resource path segment
  std::function<void(pugi::xml_node, const ImageChannel&)> append;
  std::function<Result<void>(pugi::xml_node, const ImageChannel&, Wanted&)> collect;
  const char* only_with = nullptr;  // a parameter not every profile has: the section exists with it
  bool present(const ImageChannel& c) const { return !only_with || c.config->spec(c.key(only_with)); }
};

const std::vector<Section>& sections() {
  static const std::vector<Section> all = {
      {"Color", "color",
       [](pugi::xml_node node, const ImageChannel& c) {
         node.append_child("brightnessLevel").text() = c.integer("image.brightness");
         node.append_child("contrastLevel").text() = c.integer("image.contrast");
         node.append_child("saturationLevel").text() = c.integer("image.saturation");
       },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) -> Result<void> {
         for (const auto& [element, field] : {std::pair{"brightnessLevel", "image.brightness"}, std::pair{"contrastLevel", "image.contrast"},
                                              std::pair{"saturationLevel", "image.saturation"}})
           if (auto done = want(node, {element}, c, field, w); !done) return done;
         return {};
       }},
      {"Sharpness", "sharpness",
       [](pugi::xml_node node, const ImageChannel& c) { node.append_child("SharpnessLevel").text() = c.integer("image.sharpness"); },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) { return want(node, {"SharpnessLevel"}, c, "image.sharpness", w); }},
      {"IrcutFilter", "ircutFilter",
       [](pugi::xml_node node, const ImageChannel& c) {
         node.append_child("IrcutFilterType").text() = document_choice(c.text("image.day_night"), k_ircut).c_str();
         auto range = node.append_child("Schedule").append_child("TimeRange");
         range.append_child("beginTime").text() = time_of_day(c.integer("image.day_start")).c_str();
         range.append_child("endTime").text() = time_of_day(c.integer("image.day_end")).c_str();
       },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) -> Result<void> {
         if (auto done = want(node, {"IrcutFilterType"}, c, "image.day_night", w,
                              [](const std::string& t) { return map_choice(t, "IrcutFilterType", k_ircut); });
             !done)
           return done;
         if (auto done = want(node, {"Schedule", "TimeRange", "beginTime"}, c, "image.day_start", w, minutes_of_day); !done)
           return done;
         return want(node, {"Schedule", "TimeRange", "endTime"}, c, "image.day_end", w, minutes_of_day);
       }},
      {"WDR", "WDR",
       [](pugi::xml_node node, const ImageChannel& c) {
         node.append_child("mode").text() = c.flag("image.wdr") ? "open" : "close";
         node.append_child("WDRLevel").text() = c.integer("image.wdr_level");
       },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) -> Result<void> {
         if (auto done = want(node, {"mode"}, c, "image.wdr", w,
                              [](const std::string& t) { return map_choice(t, "mode", {{"open", "true"}, {"close", "false"}}); });
             !done)
           return done;
         return want(node, {"WDRLevel"}, c, "image.wdr_level", w);
       }},
      {"Iris", "iris",
       [](pugi::xml_node node, const ImageChannel& c) { node.append_child("IrisType").text() = c.text("image.iris_mode").c_str(); },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) { return want(node, {"IrisType"}, c, "image.iris_mode", w); }},
      {"BLC", "BLC", [](pugi::xml_node node, const ImageChannel& c) { node.append_child("enabled").text() = c.flag("image.blc"); },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) { return want_flag(node, {"enabled"}, c, "image.blc", w); }},
      {"HLC", "HLC",
       [](pugi::xml_node node, const ImageChannel& c) {
         node.append_child("enabled").text() = c.flag("image.hlc");
         node.append_child("HLCLevel").text() = c.integer("image.hlc_level");
       },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) -> Result<void> {
         if (auto done = want_flag(node, {"enabled"}, c, "image.hlc", w); !done) return done;
         return want(node, {"HLCLevel"}, c, "image.hlc_level", w);
       }},
      {"ImageFlip", "imageFlip",
       [](pugi::xml_node node, const ImageChannel& c) {
         const auto mirror = c.text("image.mirror");
         node.append_child("enabled").text() = mirror != "off";
         if (mirror != "off") node.append_child("ImageFlipStyle").text() = document_choice(mirror, k_flip).c_str();
       },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) -> Result<void> {
         const auto enabled_text = text_at(node, {"enabled"});
         const auto style = text_at(node, {"ImageFlipStyle"});
         if (!enabled_text && !style) return {};
         bool enabled = c.text("image.mirror") != "off";
         if (enabled_text) {
           auto flag = element_bool(*enabled_text, "enabled");
           if (!flag) return flag.error();
           enabled = *flag;
         }
         if (!enabled) {
           w.emplace_back(c.key("image.mirror"), "off");
           return {};
         }
         if (!style) {
           if (c.text("image.mirror") == "off")
             return make_error(ErrorCode::invalid_argument, "enabling ImageFlip needs an <ImageFlipStyle> (LEFTRIGHT, UPDOWN or CENTER)");
           return {};
         }
         auto mirror = map_choice(*style, "ImageFlipStyle", k_flip);
         if (!mirror) return mirror.error();
         w.emplace_back(c.key("image.mirror"), *mirror);
         return {};
       }},
      {"Corridor", "corridor", [](pugi::xml_node node, const ImageChannel& c) { node.append_child("enabled").text() = c.flag("image.rotate"); },
       [](pugi::xml_node node, const ImageChannel& c, Wanted& w) { return want_flag(node, {"enabled"}, c, "image.rotate", w); },
       "image.rotate"},
  };
  return all;
}

// ---- /ISAPI/System/Video/inputs/channels/<id>/overlays -------------------------------------------

constexpr std::initializer_list<std::pair<const char*, const char*>> k_font_sizes = {
    {"adaptive", "auto"}, {"16*16", "16"}, {"32*32", "32"}, {"48*48", "48"}, {"64*64", "64"}};
constexpr std::initializer_list<std::pair<const char*, const char*>> k_date_styles = {
    {"YYYY-MM-DD", "YYYY-MM-DD"}, {"MM-DD-YYYY", "MM-DD-YYYY"}, {"DD-MM-YYYY", "DD-MM-YYYY"},
    {"YYYY/MM/DD", "YYYY/MM/DD"}, {"MM/DD/YYYY", "MM/DD/YYYY"}, {"DD/MM/YYYY", "DD/MM/YYYY"}};

void append_overlays(pugi::xml_node root, const ImageChannel& c) {
  append_screen(root);
  const auto mode = c.text("osd.display_mode");
  auto attribute = root.append_child("attribute");
  attribute.append_child("transparent").text() = mode.starts_with("transparent");
  attribute.append_child("flashing").text() = mode.ends_with("_flashing") && !mode.ends_with("not_flashing");
  root.append_child("fontSize").text() = document_choice(c.text("osd.font_size"), k_font_sizes).c_str();
  const bool custom = c.text("osd.font_color") == "custom";
  root.append_child("frontColorMode").text() = custom ? "customize" : "auto";
  char colour[8];
  std::snprintf(colour, sizeof colour, "%06x", static_cast<unsigned>(c.integer("osd.font_rgb")));
  root.append_child("frontColor").text() = colour;
  auto list = root.append_child("TextOverlayList");
  list.append_attribute("size") = k_text_lines;
  for (int line = 1; line <= k_text_lines; ++line) {
    const auto prefix = "osd.text." + std::to_string(line);
    auto text = list.append_child("TextOverlay");
    text.append_child("id").text() = line;
    text.append_child("enabled").text() = c.flag(prefix + ".enabled");
    append_position(text, c, prefix);
    text.append_child("displayText").text() = c.text(prefix + ".text").c_str();
  }
  auto date = root.append_child("DateTimeOverlay");
  date.append_child("enabled").text() = c.flag("osd.date.enabled");
  append_position(date, c, "osd.date");
  date.append_child("dateStyle").text() = c.text("osd.date.format").c_str();
  date.append_child("timeStyle").text() = c.text("osd.date.time_format").c_str();
  date.append_child("displayWeek").text() = c.flag("osd.date.week");
  auto name = root.append_child("channelNameOverlay");
  name.append_child("enabled").text() = c.flag("osd.name.enabled");
  append_position(name, c, "osd.name");
  name.append_child("name").text() = c.text("osd.name.text").c_str();
}

Result<void> collect_overlays(pugi::xml_node root, const ImageChannel& c, Wanted& w) {
  const auto transparent = text_at(root, {"attribute", "transparent"});
  const auto flashing = text_at(root, {"attribute", "flashing"});
  if (transparent || flashing) {
    const auto mode = c.text("osd.display_mode");
    bool is_transparent = mode.starts_with("transparent");
    bool is_flashing = mode.ends_with("_flashing") && !mode.ends_with("not_flashing");
    if (transparent) {
      auto flag = element_bool(*transparent, "transparent");
      if (!flag) return flag.error();
      is_transparent = *flag;
    }
    if (flashing) {
      auto flag = element_bool(*flashing, "flashing");
      if (!flag) return flag.error();
      is_flashing = *flag;
    }
    w.emplace_back(c.key("osd.display_mode"), std::string(is_transparent ? "transparent" : "not_transparent") +
                                                  (is_flashing ? "_flashing" : "_not_flashing"));
  }
  if (auto done = want(root, {"fontSize"}, c, "osd.font_size", w,
                       [](const std::string& t) { return map_choice(t, "fontSize", k_font_sizes); });
      !done)
    return done;
  if (auto done = want(root, {"frontColorMode"}, c, "osd.font_color", w,
                       [](const std::string& t) {
                         return map_choice(t, "frontColorMode", {{"auto", "black_white_self_adaptive"}, {"customize", "custom"}});
                       });
      !done)
    return done;
  if (auto done = want(root, {"frontColor"}, c, "osd.font_rgb", w,
                       [](const std::string& t) -> Result<std::string> {
                         char* end = nullptr;
                         const auto value = std::strtoul(t.c_str(), &end, 16);
                         if (t.empty() || t.size() > 6 || *end != '\0')
                           return make_error(ErrorCode::invalid_argument, "<frontColor> is a hex RGB colour such as ffffff (got '" + t + "')");
                         return std::to_string(value);
                       });
      !done)
    return done;
  if (const auto list = child(root, "TextOverlayList")) {
    for (auto text = list.first_child(); text; text = text.next_sibling()) {
      if (text.type() != pugi::node_element || local_name(text) != "TextOverlay") continue;
      const auto id_text = text_at(text, {"id"});
      if (!id_text) return make_error(ErrorCode::invalid_argument, "every TextOverlay needs an <id> (1.." + std::to_string(k_text_lines) + ")");
      auto id = element_int(*id_text, "id");
      if (!id) return id.error();
      if (*id < 1 || *id > k_text_lines)
        return make_error(ErrorCode::out_of_range, "this camera has text overlays 1.." + std::to_string(k_text_lines) + " (got " + *id_text + ")");
      const auto prefix = "osd.text." + std::to_string(*id);
      if (auto done = want_flag(text, {"enabled"}, c, prefix + ".enabled", w); !done) return done;
      if (auto done = want_position(text, c, prefix, w); !done) return done;
      if (auto done = want(text, {"displayText"}, c, prefix + ".text", w); !done) return done;
    }
  }
  if (const auto date = child(root, "DateTimeOverlay")) {
    if (auto done = want_flag(date, {"enabled"}, c, "osd.date.enabled", w); !done) return done;
    if (auto done = want_position(date, c, "osd.date", w); !done) return done;
    if (auto done = want(date, {"dateStyle"}, c, "osd.date.format", w,
                         [](const std::string& t) { return map_choice(t, "dateStyle", k_date_styles); });
        !done)
      return done;
    if (auto done = want(date, {"timeStyle"}, c, "osd.date.time_format", w); !done) return done;
    if (auto done = want_flag(date, {"displayWeek"}, c, "osd.date.week", w); !done) return done;
  }
  if (const auto name = child(root, "channelNameOverlay")) {
    if (auto done = want_flag(name, {"enabled"}, c, "osd.name.enabled", w); !done) return done;
    if (auto done = want_position(name, c, "osd.name", w); !done) return done;
    if (auto done = want(name, {"name"}, c, "osd.name.text", w); !done) return done;
  }
  return {};
}

// The corners of a region reduced to their bounding box on the normalised screen.
Result<std::array<int, 4>> bounding_box(pugi::xml_node corners, const std::string& what) {
  int min_x = k_screen_width, min_y = k_screen_height, max_x = 0, max_y = 0, count = 0;
  for (auto corner = corners.first_child(); corner; corner = corner.next_sibling()) {
    if (corner.type() != pugi::node_element || local_name(corner) != "RegionCoordinates") continue;
    const auto x_text = text_at(corner, {"positionX"}), y_text = text_at(corner, {"positionY"});
    if (!x_text || !y_text) return make_error(ErrorCode::invalid_argument, "RegionCoordinates need <positionX> and <positionY>");
    auto x = element_int(*x_text, "positionX");
    if (!x) return x.error();
    auto y = element_int(*y_text, "positionY");
    if (!y) return y.error();
    if (*x < 0 || *x > k_screen_width || *y < 0 || *y > k_screen_height)
      return make_error(ErrorCode::out_of_range, what + " corners must lie on the normalised screen 0..704 x 0..576 (got " +
                                                     *x_text + "," + *y_text + ")");
    min_x = std::min(min_x, *x), max_x = std::max(max_x, *x), min_y = std::min(min_y, *y), max_y = std::max(max_y, *y);
    ++count;
  }
  if (count < 2 || max_x <= min_x || max_y <= min_y)
    return make_error(ErrorCode::invalid_argument, what + " must be a closed area with a size (at least two opposite corners)");
  return std::array<int, 4>{min_x, min_y, max_x, max_y};
}

// ---- privacy mask -----------------------------------------------------------------------------------

void append_mask_regions(pugi::xml_node list, const ImageChannel& c) {
  list.append_attribute("size") = k_mask_regions;
  for (int area = 1; area <= k_mask_regions; ++area) {
    const auto prefix = "privacy_mask." + std::to_string(area);
    auto region = list.append_child("PrivacyMaskRegion");
    region.append_child("id").text() = area;
    region.append_child("enabled").text() = c.flag(prefix + ".enabled");
    const double x0 = c.number(prefix + ".x"), y0 = c.number(prefix + ".y");
    const double x1 = std::min(1.0, x0 + c.number(prefix + ".width")), y1 = std::min(1.0, y0 + c.number(prefix + ".height"));
    auto corners = region.append_child("RegionCoordinatesList");
    for (const auto& [x, y] : {std::pair{x0, y0}, std::pair{x1, y0}, std::pair{x1, y1}, std::pair{x0, y1}}) {
      auto corner = corners.append_child("RegionCoordinates");
      corner.append_child("positionX").text() = static_cast<int>(std::lround(x * k_screen_width));
      corner.append_child("positionY").text() = static_cast<int>(std::lround(y * k_screen_height));
    }
  }
}

// Areas are rectangles: the corners given are reduced to their bounding box.
Result<void> collect_mask_regions(pugi::xml_node list, const ImageChannel& c, Wanted& w) {
  for (auto region = list.first_child(); region; region = region.next_sibling()) {
    if (region.type() != pugi::node_element || local_name(region) != "PrivacyMaskRegion") continue;
    const auto id_text = text_at(region, {"id"});
    if (!id_text) return make_error(ErrorCode::invalid_argument, "every PrivacyMaskRegion needs an <id> (1.." + std::to_string(k_mask_regions) + ")");
    auto id = element_int(*id_text, "id");
    if (!id) return id.error();
    if (*id < 1 || *id > k_mask_regions)
      return make_error(ErrorCode::out_of_range, "this camera has privacy mask areas 1.." + std::to_string(k_mask_regions) + " (got " + *id_text + ")");
    const auto prefix = "privacy_mask." + std::to_string(*id);
    if (auto done = want_flag(region, {"enabled"}, c, prefix + ".enabled", w); !done) return done;
    const auto corners = child(region, "RegionCoordinatesList");
    if (!corners) continue;
    auto box = bounding_box(corners, "privacy mask area " + *id_text);
    if (!box) return box.error();
    const auto [min_x, min_y, max_x, max_y] = *box;
    w.emplace_back(c.key(prefix + ".x"), normalised_text(min_x, k_screen_width));
    w.emplace_back(c.key(prefix + ".y"), normalised_text(min_y, k_screen_height));
    w.emplace_back(c.key(prefix + ".width"), normalised_text(max_x - min_x, k_screen_width));
    w.emplace_back(c.key(prefix + ".height"), normalised_text(max_y - min_y, k_screen_height));
  }
  return {};
}

// ---- picture overlay ---------------------------------------------------------------------------

void append_picture(pugi::xml_node root, const ImageChannel& c) {
  append_screen(root);
  root.append_child("enabled").text() = c.flag("picture_overlay.enabled");
  append_position(root, c, "picture_overlay");
  const auto stored = c.text("picture_overlay.bmp");
  auto file = media::image::bmp_from_config_text(stored);
  auto picture = file && !stored.empty() ? media::image::parse_bmp(*file) : Result<media::image::BmpImage>(Error{});
  root.append_child("uploaded").text() = picture.ok();
  if (picture) {
    root.append_child("width").text() = picture->width;
    root.append_child("height").text() = picture->height;
  }
}

// The BMP from a raw body, or from the first part of a multipart/form-data upload (browser form).
std::string_view uploaded_file(const http::RequestContext& context) {
  std::string_view body = context.message.body();
  const auto type = std::string(context.message[http::beast_http::field::content_type]);
  const auto boundary_at = type.find("boundary=");
  if (!type.starts_with("multipart/") || boundary_at == std::string::npos) return body;
  auto boundary = type.substr(boundary_at + 9);
  if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  const auto delimiter = "--" + boundary;
  const auto part = body.find(delimiter);
  const auto content = part == std::string_view::npos ? part : body.find("\r\n\r\n", part);
  if (content == std::string_view::npos) return {};
  const auto end = body.find("\r\n" + delimiter, content + 4);
  return body.substr(content + 4, end == std::string_view::npos ? std::string_view::npos : end - content - 4);
}

// ---- /ISAPI/Streaming/channels/<id>/regionOfInterest: stream.<id>.roi.* ---------------------------

constexpr int k_roi_regions = 4;

std::string roi_key(int stream, const std::string& field) { return "stream." + std::to_string(stream) + ".roi." + field; }

void append_roi(pugi::xml_node root, const core::ConfigService& config, int stream) {
  root.append_child("id").text() = stream;
  root.append_child("enabled").text() = config.get_bool(roi_key(stream, "enabled"));
  append_screen(root);
  auto list = root.append_child("ROIRegionList");
  list.append_attribute("size") = k_roi_regions;
  for (int area = 1; area <= k_roi_regions; ++area) {
    const auto prefix = std::to_string(area) + ".";
    auto region = list.append_child("ROIRegion");
    region.append_child("id").text() = area;
    region.append_child("enabled").text() = config.get_bool(roi_key(stream, prefix + "enabled"));
    region.append_child("regionName").text() = config.get_string(roi_key(stream, prefix + "name")).c_str();
    region.append_child("imageQualityLevel").text() = config.get_int(roi_key(stream, prefix + "level"));
    const double x0 = config.get_number(roi_key(stream, prefix + "x")), y0 = config.get_number(roi_key(stream, prefix + "y"));
    const double x1 = std::min(1.0, x0 + config.get_number(roi_key(stream, prefix + "width")));
    const double y1 = std::min(1.0, y0 + config.get_number(roi_key(stream, prefix + "height")));
    auto corners = region.append_child("RegionCoordinatesList");
    for (const auto& [x, y] : {std::pair{x0, y0}, std::pair{x1, y0}, std::pair{x1, y1}, std::pair{x0, y1}}) {
      auto corner = corners.append_child("RegionCoordinates");
      corner.append_child("positionX").text() = static_cast<int>(std::lround(x * k_screen_width));
      corner.append_child("positionY").text() = static_cast<int>(std::lround(y * k_screen_height));
    }
  }
}

Result<void> collect_roi(pugi::xml_node root, int stream, Wanted& w) {
  if (auto enabled = text_at(root, {"enabled"})) {
    auto flag = parse_flag(*enabled, "enabled");
    if (!flag) return flag.error();
    w.emplace_back(roi_key(stream, "enabled"), *flag);
  }
  const auto list = child(root, "ROIRegionList");
  if (!list) return {};
  for (auto region = list.first_child(); region; region = region.next_sibling()) {
    if (region.type() != pugi::node_element || local_name(region) != "ROIRegion") continue;
    const auto id_text = text_at(region, {"id"});
    if (!id_text) return make_error(ErrorCode::invalid_argument, "every ROIRegion needs an <id> (1.." + std::to_string(k_roi_regions) + ")");
    auto id = element_int(*id_text, "id");
    if (!id) return id.error();
    if (*id < 1 || *id > k_roi_regions)
      return make_error(ErrorCode::out_of_range, "this stream has fixed regions 1.." + std::to_string(k_roi_regions) + " (got " + *id_text + ")");
    const auto prefix = std::to_string(*id) + ".";
    if (auto enabled = text_at(region, {"enabled"})) {
      auto flag = parse_flag(*enabled, "enabled");
      if (!flag) return flag.error();
      w.emplace_back(roi_key(stream, prefix + "enabled"), *flag);
    }
    if (auto name = text_at(region, {"regionName"})) w.emplace_back(roi_key(stream, prefix + "name"), *name);
    if (auto level = text_at(region, {"imageQualityLevel"})) w.emplace_back(roi_key(stream, prefix + "level"), *level);
    if (const auto corners = child(region, "RegionCoordinatesList")) {
      auto box = bounding_box(corners, "ROI region " + *id_text);
      if (!box) return box.error();
      const auto [min_x, min_y, max_x, max_y] = *box;
      w.emplace_back(roi_key(stream, prefix + "x"), normalised_text(min_x, k_screen_width));
      w.emplace_back(roi_key(stream, prefix + "y"), normalised_text(min_y, k_screen_height));
      w.emplace_back(roi_key(stream, prefix + "width"), normalised_text(max_x - min_x, k_screen_width));
      w.emplace_back(roi_key(stream, prefix + "height"), normalised_text(max_y - min_y, k_screen_height));
    }
  }
  return {};
}

// ---- routes ------------------------------------------------------------------------------------

Result<ImageChannel> find_image_channel(const DeviceServices& services, const std::string& id_text) {
  auto id = element_int(id_text, "id");
  if (!id || !services.profile->find_channel(*id)) return make_error(ErrorCode::not_found, "no video channel " + id_text);
  ImageChannel channel{services.config, *id};
  if (!services.config->spec(channel.key("image.brightness")))
    return make_error(ErrorCode::not_found, "video channel " + id_text + " has no configurable image");
  return channel;
}

using ImageReader = std::function<void(pugi::xml_node, const ImageChannel&)>;
using ImageCollector = std::function<Result<void>(pugi::xml_node, const ImageChannel&, Wanted&)>;

void add_image_document(http::Router& router, const DeviceServices& services, const std::string& path,
                        const char* root_name, ImageReader append, ImageCollector collect,
                        const char* only_with = nullptr) {
  const auto find = [services, root_name, only_with](const std::string& id_text) -> Result<ImageChannel> {
    auto channel = find_image_channel(services, id_text);
    if (channel && only_with && !services.config->spec(channel->key(only_with)))
      return make_error(ErrorCode::not_found, "video channel " + id_text + " has no " + root_name + " setting");
    return channel;
  };
  router.add(verb::get, path, security::Permission::parameter_settings,
             [find, root_name, append](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find(context.path_parameters.at("id"));
               if (!channel) return channel.error();
               pugi::xml_document doc;
               append(new_document(doc, root_name), *channel);
               return xml_reply(doc);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services, find, root_name, collect](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find(context.path_parameters.at("id"));
               if (!channel) return channel.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, root_name);
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               Wanted wanted;
               if (auto collected = collect(std::get<pugi::xml_node>(parsed), *channel, wanted); !collected)
                 return collected.error();
               if (auto applied = apply_wanted(*services.config, wanted); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace

void add_image_routes(http::Router& router, DeviceServices services) {
  add_image_document(
      router, services, "/ISAPI/Image/channels/{id}", "ImageChannel",
      [](pugi::xml_node root, const ImageChannel& c) {
        root.append_child("id").text() = c.id;
        root.append_child("enabled").text() = true;
        for (const auto& section : sections())
          if (section.present(c)) section.append(root.append_child(section.element), c);
      },
      [](pugi::xml_node root, const ImageChannel& c, Wanted& w) -> Result<void> {
        if (auto id = text_at(root, {"id"}); id && *id != std::to_string(c.id))
          return make_error(ErrorCode::invalid_argument, "the document's <id> " + *id + " is not channel " + std::to_string(c.id));
        for (const auto& section : sections()) {
          const auto node = child(root, section.element);
          if (node && !section.present(c))
            return make_error(ErrorCode::not_found, "video channel " + std::to_string(c.id) + " has no " + section.element + " setting");
          if (node)
            if (auto done = section.collect(node, c, w); !done) return done;
        }
        return {};
      });
  for (const auto& section : sections())
    add_image_document(router, services, std::string("/ISAPI/Image/channels/{id}/") + section.path, section.element,
                       section.append, section.collect, section.only_with);

  const std::string input = "/ISAPI/System/Video/inputs/channels/{id}";
  add_image_document(router, services, input + "/overlays", "VideoOverlay", append_overlays, collect_overlays);
  add_image_document(
      router, services, input + "/privacyMask", "PrivacyMask",
      [](pugi::xml_node root, const ImageChannel& c) {
        root.append_child("enabled").text() = c.flag("privacy_mask.enabled");
        append_screen(root);
        append_mask_regions(root.append_child("PrivacyMaskRegionList"), c);
      },
      [](pugi::xml_node root, const ImageChannel& c, Wanted& w) -> Result<void> {
        if (auto done = want_flag(root, {"enabled"}, c, "privacy_mask.enabled", w); !done) return done;
        if (const auto list = child(root, "PrivacyMaskRegionList")) return collect_mask_regions(list, c, w);
        return {};
      });
  add_image_document(
      router, services, input + "/privacyMask/regions", "PrivacyMaskRegionList",
      [](pugi::xml_node root, const ImageChannel& c) { append_mask_regions(root, c); }, collect_mask_regions);
  // "Clear All": every area off.
  router.add(verb::delete_, input + "/privacyMask/regions", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_image_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               Wanted wanted;
               for (int area = 1; area <= k_mask_regions; ++area)
                 wanted.emplace_back(channel->key("privacy_mask." + std::to_string(area) + ".enabled"), "false");
               if (auto applied = apply_wanted(*services.config, wanted); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  add_image_document(router, services, input + "/overlays/picture", "PictureOverlay", append_picture,
                     [](pugi::xml_node root, const ImageChannel& c, Wanted& w) -> Result<void> {
                       if (auto done = want_flag(root, {"enabled"}, c, "picture_overlay.enabled", w); !done)
                         return done;
                       return want_position(root, c, "picture_overlay", w);
                     });
  const auto find_roi_stream = [services](const std::string& id_text) -> Result<int> {
    auto id = element_int(id_text, "id");
    if (!id || !services.profile->find_stream(*id)) return make_error(ErrorCode::not_found, "no streaming channel " + id_text);
    const auto added = "stream." + std::to_string(*id) + ".custom.added";
    if (services.config->spec(added) && !services.config->get_bool(added))
      return make_error(ErrorCode::not_found, "no streaming channel " + id_text + " (a custom stream slot not added)");
    if (!services.config->spec(roi_key(*id, "enabled")))
      return make_error(ErrorCode::not_found, "streaming channel " + id_text + " has no ROI");
    return *id;
  };
  router.add(verb::get, "/ISAPI/Streaming/channels/{id}/regionOfInterest", security::Permission::parameter_settings,
             [services, find_roi_stream](http::RequestContext& context) -> Result<http::Reply> {
               auto stream = find_roi_stream(context.path_parameters.at("id"));
               if (!stream) return stream.error();
               pugi::xml_document doc;
               append_roi(new_document(doc, "ROI"), *services.config, *stream);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/Streaming/channels/{id}/regionOfInterest", security::Permission::parameter_settings,
             [services, find_roi_stream](http::RequestContext& context) -> Result<http::Reply> {
               auto stream = find_roi_stream(context.path_parameters.at("id"));
               if (!stream) return stream.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "ROI");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               Wanted wanted;
               if (auto collected = collect_roi(std::get<pugi::xml_node>(parsed), *stream, wanted); !collected)
                 return collected.error();
               if (auto applied = apply_wanted(*services.config, wanted); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  for (const auto method : {verb::put, verb::post})
    router.add(method, input + "/overlays/picture/upload", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto channel = find_image_channel(services, context.path_parameters.at("id"));
                 if (!channel) return channel.error();
                 const auto file = uploaded_file(context);
                 const std::span bytes(reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
                 if (auto picture = media::image::parse_bmp(bytes); !picture) return picture.error();
                 if (auto applied = services.config->set(channel->key("picture_overlay.bmp"), media::image::bmp_to_config_text(bytes));
                     !applied)
                   return applied.error();
                 return status_reply(context, ResponseStatus{});
               });
}

}  // namespace camrig::isapi
