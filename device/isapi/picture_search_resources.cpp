// The LPR camera's stored pictures over ISAPI (LPR manual "Picture Query", "Snapshot Search",
// "Watermark"): search by time, plate, event type and direction; fetch, export (ZIP) and watermark
// verification; and the picture settings document (snapshot, picture OSD, cutouts, storage).
// Paths and elements in device/traffic/README.md.
#include "device/core/wall_time_format.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/settings_resource.hpp"
#include "device/isapi/xml.hpp"
#include "device/storage/picture_store.hpp"
#include "device/traffic/picture_osd.hpp"
#include "device/traffic/picture_recorder.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

// At most this many pictures in one export: a ZIP is built in memory.
constexpr std::size_t k_max_export = 500;

const std::vector<SettingsField> k_picture_fields = {
    {"Snapshot", "resolution", "pictures.snapshot.resolution"},
    {"Snapshot", "maxSize", "pictures.snapshot.max_size"},
    {"Snapshot", "quality", "pictures.snapshot.quality"},
    {"PictureOSD", "blackBar", "pictures.osd.bar"},
    {"PictureOSD", "fontSize", "pictures.osd.font_size"},
    {"PictureOSD", "fontColor", "pictures.osd.font_colour"},
    {"PictureOSD", "separator", "pictures.osd.separator"},
    {"PictureOSD", "wordWrap", "pictures.osd.word_wrap"},
    {"PictureOSD", "titleBoxes", "pictures.osd.title_boxes"},
    {"Cutout", "plate", "pictures.cutout.plate"},
    {"Cutout", "vehicleBody", "pictures.cutout.vehicle"},
    {"PlateOverlay", "enabled", "pictures.plate_overlay.enabled"},
    {"PlateOverlay", "x", "pictures.plate_overlay.x"},
    {"PlateOverlay", "y", "pictures.plate_overlay.y"},
    {"PlateOverlay", "width", "pictures.plate_overlay.width"},
    {"PlateOverlay", "height", "pictures.plate_overlay.height"},
    {"Storage", "local", "pictures.storage.local"},
    {"Storage", "diskFull", "pictures.storage.disk_full"},
};

// ?startTime=&endTime= (ISO 8601 with a zone), ?plate= (part of the plate), ?eventType=LPR|manual,
// ?direction=approaching|leaving|unknown, ?kind=scene|scene2|plate|vehicle,
// ?searchResultPosition= (from 0) and ?maxResults= (1..500, 50 by default).
Result<storage::PictureQuery> query_from(const http::RequestContext& context) {
  storage::PictureQuery query;
  for (const auto& [name, bound] : {std::pair{"startTime", &query.from}, std::pair{"endTime", &query.to}}) {
    if (auto text = context.query_value(name); text && !text->empty()) {
      auto time = traffic::parse_time(*text);
      if (!time) return make_error(time.error().code, std::string(name) + ": " + time.error().message);
      *bound = *time;
    }
  }
  query.plate = context.query_value("plate").value_or("");
  query.event_type = context.query_value("eventType").value_or("");
  if (query.event_type == "all") query.event_type.clear();
  if (!query.event_type.empty() && query.event_type != "LPR" && query.event_type != "manual")
    return make_error(ErrorCode::invalid_argument, "eventType must be all, LPR or manual (got '" + query.event_type + "')");
  query.direction = context.query_value("direction").value_or("");
  if (query.direction == "all") query.direction.clear();
  if (!query.direction.empty() && query.direction != "approaching" && query.direction != "leaving" &&
      query.direction != "unknown")
    return make_error(ErrorCode::invalid_argument,
                      "direction must be all, approaching, leaving or unknown (got '" + query.direction + "')");
  query.kind = context.query_value("kind").value_or("");
  if (auto text = context.query_value("searchResultPosition"); text && !text->empty()) {
    const auto position = parse_integer(*text);
    if (!position || *position < 0)
      return make_error(ErrorCode::invalid_argument, "searchResultPosition must be a whole number from 0 (got '" + *text + "')");
    query.offset = static_cast<std::size_t>(*position);
  }
  if (auto text = context.query_value("maxResults"); text && !text->empty()) {
    const auto max = parse_integer(*text);
    if (!max || *max < 1 || *max > static_cast<std::int64_t>(storage::PictureStore::k_max_page))
      return make_error(ErrorCode::out_of_range, "maxResults must be 1 to 500 (got '" + *text + "')");
    query.limit = static_cast<std::size_t>(*max);
  }
  return query;
}

Result<std::uint64_t> picture_id(const http::RequestContext& context) {
  const auto& text = context.path_parameters.at("id");
  const auto id = parse_integer(text);
  if (!id || *id < 1) return make_error(ErrorCode::not_found, "no picture " + text);
  return static_cast<std::uint64_t>(*id);
}

