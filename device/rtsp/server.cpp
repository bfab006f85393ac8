#include "device/rtsp/server.hpp"

#include "device/core/log.hpp"
#include "device/rtsp/listener.hpp"
#include "device/rtsp/server_context.hpp"

namespace camrig::rtsp {

namespace asio = boost::asio;

Server::Server(asio::io_context& io, ServerOptions options, StreamLookup lookup, const hal::Clock& clock)
    : io_(io), context_(std::make_shared<ServerContext>(io, std::move(options), std::move(lookup), clock)) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  std::lock_guard lock(mutex_);
  if (listener_) return make_error(ErrorCode::already_exists, "the RTSP server is already running");
  const auto& options = context_->options();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "RTSP bind address \"" + options.bind_address + "\" is not an IP address");

  auto listener = std::make_shared<Listener>(io_, context_);
  if (auto opened = listener->open({address, options.port}); !opened) return opened;
  if (auto udp = context_->open_udp(address); !udp) return udp;
  listener->run();
  listener_ = std::move(listener);
  log::get("rtsp")->info("RTSP server listening on {}:{} (RTP/RTCP UDP {}-{})", options.bind_address, listener_->port(),
                         context_->rtp_port(), context_->rtcp_port());
  return {};
}

void Server::stop() {
  std::lock_guard lock(mutex_);
  if (!listener_) return;
  listener_->stop();
  context_->stop_udp();
  context_->stop_all_multicast();
  listener_.reset();
}

Result<void> Server::rebind(std::uint16_t port) {
  std::lock_guard lock(mutex_);
  if (!listener_) return make_error(ErrorCode::unavailable, "the RTSP server is not running");
  if (port == listener_->port()) return {};
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(context_->options().bind_address, ec);
  auto listener = std::make_shared<Listener>(io_, context_);
  if (auto opened = listener->open({address, port}); !opened) return opened;
  listener->run();
  const auto old_port = listener_->port();
  listener_->stop();
  listener_ = std::move(listener);
  log::get("rtsp")->info("RTSP server moved from port {} to {}; the clients of port {} were disconnected", old_port,
                         listener_->port(), old_port);
  return {};
}

Result<void> Server::start_multicast(int stream_id) { return context_->start_multicast(stream_id); }

void Server::stop_multicast(int stream_id) { context_->stop_multicast(stream_id); }

void Server::set_max_sessions(std::size_t max_sessions) { context_->set_max_sessions(max_sessions); }

std::uint16_t Server::port() const {
  std::lock_guard lock(mutex_);
  return listener_ ? listener_->port() : 0;
}

std::uint16_t Server::rtp_port() const { return context_->rtp_port(); }

}  // namespace camrig::rtsp
