// Firmware upgrade packages in camrig's own format, signed with Ed25519 (or RSA with SHA-256) and
// checked against the public key the device trusts. Layout, integers big-endian:
//   "CRFW" | format 1 (1 byte) | model length (1) | model | version length (1) | version
//   | payload length (8) | payload | signature length (2) | signature
// The signature covers every byte before the signature length.
#pragma once

#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::system {

struct FirmwarePackage {
  std::string model;    //!< the device model it is built for: "CR-LPR4026"
  std::string version;  //!< shown as firmwareVersion once installed
  std::string payload;  //!< the image itself
};

//! The public key built into this firmware (CMake CAMRIG_FIRMWARE_PUBLIC_KEY), PEM.
std::string_view builtin_firmware_public_key();

//! Builds and signs a package with a PEM private key (Ed25519 or RSA).
Result<std::string> pack_firmware(const FirmwarePackage& package, std::string_view private_key_pem);
//! Parses a package and checks its signature against `public_key_pem` and its model against
//! `device_model`; the error says which check failed.
Result<FirmwarePackage> verify_firmware(std::string_view bytes, std::string_view public_key_pem,
                                        std::string_view device_model);

}  // namespace camrig::system
