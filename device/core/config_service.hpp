// The device's configuration: every parameter of the schema, instantiated for the profile
// (stream.*.x becomes stream.101.x, ...; channel.*.x becomes channel.1.x, ...), validated once here
// for every API, persisted in SQLite and announced on the event bus when it changes.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "device/core/config_schema.hpp"
#include "device/core/config_store.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/event_bus.hpp"

namespace camrig::core {

//! Published after a successful change; `keys` lists the parameters whose value changed.
struct ConfigChanged {
  std::vector<std::string> keys;
};

//! Restore resets all but user information, IP parameters and video format (parameters marked
//! "keep"); factory_default ("Default" in the manuals) resets everything.
enum class RestoreMode { restore, factory_default };

class ConfigService {
 public:
  using Change = std::pair<std::string, ConfigValue>;

  //! Loads the stored values from `database_path` (":memory:" stores nothing). Stored values that
  //! no longer validate fall back to their defaults, with a warning in the log.
  static Result<std::unique_ptr<ConfigService>> open(const ConfigSchema& schema, const DeviceProfile& profile,
                                                     const std::string& database_path, EventBus* bus);

  //! The effective declaration of a concrete key (profile overrides applied); nullptr if unknown.
  const ParameterSpec* spec(std::string_view key) const;
  //! Concrete keys starting with `prefix`, sorted.
  std::vector<std::string> keys(std::string_view prefix = {}) const;

  //! The current value; throws std::out_of_range for a key the schema does not declare.
  ConfigValue get(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_number(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  Resolution get_resolution(std::string_view key) const;

  //! False while a rule disables the parameter (e.g. Video Quality under H.264+).
  bool configurable(std::string_view key) const;

  Result<void> set(std::string_view key, ConfigValue value);
  //! Sets from the text form used by HTTP APIs and command lines ("1920x1080", "true", "4096").
  Result<void> set_text(std::string_view key, std::string_view text);
  //! Validates all changes together against ranges, lists and rules, then stores all or none.
  //! Every bad value is named in the error message.
  Result<void> apply(const std::vector<Change>& changes);
  Result<void> restore(RestoreMode mode);
  //! Every parameter whose key starts with `prefix` ("stream.104.") back to its default, as
  //! Restore does: rules that make a parameter not configurable do not stop a reset.
  Result<void> reset(std::string_view prefix);

 private:
  struct Entry {
    ParameterSpec spec;
    ConfigValue value;
    std::string group;     //!< "stream" for stream.101.x, "channel" for channel.1.x; empty for device-wide keys
    std::string instance;  //!< "101"
    std::string field;     //!< "x"
    std::string role;      //!< stream role or channel kind, for overrides and constraints that name one
    int channel = 0;
  };
  using Values = std::map<std::string, ConfigValue, std::less<>>;

  ConfigService(ConfigStore store, EventBus* bus) : store_(std::move(store)), bus_(bus) {}
  const Entry& entry(std::string_view key) const;
  //! The rule that currently makes `target` not configurable in `values`, if any.
  const DisableRule* disabling_rule(const Values& values, const Entry& target) const;
  std::vector<Error> check_rules(const Values& candidate, const std::vector<std::string>& changed) const;
  Result<void> commit(Values candidate, const std::vector<std::string>& changed);

  std::map<std::string, Entry, std::less<>> entries_;
  std::map<int, std::string> main_stream_of_channel_;
  std::vector<DisableRule> disable_rules_;
  std::vector<OrderConstraint> order_constraints_;
  mutable std::shared_mutex mutex_;
  ConfigStore store_;
  EventBus* bus_;
};

}  // namespace camrig::core
