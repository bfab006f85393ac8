#include "device/rtsp/multicast_sender.hpp"

#include <array>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/multicast.hpp>

#include "device/core/log.hpp"
#include "device/rtsp/rtcp.hpp"

namespace camrig::rtsp {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {


}  // namespace

Result<std::unique_ptr<MulticastSender>> MulticastSender::open(asio::io_context& io, int stream_id, const MulticastGroup& group,
                                                               asio::ip::address_v4 address, asio::ip::address interface_address,
                                                               std::shared_ptr<media::StreamHub> hub,
                                                               std::unique_ptr<Packetizer> packetizer, const hal::Clock& clock) {
  std::unique_ptr<MulticastSender> sender(
      new MulticastSender(io, stream_id, group, std::move(hub), std::move(packetizer), clock));
  boost::system::error_code ec;
  auto& socket = sender->socket_;
  socket.open(udp::v4(), ec);
  if (!ec) socket.set_option(asio::ip::multicast::hops(group.ttl), ec);
  if (!ec) socket.set_option(asio::ip::multicast::enable_loopback(true), ec);
  if (!ec && interface_address.is_v4() && !interface_address.is_unspecified())
    socket.set_option(asio::ip::multicast::outbound_interface(interface_address.to_v4()), ec);
  if (!ec) socket.non_blocking(true, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot open the multicast sender of stream " + std::to_string(stream_id) +
                                                     " to " + group.address + ": " + ec.message());
  socket.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);  // keyframe bursts; best effort
  sender->rtp_destination_ = {address, group.port};
  sender->rtcp_destination_ = {address, static_cast<std::uint16_t>(group.port + 1)};
  return sender;
}

MulticastSender::MulticastSender(asio::io_context& io, int stream_id, MulticastGroup group,
                                 std::shared_ptr<media::StreamHub> hub, std::unique_ptr<Packetizer> packetizer,
                                 const hal::Clock& clock)
    : stream_id_(stream_id),
      group_(std::move(group)),
      hub_(std::move(hub)),
      clock_(clock),
      ssrc_(packetizer->ssrc()),
      socket_(io),
      packetizer_(std::move(packetizer)) {}

MulticastSender::~MulticastSender() {
  {
    std::lock_guard lock(players_mutex_);
    subscription_.reset();
  }
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void MulticastSender::add_player() {
  std::lock_guard lock(players_mutex_);
  if (players_++ > 0) return;
  {
    std::lock_guard send_lock(send_mutex_);
    waiting_for_keyframe_ = true;
  }
  // reset() of the subscription waits for a running callback, which takes only send_mutex_.
  subscription_ = hub_->subscribe([this](const media::EncodedPacketPtr& packet) { on_packet(packet); });
  log::get("rtsp")->info("multicast of stream {} to {}:{} started", stream_id_, group_.address, group_.port);
}

void MulticastSender::remove_player() {
  std::lock_guard lock(players_mutex_);
  if (players_ == 0 || --players_ > 0) return;
  subscription_.reset();
  log::get("rtsp")->info("multicast of stream {} to {}:{} stopped; no client is playing it", stream_id_, group_.address,
                         group_.port);
}

std::size_t MulticastSender::player_count() const {
  std::lock_guard lock(players_mutex_);
  return players_;
}

std::pair<std::uint16_t, std::uint32_t> MulticastSender::rtp_info(hal::Nanos now) {
  std::lock_guard lock(send_mutex_);
  return {packetizer_->next_sequence(), packetizer_->rtp_timestamp(now)};
}

std::uint64_t MulticastSender::packets_sent() const {
  std::lock_guard lock(send_mutex_);
  return packets_sent_;
}

void MulticastSender::on_packet(const media::EncodedPacketPtr& packet) {
  std::lock_guard lock(send_mutex_);
  if (waiting_for_keyframe_) {
    if (!packet->keyframe) return;
    waiting_for_keyframe_ = false;
  }
  scratch_.clear();
  packetizer_->packetize(*packet, scratch_);
  for (const auto& rtp : scratch_) {
    const std::array buffers{asio::buffer(rtp.rtp_header().data(), rtp.rtp_header().size()),
                             asio::buffer(rtp.payload.data(), rtp.payload.size())};
    boost::system::error_code ec;
    socket_.send_to(buffers, rtp_destination_, 0, ec);
    if (ec) {
      // A full socket buffer loses the rest of the picture; resume at the next keyframe.
      waiting_for_keyframe_ = true;
      break;
    }
    ++packets_sent_;
    octets_sent_ += static_cast<std::uint32_t>(rtp.payload.size());
  }
  const auto now = clock_.now();
  if (packets_sent_ > 0 && now - last_report_ >= kSenderReportInterval) {
    last_report_ = now;
    send_sender_report();
  }
}

void MulticastSender::send_sender_report() {
  SenderReport report;
  report.ssrc = ssrc_;
  report.wall_time = clock_.wall_time();
  report.rtp_time = packetizer_->rtp_timestamp(clock_.now());
  report.packet_count = static_cast<std::uint32_t>(packets_sent_);
  report.octet_count = octets_sent_;
  const auto bytes = serialize(report);
  boost::system::error_code ignored;
  socket_.send_to(asio::buffer(bytes), rtcp_destination_, 0, ignored);
}

}  // namespace camrig::rtsp
