// The device log that "Log Search" shows: alarm, exception, operation and information entries
// with time, user and remote address, kept in SQLite and trimmed to the profile's capacity
// (the LPR camera keeps the newest 1,024). Any subsystem appends; ISAPI searches.
//
// CONTRACT (used by security, ISAPI and events; extend, do not break):
//   append(entry), search(query)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::storage {

//! The manuals' major types.
enum class LogMajor { alarm, exception, operation, information };

const char* to_string(LogMajor major);
//! "Alarm", "exception", ... (any case); nullopt for anything else.
std::optional<LogMajor> log_major_from_string(std::string_view text);

struct LogEntry {
  std::uint64_t id = 0;          //!< assigned by append(), increasing
  hal::WallTime time{};          //!< device wall time; append() fills it when zero
  LogMajor major = LogMajor::information;
  std::string minor;             //!< e.g. "Illegal Login", "Remote: Login", "Remote: Reboot"
  std::string user;              //!< account name, empty when none
  std::string remote_address;    //!< client IP, empty for local events
  std::string channel;           //!< e.g. "1", empty when not channel-bound
  std::string description;       //!< free text a user can read
};

struct LogQuery {
  std::optional<hal::WallTime> from;  //!< inclusive
  std::optional<hal::WallTime> to;    //!< inclusive
  std::optional<LogMajor> major;
  std::string minor;                  //!< empty: any
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct LogPage {
  std::vector<LogEntry> entries;  //!< newest first
  std::size_t total = 0;          //!< matches before offset/limit
};

class SystemLog {
 public:
  virtual ~SystemLog() = default;
  //! Thread-safe. Returns the stored entry's id.
  virtual Result<std::uint64_t> append(LogEntry entry) = 0;
  virtual Result<LogPage> search(const LogQuery& query) const = 0;
};

}  // namespace camrig::storage
