#include "device/camera/camera.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "version.hpp"  // CAMRIG_ONVIF

#include "device/analytics/behaviour_analysis.hpp"
#include "device/analytics/face_capture.hpp"
#include "device/analytics/metadata_producer.hpp"
#include "device/analytics/plates/plate_recognition.hpp"
#include "device/analytics/scene_detectors.hpp"
#include "device/analytics/video_analytics.hpp"
#include "device/camera/image_config.hpp"
#include "device/camera/stream_config.hpp"
#include "device/core/log.hpp"
#include "device/http/web_listeners.hpp"
#include "device/isapi/isapi.hpp"
#include "device/onvif/metadata_events.hpp"
#if CAMRIG_ONVIF
#include "device/onvif/onvif.hpp"
#endif
#include "device/ptz/ptz_controller.hpp"
#include "device/media/channel_pipeline.hpp"
#include "device/rtsp/server.hpp"
#include "device/security/authenticator.hpp"
#include "device/security/ip_filter.hpp"
#include "device/storage/system_log_store.hpp"
#include "device/system/firmware_package.hpp"
#include "device/system/serial_ports.hpp"
#include "device/system/sntp_client.hpp"
#include "device/system/time_settings.hpp"
#include "device/traffic/input_tap.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/lprapi_service.hpp"
#include "device/traffic/picture_recorder.hpp"
#include "device/traffic/wiegand_sender.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::camera {

struct Camera::Parts {
  core::DeviceProfile profile;
  CameraHardware hardware;
  //! Declared before every part that reads time, so it is destroyed after them.
  std::unique_ptr<system::DeviceClock> device_clock;
  std::unique_ptr<storage::SqliteSystemLog> system_log;
  core::EventBus bus;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<system::NtpSynchronizer> ntp;
  std::unique_ptr<system::Maintenance> maintenance;
  std::unique_ptr<system::SerialPorts> serial_ports;
  //! LPR camera: the alarm inputs shared by the event engine and the vehicle loops; outlives both.
  std::unique_ptr<traffic::InputTap> input_tap;
  std::unique_ptr<events::EventService> events;
  //! The recent pictures of smart functions (face captures), for the smart display.
  std::unique_ptr<events::SmartDisplay> smart_display;
  std::map<int, std::shared_ptr<media::StreamPipeline>> streams;
  //! The video analytics of each channel, by channel id.
  std::map<int, std::shared_ptr<analytics::VideoAnalytics>> analytics;
  //! Each channel's ONVIF metadata, carried by the RTSP streams whose metadata setting is on.
  std::map<int, std::shared_ptr<media::MetadataStream>> metadata;
  //! Writes the recorded events into `metadata` as ONVIF notification messages.
  std::unique_ptr<onvif::MetadataEventWriter> metadata_events;
  std::vector<std::unique_ptr<media::ChannelPipeline>> channels;

  std::unique_ptr<security::UserAccounts> accounts;
  //! The PTZ channels' control (moves, presets, home), by channel id; ISAPI and ONVIF drive them.
  std::map<int, std::unique_ptr<ptz::PtzController>> ptz;
  //! The vehicle allowlist and blocklist; only on profiles with licence plate recognition.
  std::unique_ptr<traffic::PlateList> plates;
  //! LPR camera: the vehicles' pictures on the memory card (index, watermarks) and how they are
  //! made; declared before `lpr`, which hands them each vehicle, so they outlive it.
  std::unique_ptr<storage::PictureStore> pictures;
  std::unique_ptr<traffic::PictureComposer> picture_composer;
  std::unique_ptr<traffic::PictureRecorder> picture_recorder;
  //! LPR camera: capture, barrier control and vehicle events; destroyed before the lists and events.
  std::unique_ptr<traffic::LprService> lpr;
  //! LPRAPI push and the Wiegand output of the vehicles `lpr` reports.
  std::unique_ptr<traffic::LprApiService> lprapi;
  std::unique_ptr<traffic::WiegandSender> wiegand;
  //! Plate recognition on the LPR channel's analysed frames; its reads go to `lpr`.
  std::shared_ptr<analytics::PlateRecognition> plate_recognition;
  //! Logins, logouts and refused credentials of every protocol, in the system log.
  std::unique_ptr<security::LoginLog> login_log;
  std::unique_ptr<security::IllegalLoginLock> login_lock;
  std::unique_ptr<security::Authenticator> authenticator;
  //! RTSP's own instance: same accounts and lock, its own Basic switch ("RTSP Authentication").
  std::unique_ptr<security::Authenticator> rtsp_authenticator;
  http::Router router;

