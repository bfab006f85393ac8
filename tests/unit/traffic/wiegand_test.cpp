// Wiegand output: 26/34-bit framing against vectors worked out by hand from the H10301 layout,
// the plate/allowlist card number mapping, and a read plate through the LPR service to the frame
// the simulated port receives.
#include <gtest/gtest.h>

#include "device/traffic/wiegand_frame.hpp"
#include "device/traffic/wiegand_sender.hpp"
#include "sim/virtual_wiegand.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/lpr_service_rig.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

std::string bit_text(const hal::WiegandFrame& frame) {
  std::string text;
  for (const bool bit : frame.bits) text += bit ? '1' : '0';
  return text;
}

std::string encoded(WiegandFormat format, std::uint64_t card, unsigned facility = 0) {
  auto frame = encode_wiegand(format, card, facility);
  EXPECT_TRUE(frame) << frame.error().message;
  return frame ? bit_text(*frame) : "";
}

TEST(WiegandFrame, TwentySixBitKnownVectors) {
  // Facility 1, card 1 is 0x2020002 as a 26-bit number.
  EXPECT_EQ(encoded(WiegandFormat::bits26, 1, 1), "10000000100000000000000010");
  EXPECT_EQ(encoded(WiegandFormat::bits26, 0, 0), "00000000000000000000000001");
  EXPECT_EQ(encoded(WiegandFormat::bits26, 4567, 123), "10111101100010001110101110");
  EXPECT_EQ(encoded(WiegandFormat::bits26, 65535, 255), "01111111111111111111111111");
}

TEST(WiegandFrame, ThirtyFourBitKnownVectors) {
  EXPECT_EQ(encoded(WiegandFormat::bits34, 0), "0000000000000000000000000000000001");
  EXPECT_EQ(encoded(WiegandFormat::bits34, 7123), "0000000000000000000011011110100110");
  EXPECT_EQ(encoded(WiegandFormat::bits34, 123456789), "0000001110101101111001101000101011");
  EXPECT_EQ(encoded(WiegandFormat::bits34, 4294967295), "0111111111111111111111111111111111");
}

TEST(WiegandFrame, RefusesWhatTheFormatCannotCarry) {
  auto too_big = encode_wiegand(WiegandFormat::bits26, 65536, 0);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("34-bit"), std::string::npos) << too_big.error().message;
  EXPECT_FALSE(encode_wiegand(WiegandFormat::bits26, 1, 256));
  EXPECT_FALSE(encode_wiegand(WiegandFormat::bits34, 4294967296ull, 0));
  EXPECT_FALSE(parse_wiegand_format("32"));
}

TEST(WiegandFrame, PlateDigitsAndCardNumbers) {
  EXPECT_EQ(card_number_from_plate("7ABC123", WiegandFormat::bits26).value(), 7123u);
  EXPECT_EQ(card_number_from_plate("AB00042", WiegandFormat::bits26).value(), 42u);
  EXPECT_FALSE(card_number_from_plate("ABCDEF", WiegandFormat::bits34));
  EXPECT_FALSE(card_number_from_plate("1234567", WiegandFormat::bits26));
  EXPECT_EQ(card_number_from_plate("1234567", WiegandFormat::bits34).value(), 1234567u);
  EXPECT_EQ(card_number_from_text("0012345", WiegandFormat::bits26).value(), 12345u);
  EXPECT_FALSE(card_number_from_text("12A45", WiegandFormat::bits26));
  EXPECT_FALSE(card_number_from_text("", WiegandFormat::bits26));
}

class WiegandOutputTest : public ::testing::Test {
 protected:
  WiegandOutputTest() : rig(clock, options()) {}

  static test::LprServiceRigOptions options() {
    test::LprServiceRigOptions o;
    o.settings = {{"traffic.capture.mode", "video"}, {"wiegand.enabled", "true"}};
    return o;
  }
  void set(const std::string& key, const std::string& value) {
    ASSERT_TRUE(config->set_text(key, value)) << key << "=" << value;
  }
  void pass(const std::string& plate) {
    rig.service->submit(rig.read(plate));
    // Past the same-plate delay, so the next pass is a new vehicle.
    clock.advance_to(clock.now() + 10s);
  }

  test::LockstepTestClock clock;
  test::LprServiceRig rig;
  core::ConfigService* config = rig.config.get();
  PlateList* plates = rig.plates.get();
  sim::VirtualWiegand port{clock};
  std::unique_ptr<WiegandSender> sender = std::make_unique<WiegandSender>(rig.bus, *config, *plates, port);
};

TEST_F(WiegandOutputTest, ReadPlateDigitsReachThePortAsA26BitFrame) {
  set("wiegand.facility_code", "1");
  pass("7ABC123");
  ASSERT_TRUE(port.wait_for_frames(1, 5s));
  EXPECT_EQ(bit_text(port.frames()[0].frame), encoded(WiegandFormat::bits26, 7123, 1));
}

TEST_F(WiegandOutputTest, AllowlistCardNumberIn34BitAndNothingForOtherVehicles) {
  set("wiegand.format", "34");
  set("wiegand.card_source", "allowlist_card");
  PlateEntry entry;
  entry.plate = "ABC123";
  entry.card_number = "305419896";
  ASSERT_TRUE(plates->add(entry));
  pass("XYZ789");  // not on the allowlist: no frame
  pass("ABC123");
  ASSERT_TRUE(port.wait_for_frames(1, 5s));
  // Once the allowed vehicle's frame is in, the earlier one was handled too (one worker, in order).
  const auto frames = port.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(bit_text(frames[0].frame), encoded(WiegandFormat::bits34, 305419896));
  EXPECT_EQ(sender->stats().skipped, 1u);
}

TEST_F(WiegandOutputTest, DisabledOutputAndUnlicensedVehiclesSendNothing) {
  pass("");  // an unlicensed vehicle has no plate
  set("wiegand.enabled", "false");
  pass("ABC123");
  ASSERT_TRUE(sender->wait_until_handled(2, 5s));
  set("wiegand.enabled", "true");
  pass("XYZ789");
  ASSERT_TRUE(port.wait_for_frames(1, 5s));
  const auto frames = port.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(bit_text(frames[0].frame), encoded(WiegandFormat::bits26, 789));
}

TEST_F(WiegandOutputTest, AManualCaptureIsNotAnnounced) {
  rig.service->submit(rig.read("ABC123", CaptureTrigger::manual));
  clock.advance_to(clock.now() + 10s);
  pass("XYZ789");
  ASSERT_TRUE(port.wait_for_frames(1, 5s));
  const auto frames = port.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(bit_text(frames[0].frame), encoded(WiegandFormat::bits26, 789));
  EXPECT_EQ(sender->stats().skipped, 1u);
}

TEST_F(WiegandOutputTest, APortThatCannotSendIsCounted) {
  port.set_connected(false);
  pass("ABC123");
  ASSERT_TRUE(sender->wait_until_handled(1, 5s));
  port.set_connected(true);
  pass("XYZ789");
  ASSERT_TRUE(port.wait_for_frames(1, 5s));
  const auto frames = port.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(bit_text(frames[0].frame), encoded(WiegandFormat::bits26, 789));
  EXPECT_EQ(sender->stats().failed, 1u);
}

}  // namespace
}  // namespace camrig::traffic
