// The scene detectors of one channel as one detector: motion, video tampering, defocus, scene
// change, video loss and faces, run in that order, each configured from the channel's
// "channel.<id>.{motion,tamper,defocus,scene_change,video_loss,face}.*" settings and reconfigured
// at the next frame after any of them changes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/analytics/defocus_detector.hpp"
#include "device/analytics/face_detector.hpp"
#include "device/analytics/motion_detector.hpp"
#include "device/analytics/scene_change_detector.hpp"
#include "device/analytics/tamper_detector.hpp"
#include "device/analytics/video_loss_detector.hpp"
#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"

namespace camrig::analytics {

//! Regions as stored: a JSON list of polygons, each a list of [x, y] points normalised to 0..1.
Result<std::vector<NormalisedPolygon>> parse_polygons(std::string_view json, std::string_view what);
std::string polygons_to_json(const std::vector<NormalisedPolygon>& polygons);

struct SceneSettings {
  MotionSettings motion;
  TamperSettings tamper;
  DefocusSettings defocus;
  SceneChangeSettings scene_change;
  VideoLossSettings video_loss;
  FaceSettings face;
};

//! The channel's settings from the configuration; an error names the first value that is not valid.
Result<SceneSettings> scene_settings_from_config(const core::ConfigService& config, int channel);
//! True for the keys scene_settings_from_config() reads.
bool is_scene_key(std::string_view key);

class SceneDetectors final : public Detector {
 public:
  //! `config` and `bus` must outlive the detectors. Without the face cascade the other detectors
  //! still run (the reason is logged).
  SceneDetectors(const core::ConfigService& config, core::EventBus& bus, int channel);

  std::string_view name() const override { return "scene detectors"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;
  //! The local time for motion detection's scheduled day/night switch.
  void set_local_time(LocalMinuteSource source);
  //! Video loss hears of a source that stopped.
  void no_frames(int channel, hal::Nanos now, hal::Nanos silence, const EventSink& sink) override;

 private:
  void reload();

  const core::ConfigService& config_;
  int channel_;
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes_;
  std::uint64_t dropped_ = 0;
  MotionDetector motion_;
  TamperDetector tamper_;
  DefocusDetector defocus_;
  SceneChangeDetector scene_change_;
  VideoLossDetector video_loss_;
  std::shared_ptr<FaceDetector> face_;  //!< null without the cascade file
};

}  // namespace camrig::analytics
