// A prepared SQLite statement that finalizes itself: the one wrapper the device's SQLite stores
// (user accounts, plate lists, system log) share. Header-only; its users link SQLite themselves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace camrig::core {

class SqliteStatement {
 public:
  //! Check valid() before use: preparing fails on a closed database or bad SQL.
  SqliteStatement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  bool valid() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

  SqliteStatement& bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStatement& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  SqliteStatement& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  //! SQLITE_ROW, SQLITE_DONE or an error code; SQLITE_ERROR when the statement did not prepare.
  int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }

  std::int64_t column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
  bool column_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  std::string column_text(int index) const {
    const auto* text = sqlite3_column_text(stmt_, index);
    return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace camrig::core
