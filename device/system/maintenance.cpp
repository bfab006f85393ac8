#include "device/system/maintenance.hpp"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "device/core/log.hpp"
#include "device/system/config_archive.hpp"
#include "device/system/firmware_package.hpp"

namespace camrig::system {
namespace {

namespace fs = std::filesystem;

// A factory Default leaves this marker; the next boot deletes the account store.
constexpr const char* k_reset_accounts_marker = "reset-accounts";
constexpr const char* k_accounts_file = "users.db";
// An imported account store waits here for the next boot.
constexpr const char* k_imported_accounts_file = "users.db.import";
constexpr const char* k_firmware_file = "firmware.json";

using Database = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

// A consistent image of the account store (WAL content included), read through SQLite.
Result<std::string> read_accounts(const fs::path& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Database db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) return make_error(ErrorCode::io_error, "cannot read the account store " + path.string());
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db.get(), "main", &size, 0);
  if (!image) return make_error(ErrorCode::io_error, "cannot read the account store " + path.string());
  std::string out(reinterpret_cast<const char*>(image), static_cast<std::size_t>(size));
  sqlite3_free(image);
  // The image carries no WAL file, so its header says rollback journal (format bytes 18 and 19);
  // the account store switches back to WAL when it opens the file.
  if (out.size() >= 20) out[18] = out[19] = 1;
  return out;
}

// True if `image` is an account store with an administrator, so an import cannot lock everyone out.
bool valid_accounts(const std::string& image) {
  sqlite3* raw = nullptr;
  if (sqlite3_open(":memory:", &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return false;
  }
  Database db(raw, &sqlite3_close);
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!copy) return false;
  std::copy(image.begin(), image.end(), copy);
  if (image.size() >= 20) copy[18] = copy[19] = 1;  // an in-memory image cannot be in WAL mode
  if (sqlite3_deserialize(db.get(), "main", copy, static_cast<sqlite3_int64>(image.size()),
                          static_cast<sqlite3_int64>(image.size()), SQLITE_DESERIALIZE_FREEONCLOSE) != SQLITE_OK)
    return false;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT COUNT(*) FROM users WHERE id = 1 AND name = 'admin'", -1, &statement, nullptr) != SQLITE_OK)
    return false;
  const bool found = sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int(statement, 0) == 1;
  sqlite3_finalize(statement);
  return found;
}

Result<void> write_file(const fs::path& path, std::string_view content) {
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + temporary);
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot write " + path.string() + ": " + ec.message());
  return {};
}

void remove_database(const fs::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix, ignored);
}

}  // namespace

const char* to_string(RestartReason reason) {
  switch (reason) {
    case RestartReason::reboot: return "reboot";
    case RestartReason::restore: return "restore";
    case RestartReason::factory_default: return "factory default";
    case RestartReason::configuration_import: return "configuration import";
    case RestartReason::firmware_upgrade: return "firmware upgrade";
  }
  return "reboot";
}

const char* to_string(UpgradeStatus::State state) {
  switch (state) {
    case UpgradeStatus::State::idle: return "idle";
    case UpgradeStatus::State::verifying: return "verifying";
    case UpgradeStatus::State::installed: return "installed";
    case UpgradeStatus::State::failed: return "failed";
  }
  return "idle";
}

void Maintenance::log(std::string minor, const Actor& actor, std::string description) const {
  log::get("maintenance")->info("{} by {} from {}: {}", minor, actor.user.empty() ? "-" : actor.user,
                                actor.remote_address.empty() ? "local" : actor.remote_address, description);
  if (!options_.log) return;
  storage::LogEntry entry;
  entry.major = storage::LogMajor::operation;
  entry.minor = std::move(minor);
  entry.user = actor.user;
  entry.remote_address = actor.remote_address;
  entry.description = std::move(description);
  (void)options_.log->append(std::move(entry));  // a failing log must not stop the operation
}

void Maintenance::reboot(const Actor& actor) {
  log("Remote: Reboot", actor, "reboot requested");
  if (options_.restart) options_.restart(RestartReason::reboot);
}

Result<void> Maintenance::factory_reset(core::RestoreMode mode, const Actor& actor) {
  const bool full = mode == core::RestoreMode::factory_default;
  if (full && !options_.data_directory.empty()) {
    // The accounts are deleted at the next boot, when nothing holds the store open.
    std::ofstream marker(fs::path(options_.data_directory) / k_reset_accounts_marker);
    if (!marker) return make_error(ErrorCode::io_error, "cannot write to the data directory " + options_.data_directory);
  }
  if (auto restored = options_.config->restore(mode); !restored) return restored.error();
  log(full ? "Remote: Restore Default" : "Remote: Restore", actor,
      full ? "every parameter and account reset to the factory default"
           : "parameters reset except user accounts, network ports and video standard");
  if (options_.restart) options_.restart(full ? RestartReason::factory_default : RestartReason::restore);
  return {};
}

