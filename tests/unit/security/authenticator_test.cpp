// Digest (RFC 7616 example values, MD5 and SHA-256), nonce expiry and replay, Basic, lockout.
#include <gtest/gtest.h>

#include "device/security/authenticator.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::security {
namespace {

using namespace std::chrono_literals;

// RFC 7616 §3.9.1.
constexpr const char* k_realm = "http-auth@example.org";
constexpr const char* k_nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr const char* k_cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
constexpr const char* k_opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

std::string authorization(const char* algorithm, const std::string& response, const char* nc = "00000001",
                          const char* user = "Mufasa") {
  return std::string("Digest username=\"") + user + "\", realm=\"" + k_realm + "\", uri=\"/dir/index.html\", algorithm=" +
         algorithm + ", nonce=\"" + k_nonce + "\", nc=" + nc + ", cnonce=\"" + k_cnonce + "\", qop=auth, response=\"" +
         response + "\", opaque=\"" + k_opaque + "\"";
}

TEST(DigestResponse, MatchesRfc7616ExampleForMd5AndSha256) {
  const auto md5_ha1 = digest_hex(DigestAlgorithm::md5, "Mufasa:http-auth@example.org:Circle of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::md5, md5_ha1, "GET", "/dir/index.html", k_nonce, "00000001", k_cnonce, "auth"),
            "8ca523f5e9506fed4657c9700eebdbec");
  const auto sha_ha1 = digest_hex(DigestAlgorithm::sha256, "Mufasa:http-auth@example.org:Circle of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::sha256, sha_ha1, "GET", "/dir/index.html", k_nonce, "00000001", k_cnonce, "auth"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(DigestParameters, ParsesQuotedAndBareValues) {
  const auto parsed = parse_digest_parameters(authorization("MD5", "abc").substr(7));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->at("username"), "Mufasa");
  EXPECT_EQ(parsed->at("nc"), "00000001");
  EXPECT_EQ(parsed->at("qop"), "auth");
  EXPECT_FALSE(parse_digest_parameters("username=\"unterminated"));
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = UserAccounts::open(":memory:", k_realm, PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    ASSERT_TRUE(accounts->activate("Admin1234"));
    ASSERT_TRUE(accounts->add("Mufasa", "Circle of Life", UserLevel::user));
    lock = std::make_unique<IllegalLoginLock>(clock, [] { return IllegalLoginLockSettings{}; });
    AuthenticatorOptions options;
    options.make_nonce = [this] { return next_nonce; };
    options.opaque = k_opaque;
    options.basic_enabled = [this] { return basic; };
    authenticator = std::make_unique<Authenticator>(*accounts, *lock, clock, options);
  }

  AuthenticationOutcome ask(const std::string& value, const char* address = "192.0.2.1") {
    return authenticator->authenticate({"GET", "/dir/index.html", value, address});
  }

  test::LockstepTestClock clock;
  std::unique_ptr<UserAccounts> accounts;
  std::unique_ptr<IllegalLoginLock> lock;
  std::unique_ptr<Authenticator> authenticator;
  bool basic = false;
  std::string next_nonce = k_nonce;
};

TEST_F(AuthenticatorTest, ChallengesWithoutCredentialsOfferingSha256AndMd5) {
  const auto outcome = ask("");
  ASSERT_TRUE(std::holds_alternative<Challenge>(outcome));
  const auto& challenge = std::get<Challenge>(outcome);
  EXPECT_EQ(challenge.reason, Challenge::Reason::no_credentials);
  ASSERT_EQ(challenge.www_authenticate.size(), 2u);
  EXPECT_NE(challenge.www_authenticate[0].find("algorithm=SHA-256"), std::string::npos);
  EXPECT_NE(challenge.www_authenticate[1].find("algorithm=MD5"), std::string::npos);
  EXPECT_NE(challenge.www_authenticate[0].find("qop=\"auth\""), std::string::npos);
  EXPECT_NE(challenge.www_authenticate[0].find(std::string("realm=\"") + k_realm + "\""), std::string::npos);
}

TEST_F(AuthenticatorTest, AcceptsRfc7616ExampleRequestsAndRejectsReplayedNonceCount) {
  (void)authenticator->challenge_values(false);  // issues k_nonce
  const auto md5 = ask(authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec"));
  ASSERT_TRUE(std::holds_alternative<UserAccount>(md5)) << std::get<Challenge>(md5).message;
  EXPECT_EQ(std::get<UserAccount>(md5).name, "Mufasa");

  const auto replay = ask(authorization("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"));
  ASSERT_TRUE(std::holds_alternative<Challenge>(replay)) << "nc 00000001 was already used with this nonce";
  EXPECT_EQ(std::get<Challenge>(replay).reason, Challenge::Reason::stale_nonce);

  const auto ha1 = *accounts->digest_ha1("Mufasa", DigestAlgorithm::sha256);
  const auto next = digest_response(DigestAlgorithm::sha256, ha1, "GET", "/dir/index.html", k_nonce, "00000002", k_cnonce, "auth");
  EXPECT_TRUE(std::holds_alternative<UserAccount>(ask(authorization("SHA-256", next, "00000002"))));
}

TEST_F(AuthenticatorTest, ExpiredNonceWithRightPasswordIsAnsweredStale) {
  (void)authenticator->challenge_values(false);
  clock.advance_to(5min);
  const auto outcome = ask(authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec"));
  ASSERT_TRUE(std::holds_alternative<Challenge>(outcome));
  const auto& challenge = std::get<Challenge>(outcome);
  EXPECT_EQ(challenge.reason, Challenge::Reason::stale_nonce);
  ASSERT_FALSE(challenge.www_authenticate.empty());
  EXPECT_NE(challenge.www_authenticate[0].find("stale=true"), std::string::npos);
}

TEST_F(AuthenticatorTest, UnknownNonceIsStaleNotAFailedLogin) {
  next_nonce = "a-nonce-the-client-never-saw";
  for (int i = 0; i < 10; ++i) {
    const auto outcome = ask(authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec"));
    ASSERT_TRUE(std::holds_alternative<Challenge>(outcome));
    EXPECT_EQ(std::get<Challenge>(outcome).reason, Challenge::Reason::stale_nonce);
  }
}

TEST_F(AuthenticatorTest, WrongPasswordsLockTheAddressThenEvenTheRightOneIsRefused) {
  (void)authenticator->challenge_values(false);
  for (int i = 1; i < 5; ++i) {
    const auto outcome = ask(authorization("MD5", "00000000000000000000000000000000"));
    ASSERT_TRUE(std::holds_alternative<Challenge>(outcome));
    EXPECT_EQ(std::get<Challenge>(outcome).reason, Challenge::Reason::bad_credentials) << i;
  }
  const auto fifth = ask(authorization("MD5", "00000000000000000000000000000000"));
  EXPECT_EQ(std::get<Challenge>(fifth).reason, Challenge::Reason::address_locked);
  const auto right = ask(authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec"));
  ASSERT_TRUE(std::holds_alternative<Challenge>(right));
  EXPECT_EQ(std::get<Challenge>(right).reason, Challenge::Reason::address_locked);
  EXPECT_TRUE(std::get<Challenge>(right).www_authenticate.empty());
  EXPECT_TRUE(std::holds_alternative<UserAccount>(ask(authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec"), "192.0.2.2")));
}

TEST_F(AuthenticatorTest, BasicOnlyWhenEnabled) {
  const std::string value = "Basic TXVmYXNhOkNpcmNsZSBvZiBMaWZl";  // Mufasa:Circle of Life
  EXPECT_TRUE(std::holds_alternative<Challenge>(ask(value)));
  basic = true;
  const auto outcome = ask(value);
  ASSERT_TRUE(std::holds_alternative<UserAccount>(outcome));
  EXPECT_EQ(std::get<UserAccount>(outcome).name, "Mufasa");
  EXPECT_TRUE(std::holds_alternative<Challenge>(ask("Basic TXVmYXNhOndyb25n")));
}

}  // namespace
}  // namespace camrig::security
