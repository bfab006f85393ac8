// One RTSP session (RFC 2326 §3.5): a client's chosen transport for one stream, its RTP sender
// state, its subscription to the stream hub while playing, and when it was last heard from.
// Owned by the connection that created it; touched from the encoder thread only through the
// atomics below.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/udp.hpp>

#include "device/hal/clock.hpp"
#include "device/media/stream_hub.hpp"
#include "device/rtsp/packetizer.hpp"
#include "device/rtsp/server_options.hpp"
#include "device/rtsp/transport.hpp"

namespace camrig::rtsp {

class MulticastSender;
class ServerContext;

//! The ONVIF metadata track of a session (trackID=2): its own transport and RTP sender, fed by
//! the channel's metadata stream while the session plays.
struct MetadataTrack {
  Transport transport;
  boost::asio::ip::udp::endpoint client_rtp;
  boost::asio::ip::udp::endpoint client_rtcp;
  MetadataFeed feed;
  std::unique_ptr<Packetizer> packetizer;
  media::MetadataStream::Subscription subscription;
  //! Documents handed to the connection but not yet processed by it.
  std::atomic<std::uint32_t> documents_in_flight{0};
  std::uint64_t dropped_documents = 0;
  // Sender statistics for its RTCP sender reports, which let clients align it with the video.
  std::uint32_t packets_sent = 0;
  std::uint32_t octets_sent = 0;
};

//! RFC 2326 Appendix A.1; Init is "no session object".
enum class SessionState { ready, playing };

class Session {
 public:
  Session(std::string id, int stream_id, std::shared_ptr<media::StreamHub> hub, Transport transport,
          boost::asio::ip::udp::endpoint client_rtp, boost::asio::ip::udp::endpoint client_rtcp,
          std::unique_ptr<Packetizer> packetizer, std::shared_ptr<ServerContext> context);
  //! Releases the session slot and stops watching the client's RTCP port.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const { return id_; }
  int stream_id() const { return stream_id_; }
  const std::shared_ptr<media::StreamHub>& hub() const { return hub_; }
  const Transport& transport() const { return transport_; }
  const boost::asio::ip::udp::endpoint& client_rtp() const { return client_rtp_; }
  const boost::asio::ip::udp::endpoint& client_rtcp() const { return client_rtcp_; }
  SessionState state() const { return state_; }
  Packetizer& packetizer() { return *packetizer_; }

  //! Multicast: the stream's shared group sender this session receives from (null for unicast).
  void set_multicast(std::shared_ptr<MulticastSender> sender) { multicast_ = std::move(sender); }
  const std::shared_ptr<MulticastSender>& multicast() const { return multicast_; }

  //! The metadata track set up in this session; null while only the video is.
  void set_metadata(std::unique_ptr<MetadataTrack> track) { metadata_ = std::move(track); }
  MetadataTrack* metadata() { return metadata_.get(); }
  std::unique_ptr<MetadataTrack> take_metadata() { return std::move(metadata_); }

  //! Ready -> Playing: from now on the hub feeds `subscription`'s consumer, starting at a keyframe.
  void play(media::StreamHub::Subscription subscription);
  //! Ready -> Playing for a multicast session: counts as one player of the group sender.
  void play_multicast();
  //! Playing -> Ready; no packet or metadata document is delivered after this returns.
  void pause();

  //! Any sign of life: a request naming the session or an RTCP packet from its client.
  void touch(hal::Nanos now) { last_activity_.store(now.count()); }
  bool expired(hal::Nanos now, hal::Nanos timeout) const { return now.count() - last_activity_.load() > timeout.count(); }

  // Flow control between the encoder thread and the connection (see Connection::on_packet).
  //! Packets handed to the connection but not yet processed by it.
  std::atomic<std::uint32_t> packets_in_flight{0};
  //! Set by the encoder thread when it dropped a packet; the connection then waits for a keyframe.
  std::atomic<bool> resync_needed{false};
  //! Drop accounting; only the connection's strand touches these.
  bool waiting_for_keyframe = true;
  std::uint64_t dropped_access_units = 0;

  // Sender statistics for RTCP sender reports.
  std::uint32_t packets_sent = 0;
  std::uint32_t octets_sent = 0;
  hal::Nanos last_report{0};

 private:
  std::string id_;
  int stream_id_;
  std::shared_ptr<media::StreamHub> hub_;
  Transport transport_;
  boost::asio::ip::udp::endpoint client_rtp_;
  boost::asio::ip::udp::endpoint client_rtcp_;
  std::unique_ptr<Packetizer> packetizer_;
  std::shared_ptr<ServerContext> context_;
  SessionState state_ = SessionState::ready;
  media::StreamHub::Subscription subscription_;
  std::shared_ptr<MulticastSender> multicast_;
  std::unique_ptr<MetadataTrack> metadata_;
  std::atomic<std::int64_t> last_activity_{0};
};

}  // namespace camrig::rtsp
