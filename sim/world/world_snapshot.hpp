// What the world looks like at one instant: the static scene layout and the moving actors, the
// light, the weather and what happens to the camera itself. The world (sim/world/world.hpp)
// produces it; the renderer (sim/render/scene_renderer.hpp) draws it and the ground-truth
// recorder describes it. Plain data, copied freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "device/hal/clock.hpp"
#include "sim/world/geometry.hpp"

namespace camrig::sim {

enum class SceneType { road, gate_lane, plaza, building_entrance };

//! What a patch of ground is made of; the renderer picks texture and brightness from it.
enum class Surface { asphalt, sidewalk, grass, paving, lane_marking, stop_line, loop_marking, floor };

struct GroundPatch {
  Surface surface = Surface::asphalt;
  Polygon2 polygon;  //!< on the ground (z = 0), counter-clockwise or clockwise, drawn in order
};

//! A vertical rectangle standing on the ground from `a` to `b` (a facade, a fence, a kiosk).
struct Wall {
  Vec2 a;
  Vec2 b;
  double height = 3;
  Rgb colour{150, 140, 130};
  //! An opening (door) along the wall: distance of its left edge from `a`, its width and height.
  struct Door {
    double offset = 0;
    double width = 1;
    double height = 2.1;
  };
  std::optional<Door> door;
};

//! A boom gate: the arm pivots at `pivot` (on its post, `pivot_height` above the ground) and
//! points along `heading` when down; it rises to vertical when open.
struct BarrierGeometry {
  Vec2 pivot;
  double heading = 0;
  double arm_length = 4;
  double pivot_height = 1.0;
};

//! The static part of a scene: drawn once per camera pose.
struct SceneLayout {
  SceneType type = SceneType::road;
  std::vector<GroundPatch> ground;  //!< drawn in order over a background of `ground_colour`
  Rgb ground_colour{95, 100, 90};
  Rgb sky_colour{170, 190, 215};
  std::vector<Wall> walls;
  std::optional<BarrierGeometry> barrier;
};

enum class ActorKind { car, van, truck, motorcycle, person, bag, box };

const char* to_string(ActorKind kind);
inline bool is_vehicle(ActorKind kind) { return kind <= ActorKind::motorcycle; }

enum class PlateFormat {
  us,  //!< 7 characters, e.g. "7ABC123", dark text on a white plate 305 x 152 mm
  eu,  //!< e.g. "AB-123-CD" or "B MW 1234", dark text on a white plate 520 x 110 mm with a blue band
};

struct Plate {
  std::string text;  //!< upper-case letters, digits, spaces and dashes
  PlateFormat format = PlateFormat::eu;
  bool front = true;
  bool rear = true;
};

struct Actor {
  std::uint32_t id = 0;  //!< unique in a world, stable for the actor's life
  ActorKind kind = ActorKind::car;
  Vec3 position;         //!< centre of the footprint; z > 0 only when carried or lifted
  double heading = 0;    //!< direction the front faces (vehicles: bonnet; people: face)
  Vec3 velocity;         //!< metres per second, for motion blur and direction
  double length = 4.5;   //!< along the heading, metres
  double width = 1.8;
  double height = 1.5;
  Rgb colour{200, 30, 30};           //!< body paint, clothes, bag colour
  std::optional<Plate> plate;        //!< vehicles only
  std::uint64_t appearance = 0;      //!< seed for details: face features, skin, hair, trim
  double walk_phase = 0;             //!< people: gait cycle position 0..1
  double head_turn = 0;              //!< people: the head turned from the heading, radians, + to the right
  bool glasses = false;              //!< people: wears dark-framed glasses
};

enum class LightingMode { day, dusk, night_ir, night_white_light };

struct Lighting {
  LightingMode mode = LightingMode::day;
  //! Multiplier on the scene's light (1 = the mode's normal level); a light switch jumps it.
  double level = 1.0;
};

struct Weather {
  double sensor_noise = 2.0;       //!< standard deviation of the added noise, in 8-bit levels
  double motion_blur = 0.0;        //!< shutter as a fraction of the frame interval, 0..1
  double rain = 0.0;               //!< 0..1 density of streaks
  double fog = 0.0;                //!< 0..1; contrast falls with distance
  int compression_quality = 0;     //!< 0 = off, else 1..100: JPEG-like 8x8 block quantisation
};

//! What happens to the camera itself (tamper scenarios).
struct CameraEffects {
  double covered = 0.0;      //!< fraction of the lens covered, 0..1 (1 = a hand over it)
  double defocus_pixels = 0.0;  //!< blur radius at 1080p, scaled to the frame size
  double pan_offset_degrees = 0.0;   //!< the camera was moved: added to its pose
  double tilt_offset_degrees = 0.0;
};

struct WorldSnapshot {
  hal::Nanos time{0};         //!< world time since the world started
  Lighting lighting;
  Weather weather;
  CameraEffects effects;
  double barrier_position = 0;  //!< 0 = arm down, 1 = up; ignored without a barrier
  std::vector<Actor> actors;  //!< sorted by id
};

}  // namespace camrig::sim
