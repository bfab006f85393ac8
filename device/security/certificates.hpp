// Certificate management: the HTTPS server's key and certificate (a self-signed one, EC P-256,
// made on first start with CN = device name), certificate requests (CSR) with a new key, import
// of the signed certificate (it must match that key) and of CA certificates (16 at most), and
// what each certificate says (subject, issuer, validity). Kept as PEM files in the data directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::security {

struct CertificateInfo {
  std::string id;       //!< "server", or the CA certificate's id
  std::string subject;  //!< "CN=IP CAMERA"
  std::string issuer;
  std::string serial_number;  //!< hex
  hal::WallTime not_before{};
  hal::WallTime not_after{};
  bool self_signed = false;
  //! Whole days from device time to not_after; negative once expired (0 from describe_certificate).
  std::int64_t days_to_expiry = 0;
};

class CertificateStore {
 public:
  static constexpr std::size_t k_max_certificates = 16;
  static constexpr int k_default_validity_days = 3650;

  //! Loads the server key and certificate from `directory` (empty: memory only), creating a
  //! self-signed certificate for `common_name` when there is none.
  static Result<std::unique_ptr<CertificateStore>> open(std::string directory, const std::string& common_name,
                                                        hal::Clock& clock);

  //! Replaces the server key and certificate; validity 1–3650 days.
  Result<void> create_self_signed(const std::string& common_name, int validity_days);
  //! A PEM certificate request for `common_name` with a new key, kept until its certificate is imported.
  Result<std::string> create_request(const std::string& common_name);
  //! Installs a signed server certificate (PEM, optionally followed by its chain); it must match
  //! the key of the pending request or the current key.
  Result<void> import_server_certificate(const std::string& pem);
  //! Adds a CA certificate under `id` (letters and digits, at most 64).
  Result<void> import_ca_certificate(const std::string& id, const std::string& pem);

  CertificateInfo server_info() const;
  std::vector<CertificateInfo> ca_info() const;
  //! What the TLS context loads.
  std::string server_key_pem() const;
  std::string server_chain_pem() const;

  ~CertificateStore();
  CertificateStore(const CertificateStore&) = delete;
  CertificateStore& operator=(const CertificateStore&) = delete;

 private:
  struct Material;
  CertificateStore(std::string directory, hal::Clock& clock);
  Result<void> save(const std::string& name, const std::string& text) const;

  std::string directory_;
  hal::Clock& clock_;
  mutable std::mutex mutex_;
  std::unique_ptr<Material> material_;
};

//! The info of a PEM certificate; an error when it is not one.
Result<CertificateInfo> describe_certificate(const std::string& pem);

}  // namespace camrig::security
