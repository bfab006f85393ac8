#include "device/security/certificates.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "device/core/log.hpp"

namespace camrig::security {
namespace {

struct Free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
  void operator()(X509_REQ* request) const { X509_REQ_free(request); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertificatePtr = std::unique_ptr<X509, Free>;
using RequestPtr = std::unique_ptr<X509_REQ, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

std::string openssl_error() {
  const auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string certificate_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  return bio_text(bio.get());
}

KeyPtr read_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

CertificatePtr read_certificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return CertificatePtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return bio_text(bio.get());
}

hal::WallTime wall_time_of(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

KeyPtr new_key() { return KeyPtr(EVP_EC_gen("P-256")); }

Result<X509_NAME*> subject_name(X509_NAME* name, const std::string& common_name) {
  if (common_name.empty() || common_name.size() > 64)
    return make_error(ErrorCode::invalid_argument, "the certificate's common name must be 1-64 characters");
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                 -1, -1, 0) != 1)
    return make_error(ErrorCode::invalid_argument, "the common name '" + common_name + "' is not valid: " + openssl_error());
  return name;
}

Result<CertificatePtr> self_signed(EVP_PKEY* key, const std::string& common_name, int validity_days, hal::WallTime now) {
  CertificatePtr certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get()));
  BN_free(number);
  // Validity starts an hour early so that a client whose clock is slightly behind accepts it.
  std::time_t start = std::chrono::system_clock::to_time_t(now);
  X509_time_adj_ex(X509_getm_notBefore(certificate.get()), 0, -3600, &start);
  X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validity_days, 0, &start);
  if (auto name = subject_name(X509_get_subject_name(certificate.get()), common_name); !name) return name.error();
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get()));
  X509_set_pubkey(certificate.get(), key);
  // Clients match the host against the subject alternative name, not the common name.
  in6_addr ip{};
  const bool is_ip = inet_pton(AF_INET, common_name.c_str(), &ip) == 1 || inet_pton(AF_INET6, common_name.c_str(), &ip) == 1;
  const auto alt_name = (is_ip ? "IP:" : "DNS:") + common_name;
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  if (X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, alt_name.c_str())) {
    X509_add_ext(certificate.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  ERR_clear_error();  // a name that is not a valid DNS name just goes without the extension
  if (X509_sign(certificate.get(), key, EVP_sha256()) <= 0)
    return make_error(ErrorCode::internal, "signing the self-signed certificate failed: " + openssl_error());
  return certificate;
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

}  // namespace

struct CertificateStore::Material {
  KeyPtr key;
  std::string chain_pem;  //!< server certificate first, then what came with it
  KeyPtr request_key;
  std::map<std::string, std::string> ca_pems;
};

Result<CertificateInfo> describe_certificate(const std::string& pem) {
  auto certificate = read_certificate(pem);
  if (!certificate) return make_error(ErrorCode::invalid_argument, "not a PEM certificate: " + openssl_error());
  CertificateInfo info;
  info.subject = name_text(X509_get_subject_name(certificate.get()));
  info.issuer = name_text(X509_get_issuer_name(certificate.get()));
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate.get()), nullptr);
  char* hex = BN_bn2hex(number);
  info.serial_number = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(number);
  info.not_before = wall_time_of(X509_get0_notBefore(certificate.get()));
  info.not_after = wall_time_of(X509_get0_notAfter(certificate.get()));
  info.self_signed = X509_check_issued(certificate.get(), certificate.get()) == X509_V_OK;
  return info;
}

CertificateStore::CertificateStore(std::string directory, hal::Clock& clock)
    : directory_(std::move(directory)), clock_(clock), material_(std::make_unique<Material>()) {}

CertificateStore::~CertificateStore() = default;

Result<std::unique_ptr<CertificateStore>> CertificateStore::open(std::string directory, const std::string& common_name,
                                                                 hal::Clock& clock) {
  std::unique_ptr<CertificateStore> store(new CertificateStore(std::move(directory), clock));
  if (!store->directory_.empty()) {
    const std::filesystem::path root(store->directory_);
    std::error_code ec;
    std::filesystem::create_directories(root / "ca", ec);
    if (ec) return make_error(ErrorCode::io_error, "cannot create certificate directory " + root.string() + ": " + ec.message());
    const auto key = read_file(root / "server.key");
    const auto chain = read_file(root / "server.crt");
    if (key && chain) {
      store->material_->key = read_key(*key);
      auto certificate = read_certificate(*chain);
      if (store->material_->key && certificate && X509_check_private_key(certificate.get(), store->material_->key.get()) == 1)
        store->material_->chain_pem = *chain;
      else
        log::get("security")->warn("the stored server certificate in {} is unusable; making a new self-signed one",
                                   root.string());
    }
    if (auto request = read_file(root / "request.key")) store->material_->request_key = read_key(*request);
    for (const auto& file : std::filesystem::directory_iterator(root / "ca", ec))
      if (file.path().extension() == ".crt")
        if (auto pem = read_file(file.path())) store->material_->ca_pems[file.path().stem().string()] = *pem;
  }
  if (store->material_->chain_pem.empty())
    if (auto made = store->create_self_signed(common_name, k_default_validity_days); !made) return made.error();
  return store;
}

