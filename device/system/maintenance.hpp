// Upgrade & Maintenance: Reboot, Restore and Default, configuration file export/import and
// firmware upgrade. Each changes what the device boots with, logs the operation and asks for a
// restart, which the composition root fulfils by building the camera again from the stored
// state (see README.md in this folder for the file formats and what each reset keeps).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/security/user_accounts.hpp"
#include "device/storage/system_log.hpp"

namespace camrig::system {

//! Who asked, for the system log.
struct Actor {
  std::string user;
  std::string remote_address;
};

//! What a restart is for, so the composition root can say why the camera went away.
enum class RestartReason { reboot, restore, factory_default, configuration_import, firmware_upgrade };
const char* to_string(RestartReason reason);

struct UpgradeStatus {
  enum class State { idle, verifying, installed, failed };
  State state = State::idle;
  int percent = 0;
  std::string message;  //!< the version installed, or why it was refused
};
const char* to_string(UpgradeStatus::State state);

struct MaintenanceOptions {
  //! Where the device keeps its state; empty: in memory (a restart then starts from defaults).
  std::string data_directory;
  const core::DeviceProfile* profile = nullptr;
  core::ConfigService* config = nullptr;
  security::UserAccounts* accounts = nullptr;
  storage::SystemLog* log = nullptr;
  //! PEM public key that firmware packages must be signed with (Ed25519 or RSA); empty refuses every package.
  std::string firmware_public_key;
  //! Asks the composition root for a restart; called after the operation is complete and logged.
  std::function<void(RestartReason)> restart;
};

class Maintenance {
 public:
  explicit Maintenance(MaintenanceOptions options) : options_(std::move(options)) {}

  void reboot(const Actor& actor);
  //! restore keeps user accounts and the parameters marked "keep" (ports, video standard);
  //! factory_default resets every parameter and deletes every account (the device boots inactive).
  Result<void> factory_reset(core::RestoreMode mode, const Actor& actor);
  //! The encrypted configuration file: non-default settings and the user accounts.
  Result<std::string> export_configuration(std::string_view password, const Actor& actor);
  //! Checks, decrypts and applies a configuration file, then restarts; nothing changes on any error.
  Result<void> import_configuration(std::string_view file, std::string_view password, const Actor& actor);
  //! Verifies and installs a signed firmware package, then restarts.
  Result<void> upgrade(std::string_view package, const Actor& actor);
  UpgradeStatus upgrade_status() const;

 private:
  void log(std::string minor, const Actor& actor, std::string description) const;
  void set_status(UpgradeStatus::State state, int percent, std::string message);

  MaintenanceOptions options_;
  mutable std::mutex mutex_;
  UpgradeStatus status_;
};

//! Completes what a factory reset or an import left for the next boot (replacing or deleting the
//! account store); Camera::start calls it before opening any store.
Result<void> apply_pending_boot_actions(const std::string& data_directory);
//! The firmware version installed by an upgrade, if any.
std::optional<std::string> installed_firmware_version(const std::string& data_directory);

}  // namespace camrig::system
