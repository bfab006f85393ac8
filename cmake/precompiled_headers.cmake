# The third-party headers most camrig sources include — the standard containers, fmt and spdlog
# (every logger), nlohmann::json, pugixml and Beast's HTTP messages (every router handler) —
# precompiled once and reused by every camrig library and the camrig program. Parsing them took
# about a third of a fresh build, once per source file.
#
# GCC takes a precompiled header only where the macros it was built with are the same, so every
# target that reuses it also gets the libraries' usage requirements (camrig_common_headers).
# Targets with a precompiled header of their own (the ONVIF libraries' soapH.h), targets built with
# other macros (DISABLE_PRECOMPILE_HEADERS set) and the tests go without it. CAMRIG_PCH=OFF builds
# without it, to check that each source includes what it uses.
option(CAMRIG_PCH "Precompile the common third-party headers for the camrig libraries" ON)

find_package(pugixml REQUIRED)
add_library(camrig_common_headers INTERFACE)
target_link_libraries(camrig_common_headers INTERFACE spdlog::spdlog nlohmann_json::nlohmann_json pugixml::pugixml
                                                      camrig_boost_asio)

# Every library and executable target defined under `directory`, its subdirectories included.
function(camrig_targets_under directory out)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    camrig_targets_under(${subdirectory} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Call once every target exists: gives the shared header to each camrig library under the given
# directories and to the camrig program.
function(camrig_precompile_common_headers)
  if(NOT CAMRIG_PCH)
    return()
  endif()
  add_library(camrig_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/precompiled_headers.cpp)
  target_link_libraries(camrig_pch PRIVATE camrig_common_headers camrig_warnings)
  target_precompile_headers(camrig_pch PRIVATE
    <algorithm> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional> <string> <string_view> <vector>
    <fmt/format.h> <spdlog/spdlog.h> <nlohmann/json.hpp> <pugixml.hpp> <boost/beast/http.hpp>)
  foreach(directory IN LISTS ARGN)
    camrig_targets_under(${PROJECT_SOURCE_DIR}/${directory} targets)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      get_target_property(own ${target} PRECOMPILE_HEADERS)
      get_target_property(disabled ${target} DISABLE_PRECOMPILE_HEADERS)
      if(NOT own AND NOT disabled AND (type STREQUAL "STATIC_LIBRARY" OR target STREQUAL "camrig"))
        target_link_libraries(${target} PRIVATE camrig_common_headers)
        target_precompile_headers(${target} REUSE_FROM camrig_pch)
      endif()
    endforeach()
  endforeach()
endfunction()
