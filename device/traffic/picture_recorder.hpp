// What happens to a vehicle's pictures: composed from the read's frame, stored on the memory card
// (when Storage Spot "Local" is on), and referenced by the ANPR event; a card that is missing,
// full or failing raises the matching exception event. Also the ZIP export of a picture search.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/events/event.hpp"
#include "device/events/event_engine.hpp"
#include "device/storage/picture_store.hpp"
#include "device/traffic/picture_composer.hpp"
#include "device/traffic/plate_read.hpp"

namespace camrig::traffic {

//! Where a stored picture is served (GET, image/jpeg); the resource is in picture_search_resources.
std::string picture_uri(std::uint64_t id);

struct PictureRecorderParts {
  core::ConfigService* config = nullptr;
  PictureComposer* composer = nullptr;
  storage::PictureStore* store = nullptr;
  //! Raises and clears the memory card exceptions; may be null.
  events::EventEngine* engine = nullptr;
  //! The channel's newest frame, for the second snapshot; may be empty.
  std::function<hal::VideoFramePtr(int channel)> latest_frame;
  //! The camera's offset from UTC at a time, for the OSD time; may be empty (UTC).
  std::function<std::chrono::seconds(hal::WallTime)> utc_offset;
};

//! One capture's pictures as the event carries them.
struct RecordedPictures {
  //! Every composed picture with its JPEG; `uri` is set once it is stored on the card.
  std::vector<events::PictureRef> refs;
  std::vector<storage::StoredPicture> stored;
  //! Why the pictures are not (all) on the card; also reported as an exception event.
  std::optional<Error> storage_error;
};

class PictureRecorder {
 public:
  //! config, composer and store must be given and outlive the recorder.
  explicit PictureRecorder(PictureRecorderParts parts);

  //! Composes and stores the pictures of one vehicle (`capture_id` names them together).
  //! `snapshots` is the pass's Snapshot Quantity. An error means nothing could be composed; a card
  //! that cannot store them is `storage_error`, and the pictures still go with the event.
  Result<RecordedPictures> record(const PlateRead& read, hal::WallTime wall_time, std::uint64_t capture_id, int snapshots);

 private:
  void card_failed(const Error& error);
  void card_recovered();

  PictureRecorderParts parts_;
  std::mutex mutex_;
  std::optional<events::EventKind> raised_;  //!< the card exception currently active
};

//! A ZIP of the pictures a search finds (all pages, at most `max_pictures`), with `pictures.csv`
//! listing each file's time, plate, direction, kind and watermark. not_found when nothing matches;
//! out_of_range when more than `max_pictures` match or they exceed 64 MB (narrow the search).
Result<std::string> export_pictures(storage::PictureStore& store, storage::PictureQuery query, std::size_t max_pictures);

}  // namespace camrig::traffic
