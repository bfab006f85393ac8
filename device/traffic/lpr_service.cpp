#include "device/traffic/lpr_service.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "device/core/log.hpp"
#include "device/traffic/picture_recorder.hpp"

namespace camrig::traffic {
namespace {

// The alarm output holder name of the blocklist alarm (AlarmOutputs counts holders by name).
constexpr const char* k_blocklist_holder = "vehicleBlocklist";

}  // namespace

LprService::LprService(LprServiceParts parts) : parts_(std::move(parts)) {
  if (!parts_.clock || !parts_.config || !parts_.plates || !parts_.relays || !parts_.engine)
    throw std::invalid_argument("LprService needs a clock, config, plate list, relays and event engine");
  auto* config = parts_.config;
  capture_ = std::make_unique<VehicleCapture>([config] { return CaptureSettings::from_config(*config); },
                                              parts_.request_capture, [this](const VehiclePass& pass) { on_pass(pass); });
  barrier_ = std::make_unique<BarrierControl>(
      *parts_.clock, *parts_.relays,
      [config] {
        auto settings = BarrierSettings::from_config(*config);
        if (settings) return *settings;
        // Only a schedule written before a parser change can fail; the barrier keeps working without it.
        log::get("traffic")->warn("always-open schedule ignored: {}", settings.error().message);
        BarrierSettings fallback;
        fallback.enabled = config->get_bool("traffic.barrier.enabled");
        return fallback;
      },
      [capture = capture_.get()] { return capture->lane_occupied(); });
}

LprService::~LprService() { stop(); }

void LprService::start() { barrier_->start(); }

void LprService::stop() { barrier_->stop(); }

void LprService::submit(const PlateRead& read) { capture_->submit(read); }

Result<void> LprService::manual_capture() {
  if (!parts_.request_capture)
    return make_error(ErrorCode::unavailable, "plate recognition is not running on this camera: no manual capture");
  parts_.request_capture(CaptureTrigger::manual, parts_.clock->now());
  return {};
}

void LprService::on_input(int index, bool closed, hal::Nanos at) { capture_->on_input(index, closed, at); }

void LprService::on_pass(const VehiclePass& pass) {
  VehicleRecord record;
  record.read = pass.read;
  record.read.frame.reset();
  record.speed_kmh = pass.speed_kmh;
  record.backing = pass.backing;
  record.snapshots = pass.snapshots;
  const auto& clock = *parts_.clock;
  // The read's time is on the device clock; the wall clock advanced with it since.
  record.wall_time = clock.wall_time() - std::chrono::duration_cast<hal::WallTime::duration>(clock.now() - pass.read.time);

  auto fuzzy = FuzzySettings::from_config(*parts_.config);
  if (!fuzzy) log::get("traffic")->warn("fuzzy matching off: {}", fuzzy.error().message);
  const FuzzyMatcher matcher(fuzzy ? *fuzzy : FuzzySettings{});
  if (!pass.read.plate.empty()) {
    auto lookup = parts_.plates->lookup(pass.read.plate, matcher);
    record.verdict = lookup.verdict;
    record.match = std::move(lookup.match);
  }
  // A vehicle backing away is reported, but it does not open the barrier; a manual capture is a
  // picture taken on request (commissioning, a guard's snapshot): it moves nothing and raises no alarm.
  const bool manual = pass.read.trigger == CaptureTrigger::manual;
  record.barrier = pass.backing || manual ? BarrierAction::not_controlled : barrier_->on_vehicle(pass.read.plate, record.verdict);
  if (record.verdict == PlateVerdict::blocked && !manual) raise_blocklist_alarm(record);

  {
    std::lock_guard lock(mutex_);
    record.id = next_id_++;
    recent_.push_back(record);
    if (recent_.size() > k_recent_capacity) recent_.pop_front();
  }

  events::Event event;
  event.kind = events::EventKind::vehicle_detection;
  event.channel = pass.read.channel;
  event.state = events::EventState::pulse;
  event.device_time = pass.read.time;
  event.wall_time = record.wall_time;
  events::Target target;
  target.object_class = "vehicle";
  target.plate = pass.read.plate;
  target.list_verdict = std::string(to_string(record.verdict));
  target.direction = std::string(to_string(pass.read.direction));
  target.capture_trigger = std::string(to_string(pass.read.trigger));
  event.target = std::move(target);
  event.description = manual                                    ? "Manual capture"
                      : pass.backing                            ? "Backing and leaving"
                      : record.verdict == PlateVerdict::blocked ? "Blocklist vehicle"
                      : pass.read.plate.empty()                 ? "Unlicensed vehicle"
                                                                : "ANPR";
  if (parts_.pictures && pass.read.frame) {
    if (auto pictures = parts_.pictures->record(pass.read, record.wall_time, record.id, pass.snapshots))
      event.pictures = std::move(pictures->refs);
    else
      log::get("traffic")->warn("vehicle {}: no pictures: {}", record.id, pictures.error().message);
  }
  if (record.verdict == PlateVerdict::blocked && !manual && parts_.send_email && parts_.config->get_bool("traffic.blocklist_alarm.enabled") &&
      parts_.config->get_bool("traffic.blocklist_alarm.send_email")) {
    // The mail names the plate: its text comes from the description alone.
    auto mail = event;
    mail.description = "Blocklist vehicle " + pass.read.plate;
    mail.pictures = blocklist_mail_picture(event.pictures, record.id);
    parts_.send_email(mail);
  }
  parts_.engine->submit(std::move(event));
  log::get("traffic")->info("vehicle {} '{}' {} {}: barrier {}", record.id, pass.read.plate, to_string(record.verdict),
                            to_string(pass.read.direction), to_string(record.barrier));
}

// "Select Image": the original scene picture or the plate cutout, and only that one. A cutout
// switched off in the picture settings leaves the scene picture, which also shows the plate.
std::vector<events::PictureRef> LprService::blocklist_mail_picture(const std::vector<events::PictureRef>& pictures,
                                                                   std::uint64_t vehicle) const {
  const bool cutout = parts_.config->get_string("traffic.blocklist_alarm.picture") == "plate_cutout";
  const auto of_kind = [&](std::string_view kind) {
    return std::find_if(pictures.begin(), pictures.end(), [&](const auto& ref) { return ref.kind == kind && ref.jpeg; });
  };
  auto chosen = of_kind(cutout ? "plate" : "scene");
  if (chosen == pictures.end() && cutout) {
    log::get("traffic")->warn("vehicle {}: no plate cutout for the blocklist mail (Cutout: Plate is off); the scene "
                              "picture is sent instead", vehicle);
    chosen = of_kind("scene");
  }
  if (chosen == pictures.end()) return {};
  return {*chosen};
}

void LprService::raise_blocklist_alarm(const VehicleRecord& record) {
  const auto& config = *parts_.config;
  if (!config.get_bool("traffic.blocklist_alarm.enabled")) return;
  const int output = static_cast<int>(config.get_int("traffic.blocklist_alarm.alarm_output"));
  if (output == 0) return;
  auto& outputs = parts_.engine->outputs();
  // One pulse per vehicle: the output stays on for its Delay plus the post-alarm time.
  if (auto held = outputs.hold(output, k_blocklist_holder); !held) {
    log::get("traffic")->warn("blocklist alarm for '{}': {}", record.read.plate, held.error().message);
    return;
  }
  (void)outputs.release(output, k_blocklist_holder, std::chrono::seconds(config.get_int("traffic.blocklist_alarm.post_alarm")));
}

std::optional<VehicleRecord> LprService::vehicle_of(const events::Event& event) const {
  if (event.kind != events::EventKind::vehicle_detection || !event.target) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it)
    if (it->read.time == event.device_time && it->read.plate == event.target->plate) return *it;
  return std::nullopt;
}

std::vector<VehicleRecord> LprService::recent(std::uint64_t after_id, std::optional<hal::WallTime> after_time,
                                              std::size_t max) const {
  std::vector<VehicleRecord> found;
  std::lock_guard lock(mutex_);
  for (const auto& record : recent_) {
    if (found.size() >= max) break;
    if (record.id <= after_id || (after_time && record.wall_time < *after_time)) continue;
    found.push_back(record);
  }
  return found;
}

}  // namespace camrig::traffic
