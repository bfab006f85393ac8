// The ONVIF scene description of one channel (Profile M/T metadata): after each analysed frame
// it turns the object tracker's targets into a tt:MetadataStream document (tt:VideoAnalytics/
// tt:Frame with tt:Object boxes in ONVIF's normalised coordinates and their class) and publishes
// it on the channel's media::MetadataStream, when the objects changed or a second has passed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device/analytics/detector.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/media/metadata_stream.hpp"

namespace camrig::analytics {

class BehaviourAnalysis;

//! One object of a scene description.
struct MetadataObject {
  std::uint64_t id = 0;
  events::Box box;         //!< normalised to the picture, 0..1, y down
  std::string type;        //!< tt:ObjectType: "Human", "Vehicle", "HumanFace", "LicensePlate"; empty: unknown
  double likelihood = 0;   //!< of `type`, 0..1
  std::string plate;       //!< LicensePlate: the number read
};

//! A box in ONVIF's default frame transformation: -1..1 across the picture, y pointing up, so
//! top > bottom.
struct OnvifRectangle {
  double left = 0, top = 0, right = 0, bottom = 0;
};
OnvifRectangle onvif_rectangle(const events::Box& box);

//! ISO 8601 UTC with milliseconds, as ONVIF writes xs:dateTime: "2026-01-01T08:00:00.040Z".
std::string onvif_utc_time(hal::WallTime time);

//! A tt:MetadataStream document with one tt:VideoAnalytics/tt:Frame at `utc` holding `objects`.
std::string scene_document(hal::WallTime utc, const std::vector<MetadataObject>& objects);

struct MetadataProducerOptions {
  //! A scene description goes out at least this often while it does not change (a client that
  //! joins late, or lost a packet over UDP, sees the current objects within it).
  double refresh_seconds = 1.0;
  //! Box movement, as a share of the picture, below which the objects count as unchanged.
  double change_threshold = 0.002;
};

//! Runs after the behaviour analysis on the channel's analytics thread (it reads that detector's
//! tracker there, so it must be added to the same VideoAnalytics, after it).
class MetadataProducer final : public Detector {
 public:
  MetadataProducer(std::shared_ptr<media::MetadataStream> stream, std::shared_ptr<const BehaviourAnalysis> behaviour,
                   const hal::Clock& clock, MetadataProducerOptions options = {});

  std::string_view name() const override { return "metadata"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  //! The tracker's confirmed targets of the last frame, as scene objects (analytics thread only).
  static std::vector<MetadataObject> objects_of(const BehaviourAnalysis& behaviour);

 private:
  bool changed(const std::vector<MetadataObject>& objects) const;

  std::shared_ptr<media::MetadataStream> stream_;
  std::shared_ptr<const BehaviourAnalysis> behaviour_;
  const hal::Clock& clock_;
  MetadataProducerOptions options_;
  std::vector<MetadataObject> last_objects_;
  hal::Nanos last_sent_{0};
  bool sent_any_ = false;
};

}  // namespace camrig::analytics