Result<void> CertificateStore::save(const std::string& name, const std::string& text) const {
  if (directory_.empty()) return {};
  const auto path = std::filesystem::path(directory_) / name;
  const auto temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + temporary);
  }
  std::error_code ec;
  std::filesystem::permissions(temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot store " + path.string() + ": " + ec.message());
  return {};
}

Result<void> CertificateStore::create_self_signed(const std::string& common_name, int validity_days) {
  if (validity_days < 1 || validity_days > 3650)
    return make_error(ErrorCode::out_of_range, "the validity must be 1-3650 days (got " + std::to_string(validity_days) + ")");
  auto key = new_key();
  if (!key) return make_error(ErrorCode::internal, "cannot make an EC P-256 key: " + openssl_error());
  auto certificate = self_signed(key.get(), common_name, validity_days, clock_.wall_time());
  if (!certificate) return certificate.error();
  const auto chain = certificate_pem(certificate->get());
  std::lock_guard lock(mutex_);
  if (auto saved = save("server.key", key_pem(key.get())); !saved) return saved;
  if (auto saved = save("server.crt", chain); !saved) return saved;
  material_->key = std::move(key);
  material_->chain_pem = chain;
  return {};
}

Result<std::string> CertificateStore::create_request(const std::string& common_name) {
  auto key = new_key();
  if (!key) return make_error(ErrorCode::internal, "cannot make an EC P-256 key: " + openssl_error());
  RequestPtr request(X509_REQ_new());
  X509_REQ_set_version(request.get(), 0);
  X509_NAME* name = X509_NAME_new();
  auto filled = subject_name(name, common_name);
  if (filled) X509_REQ_set_subject_name(request.get(), name);
  X509_NAME_free(name);
  if (!filled) return filled.error();
  X509_REQ_set_pubkey(request.get(), key.get());
  if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0)
    return make_error(ErrorCode::internal, "signing the certificate request failed: " + openssl_error());
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), request.get());
  std::lock_guard lock(mutex_);
  if (auto saved = save("request.key", key_pem(key.get())); !saved) return saved.error();
  material_->request_key = std::move(key);
  return bio_text(bio.get());
}

Result<void> CertificateStore::import_server_certificate(const std::string& pem) {
  auto certificate = read_certificate(pem);
  if (!certificate) return make_error(ErrorCode::invalid_argument, "the server certificate is not a PEM certificate");
  std::lock_guard lock(mutex_);
  const bool for_request =
      material_->request_key && X509_check_private_key(certificate.get(), material_->request_key.get()) == 1;
  ERR_clear_error();
  const bool for_current = !for_request && X509_check_private_key(certificate.get(), material_->key.get()) == 1;
  ERR_clear_error();
  if (!for_request && !for_current)
    return make_error(ErrorCode::invalid_argument,
                      "the certificate does not match the device's key: sign the device's latest certificate request");
  if (for_request) {
    if (auto saved = save("server.key", key_pem(material_->request_key.get())); !saved) return saved;
  }
  if (auto saved = save("server.crt", pem); !saved) return saved;
  if (for_request) {
    material_->key = std::move(material_->request_key);
    if (!directory_.empty()) {
      std::error_code ec;
      std::filesystem::remove(std::filesystem::path(directory_) / "request.key", ec);
    }
  }
  material_->chain_pem = pem;
  return {};
}

Result<void> CertificateStore::import_ca_certificate(const std::string& id, const std::string& pem) {
  if (!valid_id(id)) return make_error(ErrorCode::invalid_argument, "a certificate id is 1-64 letters or digits (got '" + id + "')");
  auto info = describe_certificate(pem);
  if (!info) return info.error();
  std::lock_guard lock(mutex_);
  if (material_->ca_pems.contains(id) || id == "server")
    return make_error(ErrorCode::already_exists, "a certificate with id '" + id + "' exists");
  if (material_->ca_pems.size() + 1 >= k_max_certificates)
    return make_error(ErrorCode::out_of_range, "up to " + std::to_string(k_max_certificates) + " certificates are allowed");
  for (const auto& [other, text] : material_->ca_pems)
    if (text == pem) return make_error(ErrorCode::already_exists, "this certificate is already imported as '" + other + "'");
  if (auto saved = save("ca/" + id + ".crt", pem); !saved) return saved;
  material_->ca_pems[id] = pem;
  return {};
}

CertificateInfo CertificateStore::server_info() const {
  std::lock_guard lock(mutex_);
  auto info = describe_certificate(material_->chain_pem);
  CertificateInfo out = info ? *info : CertificateInfo{};
  out.id = "server";
  out.days_to_expiry = std::chrono::floor<std::chrono::days>(out.not_after - clock_.wall_time()).count();
  return out;
}

std::vector<CertificateInfo> CertificateStore::ca_info() const {
  std::lock_guard lock(mutex_);
  std::vector<CertificateInfo> list;
  for (const auto& [id, pem] : material_->ca_pems)
    if (auto info = describe_certificate(pem)) {
      info->id = id;
      info->days_to_expiry = std::chrono::floor<std::chrono::days>(info->not_after - clock_.wall_time()).count();
      list.push_back(std::move(*info));
    }
  return list;
}

std::string CertificateStore::server_key_pem() const {
  std::lock_guard lock(mutex_);
  return key_pem(material_->key.get());
}

std::string CertificateStore::server_chain_pem() const {
  std::lock_guard lock(mutex_);
  return material_->chain_pem;
}

}  // namespace camrig::security
