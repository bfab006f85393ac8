#include "device/camera/camera.hpp"

#include <filesystem>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "device/camera/stream_config.hpp"
#include "device/core/log.hpp"
#include "device/http/server.hpp"
#include "device/isapi/isapi.hpp"
#include "device/media/channel_pipeline.hpp"
#include "device/rtsp/server.hpp"
#include "device/security/authenticator.hpp"

namespace camrig::camera {

struct Camera::Parts {
  core::DeviceProfile profile;
  CameraHardware hardware;
  core::EventBus bus;
  std::unique_ptr<core::ConfigService> config;
  std::map<int, std::shared_ptr<media::StreamPipeline>> streams;
  std::vector<std::unique_ptr<media::ChannelPipeline>> channels;

  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> login_lock;
  std::unique_ptr<security::Authenticator> authenticator;
  http::Router router;

  boost::asio::io_context io;
  std::unique_ptr<rtsp::Server> rtsp;
  std::unique_ptr<http::Server> http;
  std::jthread io_thread;
  std::jthread config_watcher;
  bool stopped = false;

  // Applies configuration changes to the running streams, in the order they were made.
  void watch_config(std::stop_token stop, std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes) {
    std::stop_callback wake(stop, [&] { changes->close(); });
    while (auto change = changes->pop(stop)) {
      std::set<int> touched;
      for (const auto& key : change->keys) {
        if (!key.starts_with("stream.")) {
          if (key.starts_with("network."))
            log::get("camera")->info("{} changed; it takes effect when the device restarts", key);
          continue;
        }
        touched.insert(std::stoi(key.substr(7, key.find('.', 7) - 7)));
      }
      for (const int id : touched)
        if (auto it = streams.find(id); it != streams.end())
          it->second->apply(stream_settings_from_config(*config, id));
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

  auto parts = std::make_unique<Parts>();
  parts->profile = std::move(profile);
  parts->hardware = std::move(hardware);

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
  }

  // Streams and channels: each channel's sensor feeds its streams.
  auto* raw = parts.get();
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
    raw->channels.push_back(std::make_unique<media::ChannelPipeline>(
        *raw->hardware.video_sources.at(channel.id), std::move(channel_streams), channel_options));
  }
  raw->config_watcher = std::jthread([raw, changes](std::stop_token stop) { raw->watch_config(stop, changes); });

  rtsp::ServerOptions rtsp_options;
  rtsp_options.bind_address = options.rtsp_bind_address;
  rtsp_options.port = static_cast<std::uint16_t>(raw->config->get_int("network.rtsp_port"));
  rtsp_options.max_sessions = static_cast<std::size_t>(raw->profile.capabilities.max_rtsp_sessions);
  raw->rtsp = std::make_unique<rtsp::Server>(
      raw->io, rtsp_options,
      [raw](int stream_id) -> std::shared_ptr<media::StreamHub> {
        auto it = raw->streams.find(stream_id);
        return it == raw->streams.end() ? nullptr : it->second->hub();
      },
      *raw->hardware.clock);
  isapi::add_routes(raw->router, {&raw->profile, raw->config.get(), raw->accounts.get()});
  http::ServerOptions http_options;
  http_options.bind_address = options.http_bind_address;
  http_options.port = static_cast<std::uint16_t>(raw->config->get_int("network.http_port"));
  raw->http = std::make_unique<http::Server>(raw->io, http_options, raw->router, *raw->authenticator);
  std::unique_ptr<Camera> camera(new Camera(std::move(parts)));
  if (auto started = raw->rtsp->start(); !started) return started.error();
  if (auto started = raw->http->start(); !started) return started.error();
  raw->io_thread = std::jthread([raw] {
    auto work = boost::asio::make_work_guard(raw->io);
    raw->io.run();
  });
  logger->info("{} {} started: {} channel(s), RTSP on port {}, HTTP on port {}{}", raw->profile.device.model,
               raw->profile.name, raw->profile.channels.size(), raw->rtsp->port(), raw->http->port(),
               raw->accounts->activated() ? "" : " (not activated)");
  return camera;
}

Camera::Camera(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Camera::~Camera() { stop(); }

void Camera::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  // Outputs first, so no client waits on a stream that is going away; then the sources.
  if (parts_->rtsp) parts_->rtsp->stop();
  if (parts_->http) parts_->http->stop();
  parts_->io.stop();
  if (parts_->io_thread.joinable()) parts_->io_thread.join();
  parts_->config_watcher.request_stop();
  if (parts_->config_watcher.joinable()) parts_->config_watcher.join();
  for (auto& channel : parts_->channels) channel->stop();
}

const core::DeviceProfile& Camera::profile() const { return parts_->profile; }
core::ConfigService& Camera::config() { return *parts_->config; }

std::shared_ptr<media::StreamHub> Camera::stream(int stream_id) const {
  auto it = parts_->streams.find(stream_id);
  return it == parts_->streams.end() ? nullptr : it->second->hub();
}

std::uint16_t Camera::rtsp_port() const { return parts_->rtsp->port(); }
std::uint16_t Camera::http_port() const { return parts_->http->port(); }

}  // namespace camrig::camera
