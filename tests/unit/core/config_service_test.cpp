#include <filesystem>

#include <gtest/gtest.h>

#include "device/core/config_service.hpp"

namespace camrig::core {
namespace {

class ConfigServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConfigService> open(const std::string& profile_name, const std::string& path = ":memory:") {
    auto schema = ConfigSchema::builtin();
    EXPECT_TRUE(schema) << schema.error().message;
    auto profile = DeviceProfile::builtin(profile_name);
    EXPECT_TRUE(profile) << profile.error().message;
    auto service = ConfigService::open(*schema, *profile, path, &bus_);
    EXPECT_TRUE(service) << service.error().message;
    return service ? std::move(*service) : nullptr;
  }

  std::string temp_database() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("camrig-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    cleanup_ = dir;
    return (dir / "config.db").string();
  }

  void TearDown() override {
    if (!cleanup_.empty()) std::filesystem::remove_all(cleanup_);
  }

  EventBus bus_;
  std::filesystem::path cleanup_;
};

TEST_F(ConfigServiceTest, InstantiatesStreamParametersPerProfileStreamWithProfileDefaults) {
  auto config = open("network-camera");
  EXPECT_EQ(config->get_resolution("stream.101.resolution"), (Resolution{1920, 1080}));
  EXPECT_EQ(config->get_resolution("stream.102.resolution"), (Resolution{640, 360}));
  EXPECT_EQ(config->get_int("stream.101.frame_rate"), 25);
  EXPECT_EQ(config->spec("stream.101.frame_rate")->max, 25);
  EXPECT_EQ(config->spec("stream.201.frame_rate"), nullptr);
  EXPECT_THROW(config->get("stream.201.frame_rate"), std::out_of_range);

  auto lpr = open("lpr-camera");
  EXPECT_EQ(lpr->get_resolution("stream.101.resolution"), (Resolution{2688, 1520}));
  EXPECT_EQ(lpr->get_int("stream.101.i_frame_interval"), 32);
  EXPECT_EQ(lpr->spec("stream.101.i_frame_interval")->min, 25);
  EXPECT_EQ(lpr->spec("video.standard"), nullptr) << "the LPR manual has no video standard setting";

  auto ptz = open("smart-linkage-ptz");
  EXPECT_EQ(ptz->keys("stream.201.").size(), ptz->keys("stream.101.").size());
}

TEST_F(ConfigServiceTest, InstantiatesChannelParametersPerProfileChannelWithOverridesByKind) {
  auto ptz = open("smart-linkage-ptz");
  EXPECT_EQ(ptz->keys("channel.1.osd.").size(), ptz->keys("channel.2.osd.").size());
  EXPECT_EQ(ptz->keys("channel.1.image.").size(), ptz->keys("channel.2.image.").size());
  EXPECT_FALSE(ptz->keys("channel.2.image.").empty());
  EXPECT_EQ(ptz->spec("channel.1.image.rotate"), nullptr) << "rotate is a network camera setting";
  EXPECT_EQ(ptz->get_string("channel.1.osd.name.text"), "PTZ");
  EXPECT_EQ(ptz->get_string("channel.2.osd.name.text"), "Panoramic");
  ASSERT_TRUE(ptz->set("channel.2.image.brightness", std::int64_t{80}));
  EXPECT_EQ(ptz->get_int("channel.2.image.brightness"), 80);
  EXPECT_EQ(ptz->get_int("channel.1.image.brightness"), 50);
  const auto refused = ptz->set("channel.2.image.brightness", std::int64_t{101});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("channel.2.image.brightness: Brightness must be between 0 and 100"), std::string::npos)
      << refused.error().message;

  auto fixed = open("network-camera");
  EXPECT_EQ(fixed->get_string("channel.1.osd.name.text"), "Camera 01");
  EXPECT_EQ(fixed->spec("channel.2.image.brightness"), nullptr);
}

TEST_F(ConfigServiceTest, RefusesOutOfRangeValuesWithThePreciseRule) {
  auto config = open("lpr-camera");
  auto result = config->set("stream.101.i_frame_interval", std::int64_t{200});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "stream.101.i_frame_interval: I Frame Interval must be between 25 and 150 frames (got 200)");
  EXPECT_EQ(config->get_int("stream.101.i_frame_interval"), 32);
  auto codec = config->set("stream.101.video_codec", std::string("H.264+"));
  ASSERT_FALSE(codec);
  EXPECT_NE(codec.error().message.find("must be one of H.264, H.265, MJPEG"), std::string::npos);
}

