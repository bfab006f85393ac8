// Face capture (network camera 10.2) as /ISAPI/Intelligent/channels/<id>/faceCapture: the rule
// (pupil distances, detection area, shield regions), overlay and capture (with the text overlay
// list in its order) and the capture parameters (with remove duplicated faces, upload feature, the
// facial posture filter and face exposure) of channel.<id>.face_capture.* in one FaceCapture document. A PUT
// changes the elements it gives; the result is checked by the analytics' own validation and stored
// as one change. Region points use ISAPI's 704 x 576 normalised screen from the top-left corner.
// Smart display (chapter 11): /ISAPI/Intelligent/smartDisplay/captures lists the recent captures
// with their features (XML, or JSON with ?format=json), .../captures/<id>/pictures/<kind> returns
// one JPEG and .../captures/download?count=N packs the newest N (at most 200) pictures into one ZIP.
#include <algorithm>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "device/events/alert_document.hpp"
#include "device/traffic/zip_archive.hpp"

#include "device/analytics/face_capture.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using analytics::FaceCaptureSettings;
using analytics::NormalisedPolygon;

void append_region(pugi::xml_node region, int id, const NormalisedPolygon& polygon) {
  region.append_child("id").text() = id;
  auto coordinates = region.append_child("RegionCoordinatesList");
  for (const auto& p : polygon) {
    auto point = coordinates.append_child("RegionCoordinates");
    point.append_child("positionX").text() = static_cast<int>(std::lround(p.x * k_screen_width));
    point.append_child("positionY").text() = static_cast<int>(std::lround(p.y * k_screen_height));
  }
}

Result<NormalisedPolygon> read_region(pugi::xml_node region, std::string_view what) {
  NormalisedPolygon polygon;
  for (auto point : child(region, "RegionCoordinatesList").children()) {
    const auto x = parse_int(text_at(point, {"positionX"}).value_or(""));
    const auto y = parse_int(text_at(point, {"positionY"}).value_or(""));
    if (!x || !y) return make_error(ErrorCode::invalid_argument, std::string(what) + ": positionX and positionY are integers");
    polygon.emplace_back(static_cast<float>(*x) / k_screen_width, static_cast<float>(*y) / k_screen_height);
  }
  if (auto valid = analytics::validate_polygon(polygon, what); !valid) return valid.error();
  return polygon;
}

void append_document(pugi::xml_node root, int channel, const FaceCaptureSettings& s) {
  root.append_child("id").text() = channel;
  root.append_child("enabled").text() = s.enabled;
  root.append_child("version").text() = "camrig-face-1.0";  // the algorithm library's version (read-only)
  auto rule = root.append_child("Rule");
  rule.append_child("minPupilDistance").text() = s.min_pupil_distance;
  rule.append_child("maxPupilDistance").text() = s.max_pupil_distance;
  append_screen(root);
  append_region(rule.append_child("DetectionRegion"), 1, s.detection_area);
  auto shields = root.append_child("ShieldRegionList");
  for (std::size_t i = 0; i < s.shield_regions.size(); ++i)
    append_region(shields.append_child("ShieldRegion"), static_cast<int>(i + 1), s.shield_regions[i]);
  auto overlay = root.append_child("OverlayAndCapture");
  overlay.append_child("targetPicture").text() = std::string(analytics::to_string(s.target_picture)).c_str();
  overlay.append_child("backgroundUpload").text() = s.background_upload;
  overlay.append_child("backgroundQuality").text() = s.background_quality;
  overlay.append_child("facePictureUpload").text() = s.face_picture_upload;
  overlay.append_child("targetInfoOnPicture").text() = s.target_info_on_picture;
  overlay.append_child("backgroundResolution").text() = std::string(analytics::to_string(s.background_resolution)).c_str();
  // Empty texts are left out: clients fail on empty elements.
  if (!s.device_number.empty()) overlay.append_child("deviceNo").text() = s.device_number.c_str();
  if (!s.camera_info.empty()) overlay.append_child("cameraInfo").text() = s.camera_info.c_str();
  auto texts = overlay.append_child("TextOverlayList");
  for (const auto item : s.text_overlay)
    texts.append_child("TextOverlay").append_child("type").text() = std::string(analytics::to_string(item)).c_str();
  auto capture = root.append_child("CaptureParams");
  capture.append_child("bestShot").text() = s.best_shot;
  capture.append_child("captureTimes").text() = s.capture_times;
  capture.append_child("captureThreshold").text() = s.capture_threshold;
  capture.append_child("quickShot").text() = s.quick_shot;
  capture.append_child("quickShotThreshold").text() = s.quick_shot_threshold;
  capture.append_child("maxCaptureInterval").text() = s.max_capture_interval;
  capture.append_child("faceFilteringTime").text() = s.filtering_time;
  auto duplicates = capture.append_child("RemoveDuplicates");
  duplicates.append_child("enabled").text() = s.remove_duplicates;
  duplicates.append_child("similarityThreshold").text() = s.duplicate_similarity;
  duplicates.append_child("gradingThreshold").text() = s.duplicate_grading_threshold;
  duplicates.append_child("updateTime").text() = s.duplicate_update_time;
  capture.append_child("uploadFeature").text() = s.upload_features;
  capture.append_child("facialPostureFilter").text() = s.posture_filter;
  auto exposure = capture.append_child("FaceExposure");
  exposure.append_child("enabled").text() = s.face_exposure;
  exposure.append_child("referenceBrightness").text() = s.reference_brightness;
  exposure.append_child("minimumDuration").text() = s.minimum_duration;
}

