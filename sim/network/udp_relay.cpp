#include "sim/network/udp_relay.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "device/core/log.hpp"
#include "sim/network/udp_session.hpp"

namespace camrig::sim {

namespace {

constexpr int kSocketBufferBytes = 4 * 1024 * 1024;

}  // namespace

UdpRelay::UdpRelay(boost::asio::io_context& io, LinkState& link, udp::endpoint target,
                   std::chrono::milliseconds idle_timeout)
    : io_(io), link_(link), target_(std::move(target)), idle_timeout_(idle_timeout), socket_(io), expiry_timer_(io) {}

Result<void> UdpRelay::open(const udp::endpoint& endpoint) {
  boost::system::error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (!ec) {
    socket_.bind(endpoint, ec);
  }
  if (!ec) {
    socket_.non_blocking(true, ec);
  }
  if (!ec) {
    // Best effort (the kernel caps it at net.core.rmem_max): bursts of datagrams wait here.
    boost::system::error_code ignored;
    socket_.set_option(udp::socket::receive_buffer_size(kSocketBufferBytes), ignored);
  }
  if (ec) {
    return make_error(ErrorCode::unavailable, "fault proxy cannot bind UDP " + endpoint.address().to_string() + ":" +
                                                  std::to_string(endpoint.port()) + ": " + ec.message());
  }
  port_ = socket_.local_endpoint().port();
  return {};
}

void UdpRelay::run() {
  receive();
  expire();
}

void UdpRelay::receive() {
  socket_.async_receive_from(
      boost::asio::buffer(buffer_), sender_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
        if (self->closed_) {
          return;
        }
        if (!ec) {
          auto it = self->sessions_.find(self->sender_);
          if (it == self->sessions_.end()) {
            auto session = std::make_shared<UdpSession>(self->io_, self->link_, self->socket_, self->sender_);
            if (auto opened = session->open(self->target_); !opened) {
              log::get("sim")->warn("fault proxy: {}", opened.error().message);
              self->link_.count(LinkState::Event::upstream_failure);
              session.reset();
            } else {
              self->link_.count(LinkState::Event::session_opened);
              it = self->sessions_.emplace(self->sender_, std::move(session)).first;
            }
          }
          if (it != self->sessions_.end()) {
            it->second->from_client(std::vector<std::uint8_t>(
                self->buffer_.begin(), self->buffer_.begin() + static_cast<std::ptrdiff_t>(bytes)));
          }
        }
        self->receive();
      });
}

void UdpRelay::expire() {
  const auto period = std::clamp(idle_timeout_ / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  expiry_timer_.expires_after(period);
  expiry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->closed_) {
      return;
    }
    const auto now = LinkState::Clock::now();
    for (auto it = self->sessions_.begin(); it != self->sessions_.end();) {
      if (now - it->second->last_activity() >= self->idle_timeout_) {
        it->second->close();
        self->link_.count(LinkState::Event::session_expired);
        it = self->sessions_.erase(it);
      } else {
        ++it;
      }
    }
    self->expire();
  });
}

void UdpRelay::close() {
  closed_ = true;
  expiry_timer_.cancel();
  for (auto& [endpoint, session] : sessions_) {
    session->close();
    link_.count(LinkState::Event::session_closed);
  }
  sessions_.clear();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace camrig::sim
