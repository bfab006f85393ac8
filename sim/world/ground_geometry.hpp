// Plane geometry on the ground (z = 0) that the world's detectors share: an actor's footprint,
// point in polygon, segment crossing and polygon overlap. Polygons may be concave.
#pragma once

#include <array>

#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

inline double cross2(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }

//! The four ground corners of an actor's footprint (oriented by its heading).
std::array<Vec2, 4> footprint(const Actor& actor);

//! Even-odd rule; points on an edge may fall either way.
bool point_in_polygon(Vec2 point, const Polygon2& polygon);

//! Where segment p0-p1 meets segment a-b: the fraction along p0-p1, or a negative value when
//! they do not meet (parallel segments never meet).
double segment_crossing(Vec2 p0, Vec2 p1, Vec2 a, Vec2 b);

//! True when the two polygons share any area or touch.
bool polygons_overlap(const Polygon2& a, const Polygon2& b);

}  // namespace camrig::sim
