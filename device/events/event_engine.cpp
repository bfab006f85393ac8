#include "device/events/event_engine.hpp"

#include <algorithm>

#include "device/core/log.hpp"

namespace camrig::events {

using namespace std::chrono_literals;

namespace {

constexpr EventKind k_detector_kinds[] = {
    EventKind::motion,         EventKind::tamper,         EventKind::line_crossing,      EventKind::intrusion,
    EventKind::region_entrance, EventKind::region_exiting, EventKind::unattended_baggage, EventKind::object_removal,
    EventKind::scene_change,   EventKind::defocus,        EventKind::audio_exception,    EventKind::face_detection,
    EventKind::face_capture,   EventKind::video_loss,     EventKind::vehicle_detection, EventKind::pir};
constexpr EventKind k_exception_kinds[] = {EventKind::storage_full,         EventKind::storage_error,
                                           EventKind::no_storage,           EventKind::network_disconnected,
                                           EventKind::ip_conflict,          EventKind::illegal_login,
                                           EventKind::security_exception};

bool is_pulse_exception(EventKind kind) {
  return kind == EventKind::illegal_login || kind == EventKind::security_exception;
}

}  // namespace

EventEngine::EventEngine(hal::Clock& clock, core::EventBus& bus, hal::DigitalInputs* inputs, hal::RelayOutputs* relays,
                         EventEngineOptions options)
    : clock_(clock), bus_(bus), inputs_(inputs), options_(options), outputs_(relays, clock) {
  const int input_count = inputs_ ? inputs_->count() : 0;
  for (int input = 1; input <= input_count; ++input) {
    Source source;
    // "Enable Alarm Input Handling" is off until the user checks it.
    source.settings.enabled = false;
    source.settings.name = "Alarm Input " + std::to_string(input);
    Event probe;
    probe.kind = EventKind::alarm_input;
    probe.input = input;
    sources_.emplace(source_id(probe), std::move(source));
  }
  for (int channel = 1; channel <= options_.video_channels; ++channel)
    for (const auto kind : k_detector_kinds) {
      Event probe;
      probe.kind = kind;
      probe.channel = channel;
      sources_.emplace(source_id(probe), Source{});
    }
  for (const auto kind : k_exception_kinds) {
    Event probe;
    probe.kind = kind;
    sources_.emplace(source_id(probe), Source{});
  }
  history_.reserve(options_.history_capacity);
}

EventEngine::~EventEngine() { stop(); }

void EventEngine::start() {
  if (started_) return;
  started_ = true;
  if (inputs_) inputs_->on_edge([this](int index, bool closed, hal::Nanos at) { on_edge(index, closed, at); });
  auto reports = bus_.subscribe<ExceptionReport>(256);
  exception_listener_ = std::jthread([this, reports](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { reports->close(); });
    while (auto report = reports->pop(stop)) report_exception(report->kind, report->description, report->active);
  });
}

void EventEngine::stop() {
  if (!started_) return;
  started_ = false;
  if (inputs_) inputs_->on_edge(nullptr);
  exception_listener_.request_stop();
  if (exception_listener_.joinable()) exception_listener_.join();
}

int EventEngine::alarm_input_count() const { return inputs_ ? inputs_->count() : 0; }

void EventEngine::on_edge(int index, bool closed, hal::Nanos at) {
  Event event;
  event.kind = EventKind::alarm_input;
  event.input = index + 1;
  event.device_time = at;
  // The edge happened `now - at` ago on the device clock; the wall clock advances with it.
  event.wall_time = clock_.wall_time() - std::chrono::duration_cast<hal::WallTime::duration>(clock_.now() - at);
  SensorType sensor = SensorType::normally_open;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sources_.find(source_id(event)); it != sources_.end()) sensor = it->second.settings.sensor;
  }
  const bool alarm = sensor == SensorType::normally_open ? closed : !closed;
  event.state = alarm ? EventState::active : EventState::inactive;
  submit(std::move(event));
}

void EventEngine::report_exception(EventKind kind, std::string description, bool active) {
  if (!is_exception(kind)) {
    log::get("events")->warn("report_exception: {} is not an exception kind; ignored", isapi_event_type(kind));
    return;
  }
  Event event;
  event.kind = kind;
  event.state = is_pulse_exception(kind) ? EventState::pulse : (active ? EventState::active : EventState::inactive);
  if (is_pulse_exception(kind) && !active) return;  // a pulse has no end to report
  event.description = std::move(description);
  submit(std::move(event));
}

