// The encrypted configuration file: a round trip keeps settings and the account image; a wrong
// password, a changed byte or a truncated file is refused.
#include <gtest/gtest.h>

#include "device/system/config_archive.hpp"

namespace camrig::system {
namespace {

ConfigArchive sample() {
  ConfigArchive archive;
  archive.model = "CR-NC2026";
  archive.settings = {{"device.name", "Gate <1>"}, {"stream.101.resolution", "1280x720"}};
  archive.accounts_database = std::string("SQLite format 3\0\x01\x02", 19);
  return archive;
}

TEST(ConfigArchive, RoundTripWithThePassword) {
  auto file = seal_config_archive(sample(), "s3cret pass");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->substr(0, 4), "CRCF");
  EXPECT_EQ(file->find("Gate"), std::string::npos);  // encrypted, not just encoded
  auto opened = open_config_archive(*file, "s3cret pass");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->model, "CR-NC2026");
  EXPECT_EQ(opened->settings, sample().settings);
  EXPECT_EQ(opened->accounts_database, sample().accounts_database);
}

TEST(ConfigArchive, WrongPasswordIsRefused) {
  auto file = seal_config_archive(sample(), "s3cret pass");
  auto opened = open_config_archive(*file, "wrong");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::permission_denied);
  EXPECT_NE(opened.error().message.find("wrong password"), std::string::npos);
}

TEST(ConfigArchive, AnyChangedByteIsDetected) {
  auto file = seal_config_archive(sample(), "pw");
  ASSERT_TRUE(file);
  // One byte of the salt, of the IV, of the ciphertext and of the tag.
  for (std::size_t at : {std::size_t{10}, std::size_t{30}, std::size_t{40}, file->size() - 1}) {
    std::string changed = *file;
    changed[at] = static_cast<char>(changed[at] ^ 0x20);
    EXPECT_FALSE(open_config_archive(changed, "pw")) << at;
  }
}

TEST(ConfigArchive, TruncatedOrForeignFilesAreRefused) {
  auto file = seal_config_archive(sample(), "pw");
  ASSERT_TRUE(file);
  EXPECT_FALSE(open_config_archive(file->substr(0, file->size() - 5), "pw"));
  auto foreign = open_config_archive("<xml>not a file</xml>", "pw");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("not a camrig configuration file"), std::string::npos);
}

TEST(ConfigArchive, EmptyPasswordIsRefused) {
  auto file = seal_config_archive(sample(), "");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace camrig::system