  boost::asio::io_context io;
  std::unique_ptr<rtsp::Server> rtsp;
  std::unique_ptr<security::CertificateStore> certificates;
  std::unique_ptr<security::WebSessions> web_sessions;
  std::unique_ptr<security::IpFilter> ip_filter;
  std::unique_ptr<http::WebListeners> web;
#if CAMRIG_ONVIF
  //! Announces the web listener's address, so it is stopped (Bye) before it.
  std::unique_ptr<onvif::Discovery> discovery;
#endif
  std::jthread io_thread;
  std::jthread config_watcher;
  bool stopped = false;

  // Settings stored by a path that does not check them as a whole (a configuration file) and
  // that the recognition refuses leave the running ones in place; the log says why.
  void apply_plate_recognition_settings() {
    auto settings = analytics::plate_recognition_settings_from_config(*config);
    if (!settings) {
      log::get("camera")->error("plate recognition keeps its settings: {}", settings.error().message);
      return;
    }
    plate_recognition->configure(std::move(*settings));
  }

  void log_parameter_change(const std::vector<std::string>& keys) {
    storage::LogEntry entry;
    entry.major = storage::LogMajor::operation;
    entry.minor = "Parameter Config";
    for (std::size_t i = 0; i < keys.size() && i < 8; ++i) entry.description += (i ? ", " : "") + keys[i];
    if (keys.size() > 8) entry.description += " and " + std::to_string(keys.size() - 8) + " more";
    (void)system_log->append(std::move(entry));  // the change is made; a full disk only loses its trace
  }

  // The profile's capacity caps the setting (the LPR camera serves up to 10 users).
  std::size_t max_rtsp_sessions() const {
    return static_cast<std::size_t>(
        std::min<std::int64_t>(config->get_int("network.rtsp_max_sessions"), profile.capabilities.max_rtsp_sessions));
  }

  // Without a restart; rtsp::Server::rebind says what the clients of the old port see.
  void apply_rtsp_settings() {
    rtsp->set_max_sessions(max_rtsp_sessions());
    const auto port = static_cast<std::uint16_t>(config->get_int("network.rtsp_port"));
    const auto moved = rtsp->rebind(port);
    if (moved) return;
    // The stored port must stay the one clients can reach (and the one a restart binds), so a
    // port the service could not take is put back; the logs say why.
    const std::int64_t serving = rtsp->port();
    log::get("camera")->error("RTSP port {} refused, the RTSP service stays on port {} and network.rtsp_port is back to {}: {}",
                              port, serving, serving, moved.error().message);
    storage::LogEntry entry;
    entry.major = storage::LogMajor::exception;
    entry.minor = "Parameter Config";
    entry.description =
        "RTSP port " + std::to_string(port) + " refused (" + moved.error().message + "); stays on " + std::to_string(serving);
    (void)system_log->append(std::move(entry));  // the revert below matters; its trace is best effort
    if (auto reverted = config->set("network.rtsp_port", serving); !reverted)
      log::get("camera")->error("cannot put network.rtsp_port back to {}: {}", serving, reverted.error().message);
  }

  // Applies configuration changes to the running streams, in the order they were made.
  void watch_config(std::stop_token stop, std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes) {
    std::stop_callback wake(stop, [&] { changes->close(); });
    while (auto change = changes->pop(stop)) {
      std::set<int> touched;
      std::set<int> touched_channels;
      bool restart_web = false;
      bool rtsp_changed = false;
      bool time_changed = false;
      for (const auto& key : change->keys) {
        if (key.starts_with("time.")) {
          time_changed = true;
          continue;
        }
        if (key.starts_with("channel.")) {
          const int channel_id = std::stoi(key.substr(8, key.find('.', 8) - 8));
          touched_channels.insert(channel_id);
          // Rotate swaps the width and height of every stream of the channel.
          if (const auto* channel = profile.find_channel(channel_id); channel && key.ends_with(".image.rotate"))
            for (const auto& stream : channel->streams) touched.insert(stream.id);
          continue;
        }
        if (!key.starts_with("stream.")) {
          if (http::WebListeners::affects(key)) {
            restart_web = true;
            continue;
          }
          if (key == "network.rtsp_port" || key == "network.rtsp_max_sessions") {
            rtsp_changed = true;
            continue;
          }
          if (key.starts_with("network."))
            log::get("camera")->info("{} changed; it takes effect when the device restarts", key);
          continue;
        }
        touched.insert(std::stoi(key.substr(7, key.find('.', 7) - 7)));
      }
      if (lpr && std::any_of(change->keys.begin(), change->keys.end(),
                             [](const std::string& key) { return key.starts_with("traffic.barrier."); }))
        lpr->settings_changed();
      if (plate_recognition && std::any_of(change->keys.begin(), change->keys.end(),
                                           [](const std::string& key) { return analytics::is_plate_recognition_key(key); }))
        apply_plate_recognition_settings();
      if (restart_web && web) web->restart();
      if (rtsp_changed && rtsp) apply_rtsp_settings();
      if (time_changed && ntp) ntp->synchronize_now();
      if (auto applied = serial_ports->apply_changed(change->keys); !applied)
        log::get("camera")->error("{}", applied.error().message);
      log_parameter_change(change->keys);
      for (const int id : touched)
        if (auto it = streams.find(id); it != streams.end())
          it->second->apply(stream_settings_from_config(*config, id));
      // Channel pipelines are in profile order.
      for (std::size_t i = 0; i < profile.channels.size() && i < channels.size(); ++i)
        if (touched_channels.contains(profile.channels[i].id)) {
          auto image = image_settings_from_config(*config, profile.channels[i].id);
          // The face exposure gain stage is made once per channel at start and stays.
          image.face_exposure = channels[i]->image().settings().face_exposure;
          channels[i]->apply_image(std::move(image));
        }
    }
  }
};

