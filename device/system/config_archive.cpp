#include "device/system/config_archive.hpp"

#include "device/core/base64.hpp"

#include <array>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace camrig::system {
namespace {

constexpr std::string_view k_archive_magic = "CRCF";
constexpr std::uint8_t k_archive_format = 1;
constexpr std::uint32_t k_iterations = 100'000;
constexpr std::size_t k_salt_size = 16;
constexpr std::size_t k_iv_size = 12;
constexpr std::size_t k_tag_size = 16;
constexpr std::size_t k_header_size = 4 + 1 + 4 + k_salt_size + k_iv_size;

using Key = std::array<unsigned char, 32>;
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Result<Key> derive_key(std::string_view password, const unsigned char* salt, std::uint32_t iterations) {
  Key key{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, static_cast<int>(k_salt_size),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(key.size()), key.data()) != 1)
    return make_error(ErrorCode::internal, "configuration file: key derivation failed");
  return key;
}

}  // namespace

Result<std::string> seal_config_archive(const ConfigArchive& archive, std::string_view password) {
  if (password.empty())
    return make_error(ErrorCode::invalid_argument, "the configuration file needs a password to encrypt it with");
  nlohmann::json doc{{"model", archive.model}, {"settings", archive.settings}, {"accounts", core::base64_encode(archive.accounts_database)}};
  const std::string plain = doc.dump();

  std::string file(k_archive_magic);
  file.push_back(static_cast<char>(k_archive_format));
  for (int shift = 24; shift >= 0; shift -= 8) file.push_back(static_cast<char>((k_iterations >> shift) & 0xff));
  std::array<unsigned char, k_salt_size + k_iv_size> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    return make_error(ErrorCode::internal, "configuration file: no random numbers for the salt");
  file.append(reinterpret_cast<const char*>(random.data()), random.size());
  const auto* salt = random.data();
  const auto* iv = random.data() + k_salt_size;
  auto key = derive_key(password, salt, k_iterations);
  if (!key) return key.error();

  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::vector<unsigned char> cipher(plain.size() + k_tag_size);
  int length = 0, final_length = 0;
  const bool sealed =
      context && EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key->data(), iv) == 1 &&
      EVP_EncryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(file.data()),
                        static_cast<int>(file.size())) == 1 &&
      EVP_EncryptUpdate(context.get(), cipher.data(), &length, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), cipher.data() + length, &final_length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(k_tag_size),
                          cipher.data() + length + final_length) == 1;
  if (!sealed) return make_error(ErrorCode::internal, "configuration file: encryption failed");
  file.append(reinterpret_cast<const char*>(cipher.data()),
              static_cast<std::size_t>(length + final_length) + k_tag_size);
  return file;
}

Result<ConfigArchive> open_config_archive(std::string_view file, std::string_view password) {
  if (file.size() < k_header_size + k_tag_size || file.substr(0, 4) != k_archive_magic)
    return make_error(ErrorCode::invalid_argument, "this is not a camrig configuration file (or it is truncated)");
  if (static_cast<std::uint8_t>(file[4]) != k_archive_format)
    return make_error(ErrorCode::invalid_argument,
                      "configuration file format " + std::to_string(static_cast<std::uint8_t>(file[4])) + " is not supported");
  std::uint32_t iterations = 0;
  for (std::size_t i = 5; i < 9; ++i) iterations = iterations << 8 | static_cast<std::uint8_t>(file[i]);
  if (iterations == 0 || iterations > 10'000'000)
    return make_error(ErrorCode::invalid_argument, "the configuration file is damaged (key derivation parameters)");
  const auto* header = reinterpret_cast<const unsigned char*>(file.data());
  auto key = derive_key(password, header + 9, iterations);
  if (!key) return key.error();
  const auto cipher = file.substr(k_header_size, file.size() - k_header_size - k_tag_size);
  std::array<unsigned char, k_tag_size> tag{};
  std::copy(file.end() - static_cast<std::ptrdiff_t>(k_tag_size), file.end(), tag.begin());

  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string plain(cipher.size() + 16, '\0');
  int length = 0, final_length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  const bool opened =
      context && EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key->data(), header + 9 + k_salt_size) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, header, static_cast<int>(k_header_size)) == 1 &&
      EVP_DecryptUpdate(context.get(), out, &length, reinterpret_cast<const unsigned char*>(cipher.data()),
                        static_cast<int>(cipher.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(k_tag_size), tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context.get(), out + length, &final_length) == 1;
  if (!opened)
    return make_error(ErrorCode::permission_denied,
                      "the configuration file cannot be opened: wrong password, or the file was changed");
  plain.resize(static_cast<std::size_t>(length + final_length));

  const auto doc = nlohmann::json::parse(plain, nullptr, false);
  if (!doc.is_object() || !doc.contains("model") || !doc.contains("settings") || !doc["settings"].is_object())
    return make_error(ErrorCode::invalid_argument, "the configuration file's content is not understood");
  ConfigArchive archive;
  try {
    archive.model = doc.at("model").get<std::string>();
    archive.settings = doc.at("settings").get<std::map<std::string, std::string>>();
    auto accounts = core::base64_decode(doc.value("accounts", std::string()));
    if (!accounts) return make_error(ErrorCode::invalid_argument, "the configuration file's account store is damaged");
    archive.accounts_database = std::move(*accounts);
  } catch (const nlohmann::json::exception&) {
    return make_error(ErrorCode::invalid_argument, "the configuration file's content is not understood");
  }
  return archive;
}

}  // namespace camrig::system
