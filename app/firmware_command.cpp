#include "app/firmware_command.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "device/system/firmware_package.hpp"

namespace camrig::app {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

CLI::App* add_firmware_command(CLI::App& app, FirmwareCommandOptions& options) {
  auto* firmware = app.add_subcommand("firmware", "Build and check signed firmware upgrade packages");
  firmware->require_subcommand(1);
  auto* pack = firmware->add_subcommand("pack", "Sign an image into a package for PUT /ISAPI/System/updateFirmware");
  pack->add_option("--key", options.key, "PEM private key (Ed25519 or RSA)")->required()->check(CLI::ExistingFile);
  pack->add_option("--model", options.model, "Device model the package is for, e.g. CR-LPR4026")->required();
  pack->add_option("--version", options.version, "Firmware version it installs, e.g. V5.7.3 build 260101")->required();
  pack->add_option("--payload", options.payload, "File with the firmware image")->required()->check(CLI::ExistingFile);
  pack->add_option("--output", options.output, "Package file to write")->required();
  auto* verify = firmware->add_subcommand("verify", "Check a package's signature and model as the device does");
  verify->add_option("package", options.package, "Package file")->required()->check(CLI::ExistingFile);
  verify->add_option("--model", options.model, "Device model to check against")->required();
  verify->add_option("--key", options.key, "PEM public key (default: the key built into this firmware)")
      ->check(CLI::ExistingFile);
  return firmware;
}

int run_firmware_command(const CLI::App& firmware, const FirmwareCommandOptions& options) {
  if (firmware.got_subcommand("pack")) {
    const auto key = read_file(options.key);
    const auto payload = read_file(options.payload);
    if (!key || !payload) {
      std::cerr << "camrig firmware pack: cannot read " << (key ? options.payload : options.key) << "\n";
      return 2;
    }
    auto package = system::pack_firmware({options.model, options.version, *payload}, *key);
    if (!package) {
      std::cerr << "camrig firmware pack: " << package.error().message << "\n";
      return 1;
    }
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    out.write(package->data(), static_cast<std::streamsize>(package->size()));
    if (!out) {
      std::cerr << "camrig firmware pack: cannot write " << options.output << "\n";
      return 1;
    }
    std::cout << options.output << ": " << options.model << " " << options.version << ", " << package->size() << " bytes\n";
    return 0;
  }
  const auto package = read_file(options.package);
  std::optional<std::string> key = options.key.empty() ? std::optional<std::string>(std::string(system::builtin_firmware_public_key()))
                                                       : read_file(options.key);
  if (!package || !key) {
    std::cerr << "camrig firmware verify: cannot read " << (package ? options.key : options.package) << "\n";
    return 2;
  }
  auto verified = system::verify_firmware(*package, *key, options.model);
  if (!verified) {
    std::cerr << "camrig firmware verify: " << verified.error().message << "\n";
    return 1;
  }
  std::cout << options.package << ": valid, " << verified->model << " " << verified->version << ", "
            << verified->payload.size() << " byte image\n";
  return 0;
}

}  // namespace camrig::app