Result<std::string> Maintenance::export_configuration(std::string_view password, const Actor& actor) {
  ConfigArchive archive;
  archive.model = options_.profile->device.model;
  for (const auto& key : options_.config->keys()) {
    const auto value = options_.config->get(key);
    if (value != options_.config->spec(key)->default_value) archive.settings[key] = core::to_string(value);
  }
  if (!options_.data_directory.empty()) {
    auto accounts = read_accounts(fs::path(options_.data_directory) / k_accounts_file);
    if (!accounts) return accounts.error();
    archive.accounts_database = std::move(*accounts);
  }
  auto file = seal_config_archive(archive, password);
  if (!file) return file.error();
  log("Remote: Export Config File", actor,
      std::to_string(archive.settings.size()) + " changed parameter(s)" +
          (archive.accounts_database.empty() ? ", no accounts (kept in memory)" : " and the user accounts"));
  return file;
}

Result<void> Maintenance::import_configuration(std::string_view file, std::string_view password, const Actor& actor) {
  auto archive = open_config_archive(file, password);
  if (!archive) return archive.error();
  if (archive->model != options_.profile->device.model)
    return make_error(ErrorCode::out_of_range, "the configuration file is from a " + archive->model + ", this device is a " +
                                                   options_.profile->device.model);
  // Every parameter is set: to the file's value, or to its default when the file has none.
  std::vector<core::ConfigService::Change> changes;
  for (const auto& key : options_.config->keys()) {
    const auto* spec = options_.config->spec(key);
    const auto stored = archive->settings.find(key);
    if (stored == archive->settings.end()) {
      changes.emplace_back(key, spec->default_value);
      continue;
    }
    auto value = spec->parse(stored->second);
    if (!value) return make_error(value.error().code, "the configuration file has a bad value: " + value.error().message);
    changes.emplace_back(key, *value);
  }
  const fs::path imported = options_.data_directory.empty() ? fs::path() : fs::path(options_.data_directory) / k_imported_accounts_file;
  if (!archive->accounts_database.empty() && !imported.empty()) {
    if (!valid_accounts(archive->accounts_database))
      return make_error(ErrorCode::invalid_argument, "the configuration file's account store has no administrator");
    if (auto written = write_file(imported, archive->accounts_database); !written) return written.error();
  }
  if (auto applied = options_.config->apply(changes); !applied) {
    std::error_code ignored;
    if (!imported.empty()) fs::remove(imported, ignored);
    return make_error(applied.error().code, "the configuration file does not fit this device: " + applied.error().message);
  }
  log("Remote: Import Config File", actor, std::to_string(archive->settings.size()) + " changed parameter(s) imported");
  if (options_.restart) options_.restart(RestartReason::configuration_import);
  return {};
}

Result<void> Maintenance::upgrade(std::string_view package, const Actor& actor) {
  set_status(UpgradeStatus::State::verifying, 10, "verifying the package");
  auto verified = verify_firmware(package, options_.firmware_public_key, options_.profile->device.model);
  if (!verified) {
    set_status(UpgradeStatus::State::failed, 0, verified.error().message);
    log("Remote: Upgrade", actor, "refused: " + verified.error().message);
    return verified.error();
  }
  if (!options_.data_directory.empty()) {
    const nlohmann::json record{{"version", verified->version}, {"model", verified->model},
                                {"payload_bytes", verified->payload.size()}};
    if (auto written = write_file(fs::path(options_.data_directory) / k_firmware_file, record.dump()); !written) {
      set_status(UpgradeStatus::State::failed, 0, written.error().message);
      return written.error();
    }
  }
  set_status(UpgradeStatus::State::installed, 100, "firmware " + verified->version + " installed; the device restarts");
  log("Remote: Upgrade", actor, "firmware " + verified->version + " installed");
  if (options_.restart) options_.restart(RestartReason::firmware_upgrade);
  return {};
}

UpgradeStatus Maintenance::upgrade_status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void Maintenance::set_status(UpgradeStatus::State state, int percent, std::string message) {
  std::lock_guard lock(mutex_);
  status_ = {state, percent, std::move(message)};
}

Result<void> apply_pending_boot_actions(const std::string& data_directory) {
  if (data_directory.empty()) return {};
  const fs::path directory(data_directory);
  std::error_code ec;
  if (fs::exists(directory / k_reset_accounts_marker, ec)) {
    remove_database(directory / k_accounts_file);
    if (!fs::remove(directory / k_reset_accounts_marker, ec) || ec)
      return make_error(ErrorCode::io_error, "cannot complete the factory reset in " + data_directory + ": " + ec.message());
  }
  if (fs::exists(directory / k_imported_accounts_file, ec)) {
    remove_database(directory / k_accounts_file);
    fs::rename(directory / k_imported_accounts_file, directory / k_accounts_file, ec);
    if (ec)
      return make_error(ErrorCode::io_error, "cannot complete the configuration import in " + data_directory + ": " + ec.message());
  }
  return {};
}

std::optional<std::string> installed_firmware_version(const std::string& data_directory) {
  if (data_directory.empty()) return std::nullopt;
  std::ifstream in(fs::path(data_directory) / k_firmware_file);
  if (!in) return std::nullopt;
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_object() || !doc.contains("version") || !doc["version"].is_string()) return std::nullopt;
  return doc["version"].get<std::string>();
}

}  // namespace camrig::system
