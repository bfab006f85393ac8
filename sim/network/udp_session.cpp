#include "sim/network/udp_session.hpp"

#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>

#include "sim/network/datagram_scheduler.hpp"

namespace camrig::sim {

UdpSession::UdpSession(boost::asio::io_context& io, LinkState& link, udp::socket& listen_socket, udp::endpoint client)
    : listen_socket_(listen_socket), client_(std::move(client)), upstream_(io), last_activity_(Clock::now()) {
  // The senders only run while the session is open (close() closes the schedulers first).
  to_server_ = std::make_shared<DatagramScheduler>(io, link, Direction::client_to_server,
                                                   [this](const std::vector<std::uint8_t>& datagram) {
                                                     boost::system::error_code ec;
                                                     upstream_.send(boost::asio::buffer(datagram), 0, ec);
                                                     return !ec;
                                                   });
  to_client_ = std::make_shared<DatagramScheduler>(io, link, Direction::server_to_client,
                                                   [this](const std::vector<std::uint8_t>& datagram) {
                                                     boost::system::error_code ec;
                                                     listen_socket_.send_to(boost::asio::buffer(datagram), client_, 0, ec);
                                                     return !ec;
                                                   });
}

Result<void> UdpSession::open(const udp::endpoint& target) {
  boost::system::error_code ec;
  upstream_.open(target.protocol(), ec);
  if (!ec) {
    upstream_.connect(target, ec);
  }
  if (!ec) {
    upstream_.non_blocking(true, ec);
  }
  if (!ec) {
    boost::system::error_code ignored;  // best effort, capped by net.core.rmem_max
    upstream_.set_option(udp::socket::receive_buffer_size(4 * 1024 * 1024), ignored);
  }
  if (ec) {
    return make_error(ErrorCode::io_error, "fault proxy cannot open a UDP socket to " + target.address().to_string() +
                                               ":" + std::to_string(target.port()) + ": " + ec.message());
  }
  receive();
  return {};
}

void UdpSession::receive() {
  upstream_.async_receive(boost::asio::buffer(buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
                            if (self->closed_) {
                              return;
                            }
                            if (!ec) {
                              self->last_activity_ = Clock::now();
                              self->to_client_->submit(
                                  std::vector<std::uint8_t>(self->buffer_.begin(),
                                                            self->buffer_.begin() + static_cast<std::ptrdiff_t>(bytes)));
                            }
                            // ICMP port unreachable from the target shows up as an error here;
                            // the session stays and keeps receiving.
                            self->receive();
                          });
}

void UdpSession::from_client(std::vector<std::uint8_t> datagram) {
  if (closed_) {
    return;
  }
  last_activity_ = Clock::now();
  to_server_->submit(std::move(datagram));
}

void UdpSession::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  to_server_->close();
  to_client_->close();
  boost::system::error_code ignored;
  upstream_.close(ignored);
}

}  // namespace camrig::sim
