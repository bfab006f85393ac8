// The static ground of each scene type at realistic sizes: asphalt and lanes (3.5 m, dashed and
// edge markings), stop line, loop saw-cuts, sidewalks, a paved plaza, a facade with its door, and
// the boom gate's geometry. Also the lane centre lines that lane-following vehicles drive.
#pragma once

#include <vector>

#include "sim/world/world_description.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

//! A lane's centre line in the direction of travel.
struct LaneLine {
  Vec2 start;
  Vec2 end;
  double width = 3.5;
  LaneDirection direction = LaneDirection::towards;
};

//! The lanes of a road or gate lane scene, numbered from the left (smallest x); empty for plaza
//! and building entrance scenes.
std::vector<LaneLine> lane_lines(const SceneDescription& scene);

//! The boom gate of a gate lane scene: pivot on the right-hand kerb of the lanes at `barrier_y`,
//! the arm spanning all lanes. nullopt for other scene types.
std::optional<BarrierGeometry> barrier_geometry(const SceneDescription& scene);

//! Ground patches, walls and barrier for the description's scene, with the outline of every
//! loop of the description cut into the ground.
SceneLayout build_scene_layout(const WorldDescription& description);

}  // namespace camrig::sim
