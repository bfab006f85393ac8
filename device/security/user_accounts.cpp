#include "device/security/user_accounts.hpp"

#include <array>
#include <cstdio>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "device/core/sqlite_statement.hpp"

namespace camrig::security {
namespace {

constexpr int k_pbkdf2_iterations = 20000;
constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

std::string pbkdf2_hex(std::string_view password, const std::string& salt_hex) {
  std::array<unsigned char, k_hash_bytes> hash{};
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt_hex.data()), static_cast<int>(salt_hex.size()),
                    k_pbkdf2_iterations, EVP_sha256(), static_cast<int>(hash.size()), hash.data());
  return to_hex(hash.data(), hash.size());
}

UserAccount account_from(const core::SqliteStatement& row) {
  return UserAccount{static_cast<int>(row.column_int(0)), row.column_text(1),
                     parse_user_level(row.column_text(2)).value_or(UserLevel::user)};
}

}  // namespace

std::string_view to_string(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::md5 ? "MD5" : "SHA-256";
}

std::string digest_hex(DigestAlgorithm algorithm, std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &size, algorithm == DigestAlgorithm::md5 ? EVP_md5() : EVP_sha256(),
             nullptr);
  return to_hex(out.data(), size);
}

Result<std::unique_ptr<UserAccounts>> UserAccounts::open(const std::string& database_path, std::string realm,
                                                         PasswordPolicy policy) {
  sqlite3* db = nullptr;
  if (sqlite3_open(database_path.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, "cannot open user database " + database_path + ": " + message);
  }
  std::unique_ptr<UserAccounts> accounts(new UserAccounts(db, std::move(realm), std::move(policy)));
  char* message = nullptr;
  const int rc = sqlite3_exec(db,
                              "PRAGMA journal_mode=WAL;"
                              "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
                              " level TEXT NOT NULL, salt TEXT NOT NULL, password_hash TEXT NOT NULL,"
                              " realm TEXT NOT NULL, ha1_md5 TEXT NOT NULL, ha1_sha256 TEXT NOT NULL)",
                              nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return make_error(ErrorCode::io_error, "cannot create user table in " + database_path + ": " + text);
  }
  // Added after the first release: fails harmlessly ("duplicate column") on databases that have it.
  sqlite3_exec(db, "ALTER TABLE users ADD COLUMN token_password TEXT NOT NULL DEFAULT ''", nullptr, nullptr, nullptr);
  return accounts;
}

UserAccounts::~UserAccounts() { sqlite3_close(db_); }

bool UserAccounts::activated() const { return find(1).has_value(); }

Result<void> UserAccounts::store_password(int id, std::string_view name, std::string_view password) {
  std::array<unsigned char, k_salt_bytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    return make_error(ErrorCode::internal, "no random bytes for the password salt");
  const auto salt_hex = to_hex(salt.data(), salt.size());
  const std::string credentials = std::string(name) + ":" + realm_ + ":" + std::string(password);
  core::SqliteStatement update(db_,
                   "UPDATE users SET salt=?1, password_hash=?2, realm=?3, ha1_md5=?4, ha1_sha256=?5, token_password=?7"
                   " WHERE id=?6");
  update.bind(1, salt_hex)
      .bind(2, pbkdf2_hex(password, salt_hex))
      .bind(3, realm_)
      .bind(4, digest_hex(DigestAlgorithm::md5, credentials))
      .bind(5, digest_hex(DigestAlgorithm::sha256, credentials))
      .bind(6, id)
      .bind(7, password);
  if (update.step() != SQLITE_DONE) return make_error(ErrorCode::io_error, std::string("cannot store password: ") + sqlite3_errmsg(db_));
  return {};
}

Result<void> UserAccounts::activate(std::string_view admin_password) {
  if (activated()) return make_error(ErrorCode::not_configurable, "the device is already activated");
  if (auto checked = policy_.check_password(admin_password, k_admin_name); !checked) return checked.error();
  std::lock_guard lock(mutex_);
  core::SqliteStatement insert(db_, "INSERT INTO users(id, name, level, salt, password_hash, realm, ha1_md5, ha1_sha256)"
                        " VALUES(1, ?1, 'Administrator', '', '', '', '', '')");
  insert.bind(1, k_admin_name);
  if (insert.step() != SQLITE_DONE) return make_error(ErrorCode::io_error, std::string("cannot activate: ") + sqlite3_errmsg(db_));
  return store_password(1, k_admin_name, admin_password);
}

std::vector<UserAccount> UserAccounts::list() const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT id, name, level FROM users ORDER BY id");
  std::vector<UserAccount> accounts;
  while (query.step() == SQLITE_ROW) accounts.push_back(account_from(query));
  return accounts;
}

