// The ONVIF scene description of one channel (Profile M/T metadata): after each analysed frame
// it turns the object tracker's targets, and the plates read and faces captured lately, into a
// tt:MetadataStream document (tt:VideoAnalytics/tt:Frame with tt:Object boxes in ONVIF's normalised
// coordinates, their class, a plate's number) and publishes it on the channel's
// media::MetadataStream, when the objects changed or a second has passed. A recognition belongs to
// the tracked vehicle or person it lay in when it was made, and is shown where that owner is now.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device/analytics/detector.hpp"
#include "device/core/event_bus.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/media/metadata_stream.hpp"
#include "device/traffic/plate_read.hpp"

namespace camrig::analytics {

class BehaviourAnalysis;

//! One object of a scene description.
struct MetadataObject {
  std::uint64_t id = 0;
  events::Box box;         //!< normalised to the picture, 0..1, y down
  std::string type;        //!< tt:ObjectType: "Human", "Vehicle", "HumanFace", "LicensePlate"; empty: unknown
  double likelihood = 0;   //!< of `type`, 0..1
  std::string plate;       //!< LicensePlate: the number read
  std::uint64_t parent = 0;  //!< the object it belongs to (a plate's vehicle, a face's person); 0: none
};

//! Object ids of recognitions, above any id the tracker gives, so the two never meet.
inline constexpr std::uint64_t k_plate_object_ids = 1ull << 32;
inline constexpr std::uint64_t k_face_object_ids = 1ull << 33;

//! A plate read as a "LicensePlate" object (box of the plate in the read's frame); nullopt for a
//! read without plate text or frame.
std::optional<MetadataObject> plate_object(const traffic::PlateRead& read);
//! A face capture event as a "HumanFace" object (its target's box, one id per face track);
//! nullopt for other events or one without a box.
std::optional<MetadataObject> face_object(const events::Event& event);

//! A box in ONVIF's default frame transformation: -1..1 across the picture, y pointing up, so
//! top > bottom.
struct OnvifRectangle {
  double left = 0, top = 0, right = 0, bottom = 0;
};
OnvifRectangle onvif_rectangle(const events::Box& box);

//! `box`, seen inside `owner_then`, moved and scaled as its owner went to `owner_now`, so that it
//! keeps its place within the owner (a plate on its car, a face on its person).
events::Box follow_owner(const events::Box& box, const events::Box& owner_then, const events::Box& owner_now);

//! ISO 8601 UTC with milliseconds, as ONVIF writes xs:dateTime: "2026-01-01T08:00:00.040Z".
std::string onvif_utc_time(hal::WallTime time);

//! A tt:MetadataStream document with one tt:VideoAnalytics/tt:Frame at `utc` holding `objects`.
std::string scene_document(hal::WallTime utc, const std::vector<MetadataObject>& objects);

struct MetadataProducerOptions {
  //! How long a plate read or a face capture stays in the scene after it is reported.
  double recognition_seconds = 1.0;
  //! A scene description goes out at least this often while it does not change (a client that
  //! joins late, or lost a packet over UDP, sees the current objects within it).
  double refresh_seconds = 1.0;
  //! Box movement, as a share of the picture, below which the objects count as unchanged.
  double change_threshold = 0.002;
  //! How long the tracked objects of past frames are kept to find a recognition's owner: a read
  //! or a capture is reported after the frame it was made in (a plate after its pass's vote, a
  //! face's best shot once the face has gone).
  double history_seconds = 10.0;
};

//! Runs after the behaviour analysis on the channel's analytics thread (it reads that detector's
//! tracker there, so it must be added to the same VideoAnalytics, after it). With a bus it also
//! shows the channel's traffic::PlateRead and the face_capture events recorded (events::RecordedEvent).
class MetadataProducer final : public Detector {
 public:
  MetadataProducer(std::shared_ptr<media::MetadataStream> stream, std::shared_ptr<const BehaviourAnalysis> behaviour,
                   const hal::Clock& clock, core::EventBus* recognitions = nullptr, MetadataProducerOptions options = {});

  std::string_view name() const override { return "metadata"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  //! The tracker's confirmed targets of the last frame, as scene objects (analytics thread only).
  static std::vector<MetadataObject> objects_of(const BehaviourAnalysis& behaviour);

 private:
  bool changed(const std::vector<MetadataObject>& objects) const;
  //! Takes the recognitions reported since the last frame and drops those shown long enough.
  void update_recognitions(const AnalysisFrame& frame);
  //! Keeps the tracked objects of the frame at `time` and forgets those older than the history.
  void remember(hal::Nanos time, const std::vector<MetadataObject>& tracked);

  struct Recognition {
    MetadataObject object;     //!< as made: its box in the frame it was made in
    hal::Nanos made{0};        //!< that frame's time
    hal::Nanos until{0};
    bool placed = false;       //!< its owner has been looked for
    std::uint64_t owner = 0;   //!< the tracked object it lay in; 0: none found
    events::Box owner_box;     //!< the owner's box in the frame it was made in
    events::Box shown;         //!< where it was last shown
  };
  struct Snapshot {
    hal::Nanos time{0};
    std::vector<MetadataObject> tracked;
  };
  //! Finds the owner of `recognition` among the tracked objects of the frame it was made in (the
  //! latest frame, when that one is not kept).
  void place(Recognition& recognition) const;

  std::shared_ptr<media::MetadataStream> stream_;
  std::shared_ptr<const BehaviourAnalysis> behaviour_;
  const hal::Clock& clock_;
  MetadataProducerOptions options_;
  std::vector<MetadataObject> last_objects_;
  hal::Nanos last_sent_{0};
  std::shared_ptr<core::Mailbox<traffic::PlateRead>> plates_;
  std::shared_ptr<core::Mailbox<events::RecordedEvent>> faces_;
  std::vector<Recognition> recognitions_;
  std::deque<Snapshot> history_;
  bool sent_any_ = false;
};

}  // namespace camrig::analytics
