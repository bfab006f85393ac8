#include "app/device_command.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "device/camera/camera.hpp"
#include "device/camera/stream_config.hpp"
#include "device/core/lockstep_clock.hpp"
#include "device/core/log.hpp"
#include "device/core/realtime_clock.hpp"
#include "app/simulated_world.hpp"
#include "sim/hal_link/hal_link_client.hpp"

namespace camrig::app {
namespace {

std::string default_data_directory(const std::string& profile) {
  std::filesystem::path base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) base = state;
  else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".local/state";
  else base = std::filesystem::temp_directory_path();
  return (base / "camrig" / profile).string();
}

std::optional<hal::WallTime> parse_start_time(const std::string& text) {
  std::tm parts{};
  char zone = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &zone) != 7 || zone != 'Z')
    return std::nullopt;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  const std::time_t seconds = timegm(&parts);
  if (seconds < 0) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

}  // namespace

void add_device_command(CLI::App& app, DeviceCommandOptions& options) {
  auto* device = app.add_subcommand("device", "Run a virtual camera on this machine, fed by a simulated scene");
  device->add_option("--profile", options.profile, "Device profile: network-camera, smart-linkage-ptz, lpr-camera")
      ->capture_default_str();
  device->add_option("--rtsp-port", options.rtsp_port, "RTSP port (stored as the device's RTSP port setting)")
      ->check(CLI::Range(1, 65535));
  device->add_option("--http-port", options.http_port, "HTTP port (stored as the device's HTTP port setting)")
      ->check(CLI::Range(1, 65535));
  auto* realtime = device->add_flag("--realtime", options.realtime, "Pace the simulated world to the wall clock (default)");
  auto* lockstep = device->add_flag("--lockstep", options.lockstep,
                                    "Run the simulated world as fast as the machine allows, repeatably");
  realtime->excludes(lockstep);
  device->add_option("--https-port", options.https_port, "HTTPS port (stored as the device's HTTPS port setting)")
      ->check(CLI::Range(1, 65535));
  device->add_option("--scene", options.scene,
                     "World the camera looks at: a built-in scene (default, lpr-camera, network-camera, "
                     "smart-linkage-ptz) or a world description file (default: the profile's scene)");
  device->add_option("--ground-truth", options.ground_truth_path,
                     "Write the world's ground truth (every frame's actors, every event) as JSON lines to this file");
  device->add_option("--seed", options.seed, "Seed of the simulated world (replaces the scene's)");
  device->add_option("--data-dir", options.data_directory,
                     "Where the device keeps its configuration (default: $XDG_STATE_HOME/camrig/<profile>)");
  device->add_option("--start-time", options.start_time, "Calendar time at start, UTC, e.g. 2026-01-01T08:00:00Z");
  device->add_option("--duration", options.duration_seconds, "Stop after this many seconds of device time (0: run until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  device->add_option("--bind", options.bind_address, "Address the services listen on")->capture_default_str();
  device->add_option("--admin-password", options.admin_password,
                     "Activate the device with this admin password (on an activated device: set it)");
  device->add_flag("--discovery", options.discovery,
                   "Answer ONVIF WS-Discovery probes and announce the camera (Hello/Bye, multicast 239.255.255.250)");
  device->add_option("--discovery-interface", options.discovery_interface,
                     "IPv4 address of the interface WS-Discovery uses (0.0.0.0: the default multicast interface)")
      ->capture_default_str();
  device->add_option("--discovery-port", options.discovery_port, "WS-Discovery UDP port")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  device->add_option("--hal-link", options.hal_link,
                     "Take clock, video, alarm I/O, memory card, Wiegand port, PTZ drives and serial ports from a "
                     "world in another process listening on this Unix socket, instead of a scene of its own");
}

int run_device_command(const DeviceCommandOptions& options) {
  auto profile = core::DeviceProfile::builtin(options.profile);
  if (!profile) {
    std::cerr << "camrig device: " << profile.error().message << "\n";
    return 2;
  }
  hal::WallTime start = std::chrono::system_clock::now();
  if (!options.start_time.empty()) {
    auto parsed = parse_start_time(options.start_time);
    if (!parsed) {
      std::cerr << "camrig device: --start-time must look like 2026-01-01T08:00:00Z (got " << options.start_time << ")\n";
      return 2;
    }
    start = *parsed;
  }

  // Signals are taken by this thread only (sigtimedwait below), never by worker threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<hal::Clock> clock;
  core::LockstepClock* lockstep = nullptr;
  sim::FramePacer pacer;
  std::unique_ptr<sim::HalLinkClient> link;
  std::unique_ptr<SimulatedWorld> world;
  camera::CameraHardware hardware;
  if (!options.hal_link.empty()) {
    auto connected = sim::HalLinkClient::connect(options.hal_link, std::chrono::seconds(30));
    if (!connected) {
      std::cerr << "camrig device: " << connected.error().message << "\n";
      return 2;
    }
    link = std::move(*connected);
    hardware.clock = &link->clock();
    hardware.video_sources = link->video_sources();
    hardware.inputs = link->inputs();
    hardware.relays = link->relays();
    hardware.serial_ports = link->serial_ports();
    hardware.memory_card = link->memory_card();
    hardware.wiegand = link->wiegand();
    for (const auto& [id, head] : link->ptz_heads())
      hardware.ptz_heads[id] = {head.motor, head.horizontal_fov_degrees, head.aspect_ratio};
  } else if (options.lockstep) {
    auto owned = std::make_unique<core::LockstepClock>(start);
    lockstep = owned.get();
    pacer = [lockstep](hal::Nanos deadline, std::stop_token stop) {
      lockstep->advance_to(deadline);
      return !stop.stop_requested();
    };
    clock = std::move(owned);
  } else {
    clock = std::make_unique<core::RealtimeClock>(start);
    pacer = [clock = clock.get()](hal::Nanos deadline, std::stop_token stop) { return clock->sleep_until(deadline, stop); };
  }

  if (!link) {
    SimulatedWorldOptions world_options;
    world_options.scene = options.scene;
    world_options.seed = options.seed;
    world_options.ground_truth_path = options.ground_truth_path;
    auto created = SimulatedWorld::create(*profile, *clock, pacer, world_options);
    if (!created) {
      std::cerr << "camrig device: " << created.error().message << "\n";
      return 2;
    }
    world = std::move(*created);
    hardware = world->hardware();
  }
  const hal::Clock& device_time = *hardware.clock;

  camera::CameraOptions camera_options;
  camera_options.data_directory = options.data_directory.empty() ? default_data_directory(options.profile) : options.data_directory;
  camera_options.drop_frames_when_busy = !options.lockstep;
  camera_options.rtsp_bind_address = options.bind_address;
  camera_options.http_bind_address = options.bind_address;
  camera_options.admin_password = options.admin_password;
  if (options.rtsp_port) camera_options.settings.emplace_back("network.rtsp_port", std::to_string(*options.rtsp_port));
  if (options.http_port) camera_options.settings.emplace_back("network.http_port", std::to_string(*options.http_port));
  if (options.https_port) camera_options.settings.emplace_back("network.https_port", std::to_string(*options.https_port));
  if (options.discovery) {
    camera_options.discovery.emplace();
    camera_options.discovery->interface_address = options.discovery_interface;
    camera_options.discovery->port = static_cast<std::uint16_t>(options.discovery_port);
  }

  // Reboot, Restore/Default, configuration import and upgrade restart the camera in this process:
  // the camera asks, and this thread builds it again from the stored state with the same hardware.
  std::atomic<bool> restart_requested = false;
  std::atomic<system::RestartReason> restart_reason = system::RestartReason::reboot;
  camera_options.on_restart = [&](system::RestartReason reason) {
    restart_reason = reason;
    restart_requested = true;
  };
  auto camera = camera::Camera::start(*profile, hardware, camera_options);
  if (!camera) {
    std::cerr << "camrig device: " << camera.error().message << "\n";
    return 1;
  }
  // Only the first boot activates; after a factory Default the device stays inactive as a new one.
  camera_options.admin_password.clear();
  const auto host = options.bind_address == "0.0.0.0" ? std::string("127.0.0.1") : options.bind_address;
  std::cout << "camrig " << profile->name << " (" << profile->device.model << ", firmware "
            << profile->device.firmware_version << "), " << (options.lockstep ? "lockstep" : "realtime")
            << " world, " << (world ? "scene " + world->scene_name() : "hardware over the HAL link " + options.hal_link)
            << ", configuration in " << camera_options.data_directory << "\n";
  for (const auto& channel : profile->channels) {
    for (const auto& stream : channel.streams) {
      if (!camera::stream_exists((*camera)->config(), stream.id)) continue;
      const auto settings = camera::stream_settings_from_config((*camera)->config(), stream.id);
      std::cout << "  rtsp://" << host << ":" << (*camera)->rtsp_port() << "/Streaming/Channels/" << stream.id
                << "  " << channel.name << " " << stream.name << ": " << media::to_string(settings.codec)
                << (settings.smart_codec ? "+" : "") << " " << settings.width << "x" << settings.height << " "
                << settings.frame_rate.num << " fps\n";
    }
  }
  std::cout << "  http://" << host << ":" << (*camera)->http_port() << "/ISAPI/System/deviceInfo  ISAPI\n";
  std::cout << (options.duration_seconds > 0 ? "Runs for the given duration; Ctrl-C stops it sooner.\n"
                                             : "Ctrl-C stops it.\n")
            << std::flush;

  const auto duration = std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(options.duration_seconds));
  const timespec poll{0, 50'000'000};
  int received = 0;
  bool world_gone = false;
  while (received <= 0) {
    received = sigtimedwait(&signals, nullptr, &poll);
    if (options.duration_seconds > 0 && device_time.now() >= duration) break;
    // Without its world the camera has no time, pictures or I/O: it ends with it.
    if (link && !link->connected()) {
      world_gone = true;
      break;
    }
    if (received <= 0 && restart_requested.exchange(false)) {
      std::cout << "Restarting (" << system::to_string(restart_reason.load()) << ").\n" << std::flush;
      camera_options.wall_time_offset = (*camera)->device_clock().offset();
      (*camera)->stop();
      camera->reset();
      camera = camera::Camera::start(*profile, hardware, camera_options);
      if (!camera) {
        std::cerr << "camrig device: restart failed: " << camera.error().message << "\n";
        return 1;
      }
      std::cout << "Restarted: firmware " << (*camera)->profile().device.firmware_version << ", RTSP on port "
                << (*camera)->rtsp_port() << ", HTTP on port " << (*camera)->http_port() << "\n" << std::flush;
    }
  }
  std::cout << (received > 0 ? "Stopping (signal).\n" : world_gone ? "Stopping (the world has gone).\n" : "Stopping (duration reached).\n")
            << std::flush;
  (*camera)->stop();
  return 0;
}

}  // namespace camrig::app
