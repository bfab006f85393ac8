// Ground truth of a run as JSON lines, for scoring analytics: per rendered frame and camera every
// actor's image box, visibility, plate and face; and the world's events (line crossings, region
// entrance/exit, objects, loops, scene events). Never shown to the device.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "device/core/result.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

//! The pose a camera has once the scene's "camera moved" effect is applied; the renderer and
//! the ground truth must both use it for boxes to match pixels.
CameraPose effective_pose(const CameraPose& mounted, const CameraEffects& effects);

//! One frame's record: {"type":"frame","time":s,"channel":c,"frame":n,"actors":[...]}; each actor
//! {"id","class","box":[x,y,w,h]|null,"visible","occluded","plate"?,"face"?}. `camera` is the
//! mounted pose; the snapshot's camera-moved offsets are applied here.
nlohmann::ordered_json frame_record(int channel, std::uint64_t frame, const WorldSnapshot& snapshot,
                                    const CameraPose& camera);

//! {"type":"event","time":s,"kind":k,"name":n,"actor"?:id,"direction"?:"A->B"|"B->A"}.
nlohmann::ordered_json event_record(const WorldEvent& event);

//! Writes records as JSON lines to a stream or a file; safe to call from several threads (each
//! line is written whole).
class GroundTruthWriter {
 public:
  //! Writes to `out`, which must outlive the writer.
  explicit GroundTruthWriter(std::ostream& out);
  //! Creates (truncates) `path`; io_error when it cannot be opened.
  static Result<std::unique_ptr<GroundTruthWriter>> open(const std::string& path);

  //! The mounted pose of channel `channel`; frames of a channel without one are not written.
  void set_camera(int channel, const CameraPose& pose);
  void set_camera(int channel, const CameraModel& camera) { set_camera(channel, camera.pose()); }
  //! False when the channel has no camera.
  bool write_frame(int channel, std::uint64_t frame, const WorldSnapshot& snapshot);
  void write_event(const WorldEvent& event);
  void flush();

 private:
  void write_line(const nlohmann::ordered_json& record);

  std::unique_ptr<std::ofstream> file_;
  std::ostream& out_;
  std::mutex mutex_;
  std::map<int, CameraPose> cameras_;
};

}  // namespace camrig::sim
