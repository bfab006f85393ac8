#include "device/analytics/metadata_producer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <pugixml.hpp>

#include "device/analytics/behaviour_analysis.hpp"
#include "device/core/wall_time_format.hpp"

namespace camrig::analytics {

namespace {

constexpr const char* kSchemaNamespace = "http://www.onvif.org/ver10/schema";

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

std::string_view object_type(ObjectClass object_class) {
  switch (object_class) {
    case ObjectClass::human: return "Human";
    case ObjectClass::vehicle: return "Vehicle";
    case ObjectClass::unknown: break;
  }
  return {};
}

}  // namespace

OnvifRectangle onvif_rectangle(const events::Box& box) {
  return {2 * box.x - 1, 1 - 2 * box.y, 2 * (box.x + box.width) - 1, 1 - 2 * (box.y + box.height)};
}

std::string onvif_utc_time(hal::WallTime time) {
  const auto milliseconds = std::chrono::floor<std::chrono::milliseconds>(time);
  auto text = core::format_utc_iso8601(std::chrono::floor<std::chrono::seconds>(time));
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d",
                static_cast<int>((milliseconds.time_since_epoch() % std::chrono::seconds(1)).count()));
  if (!text.empty() && text.back() == 'Z') text.insert(text.size() - 1, fraction);
  return text;
}

std::string scene_document(hal::WallTime utc, const std::vector<MetadataObject>& objects) {
  pugi::xml_document document;
  auto root = document.append_child("tt:MetadataStream");
  root.append_attribute("xmlns:tt") = kSchemaNamespace;
  auto frame = root.append_child("tt:VideoAnalytics").append_child("tt:Frame");
  frame.append_attribute("UtcTime") = onvif_utc_time(utc).c_str();
  for (const auto& object : objects) {
    auto element = frame.append_child("tt:Object");
    element.append_attribute("ObjectId") = std::to_string(object.id).c_str();
    if (object.parent) element.append_attribute("Parent") = std::to_string(object.parent).c_str();
    auto appearance = element.append_child("tt:Appearance");
    auto shape = appearance.append_child("tt:Shape");
    const auto rectangle = onvif_rectangle(object.box);
    auto box = shape.append_child("tt:BoundingBox");
    box.append_attribute("left") = number(rectangle.left).c_str();
    box.append_attribute("top") = number(rectangle.top).c_str();
    box.append_attribute("right") = number(rectangle.right).c_str();
    box.append_attribute("bottom") = number(rectangle.bottom).c_str();
    auto centre = shape.append_child("tt:CenterOfGravity");
    centre.append_attribute("x") = number((rectangle.left + rectangle.right) / 2).c_str();
    centre.append_attribute("y") = number((rectangle.top + rectangle.bottom) / 2).c_str();
    if (!object.type.empty()) {
      auto type = appearance.append_child("tt:Class").append_child("tt:Type");
      type.append_attribute("Likelihood") = number(object.likelihood).c_str();
      type.text() = object.type.c_str();
    }
    if (!object.plate.empty()) {
      auto plate = appearance.append_child("tt:LicensePlateInfo").append_child("tt:PlateNumber");
      plate.append_attribute("Likelihood") = number(object.likelihood).c_str();
      plate.text() = object.plate.c_str();
    }
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return R"(<?xml version="1.0" encoding="UTF-8"?>)" + std::move(out).str();
}

std::optional<MetadataObject> plate_object(const traffic::PlateRead& read) {
  if (read.plate.empty() || !read.frame || read.frame->width() <= 0 || read.frame->height() <= 0) return std::nullopt;
  const double width = read.frame->width(), height = read.frame->height();
  MetadataObject object;
  object.id = k_plate_object_ids + read.id;
  const double left = std::clamp(read.plate_box.x / width, 0.0, 1.0);
  const double top = std::clamp(read.plate_box.y / height, 0.0, 1.0);
  object.box = {left, top, std::clamp((read.plate_box.x + read.plate_box.width) / width, 0.0, 1.0) - left,
                std::clamp((read.plate_box.y + read.plate_box.height) / height, 0.0, 1.0) - top};
  object.type = "LicensePlate";
  object.likelihood = std::clamp(read.confidence, 0.0, 1.0);
  object.plate = read.plate;
  return object;
}

std::optional<MetadataObject> face_object(const events::Event& event) {
  if (event.kind != events::EventKind::face_capture || !event.target || !event.target->box) return std::nullopt;
  MetadataObject object;
  object.id = k_face_object_ids + event.target->track_id.value_or(0);
  object.box = *event.target->box;
  object.type = "HumanFace";
  // The cascade gives no score; the capture's face grade is what says how clearly it is a face.
  object.likelihood = std::clamp(event.target->face_quality.value_or(50) / 100.0, 0.0, 1.0);
  return object;
}

MetadataProducer::MetadataProducer(std::shared_ptr<media::MetadataStream> stream,
                                   std::shared_ptr<const BehaviourAnalysis> behaviour, const hal::Clock& clock,
                                   core::EventBus* recognitions, MetadataProducerOptions options)
    : stream_(std::move(stream)), behaviour_(std::move(behaviour)), clock_(clock), options_(options) {
  if (recognitions) {
    plates_ = recognitions->subscribe<traffic::PlateRead>(16);
    faces_ = recognitions->subscribe<events::RecordedEvent>(256);
  }
}

void MetadataProducer::update_recognitions(const AnalysisFrame& frame) {
  const auto until = frame.time + std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(options_.recognition_seconds));
  auto add = [&](MetadataObject object) {
    // A face track captured again replaces its earlier capture.
    std::erase_if(recognitions_, [&](const Recognition& r) { return r.object.id == object.id; });
    recognitions_.push_back({std::move(object), until});
  };
  if (plates_)
    while (auto read = plates_->try_pop())
      if (read->channel == frame.channel)
        if (auto object = plate_object(*read)) add(std::move(*object));
  if (faces_)
    while (auto recorded = faces_->try_pop())
      if (recorded->event.channel == frame.channel)
        if (auto object = face_object(recorded->event)) add(std::move(*object));
  std::erase_if(recognitions_, [&](const Recognition& r) { return r.until < frame.time; });
}