Result<void> read_bool(pugi::xml_node node, std::initializer_list<std::string_view> path, bool& out) {
  auto value = bool_at(node, path);
  if (!value) return value.error();
  if (*value) out = **value;
  return {};
}

Result<void> read_int(pugi::xml_node node, std::initializer_list<std::string_view> path, int& out) {
  const auto text = text_at(node, path);
  if (!text) return {};
  const auto value = parse_int(*text);
  if (!value) return make_error(ErrorCode::invalid_argument, std::string(*(path.end() - 1)) + " must be an integer");
  out = *value;
  return {};
}

// The elements given replace the current settings; the rest stay.
Result<void> read_document(pugi::xml_node root, FaceCaptureSettings& s) {
  for (auto r : {read_bool(root, {"enabled"}, s.enabled), read_int(root, {"Rule", "minPupilDistance"}, s.min_pupil_distance),
                 read_int(root, {"Rule", "maxPupilDistance"}, s.max_pupil_distance),
                 read_bool(root, {"OverlayAndCapture", "backgroundUpload"}, s.background_upload),
                 read_int(root, {"OverlayAndCapture", "backgroundQuality"}, s.background_quality),
                 read_bool(root, {"OverlayAndCapture", "facePictureUpload"}, s.face_picture_upload),
                 read_bool(root, {"CaptureParams", "bestShot"}, s.best_shot),
                 read_int(root, {"CaptureParams", "captureTimes"}, s.capture_times),
                 read_int(root, {"CaptureParams", "captureThreshold"}, s.capture_threshold),
                 read_bool(root, {"CaptureParams", "quickShot"}, s.quick_shot),
                 read_int(root, {"CaptureParams", "quickShotThreshold"}, s.quick_shot_threshold),
                 read_int(root, {"CaptureParams", "maxCaptureInterval"}, s.max_capture_interval),
                 read_int(root, {"CaptureParams", "faceFilteringTime"}, s.filtering_time),
                 read_bool(root, {"OverlayAndCapture", "targetInfoOnPicture"}, s.target_info_on_picture),
                 read_bool(root, {"CaptureParams", "RemoveDuplicates", "enabled"}, s.remove_duplicates),
                 read_int(root, {"CaptureParams", "RemoveDuplicates", "similarityThreshold"}, s.duplicate_similarity),
                 read_int(root, {"CaptureParams", "RemoveDuplicates", "gradingThreshold"}, s.duplicate_grading_threshold),
                 read_int(root, {"CaptureParams", "RemoveDuplicates", "updateTime"}, s.duplicate_update_time),
                 read_bool(root, {"CaptureParams", "uploadFeature"}, s.upload_features),
                 read_int(root, {"CaptureParams", "facialPostureFilter"}, s.posture_filter),
                 read_bool(root, {"CaptureParams", "FaceExposure", "enabled"}, s.face_exposure),
                 read_int(root, {"CaptureParams", "FaceExposure", "referenceBrightness"}, s.reference_brightness),
                 read_int(root, {"CaptureParams", "FaceExposure", "minimumDuration"}, s.minimum_duration)})
    if (!r) return r;
  if (const auto resolution = text_at(root, {"OverlayAndCapture", "backgroundResolution"})) {
    const auto parsed = analytics::background_resolution_from_string(*resolution);
    if (!parsed) return make_error(ErrorCode::invalid_argument, "backgroundResolution must be source, 1920x1080, 1280x720 or 704x576");
    s.background_resolution = *parsed;
  }
  // An element given empty clears the text.
  if (auto node = child(child(root, "OverlayAndCapture"), "deviceNo")) s.device_number = node.text().get();
  if (auto node = child(child(root, "OverlayAndCapture"), "cameraInfo")) s.camera_info = node.text().get();
  if (auto list = child(child(root, "OverlayAndCapture"), "TextOverlayList")) {
    s.text_overlay.clear();
    for (auto entry : list.children()) {
      const std::string type = text_at(entry, {"type"}).value_or("");
      const auto item = analytics::picture_text_from_string(type);
      if (!item) return make_error(ErrorCode::invalid_argument, "TextOverlay type '" + type + "' is none of device_number, camera_info, face_score");
      s.text_overlay.push_back(*item);
    }
  }
  if (const auto target = text_at(root, {"OverlayAndCapture", "targetPicture"})) {
    if (*target == "head") s.target_picture = analytics::TargetPicture::head;
    else if (*target == "half_body") s.target_picture = analytics::TargetPicture::half_body;
    else if (*target == "full_body") s.target_picture = analytics::TargetPicture::full_body;
    else return make_error(ErrorCode::invalid_argument, "targetPicture must be head, half_body or full_body");
  }
  if (auto region = child(child(root, "Rule"), "DetectionRegion")) {
    auto polygon = read_region(region, "the detection area");
    if (!polygon) return polygon.error();
    s.detection_area = std::move(*polygon);
  }
  if (auto list = child(root, "ShieldRegionList")) {
    s.shield_regions.clear();
    for (auto region : list.children()) {
      auto polygon = read_region(region, "a shield region");
      if (!polygon) return polygon.error();
      s.shield_regions.push_back(std::move(*polygon));
    }
  }
  return {};
}

