// Signed firmware packages: a package packed with a key verifies with its public half (Ed25519
// and RSA); another key, another model, a changed byte or a truncated file is refused with the reason.
#include <gtest/gtest.h>

#include "device/system/firmware_package.hpp"
#include "tests/unit/system/openssl_keys.hpp"

namespace camrig::system {
namespace {

class FirmwarePackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ed25519 = new test::KeyPair(test::make_key_pair("ed25519"));
    other = new test::KeyPair(test::make_key_pair("ed25519"));
  }
  static void TearDownTestSuite() {
    delete ed25519;
    delete other;
  }
  static test::KeyPair* ed25519;
  static test::KeyPair* other;
  const FirmwarePackage image{"CR-LPR4026", "V5.8.0 build 261201", std::string(4096, '\x5a')};
};
test::KeyPair* FirmwarePackageTest::ed25519 = nullptr;
test::KeyPair* FirmwarePackageTest::other = nullptr;

TEST_F(FirmwarePackageTest, PackedPackageVerifiesWithThePublicKey) {
  ASSERT_FALSE(ed25519->private_pem.empty()) << "openssl genpkey failed";
  auto package = pack_firmware(image, ed25519->private_pem);
  ASSERT_TRUE(package) << package.error().message;
  auto verified = verify_firmware(*package, ed25519->public_pem, "CR-LPR4026");
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->version, image.version);
  EXPECT_EQ(verified->payload, image.payload);
}

TEST_F(FirmwarePackageTest, RsaKeysWorkToo) {
  const auto rsa = test::make_key_pair("rsa");
  auto package = pack_firmware(image, rsa.private_pem);
  ASSERT_TRUE(package) << package.error().message;
  EXPECT_TRUE(verify_firmware(*package, rsa.public_pem, "CR-LPR4026"));
  EXPECT_FALSE(verify_firmware(*package, ed25519->public_pem, "CR-LPR4026"));
}

TEST_F(FirmwarePackageTest, PackageSignedWithAnotherKeyIsRefused) {
  auto package = pack_firmware(image, other->private_pem);
  ASSERT_TRUE(package);
  auto verified = verify_firmware(*package, ed25519->public_pem, "CR-LPR4026");
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, ErrorCode::permission_denied);
  EXPECT_NE(verified.error().message.find("signature is not valid"), std::string::npos);
}

TEST_F(FirmwarePackageTest, ChangedPayloadIsRefused) {
  auto package = pack_firmware(image, ed25519->private_pem);
  ASSERT_TRUE(package);
  (*package)[100] ^= 0x01;
  auto verified = verify_firmware(*package, ed25519->public_pem, "CR-LPR4026");
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("signature is not valid"), std::string::npos);
}

TEST_F(FirmwarePackageTest, PackageForAnotherModelIsRefused) {
  auto package = pack_firmware(image, ed25519->private_pem);
  ASSERT_TRUE(package);
  auto verified = verify_firmware(*package, ed25519->public_pem, "CR-NC2026");
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("is for model CR-LPR4026, this device is a CR-NC2026"), std::string::npos);
}

TEST_F(FirmwarePackageTest, TruncatedPackageIsRefusedAtEveryLength) {
  auto package = pack_firmware(image, ed25519->private_pem);
  ASSERT_TRUE(package);
  for (std::size_t length : {std::size_t{0}, std::size_t{3}, std::size_t{12}, std::size_t{200}, package->size() - 1}) {
    auto verified = verify_firmware(std::string_view(*package).substr(0, length), ed25519->public_pem, "CR-LPR4026");
    ASSERT_FALSE(verified) << length;
    EXPECT_EQ(verified.error().code, ErrorCode::invalid_argument) << length;
  }
}

TEST_F(FirmwarePackageTest, BuiltInKeyIsAPublicKey) {
  EXPECT_NE(builtin_firmware_public_key().find("BEGIN PUBLIC KEY"), std::string_view::npos);
}

}  // namespace
}  // namespace camrig::system
