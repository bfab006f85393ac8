// Licence plate recognition on one channel's analysed frames: finds plates in the capture area
// (minus shield areas) on the full-size picture, reads them with Tesseract, follows each vehicle
// across frames, votes its reads into one PlateRead per pass, and answers loop/IO triggers.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device/analytics/detector.hpp"
#include "device/analytics/plates/plate_recognition_settings.hpp"
#include "device/analytics/plates/plate_vote.hpp"
#include "device/analytics/plates/vehicle_finder.hpp"
#include "device/core/result.hpp"
#include "device/traffic/plate_read.hpp"

namespace camrig::analytics {

namespace plates {
class PlateOcr;
}

struct PlateRecognitionOptions {
  int channel = 1;
  std::string tessdata;  //!< Tesseract model folder; empty = the system's
};

struct PlateRecognitionCounters {
  std::uint64_t frames = 0;        //!< analysed while enabled
  std::uint64_t candidates = 0;    //!< plate-like regions read by OCR
  std::uint64_t reads = 0;         //!< OCR reads that voted
  std::uint64_t reported = 0;      //!< PlateReads emitted (video and triggered)
  std::chrono::nanoseconds busy{0};      //!< time spent in analyse()
  std::chrono::nanoseconds ocr_busy{0};  //!< of which in OCR
  //! CPU time of the analysing thread in analyse() (OCR runs on it): the cost on a busy machine,
  //! where `busy` also counts waiting for a core.
  std::chrono::nanoseconds cpu{0};
};

class PlateRecognition : public Detector {
 public:
  //! Loads the OCR model; when it cannot, logs why and reads no plates (ready() is false).
  PlateRecognition(PlateRecognitionOptions options, traffic::PlateReadSink sink);
  ~PlateRecognition() override;

  //! Takes effect from the next frame. Invalid settings are refused (logged, old ones kept):
  //! check them with validate() (plate_recognition_settings.hpp) first.
  void configure(PlateRecognitionSettings settings);

  //! Loop/IO capture: emit one PlateRead (trigger = `trigger`) for the best read within
  //! `window` around `at` (plate "" if none), even if a video read of the same vehicle was
  //! already emitted. Thread-safe (called from the LPR capture logic). Answered on the analytics
  //! thread once frames up to at + window are analysed, or earlier when a vehicle's plate in the
  //! window is already confirmed.
  void trigger(traffic::CaptureTrigger trigger, hal::Nanos at);

  bool ready() const { return ocr_ != nullptr; }
  std::string_view name() const override { return "plate recognition"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;
  PlateRecognitionCounters counters() const;

 private:
  struct Observation {
    hal::Nanos time{0};
    plates::OcrRead read;
  };
  struct Track {
    std::uint64_t id = 0;
    hal::Nanos first_seen{0}, last_seen{0}, first_read{0}, plate_seen{-1}, vehicle_seen{-1};
    cv::Rect vehicle, plate;          // last seen (empty = none)
    cv::Rect first_vehicle, first_plate;
    int vehicle_frames = 0;
    plates::PlateVote vote;
    std::vector<Observation> observations;
    bool emitted = false;
    // A plate read inside the vehicle's box whose reads went to another track that began before
    // this one (the same vehicle, seen apart from its plate): the vehicle is not unlicensed.
    bool plate_inside = false;
    // Taken over by the track of its plate (absorb()); dropped at the end of the frame.
    bool merged = false;
    // The frame that read best: for the pictures and the reported boxes.
    double best_score = -1;
    hal::Nanos best_time{0};
    cv::Rect best_plate, best_vehicle;
    hal::VideoFramePtr best_frame;
    std::string vehicle_colour, plate_colour;
  };
  struct PendingTrigger {
    traffic::CaptureTrigger trigger;
    hal::Nanos at;
  };

  void update_tracks(const AnalysisFrame& frame, const PlateRecognitionSettings& settings,
                     const std::vector<cv::Rect>& vehicles, std::vector<std::pair<cv::Rect, plates::OcrRead>> reads);
  //! `into` takes over `from`'s vehicle; `from` is dropped.
  static void absorb(Track& into, Track& from);
  void finish_tracks(hal::Nanos now, const PlateRecognitionSettings& settings);
  void answer_triggers(const AnalysisFrame& frame, const PlateRecognitionSettings& settings);
  traffic::PlateRead make_read(const Track& track, const plates::VotedPlate& voted) const;
  void emit(traffic::PlateRead read);

  PlateRecognitionOptions options_;
  traffic::PlateReadSink sink_;
  std::unique_ptr<plates::PlateOcr> ocr_;

  mutable std::mutex settings_mutex_;
  PlateRecognitionSettings settings_;

  std::mutex triggers_mutex_;
  std::vector<PendingTrigger> triggers_;

  // Analytics thread only.
  plates::VehicleFinder vehicle_finder_;
  std::vector<Track> tracks_;
  std::deque<Track> finished_;  // kept for triggers that look back
  std::deque<std::pair<std::string, hal::Nanos>> recent_plates_;  // video reads emitted, by time
  std::uint64_t next_track_ = 1;
  std::uint64_t next_read_ = 1;
  hal::VideoFramePtr last_frame_;
  bool searched_last_idle_frame_ = false;

  mutable std::mutex counters_mutex_;
  PlateRecognitionCounters counters_;
};

}  // namespace camrig::analytics
