// The declaration of every configurable parameter, loaded from data (schema/*.json): name, type,
// default, range or list, unit, which profiles have it, what it conflicts with and whether
// Restore keeps it. Validation rules live here once; every API shares them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "device/core/config_value.hpp"
#include "device/core/result.hpp"

namespace camrig::core {

enum class ParameterType { boolean, integer, number, enumeration, text, resolution };

//! Restore resets a parameter or keeps it; Default (factory reset) resets every parameter.
enum class RestoreBehaviour { reset, keep };

struct ParameterSpec {
  //! "network.rtsp_port", or per instance with a wildcard: "stream.*.max_bitrate" (one per stream
  //! of the profile), "channel.*.image.brightness" (one per video channel).
  std::string key;
  //! The manual's words, used in messages: "Max. Bitrate".
  std::string label;
  ParameterType type = ParameterType::text;
  ConfigValue default_value;
  std::optional<double> min;
  std::optional<double> max;
  //! enumeration: the allowed values; resolution: the allowed sizes.
  std::vector<std::string> values;
  std::string unit;
  //! Profiles that have this parameter; empty means all.
  std::vector<std::string> profiles;
  //! Instance roles that have this parameter ("custom": custom streams only); empty means all.
  std::vector<std::string> roles;
  RestoreBehaviour on_restore = RestoreBehaviour::reset;
  std::size_t max_length = 0;
  std::string forbidden_characters;

  bool in_profile(std::string_view profile) const;
  //! Narrows the spec with a profile override {"default", "min", "max", "values"}.
  Result<void> apply_override(const nlohmann::json& override_doc);
  //! Converts a value of a compatible type (an integer given for a number, ...) or explains why not.
  Result<ConfigValue> coerce(const ConfigValue& value) const;
  //! Parses the text form used by HTTP APIs and command lines.
  Result<ConfigValue> parse(std::string_view text) const;
  //! Range, list and length checks.
  Result<void> check(const ConfigValue& value) const;
};

//! While the fields in `when` hold one of the listed values (or, with `negate`, none of them),
//! the fields in `disables` are not configurable: a change to them is refused with `because`.
struct DisableRule {
  std::string group;  //!< "stream": fields are of the same stream instance
  std::map<std::string, std::vector<std::string>> when;
  bool negate = false;
  std::vector<std::string> disables;
  std::string because;
};

//! `field` must not be above `at_most` (numbers, or resolutions by width and height).
//! "@main.<field>" names the field of the main stream of the same channel; `at_most_value` is a
//! fixed bound instead ("2040x2040"). With `when`, the constraint holds only while the instance's
//! fields have one of the listed values (e.g. Video Encoding MJPEG).
struct OrderConstraint {
  std::string group;
  std::vector<std::string> roles;  //!< empty: every instance
  std::string field;
  std::string at_most;
  std::string at_most_value;
  std::map<std::string, std::vector<std::string>> when;
  std::string because;
};

class ConfigSchema {
 public:
  static Result<ConfigSchema> parse(std::string_view json_text, std::string_view source_name);
  //! Every schema file compiled into the firmware, merged.
  static Result<ConfigSchema> builtin();

  //! Adds another file's declarations; a key declared twice is an error.
  Result<void> merge(ConfigSchema other);

  const std::vector<ParameterSpec>& parameters() const { return parameters_; }
  const std::vector<DisableRule>& disable_rules() const { return disable_rules_; }
  const std::vector<OrderConstraint>& order_constraints() const { return order_constraints_; }

 private:
  std::vector<ParameterSpec> parameters_;
  std::vector<DisableRule> disable_rules_;
  std::vector<OrderConstraint> order_constraints_;
};

std::string_view to_string(ParameterType type);

}  // namespace camrig::core
