// Routes FFmpeg's own messages (libavcodec, libswscale, the x264/x265 wrappers) into the
// "libav" logger, so they share the device log's sink and level instead of raw stderr.
#pragma once

namespace camrig::media {

//! Installs the bridge once per process; later calls do nothing. Messages below warning level
//! are dropped at the source: encoder banners and per-open statistics are not device events.
void route_libav_logs();

}  // namespace camrig::media
