// The LPR camera's vehicle service as the traffic tests build it: the lpr-camera profile and
// config, an in-memory plate list, the event engine on simulated inputs (tapped for the loops)
// and relays, optionally the picture recorder on a simulated memory card, and the LprService
// itself, on a clock the test owns. Also the plate reads they submit.
#pragma once

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "device/core/config_schema.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/device_profile.hpp"
#include "device/events/event_engine.hpp"
#include "device/storage/picture_store.hpp"
#include "device/traffic/input_tap.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/picture_composer.hpp"
#include "device/traffic/picture_recorder.hpp"
#include "device/traffic/plate_list.hpp"
#include "sim/sd_card_model.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"

namespace camrig::test {

struct LprServiceRigOptions {
  //! Config changes are published on the rig's bus (services that follow settings need it).
  bool publish_config = false;
  //! The parts a test may give the service; see traffic::LprServiceParts.
  traffic::VehicleCapture::CaptureRequest request_capture;
  std::function<void(const events::Event&)> send_email;
  //! Compose and store each vehicle's pictures on a simulated memory card, as the camera does;
  //! reads then carry a frame (gate_frame()) with the plate where read() says.
  bool pictures = false;
  //! Config values set before the test starts ("traffic.capture.mode" = "video", ...).
  std::vector<std::pair<std::string, std::string>> settings;
};

class LprServiceRig {
 public:
  //! Builds and starts everything; throws when a part cannot be made. `device_clock` must outlive the rig.
  explicit LprServiceRig(hal::Clock& device_clock, LprServiceRigOptions options = {})
      : clock(device_clock), inputs(device_clock, 2), tap(inputs), relays(device_clock, 2) {
    auto builtin = core::DeviceProfile::builtin("lpr-camera");
    if (!builtin) throw std::runtime_error(builtin.error().message);
    profile = *builtin;
    auto schema = core::ConfigSchema::builtin();
    if (!schema) throw std::runtime_error(schema.error().message);
    auto opened = core::ConfigService::open(*schema, profile, ":memory:", options.publish_config ? &bus : nullptr);
    if (!opened) throw std::runtime_error(opened.error().message);
    config = std::move(*opened);
    auto list = traffic::PlateList::open(":memory:", clock);
    if (!list) throw std::runtime_error(list.error().message);
    plates = std::move(*list);
    engine = std::make_unique<events::EventEngine>(clock, bus, &tap, &relays);
    engine->start();
    if (options.pictures) make_pictures();
    traffic::LprServiceParts parts;
    parts.clock = &clock;
    parts.config = config.get();
    parts.plates = plates.get();
    parts.relays = &relays;
    parts.engine = engine.get();
    parts.request_capture = std::move(options.request_capture);
    parts.pictures = recorder.get();
    parts.send_email = std::move(options.send_email);
    service = std::make_unique<traffic::LprService>(std::move(parts));
    tap.set_listener([this](int index, bool closed, hal::Nanos at) { service->on_input(index, closed, at); });
    service->start();
    for (const auto& [key, value] : options.settings) set(key, value);
  }

  ~LprServiceRig() {
    tap.set_listener(nullptr);
    service.reset();
    recorder.reset();
    engine.reset();
  }
  LprServiceRig(const LprServiceRig&) = delete;
  LprServiceRig& operator=(const LprServiceRig&) = delete;

  //! Throws with the config service's message when the value is refused.
  void set(const std::string& key, const std::string& value) {
    if (auto done = config->set_text(key, value); !done)
      throw std::runtime_error(key + "=" + value + ": " + done.error().message);
  }

  void list(const std::string& plate, traffic::ListType type) {
    traffic::PlateEntry entry;
    entry.plate = plate;
    entry.list = type;
    if (auto added = plates->add(entry); !added) throw std::runtime_error(plate + ": " + added.error().message);
  }

  //! A read as recognition reports it, captured now (plus `after`, to keep capture times apart).
  traffic::PlateRead read(const std::string& plate, traffic::CaptureTrigger trigger = traffic::CaptureTrigger::video,
                          traffic::VehicleDirection direction = traffic::VehicleDirection::approaching,
                          hal::Nanos after = hal::Nanos{0}) {
    traffic::PlateRead r;
    r.id = ++read_ids;
    r.plate = plate;
    r.confidence = 0.9;
    r.trigger = trigger;
    r.direction = direction;
    r.time = clock.now() + after;
    r.plate_box = k_plate_box;
    if (recorder) r.frame = gate_frame(r.time);
    return r;
  }

  //! Where read() puts the plate in gate_frame().
  static constexpr traffic::PixelBox k_plate_box{600, 500, 160, 40};
  static constexpr int k_frame_width = 1280, k_frame_height = 720;
  //! A grey road with a bright plate at k_plate_box.
  static hal::VideoFramePtr gate_frame(hal::Nanos time) {
    auto frame = std::make_shared<hal::VideoFrame>(k_frame_width, k_frame_height);
    std::memset(frame->plane(0), 90, static_cast<std::size_t>(frame->stride(0)) * k_frame_height);
    std::memset(frame->plane(1), 128, static_cast<std::size_t>(frame->stride(1)) * k_frame_height / 2);
    std::memset(frame->plane(2), 128, static_cast<std::size_t>(frame->stride(2)) * k_frame_height / 2);
    for (int y = k_plate_box.y; y < k_plate_box.y + k_plate_box.height; ++y)
      std::memset(frame->plane(0) + y * frame->stride(0) + k_plate_box.x, 230, k_plate_box.width);
    frame->timestamp = time;
    return frame;
  }

  //! A video read submitted at a capture time of its own (now plus its read number in ns).
  void pass(const std::string& plate) {
    service->submit(read(plate, traffic::CaptureTrigger::video, traffic::VehicleDirection::approaching,
                         std::chrono::nanoseconds(read_ids + 1)));
  }

  std::vector<traffic::VehicleRecord> vehicles() const { return service->recent(0, std::nullopt, 1000); }

 private:
  void make_pictures() {
    card = std::make_unique<sim::SdCardModel>(clock, sim::SdCardOptions{.capacity_bytes = 64 << 20, .write_bytes_per_second = 0});
    storage::PictureStoreOptions store_options;
    store_options.key = std::vector<std::uint8_t>(32, 7);
    auto opened_store = storage::PictureStore::open(*card, store_options);
    if (!opened_store) throw std::runtime_error(opened_store.error().message);
    store = std::move(*opened_store);
    auto opened_composer = traffic::PictureComposer::open();
    if (!opened_composer) throw std::runtime_error(opened_composer.error().message);
    composer = std::move(*opened_composer);
    traffic::PictureRecorderParts parts;
    parts.config = config.get();
    parts.composer = composer.get();
    parts.store = store.get();
    parts.engine = engine.get();
    recorder = std::make_unique<traffic::PictureRecorder>(std::move(parts));
  }

 public:

  hal::Clock& clock;
  core::EventBus bus;
  sim::VirtualInputs inputs;
  traffic::InputTap tap;
  sim::VirtualRelays relays;
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<traffic::PlateList> plates;
  std::unique_ptr<events::EventEngine> engine;
  // With LprServiceRigOptions::pictures only.
  std::unique_ptr<sim::SdCardModel> card;
  std::unique_ptr<storage::PictureStore> store;
  std::unique_ptr<traffic::PictureComposer> composer;
  std::unique_ptr<traffic::PictureRecorder> recorder;
  std::unique_ptr<traffic::LprService> service;
  std::uint64_t read_ids = 0;
};

}  // namespace camrig::test
