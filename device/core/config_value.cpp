#include "device/core/config_value.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace camrig::core {

std::string to_string(const ConfigValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>) return v;
        else if constexpr (std::is_same_v<T, double>) return nlohmann::json(v).dump();
        else return std::to_string(v);
      },
      value);
}

nlohmann::json to_json(const ConfigValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

std::optional<Resolution> parse_resolution(std::string_view text) {
  const auto separator = text.find_first_of("x*");
  if (separator == std::string_view::npos) return std::nullopt;
  Resolution result;
  const auto width = text.substr(0, separator);
  const auto height = text.substr(separator + 1);
  auto parse = [](std::string_view digits, int& out) {
    if (digits.empty()) return false;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return error == std::errc() && end == digits.data() + digits.size() && out > 0 && out <= 16384;
  };
  if (!parse(width, result.width) || !parse(height, result.height)) return std::nullopt;
  return result;
}

std::string to_string(const Resolution& resolution) {
  return std::to_string(resolution.width) + "x" + std::to_string(resolution.height);
}

}  // namespace camrig::core
