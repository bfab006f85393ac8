// The configuration file of Export/Import: the settings that differ from their defaults and the
// account store, as JSON sealed with AES-256-GCM under a key derived from the user's password
// (PBKDF2-HMAC-SHA256). Layout, all integers big-endian:
//   "CRCF" | format 1 (1 byte) | PBKDF2 iterations (4) | salt (16) | IV (12) | ciphertext | tag (16)
// The header up to the IV is authenticated too, so any change to the file is detected.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::system {

struct ConfigArchive {
  std::string model;                            //!< only a device of the same model imports it
  std::map<std::string, std::string> settings;  //!< key → text form, non-default values only
  std::string accounts_database;                //!< SQLite image of the account store; empty: none
};

Result<std::string> seal_config_archive(const ConfigArchive& archive, std::string_view password);
//! A wrong password and a changed file give the same error: neither can be told apart.
Result<ConfigArchive> open_config_archive(std::string_view file, std::string_view password);

}  // namespace camrig::system
