// Base64 against the RFC 4648 test vectors, and refusal of text that is not padded base64.
#include <gtest/gtest.h>

#include "device/core/base64.hpp"

namespace camrig::core {
namespace {

TEST(Base64, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_encode(std::string_view("")), "");
  EXPECT_EQ(base64_encode(std::string_view("f")), "Zg==");
  EXPECT_EQ(base64_encode(std::string_view("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(std::string_view("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(std::string_view("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodesIncludingEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    const auto text = base64_encode(std::string_view(bytes).substr(0, length));
    EXPECT_EQ(base64_decode(text), bytes.substr(0, length)) << length;
  }
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
}

TEST(Base64, RefusesTextThatIsNotPaddedBase64) {
  EXPECT_EQ(base64_decode("Zm9"), std::nullopt);       // length not a multiple of 4
  EXPECT_EQ(base64_decode("Zm9v!A=="), std::nullopt);  // character outside the alphabet
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);  // padding in the middle
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);      // three padding characters
}

}  // namespace
}  // namespace camrig::core
