#include "device/rtsp/server_context.hpp"

#include <cstdio>

#include <boost/asio/buffer.hpp>

#include "device/core/log.hpp"
#include "device/rtsp/multicast_sender.hpp"
#include "device/rtsp/rtcp.hpp"
#include "device/rtsp/session.hpp"

namespace camrig::rtsp {

namespace asio = boost::asio;

ServerContext::ServerContext(asio::io_context& io, ServerOptions options, StreamLookup lookup, const hal::Clock& clock)
    : io_(io),
      options_(std::move(options)),
      lookup_(std::move(lookup)),
      clock_(clock),
      rtp_socket_(io),
      rtcp_socket_(io),
      random_(std::random_device{}()) {
  max_sessions_.store(options_.max_sessions);
}

std::shared_ptr<media::StreamHub> ServerContext::find_stream(int stream_id) const {
  return lookup_ ? lookup_(stream_id) : nullptr;
}

Result<void> ServerContext::open_udp(const asio::ip::address& address) {
  // RTP on an even port and RTCP on the next one (RFC 3550 §11); with port 0 try a few free pairs.
  const int attempts = options_.rtp_port == 0 ? 16 : 1;
  boost::system::error_code ec;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    close_udp();
    rtp_socket_.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) rtp_socket_.bind(udp::endpoint(address, options_.rtp_port), ec);
    if (ec) continue;
    const auto rtp_port = rtp_socket_.local_endpoint().port();
    if (rtp_port == 65535) continue;
    rtcp_socket_.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) rtcp_socket_.bind(udp::endpoint(address, static_cast<std::uint16_t>(rtp_port + 1)), ec);
    if (ec) continue;
    rtp_socket_.non_blocking(true, ec);
    rtcp_socket_.non_blocking(true, ec);
    // A keyframe leaves as a burst of datagrams; a larger send buffer absorbs it.
    rtp_socket_.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);
    rtp_port_ = rtp_port;
    rtcp_port_ = static_cast<std::uint16_t>(rtp_port + 1);
    do_receive(false);
    do_receive(true);
    return {};
  }
  close_udp();
  return make_error(ErrorCode::unavailable, "cannot bind the RTP/RTCP UDP ports" +
                                                (options_.rtp_port ? " " + std::to_string(options_.rtp_port) + "-" +
                                                                         std::to_string(options_.rtp_port + 1)
                                                                   : std::string()) +
                                                ": " + ec.message());
}

void ServerContext::close_udp() {
  boost::system::error_code ignored;
  rtp_socket_.close(ignored);
  rtcp_socket_.close(ignored);
}

void ServerContext::stop_udp() {
  udp_stopped_ = true;
  boost::system::error_code ignored;
  rtp_socket_.cancel(ignored);
  rtcp_socket_.cancel(ignored);
}

void ServerContext::do_receive(bool rtcp) {
  auto& socket = rtcp ? rtcp_socket_ : rtp_socket_;
  const auto index = rtcp ? 1 : 0;
  socket.async_receive_from(asio::buffer(receive_buffers_[index]), senders_[index],
                            [self = shared_from_this(), rtcp](const boost::system::error_code& ec, std::size_t size) {
                              self->on_receive(rtcp, ec, size);
                            });
}

void ServerContext::on_receive(bool rtcp, const boost::system::error_code& ec, std::size_t size) {
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
  // Datagrams to the RTP port are clients punching holes through NATs; they are read only so
  // they do not pile up. Receiver reports on the RTCP port mean the client is alive.
  if (!ec && rtcp && is_rtcp(std::span(receive_buffers_[1].data(), size))) {
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(mutex_);
      if (auto it = rtcp_sources_.find(senders_[1]); it != rtcp_sources_.end()) session = it->second.lock();
    }
    if (session) session->touch(clock_.now());
  }
  auto& socket = rtcp ? rtcp_socket_ : rtp_socket_;
  if (!udp_stopped_ && socket.is_open()) do_receive(rtcp);
}

bool ServerContext::reserve_session() {
  auto current = sessions_.load();
  do {
    if (current >= max_sessions_.load()) return false;
  } while (!sessions_.compare_exchange_weak(current, current + 1));
  return true;
}

void ServerContext::release_session() { sessions_.fetch_sub(1); }

