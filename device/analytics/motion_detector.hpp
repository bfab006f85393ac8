// Motion detection of one channel (network camera 6.1.1): which cells of the 22 x 18 area grid
// hold moving pixels of the shared background model (in normal mode optionally only those of the
// blobs the object tracker's shape test calls human or vehicle), in normal mode (one sensitivity)
// or expert mode (up to 8 drawn areas, each with its own day and night sensitivity and proportion,
// switched by the picture turning monochrome or by a daily schedule), raised and cleared with hold
// times.
#pragma once

#include <bitset>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/analytics/detector.hpp"
#include "device/core/result.hpp"
#include "device/events/arming_schedule.hpp"

namespace camrig::analytics {

inline constexpr int kMotionGridColumns = 22;
inline constexpr int kMotionGridRows = 18;
inline constexpr int kMaxMotionAreas = 8;  //!< expert mode's areas (network camera 6.1.1)
using MotionGrid = std::bitset<kMotionGridColumns * kMotionGridRows>;  //!< bit row * 22 + column

enum class MotionMode { normal, expert };
//! Expert mode's day/night switch: off uses the day settings; auto uses the night settings while
//! the picture is monochrome (IR cut filter out); scheduled uses the day settings within the day
//! period of local time and the night settings outside it.
enum class DayNightSwitch { off, automatic, scheduled };

struct MotionLevels {
  int sensitivity = 50;  //!< 0..100, 0 = off
  int proportion = 1;    //!< 1..100: % of the drawn area the moving object must cover (expert)
  friend bool operator==(const MotionLevels&, const MotionLevels&) = default;
};

//! One area of expert mode: its own cells of the grid and its own day and night levels.
struct MotionArea {
  MotionGrid grid;
  MotionLevels day;
  MotionLevels night;
  friend bool operator==(const MotionArea&, const MotionArea&) = default;
};

struct MotionSettings {
  bool enabled = false;
  MotionMode mode = MotionMode::normal;
  MotionGrid grid;  //!< normal mode's drawn area; empty = nothing is watched
  int sensitivity = 50;  //!< normal mode
  //! Normal mode's detection target: only moving things of the ticked kinds (by their shape:
  //! upright is a person, wide a vehicle) count; neither ticked = every moving thing.
  bool target_human = false;
  bool target_vehicle = false;
  DayNightSwitch day_night = DayNightSwitch::off;
  //! Expert mode: area n is areas[n - 1]; motion in any area is motion of the channel, and the
  //! event names the first area that moved.
  std::vector<MotionArea> areas;
  events::TimePeriod day_period{6 * 60, 18 * 60};  //!< scheduled switch: day from start to end
  double hold_seconds = 2.0;  //!< motion ends this long after the last moving frame
};

Result<void> validate(const MotionSettings& settings);

//! The local minute of the day (0..1439) now, or nothing while the time is not known.
using LocalMinuteSource = std::function<std::optional<int>()>;

//! The whole picture as an area grid.
MotionGrid full_motion_grid();
//! ISAPI gridMap text: 18 rows of 22 bits, each row padded to 3 bytes, as 108 hex digits.
std::string to_grid_map(const MotionGrid& grid);
Result<MotionGrid> parse_grid_map(std::string_view hex);
//! Expert areas as stored (`channel.<n>.motion.expert.areas`): a JSON list of
//! {"grid": gridMap, "day": {"sensitivity", "proportion"}, "night": {...}}; a missing level is 50 / 1.
Result<std::vector<MotionArea>> parse_motion_areas(std::string_view json);
std::string motion_areas_to_json(const std::vector<MotionArea>& areas);

class MotionDetector final : public Detector {
 public:
  explicit MotionDetector(MotionSettings settings = {});

  std::string_view name() const override { return "motion"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  //! Validates and applies; the detector keeps its state (an ongoing motion ends by its hold time).
  Result<void> configure(const MotionSettings& settings);
  MotionSettings settings() const;
  bool active() const;
  //! Where the scheduled day/night switch reads the time; without it the day settings apply.
  void set_local_time(LocalMinuteSource source);
  //! True when the last analysed frame used the night settings (expert mode).
  bool night() const;

 private:
  //! One area as watched now: its cells and the levels of the time of day.
  struct Watch {
    int area = 0;                //!< expert area number, 0 in normal mode
    MotionGrid grid;
    double cell_fraction = 1.0;  //!< foreground part of a cell that makes it a moving cell
    double proportion = 0.0;     //!< moving part of the area needed for motion
  };
  struct Effective {
    std::vector<Watch> watches;  //!< empty: motion detection is off
    bool night = false;
  };
  Effective effective(const AnalysisFrame& frame, const MotionSettings& settings) const;

  mutable std::mutex mutex_;
  MotionSettings settings_;
  LocalMinuteSource local_time_;
  bool night_ = false;
  bool active_ = false;
  int moving_frames_ = 0;
  hal::Nanos last_moving_{0};
};

}  // namespace camrig::analytics
