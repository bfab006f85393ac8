#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"

namespace camrig::core {
namespace {

ParameterSpec make_spec(std::string key, std::string label, ParameterType type, ConfigValue default_value) {
  ParameterSpec spec;
  spec.key = std::move(key);
  spec.label = std::move(label);
  spec.type = type;
  spec.default_value = std::move(default_value);
  return spec;
}

TEST(ConfigSchema, BuiltinSchemaLoadsAndDeclaresTheStreamParameters) {
  auto schema = ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  std::vector<std::string> keys;
  for (const auto& spec : schema->parameters()) keys.push_back(spec.key);
  for (const auto* expected :
       {"stream.*.stream_type", "stream.*.video_codec", "stream.*.resolution", "stream.*.frame_rate",
        "stream.*.bitrate_type", "stream.*.max_bitrate", "stream.*.i_frame_interval", "stream.*.encoding_profile"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), expected), keys.end()) << expected;
}

TEST(ConfigSchema, RejectsADefaultOutsideItsOwnRange) {
  auto schema = ConfigSchema::parse(
      R"({"parameters": [{"key": "a.b", "label": "B", "type": "integer", "min": 1, "max": 5, "default": 9}]})", "t.json");
  ASSERT_FALSE(schema);
  EXPECT_NE(schema.error().message.find("between 1 and 5"), std::string::npos) << schema.error().message;
}

TEST(ConfigSchema, RejectsUnknownTypesAndMalformedJson) {
  EXPECT_FALSE(ConfigSchema::parse(R"({"parameters": [{"key": "a", "label": "A", "type": "float", "default": 1}]})", "t"));
  EXPECT_FALSE(ConfigSchema::parse("{not json", "t"));
  EXPECT_FALSE(ConfigSchema::parse(R"({"parameters": [{"label": "no key", "type": "text", "default": ""}]})", "t"));
}

TEST(ConfigSchema, MergeRefusesADuplicateKey) {
  const char* text = R"({"parameters": [{"key": "a.b", "label": "B", "type": "boolean", "default": true}]})";
  auto first = ConfigSchema::parse(text, "1");
  auto second = ConfigSchema::parse(text, "2");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->merge(std::move(*second)));
}

TEST(ParameterSpec, ChecksRangesListsLengthsAndCharacters) {
  auto bitrate = make_spec("stream.101.max_bitrate", "Max. Bitrate", ParameterType::integer, std::int64_t{4096});
  bitrate.min = 32;
  bitrate.max = 16384;
  bitrate.unit = "Kbps";
  EXPECT_TRUE(bitrate.check(std::int64_t{32}));
  auto too_high = bitrate.check(std::int64_t{20000});
  ASSERT_FALSE(too_high);
  EXPECT_EQ(too_high.error().code, ErrorCode::out_of_range);
  EXPECT_EQ(too_high.error().message,
            "stream.101.max_bitrate: Max. Bitrate must be between 32 and 16384 Kbps (got 20000)");

  auto name = make_spec("device.name", "Device Name", ParameterType::text, std::string("cam"));
  name.max_length = 32;
  name.forbidden_characters = "&<>'\"";
  EXPECT_TRUE(name.check(std::string(32, 'x')));
  EXPECT_FALSE(name.check(std::string(33, 'x')));
  auto forbidden = name.check(std::string("a<b"));
  ASSERT_FALSE(forbidden);
  EXPECT_NE(forbidden.error().message.find("found '<'"), std::string::npos);

  auto resolution = make_spec("r", "Resolution", ParameterType::resolution, std::string("1920x1080"));
  resolution.values = {"1920x1080", "1280x720"};
  EXPECT_TRUE(resolution.check(std::string("1280*720")));
  EXPECT_FALSE(resolution.check(std::string("800x600")));
  EXPECT_FALSE(resolution.check(std::string("wide")));
}

TEST(ParameterSpec, CoercesCompatibleTypesAndRefusesOthers) {
  auto integer = make_spec("i", "I", ParameterType::integer, std::int64_t{1});
  EXPECT_EQ(*integer.coerce(25.0), ConfigValue(std::int64_t{25}));
  EXPECT_FALSE(integer.coerce(25.5));
  EXPECT_FALSE(integer.coerce(std::string("25")));
  auto number = make_spec("n", "N", ParameterType::number, 1.0);
  EXPECT_EQ(*number.coerce(std::int64_t{2}), ConfigValue(2.0));
  EXPECT_FALSE(number.coerce(true));
}

TEST(ParameterSpec, ParsesTheTextForm) {
  auto flag = make_spec("f", "F", ParameterType::boolean, false);
  EXPECT_EQ(*flag.parse("true"), ConfigValue(true));
  EXPECT_FALSE(flag.parse("yes"));
  auto integer = make_spec("i", "I", ParameterType::integer, std::int64_t{1});
  EXPECT_EQ(*integer.parse("-12"), ConfigValue(std::int64_t{-12}));
  EXPECT_FALSE(integer.parse("12abc"));
  EXPECT_FALSE(integer.parse(""));
}

}  // namespace
}  // namespace camrig::core
