// camrig: the command line. A thin composition root; the work is in device/, sim/ and app/*_command.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/conform_command.hpp"
#include "app/device_command.hpp"
#include "app/firmware_command.hpp"
#include "app/run_command.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/log.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"camrig: a network-camera firmware on a simulated world or bench hardware, with its test bench"};
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may follow the subcommand too
  std::string log_level = "info";
  auto* log_level_option = app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off (run: warn)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  camrig::app::DeviceCommandOptions device;
  camrig::app::add_device_command(app, device);
  camrig::app::FirmwareCommandOptions firmware_options;
  auto* firmware = camrig::app::add_firmware_command(app, firmware_options);
  camrig::app::RunCommandOptions run_options;
  auto* run = camrig::app::add_run_command(app, run_options);
  camrig::app::ConformCommandOptions conform_options;
  auto* conform = camrig::app::add_conform_command(app, conform_options);
  auto* version = app.add_subcommand("version", "Print the firmware version, the built-in device profiles and front-ends");

  CLI11_PARSE(app, argc, argv);
  // A run prints its own progress; the device's info lines would bury it.
  camrig::log::set_level(app.got_subcommand(run) && log_level_option->count() == 0 ? "warn" : log_level);

  if (app.got_subcommand(version)) {
    std::cout << "camrig " << camrig::firmware_version << " (built " << camrig::firmware_build << ")\nprofiles:";
    for (const auto& name : camrig::core::DeviceProfile::builtin_names()) std::cout << " " << name;
    std::cout << "\nfront-ends: RTSP, ISAPI, LPR push API"
              << (CAMRIG_ONVIF ? ", ONVIF\n" : " (built without ONVIF: CAMRIG_ONVIF=OFF)\n");
    return 0;
  }
  if (app.got_subcommand(run)) {
    std::string command_line = "camrig";
    for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
    return camrig::app::run_run_command(run_options, command_line);
  }
  if (app.got_subcommand(conform)) {
    std::string command_line = "camrig";
    for (int i = 1; i < argc; ++i) command_line += std::string(" ") + (std::string(argv[i - 1]) == "--password" ? "***" : argv[i]);
    return camrig::app::run_conform_command(conform_options, command_line);
  }
  if (app.got_subcommand(firmware)) return camrig::app::run_firmware_command(*firmware, firmware_options);
  return camrig::app::run_device_command(device);
}
