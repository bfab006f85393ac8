#include "device/rtsp/listener.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "device/core/log.hpp"
#include "device/rtsp/connection.hpp"
#include "device/rtsp/server_context.hpp"

namespace camrig::rtsp {

namespace asio = boost::asio;

Listener::Listener(asio::io_context& io, std::shared_ptr<ServerContext> context)
    : io_(io), context_(std::move(context)), acceptor_(asio::make_strand(io)) {}

Result<void> Listener::open(const tcp::endpoint& endpoint) {
  const auto port_text = std::to_string(endpoint.port());
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (ec == asio::error::address_in_use)
    return make_error(ErrorCode::unavailable, "RTSP port " + port_text + " is in use");
  if (ec == asio::error::access_denied)
    return make_error(ErrorCode::permission_denied,
                      "RTSP port " + port_text + " needs root or CAP_NET_BIND_SERVICE; choose a port above 1023");
  if (ec == boost::system::errc::address_not_available)
    return make_error(ErrorCode::invalid_argument,
                      "RTSP bind address " + endpoint.address().to_string() + " is not an address of this host");
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot listen on RTSP port " + port_text + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void Listener::run() { do_accept(); }

void Listener::do_accept() {
  // Each connection gets its own strand, so connections run in parallel when several threads
  // run the io_context while each one's handlers stay serialised.
  acceptor_.async_accept(asio::make_strand(io_),
                         [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec && context_->options().admit) {
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (peer_ec || !context_->options().admit(peer.address().to_string())) {
      socket.close(peer_ec);
      return do_accept();
    }
  }
  if (!ec) {
    auto connection = std::make_shared<Connection>(std::move(socket), context_);
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
      connections_.push_back(connection);
    }
    connection->start();
  } else {
    // EMFILE and friends: keep accepting; the client sees a reset and retries.
    log::get("rtsp")->warn("accept failed: {}", ec.message());
  }
  do_accept();
}

void Listener::stop() {
  std::vector<std::weak_ptr<Connection>> connections;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    connections.swap(connections_);
  }
  // The acceptor is only touched on its strand.
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
  for (const auto& weak : connections)
    if (auto connection = weak.lock()) connection->close();
}

}  // namespace camrig::rtsp
