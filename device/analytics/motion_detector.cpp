#include "device/analytics/motion_detector.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>

#include "device/analytics/object_tracker.hpp"

namespace camrig::analytics {

namespace {

// At sensitivity 0+ a cell must be half covered by moving pixels; at 100 a few pixels do. This is
// the manual's "sensitivity = 100 - S1/ST x 100" with S1/ST read as the moving part of a cell.
constexpr double kLeastSensitiveCellFraction = 0.5;
constexpr double kMostSensitiveCellFraction = 0.005;
// Two analysed frames in a row (~0.16 s) before motion starts: a single noisy frame is no motion.
constexpr int kFramesToStart = 2;
// Mean |U-128| + |V-128| of the picture (over 4 x 4 block means) below this: a monochrome
// (night, IR) picture.
constexpr double kMonochromeChroma = 3.0;

Error range_error(std::string message) { return Error{ErrorCode::out_of_range, std::move(message)}; }

// Pieces below this many pixels are noise (the object tracker's size floor).
constexpr int kLeastTargetArea = 24;

// The foreground of the wanted kinds only. A tall closing joins a person's legs, body and head
// first, so a person is judged by the whole figure.
cv::Mat targets_only(const cv::Mat& foreground, bool human, bool vehicle) {
  static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 9));
  cv::Mat closed, labels, stats, centroids;
  cv::morphologyEx(foreground, closed, cv::MORPH_CLOSE, kernel);
  const int count = cv::connectedComponentsWithStats(closed, labels, stats, centroids, 8, CV_32S);
  std::vector<std::uint8_t> keep(static_cast<std::size_t>(count), 0);
  for (int i = 1; i < count; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < kLeastTargetArea) continue;
    const ObjectClass seen = class_of(cv::Rect2d(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                                                 stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT)));
    keep[static_cast<std::size_t>(i)] = (human && seen == ObjectClass::human) || (vehicle && seen == ObjectClass::vehicle);
  }
  cv::Mat kept = cv::Mat::zeros(foreground.size(), CV_8UC1);
  for (int y = 0; y < labels.rows; ++y) {
    const int* label = labels.ptr<int>(y);
    const std::uint8_t* fg = foreground.ptr<std::uint8_t>(y);
    std::uint8_t* out = kept.ptr<std::uint8_t>(y);
    for (int x = 0; x < labels.cols; ++x) out[x] = fg[x] && keep[static_cast<std::size_t>(label[x])] ? 255 : 0;
  }
  return kept;
}

bool monochrome(const hal::VideoFrame& frame) {
  const int cw = frame.width() / 2, ch = frame.height() / 2;
  const std::uint8_t* u = frame.plane(1);
  const std::uint8_t* v = frame.plane(2);
  long long sum = 0, count = 0;
  // Each sample is the mean of a 4 x 4 block: sensor noise on a grey picture averages out, the
  // colour of a lit scene does not.
  for (int y = 0; y + 4 <= ch; y += 8) {
    for (int x = 0; x + 4 <= cw; x += 8) {
      int su = 0, sv = 0;
      for (int dy = 0; dy < 4; ++dy) {
        const std::uint8_t* ur = u + static_cast<std::size_t>(y + dy) * frame.stride(1) + x;
        const std::uint8_t* vr = v + static_cast<std::size_t>(y + dy) * frame.stride(2) + x;
        for (int dx = 0; dx < 4; ++dx) su += ur[dx] - 128, sv += vr[dx] - 128;
      }
      sum += std::abs(su) + std::abs(sv);
      count += 16;
    }
  }
  return count == 0 || static_cast<double>(sum) / count < kMonochromeChroma;
}

}  // namespace

Result<void> validate(const MotionSettings& s) {
  auto level_ok = [](const MotionLevels& l, const std::string& which) -> Result<void> {
    if (l.sensitivity < 0 || l.sensitivity > 100) return range_error(which + " sensitivity must be 0..100");
    if (l.proportion < 1 || l.proportion > 100) return range_error(which + " proportion must be 1..100");
    return {};
  };
  if (s.sensitivity < 0 || s.sensitivity > 100) return range_error("motion sensitivity must be 0..100");
  if (s.areas.size() > static_cast<std::size_t>(kMaxMotionAreas))
    return range_error("expert mode has at most " + std::to_string(kMaxMotionAreas) + " areas, got " +
                       std::to_string(s.areas.size()));
  for (std::size_t i = 0; i < s.areas.size(); ++i) {
    const std::string area = "area " + std::to_string(i + 1);
    if (auto r = level_ok(s.areas[i].day, area + " day"); !r) return r;
    if (auto r = level_ok(s.areas[i].night, area + " night"); !r) return r;
  }
  if (!(s.hold_seconds >= 0 && s.hold_seconds <= 60)) return range_error("motion hold time must be 0..60 s");
  const auto& period = s.day_period;
  if (period.start_minute < 0 || period.end_minute > 24 * 60 || period.start_minute >= period.end_minute)
    return range_error("the day period of the scheduled day/night switch must start before it ends, within 00:00..24:00 (" +
                       events::format_time_of_day(period.start_minute) + " to " +
                       events::format_time_of_day(period.end_minute) + ")");
  return {};
}

