// State one RTSP server shares with its connections: options, stream lookup, clock, the UDP
// sockets RTP and RTCP leave from, the session count and the RTCP sources that keep UDP sessions
// alive. Held by shared_ptr so pending handlers may outlive the Server object itself.
#pragma once

#include <atomic>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/rtsp/server_options.hpp"

namespace camrig::rtsp {

class Connection;
class MulticastSender;
class Session;

class ServerContext : public std::enable_shared_from_this<ServerContext> {
 public:
  using udp = boost::asio::ip::udp;

  ServerContext(boost::asio::io_context& io, ServerOptions options, StreamLookup lookup, const hal::Clock& clock);

  const ServerOptions& options() const { return options_; }
  const hal::Clock& clock() const { return clock_; }
  std::shared_ptr<media::StreamHub> find_stream(int stream_id) const;

  //! Binds the RTP/RTCP pair and starts draining what clients send to it.
  Result<void> open_udp(const boost::asio::ip::address& address);
  //! Ends the receive loops. The sockets close when the last connection lets go of the
  //! context, so no connection can be sending on a descriptor that is being reused.
  void stop_udp();
  std::uint16_t rtp_port() const { return rtp_port_; }
  std::uint16_t rtcp_port() const { return rtcp_port_; }

  //! Datagram sends are synchronous on non-blocking sockets: a full socket buffer loses the
  //! datagram as the network would, and no queue per client is needed. False if it was not sent.
  template <class Buffers>
  bool send_rtp(const udp::endpoint& to, const Buffers& buffers) { return send(rtp_socket_, to, buffers); }
  template <class Buffers>
  bool send_rtcp(const udp::endpoint& to, const Buffers& buffers) { return send(rtcp_socket_, to, buffers); }

  //! Takes a session slot; false at the session limit (ServerOptions::max_sessions, then
  //! set_max_sessions()).
  bool reserve_session();
  //! Any thread; applies to the next SETUP. Sessions already running stay, even above the new limit.
  void set_max_sessions(std::size_t max_sessions) { max_sessions_.store(max_sessions); }
  std::size_t max_sessions() const { return max_sessions_.load(); }
  void release_session();
  std::size_t session_count() const { return sessions_.load(); }

  //! The running multicast sender of a stream, or a new one to the stream's configured group.
  //! out_of_range (461) when no group is configured or its address is outside the allowed range.
  Result<std::shared_ptr<MulticastSender>> join_multicast(int stream_id, const std::shared_ptr<media::StreamHub>& hub,
                                                          media::VideoCodec codec);
  //! Sends the stream to its configured group with no RTSP client (ONVIF StartMulticastStreaming)
  //! until stop_multicast(), through the sender RTSP sessions of the same group share. Again while
  //! started: nothing, or a move to the group configured now. Errors as join_multicast(), not_found
  //! for no such stream, unavailable while its encoder has no video.
  Result<void> start_multicast(int stream_id);
  //! Ends what start_multicast() started; RTSP sessions on the sender keep playing. Any thread.
  void stop_multicast(int stream_id);
  //! Ends every started multicast (the server stops).
  void stop_all_multicast();

  //! RTSP over HTTP: the GET connection of a tunnel, found by the POST with the same cookie.
  //! False when a live connection already holds the cookie.
  bool register_tunnel(const std::string& cookie, std::weak_ptr<Connection> get_connection);
  std::shared_ptr<Connection> find_tunnel(const std::string& cookie);
  void unregister_tunnel(const std::string& cookie, const Connection* get_connection);

  std::string new_session_id();
  std::uint32_t random32();

  //! RTCP from `source` counts as liveness of `session` (RFC 2326 §12.37 allows RTCP as keep-alive).
  void watch_rtcp_source(const udp::endpoint& source, std::weak_ptr<Session> session);
  void unwatch_rtcp_source(const udp::endpoint& source);

 private:
  template <class Buffers>
  bool send(udp::socket& socket, const udp::endpoint& to, const Buffers& buffers) {
    boost::system::error_code ec;
    socket.send_to(buffers, to, 0, ec);
    return !ec;
  }
  void close_udp();
  void do_receive(bool rtcp);
  void on_receive(bool rtcp, const boost::system::error_code& ec, std::size_t size);

  boost::asio::io_context& io_;
  ServerOptions options_;
  StreamLookup lookup_;
  const hal::Clock& clock_;
  udp::socket rtp_socket_;
  udp::socket rtcp_socket_;
  std::uint16_t rtp_port_ = 0;
  std::uint16_t rtcp_port_ = 0;
  // One receive buffer and sender per socket; each socket has one receive pending at a time.
  std::array<std::array<std::uint8_t, 2048>, 2> receive_buffers_{};
  std::array<udp::endpoint, 2> senders_;

  std::atomic<bool> udp_stopped_{false};
  std::atomic<std::size_t> sessions_{0};
  std::atomic<std::size_t> max_sessions_;
  std::mutex mutex_;  // guards random_ and rtcp_sources_
  std::mt19937_64 random_;
  std::map<udp::endpoint, std::weak_ptr<Session>> rtcp_sources_;
  std::mutex multicast_mutex_;  // guards multicast_senders_
  std::map<int, std::weak_ptr<MulticastSender>> multicast_senders_;
  std::mutex started_mutex_;  // guards started_multicast_; taken before multicast_mutex_
  //! Senders kept playing by start_multicast(), each counted as one player.
  std::map<int, std::shared_ptr<MulticastSender>> started_multicast_;
  std::mutex tunnels_mutex_;  // guards tunnels_
  std::map<std::string, std::weak_ptr<Connection>> tunnels_;
};

}  // namespace camrig::rtsp
