#include <gtest/gtest.h>

#include "device/core/device_profile.hpp"

namespace camrig::core {
namespace {

TEST(DeviceProfile, ThreeProfilesShipBuiltIn) {
  EXPECT_EQ(DeviceProfile::builtin_names(),
            (std::vector<std::string>{"lpr-camera", "network-camera", "smart-linkage-ptz"}));
}

TEST(DeviceProfile, NetworkCameraHasOneChannelWithMainAndSubStream) {
  auto profile = DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile) << profile.error().message;
  ASSERT_EQ(profile->channels.size(), 1u);
  EXPECT_EQ(profile->channels[0].sensor, (hal::VideoFormat{1920, 1080, {25, 1}}));
  ASSERT_NE(profile->find_stream(101), nullptr);
  EXPECT_EQ(profile->find_stream(101)->role, "main");
  EXPECT_EQ(profile->find_stream(102)->role, "sub");
  EXPECT_EQ(profile->find_stream(201), nullptr);
  EXPECT_FALSE(profile->device.model.empty());
  EXPECT_FALSE(profile->device.firmware_version.empty());
  EXPECT_EQ(profile->device.mac_address.size(), 17u);
}

TEST(DeviceProfile, SmartLinkagePtzHasAPtzAndAPanoramicChannel) {
  auto profile = DeviceProfile::builtin("smart-linkage-ptz");
  ASSERT_TRUE(profile) << profile.error().message;
  ASSERT_EQ(profile->channels.size(), 2u);
  EXPECT_EQ(profile->channels[0].kind, "ptz");
  EXPECT_EQ(profile->channels[1].kind, "panoramic");
  EXPECT_TRUE(profile->capabilities.ptz);
  EXPECT_NE(profile->find_stream(201), nullptr);
}

TEST(DeviceProfile, LprCameraAllowsTenRtspUsers) {
  auto profile = DeviceProfile::builtin("lpr-camera");
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_TRUE(profile->capabilities.license_plate_recognition);
  EXPECT_EQ(profile->capabilities.max_rtsp_sessions, 10);
}

TEST(DeviceProfile, UnknownProfileNamesTheKnownOnes) {
  auto profile = DeviceProfile::builtin("doorbell");
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().code, ErrorCode::not_found);
  EXPECT_NE(profile.error().message.find("network-camera"), std::string::npos);
}

TEST(DeviceProfile, RejectsStreamsOutsideTheirChannelAndMissingMain) {
  const auto make = [](const std::string& streams) {
    return R"({"name": "x", "device": {"manufacturer": "m", "model": "m", "device_type": "t",
      "serial_number": "s", "mac_address": "02:00:00:00:00:00"}, "capabilities": {},
      "channels": [{"id": 1, "name": "c", "sensor": {"width": 640, "height": 480, "frame_rate": 25},
      "streams": )" + streams + "}]}";
  };
  EXPECT_TRUE(DeviceProfile::parse(make(R"([{"id": 101, "role": "main", "name": "m"}])"), "t"));
  EXPECT_FALSE(DeviceProfile::parse(make(R"([{"id": 201, "role": "main", "name": "m"}])"), "t"));
  EXPECT_FALSE(DeviceProfile::parse(make(R"([{"id": 102, "role": "sub", "name": "s"}])"), "t"));
  EXPECT_FALSE(DeviceProfile::parse(make(R"([{"id": 101, "role": "fourth", "name": "m"}])"), "t"));
  EXPECT_FALSE(DeviceProfile::parse("[]", "t"));
}

}  // namespace
}  // namespace camrig::core