MotionGrid full_motion_grid() { return MotionGrid().set(); }

std::string to_grid_map(const MotionGrid& grid) {
  std::string out;
  for (int row = 0; row < kMotionGridRows; ++row) {
    std::uint32_t bits = 0;  // 24 bits, column 0 in the most significant bit
    for (int col = 0; col < kMotionGridColumns; ++col)
      if (grid[static_cast<std::size_t>(row * kMotionGridColumns + col)]) bits |= 1u << (23 - col);
    char hex[7];
    std::snprintf(hex, sizeof hex, "%06x", bits);
    out += hex;
  }
  return out;
}

Result<MotionGrid> parse_grid_map(std::string_view hex) {
  constexpr std::size_t kDigits = kMotionGridRows * 6;
  if (hex.size() != kDigits)
    return Error{ErrorCode::invalid_argument,
                 "gridMap must be " + std::to_string(kDigits) + " hex digits (18 rows of 22 cells), got " +
                     std::to_string(hex.size())};
  MotionGrid grid;
  for (int row = 0; row < kMotionGridRows; ++row) {
    std::uint32_t bits = 0;
    for (int i = 0; i < 6; ++i) {
      const char c = hex[static_cast<std::size_t>(row * 6 + i)];
      int d = 0;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return Error{ErrorCode::invalid_argument, "gridMap holds a character that is not a hex digit"};
      bits = bits << 4 | static_cast<std::uint32_t>(d);
    }
    for (int col = 0; col < kMotionGridColumns; ++col)
      grid[static_cast<std::size_t>(row * kMotionGridColumns + col)] = (bits >> (23 - col)) & 1u;
  }
  return grid;
}

Result<std::vector<MotionArea>> parse_motion_areas(std::string_view json) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array())
    return Error{ErrorCode::invalid_argument, "expert motion areas must be a JSON list of areas"};
  if (doc.size() > static_cast<std::size_t>(kMaxMotionAreas))
    return range_error("expert mode has at most " + std::to_string(kMaxMotionAreas) + " areas, got " +
                       std::to_string(doc.size()));
  std::vector<MotionArea> areas;
  for (const auto& item : doc) {
    const std::string which = "expert motion area " + std::to_string(areas.size() + 1);
    if (!item.is_object() || !item.contains("grid") || !item["grid"].is_string())
      return Error{ErrorCode::invalid_argument, which + " needs a \"grid\" (gridMap text)"};
    auto grid = parse_grid_map(item["grid"].get<std::string>());
    if (!grid) return Error{ErrorCode::invalid_argument, which + ": " + grid.error().message};
    MotionArea& area = areas.emplace_back();
    area.grid = *grid;
    for (auto [name, levels] : {std::pair{"day", &area.day}, std::pair{"night", &area.night}}) {
      if (!item.contains(name)) continue;
      const auto& l = item[name];
      if (!l.is_object()) return Error{ErrorCode::invalid_argument, which + ": \"" + name + "\" is an object"};
      for (auto [field, value] : {std::pair{"sensitivity", &levels->sensitivity}, std::pair{"proportion", &levels->proportion}}) {
        if (!l.contains(field)) continue;
        if (!l[field].is_number_integer())
          return Error{ErrorCode::invalid_argument, which + ": " + name + " " + field + " is a whole number"};
        *value = l[field].get<int>();
      }
    }
  }
  return areas;
}

std::string motion_areas_to_json(const std::vector<MotionArea>& areas) {
  auto doc = nlohmann::json::array();
  for (const auto& area : areas) {
    auto levels = [](const MotionLevels& l) { return nlohmann::json{{"sensitivity", l.sensitivity}, {"proportion", l.proportion}}; };
    doc.push_back({{"grid", to_grid_map(area.grid)}, {"day", levels(area.day)}, {"night", levels(area.night)}});
  }
  return doc.dump();
}

MotionDetector::MotionDetector(MotionSettings settings) : settings_(std::move(settings)) {}

Result<void> MotionDetector::configure(const MotionSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  return {};
}

