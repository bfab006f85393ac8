#include "device/system/sntp_client.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace camrig::system {
namespace {

// Seconds from the NTP era (1900) to the Unix epoch.
constexpr std::int64_t k_ntp_unix_offset = 2'208'988'800;
constexpr std::size_t k_packet_size = 48;

std::uint64_t to_ntp(hal::WallTime time) {
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  const auto secs = static_cast<std::uint64_t>(nanos / 1'000'000'000 + k_ntp_unix_offset);
  const auto fraction = (static_cast<std::uint64_t>(nanos % 1'000'000'000) << 32) / 1'000'000'000;
  return secs << 32 | fraction;
}

// Nanoseconds since the Unix epoch of an NTP timestamp.
std::int64_t from_ntp(std::uint64_t stamp) {
  const auto secs = static_cast<std::int64_t>(stamp >> 32) - k_ntp_unix_offset;
  const auto fraction = static_cast<std::int64_t>(((stamp & 0xffffffffu) * 1'000'000'000) >> 32);
  return secs * 1'000'000'000 + fraction;
}

std::uint64_t read_stamp(const std::uint8_t* bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | bytes[i];
  return value;
}

void write_stamp(std::uint8_t* bytes, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<SntpSample> sntp_query(const std::string& host, std::uint16_t port, const hal::Clock& device_clock,
                              std::chrono::milliseconds timeout) {
  const std::string where = "NTP server " + host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return make_error(ErrorCode::unavailable, "cannot resolve " + where + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  Socket socket(::socket(found->ai_family, found->ai_socktype, found->ai_protocol));
  if (socket.fd() < 0 || ::connect(socket.fd(), found->ai_addr, found->ai_addrlen) != 0)
    return make_error(ErrorCode::unavailable, "cannot reach " + where + ": " + std::strerror(errno));

  std::array<std::uint8_t, k_packet_size> request{};
  request[0] = 0 << 6 | 4 << 3 | 3;  // no leap warning, version 4, client
  const auto sent_at = device_clock.wall_time();
  const auto transmit = to_ntp(sent_at);
  write_stamp(&request[40], transmit);
  if (::send(socket.fd(), request.data(), request.size(), 0) != static_cast<ssize_t>(request.size()))
    return make_error(ErrorCode::unavailable, "cannot send to " + where + ": " + std::strerror(errno));

  std::array<std::uint8_t, 512> reply{};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Datagrams that are not the answer (late replies to an earlier query) are skipped until the deadline.
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd waiting{socket.fd(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&waiting, 1, static_cast<int>(left.count())) <= 0)
      return make_error(ErrorCode::unavailable, where + " did not answer within " + std::to_string(timeout.count()) + " ms");
    const auto received = ::recv(socket.fd(), reply.data(), reply.size(), 0);
    const auto received_at = device_clock.wall_time();
    if (received < 0)
      return make_error(ErrorCode::unavailable, "no answer from " + where + ": " + std::strerror(errno));
    if (static_cast<std::size_t>(received) < k_packet_size || read_stamp(&reply[24]) != transmit) continue;
    const int mode = reply[0] & 0x7;
    const int stratum = reply[1];
    if (mode != 4) return make_error(ErrorCode::io_error, where + " answered in mode " + std::to_string(mode) + ", not as a server");
    if (stratum == 0 || (reply[0] >> 6) == 3)
      return make_error(ErrorCode::unavailable, where + " is not synchronized (kiss-o'-death or alarm)");
    const auto server_receive = from_ntp(read_stamp(&reply[32]));
    const auto server_transmit = from_ntp(read_stamp(&reply[40]));
    if (read_stamp(&reply[40]) == 0) return make_error(ErrorCode::io_error, where + " sent no transmit time");
    const auto t1 = std::chrono::duration_cast<std::chrono::nanoseconds>(sent_at.time_since_epoch()).count();
    const auto t4 = std::chrono::duration_cast<std::chrono::nanoseconds>(received_at.time_since_epoch()).count();
    SntpSample sample;
    sample.offset = hal::Nanos(((server_receive - t1) + (server_transmit - t4)) / 2);
    sample.round_trip = hal::Nanos((t4 - t1) - (server_transmit - server_receive));
    sample.stratum = stratum;
    return sample;
  }
}

NtpSynchronizer::NtpSynchronizer(DeviceClock& clock, std::function<NtpSettings()> settings, Report report)
    : clock_(clock), settings_(std::move(settings)), report_(std::move(report)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

NtpSynchronizer::~NtpSynchronizer() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  cancel_timer();
}

void NtpSynchronizer::cancel_timer() {
  std::optional<hal::Clock::TimerId> timer;
  {
    std::lock_guard lock(mutex_);
    timer.swap(timer_);
  }
  // Outside the lock: a clock may hold its own lock while a due timer takes ours.
  if (timer) clock_.cancel(*timer);
}

void NtpSynchronizer::synchronize_now() {
  {
    std::lock_guard lock(mutex_);
    due_ = true;
  }
  wake_.notify_all();
}

std::uint64_t NtpSynchronizer::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

void NtpSynchronizer::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [this] { return due_; })) return;
      due_ = false;
    }
    cancel_timer();
    const auto settings = settings_();
    if (!settings.enabled) continue;  // woken again when the settings change
    auto outcome = sntp_query(settings.server, settings.port, clock_);
    if (outcome) clock_.adjust(outcome->offset);
    {
      std::lock_guard lock(mutex_);
      ++attempts_;
    }
    // The interval runs on the device clock, so a lockstep world synchronizes on its own time.
    const auto timer = clock_.call_at(clock_.now() + std::chrono::duration_cast<hal::Nanos>(settings.interval), [this] {
      {
        std::lock_guard lock(mutex_);
        due_ = true;
      }
      wake_.notify_all();
    });
    {
      std::lock_guard lock(mutex_);
      timer_ = timer;
    }
    if (report_) report_(settings.server, outcome);
  }
}

}  // namespace camrig::system
