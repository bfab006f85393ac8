// Which stream an RTSP URL names. The camera's two URL schemes map to stream ids
// (channel * 100 + 1 for the main stream, + 2 for the sub stream):
//   rtsp://host[:port]/Streaming/Channels/<id>[/]              e.g. 101, 102, 201
//   rtsp://host[:port]/video/livemedia?Ch=<n>&Streamtype=<0|1>  0 = main, 1 = sub
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::rtsp {

struct MountTarget {
  int stream_id = 0;
  //! The media control suffix ("trackID=1") of a SETUP URL, when present.
  std::optional<int> track_id;
};

//! not_found for a URL no stream lives at (404).
Result<MountTarget> resolve_mount(std::string_view url);

}  // namespace camrig::rtsp
