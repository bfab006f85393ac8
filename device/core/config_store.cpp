#include "device/core/config_store.hpp"

#include <memory>

#include <sqlite3.h>

namespace camrig::core {
namespace {

Error sqlite_error(sqlite3* db, const std::string& what) {
  return make_error(ErrorCode::io_error, "config database: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

}  // namespace

Result<ConfigStore> ConfigStore::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  ConfigStore store(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "cannot open " + path);
  sqlite3_busy_timeout(raw, 2000);
  if (path != ":memory:") {
    if (auto wal = store.exec("PRAGMA journal_mode=WAL"); !wal) return wal.error();
  }
  if (auto sync = store.exec("PRAGMA synchronous=FULL"); !sync) return sync.error();
  if (auto table = store.exec("CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL)"); !table)
    return table.error();
  return store;
}

ConfigStore::ConfigStore(ConfigStore&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

ConfigStore& ConfigStore::operator=(ConfigStore&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

ConfigStore::~ConfigStore() {
  if (db_) sqlite3_close_v2(db_);
}

Result<void> ConfigStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return make_error(ErrorCode::io_error, std::string("config database: ") + sql + ": " + text);
  }
  return {};
}

Result<std::map<std::string, std::string>> ConfigStore::load() const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT key, value FROM config", -1, &raw, nullptr) != SQLITE_OK)
    return sqlite_error(db_, "cannot read");
  Statement statement(raw);
  std::map<std::string, std::string> values;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    values.emplace(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)),
                   reinterpret_cast<const char*>(sqlite3_column_text(raw, 1)));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_, "cannot read");
  return values;
}

Result<void> ConfigStore::write(const std::vector<std::pair<std::string, std::optional<std::string>>>& changes) {
  if (changes.empty()) return {};
  if (auto begin = exec("BEGIN IMMEDIATE"); !begin) return begin.error();
  sqlite3_stmt* upsert_raw = nullptr;
  sqlite3_stmt* remove_raw = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO config(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                     -1, &upsert_raw, nullptr);
  Statement upsert(upsert_raw);
  sqlite3_prepare_v2(db_, "DELETE FROM config WHERE key = ?1", -1, &remove_raw, nullptr);
  Statement remove(remove_raw);
  bool ok = upsert && remove;
  for (const auto& [key, value] : changes) {
    if (!ok) break;
    sqlite3_stmt* statement = value ? upsert.get() : remove.get();
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, key.c_str(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (value) sqlite3_bind_text(statement, 2, value->c_str(), static_cast<int>(value->size()), SQLITE_TRANSIENT);
    ok = sqlite3_step(statement) == SQLITE_DONE;
  }
  if (!ok) {
    auto error = sqlite_error(db_, "cannot write");
    (void)exec("ROLLBACK");
    return error;
  }
  return exec("COMMIT");
}

}  // namespace camrig::core
