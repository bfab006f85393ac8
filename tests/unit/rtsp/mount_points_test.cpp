#include "device/rtsp/mount_points.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

int stream_of(std::string_view url) {
  auto target = resolve_mount(url);
  return target ? target->stream_id : -1;
}

TEST(MountPoints, MapsStreamingChannelsUrls) {
  EXPECT_EQ(stream_of("rtsp://10.0.0.5:554/Streaming/Channels/101"), 101);
  EXPECT_EQ(stream_of("rtsp://10.0.0.5/Streaming/Channels/102/"), 102);
  EXPECT_EQ(stream_of("rtsp://cam/streaming/channels/201?transportmode=unicast"), 201);
  EXPECT_EQ(stream_of("/Streaming/Channels/101"), 101);
  EXPECT_EQ(stream_of("rtsp://cam/Streaming/Channels/103"), 103) << "third stream";
  EXPECT_EQ(stream_of("rtsp://cam/Streaming/Channels/104"), 104) << "custom stream";
}

TEST(MountPoints, MapsLivemediaUrls) {
  EXPECT_EQ(stream_of("rtsp://cam/video/livemedia?Ch=1&Streamtype=0"), 101);
  EXPECT_EQ(stream_of("rtsp://cam/video/livemedia?Ch=1&Streamtype=1"), 102);
  EXPECT_EQ(stream_of("rtsp://cam:8554/video/livemedia?Streamtype=1&Ch=2"), 202);
}

TEST(MountPoints, ReadsTheTrackOfSetupUrls) {
  auto target = resolve_mount("rtsp://cam/Streaming/Channels/101/trackID=1");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->stream_id, 101);
  EXPECT_EQ(target->track_id, 1);
  auto livemedia = resolve_mount("rtsp://cam/video/livemedia?Ch=1&Streamtype=1/trackID=1");
  ASSERT_TRUE(livemedia.ok());
  EXPECT_EQ(livemedia->stream_id, 102);
  EXPECT_EQ(livemedia->track_id, 1);
}

TEST(MountPoints, RejectsUnknownUrlsAndBadIds) {
  for (const char* url : {"rtsp://cam/", "rtsp://cam/Streaming/Channels/", "rtsp://cam/Streaming/Channels/abc",
                          "rtsp://cam/Streaming/Channels/100", "rtsp://cam/Streaming/Channels/1",
                          "rtsp://cam/Streaming/Channels/10001", "rtsp://cam/Streaming/Channels/-101",
                          "rtsp://cam/video/livemedia?Ch=1&Streamtype=2", "rtsp://cam/video/livemedia?Streamtype=0",
                          "rtsp://cam/video/livemedia?Ch=x", "rtsp://cam/video/livemedia?Ch=001095280755&Streamtype=0",
                          "rtsp://cam/video/livemedia?Ch=0&Streamtype=0", "rtsp://cam/other/101"}) {
    auto target = resolve_mount(url);
    ASSERT_FALSE(target.ok()) << url;
    EXPECT_EQ(target.error().code, ErrorCode::not_found) << url;
  }
}

}  // namespace
}  // namespace camrig::rtsp
