#include "device/analytics/behaviour_settings.hpp"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace camrig::analytics {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxPolygonPoints = 10;

Error bad(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
Error range(std::string message) { return make_error(ErrorCode::out_of_range, std::move(message)); }

bool in_unit(double v) { return v >= 0.0 && v <= 1.0; }

Result<void> check_common(const std::string& where, int sensitivity, const SizeFilter& size) {
  if (sensitivity < 0 || sensitivity > 100) return range(fmt::format("{}: sensitivity {} is not in 0..100", where, sensitivity));
  if (!in_unit(size.min_width) || !in_unit(size.min_height) || !in_unit(size.max_width) || !in_unit(size.max_height))
    return range(fmt::format("{}: sizes must be fractions of the picture (0..1)", where));
  if (size.min_width > size.max_width || size.min_height > size.max_height)
    return range(fmt::format("{}: the minimum size is larger than the maximum size", where));
  return {};
}

// Two edges that cross (not merely touching neighbours) make a polygon the camera cannot tell
// inside from outside for.
bool self_intersecting(const std::vector<Point>& p) {
  const auto cross = [](Point o, Point a, Point b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); };
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (j == i + 1 || (i == 0 && j == n - 1)) continue;
      const Point a = p[i], b = p[(i + 1) % n], c = p[j], d = p[(j + 1) % n];
      const double d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
      if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
    }
  }
  return false;
}

json point_json(Point p) { return json::array({p.x, p.y}); }

Result<Point> point_from(const json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    return bad(where + ": a point is [x, y] with numbers 0..1");
  return Point{j[0].get<double>(), j[1].get<double>()};
}

json targets_json(const TargetFilter& t) {
  json list = json::array();
  if (t.human) list.push_back("human");
  if (t.vehicle) list.push_back("vehicle");
  return list;
}

Result<TargetFilter> targets_from(const json& j, const std::string& where) {
  TargetFilter t;
  if (!j.is_array()) return bad(where + ": targets is a list of \"human\" and \"vehicle\"");
  for (const auto& item : j) {
    if (item == "human") t.human = true;
    else if (item == "vehicle") t.vehicle = true;
    else return bad(where + ": unknown target " + item.dump() + " (human or vehicle)");
  }
  return t;
}

json size_json(const SizeFilter& s) {
  return json{{"min", json::array({s.min_width, s.min_height})}, {"max", json::array({s.max_width, s.max_height})}};
}

Result<SizeFilter> size_from(const json& j, const std::string& where) {
  if (!j.is_object()) return bad(where + ": size is {\"min\": [w, h], \"max\": [w, h]}");
  SizeFilter s;
  for (const auto& [key, value] : j.items()) {
    auto p = point_from(value, where + ".size." + key);
    if (!p) return p.error();
    if (key == "min") s.min_width = p->x, s.min_height = p->y;
    else if (key == "max") s.max_width = p->x, s.max_height = p->y;
    else return bad(where + ": unknown size key \"" + key + "\"");
  }
  return s;
}

template <class T>
Result<T> number_from(const json& j, const std::string& where) {
  if (!j.is_number()) return bad(where + " must be a number");
  return j.get<T>();
}

}  // namespace

std::string_view to_string(RegionKind kind) {
  switch (kind) {
    case RegionKind::intrusion: return "intrusion";
    case RegionKind::region_entrance: return "region_entrance";
    case RegionKind::region_exiting: return "region_exiting";
    case RegionKind::unattended_baggage: return "unattended_baggage";
    case RegionKind::object_removal: return "object_removal";
  }
  return "intrusion";
}

std::string_view to_string(CrossingDirection direction) {
  switch (direction) {
    case CrossingDirection::both: return "A<->B";
    case CrossingDirection::a_to_b: return "A->B";
    case CrossingDirection::b_to_a: return "B->A";
  }
  return "A<->B";
}

Result<CrossingDirection> parse_direction(std::string_view text) {
  if (text == "A<->B") return CrossingDirection::both;
  if (text == "A->B") return CrossingDirection::a_to_b;
  if (text == "B->A") return CrossingDirection::b_to_a;
  return bad(fmt::format("direction \"{}\" is not one of A<->B, A->B, B->A", text));
}

ThresholdRange threshold_range(RegionKind kind) {
  switch (kind) {
    case RegionKind::intrusion: return {0, 10, 5};
    case RegionKind::region_entrance:
    case RegionKind::region_exiting: return {0, 0, 0};
    case RegionKind::unattended_baggage:
    case RegionKind::object_removal: return {5, 3600, 10};
  }
  return {};
}

