#include "device/traffic/wiegand_sender.hpp"

#include "device/core/log.hpp"
#include "device/traffic/fuzzy_match.hpp"
#include "device/traffic/wiegand_frame.hpp"

namespace camrig::traffic {

WiegandSettings WiegandSettings::from_config(const core::ConfigService& config) {
  WiegandSettings settings;
  settings.enabled = config.get_bool("wiegand.enabled");
  settings.format = config.get_string("wiegand.format");
  settings.source = config.get_string("wiegand.card_source") == "allowlist_card" ? WiegandCardSource::allowlist_card
                                                                                 : WiegandCardSource::plate_digits;
  settings.facility_code = static_cast<unsigned>(config.get_int("wiegand.facility_code"));
  return settings;
}

WiegandSender::WiegandSender(core::EventBus& bus, const core::ConfigService& config, const PlateList& plates,
                             hal::WiegandOutput& port)
    : config_(config), plates_(plates), port_(port), mailbox_(bus.subscribe<events::RecordedEvent>(1024)) {
  worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WiegandSender::~WiegandSender() { stop(); }

void WiegandSender::stop() {
  if (!worker_.joinable()) return;
  worker_.request_stop();
  mailbox_->close();
  worker_.join();
}

Result<hal::WiegandFrame> WiegandSender::frame_for(const events::Event& event, const WiegandSettings& settings) const {
  if (event.kind != events::EventKind::vehicle_detection || !event.target || event.target->plate.empty())
    return make_error(ErrorCode::not_found, "not a vehicle with a read plate");
  // A manual capture is a picture taken on request, not a vehicle at the gate: like the barrier,
  // the access controller is not told.
  if (event.target->capture_trigger == "manual")
    return make_error(ErrorCode::not_found, "a manual capture is not announced to the access controller");
  auto format = parse_wiegand_format(settings.format);
  if (!format) return format.error();
  const auto& plate = event.target->plate;
  if (settings.source == WiegandCardSource::plate_digits) {
    auto number = card_number_from_plate(plate, *format);
    if (!number) return number.error();
    return encode_wiegand(*format, *number, settings.facility_code);
  }
  // The allowlist entry's own card: only a vehicle the camera lets in is announced to the controller.
  if (event.target->list_verdict != "allowed")
    return make_error(ErrorCode::not_found, "plate '" + plate + "' is not an active allowlist entry");
  auto fuzzy = FuzzySettings::from_config(config_);
  const auto lookup = plates_.lookup(plate, FuzzyMatcher(fuzzy ? *fuzzy : FuzzySettings{}));
  if (lookup.verdict != PlateVerdict::allowed || !lookup.match)
    return make_error(ErrorCode::not_found, "plate '" + plate + "' is not an active allowlist entry");
  auto number = card_number_from_text(lookup.match->entry.card_number, *format);
  if (!number)
    return make_error(number.error().code, "allowlist entry '" + lookup.match->entry.plate + "': " + number.error().message);
  return encode_wiegand(*format, *number, settings.facility_code);
}

void WiegandSender::run(std::stop_token stop) {
  auto logger = log::get("traffic");
  while (auto recorded = mailbox_->pop(stop)) {
    const auto& event = recorded->event;
    if (event.kind != events::EventKind::vehicle_detection) continue;
    handle(event, logger);
    {
      std::lock_guard lock(handled_mutex_);
      ++handled_;
    }
    handled_changed_.notify_all();
  }
}

void WiegandSender::handle(const events::Event& event, const std::shared_ptr<spdlog::logger>& logger) {
  const auto settings = WiegandSettings::from_config(config_);
  if (!settings.enabled) return;
  auto frame = frame_for(event, settings);
  if (!frame) {
    ++skipped_;
    logger->info("Wiegand: nothing sent for vehicle '{}': {}", event.target ? event.target->plate : "",
                 frame.error().message);
    return;
  }
  if (auto sent = port_.send(*frame); !sent) {
    ++failed_;
    logger->warn("Wiegand: {}", sent.error().message);
    return;
  }
  ++sent_;
}

WiegandStats WiegandSender::stats() const {
  std::lock_guard lock(handled_mutex_);
  return {handled_, sent_.load(), skipped_.load(), failed_.load()};
}

bool WiegandSender::wait_until_handled(std::uint64_t vehicles, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(handled_mutex_);
  return handled_changed_.wait_for(lock, timeout, [&] { return handled_ >= vehicles; });
}

}  // namespace camrig::traffic
