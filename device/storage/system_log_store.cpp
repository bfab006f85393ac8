#include "device/storage/system_log_store.hpp"

#include <sqlite3.h>

#include "device/core/sqlite_statement.hpp"

namespace camrig::storage {
namespace {

Error failure(sqlite3* db, const char* what) {
  return Error{ErrorCode::io_error, std::string("system log: ") + what + ": " + sqlite3_errmsg(db)};
}

std::int64_t to_nanos(hal::WallTime time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

hal::WallTime from_nanos(std::int64_t nanos) {
  return hal::WallTime(std::chrono::duration_cast<hal::WallTime::duration>(std::chrono::nanoseconds(nanos)));
}

// The filter shared by the count and the page query; unset bounds match everything.
constexpr const char* k_log_filter =
    " WHERE (?1 IS NULL OR time_ns >= ?1) AND (?2 IS NULL OR time_ns <= ?2)"
    " AND (?3 IS NULL OR major = ?3) AND (?4 = '' OR minor = ?4)";

void bind_filter(core::SqliteStatement& statement, const LogQuery& query) {
  if (query.from) statement.bind(1, to_nanos(*query.from));
  if (query.to) statement.bind(2, to_nanos(*query.to));
  if (query.major) statement.bind(3, static_cast<std::int64_t>(*query.major));
  statement.bind(4, query.minor);
}

}  // namespace

Result<std::unique_ptr<SqliteSystemLog>> SqliteSystemLog::open(const std::string& database_path, std::size_t capacity,
                                                              const hal::Clock& clock) {
  if (capacity == 0) return make_error(ErrorCode::invalid_argument, "system log: the capacity must be at least 1 entry");
  sqlite3* db = nullptr;
  if (sqlite3_open(database_path.c_str(), &db) != SQLITE_OK) {
    std::string message = "cannot open the system log " + database_path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, std::move(message));
  }
  const int rc = sqlite3_exec(db,
                              "PRAGMA journal_mode=WAL;"
                              "CREATE TABLE IF NOT EXISTS log ("
                              " id INTEGER PRIMARY KEY AUTOINCREMENT, time_ns INTEGER NOT NULL, major INTEGER NOT NULL,"
                              " minor TEXT NOT NULL, user TEXT NOT NULL, remote_address TEXT NOT NULL,"
                              " channel TEXT NOT NULL, description TEXT NOT NULL);"
                              "CREATE INDEX IF NOT EXISTS log_time ON log(time_ns);",
                              nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot create the system log in " + database_path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, std::move(message));
  }
  return std::unique_ptr<SqliteSystemLog>(new SqliteSystemLog(db, capacity, clock));
}

SqliteSystemLog::~SqliteSystemLog() { sqlite3_close(db_); }

Result<std::uint64_t> SqliteSystemLog::append(LogEntry entry) {
  if (entry.time == hal::WallTime{}) entry.time = clock_.wall_time();
  std::lock_guard lock(mutex_);
  core::SqliteStatement insert(db_,
                   "INSERT INTO log (time_ns, major, minor, user, remote_address, channel, description)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert.valid()) return failure(db_, "cannot prepare an append");
  insert.bind(1, to_nanos(entry.time));
  insert.bind(2, static_cast<std::int64_t>(entry.major));
  insert.bind(3, entry.minor);
  insert.bind(4, entry.user);
  insert.bind(5, entry.remote_address);
  insert.bind(6, entry.channel);
  insert.bind(7, entry.description);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return failure(db_, "cannot append");
  const auto id = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db_));
  // Ids grow with every append, so the oldest appended entries are the lowest ids.
  core::SqliteStatement trim(db_, "DELETE FROM log WHERE id <= ?");
  if (!trim.valid()) return failure(db_, "cannot prepare trimming");
  if (id > capacity_) {
    trim.bind(1, static_cast<std::int64_t>(id - capacity_));
    if (sqlite3_step(trim.get()) != SQLITE_DONE) return failure(db_, "cannot trim");
  }
  return id;
}

Result<LogPage> SqliteSystemLog::search(const LogQuery& query) const {
  std::lock_guard lock(mutex_);
  LogPage page;
  {
    core::SqliteStatement count(db_, (std::string("SELECT COUNT(*) FROM log") + k_log_filter).c_str());
    if (!count.valid()) return failure(db_, "cannot prepare a search");
    bind_filter(count, query);
    if (sqlite3_step(count.get()) != SQLITE_ROW) return failure(db_, "cannot search");
    page.total = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
  }
  core::SqliteStatement select(db_, (std::string("SELECT id, time_ns, major, minor, user, remote_address, channel, description FROM log") +
                         k_log_filter + " ORDER BY time_ns DESC, id DESC LIMIT ?5 OFFSET ?6")
                            .c_str());
  if (!select.valid()) return failure(db_, "cannot prepare a search");
  bind_filter(select, query);
  select.bind(5, static_cast<std::int64_t>(query.limit));
  select.bind(6, static_cast<std::int64_t>(query.offset));
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    LogEntry entry;
    entry.id = static_cast<std::uint64_t>(sqlite3_column_int64(select.get(), 0));
    entry.time = from_nanos(sqlite3_column_int64(select.get(), 1));
    entry.major = static_cast<LogMajor>(sqlite3_column_int(select.get(), 2));
    entry.minor = select.column_text(3);
    entry.user = select.column_text(4);
    entry.remote_address = select.column_text(5);
    entry.channel = select.column_text(6);
    entry.description = select.column_text(7);
    page.entries.push_back(std::move(entry));
  }
  if (rc != SQLITE_DONE) return failure(db_, "cannot read search results");
  return page;
}

}  // namespace camrig::storage