void EventEngine::submit(Event event) {
  if (event.device_time == hal::Nanos{0}) event.device_time = clock_.now();
  if (event.wall_time == hal::WallTime{}) event.wall_time = clock_.wall_time();
  const auto id = source_id(event);
  const bool starts = event.state != EventState::inactive;

  std::lock_guard lock(mutex_);
  auto [it, added] = sources_.try_emplace(id);
  if (added) log::get("events")->debug("first event of source {}: default settings", id);
  auto& source = it->second;
  auto& state = source.state;

  if (starts) {
    const bool repeat = event.state == EventState::active && state.active;
    if (!repeat) {
      if (!source.settings.enabled) return;
      const auto interval = source.settings.event_interval;
      if (interval > 0s && state.last_start && event.device_time - *state.last_start < interval) {
        // "Only one alarm within the Event Interval": this occurrence is neither recorded nor linked.
        state.suppressed = event.state == EventState::active;
        return;
      }
      state.last_start = event.device_time;
      state.posts = 0;
      state.active = event.state == EventState::active;
      state.suppressed = false;
      state.linked = source.settings.schedule.armed_at(event.wall_time);
    } else if (state.suppressed) {
      return;
    }
    event.armed = state.linked;
  } else {
    if (state.suppressed) {
      state.suppressed = false;
      return;
    }
    if (!state.active) return;  // nothing began: an end alone carries no information
    state.active = false;
    // The end of an armed occurrence is delivered even if the schedule closed meanwhile.
    event.armed = state.linked;
  }
  event.active_post_count = ++state.posts;
  event.sequence = ++sequence_;

  if (history_.size() < options_.history_capacity) {
    history_.push_back(event);
  } else if (!history_.empty()) {
    history_[history_next_] = event;
    history_next_ = (history_next_ + 1) % history_.size();
  }
  bus_.publish(RecordedEvent{event});
  if (event.armed) run_linkage(id, source, event, starts && event.active_post_count == 1);
  if (!starts) state.linked = false;
}

void EventEngine::run_linkage(const std::string& id, Source& source, const Event& event, bool begins) {
  const auto& linkage = source.settings.linkage;
  auto& state = source.state;
  if (begins) {
    state.held_outputs = linkage.alarm_outputs;
    for (const int output : state.held_outputs)
      if (auto held = outputs_.hold(output, id); !held) log::get("events")->warn("{}: {}", id, held.error().message);
    if (linkage.flashing_light) call_hook(LinkageHook::flashing_light, event);
    if (linkage.audible_warning) call_hook(LinkageHook::audible_warning, event);
    if (linkage.send_email) call_hook(LinkageHook::send_email, event);
    if (linkage.upload) call_hook(LinkageHook::upload, event);
    if (linkage.record) call_hook(LinkageHook::record, event);
  }
  // A pulse ends as it begins; an inactive post ends the occurrence.
  if (event.state != EventState::active) {
    for (const int output : state.held_outputs) (void)outputs_.release(output, id, source.settings.post_alarm);
    state.held_outputs.clear();
  }
  if (linkage.notify_center) bus_.publish(CenterNotification{event});
}

void EventEngine::call_hook(LinkageHook method, const Event& event) {
  auto it = hooks_.find(method);
  if (it != hooks_.end() && it->second) {
    it->second(event);
    return;
  }
  static constexpr const char* names[] = {"send email", "upload", "trigger recording", "flashing light", "audible warning"};
  log::get("events")->info("{}: linkage '{}' has no service on this device", source_id(event),
                           names[static_cast<int>(method)]);
}

void EventEngine::set_hook(LinkageHook method, std::function<void(const Event&)> hook) {
  std::lock_guard lock(mutex_);
  hooks_[method] = std::move(hook);
}

std::vector<std::string> EventEngine::source_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, source] : sources_) ids.push_back(id);
  return ids;
}

Result<SourceSettings> EventEngine::settings(const std::string& source) const {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return make_error(ErrorCode::not_found, "no event source '" + source + "' on this device");
  return it->second.settings;
}

Result<void> EventEngine::configure(const std::string& source, SourceSettings settings) {
  if (settings.event_interval < 0s || settings.event_interval > 100s)
    return make_error(ErrorCode::out_of_range, source + ": Event Interval must be 1 to 100 s (0: none), got " +
                                                   std::to_string(settings.event_interval.count()));
  if (settings.post_alarm < 0s || settings.post_alarm > 600s)
    return make_error(ErrorCode::out_of_range, source + ": Post-alarm time must be 0 to 600 s, got " +
                                                   std::to_string(settings.post_alarm.count()));
  if (settings.name.size() > 32) return make_error(ErrorCode::out_of_range, source + ": the name is longer than 32 characters");
  for (const auto& day : settings.schedule.days())
    if (day.size() > options_.max_periods_per_day)
      return make_error(ErrorCode::out_of_range, source + ": at most " + std::to_string(options_.max_periods_per_day) +
                                                     " periods per day");
  std::sort(settings.linkage.alarm_outputs.begin(), settings.linkage.alarm_outputs.end());
  settings.linkage.alarm_outputs.erase(
      std::unique(settings.linkage.alarm_outputs.begin(), settings.linkage.alarm_outputs.end()),
      settings.linkage.alarm_outputs.end());
  for (const int output : settings.linkage.alarm_outputs)
    if (output < 1 || output > outputs_.count())
      return make_error(ErrorCode::out_of_range, source + ": linked alarm output " + std::to_string(output) +
                                                     " does not exist (the device has " +
                                                     std::to_string(outputs_.count()) + ")");
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return make_error(ErrorCode::not_found, "no event source '" + source + "' on this device");
  it->second.settings = std::move(settings);
  return {};
}

Result<ArmingSchedule> EventEngine::make_schedule(std::array<std::vector<TimePeriod>, 7> days) const {
  return ArmingSchedule::create(std::move(days), options_.max_periods_per_day);
}

std::vector<Event> EventEngine::history() const {
  std::lock_guard lock(mutex_);
  std::vector<Event> ordered;
  ordered.reserve(history_.size());
  for (std::size_t i = 0; i < history_.size(); ++i) ordered.push_back(history_[(history_next_ + i) % history_.size()]);
  return ordered;
}

}  // namespace camrig::events
