// The camera's RTSP 1.0 server (RFC 2326): serves each stream hub's encoded video (H.264,
// H.265 or MJPEG) to clients as RTP over TCP (interleaved), unicast UDP, UDP multicast (one
// shared sender per stream) or RTSP tunnelled through HTTP on the same port, at
// /Streaming/Channels/<id> and /video/livemedia.
// Runs on the caller's io_context; the clock and the hubs must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include <boost/asio/io_context.hpp>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/rtsp/server_options.hpp"

namespace camrig::rtsp {

class Listener;
class ServerContext;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, StreamLookup lookup, const hal::Clock& clock);
  //! Stops the server (see stop()).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds the RTSP port and the RTP/RTCP UDP ports and starts accepting. An error says which
  //! port could not be used and why ("RTSP port 554 is in use").
  Result<void> start();

  //! Stops accepting and closes every connection and session. Any thread; the closing itself
  //! runs on the io_context, which then runs out of work from this server.
  void stop();

  //! Moves the RTSP listener to `port` while the device runs. The new port is bound first, so
  //! an error (port in use, privileged) leaves the old one serving. Then the old port closes with
  //! every connection on it and their sessions, as when a camera restarts its RTSP service;
  //! clients reconnect to the new port. The RTP/RTCP UDP ports stay.
  Result<void> rebind(std::uint16_t port);
  //! Sends stream `stream_id` to its configured multicast group without any RTSP client until
  //! stop_multicast() (ONVIF StartMulticastStreaming); RTSP clients asking for multicast share
  //! the same sender. Starting a started stream is fine. out_of_range when no usable group is
  //! configured, not_found for no such stream, unavailable while the encoder has no video. Any thread.
  Result<void> start_multicast(int stream_id);
  //! Ends start_multicast(); RTSP sessions playing the group go on. Any thread.
  void stop_multicast(int stream_id);
  //! The session limit for the next SETUP; running sessions stay, even above a lowered limit.
  void set_max_sessions(std::size_t max_sessions);

  //! The bound RTSP port (useful with ServerOptions::port = 0); 0 before start().
  std::uint16_t port() const;
  //! The bound RTP port (RTCP is the one after it); 0 before start().
  std::uint16_t rtp_port() const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<ServerContext> context_;
  mutable std::mutex mutex_;  // guards listener_: rebind() and port() come from other threads
  std::shared_ptr<Listener> listener_;
};

}  // namespace camrig::rtsp
