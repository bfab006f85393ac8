#include "device/rtsp/multicast_group.hpp"

namespace camrig::rtsp {

Result<boost::asio::ip::address_v4> validate_multicast_group(const MulticastGroup& group, const MulticastRange& range) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(group.address, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "multicast address \"" + group.address + "\" is not an IPv4 address");
  const auto first = boost::asio::ip::make_address_v4(range.first, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "multicast range start \"" + range.first + "\" is not an IPv4 address");
  const auto last = boost::asio::ip::make_address_v4(range.last, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "multicast range end \"" + range.last + "\" is not an IPv4 address");
  if (!address.is_multicast() || address.to_uint() < first.to_uint() || address.to_uint() > last.to_uint())
    return make_error(ErrorCode::out_of_range, "multicast address " + group.address + " is outside " + range.first + "-" +
                                                   range.last);
  if (group.port == 0 || group.port == 65535 || group.port % 2 != 0)
    return make_error(ErrorCode::out_of_range, "multicast port " + std::to_string(group.port) +
                                                   " must be an even port from 2 to 65534 (RTCP uses the next one)");
  if (group.ttl == 0) return make_error(ErrorCode::out_of_range, "multicast TTL must be 1 to 255");
  return address;
}

}  // namespace camrig::rtsp