Result<std::unique_ptr<Camera>> Camera::start(core::DeviceProfile profile, CameraHardware hardware, CameraOptions options) {
  auto logger = log::get("camera");
  if (!hardware.clock) return make_error(ErrorCode::invalid_argument, "camera: no clock given");
  for (const auto& channel : profile.channels)
    if (!hardware.video_sources.contains(channel.id) || !hardware.video_sources.at(channel.id))
      return make_error(ErrorCode::invalid_argument,
                        "camera: no video source for channel " + std::to_string(channel.id) + " (" + channel.name + ")");
  if (!CAMRIG_ONVIF && options.discovery)
    return make_error(ErrorCode::invalid_argument,
                      "camera: WS-Discovery belongs to the ONVIF front-end, which this firmware was built without "
                      "(CMake option CAMRIG_ONVIF=OFF)");

  auto parts = std::make_unique<Parts>();
  parts->profile = std::move(profile);
  parts->hardware = std::move(hardware);
  // Every part reads the device clock, whose calendar time manual setting and NTP move.
  parts->device_clock = std::make_unique<system::DeviceClock>(*parts->hardware.clock);
  parts->hardware.clock = parts->device_clock.get();
  parts->device_clock->adjust(options.wall_time_offset);
  if (auto installed = system::installed_firmware_version(options.data_directory))
    parts->profile.device.firmware_version = *installed;

  auto schema = core::ConfigSchema::builtin();
  if (!schema) return schema.error();
  std::string database = ":memory:";
  if (!options.data_directory.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_directory, ec);
    if (ec)
      return make_error(ErrorCode::io_error, "cannot create data directory " + options.data_directory + ": " + ec.message());
    database = (std::filesystem::path(options.data_directory) / "config.db").string();
  }
  if (auto completed = system::apply_pending_boot_actions(options.data_directory); !completed) return completed.error();
  auto system_log = storage::SqliteSystemLog::open(
      options.data_directory.empty() ? std::string(":memory:")
                                     : (std::filesystem::path(options.data_directory) / "log.db").string(),
      static_cast<std::size_t>(std::max(parts->profile.capabilities.log_capacity, 0)), *parts->hardware.clock);
  if (!system_log) return system_log.error();
  parts->system_log = std::move(*system_log);
  auto config = core::ConfigService::open(*schema, parts->profile, database, &parts->bus);
  if (!config) return config.error();
  parts->config = std::move(*config);
  for (const auto& [key, text] : options.settings)
    if (auto applied = parts->config->set_text(key, text); !applied) return applied.error();

  // Accounts, illegal login lock and the authenticator shared by the network services.
  auto accounts = security::UserAccounts::open(
      options.data_directory.empty() ? std::string(":memory:")
                                     : (std::filesystem::path(options.data_directory) / "users.db").string(),
      parts->profile.device.model, security::PasswordPolicy::for_profile(parts->profile.name));
  if (!accounts) return accounts.error();
  parts->accounts = std::move(*accounts);
  if (parts->profile.capabilities.license_plate_recognition) {
    auto plates = traffic::PlateList::open(
        options.data_directory.empty() ? std::string(":memory:")
                                       : (std::filesystem::path(options.data_directory) / "plates.db").string(),
        *parts->hardware.clock);
    if (!plates) return plates.error();
    parts->plates = std::move(*plates);
  }
  for (const auto& channel : parts->profile.channels) {
    const auto head = parts->hardware.ptz_heads.find(channel.id);
    if (channel.kind != "ptz" || head == parts->hardware.ptz_heads.end() || !head->second.motor) continue;
    auto controller = ptz::PtzController::open(
        channel.id, *head->second.motor, *parts->hardware.clock,
        {head->second.horizontal_fov_degrees, head->second.aspect_ratio},
        options.data_directory.empty() ? std::string(":memory:")
                                       : (std::filesystem::path(options.data_directory) / "ptz.db").string());
    if (!controller) return controller.error();
    parts->ptz.emplace(channel.id, std::move(*controller));
  }
  if (!options.admin_password.empty()) {
    auto set = parts->accounts->activated()
                   ? parts->accounts->modify(1, options.admin_password, std::nullopt)
                   : parts->accounts->activate(options.admin_password);
    if (!set) return make_error(set.error().code, "admin password: " + set.error().message);
  }
  {
    auto* config_service = parts->config.get();
    parts->login_lock = std::make_unique<security::IllegalLoginLock>(
        *parts->hardware.clock, [config_service] { return security::IllegalLoginLockSettings::from_config(*config_service); });
    security::AuthenticatorOptions auth_options;
    auth_options.basic_enabled = [config_service] {
      return config_service->get_string("security.web_authentication") == "digest/basic";
    };
    parts->authenticator = std::make_unique<security::Authenticator>(*parts->accounts, *parts->login_lock,
                                                                     *parts->hardware.clock, auth_options);
    auth_options.basic_enabled = [config_service] {
      return config_service->get_string("security.rtsp_authentication") == "digest/basic";
    };
    auth_options.accept_digest_without_qop = true;  // GStreamer and live555 answer RFC 2069 style
    auth_options.protocol = "RTSP";
    parts->rtsp_authenticator = std::make_unique<security::Authenticator>(*parts->accounts, *parts->login_lock,
                                                                          *parts->hardware.clock, auth_options);
    parts->login_lock->set_reporting(parts->system_log.get(), &parts->bus);
    parts->web_sessions = std::make_unique<security::WebSessions>(
        *parts->hardware.clock, [config_service] { return security::WebSessionSettings::from_config(*config_service); });
    parts->authenticator->set_sessions(parts->web_sessions.get());
    // A client idle for the Control Timeout logs in anew, as a web session would have expired.
    parts->login_log = std::make_unique<security::LoginLog>(*parts->hardware.clock, *parts->system_log, [config_service] {
      return security::WebSessionSettings::from_config(*config_service).idle_timeout;
    });
    parts->authenticator->set_login_log(parts->login_log.get());
    parts->rtsp_authenticator->set_login_log(parts->login_log.get());
    parts->web_sessions->set_login_log(parts->login_log.get());
    parts->ip_filter = std::make_unique<security::IpFilter>(
        [config_service] { return security::IpFilterSettings::from_config(*config_service); });
  }
  {
    auto certificates = security::CertificateStore::open(
        options.data_directory.empty() ? std::string()
                                       : (std::filesystem::path(options.data_directory) / "certificates").string(),
        parts->config->get_string("device.name"), *parts->hardware.clock);
    if (!certificates) return certificates.error();
    parts->certificates = std::move(*certificates);
  }

  auto* raw = parts.get();
  if (raw->plates && raw->hardware.inputs)
    raw->input_tap = std::make_unique<traffic::InputTap>(*raw->hardware.inputs);
  // Events first: the video detectors of the channels submit to the engine from their first frame.
  // Alarm inputs, exceptions and linkage, and their notification of the surveillance center.
  raw->events = std::make_unique<events::EventService>(
      *raw->hardware.clock, raw->bus, *raw->config, raw->profile,
      raw->input_tap ? raw->input_tap.get() : raw->hardware.inputs, raw->hardware.relays,
      [raw, address = options.http_bind_address] {
        events::DeviceIdentity identity{address, static_cast<std::uint16_t>(raw->config->get_int("network.http_port")),
                                        raw->profile.device.mac_address, "HTTP", {}};
        // Alerts and mails show local time; the zone is read per alert so a changed one applies at once.
        identity.utc_offset = [config = raw->config.get()](hal::WallTime at) {
          auto zone = system::configured_time_zone(*config);
          return zone ? system::local_offset(*zone, at) : std::chrono::seconds{};
        };
        return identity;
      });
  raw->events->start();
  raw->smart_display = std::make_unique<events::SmartDisplay>(raw->bus);
  if (raw->plates && raw->hardware.relays) {
    traffic::LprServiceParts lpr_parts;
    lpr_parts.clock = raw->hardware.clock;
    lpr_parts.config = raw->config.get();
    lpr_parts.plates = raw->plates.get();
    lpr_parts.relays = raw->hardware.relays;
    lpr_parts.engine = &raw->events->engine();
    lpr_parts.send_email = [events = raw->events.get()](const events::Event& event) { events->email().notify(event); };
    // Recognition reports to the service, which asks recognition for loop captures; the service
    // exists before the first frame is analysed.
    raw->plate_recognition = std::make_shared<analytics::PlateRecognition>(
        analytics::PlateRecognitionOptions{}, [raw](const traffic::PlateRead& read) {
          raw->bus.publish(read);  // for the ONVIF metadata (analytics::MetadataProducer)
          raw->lpr->submit(read);
        });
    raw->apply_plate_recognition_settings();
    lpr_parts.request_capture = [recognition = raw->plate_recognition.get()](traffic::CaptureTrigger trigger,
                                                                             hal::Nanos at) {
      recognition->trigger(trigger, at);
    };
    if (raw->hardware.memory_card) {
      // The index and the watermark key stay on the device; the pictures go to the card.
      const auto in_data = [&options](const char* name) {
        return options.data_directory.empty() ? std::string() : (std::filesystem::path(options.data_directory) / name).string();
      };
      auto key = storage::load_or_create_watermark_key(in_data("watermark.key"));
      if (!key) return key.error();
      storage::PictureStoreOptions picture_options;
      picture_options.index_path = options.data_directory.empty() ? std::string(":memory:") : in_data("pictures.db");
      picture_options.key = std::move(*key);
      auto store = storage::PictureStore::open(*raw->hardware.memory_card, std::move(picture_options));
      if (!store) return store.error();
      raw->pictures = std::move(*store);
      auto composer = traffic::PictureComposer::open();
      if (!composer) return composer.error();
      raw->picture_composer = std::move(*composer);
      traffic::PictureRecorderParts picture_parts;
      picture_parts.config = raw->config.get();
      picture_parts.composer = raw->picture_composer.get();
      picture_parts.store = raw->pictures.get();
      picture_parts.engine = &raw->events->engine();
      picture_parts.latest_frame = [raw](int channel_id) -> hal::VideoFramePtr {
        for (std::size_t i = 0; i < raw->profile.channels.size() && i < raw->channels.size(); ++i)
          if (raw->profile.channels[i].id == channel_id) return raw->channels[i]->latest_frame();
        return nullptr;
      };
      picture_parts.utc_offset = [config = raw->config.get()](hal::WallTime at) {
        auto zone = system::configured_time_zone(*config);
        return zone ? system::local_offset(*zone, at) : std::chrono::seconds{};
      };
      raw->picture_recorder = std::make_unique<traffic::PictureRecorder>(std::move(picture_parts));
      lpr_parts.pictures = raw->picture_recorder.get();
    }
    raw->lpr = std::make_unique<traffic::LprService>(std::move(lpr_parts));
    if (raw->input_tap)
      raw->input_tap->set_listener([lpr = raw->lpr.get()](int index, bool closed, hal::Nanos at) { lpr->on_input(index, closed, at); });
    raw->lpr->start();

    traffic::LprApiParts lprapi_parts;
    lprapi_parts.clock = raw->hardware.clock;
    lprapi_parts.bus = &raw->bus;
    lprapi_parts.config = raw->config.get();
    lprapi_parts.card = raw->hardware.memory_card;
    lprapi_parts.vehicle = [lpr = raw->lpr.get()](const events::Event& event) { return lpr->vehicle_of(event); };
    lprapi_parts.device = [raw, address = options.http_bind_address] {
      const auto& device = raw->profile.device;
      return traffic::DeviceBasicInfo{raw->config->get_string("device.name"), device.model, device.serial_number,
                                      device.firmware_version, address, device.mac_address};
    };
    raw->lprapi = std::make_unique<traffic::LprApiService>(std::move(lprapi_parts));
    raw->lprapi->start();
    if (raw->hardware.wiegand)
      raw->wiegand = std::make_unique<traffic::WiegandSender>(raw->bus, *raw->config, *raw->plates, *raw->hardware.wiegand);
  }

  // Streams and channels: each channel's sensor feeds its streams and its video analytics.
  auto changes = parts->bus.subscribe<core::ConfigChanged>(1024);
  for (const auto& channel : raw->profile.channels) {
    std::vector<std::shared_ptr<media::StreamPipeline>> channel_streams;
    for (const auto& stream : channel.streams) {
      auto pipeline = std::make_shared<media::StreamPipeline>(
          std::to_string(stream.id), stream_settings_from_config(*raw->config, stream.id), *raw->hardware.clock);
      raw->streams.emplace(stream.id, pipeline);
      channel_streams.push_back(std::move(pipeline));
    }
    media::ChannelPipelineOptions channel_options;
    channel_options.drop_when_busy = options.drop_frames_when_busy;
    channel_options.clock = raw->hardware.clock;
    channel_options.image = image_settings_from_config(*raw->config, channel.id);
    analytics::VideoAnalyticsOptions analytics_options;
    analytics_options.channel = channel.id;
    analytics_options.clock = raw->hardware.clock;  // video loss when the sensor stops delivering
    auto video_analytics = std::make_shared<analytics::VideoAnalytics>(
        analytics_options, [engine = &raw->events->engine()](events::Event event) { engine->submit(std::move(event)); });
    // The channel's detectors, in the order they run on each analysed frame.
    auto scene_detectors = std::make_shared<analytics::SceneDetectors>(*raw->config, raw->bus, channel.id);
    // Motion's scheduled day/night switch follows local time, in the zone configured now.
    scene_detectors->set_local_time([clock = raw->hardware.clock, config = raw->config.get()]() -> std::optional<int> {
      const auto now = clock->wall_time();
      auto zone = system::configured_time_zone(*config);
      const auto local = now + (zone ? system::local_offset(*zone, now) : std::chrono::seconds{});
      const auto since_midnight = local - std::chrono::floor<std::chrono::days>(local);
      return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
    });
    video_analytics->add(std::move(scene_detectors));
    // Face capture on the profiles that have it (face_capture.json); it needs the cascade file.
    if (raw->config->spec("channel." + std::to_string(channel.id) + ".face_capture.enabled")) {
      if (auto faces = analytics::FaceCapture::from_config(*raw->config, raw->bus, channel.id)) {
        // Face exposure: face capture measures the faces, the channel's image pipeline applies the gain.
        auto exposure = std::make_shared<media::image::FaceExposure>();
        (*faces)->set_face_exposure(exposure);
        channel_options.image.face_exposure = std::move(exposure);
        video_analytics->add(std::move(*faces));
      } else
        logger->error("channel {}: no face capture: {}", channel.id, faces.error().message);
    }
    auto behaviour = std::make_shared<analytics::BehaviourAnalysis>();
    behaviour->set_settings_source(analytics::config_settings_source(*raw->config, raw->bus, channel.id));
    video_analytics->add(behaviour);
    // After the behaviour rules, whose tracker it describes.
    auto metadata = std::make_shared<media::MetadataStream>();
    behaviour->set_tracking_wanted([stream = std::weak_ptr(metadata)] {
      const auto listened = stream.lock();
      return listened && listened->consumer_count() > 0;
    });
    // It also shows the plates read and the faces captured, which reach it over the bus.
    video_analytics->add(
        std::make_shared<analytics::MetadataProducer>(metadata, std::move(behaviour), *raw->hardware.clock, &raw->bus));
    raw->metadata.emplace(channel.id, std::move(metadata));
    if (raw->plate_recognition && channel.id == raw->profile.channels.front().id)
      video_analytics->add(raw->plate_recognition);
    raw->analytics.emplace(channel.id, video_analytics);
    channel_options.sensor_consumers.push_back(std::move(video_analytics));
    raw->channels.push_back(std::make_unique<media::ChannelPipeline>(
        *raw->hardware.video_sources.at(channel.id), std::move(channel_streams), channel_options));
  }
  raw->metadata_events = std::make_unique<onvif::MetadataEventWriter>(raw->bus, raw->metadata);
  // Event pictures (email attachments): the channel's latest sensor frame at its own size.
  raw->events->set_picture_provider([raw](int channel_id) -> Result<std::string> {
    for (std::size_t i = 0; i < raw->profile.channels.size(); ++i) {
      if (raw->profile.channels[i].id != channel_id) continue;
      const auto frame = raw->channels[i]->latest_frame();
      if (!frame) return make_error(ErrorCode::unavailable, "channel " + std::to_string(channel_id) + " has no picture yet");
      auto snapshot = media::take_snapshot(frame, {frame->width(), frame->height()});
      if (!snapshot) return snapshot.error();
      return std::string(snapshot->jpeg.begin(), snapshot->jpeg.end());
    }
    return make_error(ErrorCode::not_found, "no video channel " + std::to_string(channel_id));
  });
  raw->ntp = std::make_unique<system::NtpSynchronizer>(
      *raw->device_clock, [config = raw->config.get()] { return system::ntp_settings_from_config(*config); },
      [log = raw->system_log.get()](const std::string&, const Result<system::SntpSample>& outcome) {
        if (outcome) return;
        storage::LogEntry entry;
        entry.major = storage::LogMajor::exception;
        entry.minor = "NTP Synchronization Failed";
        entry.description = outcome.error().message;
        (void)log->append(std::move(entry));
      });
  // Before the watcher starts, which applies later changes to the same ports.
  raw->serial_ports = std::make_unique<system::SerialPorts>(raw->profile, *raw->config, raw->hardware.serial_ports);
  if (auto applied = raw->serial_ports->apply_all(); !applied) logger->error("{}", applied.error().message);
  raw->config_watcher = std::jthread([raw, changes](std::stop_token stop) { raw->watch_config(stop, changes); });

  rtsp::ServerOptions rtsp_options;
  rtsp_options.bind_address = options.rtsp_bind_address;
  rtsp_options.port = static_cast<std::uint16_t>(raw->config->get_int("network.rtsp_port"));
  rtsp_options.max_sessions = raw->max_rtsp_sessions();
  rtsp_options.authentication.authenticator = raw->rtsp_authenticator.get();
  rtsp_options.admit = [filter = raw->ip_filter.get()](const std::string& address) { return filter->allowed(address); };
  rtsp_options.authentication.digest_algorithms = [config = raw->config.get()] {
    return rtsp::parse_digest_algorithms(config->get_string("security.rtsp_digest_algorithm"))
        .value_or(rtsp::DigestAlgorithms::md5_and_sha256);
  };
  // Read when a client asks for multicast, so a changed group applies to the next session.
  rtsp_options.multicast = [config = raw->config.get()](int stream_id) -> std::optional<rtsp::MulticastGroup> {
    const auto key = "stream." + std::to_string(stream_id) + ".multicast_";
    if (!config->spec(key + "address")) return std::nullopt;
    return rtsp::MulticastGroup{config->get_string(key + "address"),
                                static_cast<std::uint16_t>(config->get_int(key + "video_port")),
                                static_cast<std::uint8_t>(config->get_int(key + "ttl"))};
  };
  if (raw->profile.name == "lpr-camera") rtsp_options.multicast_range = rtsp::lpr_multicast_range();
  // Read at DESCRIBE and SETUP (metadata_stream.json), so a changed setting applies to the next session.
  rtsp_options.metadata = [raw](int stream_id) -> std::optional<rtsp::MetadataFeed> {
    const auto key = "stream." + std::to_string(stream_id) + ".metadata.";
    if (!raw->config->spec(key + "enabled") || !raw->config->get_bool(key + "enabled")) return std::nullopt;
    const auto channel = raw->metadata.find(stream_id / 100);
    if (channel == raw->metadata.end()) return std::nullopt;
    return rtsp::MetadataFeed{channel->second, raw->config->get_bool(key + "analytics"), raw->config->get_bool(key + "events")};
  };
  // What RTSP plays and httpPreview pushes: only streams that exist (a custom slot once added).
  const auto existing_stream_hub = [raw](int stream_id) -> std::shared_ptr<media::StreamHub> {
    auto it = raw->streams.find(stream_id);
    if (it == raw->streams.end() || !stream_exists(*raw->config, stream_id)) return nullptr;
    return it->second->hub();
  };
  raw->rtsp = std::make_unique<rtsp::Server>(raw->io, rtsp_options, existing_stream_hub, *raw->hardware.clock);
  isapi::DeviceServices isapi_services;
  isapi_services.profile = &raw->profile;
  isapi_services.config = raw->config.get();
  isapi_services.accounts = raw->accounts.get();
  isapi_services.events = raw->events.get();
  isapi_services.smart_display = raw->smart_display.get();
  isapi_services.snapshot = [raw](int channel_id, media::SnapshotSize size) -> Result<media::Snapshot> {
    for (std::size_t i = 0; i < raw->profile.channels.size(); ++i)
      if (raw->profile.channels[i].id == channel_id) return media::take_snapshot(raw->channels[i]->latest_frame(), size);
    return make_error(ErrorCode::not_found, "no video channel " + std::to_string(channel_id));
  };
  isapi_services.stream_hub = existing_stream_hub;
  isapi_services.sessions = raw->web_sessions.get();
  isapi_services.certificates = raw->certificates.get();
  isapi_services.server_certificate_changed = [raw] { raw->web->restart(); };
  {
    system::MaintenanceOptions maintenance;
    maintenance.data_directory = options.data_directory;
    maintenance.profile = &raw->profile;
    maintenance.config = raw->config.get();
    maintenance.accounts = raw->accounts.get();
    maintenance.log = raw->system_log.get();
    maintenance.firmware_public_key = options.firmware_public_key.empty() ? std::string(system::builtin_firmware_public_key())
                                                                          : options.firmware_public_key;
    maintenance.restart = [restart = options.on_restart](system::RestartReason reason) {
      if (restart) restart(reason);
      else log::get("camera")->warn("{} requested, but nothing restarts this camera", system::to_string(reason));
    };
    raw->maintenance = std::make_unique<system::Maintenance>(std::move(maintenance));
  }
  isapi_services.clock = raw->device_clock.get();
  isapi_services.system_log = raw->system_log.get();
  isapi_services.maintenance = raw->maintenance.get();
  isapi_services.inputs = raw->hardware.inputs;
  isapi_services.relays = raw->hardware.relays;
  isapi_services.plates = raw->plates.get();
  isapi_services.lpr = raw->lpr.get();
  isapi_services.lprapi = raw->lprapi.get();
  isapi_services.pictures = raw->pictures.get();
  for (auto& [id, controller] : raw->ptz) isapi_services.ptz[id] = controller.get();
  isapi::add_routes(raw->router, isapi_services);
