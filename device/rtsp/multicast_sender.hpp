// The one RTP sender of a stream's multicast group: however many clients set up multicast for
// the stream, its packets leave once, to the group. Sessions join (the first one starts the
// subscription to the stream hub) and leave (the last one stops it); the sender closes when
// the last session lets go of it. Packets are cut and sent on the encoder thread: datagram
// sends on a non-blocking socket do not wait.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/media/stream_hub.hpp"
#include "device/rtsp/multicast_group.hpp"
#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

class MulticastSender {
 public:
  using udp = boost::asio::ip::udp;

  //! `interface_address`: where the datagrams leave (the server's bind address); unspecified
  //! lets the routing table decide.
  static Result<std::unique_ptr<MulticastSender>> open(boost::asio::io_context& io, int stream_id, const MulticastGroup& group,
                                                       boost::asio::ip::address_v4 address,
                                                       boost::asio::ip::address interface_address,
                                                       std::shared_ptr<media::StreamHub> hub,
                                                       std::unique_ptr<Packetizer> packetizer, const hal::Clock& clock);
  ~MulticastSender();
  MulticastSender(const MulticastSender&) = delete;
  MulticastSender& operator=(const MulticastSender&) = delete;

  int stream_id() const { return stream_id_; }
  const MulticastGroup& group() const { return group_; }
  std::uint32_t ssrc() const { return ssrc_; }

  //! A session starts playing: the first one subscribes to the hub. Any thread.
  void add_player();
  //! A session stops playing: the last one unsubscribes. Any thread.
  void remove_player();
  std::size_t player_count() const;

  //! Sequence number of the next packet and the RTP time of `now`, for RTP-Info.
  std::pair<std::uint16_t, std::uint32_t> rtp_info(hal::Nanos now);

  std::uint64_t packets_sent() const;

 private:
  MulticastSender(boost::asio::io_context& io, int stream_id, MulticastGroup group, std::shared_ptr<media::StreamHub> hub,
                  std::unique_ptr<Packetizer> packetizer, const hal::Clock& clock);
  void on_packet(const media::EncodedPacketPtr& packet);
  void send_sender_report();

  int stream_id_;
  MulticastGroup group_;
  std::shared_ptr<media::StreamHub> hub_;
  const hal::Clock& clock_;
  std::uint32_t ssrc_;
  udp::socket socket_;
  udp::endpoint rtp_destination_;
  udp::endpoint rtcp_destination_;

  mutable std::mutex players_mutex_;  // guards players_ and subscription_
  std::size_t players_ = 0;
  media::StreamHub::Subscription subscription_;

  // Never held while the subscription is reset (the callback takes it).
  mutable std::mutex send_mutex_;  // guards everything below
  std::unique_ptr<Packetizer> packetizer_;
  std::vector<RtpPacket> scratch_;
  bool waiting_for_keyframe_ = true;
  std::uint64_t packets_sent_ = 0;
  std::uint32_t octets_sent_ = 0;
  hal::Nanos last_report_{0};
};

}  // namespace camrig::rtsp
