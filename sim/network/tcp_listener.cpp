#include "sim/network/tcp_listener.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "device/core/log.hpp"
#include "sim/network/tcp_relay.hpp"

namespace camrig::sim {

TcpListener::TcpListener(boost::asio::io_context& io, LinkState& link, tcp::endpoint target)
    : io_(io), link_(link), target_(std::move(target)), acceptor_(io) {}

Result<void> TcpListener::open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(tcp::acceptor::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(ErrorCode::unavailable, "fault proxy cannot listen on TCP " + endpoint.address().to_string() +
                                                  ":" + std::to_string(endpoint.port()) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void TcpListener::run() { accept(); }

void TcpListener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
    if (self->closed_) {
      return;
    }
    if (ec) {
      if (ec == boost::asio::error::operation_aborted) {
        return;
      }
      log::get("sim")->warn("fault proxy: accept failed: {}", ec.message());
      self->accept();
      return;
    }
    if (self->link_.partitioned_until(LinkState::Clock::now())) {
      self->link_.count(LinkState::Event::refused);
      boost::system::error_code ignored;
      socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
    } else {
      auto relay = std::make_shared<TcpRelay>(self->io_, std::move(socket), self->link_);
      std::erase_if(self->relays_, [](const std::weak_ptr<TcpRelay>& weak) {
        auto r = weak.lock();
        return !r || r->closed();
      });
      self->relays_.push_back(relay);
      relay->start(self->target_);
    }
    self->accept();
  });
}

void TcpListener::reset_connections() {
  for (auto& weak : relays_) {
    if (auto relay = weak.lock()) {
      relay->reset();
    }
  }
  relays_.clear();
}

void TcpListener::close() {
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : relays_) {
    if (auto relay = weak.lock()) {
      relay->close();
    }
  }
  relays_.clear();
}

}  // namespace camrig::sim
