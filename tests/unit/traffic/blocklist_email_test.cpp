// The blocklist alarm's Send Email linkage: a blocklisted vehicle's mail reaches an SMTP server
// naming the plate with the selected picture (original image or plate cutout) attached; allowed
// vehicles, a disabled alarm or "Send Email" off send nothing.
#include <gtest/gtest.h>

#include "device/core/base64.hpp"
#include "device/events/email_notifier.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/lpr_service_rig.hpp"
#include "tests/support/smtp_test_server.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

class BlocklistEmailTest : public ::testing::Test {
 protected:
  BlocklistEmailTest() : rig(clock, options()) {
    rig.list("BAD001", ListType::blocklist);
    rig.list("GOOD01", ListType::allowlist);
  }
  void TearDown() override { notifier.reset(); }

  test::LprServiceRigOptions options() {
    test::LprServiceRigOptions o;
    o.send_email = [this](const events::Event& event) {
      mailed.push_back(event);
      if (notifier) notifier->notify(event);
    };
    o.pictures = true;
    o.settings = {{"traffic.capture.mode", "video"},
                  {"traffic.capture.same_plate_delay", "0"},
                  {"traffic.blocklist_alarm.enabled", "true"},
                  {"traffic.blocklist_alarm.send_email", "true"}};
    return o;
  }
  void mail_to(const test::SmtpTestServer& server) {
    events::EmailSettings settings;
    settings.smtp.server = "127.0.0.1";
    settings.smtp.port = server.port();
    settings.sender = {"Camera", "camera@site.test"};
    settings.receivers = {{"Guard", "guard@site.test"}};
    notifier = std::make_unique<events::EmailNotifier>(clock, [settings] { return settings; });
  }
  void pass(const std::string& plate) { rig.pass(plate); }

  test::LockstepTestClock clock;
  test::LprServiceRig rig;
  std::unique_ptr<events::EmailNotifier> notifier;
  std::vector<events::Event> mailed;
};

// The base64 body of the mail's one JPEG attachment, decoded.
std::string attached_jpeg(const std::string& data) {
  const auto part = data.find("Content-Type: image/jpeg");
  if (part == std::string::npos) return {};
  const auto start = data.find("\r\n\r\n", part);
  if (start == std::string::npos) return {};
  const auto end = data.find("\r\n--", start);
  std::string encoded;
  for (std::size_t i = start + 4; i < std::min(end, data.size()); ++i)
    if (data[i] != '\r' && data[i] != '\n') encoded += data[i];
  return core::base64_decode(encoded).value_or("");
}

// Width and height from a JPEG's start-of-frame segment; {0, 0} when there is none.
std::pair<int, int> jpeg_size(const std::string& jpeg) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(jpeg[i]); };
  for (std::size_t i = 2; i + 9 < jpeg.size();) {
    if (byte(i) != 0xFF) return {0, 0};
    const unsigned marker = byte(i + 1);
    const std::size_t length = (static_cast<std::size_t>(byte(i + 2)) << 8) | byte(i + 3);
    if (marker >= 0xC0 && marker <= 0xC2)
      return {(byte(i + 7) << 8) | byte(i + 8), (byte(i + 5) << 8) | byte(i + 6)};
    i += 2 + length;
  }
  return {0, 0};
}

TEST_F(BlocklistEmailTest, ABlocklistedVehicleIsMailedWithItsPlate) {
  test::SmtpTestServer server({});
  mail_to(server);
  pass("GOOD01");
  pass("BAD001");
  ASSERT_TRUE(server.wait_for_mails(1, 10s));
  const auto mails = server.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].data.find("Blocklist vehicle BAD001"), std::string::npos) << mails[0].data;
  EXPECT_EQ(mails[0].rcpt_to, (std::vector<std::string>{"guard@site.test"}));
}

TEST_F(BlocklistEmailTest, NoMailWhenSendEmailOrTheAlarmIsOff) {
  rig.set("traffic.blocklist_alarm.send_email", "false");
  pass("BAD001");
  rig.set("traffic.blocklist_alarm.send_email", "true");
  rig.set("traffic.blocklist_alarm.enabled", "false");
  pass("BAD001");
  EXPECT_TRUE(mailed.empty());
  rig.set("traffic.blocklist_alarm.enabled", "true");
  pass("BAD001");
  ASSERT_EQ(mailed.size(), 1u);
  EXPECT_EQ(mailed[0].kind, events::EventKind::vehicle_detection);
  EXPECT_EQ(mailed[0].target->plate, "BAD001");
}

// "Select Image": the mail carries the original scene picture, or the plate cutout, and only that.
TEST_F(BlocklistEmailTest, TheMailCarriesTheSelectedPicture) {
  test::SmtpTestServer server({});
  mail_to(server);
  pass("BAD001");
  ASSERT_TRUE(server.wait_for_mails(1, 10s));
  rig.set("traffic.blocklist_alarm.picture", "plate_cutout");
  pass("BAD001");
  ASSERT_TRUE(server.wait_for_mails(2, 10s));
  const auto mails = server.mails();
  ASSERT_EQ(mails.size(), 2u);
  ASSERT_EQ(mailed.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(mailed[i].pictures.size(), 1u);
    EXPECT_EQ(mailed[i].pictures[0].kind, i == 0 ? "scene" : "plate");
    EXPECT_EQ(attached_jpeg(mails[i].data), *mailed[i].pictures[0].jpeg) << "mail " << i;
  }
  const auto [scene_width, scene_height] = jpeg_size(attached_jpeg(mails[0].data));
  const auto [cutout_width, cutout_height] = jpeg_size(attached_jpeg(mails[1].data));
  EXPECT_EQ(scene_width, test::LprServiceRig::k_frame_width);
  EXPECT_GE(scene_height, test::LprServiceRig::k_frame_height);  // with the picture OSD's black bar
  // The cutout is the plate with a small margin at most, far from the whole picture.
  EXPECT_GE(cutout_width, test::LprServiceRig::k_plate_box.width);
  EXPECT_LE(cutout_width, 2 * test::LprServiceRig::k_plate_box.width);
  EXPECT_GE(cutout_height, test::LprServiceRig::k_plate_box.height);
  EXPECT_LE(cutout_height, 3 * test::LprServiceRig::k_plate_box.height);
}

TEST_F(BlocklistEmailTest, PictureTypeDefaultsToTheOriginalImageAndRefusesOtherValues) {
  EXPECT_EQ(rig.config->get_string("traffic.blocklist_alarm.picture"), "original");
  EXPECT_FALSE(rig.config->set_text("traffic.blocklist_alarm.picture", "vehicle"));
}

}  // namespace
}  // namespace camrig::traffic
