#include "device/system/firmware_package.hpp"

#include <memory>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>

namespace camrig::system::keys {
std::string_view embedded_file(std::string_view name);
std::vector<std::string_view> embedded_file_names();
}  // namespace camrig::system::keys

namespace camrig::system {
namespace {

constexpr std::string_view k_package_magic = "CRFW";
constexpr std::uint8_t k_package_format = 1;

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Pkey read_key(std::string_view pem, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return Pkey(nullptr, &EVP_PKEY_free);
  return Pkey(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr),
              &EVP_PKEY_free);
}

// Ed25519 signs the message itself; RSA signs its SHA-256.
const EVP_MD* digest_for(EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256(); }

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool has(std::size_t count) const { return bytes_.size() - pos_ >= count; }
  std::uint64_t be(int count) {
    std::uint64_t value = 0;
    for (int i = 0; i < count; ++i) value = value << 8 | static_cast<std::uint8_t>(bytes_[pos_++]);
    return value;
  }
  std::string_view take(std::size_t count) {
    const auto out = bytes_.substr(pos_, count);
    pos_ += count;
    return out;
  }
  std::size_t position() const { return pos_; }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view builtin_firmware_public_key() {
  const auto names = keys::embedded_file_names();
  return names.empty() ? std::string_view() : keys::embedded_file(names.front());
}

Result<std::string> pack_firmware(const FirmwarePackage& package, std::string_view private_key_pem) {
  if (package.model.empty() || package.model.size() > 255 || package.version.empty() || package.version.size() > 255)
    return make_error(ErrorCode::invalid_argument, "a firmware package needs a model and a version of 1 to 255 characters");
  auto key = read_key(private_key_pem, true);
  if (!key) return make_error(ErrorCode::invalid_argument, "the signing key is not a PEM private key (Ed25519 or RSA)");
  std::string out(k_package_magic);
  out.push_back(static_cast<char>(k_package_format));
  put_be(out, package.model.size(), 1);
  out += package.model;
  put_be(out, package.version.size(), 1);
  out += package.version;
  put_be(out, package.payload.size(), 8);
  out += package.payload;

  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, digest_for(key.get()), nullptr, key.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(out.data()), out.size()) != 1)
    return make_error(ErrorCode::internal, "cannot sign the firmware package with this key");
  std::vector<unsigned char> signature(size);
  if (EVP_DigestSign(context.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(out.data()),
                     out.size()) != 1)
    return make_error(ErrorCode::internal, "cannot sign the firmware package with this key");
  put_be(out, size, 2);
  out.append(reinterpret_cast<const char*>(signature.data()), size);
  return out;
}

Result<FirmwarePackage> verify_firmware(std::string_view bytes, std::string_view public_key_pem, std::string_view device_model) {
  const auto truncated = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "the firmware package is truncated or damaged (" + std::to_string(bytes.size()) + " bytes)");
  };
  Reader reader(bytes);
  if (!reader.has(5) || reader.take(4) != k_package_magic)
    return make_error(ErrorCode::invalid_argument, "this is not a camrig firmware package");
  if (const auto format = reader.be(1); format != k_package_format)
    return make_error(ErrorCode::invalid_argument, "firmware package format " + std::to_string(format) + " is not supported");
  FirmwarePackage package;
  for (auto* field : {&package.model, &package.version}) {
    if (!reader.has(1)) return truncated();
    const auto length = reader.be(1);
    if (!reader.has(length)) return truncated();
    *field = reader.take(length);
  }
  if (!reader.has(8)) return truncated();
  const auto payload_size = reader.be(8);
  if (!reader.has(payload_size)) return truncated();
  package.payload = reader.take(payload_size);
  const auto signed_size = reader.position();
  if (!reader.has(2)) return truncated();
  const auto signature_size = reader.be(2);
  if (!reader.has(signature_size)) return truncated();
  const auto signature = reader.take(signature_size);
  if (!reader.done()) return truncated();

  auto key = read_key(public_key_pem, false);
  if (!key) return make_error(ErrorCode::unavailable, "this device has no key to check firmware signatures with");
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, digest_for(key.get()), nullptr, key.get()) != 1 ||
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(bytes.data()), signed_size) != 1)
    return make_error(ErrorCode::permission_denied,
                      "the firmware package's signature is not valid for this device's trusted key");
  if (package.model != device_model)
    return make_error(ErrorCode::out_of_range,
                      "the firmware package is for model " + package.model + ", this device is a " + std::string(device_model));
  return package;
}

}  // namespace camrig::system
