# Every third-party library comes from Debian packages (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)

# Boost.Asio and Beast are compiled once, in camrig_boost_asio (cmake/boost_asio.cpp), not in each
# source that includes them. Every target links it instead of Boost::boost.
add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION)
add_library(camrig_boost_asio STATIC ${CMAKE_CURRENT_LIST_DIR}/boost_asio.cpp)
target_link_libraries(camrig_boost_asio PUBLIC Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
set_target_properties(camrig_boost_asio PROPERTIES UNITY_BUILD OFF)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavcodec libavformat libavutil libswscale)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
