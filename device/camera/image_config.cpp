#include "device/camera/image_config.hpp"

#include <string>

#include "device/core/log.hpp"
#include "device/media/image/bmp_image.hpp"

namespace camrig::camera {

namespace image = media::image;

image::ImageSettings image_settings_from_config(const core::ConfigService& config, int channel_id) {
  const std::string prefix = "channel." + std::to_string(channel_id) + ".";
  image::ImageSettings settings;
  if (!config.spec(prefix + "image.brightness")) return settings;
  const auto key = [&](const std::string& field) { return prefix + field; };
  const auto integer = [&](const std::string& field) { return static_cast<int>(config.get_int(key(field))); };
  const auto number = [&](const std::string& field) { return config.get_number(key(field)); };
  const auto flag = [&](const std::string& field) { return config.get_bool(key(field)); };
  const auto text = [&](const std::string& field) { return config.get_string(key(field)); };

  auto& a = settings.adjustments;
  a.brightness = integer("image.brightness");
  a.contrast = integer("image.contrast");
  a.saturation = integer("image.saturation");
  a.sharpness = integer("image.sharpness");
  const auto mirror = text("image.mirror");
  a.mirror = mirror == "left_right" ? image::Mirror::left_right
             : mirror == "up_down"  ? image::Mirror::up_down
             : mirror == "center"   ? image::Mirror::center
                                    : image::Mirror::off;
  const auto day_night = text("image.day_night");
  a.day_night = day_night == "night"       ? image::DayNight::night
                : day_night == "auto"      ? image::DayNight::automatic
                : day_night == "scheduled" ? image::DayNight::scheduled
                                           : image::DayNight::day;
  a.day_start_minute = integer("image.day_start");
  a.day_end_minute = integer("image.day_end");
  a.wdr = flag("image.wdr");
  a.wdr_level = integer("image.wdr_level");
  a.blc = flag("image.blc");
  a.hlc = flag("image.hlc");
  a.hlc_level = integer("image.hlc_level");
  a.rotate = config.spec(key("image.rotate")) && flag("image.rotate");

  auto& osd = settings.osd;
  osd.channel_name = {flag("osd.name.enabled"), text("osd.name.text"), number("osd.name.x"), number("osd.name.y")};
  osd.show_date = flag("osd.date.enabled");
  osd.show_week = flag("osd.date.week");
  osd.date_format = text("osd.date.format");
  osd.clock_12_hour = text("osd.date.time_format") == "12hour";
  osd.date_x = number("osd.date.x");
  osd.date_y = number("osd.date.y");
  for (int line = 1; line <= image::k_osd_text_lines; ++line) {
    const auto field = "osd.text." + std::to_string(line) + ".";
    osd.texts[static_cast<std::size_t>(line - 1)] = {flag(field + "enabled"), text(field + "text"), number(field + "x"),
                                                     number(field + "y")};
  }
  const auto size = text("osd.font_size");
  osd.font_size = size == "auto" ? 0 : std::stoi(size);
  osd.self_adaptive_colour = text("osd.font_color") == "black_white_self_adaptive";
  osd.colour_rgb = static_cast<std::uint32_t>(integer("osd.font_rgb"));
  const auto mode = text("osd.display_mode");
  osd.display_mode = mode == "transparent_flashing"           ? image::OsdDisplayMode::transparent_flashing
                     : mode == "not_transparent_not_flashing" ? image::OsdDisplayMode::not_transparent
                     : mode == "not_transparent_flashing"     ? image::OsdDisplayMode::not_transparent_flashing
                                                              : image::OsdDisplayMode::transparent;

  auto& masks = settings.privacy_mask;
  masks.enabled = flag("privacy_mask.enabled");
  for (int area = 1; area <= image::k_privacy_mask_regions; ++area) {
    const auto field = "privacy_mask." + std::to_string(area) + ".";
    const auto index = static_cast<std::size_t>(area - 1);
    masks.region_enabled[index] = flag(field + "enabled");
    masks.regions[index] = {number(field + "x"), number(field + "y"), number(field + "width"), number(field + "height")};
  }

  auto& overlay = settings.overlay_picture;
  overlay.enabled = flag("picture_overlay.enabled");
  overlay.x = number("picture_overlay.x");
  overlay.y = number("picture_overlay.y");
  if (const auto stored = text("picture_overlay.bmp"); !stored.empty()) {
    auto file = image::bmp_from_config_text(stored);
    auto picture = file ? image::parse_bmp(*file) : Result<image::BmpImage>(file.error());
    if (picture)
      overlay.picture = std::make_shared<const image::BmpImage>(std::move(*picture));
    else
      log::get("camera")->warn("channel {}: overlay picture left out: {}", channel_id, picture.error().message);
  }
  return settings;
}

}  // namespace camrig::camera
