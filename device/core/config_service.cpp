#include "device/core/config_service.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "device/core/log.hpp"
#include "device/core/text.hpp"

namespace camrig::core {
namespace {

double as_number(const ConfigValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return 0;
}

//! a <= b for numbers; for resolutions, neither side larger (width and height).
bool at_most(const ParameterSpec& spec, const ConfigValue& a, const ConfigValue& b) {
  if (spec.type == ParameterType::resolution) {
    const auto left = parse_resolution(std::get<std::string>(a));
    const auto right = parse_resolution(std::get<std::string>(b));
    return left && right && left->width <= right->width && left->height <= right->height;
  }
  return as_number(a) <= as_number(b);
}

//! All messages in one error; its code is the first problem's, which decides the wire status.
Error combine(const std::vector<Error>& errors) {
  std::vector<std::string> messages;
  for (const auto& error : errors) messages.push_back(error.message);
  return make_error(errors.front().code, text::join(messages, "; "));
}

}  // namespace

Result<std::unique_ptr<ConfigService>> ConfigService::open(const ConfigSchema& schema, const DeviceProfile& profile,
                                                             const std::string& database_path, EventBus* bus) {
  auto store = ConfigStore::open(database_path);
  if (!store) return store.error();
  std::unique_ptr<ConfigService> service(new ConfigService(std::move(*store), bus));
  const auto streams = profile.streams();
  for (const auto& stream : streams)
    if (stream.role == "main") service->main_stream_of_channel_[stream.channel] = std::to_string(stream.id);

  const auto& overrides = profile.parameters;
  std::vector<std::string> used_overrides;
  const auto override_with = [&](ParameterSpec& spec, const std::string& key) -> Result<void> {
    if (!overrides.contains(key)) return {};
    used_overrides.push_back(key);
    if (auto applied = spec.apply_override(overrides.at(key)); !applied)
      return make_error(ErrorCode::invalid_argument, "device profile " + profile.name + ": " + applied.error().message);
    return {};
  };

  for (const auto& declared : schema.parameters()) {
    if (!declared.in_profile(profile.name)) continue;
    const auto wildcard = declared.key.find(".*.");
    if (wildcard == std::string::npos) {
      Entry entry{declared, {}, "", "", declared.key, "", 0};
      if (auto applied = override_with(entry.spec, declared.key); !applied) return applied.error();
      entry.value = entry.spec.default_value;
      service->entries_.emplace(declared.key, std::move(entry));
      continue;
    }
    const auto group = declared.key.substr(0, wildcard);
    const auto field = declared.key.substr(wildcard + 3);
    // One instance per stream (role "main", "sub", ...) or per video channel (role: its kind,
    // "fixed", "ptz" or "panoramic"); overrides go from the wildcard over the role to the instance.
    struct Instance {
      std::string id;
      std::string role;
      int channel = 0;
    };
    std::vector<Instance> instances;
    if (group == "stream") {
      for (const auto& stream : streams) instances.push_back({std::to_string(stream.id), stream.role, stream.channel});
    } else if (group == "channel") {
      for (const auto& channel : profile.channels) instances.push_back({std::to_string(channel.id), channel.kind, channel.id});
    } else {
      return make_error(ErrorCode::invalid_argument, "config schema: " + declared.key + ": unknown instance group " + group);
    }
    for (const auto& instance : instances) {
      if (!declared.roles.empty() &&
          std::find(declared.roles.begin(), declared.roles.end(), instance.role) == declared.roles.end())
        continue;
      Entry entry{declared, {}, group, instance.id, field, instance.role, instance.channel};
      entry.spec.key = group + "." + instance.id + "." + field;
      for (const auto& key : {declared.key, group + "." + instance.role + "." + field, entry.spec.key})
        if (auto applied = override_with(entry.spec, key); !applied) return applied.error();
      entry.value = entry.spec.default_value;
      service->entries_.emplace(entry.spec.key, std::move(entry));
    }
  }
  for (const auto& [key, value] : overrides.items()) {
    if (std::find(used_overrides.begin(), used_overrides.end(), key) == used_overrides.end())
      return make_error(ErrorCode::invalid_argument,
                        "device profile " + profile.name + ": override of unknown parameter " + key);
  }
  service->disable_rules_ = schema.disable_rules();
  service->order_constraints_ = schema.order_constraints();

  // The defaults must satisfy the rules, or no client could ever save the page unchanged.
  Values defaults;
  for (const auto& [key, entry] : service->entries_) defaults.emplace(key, entry.value);
  if (auto errors = service->check_rules(defaults, {}); !errors.empty())
    return make_error(ErrorCode::invalid_argument,
                      "device profile " + profile.name + " defaults break a rule: " + combine(errors).message);

  auto stored = service->store_.load();
  if (!stored) return stored.error();
  auto logger = log::get("config");
  Values loaded = defaults;
  for (const auto& [key, text] : *stored) {
    auto it = service->entries_.find(key);
    if (it == service->entries_.end()) {
      logger->warn("stored parameter {} is not declared by this firmware; ignored", key);
      continue;
    }
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    auto value = [&]() -> Result<ConfigValue> {
      if (doc.is_boolean()) return it->second.spec.coerce(doc.get<bool>());
      if (doc.is_number_integer()) return it->second.spec.coerce(doc.get<std::int64_t>());
      if (doc.is_number()) return it->second.spec.coerce(doc.get<double>());
      if (doc.is_string()) return it->second.spec.coerce(doc.get<std::string>());
      return make_error(ErrorCode::invalid_argument, key + ": stored value " + text + " is not a scalar");
    }();
    if (value) {
      if (auto valid = it->second.spec.check(*value); !valid) value = valid.error();
    }
    if (!value) {
      logger->warn("stored value of {} rejected, using the default: {}", key, value.error().message);
      continue;
    }
    loaded[key] = *value;
  }
  if (auto errors = service->check_rules(loaded, {}); !errors.empty()) {
    logger->warn("stored configuration breaks a rule, using defaults: {}", combine(errors).message);
    loaded = defaults;
  }
  for (auto& [key, entry] : service->entries_) entry.value = loaded.at(key);
  return service;
}

const ConfigService::Entry& ConfigService::entry(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw std::out_of_range("unknown configuration parameter " + std::string(key));
  return it->second;
}

const ParameterSpec* ConfigService::spec(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.spec;
}

std::vector<std::string> ConfigService::keys(std::string_view prefix) const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_)
    if (key.starts_with(prefix)) out.push_back(key);
  return out;
}

