#include "device/analytics/scene_detectors.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "device/core/log.hpp"

namespace camrig::analytics {

namespace {

constexpr std::string_view kFamilies[] = {".motion.", ".tamper.", ".defocus.", ".scene_change.", ".video_loss.", ".face."};

}  // namespace

Result<std::vector<NormalisedPolygon>> parse_polygons(std::string_view json, std::string_view what) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array())
    return Error{ErrorCode::invalid_argument, std::string(what) + " must be a JSON list of polygons"};
  std::vector<NormalisedPolygon> polygons;
  for (const auto& polygon : doc) {
    if (!polygon.is_array())
      return Error{ErrorCode::invalid_argument, std::string(what) + ": each polygon is a list of [x, y] points"};
    auto& points = polygons.emplace_back();
    for (const auto& point : polygon) {
      if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number())
        return Error{ErrorCode::invalid_argument, std::string(what) + ": each point is [x, y] with numbers 0..1"};
      points.emplace_back(point[0].get<float>(), point[1].get<float>());
    }
    if (auto valid = validate_polygon(points, what); !valid) return valid.error();
  }
  return polygons;
}

std::string polygons_to_json(const std::vector<NormalisedPolygon>& polygons) {
  auto doc = nlohmann::json::array();
  for (const auto& polygon : polygons) {
    auto points = nlohmann::json::array();
    for (const auto& p : polygon) points.push_back({p.x, p.y});
    doc.push_back(std::move(points));
  }
  return doc.dump();
}

bool is_scene_key(std::string_view key) {
  return key.starts_with("channel.") &&
         std::any_of(std::begin(kFamilies), std::end(kFamilies), [&](std::string_view f) { return key.find(f) != key.npos; });
}

Result<SceneSettings> scene_settings_from_config(const core::ConfigService& config, int channel) {
  const std::string p = "channel." + std::to_string(channel) + ".";
  auto integer = [&](const std::string& key) { return static_cast<int>(config.get_int(p + key)); };
  SceneSettings s;
  auto& m = s.motion;
  m.enabled = config.get_bool(p + "motion.enabled");
  m.mode = config.get_string(p + "motion.mode") == "expert" ? MotionMode::expert : MotionMode::normal;
  auto grid = parse_grid_map(config.get_string(p + "motion.grid"));
  if (!grid) return grid.error();
  m.grid = *grid;
  m.sensitivity = integer("motion.sensitivity");
  m.target_human = config.get_bool(p + "motion.target.human");
  m.target_vehicle = config.get_bool(p + "motion.target.vehicle");
  const std::string day_night = config.get_string(p + "motion.day_night");
  m.day_night = day_night == "auto"       ? DayNightSwitch::automatic
                : day_night == "schedule" ? DayNightSwitch::scheduled
                                          : DayNightSwitch::off;
  m.day_period = {integer("motion.day_start"), integer("motion.day_end")};
  auto expert_areas = parse_motion_areas(config.get_string(p + "motion.expert.areas"));
  if (!expert_areas) return expert_areas.error();
  m.areas = std::move(*expert_areas);
  if (auto r = validate(m); !r) return r.error();

  s.tamper.enabled = config.get_bool(p + "tamper.enabled");
  s.tamper.sensitivity = integer("tamper.sensitivity");
  auto areas = parse_polygons(config.get_string(p + "tamper.areas"), "tampering areas");
  if (!areas) return areas.error();
  s.tamper.areas = std::move(*areas);
  if (auto r = validate(s.tamper); !r) return r.error();

  s.defocus.enabled = config.get_bool(p + "defocus.enabled");
  s.defocus.sensitivity = integer("defocus.sensitivity");
  s.scene_change.enabled = config.get_bool(p + "scene_change.enabled");
  s.scene_change.sensitivity = integer("scene_change.sensitivity");
  s.video_loss.enabled = config.get_bool(p + "video_loss.enabled");

  s.face.enabled = config.get_bool(p + "face.enabled");
  s.face.sensitivity = integer("face.sensitivity");
  s.face.min_size = integer("face.min_size");
  s.face.max_size = integer("face.max_size");
  auto shields = parse_polygons(config.get_string(p + "face.shield_regions"), "face shield regions");
  if (!shields) return shields.error();
  s.face.shield_regions = std::move(*shields);
  if (auto r = validate(s.face); !r) return r.error();
  return s;
}

SceneDetectors::SceneDetectors(const core::ConfigService& config, core::EventBus& bus, int channel)
    : config_(config), channel_(channel), changes_(bus.subscribe<core::ConfigChanged>(16)) {
  auto face = FaceDetector::create();
  if (face) face_ = std::move(*face);
  else log::get("analytics")->error("channel {}: no face detection: {}", channel, face.error().message);
  reload();
}

void SceneDetectors::reload() {
  if (!config_.spec("channel." + std::to_string(channel_) + ".motion.enabled")) return;
  auto settings = scene_settings_from_config(config_, channel_);
  if (!settings) {
    log::get("analytics")->warn("channel {}: scene detector settings ignored: {}", channel_, settings.error().message);
    return;
  }
  // Each was validated above, so none of these refuses.
  (void)motion_.configure(settings->motion);
  (void)tamper_.configure(settings->tamper);
  (void)defocus_.configure(settings->defocus);
  (void)scene_change_.configure(settings->scene_change);
  (void)video_loss_.configure(settings->video_loss);
  if (face_) (void)face_->configure(settings->face);
}

void SceneDetectors::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  bool changed = false;
  while (auto change = changes_->try_pop())
    changed = changed || std::any_of(change->keys.begin(), change->keys.end(), [](const std::string& k) { return is_scene_key(k); });
  // A burst beyond the mailbox drops the oldest changes; rereading covers whatever was lost.
  if (const auto dropped = changes_->dropped(); dropped != dropped_) changed = true, dropped_ = dropped;
  if (changed) reload();
  motion_.analyse(frame, sink);
  tamper_.analyse(frame, sink);
  defocus_.analyse(frame, sink);
  scene_change_.analyse(frame, sink);
  video_loss_.analyse(frame, sink);
  if (face_) face_->analyse(frame, sink);
}

void SceneDetectors::set_local_time(LocalMinuteSource source) { motion_.set_local_time(std::move(source)); }

void SceneDetectors::no_frames(int channel, hal::Nanos now, hal::Nanos silence, const EventSink& sink) {
  video_loss_.no_frames(channel, now, silence, sink);
}

}  // namespace camrig::analytics
