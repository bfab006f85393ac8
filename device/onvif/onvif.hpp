// The ONVIF front-end: POST /onvif/<service> routes on the camera's HTTP router, each request
// handed to the gSOAP bindings in memory, authenticated here per operation (WS-Security
// UsernameToken or HTTP Digest) and answered by thin adapters over the device's shared services.
#pragma once

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/events/event_service.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/media/stream_hub.hpp"
#include "device/ptz/ptz_controller.hpp"
#include "device/http/router.hpp"
#include "device/security/authenticator.hpp"
#include "device/security/illegal_login_lock.hpp"
#include "device/security/user_accounts.hpp"
#include "device/storage/system_log.hpp"
#include "device/system/device_clock.hpp"
#include "device/system/maintenance.hpp"

namespace camrig::onvif {

//! The services ONVIF reads and writes; each must outlive the router.
struct DeviceServices {
  const core::DeviceProfile* profile = nullptr;
  core::ConfigService* config = nullptr;
  security::UserAccounts* accounts = nullptr;
  security::IllegalLoginLock* login_lock = nullptr;
  //! HTTP Digest, shared with ISAPI (same nonces, same login log).
  security::Authenticator* authenticator = nullptr;
  //! Device time: UsernameToken Created times are checked against it, SetSystemDateAndTime sets it.
  system::DeviceClock* clock = nullptr;
  //! Reboot and factory default; null: those operations are not supported.
  system::Maintenance* maintenance = nullptr;
  //! Relay outputs; null or none: the device has no relays.
  hal::RelayOutputs* relays = nullptr;
  //! When set, relays are driven as the event engine's manual alarm, as ISAPI does.
  events::EventService* events = nullptr;
  //! Alarm input terminals (DeviceIO, the DigitalInput event's initial state); null: none.
  hal::DigitalInputs* inputs = nullptr;
  //! Where the event engine publishes the events it records: the source of ONVIF notifications.
  core::EventBus* bus = nullptr;
  //! Operation entries; may be null.
  storage::SystemLog* system_log = nullptr;
  //! The hub of an existing stream (e.g. 101), or nullptr: Media's SetSynchronizationPoint asks
  //! its encoder for a key frame.
  std::function<std::shared_ptr<media::StreamHub>(int stream_id)> stream_hubs;
  //! Starts (true) or stops (false) sending a stream to its multicast group without any RTSP
  //! client (the RTSP server's start_multicast); empty: Start/StopMulticastStreaming unsupported.
  std::function<Result<void>(int stream_id, bool start)> multicast;
  //! The PTZ channels' controllers; empty: the device has no PTZ and serves no PTZ service.
  std::vector<ptz::PtzController*> ptz;
  //! WS-Discovery runs (camrig device --discovery): the capabilities then offer Bye and Resolve.
  bool discovery = false;
};

//! Adds the ONVIF service routes (POST /onvif/device_service, ...). Authentication is ONVIF's own,
//! so the routes declare no permission.
void add_routes(http::Router& router, DeviceServices services);

}  // namespace camrig::onvif