ConfigValue ConfigService::get(std::string_view key) const {
  std::shared_lock lock(mutex_);
  return entry(key).value;
}

bool ConfigService::get_bool(std::string_view key) const { return std::get<bool>(get(key)); }
std::int64_t ConfigService::get_int(std::string_view key) const { return std::get<std::int64_t>(get(key)); }
double ConfigService::get_number(std::string_view key) const { return std::get<double>(get(key)); }
std::string ConfigService::get_string(std::string_view key) const { return std::get<std::string>(get(key)); }

Resolution ConfigService::get_resolution(std::string_view key) const {
  const auto parsed = parse_resolution(get_string(key));
  if (!parsed) throw std::out_of_range(std::string(key) + " is not a resolution");
  return *parsed;
}

const DisableRule* ConfigService::disabling_rule(const Values& values, const Entry& target) const {
  for (const auto& rule : disable_rules_) {
    if (rule.group != target.group ||
        std::find(rule.disables.begin(), rule.disables.end(), target.field) == rule.disables.end())
      continue;
    bool holds = true;
    for (const auto& [field, allowed] : rule.when) {
      const auto it = values.find(target.group + "." + target.instance + "." + field);
      holds = holds && it != values.end() &&
              std::find(allowed.begin(), allowed.end(), to_string(it->second)) != allowed.end();
    }
    if (holds != rule.negate) return &rule;
  }
  return nullptr;
}

bool ConfigService::configurable(std::string_view key) const {
  std::shared_lock lock(mutex_);
  Values current;
  for (const auto& [name, item] : entries_) current.emplace(name, item.value);
  return disabling_rule(current, entry(key)) == nullptr;
}

std::vector<Error> ConfigService::check_rules(const Values& candidate, const std::vector<std::string>& changed) const {
  std::vector<Error> errors;
  for (const auto& key : changed) {
    const auto& target = entry(key);
    if (target.value == candidate.at(key)) continue;  // saving a page unchanged is always allowed
    if (const auto* rule = disabling_rule(candidate, target)) {
      std::string condition;
      for (const auto& [field, values] : rule->when) {
        const auto other_key = target.group + "." + target.instance + "." + field;
        condition += (condition.empty() ? "" : ", ") + entry(other_key).spec.label + " is " + to_string(candidate.at(other_key));
      }
      errors.push_back(make_error(ErrorCode::not_configurable, key + ": " + target.spec.label + " cannot be changed while " +
                                                                  condition + ": " + rule->because));
    }
  }
  for (const auto& constraint : order_constraints_) {
    for (const auto& [key, item] : entries_) {
      if (item.group != constraint.group || item.field != constraint.field) continue;
      if (!constraint.roles.empty() &&
          std::find(constraint.roles.begin(), constraint.roles.end(), item.role) == constraint.roles.end())
        continue;
      if (disabling_rule(candidate, item)) continue;  // a parameter not in effect constrains nothing
      std::string condition;
      for (const auto& [field, allowed] : constraint.when) {
        const auto it = candidate.find(item.group + "." + item.instance + "." + field);
        if (it == candidate.end() || std::find(allowed.begin(), allowed.end(), to_string(it->second)) == allowed.end()) {
          condition.clear();
          break;
        }
        condition += (condition.empty() ? " while " : ", ") + entry(it->first).spec.label + " is " + to_string(it->second);
      }
      if (!constraint.when.empty() && condition.empty()) continue;
      const auto& value = candidate.at(key);
      if (!constraint.at_most_value.empty()) {
        const auto bound = item.spec.parse(constraint.at_most_value);
        if (bound && !at_most(item.spec, value, *bound))
          errors.push_back(make_error(ErrorCode::out_of_range, key + ": " + item.spec.label + " (" + to_string(value) +
                                                                   ") must not be above " + constraint.at_most_value +
                                                                   condition + ": " + constraint.because));
        continue;
      }
      std::string other_key;
      if (constraint.at_most.starts_with("@main.")) {
        const auto main = main_stream_of_channel_.find(item.channel);
        if (main == main_stream_of_channel_.end() || main->second == item.instance) continue;
        other_key = item.group + "." + main->second + "." + constraint.at_most.substr(6);
      } else {
        other_key = item.group + "." + item.instance + "." + constraint.at_most;
      }
      const auto other = candidate.find(other_key);
      if (other == candidate.end()) continue;
      if (!at_most(item.spec, value, other->second))
        errors.push_back(make_error(ErrorCode::out_of_range, key + ": " + item.spec.label + " (" + to_string(value) +
                                                                 ") must not be above " + other_key + " (" +
                                                                 to_string(other->second) + "): " + constraint.because));
    }
  }
  return errors;
}

