#include "app/simulated_world.hpp"

#include <algorithm>
#include <filesystem>

namespace camrig::app {
namespace {

Result<sim::WorldDescription> load_scene(const core::DeviceProfile& profile, const std::string& scene) {
  if (scene.empty()) {
    const auto names = sim::builtin_scene_names();
    const bool own = std::find(names.begin(), names.end(), profile.name) != names.end();
    return sim::builtin_scene(own ? profile.name : "default");
  }
  if (std::filesystem::exists(scene)) return sim::load_world_description(scene);
  auto builtin = sim::builtin_scene(scene);
  if (!builtin) {
    std::string names;
    for (const auto& name : sim::builtin_scene_names()) names += (names.empty() ? "" : ", ") + name;
    return Error{ErrorCode::not_found,
                 "scene '" + scene + "' is neither a file nor a built-in scene (built-in: " + names + ")"};
  }
  return builtin;
}

}  // namespace

Result<std::unique_ptr<SimulatedWorld>> SimulatedWorld::create(const core::DeviceProfile& profile,
                                                               hal::Clock& clock, sim::FramePacer pacer,
                                                               SimulatedWorldOptions options) {
  auto description = load_scene(profile, options.scene);
  if (!description) return description.error();
  if (options.seed) description->seed = *options.seed;

  std::unique_ptr<SimulatedWorld> self(new SimulatedWorld());
  self->clock_ = &clock;
  self->scene_name_ = description->source;
  self->inputs_ = std::make_unique<sim::VirtualInputs>(clock, profile.capabilities.alarm_inputs);
  self->relays_ = std::make_unique<sim::VirtualRelays>(clock, profile.capabilities.alarm_outputs);
  if (profile.capabilities.rs485_ports > 0) self->rs485_ = std::make_unique<sim::VirtualSerialPort>();
  if (profile.capabilities.rs232_ports > 0) self->rs232_ = std::make_unique<sim::VirtualSerialPort>();
  if (profile.capabilities.license_plate_recognition) {
    self->memory_card_ = std::make_unique<sim::SdCardModel>(clock);
    self->wiegand_ = std::make_unique<sim::VirtualWiegand>(clock);
  }
  // A scene with a barrier gets a boom on the first two relays (open, close), as an LPR camera
  // is wired: the camera's relay decisions let vehicles through or keep them waiting.
  if (description->scene.type == sim::SceneType::gate_lane && profile.capabilities.alarm_outputs >= 2)
    self->barrier_ = std::make_unique<sim::BarrierGate>(clock, *self->relays_);

  auto world = sim::World::create(*description, sim::WorldIo{self->inputs_.get(), self->barrier_.get()});
  if (!world) return Error{world.error().code, description->source + ": " + world.error().message};
  self->world_ = std::move(*world);
  self->shared_ = std::make_unique<sim::SharedWorld>(*self->world_);

  if (!options.ground_truth_path.empty()) {
    auto writer = sim::GroundTruthWriter::open(options.ground_truth_path);
    if (!writer) return writer.error();
    self->ground_truth_ = std::move(*writer);
    self->world_->on_event([writer = self->ground_truth_.get()](const sim::WorldEvent& event) { writer->write_event(event); });
  }

  const auto& cameras = self->world_->cameras();
  for (std::size_t i = 0; i < profile.channels.size(); ++i) {
    const auto& channel = profile.channels[i];
    // Channel i looks through camera i of the scene; a scene with fewer cameras lends its last.
    auto pose = cameras[std::min(i, cameras.size() - 1)];
    pose.width = channel.sensor.width;
    pose.height = channel.sensor.height;
    auto& renderer = self->renderers_.emplace_back(std::make_unique<sim::SceneRenderer>(
        self->world_->layout(), description->seed + static_cast<std::uint64_t>(channel.id),
        channel.sensor.frame_rate.value()));
    std::unique_ptr<sim::WorldVideoSource> source;
    if (channel.kind == "ptz") {
      sim::PtzMotorOptions motor;
      motor.horizontal_fov_degrees = pose.horizontal_fov_degrees;
      motor.aspect_ratio = static_cast<double>(pose.width) / pose.height;
      motor.initial = {0, -pose.tilt_degrees, 1};
      motor.seed = description->seed;
      auto& model = self->motors_.emplace_back(std::make_unique<sim::PtzMotorModel>(clock, motor));
      self->ptz_heads_[channel.id] = {model.get(), motor.horizontal_fov_degrees, motor.aspect_ratio};
      source = std::make_unique<sim::WorldVideoSource>(*self->shared_, *renderer, *model, pose, channel.sensor, pacer);
    } else {
      source = std::make_unique<sim::WorldVideoSource>(*self->shared_, *renderer, pose, channel.sensor, pacer);
    }
    if (self->ground_truth_) {
      self->ground_truth_->set_camera(channel.id, pose);
      source->on_ground_truth([writer = self->ground_truth_.get(), id = channel.id](
                                  std::uint64_t frame, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
        // The writer applies the camera-moved offsets itself: give it the pose as mounted.
        auto mounted = camera.pose();
        mounted.pan_degrees -= snapshot.effects.pan_offset_degrees;
        mounted.tilt_degrees -= snapshot.effects.tilt_offset_degrees;
        writer->set_camera(id, mounted);
        writer->write_frame(id, frame, snapshot);
      });
    }
    self->sources_.emplace_back(channel.id, std::move(source));
  }
  return self;
}

SimulatedWorld::~SimulatedWorld() {
  if (ground_truth_) ground_truth_->flush();
}

camera::CameraHardware SimulatedWorld::hardware() {
  camera::CameraHardware hardware;
  hardware.clock = clock_;
  for (auto& [id, source] : sources_) hardware.video_sources[id] = source.get();
  hardware.inputs = inputs_.get();
  hardware.relays = relays_.get();
  if (rs485_) hardware.serial_ports[1] = rs485_.get();
  if (rs232_) hardware.serial_ports[2] = rs232_.get();
  hardware.memory_card = memory_card_.get();
  hardware.wiegand = wiegand_.get();
  hardware.ptz_heads = ptz_heads_;
  return hardware;
}

}  // namespace camrig::app