std::optional<UserAccount> UserAccounts::find(int id) const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT id, name, level FROM users WHERE id=?1");
  query.bind(1, id);
  if (query.step() != SQLITE_ROW) return std::nullopt;
  return account_from(query);
}

std::optional<UserAccount> UserAccounts::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT id, name, level FROM users WHERE name=?1");
  query.bind(1, name);
  if (query.step() != SQLITE_ROW) return std::nullopt;
  return account_from(query);
}

Result<UserAccount> UserAccounts::add(std::string_view name, std::string_view password, UserLevel level) {
  if (!activated()) return make_error(ErrorCode::not_configurable, "the device is not activated");
  if (level == UserLevel::administrator)
    return make_error(ErrorCode::invalid_argument, "there is only one administrator; add an Operator or a User");
  if (auto checked = policy_.check_username(name); !checked) return checked.error();
  if (auto checked = policy_.check_password(password, name); !checked) return checked.error();
  if (find(name)) return make_error(ErrorCode::already_exists, "the user name '" + std::string(name) + "' is taken");
  if (list().size() >= k_max_added_accounts + 1)
    return make_error(ErrorCode::unavailable, "the administrator can add up to 31 user accounts");
  std::lock_guard lock(mutex_);
  core::SqliteStatement insert(db_, "INSERT INTO users(name, level, salt, password_hash, realm, ha1_md5, ha1_sha256)"
                        " VALUES(?1, ?2, '', '', '', '', '')");
  insert.bind(1, name).bind(2, to_string(level));
  if (insert.step() != SQLITE_DONE) return make_error(ErrorCode::io_error, std::string("cannot add user: ") + sqlite3_errmsg(db_));
  const int id = static_cast<int>(sqlite3_last_insert_rowid(db_));
  if (auto stored = store_password(id, name, password); !stored) return stored.error();
  return UserAccount{id, std::string(name), level};
}

Result<void> UserAccounts::modify(int id, std::optional<std::string> password, std::optional<UserLevel> level) {
  const auto account = find(id);
  if (!account) return make_error(ErrorCode::not_found, "no user with id " + std::to_string(id));
  if (level && *level != account->level) {
    if (account->level == UserLevel::administrator || *level == UserLevel::administrator)
      return make_error(ErrorCode::not_configurable, "the administrator's level cannot change and no other user can become administrator");
  }
  if (password)
    if (auto checked = policy_.check_password(*password, account->name); !checked) return checked.error();
  std::lock_guard lock(mutex_);
  if (level) {
    core::SqliteStatement update(db_, "UPDATE users SET level=?1 WHERE id=?2");
    update.bind(1, to_string(*level)).bind(2, id);
    if (update.step() != SQLITE_DONE) return make_error(ErrorCode::io_error, std::string("cannot change level: ") + sqlite3_errmsg(db_));
  }
  if (password) return store_password(id, account->name, *password);
  return {};
}

Result<void> UserAccounts::remove(int id) {
  const auto account = find(id);
  if (!account) return make_error(ErrorCode::not_found, "no user with id " + std::to_string(id));
  if (account->level == UserLevel::administrator)
    return make_error(ErrorCode::not_configurable, "the administrator cannot be deleted");
  std::lock_guard lock(mutex_);
  core::SqliteStatement remove(db_, "DELETE FROM users WHERE id=?1");
  remove.bind(1, id);
  if (remove.step() != SQLITE_DONE) return make_error(ErrorCode::io_error, std::string("cannot delete user: ") + sqlite3_errmsg(db_));
  return {};
}

std::optional<UserAccount> UserAccounts::verify_password(std::string_view name, std::string_view password) const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT id, name, level, salt, password_hash FROM users WHERE name=?1");
  query.bind(1, name);
  if (query.step() != SQLITE_ROW) return std::nullopt;
  const auto expected = query.column_text(4);
  const auto actual = pbkdf2_hex(password, query.column_text(3));
  if (expected.size() != actual.size() || CRYPTO_memcmp(expected.data(), actual.data(), actual.size()) != 0)
    return std::nullopt;
  return account_from(query);
}

std::optional<std::string> UserAccounts::digest_ha1(std::string_view name, DigestAlgorithm algorithm) const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT realm, ha1_md5, ha1_sha256 FROM users WHERE name=?1");
  query.bind(1, name);
  if (query.step() != SQLITE_ROW || query.column_text(0) != realm_) return std::nullopt;
  return query.column_text(algorithm == DigestAlgorithm::md5 ? 1 : 2);
}

std::optional<std::string> UserAccounts::token_password(std::string_view name) const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT token_password FROM users WHERE name=?1");
  query.bind(1, name);
  if (query.step() != SQLITE_ROW || query.column_text(0).empty()) return std::nullopt;
  return std::string(query.column_text(0));
}

}  // namespace camrig::security
