// Simple Network Time Protocol (RFC 4330) over UDP: one query measures how far the device's wall
// time is from a server's, and the synchronizer repeats it at the configured interval while the
// time mode is NTP, correcting the device clock's offset.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "device/core/result.hpp"
#include "device/system/device_clock.hpp"

namespace camrig::system {

struct SntpSample {
  hal::Nanos offset{0};       //!< server time minus device time
  hal::Nanos round_trip{0};
  int stratum = 0;
};

//! Asks `host`:`port` once, waiting at most `timeout` of real time for the answer; times are the
//! device clock's. Refuses answers that are not a server's reply to this request.
Result<SntpSample> sntp_query(const std::string& host, std::uint16_t port, const hal::Clock& device_clock,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

struct NtpSettings {
  bool enabled = false;  //!< time mode NTP
  std::string server;
  std::uint16_t port = 123;
  std::chrono::minutes interval{1440};
};

class NtpSynchronizer {
 public:
  //! Called after each query with its outcome, e.g. for the system log.
  using Report = std::function<void(const std::string& server, const Result<SntpSample>& outcome)>;

  //! Starts the synchronizing thread; `settings` is read before each query. `clock` must outlive this.
  NtpSynchronizer(DeviceClock& clock, std::function<NtpSettings()> settings, Report report = {});
  ~NtpSynchronizer();
  NtpSynchronizer(const NtpSynchronizer&) = delete;
  NtpSynchronizer& operator=(const NtpSynchronizer&) = delete;

  //! Re-reads the settings and queries at once if NTP is on (settings changed, "Test").
  void synchronize_now();
  //! Queries completed since start, successful or not.
  std::uint64_t attempts() const;

 private:
  void run(std::stop_token stop);
  void cancel_timer();

  DeviceClock& clock_;
  std::function<NtpSettings()> settings_;
  Report report_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  bool due_ = true;
  std::uint64_t attempts_ = 0;
  std::optional<hal::Clock::TimerId> timer_;
  std::jthread thread_;
};

}  // namespace camrig::system
