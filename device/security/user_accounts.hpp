// The device's accounts: the administrator ("admin", id 1) and up to 31 added accounts, each with
// a level; stored in SQLite with a salted PBKDF2-SHA256 hash for Basic/web logins and the Digest
// HA1 for the device realm (MD5 and SHA-256), plus the password ONVIF's UsernameToken digest needs.
// The device is not activated until admin has a password.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/security/password_policy.hpp"
#include "device/security/user_level.hpp"

struct sqlite3;

namespace camrig::security {

struct UserAccount {
  int id = 0;
  std::string name;
  UserLevel level = UserLevel::user;
};

//! What Digest needs from an account: HA1 = H(name:realm:password).
enum class DigestAlgorithm { md5, sha256 };

class UserAccounts {
 public:
  static constexpr std::size_t k_max_added_accounts = 31;
  static constexpr std::string_view k_admin_name = "admin";

  //! Opens (creating if needed) the store at `database_path` (":memory:" keeps nothing).
  static Result<std::unique_ptr<UserAccounts>> open(const std::string& database_path, std::string realm,
                                                    PasswordPolicy policy);
  ~UserAccounts();
  UserAccounts(const UserAccounts&) = delete;
  UserAccounts& operator=(const UserAccounts&) = delete;

  const std::string& realm() const { return realm_; }
  const PasswordPolicy& policy() const { return policy_; }

  bool activated() const;
  //! Sets the admin password of an inactive device; refused once activated.
  Result<void> activate(std::string_view admin_password);

  std::vector<UserAccount> list() const;
  std::optional<UserAccount> find(int id) const;
  std::optional<UserAccount> find(std::string_view name) const;

  Result<UserAccount> add(std::string_view name, std::string_view password, UserLevel level);
  //! Changes the password and/or level; the administrator's level cannot change.
  Result<void> modify(int id, std::optional<std::string> password, std::optional<UserLevel> level);
  //! The administrator cannot be deleted.
  Result<void> remove(int id);

  //! Verifies a plain password (Basic, web login).
  std::optional<UserAccount> verify_password(std::string_view name, std::string_view password) const;
  //! HA1 of `name` for the realm, as lowercase hex.
  std::optional<std::string> digest_ha1(std::string_view name, DigestAlgorithm algorithm) const;
  //! The password itself, for WS-Security UsernameToken digests (SHA-1 of nonce, time and password,
  //! which no stored hash can check); nullopt for an unknown name or one set before it was kept.
  std::optional<std::string> token_password(std::string_view name) const;

 private:
  UserAccounts(sqlite3* db, std::string realm, PasswordPolicy policy)
      : db_(db), realm_(std::move(realm)), policy_(std::move(policy)) {}
  Result<void> store_password(int id, std::string_view name, std::string_view password);

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::string realm_;
  PasswordPolicy policy_;
};

//! Lowercase hex of MD5 or SHA-256 of `text`.
std::string digest_hex(DigestAlgorithm algorithm, std::string_view text);
std::string_view to_string(DigestAlgorithm algorithm);

}  // namespace camrig::security
