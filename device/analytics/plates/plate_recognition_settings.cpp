#include "device/analytics/plates/plate_recognition_settings.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/plates/plate_layout.hpp"

namespace camrig::analytics {

namespace {

constexpr std::string_view kPrefix = "plate_recognition.";

Result<void> check_quadrilateral(const NormalisedQuadrilateral& polygon, const std::string& what) {
  if (polygon.size() != 4) {
    return make_error(ErrorCode::invalid_argument, what + " needs exactly 4 corners, got " + std::to_string(polygon.size()));
  }
  std::vector<cv::Point2f> points;
  for (const auto& p : polygon) {
    if (!(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1)) {
      return make_error(ErrorCode::out_of_range, what + " corners must lie in the picture (0..1 normalised)");
    }
    points.emplace_back(static_cast<float>(p.x * 1000), static_cast<float>(p.y * 1000));
  }
  if (std::abs(cv::contourArea(points)) < 1.0) {
    return make_error(ErrorCode::invalid_argument, what + " has no area: move its corners apart");
  }
  return {};
}

Result<NormalisedQuadrilateral> area_from(const nlohmann::json& doc, std::string_view what) {
  if (!doc.is_array()) {
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a list of 4 [x, y] corners");
  }
  NormalisedQuadrilateral area;
  for (const auto& point : doc) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number()) {
      return make_error(ErrorCode::invalid_argument, std::string(what) + ": each corner is [x, y] with numbers 0..1");
    }
    area.push_back({point[0].get<double>(), point[1].get<double>()});
  }
  return area;
}

nlohmann::json area_json(const NormalisedQuadrilateral& area) {
  auto points = nlohmann::json::array();
  for (const auto& p : area) points.push_back({p.x, p.y});
  return points;
}

}  // namespace

Result<void> validate(const PlateRecognitionSettings& settings) {
  if (auto r = check_quadrilateral(settings.capture_area, "the capture area"); !r) return r;
  if (settings.shield_areas.size() > PlateRecognitionSettings::kMaxShieldAreas) {
    return make_error(ErrorCode::out_of_range, "at most " + std::to_string(PlateRecognitionSettings::kMaxShieldAreas) +
                                                   " shield areas, got " + std::to_string(settings.shield_areas.size()));
  }
  for (std::size_t i = 0; i < settings.shield_areas.size(); ++i) {
    if (auto r = check_quadrilateral(settings.shield_areas[i], "shield area " + std::to_string(i + 1)); !r) return r;
  }
  if (settings.plate_layouts.size() > PlateRecognitionSettings::kMaxLayouts) {
    return make_error(ErrorCode::out_of_range,
                      "at most " + std::to_string(PlateRecognitionSettings::kMaxLayouts) + " plate layouts");
  }
  for (const auto& layout : settings.plate_layouts) {
    if (!plates::valid_layout(layout)) {
      return make_error(ErrorCode::invalid_argument, "plate layout \"" + layout +
                                                         "\" must be 1-16 of L (letter), D (digit) and ? (either)");
    }
  }
  if (settings.min_plate_width < 16 || settings.max_plate_width < settings.min_plate_width) {
    return make_error(ErrorCode::out_of_range,
                      "plate width limits must satisfy 16 <= minimum <= maximum (pixels), got " +
                          std::to_string(settings.min_plate_width) + ".." + std::to_string(settings.max_plate_width));
  }
  if (!(settings.min_read_confidence >= 0 && settings.min_read_confidence <= 1)) {
    return make_error(ErrorCode::out_of_range, "the recognition confidence must be 0 to 100 %");
  }
  if (settings.confirm_reads < 1 || settings.unlicensed_frames < 1) {
    return make_error(ErrorCode::out_of_range, "confirming reads and unlicensed frames must be at least 1");
  }
  if (settings.settle_time.count() <= 0 || settings.lost_time.count() <= 0 || settings.trigger_window.count() < 0) {
    return make_error(ErrorCode::out_of_range, "settle time and lost time must be positive, the trigger window not negative");
  }
  if (!(settings.min_vehicle_fraction >= 0 && settings.min_vehicle_fraction < 1)) {
    return make_error(ErrorCode::out_of_range, "the minimum vehicle size must be a fraction of the picture in 0..1");
  }
  return {};
}

