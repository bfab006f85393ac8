#include "device/traffic/picture_recorder.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "device/core/log.hpp"
#include "device/core/wall_time_format.hpp"
#include "device/traffic/zip_archive.hpp"

namespace camrig::traffic {
namespace {

// An export is built in memory: this bounds what one request may hold.
constexpr std::size_t k_max_export_bytes = 64u << 20;

events::EventKind exception_for(const Error& error) {
  if (error.code == ErrorCode::unavailable)
    return error.message.find("full") != std::string::npos ? events::EventKind::storage_full : events::EventKind::no_storage;
  return events::EventKind::storage_error;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::string picture_uri(std::uint64_t id) { return fmt::format("/ISAPI/Traffic/pictures/{}", id); }

PictureRecorder::PictureRecorder(PictureRecorderParts parts) : parts_(std::move(parts)) {
  if (!parts_.config || !parts_.composer || !parts_.store)
    throw std::invalid_argument("PictureRecorder needs a config service, a composer and a picture store");
}

Result<RecordedPictures> PictureRecorder::record(const PlateRead& read, hal::WallTime wall_time, std::uint64_t capture_id,
                                                 int snapshots) {
  auto settings = PictureSettings::from_config(*parts_.config);
  if (!settings) return settings.error();
  settings->snapshots = snapshots;
  PictureFacts facts;
  facts.local_time = wall_time + (parts_.utc_offset ? parts_.utc_offset(wall_time) : std::chrono::seconds{});
  facts.plate = read.plate;
  facts.direction = read.direction == VehicleDirection::approaching ? "approaching"
                    : read.direction == VehicleDirection::leaving   ? "leaving"
                                                                    : "unknown";
  facts.plate_colour = read.plate_colour;
  facts.vehicle_colour = read.vehicle_colour;
  facts.vehicle_type = read.vehicle_type;
  facts.confidence = read.confidence;
  hal::VideoFramePtr later;
  if (snapshots >= 2 && parts_.latest_frame) {
    later = parts_.latest_frame(read.channel);
    // Only a frame after the read shows the vehicle moved on; an older one would repeat the past.
    if (later && read.frame && later->timestamp <= read.frame->timestamp) later.reset();
  }
  auto pictures = parts_.composer->compose(read, *settings, facts, later);
  if (!pictures) return pictures.error();

  RecordedPictures recorded;
  for (const auto& picture : *pictures)
    // The event carries the JPEG too, so email and LPRAPI attach it without reading the card.
    recorded.refs.push_back({picture.kind == "scene2" ? "scene" : picture.kind, std::string(),
                             std::make_shared<const std::string>(picture.jpeg.begin(), picture.jpeg.end())});
  if (!parts_.config->get_bool("pictures.storage.local")) return recorded;
  const auto policy = parts_.config->get_string("pictures.storage.disk_full") == "stop" ? storage::DiskFullPolicy::stop
                                                                                       : storage::DiskFullPolicy::overwrite;
  for (std::size_t i = 0; i < pictures->size(); ++i) {
    const auto& picture = (*pictures)[i];
    storage::PictureInfo info;
    info.kind = picture.kind;
    info.event_type = read.trigger == CaptureTrigger::manual ? "manual" : "LPR";
    info.time = wall_time;
    info.channel = read.channel;
    info.plate = read.plate;
    info.direction = facts.direction;
    info.capture_id = capture_id;
    auto stored = parts_.store->store(info, picture.jpeg, policy);
    if (!stored) {
      card_failed(stored.error());
      recorded.storage_error = stored.error();
      return recorded;
    }
    recorded.refs[i].uri = picture_uri(stored->id);
    recorded.stored.push_back(std::move(*stored));
  }
  card_recovered();
  return recorded;
}

void PictureRecorder::card_failed(const Error& error) {
  const auto kind = exception_for(error);
  log::get("traffic")->warn("vehicle pictures not stored: {}", error.message);
  {
    std::lock_guard lock(mutex_);
    if (raised_ == kind) return;  // one exception per condition, not one per picture
    raised_ = kind;
  }
  if (parts_.engine) parts_.engine->report_exception(kind, error.message, true);
}

void PictureRecorder::card_recovered() {
  std::optional<events::EventKind> cleared;
  {
    std::lock_guard lock(mutex_);
    cleared.swap(raised_);
  }
  if (cleared && parts_.engine) parts_.engine->report_exception(*cleared, "memory card stores pictures again", false);
}

Result<std::string> export_pictures(storage::PictureStore& store, storage::PictureQuery query, std::size_t max_pictures) {
  query.offset = 0;
  query.limit = storage::PictureStore::k_max_page;
  std::vector<ZipEntry> entries;
  std::size_t total_bytes = 0;
  std::string manifest = "File,Time,Plate No.,Direction,Event Type,Picture,Watermark\r\n";
  while (true) {
    auto page = store.search(query);
    if (!page) return page.error();
    if (page->total == 0) return make_error(ErrorCode::not_found, "no pictures match the search: widen the time range or filters");
    if (page->total > max_pictures)
      return make_error(ErrorCode::out_of_range,
                        fmt::format("{} pictures match; export at most {} at a time: narrow the time range", page->total, max_pictures));
    for (const auto& picture : page->pictures) {
      auto bytes = store.read(picture.id);
      if (!bytes) return bytes.error();
      total_bytes += bytes->size();
      if (total_bytes > k_max_export_bytes)
        return make_error(ErrorCode::out_of_range,
                          fmt::format("the pictures found exceed {} MB for one export: narrow the time range",
                                      k_max_export_bytes >> 20));
      std::string name = picture.path;
      if (const auto slash = name.find('/'); slash != std::string::npos) name = name.substr(slash + 1);
      manifest += fmt::format("{},{},{},{},{},{},{}\r\n", csv_field(name), core::format_utc_iso8601(picture.info.time),
                              csv_field(picture.info.plate), picture.info.direction, csv_field(picture.info.event_type),
                              picture.info.kind, picture.watermark);
      entries.push_back({std::move(name), std::string(bytes->begin(), bytes->end())});
    }
    query.offset += page->pictures.size();
    if (page->pictures.empty() || query.offset >= page->total) break;
  }
  entries.push_back({"pictures.csv", std::move(manifest)});
  return write_zip(entries);
}

}  // namespace camrig::traffic