#if CAMRIG_ONVIF
  {
    onvif::DeviceServices onvif_services;
    onvif_services.profile = &raw->profile;
    onvif_services.config = raw->config.get();
    onvif_services.accounts = raw->accounts.get();
    onvif_services.login_lock = raw->login_lock.get();
    onvif_services.authenticator = raw->authenticator.get();
    onvif_services.clock = raw->device_clock.get();
    onvif_services.maintenance = raw->maintenance.get();
    onvif_services.relays = raw->hardware.relays;
    onvif_services.events = raw->events.get();
    onvif_services.inputs = raw->hardware.inputs;
    onvif_services.bus = &raw->bus;
    onvif_services.system_log = raw->system_log.get();
    onvif_services.stream_hubs = existing_stream_hub;
    onvif_services.multicast = [rtsp = raw->rtsp.get()](int stream_id, bool start) -> Result<void> {
      if (start) return rtsp->start_multicast(stream_id);
      rtsp->stop_multicast(stream_id);
      return {};
    };
    for (auto& [id, controller] : raw->ptz) onvif_services.ptz.push_back(controller.get());
    onvif_services.discovery = options.discovery.has_value();
    onvif::add_routes(raw->router, onvif_services);
  }
#endif
  http::WebListenerParts web_parts;
  web_parts.io = &raw->io;
  web_parts.config = raw->config.get();
  web_parts.certificates = raw->certificates.get();
  web_parts.router = &raw->router;
  web_parts.authenticator = raw->authenticator.get();
  web_parts.system_log = raw->system_log.get();
  web_parts.clock = raw->device_clock.get();
  web_parts.admit = [filter = raw->ip_filter.get()](const std::string& address) { return filter->allowed(address); };
  web_parts.base.bind_address = options.http_bind_address;
  raw->web = std::make_unique<http::WebListeners>(std::move(web_parts));
  std::unique_ptr<Camera> camera(new Camera(std::move(parts)));
  if (auto started = raw->rtsp->start(); !started) return started.error();
  if (auto started = raw->web->start(); !started) return started.error();