Result<void> validate(const BehaviourSettings& settings) {
  if (settings.lines.size() > BehaviourSettings::max_lines)
    return range(fmt::format("at most {} lines", BehaviourSettings::max_lines));
  std::set<int> ids;
  for (const auto& line : settings.lines) {
    const auto where = fmt::format("line {}", line.id);
    if (line.id < 1 || line.id > BehaviourSettings::max_lines || !ids.insert(line.id).second)
      return range(fmt::format("{}: line ids are 1..{}, each once", where, BehaviourSettings::max_lines));
    if (!in_unit(line.a.x) || !in_unit(line.a.y) || !in_unit(line.b.x) || !in_unit(line.b.y))
      return range(where + ": end points must lie in the picture (0..1)");
    if (line.a == line.b) return range(where + ": the two end points are the same");
    if (auto ok = check_common(where, line.sensitivity, line.size); !ok) return ok;
  }
  for (const RegionKind kind : kRegionKinds) {
    const auto& rules = settings.of(kind);
    if (rules.size() > BehaviourSettings::max_regions)
      return range(fmt::format("{}: at most {} regions", to_string(kind), BehaviourSettings::max_regions));
    ids.clear();
    const auto limits = threshold_range(kind);
    for (const auto& region : rules) {
      const auto where = fmt::format("{} region {}", to_string(kind), region.id);
      if (region.id < 1 || region.id > BehaviourSettings::max_regions || !ids.insert(region.id).second)
        return range(fmt::format("{}: region ids are 1..{}, each once", where, BehaviourSettings::max_regions));
      if (region.polygon.size() < 3 || region.polygon.size() > kMaxPolygonPoints)
        return range(fmt::format("{}: a region has 3..{} points", where, kMaxPolygonPoints));
      for (const auto& p : region.polygon)
        if (!in_unit(p.x) || !in_unit(p.y)) return range(where + ": points must lie in the picture (0..1)");
      if (self_intersecting(region.polygon)) return range(where + ": the region's edges cross each other");
      if (region.threshold < limits.min || region.threshold > limits.max)
        return range(fmt::format("{}: threshold {} s is not in {}..{}", where, region.threshold, limits.min, limits.max));
      if (auto ok = check_common(where, region.sensitivity, region.size); !ok) return ok;
    }
  }
  return {};
}

std::string to_json(const BehaviourSettings& settings) {
  json out = json::object();
  json lines = json::array();
  for (const auto& l : settings.lines) {
    lines.push_back({{"id", l.id}, {"enabled", l.enabled}, {"a", point_json(l.a)}, {"b", point_json(l.b)},
                     {"direction", to_string(l.direction)}, {"sensitivity", l.sensitivity},
                     {"targets", targets_json(l.targets)}, {"size", size_json(l.size)}});
  }
  out["lines"] = std::move(lines);
  for (const RegionKind kind : kRegionKinds) {
    json regions = json::array();
    for (const auto& r : settings.of(kind)) {
      json polygon = json::array();
      for (const auto& p : r.polygon) polygon.push_back(point_json(p));
      regions.push_back({{"id", r.id}, {"enabled", r.enabled}, {"polygon", std::move(polygon)},
                         {"sensitivity", r.sensitivity}, {"threshold", r.threshold},
                         {"targets", targets_json(r.targets)}, {"size", size_json(r.size)}});
    }
    out[std::string(to_string(kind))] = std::move(regions);
  }
  return out.dump();
}

Result<BehaviourSettings> parse_behaviour_settings(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("behaviour rules must be a JSON object");
  BehaviourSettings settings;
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_array()) return bad("\"" + key + "\" must be a list");
    if (key == "lines") {
      for (const auto& item : value) {
        LineRule line;
        const std::string where = "line";
        if (!item.is_object()) return bad("each line is an object");
        for (const auto& [field, v] : item.items()) {
          if (field == "id") {
            auto n = number_from<int>(v, "line id");
            if (!n) return n.error();
            line.id = *n;
          } else if (field == "enabled") {
            if (!v.is_boolean()) return bad("line enabled must be true or false");
            line.enabled = v.get<bool>();
          } else if (field == "a" || field == "b") {
            auto p = point_from(v, "line " + field);
            if (!p) return p.error();
            (field == "a" ? line.a : line.b) = *p;
          } else if (field == "direction") {
            if (!v.is_string()) return bad("line direction must be a string");
            auto d = parse_direction(v.get<std::string>());
            if (!d) return d.error();
            line.direction = *d;
          } else if (field == "sensitivity") {
            auto n = number_from<int>(v, "line sensitivity");
            if (!n) return n.error();
            line.sensitivity = *n;
          } else if (field == "targets") {
            auto t = targets_from(v, where);
            if (!t) return t.error();
            line.targets = *t;
          } else if (field == "size") {
            auto s = size_from(v, where);
            if (!s) return s.error();
            line.size = *s;
          } else {
            return bad("unknown line field \"" + field + "\"");
          }
        }
        settings.lines.push_back(line);
      }
      continue;
    }
    const RegionKind* kind = nullptr;
    for (const RegionKind& k : kRegionKinds)
      if (to_string(k) == key) kind = &k;
    if (!kind) return bad("unknown rule family \"" + key + "\"");
    for (const auto& item : value) {
      RegionRule region;
      region.threshold = threshold_range(*kind).default_value;
      const std::string where(to_string(*kind));
      if (!item.is_object()) return bad("each " + where + " region is an object");
      for (const auto& [field, v] : item.items()) {
        if (field == "id" || field == "sensitivity" || field == "threshold") {
          auto n = number_from<int>(v, where + " " + field);
          if (!n) return n.error();
          (field == "id" ? region.id : field == "sensitivity" ? region.sensitivity : region.threshold) = *n;
        } else if (field == "enabled") {
          if (!v.is_boolean()) return bad(where + " enabled must be true or false");
          region.enabled = v.get<bool>();
        } else if (field == "polygon") {
          if (!v.is_array()) return bad(where + " polygon must be a list of points");
          for (const auto& p : v) {
            auto point = point_from(p, where + " polygon");
            if (!point) return point.error();
            region.polygon.push_back(*point);
          }
        } else if (field == "targets") {
          auto t = targets_from(v, where);
          if (!t) return t.error();
          region.targets = *t;
        } else if (field == "size") {
          auto s = size_from(v, where);
          if (!s) return s.error();
          region.size = *s;
        } else {
          return bad("unknown " + where + " field \"" + field + "\"");
        }
      }
      settings.of(*kind).push_back(std::move(region));
    }
  }
  if (auto ok = validate(settings); !ok) return ok.error();
  return settings;
}

std::string behaviour_settings_key(int channel) { return fmt::format("channel.{}.analytics.rules", channel); }

}  // namespace camrig::analytics