MotionSettings MotionDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

bool MotionDetector::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void MotionDetector::set_local_time(LocalMinuteSource source) {
  std::lock_guard lock(mutex_);
  local_time_ = std::move(source);
}

bool MotionDetector::night() const {
  std::lock_guard lock(mutex_);
  return night_;
}

MotionDetector::Effective MotionDetector::effective(const AnalysisFrame& frame, const MotionSettings& s) const {
  auto cell_fraction = [](int sensitivity) {
    return std::max(kMostSensitiveCellFraction, (100 - sensitivity) / 100.0 * kLeastSensitiveCellFraction);
  };
  Effective e;
  if (!s.enabled) return e;
  if (s.mode == MotionMode::normal) {
    if (s.sensitivity > 0 && s.grid.any()) e.watches.push_back({0, s.grid, cell_fraction(s.sensitivity), 0.0});
    return e;
  }
  if (s.day_night == DayNightSwitch::automatic) {
    e.night = frame.full && monochrome(*frame.full);
  } else if (s.day_night == DayNightSwitch::scheduled) {
    const std::optional<int> minute = local_time_ ? local_time_() : std::nullopt;
    e.night = minute && (*minute < s.day_period.start_minute || *minute >= s.day_period.end_minute);
  }
  for (std::size_t i = 0; i < s.areas.size(); ++i) {
    const MotionLevels& levels = e.night ? s.areas[i].night : s.areas[i].day;
    if (levels.sensitivity > 0 && s.areas[i].grid.any())
      e.watches.push_back({static_cast<int>(i) + 1, s.areas[i].grid, cell_fraction(levels.sensitivity), levels.proportion / 100.0});
  }
  return e;
}

void MotionDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  std::unique_lock lock(mutex_);
  const Effective e = effective(frame, settings_);
  night_ = e.night;
  const auto hold = std::chrono::nanoseconds(static_cast<std::int64_t>(settings_.hold_seconds * 1e9));

  bool moving = false;
  int moved_area = 0;
  cv::Rect moving_box;
  if (!e.watches.empty() && frame.background_ready()) {
    const bool filtered = settings_.mode == MotionMode::normal && (settings_.target_human || settings_.target_vehicle);
    const cv::Mat foreground =
        filtered ? targets_only(frame.foreground, settings_.target_human, settings_.target_vehicle) : frame.foreground;
    const int w = foreground.cols, h = foreground.rows;
    for (const Watch& watch : e.watches) {
      long long area = 0, moving_pixels = 0;
      cv::Rect box;
      for (int row = 0; row < kMotionGridRows; ++row) {
        for (int col = 0; col < kMotionGridColumns; ++col) {
          if (!watch.grid[static_cast<std::size_t>(row * kMotionGridColumns + col)]) continue;
          const cv::Rect cell(col * w / kMotionGridColumns, row * h / kMotionGridRows,
                              (col + 1) * w / kMotionGridColumns - col * w / kMotionGridColumns,
                              (row + 1) * h / kMotionGridRows - row * h / kMotionGridRows);
          const int pixels = cell.area();
          area += pixels;
          const int fg = cv::countNonZero(foreground(cell));
          if (pixels > 0 && fg >= watch.cell_fraction * pixels) {
            moving_pixels += fg;
            box = box.area() == 0 ? cell : (box | cell);
          }
        }
      }
      if (moving_pixels == 0 || moving_pixels < watch.proportion * static_cast<double>(area)) continue;
      if (!moving) moved_area = watch.area;
      moving = true;
      moving_box = moving_box.area() == 0 ? box : (moving_box | box);
    }
  }

  if (moving) {
    ++moving_frames_;
    last_moving_ = frame.time;
  } else {
    moving_frames_ = 0;
  }
  std::optional<events::Event> event;
  if (!active_ && moving_frames_ >= kFramesToStart) {
    active_ = true;
    event.emplace();
    event->state = events::EventState::active;
    events::Target target;
    const double fw = frame.foreground.cols, fh = frame.foreground.rows;
    target.box = events::Box{moving_box.x / fw, moving_box.y / fh, moving_box.width / fw, moving_box.height / fh};
    event->target = target;
    event->rule = moved_area;
  } else if (active_ && (e.watches.empty() || frame.time - last_moving_ >= hold)) {
    active_ = false;
    event.emplace();
    event->state = events::EventState::inactive;
  }
  lock.unlock();
  if (!event) return;
  event->kind = events::EventKind::motion;
  event->channel = frame.channel;
  event->device_time = frame.time;
  sink(std::move(*event));
}

}  // namespace camrig::analytics