#if CAMRIG_ONVIF
  if (options.discovery) {  // after the web listener: Hello gives its port as XAddrs
    auto reference = onvif::device_endpoint_reference(raw->profile, options.data_directory);
    if (!reference) return reference.error();
    auto discovery = onvif::Discovery::start(
        *options.discovery, {&raw->profile, raw->config.get(), &raw->bus, raw->device_clock.get(),
                             [web = raw->web.get()] { return web->http_port(); }, std::move(*reference)});
    if (!discovery) return discovery.error();
    raw->discovery = std::move(*discovery);
  }
#endif
  raw->io_thread = std::jthread([raw] {
    auto work = boost::asio::make_work_guard(raw->io);
    raw->io.run();
  });
  {
    storage::LogEntry started;
    started.major = storage::LogMajor::information;
    started.minor = "Device Started";
    started.description = raw->profile.device.model + " firmware " + raw->profile.device.firmware_version;
    (void)raw->system_log->append(std::move(started));
  }
  logger->info("{} {} started: {} channel(s), RTSP on port {}, HTTP on port {}, HTTPS on port {}{}",
               raw->profile.device.model, raw->profile.name, raw->profile.channels.size(), raw->rtsp->port(),
               raw->web->http_port(), raw->web->https_port(),
               raw->accounts->activated() ? "" : " (not activated)");
  return camera;
}

