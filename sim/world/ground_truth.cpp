#include "sim/world/ground_truth.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "sim/world/actor_parts.hpp"

namespace camrig::sim {
namespace {

double seconds(hal::Nanos t) { return static_cast<double>(t.count()) / 1e9; }

nlohmann::ordered_json box_json(const ImageBox& box) { return nlohmann::ordered_json::array({box.x, box.y, box.width, box.height}); }

// Rounded so that records compare equal across platforms and stay short.
double rounded(double value) { return std::round(value * 1000.0) / 1000.0; }

struct Seen {
  std::optional<ImageBox> box;
  double clipped_fraction = 0;
  double depth = 0;
};

// Fraction of `box` hidden behind the boxes of nearer actors, sampled on a 10 x 10 grid: boxes
// are bounding boxes, so this is the occlusion as a box-level tracker would judge it.
double occluded_fraction(const ImageBox& box, const std::vector<const ImageBox*>& nearer) {
  if (nearer.empty()) return 0;
  int hidden = 0;
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 10; ++j) {
      const double x = box.x + (i + 0.5) * box.width / 10.0;
      const double y = box.y + (j + 0.5) * box.height / 10.0;
      hidden += std::any_of(nearer.begin(), nearer.end(), [&](const ImageBox* b) {
        return x >= b->x && x < b->x + b->width && y >= b->y && y < b->y + b->height;
      });
    }
  }
  return hidden / 100.0;
}

}  // namespace

CameraPose effective_pose(const CameraPose& mounted, const CameraEffects& effects) {
  CameraPose pose = mounted;
  pose.pan_degrees += effects.pan_offset_degrees;
  pose.tilt_degrees += effects.tilt_offset_degrees;
  return pose;
}

nlohmann::ordered_json frame_record(int channel, std::uint64_t frame, const WorldSnapshot& snapshot,
                                    const CameraPose& camera) {
  const CameraModel model(effective_pose(camera, snapshot.effects));
  std::vector<Seen> seen(snapshot.actors.size());
  for (std::size_t i = 0; i < snapshot.actors.size(); ++i) {
    const Actor& a = snapshot.actors[i];
    seen[i].box = model.box_of(a.position, a.heading, a.length, a.width, a.height, &seen[i].clipped_fraction);
    seen[i].depth = model.to_camera(a.position + Vec3{0, 0, a.height / 2.0}).z;
  }
  nlohmann::ordered_json actors = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < snapshot.actors.size(); ++i) {
    const Actor& a = snapshot.actors[i];
    nlohmann::ordered_json record;
    record["id"] = a.id;
    record["class"] = to_string(a.kind);
    double occluded = 0;
    if (seen[i].box) {
      std::vector<const ImageBox*> nearer;
      for (std::size_t j = 0; j < seen.size(); ++j)
        if (j != i && seen[j].box && seen[j].depth < seen[i].depth) nearer.push_back(&*seen[j].box);
      occluded = occluded_fraction(*seen[i].box, nearer);
      record["box"] = box_json(*seen[i].box);
    } else {
      record["box"] = nullptr;
    }
    record["visible"] = rounded(seen[i].box ? seen[i].clipped_fraction * (1.0 - occluded) : 0.0);
    record["occluded"] = rounded(occluded);
    const Vec3 to_camera = camera.position - a.position;
    const Vec2 facing = heading_vector(a.heading);
    const bool front_towards = facing.x * to_camera.x + facing.y * to_camera.y > 0;
    if (a.plate) {
      // The plate on the end that faces the camera, if that end carries one.
      if (const auto corners = plate_corners(a, front_towards)) {
        nlohmann::ordered_json plate;
        plate["text"] = a.plate->text;
        plate["end"] = front_towards ? "front" : "rear";
        const auto box = image_box(*corners, model);
        plate["box"] = box ? box_json(*box) : nlohmann::ordered_json(nullptr);
        record["plate"] = std::move(plate);
      }
    }
    if (const auto face = face_of(a, model); face && front_towards) {
      if (const auto box = image_box(*face, model)) {
        record["face"] = {{"box", box_json(*box)}, {"frontal", face->frontal}, {"yaw", rounded(face->yaw)},
                          {"glasses", a.glasses}};
      }
    }
    actors.push_back(std::move(record));
  }
  nlohmann::ordered_json out;
  out["type"] = "frame";
  out["time"] = seconds(snapshot.time);
  out["channel"] = channel;
  out["frame"] = frame;
  out["actors"] = std::move(actors);
  return out;
}

nlohmann::ordered_json event_record(const WorldEvent& event) {
  nlohmann::ordered_json out;
  out["type"] = "event";
  out["time"] = seconds(event.time);
  out["kind"] = event.kind;
  out["name"] = event.name;
  if (event.actor != 0) out["actor"] = event.actor;
  if (!event.direction.empty()) out["direction"] = event.direction;
  return out;
}

GroundTruthWriter::GroundTruthWriter(std::ostream& out) : out_(out) {}

Result<std::unique_ptr<GroundTruthWriter>> GroundTruthWriter::open(const std::string& path) {
  auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*file) return make_error(ErrorCode::io_error, fmt::format("cannot create ground-truth file '{}'", path));
  auto writer = std::make_unique<GroundTruthWriter>(*file);
  writer->file_ = std::move(file);
  return writer;
}

void GroundTruthWriter::set_camera(int channel, const CameraPose& pose) {
  const std::lock_guard lock(mutex_);
  cameras_[channel] = pose;
}

bool GroundTruthWriter::write_frame(int channel, std::uint64_t frame, const WorldSnapshot& snapshot) {
  CameraPose pose;
  {
    const std::lock_guard lock(mutex_);
    const auto it = cameras_.find(channel);
    if (it == cameras_.end()) return false;
    pose = it->second;
  }
  write_line(frame_record(channel, frame, snapshot, pose));
  return true;
}

void GroundTruthWriter::write_event(const WorldEvent& event) { write_line(event_record(event)); }

void GroundTruthWriter::flush() {
  const std::lock_guard lock(mutex_);
  out_.flush();
}

void GroundTruthWriter::write_line(const nlohmann::ordered_json& record) {
  const std::string line = record.dump() + "\n";
  const std::lock_guard lock(mutex_);
  out_ << line;
}

}  // namespace camrig::sim
