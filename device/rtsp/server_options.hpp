// What the composition root configures about the RTSP server, and how it finds streams.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "device/media/metadata_stream.hpp"
#include "device/media/stream_hub.hpp"
#include "device/rtsp/authentication.hpp"
#include "device/rtsp/multicast_group.hpp"

namespace camrig::rtsp {

//! The ONVIF metadata a stream's sessions may carry as a second track: its channel's metadata
//! stream and which documents the stream's settings let through.
struct MetadataFeed {
  std::shared_ptr<media::MetadataStream> stream;
  bool analytics = true;
  bool events = true;
};

struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  //! RTSP (TCP) port; 0 picks a free one (see Server::port()).
  std::uint16_t port = 554;
  //! Server UDP port for RTP; RTCP uses the next one. 0 picks a free pair.
  std::uint16_t rtp_port = 0;
  //! A session without any request or RTCP for this long is removed.
  std::chrono::seconds session_timeout{60};
  //! Largest request (headers and body) accepted; larger ones get 413 and the connection closes.
  std::size_t max_request_bytes = 16 * 1024;
  //! Credentials every request but OPTIONS must carry; no authenticator: none are asked for.
  AuthenticationOptions authentication;
  //! Sessions (set up or playing) across all connections, multicast ones included; SETUP beyond
  //! it gets 453 with a body saying the session limit is reached. Connections without a session
  //! (OPTIONS, DESCRIBE, an HTTP tunnel's POST) do not count.
  std::size_t max_sessions = 32;
  //! Media bytes waiting to be written to one TCP client; beyond it whole access units are
  //! dropped and the client resumes at the next keyframe.
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  //! Largest RTP packet (header and payload).
  std::size_t mtu = 1400;
  //! The multicast group of each stream (the stream's multicast address, port and TTL settings).
  //! Null, or nullopt for a stream, refuses multicast SETUP for it with 461.
  MulticastLookup multicast;
  //! Group addresses accepted from `multicast`; lpr_multicast_range() on the LPR camera.
  MulticastRange multicast_range;
  //! Asked at accept with the peer's address (the IP address filter); false closes the connection.
  std::function<bool(const std::string& address)> admit;
  //! Asked at DESCRIBE and SETUP: the stream's metadata track, or nullopt (and without a
  //! function) when its session description has none.
  std::function<std::optional<MetadataFeed>(int stream_id)> metadata;
};

//! The hub of a stream id (101 = channel 1 main, 102 = channel 1 sub, 201, ...), or null when
//! the device has no such stream.
using StreamLookup = std::function<std::shared_ptr<media::StreamHub>(int stream_id)>;

}  // namespace camrig::rtsp
