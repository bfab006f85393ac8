#include "device/core/config_schema.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <set>

#include "device/core/embedded_files.hpp"
#include "device/core/text.hpp"

namespace camrig::core {
namespace {

std::string number_text(double value) {
  if (std::floor(value) == value && std::abs(value) < 1e15) return std::to_string(static_cast<std::int64_t>(value));
  return nlohmann::json(value).dump();
}

std::optional<ParameterType> parse_type(std::string_view name) {
  static const std::pair<std::string_view, ParameterType> k_types[] = {
      {"boolean", ParameterType::boolean}, {"integer", ParameterType::integer},
      {"number", ParameterType::number},   {"enum", ParameterType::enumeration},
      {"text", ParameterType::text},       {"resolution", ParameterType::resolution}};
  for (const auto& [text, type] : k_types)
    if (text == name) return type;
  return std::nullopt;
}

Error schema_error(std::string_view source, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "config schema " + std::string(source) + ": " + what);
}

}  // namespace

std::string_view to_string(ParameterType type) {
  switch (type) {
    case ParameterType::boolean: return "boolean";
    case ParameterType::integer: return "integer";
    case ParameterType::number: return "number";
    case ParameterType::enumeration: return "enum";
    case ParameterType::text: return "text";
    case ParameterType::resolution: return "resolution";
  }
  return "unknown";
}

bool ParameterSpec::in_profile(std::string_view profile) const {
  return profiles.empty() || std::find(profiles.begin(), profiles.end(), profile) != profiles.end();
}

Result<ConfigValue> ParameterSpec::coerce(const ConfigValue& value) const {
  const auto wrong_type = [&] {
    return make_error(ErrorCode::invalid_argument,
                      key + ": " + label + " must be " + std::string(type == ParameterType::integer ? "an " : "a ") +
                          std::string(to_string(type)) + " (got " + to_string(value) + ")");
  };
  switch (type) {
    case ParameterType::boolean:
      if (std::holds_alternative<bool>(value)) return value;
      return wrong_type();
    case ParameterType::integer:
      if (std::holds_alternative<std::int64_t>(value)) return value;
      if (const auto* real = std::get_if<double>(&value); real && std::floor(*real) == *real && std::abs(*real) < 9e15)
        return ConfigValue{static_cast<std::int64_t>(*real)};
      return wrong_type();
    case ParameterType::number:
      if (std::holds_alternative<double>(value)) return value;
      if (const auto* integer = std::get_if<std::int64_t>(&value)) return ConfigValue{static_cast<double>(*integer)};
      return wrong_type();
    case ParameterType::enumeration:
    case ParameterType::text:
    case ParameterType::resolution:
      if (std::holds_alternative<std::string>(value)) return value;
      return wrong_type();
  }
  return wrong_type();
}

Result<ConfigValue> ParameterSpec::parse(std::string_view text) const {
  switch (type) {
    case ParameterType::boolean:
      if (text == "true") return ConfigValue{true};
      if (text == "false") return ConfigValue{false};
      return make_error(ErrorCode::invalid_argument, key + ": " + label + " must be true or false (got " + std::string(text) + ")");
    case ParameterType::integer: {
      std::int64_t parsed = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return make_error(ErrorCode::invalid_argument, key + ": " + label + " must be an integer (got " + std::string(text) + ")");
      return ConfigValue{parsed};
    }
    case ParameterType::number: {
      const auto doc = nlohmann::json::parse(text, nullptr, false);
      if (doc.is_discarded() || !doc.is_number())
        return make_error(ErrorCode::invalid_argument, key + ": " + label + " must be a number (got " + std::string(text) + ")");
      return ConfigValue{doc.get<double>()};
    }
    case ParameterType::enumeration:
    case ParameterType::text:
    case ParameterType::resolution:
      return ConfigValue{std::string(text)};
  }
  return make_error(ErrorCode::internal, key + ": unknown type");
}

