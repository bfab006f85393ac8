// The settings of the behaviour rules of one channel (network camera 6.2.6-6.2.11): line
// crossing, intrusion, region entrance/exiting, unattended baggage and object removal, with their
// lines and regions in picture coordinates, and their JSON form as stored in the configuration.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::analytics {

//! A picture point, normalised 0..1 from the top-left corner.
struct Point {
  double x = 0, y = 0;
  bool operator==(const Point&) const = default;
};

//! Detection Target: which classes a rule reports. Neither selected means every target.
struct TargetFilter {
  bool human = false;
  bool vehicle = false;
  bool operator==(const TargetFilter&) const = default;
};

//! Only targets whose box lies between these sizes count (6.2.13), normalised to the picture.
struct SizeFilter {
  double min_width = 0, min_height = 0;
  double max_width = 1, max_height = 1;
  bool operator==(const SizeFilter&) const = default;
};

enum class CrossingDirection { both, a_to_b, b_to_a };

//! One line; side A is on the left of a -> b as seen on the picture.
struct LineRule {
  int id = 1;
  bool enabled = false;
  Point a{0.25, 0.5}, b{0.75, 0.5};
  CrossingDirection direction = CrossingDirection::both;
  int sensitivity = 50;  //!< 0..100: a target counts as across once (100 - sensitivity)% of it is
  TargetFilter targets;
  SizeFilter size;
  bool operator==(const LineRule&) const = default;
};

struct RegionRule {
  int id = 1;
  bool enabled = false;
  std::vector<Point> polygon;  //!< 3..10 points
  int sensitivity = 50;        //!< 0..100: the target is inside once (100 - sensitivity)% of it is
  //! Seconds: loitering (intrusion, 0..10), left lying (baggage) or gone (removal), 5..3600.
  int threshold = 0;
  TargetFilter targets;
  SizeFilter size;
  bool operator==(const RegionRule&) const = default;
};

enum class RegionKind { intrusion, region_entrance, region_exiting, unattended_baggage, object_removal };
inline constexpr RegionKind kRegionKinds[] = {RegionKind::intrusion, RegionKind::region_entrance,
                                              RegionKind::region_exiting, RegionKind::unattended_baggage,
                                              RegionKind::object_removal};

struct BehaviourSettings {
  static constexpr int max_lines = 4;
  static constexpr int max_regions = 4;

  std::vector<LineRule> lines;                    //!< ids 1..max_lines
  std::vector<RegionRule> regions[std::size(kRegionKinds)];  //!< per RegionKind, ids 1..max_regions

  std::vector<RegionRule>& of(RegionKind kind) { return regions[static_cast<int>(kind)]; }
  const std::vector<RegionRule>& of(RegionKind kind) const { return regions[static_cast<int>(kind)]; }
  bool operator==(const BehaviourSettings&) const = default;
};

//! "intrusion", "region_entrance", ... as in the JSON form.
std::string_view to_string(RegionKind kind);
std::string_view to_string(CrossingDirection direction);
Result<CrossingDirection> parse_direction(std::string_view text);
//! The threshold range of a kind, in seconds, and its default.
struct ThresholdRange {
  int min = 0, max = 0, default_value = 0;
};
ThresholdRange threshold_range(RegionKind kind);

//! Checks counts, ids, coordinates, sensitivity, thresholds and sizes; the message names the bad
//! field so an API client can correct it.
Result<void> validate(const BehaviourSettings& settings);

//! The stored form: {"lines":[...], "intrusion":[...], ...}; unknown keys are errors.
Result<BehaviourSettings> parse_behaviour_settings(std::string_view json);
std::string to_json(const BehaviourSettings& settings);

//! The configuration key holding a channel's rules as JSON text.
std::string behaviour_settings_key(int channel);

}  // namespace camrig::analytics
