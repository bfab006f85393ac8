// GET /ISAPI/Streaming/channels/<id>/picture: a JPEG of the stream's channel as it is now, at the
// stream's resolution (turned with the channel's Rotate, as its streams are) or at
// ?videoResolutionWidth=&videoResolutionHeight=. GET .../httpPreview: an MJPEG stream's JPEGs as
// they are encoded, pushed as multipart/x-mixed-replace (the live view's "MJPEG" mode). Live view.
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "device/isapi/isapi.hpp"

namespace camrig::isapi {
namespace {

Result<int> query_int(const http::RequestContext& context, const std::string& name) {
  const auto& text = context.query.at(name);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    return make_error(ErrorCode::invalid_argument, name + " must be a whole number of pixels (got '" + text + "')");
  return value;
}

// A stream of the profile that exists: a custom stream slot not added has no picture and no
// preview, as it has no RTSP mount.
Result<const core::StreamProfile*> existing_stream(const DeviceServices& services, const std::string& id_text) {
  int id = 0;
  const auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  const auto* stream =
      error == std::errc() && end == id_text.data() + id_text.size() ? services.profile->find_stream(id) : nullptr;
  const auto added = "stream." + std::to_string(id) + ".custom.added";
  if (!stream || (services.config->spec(added) && !services.config->get_bool(added)))
    return make_error(ErrorCode::not_found, "no streaming channel " + id_text);
  return stream;
}

constexpr const char* k_preview_boundary = "camrigpreview";

// One httpPreview client: its response body and its place among the stream's consumers. Owned
// by the consumer callback; it leaves the stream once the client has gone or the stream stops
// being MJPEG.
struct PreviewClient {
  std::shared_ptr<http::ResponseStream> body;
  std::weak_ptr<media::StreamHub> hub;
  std::mutex mutex;  // guards subscription: set by the request thread, reset by the encoder's
  media::StreamHub::Subscription subscription;

  bool sent_any = false;

  void on_packet(const media::EncodedPacketPtr& packet) {
    const auto stream = hub.lock();
    const auto description = stream ? stream->description() : std::nullopt;
    const bool mjpeg = description && description->codec == media::VideoCodec::mjpeg;
    // Packets of the encoder the stream had before it was set to MJPEG are skipped; once the
    // stream has been MJPEG, another codec ends the preview.
    if (body->closed() || (!mjpeg && sent_any)) {
      body->close();
      std::lock_guard lock(mutex);
      subscription.reset();
      return;
    }
    if (!mjpeg) return;
    sent_any = true;
    std::string part = "--" + std::string(k_preview_boundary) + "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                       std::to_string(packet->data.size()) + "\r\n\r\n";
    part.append(packet->data.begin(), packet->data.end());
    part += "\r\n";
    // A client that reads slower than the stream misses whole pictures, never parts of one.
    (void)body->write(std::move(part));
  }
};

}  // namespace

void add_picture_routes(http::Router& router, DeviceServices services) {
  router.add(http::beast_http::verb::get, "/ISAPI/Streaming/channels/{id}/picture", security::Permission::live_view,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto found = existing_stream(services, context.path_parameters.at("id"));
               if (!found) return found.error();
               const auto* stream = *found;
               if (!services.snapshot)
                 return make_error(ErrorCode::unavailable, "this device takes no pictures");

               const auto resolution = services.config->get_resolution("stream." + std::to_string(stream->id) + ".resolution");
               media::SnapshotSize size{resolution.width, resolution.height};
               if (const auto rotate = "channel." + std::to_string(stream->channel) + ".image.rotate";
                   services.config->spec(rotate) && services.config->get_bool(rotate))
                 std::swap(size.width, size.height);
               const bool has_width = context.query.contains("videoResolutionWidth");
               if (has_width != context.query.contains("videoResolutionHeight"))
                 return make_error(ErrorCode::invalid_argument,
                                   "give both videoResolutionWidth and videoResolutionHeight, or neither");
               if (has_width) {
                 auto width = query_int(context, "videoResolutionWidth");
                 if (!width) return width.error();
                 auto height = query_int(context, "videoResolutionHeight");
                 if (!height) return height.error();
                 size = {*width, *height};
               }
               auto picture = services.snapshot(stream->channel, size);
               if (!picture) return picture.error();
               http::Reply reply;
               reply.response.result(http::beast_http::status::ok);
               reply.response.set(http::beast_http::field::content_type, "image/jpeg");
               reply.response.body().assign(picture->jpeg.begin(), picture->jpeg.end());
               return reply;
             });

  if (!services.stream_hub) return;
  router.add(http::beast_http::verb::get, "/ISAPI/Streaming/channels/{id}/httpPreview", security::Permission::live_view,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto found = existing_stream(services, context.path_parameters.at("id"));
               if (!found) return found.error();
               const int id = (*found)->id;
               auto hub = services.stream_hub(id);
               if (!hub || !services.config->get_bool("stream." + std::to_string(id) + ".enabled"))
                 return make_error(ErrorCode::unavailable, "stream " + std::to_string(id) + " is not enabled");
               // The preview is the stream's own encoding: the stream must be MJPEG, so that every
               // client shares one encoder, as RTSP clients do.
               if (const auto codec = services.config->get_string("stream." + std::to_string(id) + ".video_codec"); codec != "MJPEG")
                 return make_error(ErrorCode::not_configurable, "httpPreview serves MJPEG streams; stream " + std::to_string(id) +
                                                                    " is " + codec + " (set its videoCodecType to MJPEG)");
               auto client = std::make_shared<PreviewClient>();
               // A few pictures of slack: a client that falls further behind skips pictures.
               client->body = std::make_shared<http::ResponseStream>(4);
               client->hub = hub;
               {
                 std::lock_guard lock(client->mutex);
                 client->subscription = hub->subscribe([client](const media::EncodedPacketPtr& packet) { client->on_packet(packet); });
               }
               http::Reply reply;
               reply.response.result(http::beast_http::status::ok);
               reply.response.set(http::beast_http::field::content_type,
                                  std::string("multipart/x-mixed-replace; boundary=") + k_preview_boundary);
               reply.response.set(http::beast_http::field::cache_control, "no-cache");
               reply.stream = client->body;
               return reply;
             });
}

}  // namespace camrig::isapi