Result<void> ParameterSpec::check(const ConfigValue& value) const {
  const auto range_text = [&] {
    std::string text;
    if (min && max) text = "between " + number_text(*min) + " and " + number_text(*max);
    else if (min) text = "at least " + number_text(*min);
    else text = "at most " + number_text(*max);
    return unit.empty() ? text : text + " " + unit;
  };
  switch (type) {
    case ParameterType::integer:
    case ParameterType::number: {
      const double number = std::holds_alternative<std::int64_t>(value)
                                ? static_cast<double>(std::get<std::int64_t>(value))
                                : std::get<double>(value);
      if ((min && number < *min) || (max && number > *max))
        return make_error(ErrorCode::out_of_range,
                          key + ": " + label + " must be " + range_text() + " (got " + to_string(value) + ")");
      break;
    }
    case ParameterType::enumeration: {
      const auto& text = std::get<std::string>(value);
      if (std::find(values.begin(), values.end(), text) == values.end())
        return make_error(ErrorCode::out_of_range,
                          key + ": " + label + " must be one of " + text::join(values, ", ") + " (got " + text + ")");
      break;
    }
    case ParameterType::resolution: {
      const auto& text = std::get<std::string>(value);
      const auto parsed = parse_resolution(text);
      if (!parsed)
        return make_error(ErrorCode::invalid_argument,
                          key + ": " + label + " must be WIDTHxHEIGHT, e.g. 1920x1080 (got " + text + ")");
      const auto normalised = to_string(*parsed);
      if (!values.empty() && std::find(values.begin(), values.end(), normalised) == values.end())
        return make_error(ErrorCode::out_of_range,
                          key + ": " + label + " must be one of " + text::join(values, ", ") + " (got " + text + ")");
      break;
    }
    case ParameterType::text: {
      const auto& text = std::get<std::string>(value);
      if (max_length && text.size() > max_length)
        return make_error(ErrorCode::out_of_range, key + ": " + label + " must be at most " +
                                                       std::to_string(max_length) + " characters (got " +
                                                       std::to_string(text.size()) + ")");
      const auto bad = text.find_first_of(forbidden_characters);
      if (!forbidden_characters.empty() && bad != std::string::npos) {
        std::string listed;
        for (char c : forbidden_characters) listed += std::string(listed.empty() ? "" : " ") + c;
        return make_error(ErrorCode::invalid_argument, key + ": " + label + " must not contain any of " + listed +
                                                           " (found '" + text[bad] + "')");
      }
      break;
    }
    case ParameterType::boolean: break;
  }
  return {};
}

Result<void> ParameterSpec::apply_override(const nlohmann::json& doc) {
  if (!doc.is_object()) return make_error(ErrorCode::invalid_argument, key + ": override must be an object");
  for (const auto& [field, value] : doc.items()) {
    if (field == "min" && value.is_number()) min = value.get<double>();
    else if (field == "max" && value.is_number()) max = value.get<double>();
    else if (field == "values" && value.is_array()) values = value.get<std::vector<std::string>>();
    else if (field == "default") {
      ConfigValue raw;
      if (value.is_boolean()) raw = value.get<bool>();
      else if (value.is_number_integer()) raw = value.get<std::int64_t>();
      else if (value.is_number()) raw = value.get<double>();
      else if (value.is_string()) raw = value.get<std::string>();
      else return make_error(ErrorCode::invalid_argument, key + ": default has an unsupported JSON type");
      auto coerced = coerce(raw);
      if (!coerced) return coerced.error();
      default_value = std::move(*coerced);
    } else {
      return make_error(ErrorCode::invalid_argument, key + ": unknown override field '" + field + "'");
    }
  }
  if (auto valid = check(default_value); !valid)
    return make_error(ErrorCode::invalid_argument, "default does not satisfy its own rules: " + valid.error().message);
  return {};
}

