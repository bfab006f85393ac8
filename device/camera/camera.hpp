// The firmware's top object: builds the camera's subsystems from a device profile and the
// hardware it is given (HAL), starts them, keeps running streams in step with the
// configuration, and stops them through one path. It knows nothing of what backs the HAL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/event_bus.hpp"
#include "device/events/event_service.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/ptz_motor.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/hal/serial_port.hpp"
#include "device/hal/storage_medium.hpp"
#include "device/hal/wiegand_output.hpp"
#include "device/http/router.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/video_source.hpp"
#include "device/media/stream_hub.hpp"
#include "device/onvif/discovery.hpp"
#include "device/storage/system_log.hpp"
#include "device/system/device_clock.hpp"
#include "device/system/maintenance.hpp"

namespace camrig::camera {

//! The pan/tilt/zoom drive of a PTZ channel and the field of view of its lens at ×1.
struct PtzHead {
  hal::PtzMotor* motor = nullptr;
  double horizontal_fov_degrees = 60;
  double aspect_ratio = 16.0 / 9.0;  //!< width / height of the sensor
};

struct CameraHardware {
  hal::Clock* clock = nullptr;
  //! The sensor of each channel, by channel id; each must outlive the camera.
  std::map<int, hal::VideoSource*> video_sources;
  //! Alarm input terminals and alarm output relays; null on a camera without them.
  hal::DigitalInputs* inputs = nullptr;
  hal::RelayOutputs* relays = nullptr;
  //! Serial terminals by ISAPI port id (1: RS-485); a profile's port missing here keeps its settings unapplied.
  std::map<int, hal::SerialPort*> serial_ports{};
  //! The memory card (vehicle pictures, LPRAPI outbox); null: no card slot.
  hal::StorageMedium* memory_card = nullptr;
  //! The Wiegand port (LPR camera); null: no Wiegand output.
  hal::WiegandOutput* wiegand = nullptr;
  //! The PTZ drive of each "ptz" channel, by channel id; a channel missing here is not steerable.
  std::map<int, PtzHead> ptz_heads{};
};

struct CameraOptions {
  //! Where the configuration database lives; empty keeps the configuration in memory only.
  std::string data_directory;
  //! Settings applied through the config service at boot, before any service starts, exactly as
  //! a user's change would be (validated, persisted): {"network.rtsp_port", "8554"}.
  std::vector<std::pair<std::string, std::string>> settings;
  //! Realtime: a stream that falls behind drops frames. Lockstep: streams never drop.
  bool drop_frames_when_busy = true;
  std::string rtsp_bind_address = "0.0.0.0";
  std::string http_bind_address = "0.0.0.0";
  //! Activates an inactive device with this admin password (or sets it on an active one), as a
  //! bench shortcut for PUT /ISAPI/System/activate. Empty: the device stays as stored.
  std::string admin_password;
  //! Called (from a service thread) when Reboot, Restore/Default, an import or an upgrade wants
  //! the device restarted; the owner destroys this camera and starts a new one with the same
  //! hardware (app/device_command.cpp). Empty: such requests are logged and nothing restarts.
  std::function<void(system::RestartReason)> on_restart;
  //! PEM public key firmware packages must be signed with; empty: the key built into the firmware.
  std::string firmware_public_key;
  //! The device clock's calendar offset at boot: what a restart in-process carries over, as a
  //! camera's real-time clock keeps the time set by hand or NTP across a reboot.
  hal::Nanos wall_time_offset{0};
  //! ONVIF WS-Discovery (Hello, Bye, Probe, Resolve) on the given interface and port; none unless
  //! set, so that tests and a bench of many cameras stay off the network's multicast group.
  std::optional<onvif::DiscoveryOptions> discovery;
};

class Camera {
 public:
  static Result<std::unique_ptr<Camera>> start(core::DeviceProfile profile, CameraHardware hardware,
                                               CameraOptions options);
  ~Camera();
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  //! Stops every service and joins every thread. Idempotent; the destructor calls it.
  void stop();

  const core::DeviceProfile& profile() const;
  core::ConfigService& config();
  //! The device log ("Log Search"); every subsystem may append.
  storage::SystemLog& system_log();
  //! The device's time: the hardware clock with the calendar offset of manual setting and NTP.
  system::DeviceClock& device_clock();
  //! The event engine, alertStream clients and HTTP hosts.
  events::EventService& events();
  //! Every HTTP route the camera serves (ISAPI), as its listeners route requests.
  const http::Router& router() const;
  //! The hub of stream `stream_id` (e.g. 101), or nullptr.
  std::shared_ptr<media::StreamHub> stream(int stream_id) const;
  std::uint16_t rtsp_port() const;
  //! The bound HTTP (ISAPI) port; 0 in HTTPS-only mode.
  std::uint16_t http_port() const;
  //! The bound HTTPS port; 0 while HTTPS is off (disabled, or its port could not be bound).
  std::uint16_t https_port() const;

 private:
  struct Parts;
  explicit Camera(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace camrig::camera
