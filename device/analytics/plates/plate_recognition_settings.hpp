// Plate recognition settings: their checks, the plate layouts of each "Plate Algorithm" region,
// and their form in the config service (plate_recognition.*, device/core/schema/plate_recognition.json).
// Free of the OCR engine, so the ISAPI front-end can check a settings document before storing it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::analytics {

//! A point in picture coordinates normalised to 0..1 (0,0 = top-left).
struct NormalisedPoint {
  double x = 0, y = 0;
  bool operator==(const NormalisedPoint&) const = default;
};
using NormalisedQuadrilateral = std::vector<NormalisedPoint>;

struct PlateRecognitionSettings {
  static constexpr std::size_t kMaxShieldAreas = 3;
  static constexpr std::size_t kMaxLayouts = 16;

  bool enabled = true;
  //! Quadrilateral (LPR manual "Capture Area"); plates whose centre is outside are ignored.
  NormalisedQuadrilateral capture_area{{0, 0}, {1, 0}, {1, 1}, {0, 1}};
  //! Up to kMaxShieldAreas quadrilaterals where plates are ignored (manual "Shield Area").
  std::vector<NormalisedQuadrilateral> shield_areas;
  //! Plate layouts of the region ("Plate Algorithm"), e.g. "LLDDDLL" (L letter, D digit, ?
  //! either); empty = any. At most kMaxLayouts.
  std::vector<std::string> plate_layouts;
  int min_plate_width = 80;   //!< full-frame pixels
  int max_plate_width = 600;
  //! A single read whose mean character confidence is below this does not vote.
  double min_read_confidence = 0.5;
  //! Agreeing reads after which a vehicle's plate is reported at once.
  int confirm_reads = 3;
  //! Longest wait after a vehicle's first read before its plate is reported anyway.
  hal::Nanos settle_time = std::chrono::milliseconds(500);
  //! A vehicle or plate not seen for this long has left (its pass ends).
  hal::Nanos lost_time = std::chrono::milliseconds(400);
  //! A vehicle tracked for this many analysed frames without any plate read is reported
  //! unlicensed (plate "") when its pass ends.
  int unlicensed_frames = 10;
  //! Blobs smaller than this fraction of the picture are not vehicles (a motorcycle with its
  //! rider 20 m out is about 0.5 %).
  double min_vehicle_fraction = 0.005;
  //! trigger(): reads within ± this of the trigger time are considered.
  hal::Nanos trigger_window = std::chrono::milliseconds(600);
};

//! invalid_argument / out_of_range with a message naming the setting.
Result<void> validate(const PlateRecognitionSettings& settings);

//! The plate layouts of a "Plate Algorithm" region: "all" (none, any plate), "europe", "america".
//! nullopt for "custom" (the configured list) and unknown names.
std::optional<std::vector<std::string>> region_layouts(std::string_view algorithm);

//! "LLDDDLL,DLLLDDD" (spaces allowed around the commas; empty = none) to a list; bad layouts are
//! left for validate() to name.
std::vector<std::string> parse_layouts(std::string_view text);
std::string layouts_to_text(const std::vector<std::string>& layouts);

//! "[[x,y],[x,y],[x,y],[x,y]]" and "[[[x,y],...], ...]", the config service's text forms of the areas.
Result<NormalisedQuadrilateral> parse_area(std::string_view json, std::string_view what);
Result<std::vector<NormalisedQuadrilateral>> parse_areas(std::string_view json, std::string_view what);
std::string area_to_json(const NormalisedQuadrilateral& area);
std::string areas_to_json(const std::vector<NormalisedQuadrilateral>& areas);

//! The settings stored under plate_recognition.*, with `pending` changes (not yet stored) taking
//! the place of the stored values, checked with validate(). Settings the config service does not
//! expose keep their defaults.
Result<PlateRecognitionSettings> plate_recognition_settings_from_config(
    const core::ConfigService& config, const std::vector<core::ConfigService::Change>& pending = {});

//! True for the config keys plate_recognition_settings_from_config() reads.
bool is_plate_recognition_key(std::string_view key);

}  // namespace camrig::analytics
