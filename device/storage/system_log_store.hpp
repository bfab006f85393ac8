// The SystemLog kept in SQLite (a file in the data directory, or in memory), trimmed on every
// append to the newest `capacity` entries so a long-running device never grows its log unbounded.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "device/storage/system_log.hpp"

struct sqlite3;

namespace camrig::storage {

class SqliteSystemLog final : public SystemLog {
 public:
  //! Opens (creating if needed) the log at `database_path` (":memory:" keeps nothing). `clock`
  //! stamps entries appended without a time and must outlive the log.
  static Result<std::unique_ptr<SqliteSystemLog>> open(const std::string& database_path, std::size_t capacity,
                                                       const hal::Clock& clock);
  ~SqliteSystemLog() override;
  SqliteSystemLog(const SqliteSystemLog&) = delete;
  SqliteSystemLog& operator=(const SqliteSystemLog&) = delete;

  Result<std::uint64_t> append(LogEntry entry) override;
  Result<LogPage> search(const LogQuery& query) const override;
  std::size_t capacity() const { return capacity_; }

 private:
  SqliteSystemLog(sqlite3* db, std::size_t capacity, const hal::Clock& clock)
      : db_(db), capacity_(capacity), clock_(clock) {}

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  const std::size_t capacity_;
  const hal::Clock& clock_;
};

}  // namespace camrig::storage