Result<std::shared_ptr<MulticastSender>> ServerContext::join_multicast(int stream_id,
                                                                       const std::shared_ptr<media::StreamHub>& hub,
                                                                       media::VideoCodec codec) {
  const auto group = options_.multicast ? options_.multicast(stream_id) : std::nullopt;
  if (!group || group->address.empty())
    return make_error(ErrorCode::out_of_range,
                      "multicast is not configured for stream " + std::to_string(stream_id) + "; use unicast UDP or TCP");
  auto address = validate_multicast_group(*group, options_.multicast_range);
  if (!address) {
    log::get("rtsp")->warn("stream {}: {}", stream_id, address.error().message);
    return make_error(ErrorCode::out_of_range, "the multicast group of stream " + std::to_string(stream_id) +
                                                   " is not usable: " + address.error().message);
  }
  std::lock_guard lock(multicast_mutex_);
  if (auto existing = multicast_senders_[stream_id].lock()) {
    // The settings changed since it started: the old group keeps its clients, new ones get a new sender.
    if (existing->group() == *group) return existing;
  }
  RtpSetup rtp;
  rtp.ssrc = random32();
  rtp.first_sequence = static_cast<std::uint16_t>(random32());
  rtp.timestamp_offset = random32();
  rtp.mtu = options_.mtu;
  boost::system::error_code ec;
  const auto interface_address = asio::ip::make_address(options_.bind_address, ec);
  auto sender = MulticastSender::open(io_, stream_id, *group, *address, ec ? asio::ip::address{} : interface_address, hub,
                                      make_packetizer(codec, rtp), clock_);
  if (!sender) return sender.error();
  std::shared_ptr<MulticastSender> shared = std::move(*sender);
  multicast_senders_[stream_id] = shared;
  return shared;
}

Result<void> ServerContext::start_multicast(int stream_id) {
  auto hub = find_stream(stream_id);
  if (!hub) return make_error(ErrorCode::not_found, "stream " + std::to_string(stream_id) + " does not exist on this device");
  const auto description = hub->description();
  if (!description)
    return make_error(ErrorCode::unavailable,
                      "stream " + std::to_string(stream_id) + " has no video yet; the encoder is not running");
  std::lock_guard lock(started_mutex_);
  auto joined = join_multicast(stream_id, hub, description->codec);
  if (!joined) return joined.error();
  auto& started = started_multicast_[stream_id];
  if (started == *joined) return {};
  // The group changed since the last start: the old sender keeps only its RTSP sessions.
  (*joined)->add_player();
  if (started) started->remove_player();
  started = std::move(*joined);
  return {};
}

void ServerContext::stop_multicast(int stream_id) {
  std::shared_ptr<MulticastSender> started;
  {
    std::lock_guard lock(started_mutex_);
    const auto it = started_multicast_.find(stream_id);
    if (it == started_multicast_.end()) return;
    started = std::move(it->second);
    started_multicast_.erase(it);
  }
  started->remove_player();
}

void ServerContext::stop_all_multicast() {
  std::map<int, std::shared_ptr<MulticastSender>> started;
  {
    std::lock_guard lock(started_mutex_);
    started.swap(started_multicast_);
  }
  for (auto& [stream_id, sender] : started) sender->remove_player();
}

bool ServerContext::register_tunnel(const std::string& cookie, std::weak_ptr<Connection> get_connection) {
  std::lock_guard lock(tunnels_mutex_);
  auto& slot = tunnels_[cookie];
  if (!slot.expired()) return false;
  slot = std::move(get_connection);
  return true;
}

std::shared_ptr<Connection> ServerContext::find_tunnel(const std::string& cookie) {
  std::lock_guard lock(tunnels_mutex_);
  const auto it = tunnels_.find(cookie);
  return it == tunnels_.end() ? nullptr : it->second.lock();
}

void ServerContext::unregister_tunnel(const std::string& cookie, const Connection* get_connection) {
  std::lock_guard lock(tunnels_mutex_);
  const auto it = tunnels_.find(cookie);
  if (it == tunnels_.end()) return;
  const auto current = it->second.lock();
  if (!current || current.get() == get_connection) tunnels_.erase(it);
}

std::string ServerContext::new_session_id() {
  std::lock_guard lock(mutex_);
  char text[17];
  std::snprintf(text, sizeof text, "%016llX", static_cast<unsigned long long>(random_()));
  return text;
}

std::uint32_t ServerContext::random32() {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint32_t>(random_());
}

void ServerContext::watch_rtcp_source(const udp::endpoint& source, std::weak_ptr<Session> session) {
  std::lock_guard lock(mutex_);
  rtcp_sources_[source] = std::move(session);
}

void ServerContext::unwatch_rtcp_source(const udp::endpoint& source) {
  std::lock_guard lock(mutex_);
  rtcp_sources_.erase(source);
}

}  // namespace camrig::rtsp
