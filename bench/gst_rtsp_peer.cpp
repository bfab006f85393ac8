// The peer of the fan-out benchmark: GStreamer's RTSP server (gst-rtsp-server) serving the same
// H.264 Annex B file as rtsp_file_server, cut into the same access units and pushed at the same
// 25 fps into one shared media "appsrc ! rtph264pay" at /Streaming/Channels/101. The buffers wrap
// the file's bytes (no copy). Runs until SIGINT/SIGTERM; bench/rtsp_fanout.sh starts it.
//
//   ./build/bench/bench/gst_rtsp_peer --input /tmp/road_1080p25.h264 [--port N]   (0 = any free port)
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include <glib-unix.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include "bench/annex_b_file.hpp"

namespace {

using namespace std::chrono_literals;

//! The appsrc of the shared media once it exists (the server builds it on the first DESCRIBE).
struct Feed {
  std::mutex mutex;
  GstElement* appsrc = nullptr;  // owned reference
};

void on_media_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer user_data) {
  auto* feed = static_cast<Feed*>(user_data);
  GstElement* element = gst_rtsp_media_get_element(media);
  GstElement* appsrc = gst_bin_get_by_name_recurse_up(reinterpret_cast<GstBin*>(element), "src");
  gst_object_unref(element);
  std::lock_guard lock(feed->mutex);
  if (feed->appsrc) gst_object_unref(feed->appsrc);
  feed->appsrc = appsrc;
}

gboolean on_signal(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

bool parse_arguments(int argc, char** argv, std::string& input, std::string& port) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--input") == 0) input = argv[i + 1];
    else if (std::strcmp(argv[i], "--port") == 0) port = argv[i + 1];
    else return false;
  }
  return !input.empty() && argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string input;
  std::string port = "0";
  if (!parse_arguments(argc, argv, input, port)) {
    std::fprintf(stderr, "usage: %s --input FILE.h264 [--port N (0: any free port)]\n", argv[0]);
    return 2;
  }
  const auto file = camrig::bench::read_annex_b_file(input);
  if (!file) {
    std::fprintf(stderr, "%s: not a readable H.264 Annex B file with SPS, PPS and pictures\n", input.c_str());
    return 1;
  }

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, port.c_str());
  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  // Same MTU as camrig's default (1400), so both send the same number of RTP packets per frame.
  gst_rtsp_media_factory_set_launch(
      factory,
      "( appsrc name=src is-live=true format=time do-timestamp=true "
      "caps=video/x-h264,stream-format=byte-stream,alignment=au,width=1920,height=1080,framerate=25/1 "
      "! rtph264pay name=pay0 pt=96 mtu=1400 )");
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  gst_rtsp_media_factory_set_protocols(factory, static_cast<GstRTSPLowerTrans>(GST_RTSP_LOWER_TRANS_TCP | GST_RTSP_LOWER_TRANS_UDP));
  Feed feed;
  g_signal_connect_data(factory, "media-configure", reinterpret_cast<GCallback>(on_media_configure), &feed, nullptr,
                        static_cast<GConnectFlags>(0));
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/Streaming/Channels/101", factory);
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%s\n", port.c_str());
    return 1;
  }
  g_unix_signal_add(SIGINT, on_signal, loop);
  g_unix_signal_add(SIGTERM, on_signal, loop);

  // Paced like rtsp_file_server: one access unit every 40 ms on a regular grid, from the start.
  std::jthread publisher([&](std::stop_token stop) {
    const auto begin = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; !stop.stop_requested(); ++i) {
      std::this_thread::sleep_until(begin + i * 40ms);
      const auto& unit = file->access_units[i % file->access_units.size()];
      GstElement* appsrc = nullptr;
      {
        std::lock_guard lock(feed.mutex);
        if (feed.appsrc) appsrc = static_cast<GstElement*>(gst_object_ref(feed.appsrc));
      }
      if (!appsrc) continue;
      auto* data = const_cast<std::uint8_t*>(file->bytes.data() + unit.offset);
      GstBuffer* buffer = gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, data, unit.size, 0, unit.size, nullptr, nullptr);
      if (!unit.keyframe) gst_buffer_set_flags(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
      gst_app_src_push_buffer(reinterpret_cast<GstAppSrc*>(appsrc), buffer);
      gst_object_unref(appsrc);
    }
  });

  std::printf("serving %s (%zu access units) at rtsp://127.0.0.1:%d/Streaming/Channels/101\n", input.c_str(),
              file->access_units.size(), gst_rtsp_server_get_bound_port(server));
  std::fflush(stdout);
  g_main_loop_run(loop);
  publisher.request_stop();
  publisher.join();
  {
    std::lock_guard lock(feed.mutex);
    if (feed.appsrc) gst_object_unref(feed.appsrc);
  }
  g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