Result<void> ConfigService::set(std::string_view key, ConfigValue value) {
  return apply({{std::string(key), std::move(value)}});
}

Result<void> ConfigService::set_text(std::string_view key, std::string_view text) {
  const auto* declared = spec(key);
  if (!declared) return make_error(ErrorCode::not_found, "unknown configuration parameter " + std::string(key));
  auto value = declared->parse(text);
  if (!value) return value.error();
  return set(key, std::move(*value));
}

Result<void> ConfigService::apply(const std::vector<Change>& changes) {
  std::unique_lock lock(mutex_);
  Values candidate;
  for (const auto& [key, item] : entries_) candidate.emplace(key, item.value);
  std::vector<Error> errors;
  std::vector<std::string> changed;
  for (const auto& [key, raw] : changes) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      errors.push_back(make_error(ErrorCode::not_found, "unknown configuration parameter " + key));
      continue;
    }
    auto value = it->second.spec.coerce(raw);
    if (value) {
      if (auto valid = it->second.spec.check(*value); !valid) value = valid.error();
    }
    if (!value) {
      errors.push_back(value.error());
      continue;
    }
    if (it->second.spec.type == ParameterType::resolution)
      *value = to_string(*parse_resolution(std::get<std::string>(*value)));
    candidate[key] = std::move(*value);
    if (std::find(changed.begin(), changed.end(), key) == changed.end()) changed.push_back(key);
  }
  if (errors.empty()) errors = check_rules(candidate, changed);
  if (!errors.empty()) return combine(errors);
  return commit(std::move(candidate), changed);
}

Result<void> ConfigService::restore(RestoreMode mode) {
  std::unique_lock lock(mutex_);
  Values candidate;
  std::vector<std::string> changed;
  for (const auto& [key, item] : entries_) {
    const bool reset = mode == RestoreMode::factory_default || item.spec.on_restore == RestoreBehaviour::reset;
    candidate.emplace(key, reset ? item.spec.default_value : item.value);
    if (reset) changed.push_back(key);
  }
  // Kept parameters could in principle conflict with reset ones; the rules decide.
  if (auto errors = check_rules(candidate, {}); !errors.empty())
    return make_error(ErrorCode::internal, "restore would break a rule: " + combine(errors).message);
  return commit(std::move(candidate), changed);
}

Result<void> ConfigService::reset(std::string_view prefix) {
  std::unique_lock lock(mutex_);
  Values candidate;
  std::vector<std::string> changed;
  for (const auto& [key, item] : entries_) {
    const bool to_default = key.starts_with(prefix);
    candidate.emplace(key, to_default ? item.spec.default_value : item.value);
    if (to_default) changed.push_back(key);
  }
  if (changed.empty()) return make_error(ErrorCode::not_found, "no configuration parameter starts with " + std::string(prefix));
  if (auto errors = check_rules(candidate, {}); !errors.empty()) return combine(errors);
  return commit(std::move(candidate), changed);
}

Result<void> ConfigService::commit(Values candidate, const std::vector<std::string>& changed) {
  std::vector<std::pair<std::string, std::optional<std::string>>> rows;
  std::vector<std::string> really_changed;
  for (const auto& key : changed) {
    const auto& item = entries_.at(key);
    const auto& value = candidate.at(key);
    if (value == item.value) continue;
    really_changed.push_back(key);
    if (value == item.spec.default_value) rows.emplace_back(key, std::nullopt);
    else rows.emplace_back(key, to_json(value).dump());
  }
  if (really_changed.empty()) return {};
  if (auto written = store_.write(rows); !written) return written.error();
  for (const auto& key : really_changed) entries_.find(key)->second.value = candidate.at(key);
  if (bus_) bus_->publish(ConfigChanged{really_changed});
  return {};
}

}  // namespace camrig::core
