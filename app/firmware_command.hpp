// `camrig firmware pack|verify`: builds firmware upgrade packages in camrig's signed format
// (device/system/firmware_package.hpp) and checks them as a device would.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace camrig::app {

struct FirmwareCommandOptions {
  std::string key;      //!< pack: PEM private key; verify: PEM public key (default: the built-in one)
  std::string model;
  std::string version;
  std::string payload;  //!< file with the image
  std::string output;
  std::string package;  //!< verify: the package file
};

//! Adds the subcommand; returns it so main can tell whether it was chosen.
CLI::App* add_firmware_command(CLI::App& app, FirmwareCommandOptions& options);
int run_firmware_command(const CLI::App& firmware, const FirmwareCommandOptions& options);

}  // namespace camrig::app
