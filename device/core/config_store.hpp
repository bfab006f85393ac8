// Persistence of configuration values in SQLite (WAL): one row per parameter that differs from
// its default. Changes of one apply() are written in one transaction, so a power cut leaves
// either all of them or none.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "device/core/result.hpp"

struct sqlite3;

namespace camrig::core {

class ConfigStore {
 public:
  //! Opens (creating if needed) the database at `path`; ":memory:" keeps nothing.
  static Result<ConfigStore> open(const std::string& path);

  ConfigStore(ConfigStore&& other) noexcept;
  ConfigStore& operator=(ConfigStore&& other) noexcept;
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;
  ~ConfigStore();

  //! key → JSON text of the stored value.
  Result<std::map<std::string, std::string>> load() const;
  //! Upserts (value) or deletes (nullopt) every key in one transaction.
  Result<void> write(const std::vector<std::pair<std::string, std::optional<std::string>>>& changes);

 private:
  explicit ConfigStore(sqlite3* db) : db_(db) {}
  Result<void> exec(const char* sql);
  sqlite3* db_ = nullptr;
};

}  // namespace camrig::core