http::Reply watermark_document(storage::WatermarkStatus status, std::optional<std::uint64_t> id) {
  pugi::xml_document doc;
  auto root = new_document(doc, "WatermarkCheck");
  if (id) root.append_child("id").text() = static_cast<unsigned long long>(*id);
  root.append_child("status").text() = std::string(storage::to_string(status)).c_str();
  // The manual's words: "Normal" (no tampering detected) or "Error".
  root.append_child("result").text() = status == storage::WatermarkStatus::intact ? "Normal" : "Error";
  return xml_reply(doc);
}

// What the parameters' own checks cannot see: the title boxes and the font colour are text to
// the config service.
Result<void> check_picture_settings(pugi::xml_node root) {
  if (const auto boxes = text_at(root, {"PictureOSD", "titleBoxes"}))
    if (auto parsed = traffic::parse_title_boxes(*boxes); !parsed) return parsed.error();
  if (const auto colour = text_at(root, {"PictureOSD", "fontColor"}); colour && !traffic::parse_osd_colour(*colour))
    return make_error(ErrorCode::invalid_argument, "<fontColor> must be #RRGGBB (got '" + *colour + "')");
  return {};
}

}  // namespace

void add_picture_search_routes(http::Router& router, DeviceServices services) {
  auto* store = services.pictures;

  router.add(verb::get, "/ISAPI/Traffic/pictureSearch", security::Permission::live_view,
             [store](http::RequestContext& context) -> Result<http::Reply> {
               auto query = query_from(context);
               if (!query) return query.error();
               auto page = store->search(*query);
               if (!page) return page.error();
               pugi::xml_document doc;
               auto root = new_document(doc, "PictureSearchResult");
               root.append_child("totalMatches").text() = static_cast<unsigned long long>(page->total);
               root.append_child("numOfMatches").text() = static_cast<unsigned long long>(page->pictures.size());
               auto list = root.append_child("PictureList");
               for (const auto& found : page->pictures) {
                 auto picture = list.append_child("Picture");
                 picture.append_child("id").text() = static_cast<unsigned long long>(found.id);
                 picture.append_child("captureTime").text() = core::format_utc_iso8601(found.info.time).c_str();
                 picture.append_child("channel").text() = found.info.channel;
                 picture.append_child("eventType").text() = found.info.event_type.c_str();
                 picture.append_child("kind").text() = found.info.kind.c_str();
                 picture.append_child("plateNumber").text() = found.info.plate.c_str();
                 picture.append_child("direction").text() = found.info.direction.c_str();
                 picture.append_child("captureID").text() = static_cast<unsigned long long>(found.info.capture_id);
                 picture.append_child("size").text() = static_cast<unsigned long long>(found.size_bytes);
                 picture.append_child("fileName").text() = found.path.c_str();
                 picture.append_child("uri").text() = traffic::picture_uri(found.id).c_str();
                 picture.append_child("watermark").text() = found.watermark.c_str();
               }
               return xml_reply(doc);
             });

  router.add(verb::get, "/ISAPI/Traffic/pictureSearch/export", security::Permission::live_view,
             [store](http::RequestContext& context) -> Result<http::Reply> {
               auto query = query_from(context);
               if (!query) return query.error();
               auto zip = traffic::export_pictures(*store, *query, k_max_export);
               if (!zip) return zip.error();
               http::Reply reply;
               reply.response.set(http::beast_http::field::content_type, "application/zip");
               reply.response.set(http::beast_http::field::content_disposition, "attachment; filename=\"pictures.zip\"");
               reply.response.body() = std::move(*zip);
               return reply;
             });

  router.add(verb::get, "/ISAPI/Traffic/pictures/{id}", security::Permission::live_view,
             [store](http::RequestContext& context) -> Result<http::Reply> {
               auto id = picture_id(context);
               if (!id) return id.error();
               auto bytes = store->read(*id);
               if (!bytes) return bytes.error();
               http::Reply reply;
               reply.response.set(http::beast_http::field::content_type, "image/jpeg");
               reply.response.body().assign(bytes->begin(), bytes->end());
               return reply;
             });

  router.add(verb::get, "/ISAPI/Traffic/pictures/{id}/watermark", security::Permission::live_view,
             [store](http::RequestContext& context) -> Result<http::Reply> {
               auto id = picture_id(context);
               if (!id) return id.error();
               auto status = store->verify(*id);
               if (!status) return status.error();
               return watermark_document(*status, *id);
             });

  // "View Local Image → Watermark": a picture downloaded earlier, sent back as the body.
  router.add(verb::post, "/ISAPI/Traffic/pictureWatermark", security::Permission::live_view,
             [store](http::RequestContext& context) -> Result<http::Reply> {
               const auto& body = context.message.body();
               if (body.empty()) return make_error(ErrorCode::invalid_argument, "send the picture (image/jpeg) as the request body");
               auto status = store->verify_bytes(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
               if (!status) return status.error();
               return watermark_document(*status, std::nullopt);
             });

  // Elements left out keep their values; all given values are checked together and stored or none.
  add_settings_resource(router, services, "/ISAPI/Traffic/pictureSettings", "PictureSettings", k_picture_fields, {},
                        check_picture_settings);
}

}  // namespace camrig::isapi
