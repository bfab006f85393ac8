// Data files compiled into the firmware (cmake/embed_file.cmake): config schema and profiles.
#pragma once

#include <string_view>
#include <vector>

namespace camrig::core::schema {
std::string_view embedded_file(std::string_view name);
std::vector<std::string_view> embedded_file_names();
}  // namespace camrig::core::schema

namespace camrig::core::profiles {
std::string_view embedded_file(std::string_view name);
std::vector<std::string_view> embedded_file_names();
}  // namespace camrig::core::profiles