Result<int> find_face_capture_channel(const DeviceServices& services, const std::string& id_text) {
  const auto id = parse_int(id_text);
  if (!id || !services.profile->find_channel(*id) ||
      !services.config->spec("channel." + std::to_string(*id) + ".face_capture.enabled"))
    return make_error(ErrorCode::not_found, "no video channel " + id_text + " with face capture");
  return *id;
}

pugi::xml_node append_text(pugi::xml_node parent, const char* name, const std::string& text) {
  auto node = parent.append_child(name);
  node.text() = text.c_str();
  return node;
}

// The features smart display shows of a capture, and where its pictures are.
nlohmann::json capture_json(const events::Event& e) {
  nlohmann::json item{{"id", e.sequence},
                      {"eventType", events::isapi_event_type(e.kind)},
                      {"channelID", e.channel},
                      {"dateTime", events::iso8601(e.wall_time)}};
  if (e.target) {
    if (!e.target->object_class.empty()) item["targetType"] = e.target->object_class;
    if (e.target->track_id) item["trackID"] = *e.target->track_id;
    if (e.target->face_quality) item["faceQuality"] = *e.target->face_quality;
    if (const auto& a = e.target->face_attributes) {
      item["gender"] = a->gender;
      item["expression"] = a->expression;
      item["glass"] = a->glasses;
    }
    if (const auto& b = e.target->box)
      item["Rect"] = {{"x", b->x}, {"y", b->y}, {"width", b->width}, {"height", b->height}};
  }
  auto pictures = nlohmann::json::array();
  for (const auto& p : e.pictures)
    if (p.jpeg)
      pictures.push_back({{"type", p.kind},
                          {"url", "/ISAPI/Intelligent/smartDisplay/captures/" + std::to_string(e.sequence) + "/pictures/" + p.kind}});
  item["PictureList"] = std::move(pictures);
  return item;
}

void append_capture(pugi::xml_node list, const events::Event& e) {
  const auto json = capture_json(e);
  auto node = list.append_child("SmartCapture");
  for (const char* field :
       {"id", "eventType", "channelID", "dateTime", "targetType", "trackID", "faceQuality", "gender", "expression",
        "glass"})
    if (json.contains(field))
      append_text(node, field, json[field].is_string() ? json[field].get<std::string>() : json[field].dump());
  if (json.contains("Rect")) {
    auto rect = node.append_child("Rect");
    for (const char* field : {"x", "y", "width", "height"}) append_text(rect, field, json["Rect"][field].dump());
  }
  auto pictures = node.append_child("PictureList");
  for (const auto& p : json["PictureList"]) {
    auto picture = pictures.append_child("Picture");
    append_text(picture, "type", p["type"].get<std::string>());
    append_text(picture, "url", p["url"].get<std::string>());
  }
}