std::vector<MetadataObject> MetadataProducer::objects_of(const BehaviourAnalysis& behaviour) {
  const auto& tracker = behaviour.tracker();
  const auto size = tracker.frame_size();
  std::vector<MetadataObject> objects;
  if (size.width <= 0 || size.height <= 0) return objects;
  for (const auto& track : tracker.tracks()) {
    if (!track.confirmed) continue;
    MetadataObject object;
    object.id = track.id;
    const auto box = track.box & cv::Rect2d(0, 0, size.width, size.height);
    if (box.width <= 0 || box.height <= 0) continue;
    object.box = {box.x / size.width, box.y / size.height, box.width / size.width, box.height / size.height};
    object.type = object_type(track.object_class);
    // The class is a guess from the box's shape, which firms up as the track is seen longer.
    object.likelihood = std::min(0.9, 0.5 + 0.02 * track.hits);
    objects.push_back(std::move(object));
  }
  return objects;
}

bool MetadataProducer::changed(const std::vector<MetadataObject>& objects) const {
  if (objects.size() != last_objects_.size()) return true;
  const double threshold = options_.change_threshold;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const auto& a = objects[i];
    const auto& b = last_objects_[i];
    if (a.id != b.id || a.type != b.type || a.plate != b.plate || a.parent != b.parent) return true;
    if (std::abs(a.box.x - b.box.x) > threshold || std::abs(a.box.y - b.box.y) > threshold ||
        std::abs(a.box.width - b.box.width) > threshold || std::abs(a.box.height - b.box.height) > threshold)
      return true;
  }
  return false;
}

void MetadataProducer::analyse(const AnalysisFrame& frame, const EventSink&) {
  update_recognitions(frame);
  if (stream_->consumer_count() == 0) {
    // Nobody listens: the next subscriber gets a description at once.
    sent_any_ = false;
    return;
  }
  auto objects = objects_of(*behaviour_);
  const auto tracked = objects.size();
  for (const auto& recognition : recognitions_) {
    auto object = recognition.object;
    // The tracked vehicle or person the plate or face lies in.
    const double x = object.box.x + object.box.width / 2, y = object.box.y + object.box.height / 2;
    const std::string_view owner = object.type == "LicensePlate" ? "Vehicle" : "Human";
    for (std::size_t i = 0; i < tracked; ++i) {
      const auto& box = objects[i].box;
      if (objects[i].type == owner && x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height)
        object.parent = objects[i].id;
    }
    objects.push_back(std::move(object));
  }
  const auto refresh = std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(options_.refresh_seconds));
  if (sent_any_ && !changed(objects) && frame.time - last_sent_ < refresh) return;

  // The frame's wall time: the clock's wall time now, less the age of the frame.
  const auto age = clock_.now() - frame.time;
  const auto utc = clock_.wall_time() - std::chrono::duration_cast<hal::WallTime::duration>(age);
  auto packet = std::make_shared<media::EncodedPacket>();
  const auto xml = scene_document(utc, objects);
  packet->data.assign(xml.begin(), xml.end());
  packet->timestamp = frame.time;
  packet->keyframe = true;
  packet->sequence = frame.sequence;
  stream_->publish({media::MetadataContent::analytics, std::move(packet)});
  last_objects_ = std::move(objects);
  last_sent_ = frame.time;
  sent_any_ = true;
}

}  // namespace camrig::analytics