TEST_F(ConfigServiceTest, NamesEveryBadValueAndStoresNoneOfAMixedChange) {
  auto config = open("network-camera");
  auto result = config->apply({{"stream.101.max_bitrate", std::int64_t{8192}},
                               {"stream.101.frame_rate", std::int64_t{60}},
                               {"stream.102.resolution", std::string("1x")}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::out_of_range) << "the first problem decides the code";
  EXPECT_NE(result.error().message.find("stream.101.frame_rate"), std::string::npos);
  EXPECT_NE(result.error().message.find("stream.102.resolution"), std::string::npos);
  EXPECT_EQ(config->get_int("stream.101.max_bitrate"), 4096) << "the valid change must not be stored alone";
}

TEST_F(ConfigServiceTest, UnknownKeyIsNotFound) {
  auto config = open("network-camera");
  auto result = config->set("stream.101.colour", std::string("red"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::not_found);
}

TEST_F(ConfigServiceTest, SmartCodecDisablesTheManualsFieldsButAllowsSavingThemUnchanged) {
  auto config = open("network-camera");
  ASSERT_TRUE(config->set("stream.101.video_codec", std::string("H.264+")));
  EXPECT_FALSE(config->configurable("stream.101.i_frame_interval"));
  EXPECT_TRUE(config->configurable("stream.101.max_average_bitrate"));
  auto refused = config->set("stream.101.i_frame_interval", std::int64_t{25});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::not_configurable);
  EXPECT_EQ(refused.error().message,
            "stream.101.i_frame_interval: I Frame Interval cannot be changed while Video Encoding is H.264+: "
            "H.264+ disables Video Quality, I Frame Interval, Profile, SVC and Smoothing");
  EXPECT_TRUE(config->set("stream.101.i_frame_interval", std::int64_t{50})) << "unchanged value is accepted";
  // Switching codec and interval in one request is judged on the resulting state.
  EXPECT_TRUE(config->apply({{"stream.101.video_codec", std::string("H.264")}, {"stream.101.i_frame_interval", std::int64_t{25}}}));
}

TEST_F(ConfigServiceTest, VideoQualityOnlyWithVariableBitrate) {
  auto config = open("network-camera");
  ASSERT_TRUE(config->set("stream.101.bitrate_type", std::string("constant")));
  EXPECT_FALSE(config->set("stream.101.video_quality", std::string("lowest")));
  EXPECT_TRUE(config->apply({{"stream.101.bitrate_type", std::string("variable")}, {"stream.101.video_quality", std::string("lowest")}}));
}

TEST_F(ConfigServiceTest, AverageBitrateNotAboveMaxBitrate) {
  auto config = open("network-camera");
  ASSERT_TRUE(config->set("stream.101.video_codec", std::string("H.265+")));
  auto refused = config->set("stream.101.max_average_bitrate", std::int64_t{8000});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("should not be higher than Max. Bitrate"), std::string::npos);
  EXPECT_TRUE(config->apply({{"stream.101.max_bitrate", std::int64_t{8192}}, {"stream.101.max_average_bitrate", std::int64_t{8000}}}));
  EXPECT_FALSE(config->set("stream.101.max_bitrate", std::int64_t{4096})) << "lowering max below average is refused too";
}

TEST_F(ConfigServiceTest, SubStreamNeverAboveMainStream) {
  auto config = open("lpr-camera");
  ASSERT_TRUE(config->set("stream.101.resolution", std::string("1280x720")));
  auto refused = config->set("stream.102.resolution", std::string("704x576"));
  ASSERT_TRUE(refused) << "704x576 fits inside 1280x720";
  ASSERT_TRUE(config->set("stream.102.resolution", std::string("352x240")));
  ASSERT_TRUE(config->set("stream.101.resolution", std::string("2688x1520")));
  auto ptz = open("smart-linkage-ptz");
  ASSERT_TRUE(ptz->set("stream.101.resolution", std::string("1280x720")));
  auto too_big = ptz->apply({{"stream.102.resolution", std::string("704x576")}, {"stream.101.resolution", std::string("1280x720")}});
  ASSERT_TRUE(too_big);
  auto main_too_small = open("network-camera");
  ASSERT_TRUE(main_too_small->set("stream.102.resolution", std::string("640x480")));
  auto shrink = main_too_small->set("stream.101.resolution", std::string("1280x720"));
  EXPECT_TRUE(shrink) << "640x480 still fits";
}

