#include "sim/network/tcp_relay.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace camrig::sim {

namespace {

// The proxy stops reading a side while this much waits to be written (back-pressure).
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;

}  // namespace

TcpRelay::TcpRelay(boost::asio::io_context& io, tcp::socket client, LinkState& link)
    : link_(link), client_(std::move(client)), upstream_(io), timers_{boost::asio::steady_timer(io),
                                                                       boost::asio::steady_timer(io)} {
  pumps_[0].direction = Direction::client_to_server;
  pumps_[1].direction = Direction::server_to_client;
}

TcpRelay::tcp::socket& TcpRelay::source(Direction direction) {
  return direction == Direction::client_to_server ? client_ : upstream_;
}

TcpRelay::tcp::socket& TcpRelay::sink(Direction direction) {
  return direction == Direction::client_to_server ? upstream_ : client_;
}

void TcpRelay::start(const tcp::endpoint& target) {
  link_.count(LinkState::Event::accepted);
  upstream_.async_connect(target, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (self->closed_) {
      return;
    }
    if (ec) {
      self->link_.count(LinkState::Event::upstream_failure);
      self->teardown(true);
      return;
    }
    boost::system::error_code ignored;
    self->client_.set_option(tcp::no_delay(true), ignored);
    self->upstream_.set_option(tcp::no_delay(true), ignored);
    self->read(Direction::client_to_server);
    self->read(Direction::server_to_client);
  });
}

void TcpRelay::read(Direction direction) {
  Pump& p = pump(direction);
  if (closed_ || p.read_done) {
    return;
  }
  if (p.queued_bytes >= kMaxQueuedBytes) {
    p.read_paused = true;
    return;
  }
  p.read_paused = false;
  source(direction).async_read_some(
      boost::asio::buffer(p.buffer),
      [self = shared_from_this(), direction](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_read(direction, ec, bytes);
      });
}

void TcpRelay::on_read(Direction direction, const boost::system::error_code& ec, std::size_t bytes) {
  if (closed_) {
    return;
  }
  Pump& p = pump(direction);
  const auto now = Clock::now();
  if (bytes > 0) {
    Chunk chunk;
    chunk.data.assign(p.buffer.begin(), p.buffer.begin() + static_cast<std::ptrdiff_t>(bytes));
    chunk.release = std::max(now + link_.draw_delay(direction), p.last_release);
    p.last_release = chunk.release;
    p.queued_bytes += bytes;
    p.queue.push_back(std::move(chunk));
  }
  if (ec == boost::asio::error::eof) {
    Chunk end;
    end.end_of_stream = true;
    end.release = std::max(now + link_.draw_delay(direction), p.last_release);
    p.queue.push_back(std::move(end));
    p.read_done = true;
  } else if (ec) {
    // Reset or failure on one side: the other side sees a reset too.
    teardown(true);
    return;
  }
  write(direction);
  read(direction);
}

void TcpRelay::write(Direction direction) {
  Pump& p = pump(direction);
  if (closed_ || p.busy || p.write_done || p.queue.empty()) {
    return;
  }
  const auto now = Clock::now();
  if (auto until = link_.partitioned_until(now)) {
    wait_until(direction, *until);
    return;
  }
  if (auto until = link_.stalled_until(now)) {
    wait_until(direction, *until);
    return;
  }
  Chunk& front = p.queue.front();
  if (now < front.release) {
    wait_until(direction, front.release);
    return;
  }
  if (front.end_of_stream) {
    boost::system::error_code ignored;
    sink(direction).shutdown(tcp::socket::shutdown_send, ignored);
    p.queue.pop_front();
    p.write_done = true;
    finish_if_done();
    return;
  }
  const std::size_t piece = std::min(front.data.size() - front.offset, link_.tcp_piece_size(direction));
  const auto wait = link_.take_tokens(direction, piece, now);
  if (wait > Clock::duration::zero()) {
    wait_until(direction, now + wait);
    return;
  }
  p.busy = true;
  boost::asio::async_write(
      sink(direction), boost::asio::buffer(front.data.data() + front.offset, piece),
      [self = shared_from_this(), direction](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_written(direction, ec, bytes);
      });
}

void TcpRelay::wait_until(Direction direction, Clock::time_point when) {
  Pump& p = pump(direction);
  p.busy = true;
  auto& t = timer(direction);
  t.expires_at(std::min(when, Clock::now() + LinkState::kMaxWait));
  t.async_wait([self = shared_from_this(), direction](const boost::system::error_code&) {
    self->pump(direction).busy = false;
    self->write(direction);
  });
}

void TcpRelay::on_written(Direction direction, const boost::system::error_code& ec, std::size_t bytes) {
  Pump& p = pump(direction);
  p.busy = false;
  if (closed_) {
    return;
  }
  if (ec) {
    teardown(true);
    return;
  }
  link_.count_forwarded(direction, bytes);
  Chunk& front = p.queue.front();
  front.offset += bytes;
  p.queued_bytes -= bytes;
  if (front.offset >= front.data.size()) {
    p.queue.pop_front();
  }
  if (p.read_paused && p.queued_bytes < kMaxQueuedBytes) {
    read(direction);
  }
  write(direction);
}

void TcpRelay::finish_if_done() {
  if (pump(Direction::client_to_server).write_done && pump(Direction::server_to_client).write_done) {
    teardown(false);
  }
}

void TcpRelay::reset() {
  if (!closed_) {
    link_.count(LinkState::Event::reset);
    teardown(true);
  }
}

void TcpRelay::close() { teardown(false); }

void TcpRelay::teardown(bool with_reset) {
  if (closed_) {
    return;
  }
  closed_ = true;
  link_.count(LinkState::Event::closed);
  for (Direction direction : {Direction::client_to_server, Direction::server_to_client}) {
    Pump& p = pump(direction);
    if (p.queued_bytes > 0) {
      link_.count_dropped(direction, p.queued_bytes, 0);
    }
    p.queue.clear();
    p.queued_bytes = 0;
    timer(direction).cancel();
  }
  for (tcp::socket* socket : {&client_, &upstream_}) {
    boost::system::error_code ignored;
    if (with_reset && socket->is_open()) {
      socket->set_option(boost::asio::socket_base::linger(true, 0), ignored);
    }
    socket->close(ignored);
  }
}

}  // namespace camrig::sim
