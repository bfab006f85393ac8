// Where a stream's multicast RTP goes (RFC 2326 §12.39 destination/port/ttl), and the address
// range a device accepts for it: any IPv4 multicast address (224.0.0.0-239.255.255.255) by
// default; the LPR camera manual narrows it to 224.0.1.0-238.255.255.255.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/ip/address_v4.hpp>

#include "device/core/result.hpp"

namespace camrig::rtsp {

struct MulticastGroup {
  std::string address;
  //! RTP port (even); RTCP uses the next one.
  std::uint16_t port = 0;
  //! Hops the datagrams may travel; 1 keeps them on the local network.
  std::uint8_t ttl = 1;

  friend bool operator==(const MulticastGroup&, const MulticastGroup&) = default;
};

//! Inclusive range of group addresses the server accepts from its configuration.
struct MulticastRange {
  std::string first = "224.0.0.0";
  std::string last = "239.255.255.255";
};

inline MulticastRange lpr_multicast_range() { return {"224.0.1.0", "238.255.255.255"}; }

//! The multicast group of a stream id, or nullopt when none is configured for it.
using MulticastLookup = std::function<std::optional<MulticastGroup>(int stream_id)>;

//! The group's address when it is an IPv4 address inside `range` with a usable port pair and a
//! TTL of at least 1; otherwise out_of_range (invalid_argument for text that is no address)
//! with a message naming the field.
Result<boost::asio::ip::address_v4> validate_multicast_group(const MulticastGroup& group, const MulticastRange& range);

}  // namespace camrig::rtsp