TEST_F(ConfigServiceTest, CustomStreamSlotsKeepTheirExistenceAndNameOnRestoreButNotTheirParameters) {
  auto config = open("network-camera");
  ASSERT_NE(config->spec("stream.104.custom.name"), nullptr);
  EXPECT_EQ(config->spec("stream.101.custom.name"), nullptr) << "only custom streams have a user's name";
  EXPECT_EQ(config->spec("stream.103.custom.added"), nullptr);
  EXPECT_EQ(config->spec("stream.104.custom.name")->max_length, 32u);
  ASSERT_TRUE(config->apply({{"stream.104.custom.added", true},
                             {"stream.104.custom.name", std::string("Lobby")},
                             {"stream.104.frame_rate", std::int64_t{5}}}));
  EXPECT_FALSE(config->set("stream.104.custom.name", std::string("a<b")));
  EXPECT_FALSE(config->set("stream.104.resolution", std::string("1920x1080")) &&
               config->set("stream.101.resolution", std::string("1280x720")))
      << "a custom stream is never above the main stream";
  ASSERT_TRUE(config->restore(RestoreMode::restore));
  EXPECT_TRUE(config->get_bool("stream.104.custom.added"));
  EXPECT_EQ(config->get_string("stream.104.custom.name"), "Lobby");
  EXPECT_EQ(config->get_int("stream.104.frame_rate"), 25);
  ASSERT_TRUE(config->restore(RestoreMode::factory_default));
  EXPECT_FALSE(config->get_bool("stream.104.custom.added"));

  // Deleting a stream resets its slot even where a rule would refuse the single change.
  ASSERT_TRUE(config->apply({{"stream.105.custom.added", true}, {"stream.105.video_codec", std::string("H.264+")}}));
  ASSERT_TRUE(config->set("stream.105.max_average_bitrate", std::int64_t{300}));
  ASSERT_FALSE(config->apply({{"stream.105.video_codec", std::string("H.264")}, {"stream.105.max_average_bitrate", std::int64_t{512}}}));
  ASSERT_TRUE(config->reset("stream.105."));
  EXPECT_FALSE(config->get_bool("stream.105.custom.added"));
  EXPECT_EQ(config->get_string("stream.105.video_codec"), "H.264");
  EXPECT_EQ(config->get_int("stream.105.max_average_bitrate"), 512);
  EXPECT_FALSE(config->reset("stream.999."));
}

