#include "device/rtsp/session.hpp"

#include "device/rtsp/multicast_sender.hpp"
#include "device/rtsp/server_context.hpp"

namespace camrig::rtsp {

Session::Session(std::string id, int stream_id, std::shared_ptr<media::StreamHub> hub, Transport transport,
                 boost::asio::ip::udp::endpoint client_rtp, boost::asio::ip::udp::endpoint client_rtcp,
                 std::unique_ptr<Packetizer> packetizer, std::shared_ptr<ServerContext> context)
    : id_(std::move(id)),
      stream_id_(stream_id),
      hub_(std::move(hub)),
      transport_(transport),
      client_rtp_(std::move(client_rtp)),
      client_rtcp_(std::move(client_rtcp)),
      packetizer_(std::move(packetizer)),
      context_(std::move(context)) {
  touch(context_->clock().now());
}

Session::~Session() {
  pause();
  if (transport_.lower == LowerTransport::udp && !transport_.multicast) context_->unwatch_rtcp_source(client_rtcp_);
  context_->release_session();
}

void Session::play(media::StreamHub::Subscription subscription) {
  subscription_ = std::move(subscription);
  waiting_for_keyframe = true;
  state_ = SessionState::playing;
}

void Session::play_multicast() {
  if (state_ == SessionState::playing || !multicast_) return;
  multicast_->add_player();
  state_ = SessionState::playing;
}

void Session::pause() {
  subscription_.reset();
  if (metadata_) metadata_->subscription.reset();
  if (multicast_ && state_ == SessionState::playing) multicast_->remove_player();
  state_ = SessionState::ready;
}

}  // namespace camrig::rtsp
