#include "sim/virtual_serial_port.hpp"

#include <algorithm>

namespace camrig::sim {
namespace {

bool same_line(const hal::SerialSettings& a, const hal::SerialSettings& b) {
  return a.baud_rate == b.baud_rate && a.data_bits == b.data_bits && a.stop_bits == b.stop_bits &&
         a.parity == b.parity && a.flow_control == b.flow_control;
}

// Waits for bytes in `queue`, then moves as many as fit into `out`.
std::size_t take(std::unique_lock<std::mutex>& lock, std::condition_variable& arrived, std::deque<std::uint8_t>& queue,
                 std::span<std::uint8_t> out, std::chrono::milliseconds timeout) {
  arrived.wait_for(lock, timeout, [&] { return !queue.empty(); });
  const auto count = std::min(out.size(), queue.size());
  std::copy_n(queue.begin(), count, out.begin());
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(count));
  return count;
}

}  // namespace

Result<void> VirtualSerialPort::configure(const hal::SerialSettings& settings) {
  if (settings.baud_rate <= 0 || settings.data_bits < 5 || settings.data_bits > 8 || settings.stop_bits < 1 ||
      settings.stop_bits > 2)
    return make_error(ErrorCode::invalid_argument,
                      "serial line settings out of range: " + std::to_string(settings.baud_rate) + " bps, " +
                          std::to_string(settings.data_bits) + " data bits, " + std::to_string(settings.stop_bits) +
                          " stop bits");
  {
    std::lock_guard lock(mutex_);
    device_ = settings;
    device_configured_ = true;
    ++configure_count_;
  }
  arrived_.notify_all();
  return {};
}

bool VirtualSerialPort::matched() const { return same_line(device_, peer_); }

Result<std::size_t> VirtualSerialPort::write(std::span<const std::uint8_t> bytes) {
  {
    std::lock_guard lock(mutex_);
    if (!matched()) {
      framing_errors_ += bytes.size();
      return bytes.size();  // the UART sends them; the far end cannot decode them
    }
    to_peer_.insert(to_peer_.end(), bytes.begin(), bytes.end());
  }
  arrived_.notify_all();
  return bytes.size();
}

Result<std::size_t> VirtualSerialPort::read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return take(lock, arrived_, to_device_, buffer, timeout);
}

std::optional<hal::SerialSettings> VirtualSerialPort::device_settings() const {
  std::lock_guard lock(mutex_);
  return device_configured_ ? std::optional(device_) : std::nullopt;
}

int VirtualSerialPort::configure_count() const {
  std::lock_guard lock(mutex_);
  return configure_count_;
}

bool VirtualSerialPort::wait_configured(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return configure_count_ >= count; });
}

void VirtualSerialPort::peer_configure(const hal::SerialSettings& settings) {
  std::lock_guard lock(mutex_);
  peer_ = settings;
}

void VirtualSerialPort::peer_write(std::span<const std::uint8_t> bytes) {
  {
    std::lock_guard lock(mutex_);
    if (!matched()) {
      framing_errors_ += bytes.size();
      return;
    }
    to_device_.insert(to_device_.end(), bytes.begin(), bytes.end());
  }
  arrived_.notify_all();
}

std::vector<std::uint8_t> VirtualSerialPort::peer_read(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::vector<std::uint8_t> out(to_peer_.size() + 4096);
  out.resize(take(lock, arrived_, to_peer_, out, timeout));
  return out;
}

std::size_t VirtualSerialPort::framing_errors() const {
  std::lock_guard lock(mutex_);
  return framing_errors_;
}

}  // namespace camrig::sim