Result<std::uint64_t> parse_id(const std::string& text, const char* what) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a whole number (got '" + text + "')");
  return value;
}

void add_smart_display_routes(http::Router& router, const DeviceServices& services) {
  auto* display = services.smart_display;
  const std::string base = "/ISAPI/Intelligent/smartDisplay/captures";
  router.add(verb::get, base, security::Permission::live_view, [display](http::RequestContext& context) -> Result<http::Reply> {
    const auto captures = display->captures();
    if (auto format = context.query.find("format"); format != context.query.end() && format->second == "json") {
      auto list = nlohmann::json::array();
      for (const auto& e : captures) list.push_back(capture_json(e));
      http::Reply reply;
      reply.response.result(http::beast_http::status::ok);
      reply.response.set(http::beast_http::field::content_type, "application/json");
      reply.response.body() = nlohmann::json{{"SmartCaptureList", std::move(list)}}.dump();
      return reply;
    }
    pugi::xml_document doc;
    auto list = new_document(doc, "SmartCaptureList");
    for (const auto& e : captures) append_capture(list, e);
    return xml_reply(doc);
  });
  router.add(verb::get, base + "/{id}/pictures/{kind}", security::Permission::live_view,
             [display](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id_text = context.path_parameters.at("id");
               auto id = parse_id(id_text, "the capture id");
               if (!id) return id.error();
               const auto capture = display->find(*id);
               const auto& kind = context.path_parameters.at("kind");
               if (capture)
                 for (const auto& p : capture->pictures)
                   if (p.jpeg && p.kind == kind) {
                     http::Reply reply;
                     reply.response.result(http::beast_http::status::ok);
                     reply.response.set(http::beast_http::field::content_type, "image/jpeg");
                     reply.response.body() = *p.jpeg;
                     return reply;
                   }
               return make_error(ErrorCode::not_found, "no " + kind + " picture of capture " + id_text +
                                                           " (the smart display keeps the latest " +
                                                           std::to_string(events::k_smart_display_capacity) + ")");
             });
  router.add(verb::get, base + "/download", security::Permission::live_view,
             [display](http::RequestContext& context) -> Result<http::Reply> {
               std::uint64_t count = events::k_smart_display_capacity;
               if (auto it = context.query.find("count"); it != context.query.end()) {
                 auto parsed = parse_id(it->second, "count");
                 if (!parsed) return parsed.error();
                 if (*parsed < 1 || *parsed > events::k_smart_display_capacity)
                   return make_error(ErrorCode::out_of_range, "count must be 1 to " +
                                                                  std::to_string(events::k_smart_display_capacity));
                 count = *parsed;
               }
               // The newest pictures, up to `count`, oldest first in the package.
               std::vector<traffic::ZipEntry> entries;
               const auto captures = display->captures();
               for (auto it = captures.rbegin(); it != captures.rend() && entries.size() < count; ++it)
                 for (auto p = it->pictures.rbegin(); p != it->pictures.rend() && entries.size() < count; ++p)
                   if (p->jpeg)
                     entries.push_back({std::to_string(it->sequence) + "_" + std::string(events::isapi_event_type(it->kind)) +
                                            "_" + p->kind + ".jpg",
                                        *p->jpeg});
               std::reverse(entries.begin(), entries.end());
               http::Reply reply;
               reply.response.result(http::beast_http::status::ok);
               reply.response.set(http::beast_http::field::content_type, "application/zip");
               reply.response.set(http::beast_http::field::content_disposition, "attachment; filename=\"smartDisplay.zip\"");
               reply.response.body() = traffic::write_zip(entries);
               return reply;
             });
}

}  // namespace

void add_face_capture_routes(http::Router& router, DeviceServices services) {
  if (services.smart_display) add_smart_display_routes(router, services);
  const std::string path = "/ISAPI/Intelligent/channels/{id}/faceCapture";
  router.add(verb::get, path, security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_face_capture_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               auto settings = analytics::face_capture_settings_from_config(*services.config, *channel);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               append_document(new_document(doc, "FaceCapture"), *channel, *settings);
               return xml_reply(doc);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_face_capture_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               auto settings = analytics::face_capture_settings_from_config(*services.config, *channel);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "FaceCapture");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               if (auto read = read_document(std::get<pugi::xml_node>(parsed), *settings); !read) return read.error();
               if (auto stored = analytics::store_face_capture_settings(*services.config, *channel, *settings); !stored)
                 return stored.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
