#include "sim/network/datagram_scheduler.hpp"

#include <algorithm>

namespace camrig::sim {

DatagramScheduler::DatagramScheduler(boost::asio::io_context& io, LinkState& link, Direction direction, Sender send)
    : link_(link), direction_(direction), send_(std::move(send)), timer_(io) {}

void DatagramScheduler::drop(std::size_t bytes) { link_.count_dropped(direction_, bytes); }

void DatagramScheduler::submit(std::vector<std::uint8_t> datagram) {
  if (closed_) {
    return;
  }
  const auto now = Clock::now();
  const LinkState::DatagramFate fate = link_.draw_datagram(direction_);
  if (link_.partitioned_until(now) || fate.drop) {
    drop(datagram.size());
    return;
  }
  std::optional<Key> last;
  for (int copy = 0; copy < fate.copies; ++copy) {
    const Key key{now + fate.delay[static_cast<std::size_t>(copy)], sequence_++};
    delay_line_.emplace(key, copy + 1 < fate.copies ? datagram : std::move(datagram));
    if (copy > 0) {
      link_.count_duplicated(direction_);
    }
    if (!last || *last < key) {
      last = key;
    }
  }
  if (held_) {
    // The held datagram goes right after this one.
    auto node = delay_line_.extract(*held_);
    held_.reset();
    if (!node.empty()) {
      node.key() = Key{last->first, sequence_++};
      delay_line_.insert(std::move(node));
    }
  } else if (fate.reorder) {
    auto node = delay_line_.extract(*last);
    node.key() = Key{last->first + link_.reorder_hold(direction_), last->second};
    held_ = node.key();
    delay_line_.insert(std::move(node));
    link_.count_reordered(direction_);
  }
  run();
}

void DatagramScheduler::run() {
  if (closed_) {
    return;
  }
  const auto now = Clock::now();
  const std::size_t limit = link_.queue_limit(direction_);
  while (!delay_line_.empty() && delay_line_.begin()->first.first <= now) {
    auto node = delay_line_.extract(delay_line_.begin());
    if (held_ && *held_ == node.key()) {
      held_.reset();
    }
    if (queued_bytes_ + node.mapped().size() > limit) {
      drop(node.mapped().size());
      continue;
    }
    queued_bytes_ += node.mapped().size();
    queue_.push_back(std::move(node.mapped()));
  }
  std::optional<Clock::time_point> next;
  if (!delay_line_.empty()) {
    next = delay_line_.begin()->first.first;
  }
  if (!queue_.empty()) {
    if (link_.partitioned_until(now)) {
      for (const auto& datagram : queue_) {
        drop(datagram.size());
      }
      queue_.clear();
      queued_bytes_ = 0;
    } else if (auto until = link_.stalled_until(now)) {
      next = next ? std::min(*next, *until) : *until;
    } else {
      while (!queue_.empty()) {
        const auto wait = link_.take_tokens(direction_, queue_.front().size(), now);
        if (wait > Clock::duration::zero()) {
          next = next ? std::min(*next, now + wait) : now + wait;
          break;
        }
        const std::size_t size = queue_.front().size();
        if (send_(queue_.front())) {
          link_.count_forwarded(direction_, size);
        } else {
          drop(size);
        }
        queued_bytes_ -= size;
        queue_.pop_front();
      }
    }
  }
  if (next) {
    arm(std::min(*next, now + LinkState::kMaxWait));
  }
}

void DatagramScheduler::arm(Clock::time_point when) {
  if (armed_ && *armed_ <= when) {
    return;
  }
  armed_ = when;
  timer_.expires_at(when);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) {
      return;
    }
    self->armed_.reset();
    self->run();
  });
}

void DatagramScheduler::close() {
  closed_ = true;
  timer_.cancel();
  for (const auto& [key, datagram] : delay_line_) {
    drop(datagram.size());
  }
  for (const auto& datagram : queue_) {
    drop(datagram.size());
  }
  delay_line_.clear();
  queue_.clear();
  queued_bytes_ = 0;
}

}  // namespace camrig::sim