Result<ConfigSchema> ConfigSchema::parse(std::string_view json_text, std::string_view source) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return schema_error(source, "not a JSON object");
  ConfigSchema schema;
  try {
    for (const auto& entry : doc.at("parameters")) {
      ParameterSpec spec;
      spec.key = entry.at("key").get<std::string>();
      spec.label = entry.at("label").get<std::string>();
      const auto type = parse_type(entry.at("type").get<std::string>());
      if (!type) return schema_error(source, spec.key + ": unknown type " + entry.at("type").dump());
      spec.type = *type;
      if (entry.contains("min")) spec.min = entry.at("min").get<double>();
      if (entry.contains("max")) spec.max = entry.at("max").get<double>();
      spec.values = entry.value("values", std::vector<std::string>{});
      spec.unit = entry.value("unit", "");
      spec.profiles = entry.value("profiles", std::vector<std::string>{});
      spec.roles = entry.value("roles", std::vector<std::string>{});
      const auto restore = entry.value("on_restore", "reset");
      if (restore != "reset" && restore != "keep")
        return schema_error(source, spec.key + ": on_restore must be reset or keep");
      spec.on_restore = restore == "keep" ? RestoreBehaviour::keep : RestoreBehaviour::reset;
      spec.max_length = entry.value("max_length", std::size_t{0});
      spec.forbidden_characters = entry.value("forbidden_characters", "");
      if (spec.type == ParameterType::enumeration && spec.values.empty())
        return schema_error(source, spec.key + ": an enum needs values");
      if (auto applied = spec.apply_override({{"default", entry.at("default")}}); !applied)
        return schema_error(source, applied.error().message);
      schema.parameters_.push_back(std::move(spec));
    }
    for (const auto& entry : doc.value("rules", nlohmann::json::array())) {
      if (entry.contains("disables")) {
        DisableRule rule;
        rule.group = entry.at("group").get<std::string>();
        rule.negate = entry.contains("unless");
        rule.when = entry.at(rule.negate ? "unless" : "when").get<std::map<std::string, std::vector<std::string>>>();
        rule.disables = entry.at("disables").get<std::vector<std::string>>();
        rule.because = entry.at("because").get<std::string>();
        schema.disable_rules_.push_back(std::move(rule));
      } else {
        OrderConstraint constraint;
        constraint.group = entry.at("group").get<std::string>();
        constraint.roles = entry.value("roles", std::vector<std::string>{});
        constraint.field = entry.at("field").get<std::string>();
        constraint.at_most = entry.value("at_most", "");
        constraint.at_most_value = entry.value("at_most_value", "");
        if (constraint.at_most.empty() == constraint.at_most_value.empty())
          return schema_error(source, "rule on " + constraint.field + ": needs exactly one of at_most and at_most_value");
        constraint.when = entry.value("when", std::map<std::string, std::vector<std::string>>{});
        constraint.because = entry.at("because").get<std::string>();
        schema.order_constraints_.push_back(std::move(constraint));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return schema_error(source, e.what());
  }
  return schema;
}

Result<ConfigSchema> ConfigSchema::builtin() {
  ConfigSchema all;
  for (const auto name : schema::embedded_file_names()) {
    auto part = parse(schema::embedded_file(name), name);
    if (!part) return part.error();
    if (auto merged = all.merge(std::move(*part)); !merged) return merged.error();
  }
  return all;
}

Result<void> ConfigSchema::merge(ConfigSchema other) {
  std::set<std::string> known;
  for (const auto& spec : parameters_) known.insert(spec.key);
  for (auto& spec : other.parameters_) {
    if (!known.insert(spec.key).second)
      return make_error(ErrorCode::already_exists, "config schema: parameter " + spec.key + " is declared twice");
    parameters_.push_back(std::move(spec));
  }
  for (auto& rule : other.disable_rules_) disable_rules_.push_back(std::move(rule));
  for (auto& constraint : other.order_constraints_) order_constraints_.push_back(std::move(constraint));
  return {};
}

}  // namespace camrig::core
