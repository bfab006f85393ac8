#include "sim/world/ground_geometry.hpp"

namespace camrig::sim {

std::array<Vec2, 4> footprint(const Actor& actor) {
  const Vec2 centre{actor.position.x, actor.position.y};
  const Vec2 along = heading_vector(actor.heading) * (actor.length / 2.0);
  const Vec2 across = Vec2{along.y, -along.x} * (actor.width / std::max(actor.length, 1e-9));
  return {centre + along - across, centre + along + across, centre - along + across, centre - along - across};
}

bool point_in_polygon(Vec2 point, const Polygon2& polygon) {
  bool inside = false;
  for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    const Vec2 a = polygon[i], b = polygon[j];
    if ((a.y > point.y) != (b.y > point.y) && point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x)
      inside = !inside;
  }
  return inside;
}

double segment_crossing(Vec2 p0, Vec2 p1, Vec2 a, Vec2 b) {
  const Vec2 d = p1 - p0;
  const Vec2 e = b - a;
  const double denominator = cross2(d, e);
  if (std::abs(denominator) < 1e-15) return -1;
  const double t = cross2(a - p0, e) / denominator;
  const double u = cross2(a - p0, d) / denominator;
  if (t < 0 || t > 1 || u < 0 || u > 1) return -1;
  return t;
}

bool polygons_overlap(const Polygon2& a, const Polygon2& b) {
  if (a.empty() || b.empty()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j)
      if (segment_crossing(a[i], a[(i + 1) % a.size()], b[j], b[(j + 1) % b.size()]) >= 0) return true;
  // No edges cross: either one lies inside the other or they are apart.
  return point_in_polygon(a[0], b) || point_in_polygon(b[0], a);
}

}  // namespace camrig::sim
