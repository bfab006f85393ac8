// The simulated world in motion: the scene of a world description, its actors following their
// paths and timing, vehicles queueing and stopping at a closed barrier, loops detecting the
// vehicles over them, scene events (light switch, camera covered/moved, defocus). Time only
// moves when advance_to() is called, in fixed ticks, so a run with the same description and
// seed is the same run, bit for bit.
//
// CONTRACT (used by sim/render and the composition root; extend, do not break):
//   World::create(description, io) -> Result<std::unique_ptr<World>>
//   layout(), cameras(), advance_to(t), time(), snapshot(), on_event(handler)
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

class VirtualInputs;
class BarrierGate;

//! A ground-truth event derived from the world's motion (never shown to the device).
struct WorldEvent {
  hal::Nanos time{0};
  std::string kind;      //!< "line_crossing", "region_entrance", "region_exit", "object_left",
                         //!< "object_removed", "loop_occupied", "loop_vacated", "light_switch",
                         //!< "camera_covered", "camera_uncovered", "camera_moved", "defocus", ...
  std::string name;      //!< the line, region, loop or scene event's name from the description
  std::uint32_t actor = 0;  //!< 0 when no actor is involved
  std::string direction;    //!< line crossings: "A->B" or "B->A"; empty otherwise
};

//! The world's links to the devices the camera is wired to. Each may be null.
struct WorldIo {
  VirtualInputs* inputs = nullptr;  //!< loops set their alarm input here
  BarrierGate* barrier = nullptr;   //!< vehicles in the gate lane obey it
};

class World {
 public:
  using EventHandler = std::function<void(const WorldEvent&)>;

  //! Fails with invalid_argument naming the bad element (actor id, path, loop input...).
  static Result<std::unique_ptr<World>> create(const WorldDescription& description, WorldIo io = {});
  virtual ~World() = default;

  virtual const SceneLayout& layout() const = 0;
  //! One pose per camera channel of the description, in channel order.
  virtual const std::vector<CameraPose>& cameras() const = 0;

  //! Moves the world to `time` (not before the current time) in fixed ticks; events and loop
  //! changes are stamped with the tick at which they happen.
  virtual void advance_to(hal::Nanos time) = 0;
  virtual hal::Nanos time() const = 0;
  virtual WorldSnapshot snapshot() const = 0;

  //! Called on the advancing thread for every ground-truth event, in time order.
  virtual void on_event(EventHandler handler) = 0;
};

}  // namespace camrig::sim
