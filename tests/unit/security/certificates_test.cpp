// Certificate management against the openssl command line: the self-signed certificate made on
// first start and kept across restarts, a CSR signed by a CA made with `openssl`, its import
// (and refusal of a certificate for another key), and CA certificate import limits.
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "device/security/certificates.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/process.hpp"

namespace camrig::security {
namespace {

using namespace std::chrono_literals;

class CertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() /
                ("camrig-certificates-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(directory);
  }
  void TearDown() override { std::filesystem::remove_all(directory); }

  void write(const std::string& name, const std::string& text) { std::ofstream(directory / name) << text; }
  std::string read(const std::string& name) {
    std::ifstream in(directory / name);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void openssl(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "openssl");
    const auto result = test::run_process(arguments, 20s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  // A CA key and self-signed CA certificate (ca.key, ca.crt) in the test directory.
  void make_ca() {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             (directory / "ca.key").string(), "-out", (directory / "ca.crt").string(), "-days", "30", "-subj",
             "/CN=Test CA"});
  }
  std::string sign(const std::string& csr_pem) {
    write("device.csr", csr_pem);
    openssl({"x509", "-req", "-in", (directory / "device.csr").string(), "-CA", (directory / "ca.crt").string(), "-CAkey",
             (directory / "ca.key").string(), "-CAcreateserial", "-out", (directory / "device.crt").string(), "-days",
             "20"});
    return read("device.crt");
  }

  test::LockstepTestClock clock;
  std::filesystem::path directory;
};

TEST_F(CertificatesTest, FirstStartMakesASelfSignedCertificateThatIsKept) {
  auto store = CertificateStore::open((directory / "store").string(), "IP CAMERA", clock);
  ASSERT_TRUE(store) << store.error().message;
  const auto info = (*store)->server_info();
  EXPECT_EQ(info.subject, "CN=IP CAMERA");
  EXPECT_EQ(info.issuer, "CN=IP CAMERA");
  EXPECT_TRUE(info.self_signed);
  EXPECT_EQ(info.days_to_expiry, CertificateStore::k_default_validity_days);
  EXPECT_EQ(info.not_before, clock.wall_time() - 1h) << "valid from an hour before device time";
  EXPECT_TRUE(std::filesystem::exists(directory / "store" / "server.key"));

  auto reopened = CertificateStore::open((directory / "store").string(), "another name", clock);
  ASSERT_TRUE(reopened);
  EXPECT_EQ((*reopened)->server_info().serial_number, info.serial_number);
  EXPECT_EQ((*reopened)->server_key_pem(), (*store)->server_key_pem());
}

TEST_F(CertificatesTest, RequestSignedByOpensslCaIsImportedAndCheckedAgainstTheKey) {
  make_ca();
  auto store = CertificateStore::open((directory / "store").string(), "IP CAMERA", clock);
  ASSERT_TRUE(store);
  auto request = (*store)->create_request("camera-7.example");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_NE(request->find("BEGIN CERTIFICATE REQUEST"), std::string::npos);
  const auto signed_pem = sign(*request);
  ASSERT_TRUE((*store)->import_server_certificate(signed_pem));
  const auto info = (*store)->server_info();
  EXPECT_EQ(info.subject, "CN=camera-7.example");
  EXPECT_EQ(info.issuer, "CN=Test CA");
  EXPECT_FALSE(info.self_signed);
  EXPECT_EQ(std::chrono::floor<std::chrono::days>(info.not_after - info.not_before).count(), 20);

  // A certificate for a key the device does not hold is refused.
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           (directory / "other.key").string(), "-out", (directory / "other.csr").string(), "-subj", "/CN=other"});
  const auto foreign = sign(read("other.csr"));
  auto refused = (*store)->import_server_certificate(foreign);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("does not match the device's key"), std::string::npos);
  EXPECT_FALSE((*store)->import_server_certificate("not a certificate"));
  EXPECT_EQ((*store)->server_info().subject, "CN=camera-7.example") << "a refused import changes nothing";
}

TEST_F(CertificatesTest, CaCertificatesAreImportedOnceUnderValidIds) {
  make_ca();
  auto store = CertificateStore::open("", "IP CAMERA", clock);
  ASSERT_TRUE(store);
  const auto ca = read("ca.crt");
  ASSERT_TRUE((*store)->import_ca_certificate("rootCA", ca));
  EXPECT_EQ((*store)->ca_info().at(0).subject, "CN=Test CA");
  EXPECT_EQ((*store)->import_ca_certificate("again", ca).error().code, ErrorCode::already_exists);
  EXPECT_EQ((*store)->import_ca_certificate("rootCA", ca).error().code, ErrorCode::already_exists);
  EXPECT_EQ((*store)->import_ca_certificate("bad id!", ca).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ((*store)->import_ca_certificate("garbage", "-----BEGIN CERTIFICATE-----\nxx\n").error().code,
            ErrorCode::invalid_argument);
}

TEST_F(CertificatesTest, SelfSignedValidityIsChecked) {
  auto store = CertificateStore::open("", "IP CAMERA", clock);
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->create_self_signed("IP CAMERA", 0).error().code, ErrorCode::out_of_range);
  ASSERT_TRUE((*store)->create_self_signed("cam", 5));
  EXPECT_EQ((*store)->server_info().days_to_expiry, 5);
}

}  // namespace
}  // namespace camrig::security
