// Reading a camera's ONVIF metadata track (Profile M/T) as a client does: one RTSP session over TCP
// playing a stream's video and metadata tracks, the tt:MetadataStream documents reassembled from
// their RTP packets up to each marker bit, their scene objects, and their check against the ONVIF
// schema. Shared by the integration tests of the metadata stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pugixml.hpp>

#include "conformance/onvif_schema.hpp"
#include "device/core/base64.hpp"
#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "tests/unit/rtsp/raw_rtsp_client.hpp"

namespace camrig::test {

//! The Authorization header line of RTSP Basic login.
inline std::string rtsp_basic_login(const std::string& user, const std::string& password) {
  return "Authorization: Basic " + core::base64_encode(user + ":" + password) + "\r\n";
}

//! SETUP of the video (trackID=1, interleaved 0-1) and metadata (trackID=2, interleaved 2-3)
//! tracks of `url` in one session, then PLAY: the session id, or what the camera answered instead.
//! A camera just started has no stream to set up until its encoder has run: asked again for up
//! to `first_video`.
inline Result<std::string> play_video_and_metadata(rtsp::test::RawRtspClient& client, const std::string& url,
                                                   const std::string& login,
                                                   std::chrono::milliseconds first_video = std::chrono::seconds(10)) {
  const auto refused = [](const char* step, const std::optional<rtsp::test::RawReply>& reply) {
    return Error{ErrorCode::unavailable, std::string(step) + ": " +
                                             (reply ? std::to_string(reply->status) + "\n" + reply->body : "no answer")};
  };
  const auto give_up = std::chrono::steady_clock::now() + first_video;
  auto video = client.request("SETUP", url + "/trackID=1", login + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  while (video && video->status == 503 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    video = client.request("SETUP", url + "/trackID=1", login + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  }
  if (!video || video->status != 200) return refused("SETUP video", video);
  const auto session = video->header("session").substr(0, video->header("session").find(';'));
  auto metadata = client.request("SETUP", url + "/trackID=2",
                                 login + "Session: " + session + "\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n");
  if (!metadata || metadata->status != 200) return refused("SETUP metadata", metadata);
  auto play = client.request("PLAY", url, login + "Session: " + session + "\r\n");
  if (!play || play->status != 200) return refused("PLAY", play);
  return session;
}

//! One reassembled metadata document.
struct MetadataTrackDocument {
  std::string xml;
  int payload_type = 0;  //!< of its RTP packets; -1 when they disagree
};

//! Reassembles the metadata track's documents from the interleaved frames of a playing session.
class MetadataDocumentReader {
 public:
  explicit MetadataDocumentReader(rtsp::test::RawRtspClient& client, std::uint8_t metadata_channel = 2,
                                  std::uint8_t video_channel = 0)
      : client_(client), metadata_channel_(metadata_channel), video_channel_(video_channel) {}

  //! The next whole document; nullopt when no packet arrives within `silence` or the connection closes.
  std::optional<MetadataTrackDocument> next(std::chrono::milliseconds silence = std::chrono::seconds(2)) {
    for (;;) {
      auto frame = client_.read_frame(silence);
      if (!frame) return std::nullopt;
      if (frame->channel == video_channel_) ++video_packets_;
      if (frame->channel != metadata_channel_ || frame->data.size() < 12) continue;
      const auto second = static_cast<std::uint8_t>(frame->data[1]);
      const int type = second & 0x7f;
      if (document_.empty()) payload_type_ = type;
      else if (type != payload_type_) payload_type_ = -1;
      document_ += frame->data.substr(12);
      if ((second & 0x80) == 0) continue;
      ++documents_;
      MetadataTrackDocument whole{std::move(document_), payload_type_};
      document_.clear();
      return whole;
    }
  }

  int documents() const { return documents_; }
  int video_packets() const { return video_packets_; }

 private:
  rtsp::test::RawRtspClient& client_;
  std::uint8_t metadata_channel_;
  std::uint8_t video_channel_;
  std::string document_;
  int payload_type_ = 0;
  int documents_ = 0;
  int video_packets_ = 0;
};

//! The schema errors of a metadata document ("" when it conforms), validated as the Body of a SOAP
//! envelope, the form the schema validator takes.
inline std::string onvif_schema_errors(const conformance::OnvifSchema& schema, const std::string& document) {
  const auto declaration = document.find("?>");
  const auto body = declaration == std::string::npos ? document : document.substr(declaration + 2);
  std::string text;
  for (const auto& error : schema.validate(
           R"(<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>)" +
           body + "</env:Body></env:Envelope>"))
    text += error.text() + "\n";
  return text;
}

//! "2026-11-22T15:04:05.120Z" as a wall time; nullopt for other text.
inline std::optional<hal::WallTime> parse_onvif_utc(const std::string& text) {
  std::tm tm{};
  int milliseconds = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &milliseconds) != 7)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(milliseconds);
}

//! One tt:Object of a scene description, its box in ONVIF's frame (-1..1, y up: top > bottom).
struct SceneObject {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;  //!< 0: none
  std::string type;          //!< tt:Class/tt:Type; "" without a class
  std::string plate;         //!< tt:LicensePlateInfo/tt:PlateNumber
  double left = 0, top = 0, right = 0, bottom = 0;

  //! Whether `inner` lies within this box, `margin` (ONVIF units) allowed on each side.
  bool contains(const SceneObject& inner, double margin = 0) const {
    return inner.left >= left - margin && inner.right <= right + margin && inner.top <= top + margin &&
           inner.bottom >= bottom - margin;
  }
};

//! The objects of a tt:VideoAnalytics/tt:Frame element.
inline std::vector<SceneObject> scene_objects(const pugi::xml_node& frame) {
  std::vector<SceneObject> objects;
  for (auto element : frame.children("tt:Object")) {
    SceneObject object;
    object.id = element.attribute("ObjectId").as_ullong();
    object.parent = element.attribute("Parent").as_ullong();
    const auto appearance = element.child("tt:Appearance");
    object.type = appearance.child("tt:Class").child_value("tt:Type");
    object.plate = appearance.child("tt:LicensePlateInfo").child_value("tt:PlateNumber");
    const auto box = appearance.child("tt:Shape").child("tt:BoundingBox");
    object.left = box.attribute("left").as_double();
    object.top = box.attribute("top").as_double();
    object.right = box.attribute("right").as_double();
    object.bottom = box.attribute("bottom").as_double();
    objects.push_back(std::move(object));
  }
  return objects;
}

}  // namespace camrig::test
