#include "sim/network/link_state.hpp"

#include <algorithm>

namespace camrig::sim {

LinkState::LinkState(std::uint64_t seed) {
  sides_[0].rng.seed(seed);
  sides_[1].rng.seed(seed ^ 0x9E3779B97F4A7C15ULL);
}

void LinkState::set_impairment(Direction direction, const Impairment& impairment) {
  std::lock_guard lock(mutex_);
  Side& s = side(direction);
  s.impairment = impairment;
  if (s.bucket.rate() != impairment.bandwidth_bytes_per_s) {
    s.bucket.set_rate(impairment.bandwidth_bytes_per_s, Clock::now());
  }
}

Impairment LinkState::impairment(Direction direction) const {
  std::lock_guard lock(mutex_);
  return side(direction).impairment;
}

void LinkState::stall_for(Clock::duration duration) {
  std::lock_guard lock(mutex_);
  stall_end_ = Clock::now() + duration;
}

void LinkState::partition_for(Clock::duration duration) {
  std::lock_guard lock(mutex_);
  partition_end_ = Clock::now() + duration;
}

std::optional<LinkState::Clock::time_point> LinkState::stalled_until(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (now < stall_end_) {
    return stall_end_;
  }
  return std::nullopt;
}

std::optional<LinkState::Clock::time_point> LinkState::partitioned_until(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (now < partition_end_) {
    return partition_end_;
  }
  return std::nullopt;
}

LinkState::Clock::duration LinkState::draw_delay_locked(Side& s) {
  Clock::duration delay = s.impairment.delay;
  if (s.impairment.jitter.count() > 0) {
    const auto jitter_us = std::chrono::duration_cast<std::chrono::microseconds>(s.impairment.jitter).count();
    std::uniform_int_distribution<std::int64_t> extra(0, jitter_us);
    delay += std::chrono::microseconds(extra(s.rng));
  }
  return delay;
}

LinkState::Clock::duration LinkState::draw_delay(Direction direction) {
  std::lock_guard lock(mutex_);
  return draw_delay_locked(side(direction));
}

LinkState::DatagramFate LinkState::draw_datagram(Direction direction) {
  std::lock_guard lock(mutex_);
  Side& s = side(direction);
  std::uniform_real_distribution<double> percent(0.0, 100.0);
  DatagramFate fate;
  // Every draw is made whatever the settings, so the sequence of one knob does not shift when
  // another one changes.
  const double loss = percent(s.rng);
  const double duplicate = percent(s.rng);
  const double reorder = percent(s.rng);
  fate.drop = loss < s.impairment.loss_percent;
  fate.copies = duplicate < s.impairment.duplicate_percent ? 2 : 1;
  fate.reorder = reorder < s.impairment.reorder_percent;
  fate.delay[0] = draw_delay_locked(s);
  fate.delay[1] = draw_delay_locked(s);
  return fate;
}

LinkState::Clock::duration LinkState::take_tokens(Direction direction, std::size_t bytes, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return side(direction).bucket.take(bytes, now);
}

std::size_t LinkState::tcp_piece_size(Direction direction) const {
  std::lock_guard lock(mutex_);
  const std::uint64_t rate = side(direction).impairment.bandwidth_bytes_per_s;
  if (rate == 0) {
    return 64 * 1024;
  }
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(rate / 50, 256, 16 * 1024));
}

std::size_t LinkState::queue_limit(Direction direction) const {
  std::lock_guard lock(mutex_);
  return side(direction).impairment.queue_limit_bytes;
}

LinkState::Clock::duration LinkState::reorder_hold(Direction direction) const {
  std::lock_guard lock(mutex_);
  return side(direction).impairment.reorder_hold;
}

void LinkState::count_forwarded(Direction direction, std::size_t bytes) {
  SideCounters& c = side_counters_[static_cast<std::size_t>(direction)];
  c.bytes_forwarded += bytes;
  ++c.packets_forwarded;
}

void LinkState::count_dropped(Direction direction, std::size_t bytes, std::size_t packets) {
  SideCounters& c = side_counters_[static_cast<std::size_t>(direction)];
  c.bytes_dropped += bytes;
  c.packets_dropped += packets;
}

void LinkState::count_duplicated(Direction direction) {
  ++side_counters_[static_cast<std::size_t>(direction)].packets_duplicated;
}

void LinkState::count_reordered(Direction direction) {
  ++side_counters_[static_cast<std::size_t>(direction)].packets_reordered;
}

void LinkState::count(Event event) {
  switch (event) {
    case Event::accepted:
      ++accepted_;
      ++active_;
      break;
    case Event::closed:
      --active_;
      break;
    case Event::refused:
      ++refused_;
      break;
    case Event::reset:
      ++reset_;
      break;
    case Event::upstream_failure:
      ++upstream_failures_;
      break;
    case Event::session_opened:
      ++sessions_active_;
      break;
    case Event::session_expired:
      --sessions_active_;
      ++sessions_expired_;
      break;
    case Event::session_closed:
      --sessions_active_;
      break;
  }
}

DirectionCounters LinkState::snapshot(const SideCounters& c) {
  DirectionCounters out;
  out.bytes_forwarded = c.bytes_forwarded.load();
  out.packets_forwarded = c.packets_forwarded.load();
  out.bytes_dropped = c.bytes_dropped.load();
  out.packets_dropped = c.packets_dropped.load();
  out.packets_duplicated = c.packets_duplicated.load();
  out.packets_reordered = c.packets_reordered.load();
  return out;
}

FaultProxyCounters LinkState::counters() const {
  FaultProxyCounters out;
  out.client_to_server = snapshot(side_counters_[0]);
  out.server_to_client = snapshot(side_counters_[1]);
  out.connections_accepted = accepted_.load();
  out.connections_active = active_.load();
  out.connections_refused = refused_.load();
  out.connections_reset = reset_.load();
  out.upstream_failures = upstream_failures_.load();
  out.udp_sessions_active = sessions_active_.load();
  out.udp_sessions_expired = sessions_expired_.load();
  return out;
}

}  // namespace camrig::sim
