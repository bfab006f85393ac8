// GET /ISAPI/Streaming/channels/<id>/picture: a JPEG of the stream's channel as it is now, at the
// stream's resolution or at ?videoResolutionWidth=&videoResolutionHeight=. Needs live view.
#include <charconv>
#include <string>

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

}  // namespace

void add_picture_routes(http::Router& router, DeviceServices services) {
  router.add(http::beast_http::verb::get, "/ISAPI/Streaming/channels/{id}/picture", security::Permission::live_view,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id_text = context.path_parameters.at("id");
               int id = 0;
               const auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
               const auto* stream = error == std::errc() && end == id_text.data() + id_text.size()
                                        ? services.profile->find_stream(id)
                                        : nullptr;
               if (!stream) return make_error(ErrorCode::not_found, "no streaming channel " + id_text);
               if (!services.snapshot)
                 return make_error(ErrorCode::unavailable, "this device takes no pictures");

               const auto resolution = services.config->get_resolution("stream." + std::to_string(id) + ".resolution");
               media::SnapshotSize size{resolution.width, resolution.height};
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
}

}  // namespace camrig::isapi