TEST_F(ConfigServiceTest, MjpegIsRefusedAbove2040PixelsWhereverTheCombinationArises) {
  auto lpr = open("lpr-camera");
  auto refused = lpr->set("stream.101.video_codec", std::string("MJPEG"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("stream.101.resolution: Resolution (2688x1520) must not be above 2040x2040 while "
                                         "Video Encoding is MJPEG"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("RFC 2435"), std::string::npos);
  EXPECT_EQ(lpr->get_string("stream.101.video_codec"), "H.264");

  // Both orders of the two changes, and both together.
  ASSERT_TRUE(lpr->apply({{"stream.101.video_codec", std::string("MJPEG")}, {"stream.101.resolution", std::string("1920x1080")}}));
  EXPECT_FALSE(lpr->set("stream.101.resolution", std::string("2688x1520")));
  ASSERT_TRUE(lpr->set("stream.101.video_codec", std::string("H.265")));
  EXPECT_TRUE(lpr->set("stream.101.resolution", std::string("2688x1520")));
  EXPECT_TRUE(lpr->set("stream.102.video_codec", std::string("MJPEG"))) << "the sub stream is far below the bound";
}

TEST_F(ConfigServiceTest, SubStreamAboveMainIsRefusedWithTheManualsReason) {
  auto schema = ConfigSchema::builtin();
  ASSERT_TRUE(schema);
  auto profile = DeviceProfile::builtin("smart-linkage-ptz");
  ASSERT_TRUE(profile);
  profile->parameters["stream.101.resolution"] = {{"values", {"1920x1080", "1280x720", "640x360"}}};
  auto config = ConfigService::open(*schema, *profile, ":memory:", nullptr);
  ASSERT_TRUE(config) << config.error().message;
  auto third_too_big = (*config)->set("stream.101.resolution", std::string("640x360"));
  ASSERT_FALSE(third_too_big) << "the third stream (1280x720) would be above the main stream";
  EXPECT_NE(third_too_big.error().message.find("stream.103.resolution"), std::string::npos) << third_too_big.error().message;
  auto refused = (*config)->apply({{"stream.101.resolution", std::string("640x360")}, {"stream.103.resolution", std::string("640x360")}});
  ASSERT_TRUE(refused) << "sub 640x360 equals main 640x360";
  auto bigger_sub = (*config)->set("stream.102.resolution", std::string("704x576"));
  ASSERT_FALSE(bigger_sub);
  EXPECT_NE(bigger_sub.error().message.find("cannot exceed that of the main stream"), std::string::npos)
      << bigger_sub.error().message;
}

TEST_F(ConfigServiceTest, PublishesChangedKeysOnTheBus) {
  auto config = open("network-camera");
  auto changes = bus_.subscribe<ConfigChanged>();
  ASSERT_TRUE(config->apply({{"stream.101.max_bitrate", std::int64_t{2048}}, {"stream.101.frame_rate", std::int64_t{25}}}));
  auto event = changes->try_pop();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->keys, std::vector<std::string>{"stream.101.max_bitrate"}) << "unchanged values are not announced";
  ASSERT_FALSE(config->set("stream.101.max_bitrate", std::int64_t{1}));
  EXPECT_FALSE(changes->try_pop()) << "a refused change announces nothing";
}

TEST_F(ConfigServiceTest, SetTextParsesPerType) {
  auto config = open("network-camera");
  EXPECT_TRUE(config->set_text("stream.101.max_bitrate", "1024"));
  EXPECT_EQ(config->get_int("stream.101.max_bitrate"), 1024);
  EXPECT_TRUE(config->set_text("stream.101.svc", "true"));
  EXPECT_FALSE(config->set_text("stream.101.svc", "maybe"));
  EXPECT_TRUE(config->set_text("stream.101.resolution", "1280*720"));
  EXPECT_EQ(config->get_string("stream.101.resolution"), "1280x720") << "stored normalised";
}

TEST_F(ConfigServiceTest, ValuesSurviveReopening) {
  const auto path = temp_database();
  {
    auto config = open("network-camera", path);
    ASSERT_TRUE(config->set("stream.101.max_bitrate", std::int64_t{3000}));
    ASSERT_TRUE(config->set("device.name", std::string("Gate 3")));
  }
  auto reopened = open("network-camera", path);
  EXPECT_EQ(reopened->get_int("stream.101.max_bitrate"), 3000);
  EXPECT_EQ(reopened->get_string("device.name"), "Gate 3");
}

TEST_F(ConfigServiceTest, RestoreKeepsNetworkAndVideoStandardDefaultResetsAll) {
  const auto path = temp_database();
  auto config = open("network-camera", path);
  ASSERT_TRUE(config->apply({{"network.rtsp_port", std::int64_t{8554}},
                             {"video.standard", std::string("NTSC")},
                             {"stream.101.max_bitrate", std::int64_t{1024}},
                             {"device.name", std::string("Lobby")}}));
  ASSERT_TRUE(config->restore(RestoreMode::restore));
  EXPECT_EQ(config->get_int("network.rtsp_port"), 8554);
  EXPECT_EQ(config->get_string("video.standard"), "NTSC");
  EXPECT_EQ(config->get_int("stream.101.max_bitrate"), 4096);
  EXPECT_EQ(config->get_string("device.name"), "IP CAMERA");
  ASSERT_TRUE(config->restore(RestoreMode::factory_default));
  EXPECT_EQ(config->get_int("network.rtsp_port"), 554);
  EXPECT_EQ(config->get_string("video.standard"), "PAL");
  config.reset();
  auto reopened = open("network-camera", path);
  EXPECT_EQ(reopened->get_int("network.rtsp_port"), 554) << "the reset is persisted";
}

TEST_F(ConfigServiceTest, ProfileOverrideOfAnUnknownParameterIsRefused) {
  auto schema = ConfigSchema::builtin();
  auto profile = DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(schema && profile);
  profile->parameters["stream.*.colour"] = {{"default", "red"}};
  auto config = ConfigService::open(*schema, *profile, ":memory:", nullptr);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("stream.*.colour"), std::string::npos);
}

}  // namespace
}  // namespace camrig::core
