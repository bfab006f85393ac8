// One TCP client of the fault proxy and its own connection to the target. Each direction reads
// into a queue (stamped with its release time: arrival + delay + jitter, never before the chunk
// ahead of it) and writes from it, paced by the link's bandwidth and held while the link is
// stalled or partitioned. An end of stream is passed on as a half-close once the data before it
// is out; a reset or error on either side resets both. Runs on the proxy's single io thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/network/link_state.hpp"

namespace camrig::sim {

class TcpRelay : public std::enable_shared_from_this<TcpRelay> {
 public:
  using tcp = boost::asio::ip::tcp;
  using Clock = LinkState::Clock;

  TcpRelay(boost::asio::io_context& io, tcp::socket client, LinkState& link);

  //! Connects to the target, then forwards both ways; if the target cannot be reached the
  //! client is reset.
  void start(const tcp::endpoint& target);
  //! Closes both sockets with RST (SO_LINGER 0), dropping what the proxy still holds.
  void reset();
  //! Closes both sockets (shutdown path of the proxy).
  void close();
  bool closed() const { return closed_; }

 private:
  struct Chunk {
    std::vector<std::uint8_t> data;
    std::size_t offset = 0;
    Clock::time_point release{};
    bool end_of_stream = false;
  };
  struct Pump {
    Direction direction = Direction::client_to_server;
    std::deque<Chunk> queue;
    std::size_t queued_bytes = 0;
    Clock::time_point last_release{};
    bool read_paused = false;
    bool read_done = false;
    bool busy = false;  // a write or a wait is in flight
    bool write_done = false;
    std::array<std::uint8_t, 16 * 1024> buffer{};
  };

  tcp::socket& source(Direction direction);
  tcp::socket& sink(Direction direction);
  Pump& pump(Direction direction) { return pumps_[static_cast<std::size_t>(direction)]; }
  boost::asio::steady_timer& timer(Direction direction) { return timers_[static_cast<std::size_t>(direction)]; }

  void read(Direction direction);
  void on_read(Direction direction, const boost::system::error_code& ec, std::size_t bytes);
  void write(Direction direction);
  void wait_until(Direction direction, Clock::time_point when);
  void on_written(Direction direction, const boost::system::error_code& ec, std::size_t bytes);
  void finish_if_done();
  void teardown(bool with_reset);

  LinkState& link_;
  tcp::socket client_;
  tcp::socket upstream_;
  std::array<Pump, 2> pumps_;
  std::array<boost::asio::steady_timer, 2> timers_;
  bool closed_ = false;
};

}  // namespace camrig::sim
