#include "device/media/annex_b.hpp"

#include <gtest/gtest.h>

namespace camrig::media {
namespace {

std::vector<std::vector<std::uint8_t>> units_of(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::vector<std::uint8_t>> units;
  for (const auto& unit : split_annex_b(bytes)) units.emplace_back(unit.begin(), unit.end());
  return units;
}

TEST(AnnexB, SplitsOnThreeAndFourByteStartCodes) {
  const std::vector<std::uint8_t> stream{0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5};
  const auto units = units_of(stream);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0], (std::vector<std::uint8_t>{0x67, 1, 2}));
  EXPECT_EQ(units[1], (std::vector<std::uint8_t>{0x68, 3}));
  EXPECT_EQ(units[2], (std::vector<std::uint8_t>{0x65, 4, 5}));
  EXPECT_EQ(nal_unit_type(VideoCodec::h264, split_annex_b(stream)[0]), nal::h264_sps);
  EXPECT_EQ(nal_unit_type(VideoCodec::h264, split_annex_b(stream)[2]), nal::h264_idr);
}

TEST(AnnexB, KeepsEmulationPreventedZerosInsideAUnit) {
  const std::vector<std::uint8_t> stream{0, 0, 1, 0x41, 0, 0, 3, 1, 7};
  const auto units = units_of(stream);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0], (std::vector<std::uint8_t>{0x41, 0, 0, 3, 1, 7}));
}

TEST(AnnexB, TrailingZeroBytesBelongToNoUnit) {
  const std::vector<std::uint8_t> stream{0, 0, 1, 0x41, 9, 0, 0, 0, 0, 1, 0x65, 4, 5, 0, 0};
  const auto units = units_of(stream);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0], (std::vector<std::uint8_t>{0x41, 9}));
  EXPECT_EQ(units[1], (std::vector<std::uint8_t>{0x65, 4, 5}));
}

TEST(AnnexB, NalUnitRangesAreTheUnitsAsOffsetsIntoTheAccessUnit) {
  const std::vector<std::uint8_t> access_unit{0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5, 0};
  EXPECT_EQ(nal_unit_ranges(access_unit), (std::vector<NalUnitRange>{{4, 3}, {10, 2}, {16, 3}}));
  EXPECT_TRUE(nal_unit_ranges({}).empty());
}

TEST(AnnexB, EmptyOrStartCodeFreeInputHasNoUnits) {
  EXPECT_TRUE(units_of({}).empty());
  EXPECT_TRUE(units_of({1, 2, 3}).empty());
  EXPECT_TRUE(units_of({0, 0, 1}).empty());
}

TEST(AnnexB, H265TypeIsSixBitsAfterTheForbiddenBit) {
  const std::vector<std::uint8_t> vps{0x40, 0x01};
  const std::vector<std::uint8_t> idr{0x26, 0x01};
  EXPECT_EQ(nal_unit_type(VideoCodec::h265, vps), nal::h265_vps);
  EXPECT_EQ(nal_unit_type(VideoCodec::h265, idr), nal::h265_idr_w_radl);
}

}  // namespace
}  // namespace camrig::media
