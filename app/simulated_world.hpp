// The simulated world behind `camrig device`: a world description (built-in per profile or a
// file), one rendered camera per channel (a PTZ channel looks through a motor model), the alarm
// inputs its loops drive, the relays and the barrier gate they move, and an optional
// ground-truth file. Hands the camera its hardware; the camera never sees the world itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "device/camera/camera.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/result.hpp"
#include "sim/barrier_gate.hpp"
#include "sim/ptz_motor_model.hpp"
#include "sim/sd_card_model.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "sim/virtual_serial_port.hpp"
#include "sim/virtual_wiegand.hpp"
#include "sim/world/ground_truth.hpp"
#include "sim/world/world.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::app {

struct SimulatedWorldOptions {
  //! A built-in scene name or a path to a world description (YAML or JSON); empty picks the
  //! profile's built-in scene, or "default".
  std::string scene;
  //! Replaces the description's seed when set.
  std::optional<std::uint64_t> seed;
  //! Writes frame and event ground truth as JSON lines here; empty writes none.
  std::string ground_truth_path;
};

class SimulatedWorld {
 public:
  //! Fails with a message naming the scene and what is wrong with it.
  static Result<std::unique_ptr<SimulatedWorld>> create(const core::DeviceProfile& profile, hal::Clock& clock,
                                                        sim::FramePacer pacer, SimulatedWorldOptions options);
  ~SimulatedWorld();

  //! Video sources, alarm inputs and relays for the camera; valid while this object lives.
  camera::CameraHardware hardware();
  const std::string& scene_name() const { return scene_name_; }
  //! The bench's side of the wiring (`camrig run`): scenarios toggle the sensors on the inputs
  //! and watch the relays and the barrier, as a test rig would.
  sim::VirtualInputs& inputs() { return *inputs_; }
  sim::VirtualRelays& relays() { return *relays_; }
  sim::BarrierGate* barrier() { return barrier_.get(); }
  //! The memory card, where the profile has one (scenarios inject its faults); else null.
  sim::SdCardModel* memory_card() { return memory_card_.get(); }

 private:
  SimulatedWorld() = default;

  hal::Clock* clock_ = nullptr;
  std::string scene_name_;
  std::unique_ptr<sim::VirtualInputs> inputs_;
  std::unique_ptr<sim::VirtualRelays> relays_;
  //! The RS-485 terminal (port 1) on profiles that have one; nothing is wired to its far end yet.
  std::unique_ptr<sim::VirtualSerialPort> rs485_;
  std::unique_ptr<sim::VirtualSerialPort> rs232_;
  //! The LPR camera's memory card (an empty 32 GB card) and Wiegand port.
  std::unique_ptr<sim::SdCardModel> memory_card_;
  std::unique_ptr<sim::VirtualWiegand> wiegand_;
  std::unique_ptr<sim::BarrierGate> barrier_;
  std::unique_ptr<sim::World> world_;
  std::unique_ptr<sim::SharedWorld> shared_;
  std::unique_ptr<sim::GroundTruthWriter> ground_truth_;
  std::vector<std::unique_ptr<sim::PtzMotorModel>> motors_;
  //! Each PTZ channel's motor with its lens, as the camera is given them.
  std::map<int, camera::PtzHead> ptz_heads_;
  std::vector<std::unique_ptr<sim::SceneRenderer>> renderers_;
  std::vector<std::pair<int, std::unique_ptr<sim::WorldVideoSource>>> sources_;
};

}  // namespace camrig::app