std::optional<std::vector<std::string>> region_layouts(std::string_view algorithm) {
  // The usual current formats: France/Italy, Spain, Great Britain; California and the
  // three-letter states (New York, Texas, ...) with 3+4 and 3+3 characters.
  static const std::map<std::string, std::vector<std::string>, std::less<>> kRegions{
      {"all", {}},
      {"europe", {"LLDDDLL", "DDDDLLL", "LLDDLLL"}},
      {"america", {"DLLLDDD", "LLLDDDD", "LLLDDD", "DDDLLL"}},
  };
  const auto found = kRegions.find(algorithm);
  if (found == kRegions.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> parse_layouts(std::string_view text) {
  std::vector<std::string> layouts;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) layouts.push_back(current);
    current.clear();
  };
  for (char c : text) {
    if (c == ',') flush();
    else if (c != ' ') current.push_back(c);
  }
  flush();
  return layouts;
}

std::string layouts_to_text(const std::vector<std::string>& layouts) {
  std::string text;
  for (const auto& layout : layouts) text += (text.empty() ? "" : ",") + layout;
  return text;
}

Result<NormalisedQuadrilateral> parse_area(std::string_view json, std::string_view what) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) return make_error(ErrorCode::invalid_argument, std::string(what) + " is not valid JSON");
  return area_from(doc, what);
}

Result<std::vector<NormalisedQuadrilateral>> parse_areas(std::string_view json, std::string_view what) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON list of quadrilaterals");
  }
  std::vector<NormalisedQuadrilateral> areas;
  for (const auto& item : doc) {
    auto area = area_from(item, what);
    if (!area) return area.error();
    areas.push_back(std::move(*area));
  }
  return areas;
}

std::string area_to_json(const NormalisedQuadrilateral& area) { return area_json(area).dump(); }

std::string areas_to_json(const std::vector<NormalisedQuadrilateral>& areas) {
  auto doc = nlohmann::json::array();
  for (const auto& area : areas) doc.push_back(area_json(area));
  return doc.dump();
}

Result<PlateRecognitionSettings> plate_recognition_settings_from_config(
    const core::ConfigService& config, const std::vector<core::ConfigService::Change>& pending) {
  auto value = [&](std::string_view field) -> core::ConfigValue {
    const std::string key = std::string(kPrefix) + std::string(field);
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      if (it->first == key) return it->second;
    }
    return config.get(key);
  };
  auto text = [&](std::string_view field) { return core::to_string(value(field)); };
  auto integer = [&](std::string_view field) -> int {
    const auto v = value(field);
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<int>(*i);
    return 0;  // a pending value of the wrong type: the config service refuses it when applied
  };

  PlateRecognitionSettings s;
  s.enabled = text("enabled") == "true";
  auto capture = parse_area(text("capture_area"), "the capture area");
  if (!capture) return capture.error();
  s.capture_area = std::move(*capture);
  auto shields = parse_areas(text("shield_areas"), "the shield areas");
  if (!shields) return shields.error();
  s.shield_areas = std::move(*shields);
  const std::string algorithm = text("algorithm");
  if (algorithm == "custom") {
    s.plate_layouts = parse_layouts(text("plate_layouts"));
    if (s.plate_layouts.empty()) {
      return make_error(ErrorCode::invalid_argument,
                        "the custom plate algorithm needs plate layouts, e.g. LLDDDLL,DLLLDDD (L letter, D digit, ? either)");
    }
  } else if (auto layouts = region_layouts(algorithm)) {
    s.plate_layouts = std::move(*layouts);
  } else {
    return make_error(ErrorCode::invalid_argument, "unknown plate algorithm \"" + algorithm + "\"");
  }
  s.min_plate_width = integer("min_plate_width");
  s.max_plate_width = integer("max_plate_width");
  s.min_read_confidence = integer("min_confidence") / 100.0;
  if (auto valid = validate(s); !valid) return valid.error();
  return s;
}

bool is_plate_recognition_key(std::string_view key) { return key.starts_with(kPrefix); }

}  // namespace camrig::analytics
