// ONVIF WS-Discovery (WS-Discovery 2005/04, SOAP 1.2 over UDP, as ONVIF Core §7 uses it): Hello when
// the device starts and when its scopes, name or address change, Bye when it stops, ProbeMatches and
// ResolveMatches to multicast and unicast Probe/Resolve; silent while DiscoveryMode is NonDiscoverable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::onvif {

//! Where discovery listens and announces. Several devices on one host may share the port: each
//! gets every multicast Probe; a unicast Probe reaches only one of them.
struct DiscoveryOptions {
  //! IPv4 address of the interface the group is joined and announced on ("127.0.0.1" keeps a
  //! bench on loopback); "0.0.0.0": the system's default multicast interface.
  std::string interface_address = "0.0.0.0";
  //! The group's and unicast probes' UDP port; WS-Discovery's is 3702.
  std::uint16_t port = 3702;
  std::string multicast_group = "239.255.255.250";
};

//! What discovery reads; each must outlive the Discovery.
struct DiscoveryServices {
  const core::DeviceProfile* profile = nullptr;
  //! Scopes (onvif.scopes, device.name), onvif.discovery_mode and onvif.enabled.
  const core::ConfigService* config = nullptr;
  //! Where the config service announces changes: those to the scopes, the name, the mode or the
  //! HTTP port are announced with Hello (or Bye, when the device stops being discoverable).
  core::EventBus* bus = nullptr;
  //! Device time; InstanceId is its calendar time at start, so it grows from one start to the next.
  hal::Clock* clock = nullptr;
  //! The HTTP port XAddrs names; 0: no HTTP listener (nothing to give as XAddrs).
  std::function<std::uint16_t()> http_port;
  //! "urn:uuid:…", the device's identity on the network (device_endpoint_reference).
  std::string endpoint_reference;
};

//! The device's stable EndpointReference: a name-based (SHA-1) UUID of its serial number and MAC
//! address, kept in `data_directory`/discovery_endpoint_reference once made, so a later change of
//! how it is derived never changes a device clients already know. Empty directory: not kept.
Result<std::string> device_endpoint_reference(const core::DeviceProfile& profile, const std::string& data_directory);

struct DiscoveryState;

class Discovery {
 public:
  //! Binds the port, joins the group and sends Hello when the device is discoverable.
  static Result<std::unique_ptr<Discovery>> start(DiscoveryOptions options, DiscoveryServices services);
  ~Discovery();
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  //! Sends Bye when discoverable, then stops and joins the threads. Idempotent.
  void stop();
  //! The bound UDP port.
  std::uint16_t port() const;

 private:
  explicit Discovery(std::unique_ptr<DiscoveryState> state);
  std::unique_ptr<DiscoveryState> state_;
};

//! Whether a Probe's Scopes (space-separated, matched by `match_by`; empty: RFC 2396) are all
//! among the device's `scopes`. An unknown rule matches nothing.
bool probe_scopes_match(const std::vector<std::string>& probe_scopes, std::string_view match_by,
                        const std::vector<std::string>& scopes);

}  // namespace camrig::onvif