Camera::Camera(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Camera::~Camera() { stop(); }

void Camera::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  // Outputs first, so no client waits on a stream that is going away; then the sources.
#if CAMRIG_ONVIF
  if (parts_->discovery) parts_->discovery->stop();  // Bye while the services it named still answer
#endif
  if (parts_->rtsp) parts_->rtsp->stop();
  if (parts_->web) parts_->web->stop();
  parts_->io.stop();
  if (parts_->io_thread.joinable()) parts_->io_thread.join();
  if (parts_->input_tap) parts_->input_tap->set_listener(nullptr);
  if (parts_->lpr) parts_->lpr->stop();
  if (parts_->lprapi) parts_->lprapi->stop();
  if (parts_->wiegand) parts_->wiegand->stop();
  if (parts_->events) parts_->events->stop();
  parts_->config_watcher.request_stop();
  if (parts_->config_watcher.joinable()) parts_->config_watcher.join();
  parts_->ntp.reset();  // after the watcher, which pokes it
  for (auto& channel : parts_->channels) channel->stop();
}

const core::DeviceProfile& Camera::profile() const { return parts_->profile; }
core::ConfigService& Camera::config() { return *parts_->config; }
storage::SystemLog& Camera::system_log() { return *parts_->system_log; }
system::DeviceClock& Camera::device_clock() { return *parts_->device_clock; }
events::EventService& Camera::events() { return *parts_->events; }
const http::Router& Camera::router() const { return parts_->router; }

std::shared_ptr<media::StreamHub> Camera::stream(int stream_id) const {
  auto it = parts_->streams.find(stream_id);
  return it == parts_->streams.end() ? nullptr : it->second->hub();
}

std::uint16_t Camera::rtsp_port() const { return parts_->rtsp->port(); }
std::uint16_t Camera::http_port() const { return parts_->web->http_port(); }
std::uint16_t Camera::https_port() const { return parts_->web->https_port(); }

}  // namespace camrig::camera
