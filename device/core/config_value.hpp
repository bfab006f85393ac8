// The value of one configuration parameter, and the resolution type shared by stream settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

namespace camrig::core {

using ConfigValue = std::variant<bool, std::int64_t, double, std::string>;

std::string to_string(const ConfigValue& value);
nlohmann::json to_json(const ConfigValue& value);

struct Resolution {
  int width = 0;
  int height = 0;
  std::int64_t pixels() const { return static_cast<std::int64_t>(width) * height; }
  friend bool operator==(const Resolution&, const Resolution&) = default;
};

//! Parses "1920x1080" (also "1920*1080", as the LPR manual writes it).
std::optional<Resolution> parse_resolution(std::string_view text);
std::string to_string(const Resolution& resolution);

}  // namespace camrig::core
