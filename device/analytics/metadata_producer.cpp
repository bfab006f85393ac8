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

// A snapshot this close to a recognition's frame stands for that frame (frames may be dropped when
// the analysis is busy).
constexpr auto kSnapshotTolerance = std::chrono::milliseconds(500);

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

events::Box follow_owner(const events::Box& box, const events::Box& owner_then, const events::Box& owner_now) {
  if (owner_then.width <= 0 || owner_then.height <= 0) return box;
  // An owner partly outside the picture has a box cut at the picture's edge (a person walking up
  // to the camera loses his feet first): its size is read on the other axis, and the recognition
  // keeps its distance from the owner's uncut edges.
  constexpr double edge = 0.005;
  const auto cut_before = [](double start) { return start <= edge; };
  const auto cut_after = [](double start, double size) { return start + size >= 1 - edge; };
  const bool cut_left = cut_before(owner_then.x) || cut_before(owner_now.x);
  const bool cut_right = cut_after(owner_then.x, owner_then.width) || cut_after(owner_now.x, owner_now.width);
  const bool cut_top = cut_before(owner_then.y) || cut_before(owner_now.y);
  const bool cut_bottom = cut_after(owner_then.y, owner_then.height) || cut_after(owner_now.y, owner_now.height);
  const double by_width = owner_now.width / owner_then.width, by_height = owner_now.height / owner_then.height;
  double scale_x = by_width, scale_y = by_height;
  if (!cut_left && !cut_right) scale_y = by_width;
  else if (!cut_top && !cut_bottom) scale_x = by_height;
  const auto place = [](double start, bool from_end, double then_start, double then_size, double now_start,
                        double now_size, double scale) {
    if (!from_end) return now_start + (start - then_start) * scale;
    return now_start + now_size - (then_start + then_size - start) * scale;
  };
  const double x = place(box.x, cut_left && !cut_right, owner_then.x, owner_then.width, owner_now.x,
                         owner_now.width, scale_x);
  const double y = place(box.y, cut_top && !cut_bottom, owner_then.y, owner_then.height, owner_now.y,
                         owner_now.height, scale_y);
  // Kept within the picture, as every box of the document is.
  const double left = std::clamp(x, 0.0, 1.0), top = std::clamp(y, 0.0, 1.0);
  return {left, top, std::clamp(x + box.width * scale_x, 0.0, 1.0) - left,
          std::clamp(y + box.height * scale_y, 0.0, 1.0) - top};
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
  auto add = [&](MetadataObject object, hal::Nanos made) {
    // A face track captured again replaces its earlier capture.
    std::erase_if(recognitions_, [&](const Recognition& r) { return r.object.id == object.id; });
    Recognition recognition;
    recognition.shown = object.box;
    recognition.object = std::move(object);
    recognition.made = made;
    recognition.until = until;
    recognitions_.push_back(std::move(recognition));
  };
  if (plates_)
    while (auto read = plates_->try_pop())
      if (read->channel == frame.channel)
        if (auto object = plate_object(*read)) add(std::move(*object), read->time);
  if (faces_)
    while (auto recorded = faces_->try_pop())
      if (recorded->event.channel == frame.channel)
        if (auto object = face_object(recorded->event)) add(std::move(*object), recorded->event.device_time);
  std::erase_if(recognitions_, [&](const Recognition& r) { return r.until < frame.time; });
}

void MetadataProducer::remember(hal::Nanos time, const std::vector<MetadataObject>& tracked) {
  history_.push_back({time, tracked});
  const auto keep = std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(options_.history_seconds));
  while (!history_.empty() && history_.front().time < time - keep) history_.pop_front();
}

void MetadataProducer::place(Recognition& recognition) const {
  recognition.placed = true;
  if (history_.empty()) return;
  const std::vector<MetadataObject>* tracked = &history_.back().tracked;
  hal::Nanos nearest = kSnapshotTolerance;
  for (const auto& snapshot : history_) {
    const auto distance = snapshot.time > recognition.made ? snapshot.time - recognition.made : recognition.made - snapshot.time;
    if (distance <= nearest) {
      nearest = distance;
      tracked = &snapshot.tracked;
    }
  }
  const auto& box = recognition.object.box;
  const double x = box.x + box.width / 2, y = box.y + box.height / 2;
  const std::string_view owner_type = recognition.object.type == "LicensePlate" ? "Vehicle" : "Human";
  double smallest = 2;  // the innermost owner, when boxes nest
  for (const auto& object : *tracked) {
    const auto& owner = object.box;
    if (object.type != owner_type || x < owner.x || x > owner.x + owner.width || y < owner.y || y > owner.y + owner.height)
      continue;
    if (owner.width * owner.height >= smallest) continue;
    smallest = owner.width * owner.height;
    recognition.owner = object.id;
    recognition.owner_box = owner;
  }
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
    // Nobody listens: the next subscriber gets a description at once. The tracker rests meanwhile,
    // so its past objects say nothing about later recognitions.
    sent_any_ = false;
    history_.clear();
    return;
  }
  auto objects = objects_of(*behaviour_);
  remember(frame.time, objects);
  const auto tracked = objects.size();
  for (auto& recognition : recognitions_) {
    if (!recognition.placed) place(recognition);
    auto object = recognition.object;
    object.box = recognition.shown;
    // Shown on its owner while the owner is tracked; once it has gone, where it was last seen.
    for (std::size_t i = 0; i < tracked && recognition.owner; ++i) {
      if (objects[i].id != recognition.owner) continue;
      object.box = recognition.shown = follow_owner(recognition.object.box, recognition.owner_box, objects[i].box);
      object.parent = recognition.owner;
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
