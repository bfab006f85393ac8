// A simulated world as data: the scene and its parameters, the cameras, light and weather, the
// lines/regions/loops that analytics and ground truth refer to, the actors with their paths and
// timing, and the scene events. Parsed from YAML (or JSON); the schema is documented in
// sim/world/world-description.md and sim/world/world.schema.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

//! Which way a lane's traffic goes, seen from a camera at the origin looking along +y.
enum class LaneDirection {
  towards,  //!< -y: vehicles approach the camera
  away,     //!< +y: vehicles drive away from it
};

//! The static scene. Roads run along y from `start_y` to `end_y`; lanes are numbered from the
//! left (smallest x), centred on x = `centre_x`.
struct SceneDescription {
  SceneType type = SceneType::road;
  int lanes = 2;
  double lane_width = 3.5;
  std::vector<LaneDirection> lane_directions;  //!< per lane; empty = left half towards, rest away
  double centre_x = 0;
  double start_y = -10;
  double end_y = 120;
  double sidewalk_width = 2.5;  //!< on both sides of the road; 0 = none
  double barrier_y = 12;        //!< gate_lane: where the boom crosses the lane(s)
  double wall_y = 15;           //!< building_entrance: the facade
  double door_x = 0;            //!< building_entrance: the door's centre
  double door_width = 2;
  double plaza_size = 40;       //!< plaza, building_entrance: side of the paved square
};

struct CameraDescription {
  std::string name;
  CameraPose pose;
  double fps = 25;
};

struct LightingDescription {
  LightingMode mode = LightingMode::day;
  double level = 1.0;
};

//! A counting line. Side A is on `a_side` of the segment from `a` to `b`, seen from above
//! looking from `a` towards `b`.
struct LineDescription {
  std::string name;
  Vec2 a;
  Vec2 b;
  bool a_on_left = true;
};

struct RegionDescription {
  std::string name;
  Polygon2 polygon;
};

//! An inductive loop: occupied while any vehicle's footprint overlaps `polygon`; drives alarm
//! input `input` (0-based) through `wiring`.
struct LoopDescription {
  std::string name;
  Polygon2 polygon;
  int input = 0;
  Wiring wiring = Wiring::normally_open;
};

//! A point of a path. The leg that ends here is driven backwards when `reverse` (the actor
//! faces away from the motion), at `speed` when given; the actor waits `wait` here.
struct Waypoint {
  Vec2 point;
  hal::Nanos wait{0};
  bool reverse = false;
  std::optional<double> speed;
};

//! How a person faces while walking: along the motion, against it, or a fixed heading.
enum class Facing { along_path, backwards, fixed };

struct ActorDescription {
  std::string name;  //!< for error messages and reports; defaults to "actors[i]"
  ActorKind kind = ActorKind::car;
  std::optional<Rgb> colour;  //!< unset: drawn from the seed at each spawn
  //! Vehicles: a plate with fixed text, or with empty text to draw one per spawn from the seed.
  std::optional<Plate> plate;
  hal::Nanos spawn{0};
  hal::Nanos every{0};   //!< > 0: spawns again every `every` for ever (or `count` times)
  hal::Nanos jitter{0};  //!< each respawn is delayed by a seeded amount in [0, jitter]
  int count = 0;         //!< spawns in all when `every` > 0; 0 = unlimited
  std::optional<int> lane;  //!< vehicles without a path: follow this lane's centre line
  std::vector<Waypoint> path;
  double speed = 10;         //!< m/s cruising; people ~1.4
  bool queue = true;         //!< vehicles: keep a gap to the vehicle ahead
  Facing facing = Facing::along_path;
  double facing_degrees = 0;  //!< with Facing::fixed
  //! People: the head turned from the way the body faces, degrees, positive to the person's right.
  double head_turn_degrees = 0;
  bool glasses = false;  //!< people: wears dark-framed glasses
  //! People: the same face at every spawn (someone who comes back); unset: a new face each time.
  std::optional<int> appearance;
  // Objects (bag, box): where and when they lie on the ground.
  Vec2 position;
  double heading_degrees = 0;
  std::optional<hal::Nanos> removed;  //!< objects: taken away at this time
};

//! Something that happens to the scene or the camera at a time.
struct SceneEvent {
  enum class Kind { light_switch, camera_covered, camera_uncovered, camera_moved, defocus };
  hal::Nanos at{0};
  Kind kind = Kind::light_switch;
  std::string name;           //!< defaults to the kind's name
  LightingMode mode = LightingMode::day;  //!< light_switch
  double level = 1.0;         //!< light_switch
  double amount = 1.0;        //!< camera_covered: fraction of the lens
  double pan_degrees = 0;     //!< camera_moved: offset from the mounted pose
  double tilt_degrees = 0;
  double pixels = 0;          //!< defocus: blur radius at 1080p (0 = sharp again)
};

struct WorldDescription {
  std::string source;  //!< file name or label the description came from
  std::uint64_t seed = 1;
  SceneDescription scene;
  std::vector<CameraDescription> cameras;  //!< at least one
  LightingDescription lighting;
  Weather weather;
  std::vector<LineDescription> lines;
  std::vector<RegionDescription> regions;
  std::vector<LoopDescription> loops;
  std::vector<ActorDescription> actors;
  std::vector<SceneEvent> events;  //!< sorted by time (stable) after parsing
};

const char* to_string(SceneType type);
const char* to_string(LightingMode mode);
const char* to_string(SceneEvent::Kind kind);

//! Parses YAML or JSON text. `source` names the text in error messages, which read
//! "<source>:<line>:<column>: <what is wrong>" and name the offending key or value.
Result<WorldDescription> parse_world_description(std::string_view text, std::string source);

//! Reads and parses a file; io_error when it cannot be read.
Result<WorldDescription> load_world_description(const std::string& path);

//! The scenes compiled into the binary: "default", "lpr-camera", "network-camera",
//! "smart-linkage-ptz" (the files sim/world/scenes/<name>.yaml).
std::vector<std::string> builtin_scene_names();
//! not_found for an unknown name.
Result<WorldDescription> builtin_scene(std::string_view name);

}  // namespace camrig::sim
