// The way of the datagrams of one UDP session in one direction: each gets its fate on arrival
// (lost, duplicated, held back for reordering) and a release time (delay + jitter), waits in a
// delay line, then in a FIFO for bandwidth and for the end of a stall (bounded by the queue
// limit, dropping beyond it), and is sent. During a partition everything is dropped.
// Runs on the proxy's io thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/network/link_state.hpp"

namespace camrig::sim {

class DatagramScheduler : public std::enable_shared_from_this<DatagramScheduler> {
 public:
  using Clock = LinkState::Clock;
  //! Sends one datagram; false when the socket refused it (counted as dropped).
  using Sender = std::function<bool(const std::vector<std::uint8_t>&)>;

  DatagramScheduler(boost::asio::io_context& io, LinkState& link, Direction direction, Sender send);

  void submit(std::vector<std::uint8_t> datagram);
  //! Drops what waits and sends nothing more.
  void close();

 private:
  using Key = std::pair<Clock::time_point, std::uint64_t>;

  void run();
  void arm(Clock::time_point when);
  void drop(std::size_t bytes);

  LinkState& link_;
  Direction direction_;
  Sender send_;
  boost::asio::steady_timer timer_;
  std::optional<Clock::time_point> armed_;
  std::map<Key, std::vector<std::uint8_t>> delay_line_;
  std::optional<Key> held_;  // a datagram waiting for its successor to overtake it
  std::uint64_t sequence_ = 0;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t queued_bytes_ = 0;
  bool closed_ = false;
};

}  // namespace camrig::sim
