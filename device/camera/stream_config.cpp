#include "device/camera/stream_config.hpp"

#include <array>
#include <string>
#include <utility>

namespace camrig::camera {

media::StreamSettings stream_settings_from_config(const core::ConfigService& config, int stream_id) {
  const auto key = [prefix = "stream." + std::to_string(stream_id) + "."](const char* field) { return prefix + field; };
  media::StreamSettings settings;
  settings.enabled = config.get_bool(key("enabled")) && stream_exists(config, stream_id);

  const auto codec = config.get_string(key("video_codec"));
  settings.smart_codec = codec.ends_with("+");
  settings.codec = codec.starts_with("H.265") ? media::VideoCodec::h265
                   : codec == "MJPEG"         ? media::VideoCodec::mjpeg
                                              : media::VideoCodec::h264;

  const auto resolution = config.get_resolution(key("resolution"));
  settings.width = resolution.width;
  settings.height = resolution.height;
  // Rotate turns the channel's picture, and so every stream of it: 1280x720 is sent as 720x1280.
  if (const auto rotate = "channel." + std::to_string(stream_id / 100) + ".image.rotate";
      config.spec(rotate) && config.get_bool(rotate))
    std::swap(settings.width, settings.height);
  settings.frame_rate = {static_cast<int>(config.get_int(key("frame_rate"))), 1};
  settings.bitrate_type = config.get_string(key("bitrate_type")) == "constant" ? media::BitrateType::constant
                                                                               : media::BitrateType::variable;
  settings.max_bitrate_kbps = static_cast<int>(config.get_int(key("max_bitrate")));
  settings.max_average_bitrate_kbps = static_cast<int>(config.get_int(key("max_average_bitrate")));

  static constexpr std::array<const char*, 6> k_quality_levels = {"lowest", "lower", "low", "medium", "higher", "highest"};
  const auto quality = config.get_string(key("video_quality"));
  for (std::size_t level = 0; level < k_quality_levels.size(); ++level)
    if (quality == k_quality_levels[level]) settings.video_quality = static_cast<int>(level) + 1;

  settings.i_frame_interval = static_cast<int>(config.get_int(key("i_frame_interval")));
  // H.265 streams have one profile here (Main); the setting applies to H.264.
  settings.encoding_profile = settings.codec == media::VideoCodec::h265 ? "main" : config.get_string(key("encoding_profile"));
  settings.svc = config.get_bool(key("svc"));
  settings.smoothing = static_cast<int>(config.get_int(key("smoothing")));
  // ROI only where the manual offers it: H.264 and H.265, not H.264+ (stored regions stay).
  const bool roi_applies = (codec == "H.264" || codec.starts_with("H.265")) && config.spec(key("roi.enabled")) &&
                           config.get_bool(key("roi.enabled"));
  for (int region = 1; roi_applies && config.spec(key(("roi." + std::to_string(region) + ".enabled").c_str())); ++region) {
    const auto field = [&](const char* name) { return key(("roi." + std::to_string(region) + "." + name).c_str()); };
    if (!config.get_bool(field("enabled"))) continue;
    settings.roi_regions.push_back({config.get_number(field("x")), config.get_number(field("y")), config.get_number(field("width")),
                                    config.get_number(field("height")), static_cast<int>(config.get_int(field("level")))});
  }
  return settings;
}

bool stream_exists(const core::ConfigService& config, int stream_id) {
  const auto added = "stream." + std::to_string(stream_id) + ".custom.added";
  return !config.spec(added) || config.get_bool(added);
}

}  // namespace camrig::camera
