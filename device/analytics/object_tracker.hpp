// Objects of one channel from its foreground mask: blobs (connected components, size-filtered,
// split parts merged), a multi-object tracker with stable ids (constant-velocity prediction,
// overlap/distance association, coasting through short occlusions), a human/vehicle guess from
// shape, and static objects — things left lying or taken away — found against a slow background
// reference of its own, since the shared model absorbs anything that stops within seconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "device/analytics/analysis_frame.hpp"

namespace camrig::analytics {

enum class ObjectClass { unknown, human, vehicle };
std::string_view to_string(ObjectClass object_class);
//! The tracker's class of a box by its shape: upright is a person, wide (or square) a vehicle.
ObjectClass class_of(const cv::Rect2d& box);

struct Track {
  std::uint64_t id = 0;
  cv::Rect2d box;            //!< analysis pixels: the matched blob, or the prediction while coasting
  cv::Point2d velocity;      //!< box centre, analysis pixels per second
  cv::Size2d usual_size;     //!< smoothed size of the whole-blob matches
  ObjectClass object_class = ObjectClass::unknown;
  int hits = 0;              //!< frames with a matched blob
  int missed = 0;            //!< consecutive frames without one
  hal::Nanos first_seen{0};
  hal::Nanos last_seen{0};
  cv::Point2d origin;        //!< bottom centre when first seen
  double travelled = 0;      //!< largest distance of the bottom centre from `origin`, pixels
  bool confirmed = false;    //!< enough hits to be a real object
  bool is_static = false;    //!< became a static object: the rules for moving targets skip it
};

enum class StaticKind { left, removed };

//! Something that appeared and never moved (left), or a hole where the learnt background had an
//! object (removed). Tracked against the module's slow background reference.
struct StaticObject {
  std::uint64_t id = 0;
  StaticKind kind = StaticKind::left;
  cv::Rect box;             //!< analysis pixels
  hal::Nanos since{0};      //!< when it appeared (the track's first sighting)
  hal::Nanos last_present{0};
  bool present = true;      //!< false once it is gone (picked up, or put back)
  hal::Nanos gone_since{0};
  double initial_share = 0;  //!< part of the box that differed from the reference when found
};

struct ObjectTrackerOptions {
  int min_blob_area = 24;          //!< analysis pixels; smaller blobs are noise
  int confirm_hits = 3;            //!< hits before a track is reported
  double max_coast_seconds = 1.2;  //!< how long a track survives without a blob
  double static_after_seconds = 1.0;  //!< a never-moving track this old becomes a static object
  double static_max_travel = 3.0;     //!< pixels it may wander and still count as never moving
};

class ObjectTracker {
 public:
  explicit ObjectTracker(ObjectTrackerOptions options = {});

  //! One analysed frame; does nothing until the frame's background is ready.
  void update(const AnalysisFrame& frame);
  //! Drops every track, static object and the background reference (settings changed a lot, or
  //! the picture was replaced).
  void reset();

  const std::vector<Track>& tracks() const { return tracks_; }
  const std::vector<StaticObject>& static_objects() const { return statics_; }
  cv::Size frame_size() const { return size_; }

 private:
  cv::Mat sustained_foreground(const AnalysisFrame& frame);
  cv::Mat completed_foreground(const AnalysisFrame& frame, cv::Mat foreground);
  std::vector<cv::Rect> blobs_of(const cv::Mat& foreground);
  void split_stacked(std::vector<cv::Rect>& blobs, const std::vector<cv::Rect2d>& predicted,
                     const cv::Mat& foreground) const;
  void associate(const std::vector<cv::Rect>& blobs, const cv::Mat& foreground, hal::Nanos time);
  void update_reference(const cv::Mat& luma, const cv::Mat& foreground);
  void promote_static(const cv::Mat& luma, hal::Nanos time);
  void follow_static(const cv::Mat& luma, hal::Nanos time);
  void find_unseen_static(const cv::Mat& luma, hal::Nanos time);
  void add_static(const cv::Mat& luma, const cv::Rect& box, hal::Nanos since, hal::Nanos time);

  ObjectTrackerOptions options_;
  std::vector<Track> tracks_;
  std::vector<StaticObject> statics_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_static_id_ = 1;
  hal::Nanos last_time_{0};
  bool have_time_ = false;
  cv::Size size_;
  cv::Mat reference_;  //!< CV_32F background of the empty scene, frozen under targets and static objects
  cv::Mat freeze_;     //!< CV_8U scratch: where the reference must not learn
  cv::Mat reference_u8_, changed_, grown_;  //!< CV_8U scratch of completed_foreground()
  //! Changed places the shared model does not show (it still knows an object put back where one
  //! lay before): boxes waiting to prove they stay, with when they were first seen.
  std::vector<std::pair<cv::Rect, hal::Nanos>> candidates_;
  //! Last boxes of targets lost recently: what they leave in the reference is not an object.
  std::vector<std::pair<cv::Rect, hal::Nanos>> lost_;
  std::uint64_t frames_ = 0;
};

}  // namespace camrig::analytics
