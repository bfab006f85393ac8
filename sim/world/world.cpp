#include "sim/world/world.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include <fmt/format.h>

#include "device/core/log.hpp"
#include "sim/barrier_gate.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/world/ground_geometry.hpp"
#include "sim/world/scene_layouts.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;

constexpr hal::Nanos k_tick = 10ms;
constexpr double k_dt = 0.010;              // k_tick in seconds
constexpr double k_vehicle_accel = 2.0;     // m/s^2, an unhurried driver
constexpr double k_vehicle_brake = 3.0;     // m/s^2, planned stops
constexpr double k_vehicle_max_brake = 7.0;  // beyond this a driver no longer stops for the boom
constexpr double k_person_accel = 1.5;
constexpr double k_person_brake = 2.0;
constexpr double k_queue_gap = 2.5;          // metres between bumpers when queued
constexpr double k_barrier_margin = 1.0;     // front bumper stops this far before the arm
constexpr double k_stride = 1.5;             // metres per gait cycle (two steps)

struct Dimensions {
  double length, width, height;
};

Dimensions dimensions(ActorKind kind) {
  switch (kind) {
    case ActorKind::car: return {4.5, 1.8, 1.5};
    case ActorKind::van: return {5.2, 2.0, 2.2};
    case ActorKind::truck: return {8.0, 2.5, 3.3};
    case ActorKind::motorcycle: return {2.1, 0.8, 1.4};
    case ActorKind::person: return {0.35, 0.5, 1.75};
    case ActorKind::bag: return {0.25, 0.45, 0.35};
    case ActorKind::box: return {0.5, 0.5, 0.4};
  }
  return {1, 1, 1};
}

double heading_of(Vec2 d) { return std::atan2(d.x, d.y); }

// splitmix64: independent, order-free seeds for each spawn's random stream.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A stretch of path driven in one direction without stopping.
struct Leg {
  std::vector<Vec2> points;
  std::vector<double> at;  // arc length at each point
  double length = 0;
  bool reverse = false;
  std::vector<double> speeds;  // per segment
  hal::Nanos wait_at_end{0};
  std::optional<double> barrier_at;  // arc length where the leg passes under the boom

  // Index of the segment that contains arc length s.
  std::size_t segment(double s) const {
    const auto it = std::upper_bound(at.begin(), at.end(), std::clamp(s, 0.0, length));
    return it == at.begin() ? 0 : std::min<std::size_t>(it - at.begin() - 1, points.size() - 2);
  }

  Vec2 point(double s) const {
    s = std::clamp(s, 0.0, length);
    const std::size_t i = segment(s);
    const double span = at[i + 1] - at[i];
    const double f = span > 0 ? (s - at[i]) / span : 0;
    return points[i] + (points[i + 1] - points[i]) * f;
  }

  // Direction of travel around s, over a base of `base` metres so that long vehicles turn smoothly.
  Vec2 direction(double s, double base) const {
    Vec2 d = point(s + base / 2) - point(s - base / 2);
    double n = std::hypot(d.x, d.y);
    if (n < 1e-6) {
      const std::size_t i = segment(s);
      d = points[i + 1] - points[i];
      n = std::hypot(d.x, d.y);
    }
    return n > 0 ? d * (1.0 / n) : Vec2{0, 1};
  }
};

struct Route {
  hal::Nanos initial_wait{0};
  std::vector<Leg> legs;
};

struct Spawner {
  std::size_t description = 0;
  hal::Nanos next{0};
  int spawned = 0;
  bool done = false;
};

// An actor alive in the world with its progress along its route.
struct Agent {
  Actor actor;
  std::size_t description = 0;
  std::size_t leg = 0;
  double s = 0;       // along the current leg
  double speed = 0;   // along the motion, >= 0
  hal::Nanos waiting_until{0};
  bool finished = false;
  std::optional<hal::Nanos> removed_at;  // objects
  Vec2 motion{0, 1};                     // unit direction of travel
  Vec2 previous;                         // centre at the previous tick, for line crossings
  bool has_previous = false;
  std::vector<char> in_region;
};

class WorldImpl final : public World {
 public:
  WorldImpl(const WorldDescription& description, WorldIo io, SceneLayout layout, std::vector<Route> routes)
      : description_(description),
        io_(io),
        layout_(std::move(layout)),
        routes_(std::move(routes)),
        log_(log::get("sim.world")) {
    for (const auto& camera : description_.cameras) cameras_.push_back(camera.pose);
    lighting_ = {description_.lighting.mode, description_.lighting.level};
    weather_ = description_.weather;
    for (std::size_t i = 0; i < description_.actors.size(); ++i)
      spawners_.push_back({i, description_.actors[i].spawn, 0, false});
    loop_state_.assign(description_.loops.size(), 0);
    loop_occupant_.assign(description_.loops.size(), 0);
  }

  const SceneLayout& layout() const override { return layout_; }
  const std::vector<CameraPose>& cameras() const override { return cameras_; }
  hal::Nanos time() const override { return time_; }
  void on_event(EventHandler handler) override { handler_ = std::move(handler); }

  void advance_to(hal::Nanos time) override {
    if (!started_) {
      // What is due at time 0 happens on the first call, once the event handler is in place.
      started_ = true;
      apply_scene_events();
      spawn();
      detect_lines_and_regions();
      detect_loops();
    }
    while (time_ + k_tick <= time) step();
  }

  WorldSnapshot snapshot() const override {
    WorldSnapshot snap;
    snap.time = time_;
    snap.lighting = lighting_;
    snap.weather = weather_;
    snap.effects = effects_;
    snap.barrier_position = layout_.barrier ? (io_.barrier ? io_.barrier->position() : 1.0) : 0.0;
    snap.actors.reserve(agents_.size());
    for (const auto& agent : agents_) snap.actors.push_back(agent.actor);
    return snap;
  }

 private:
  void emit(std::string kind, std::string name, std::uint32_t actor = 0, std::string direction = {}) {
    if (!handler_) return;
    handler_(WorldEvent{time_, std::move(kind), std::move(name), actor, std::move(direction)});
  }

  void step() {
    time_ += k_tick;
    apply_scene_events();
    remove_objects();
    spawn();
    move();
    detect_lines_and_regions();
    retire_finished();
    detect_loops();
  }

  void apply_scene_events() {
    while (next_event_ < description_.events.size() && description_.events[next_event_].at <= time_) {
      const SceneEvent& e = description_.events[next_event_++];
      switch (e.kind) {
        case SceneEvent::Kind::light_switch: lighting_ = {e.mode, e.level}; break;
        case SceneEvent::Kind::camera_covered: effects_.covered = e.amount; break;
        case SceneEvent::Kind::camera_uncovered: effects_.covered = 0; break;
        case SceneEvent::Kind::camera_moved:
          effects_.pan_offset_degrees = e.pan_degrees;
          effects_.tilt_offset_degrees = e.tilt_degrees;
          break;
        case SceneEvent::Kind::defocus: effects_.defocus_pixels = e.pixels; break;
      }
      emit(to_string(e.kind), e.name);
    }
  }

  void remove_objects() {
    for (auto& agent : agents_) {
      if (agent.removed_at && *agent.removed_at <= time_ && !agent.finished) {
        agent.finished = true;
        emit("object_removed", description_.actors[agent.description].name, agent.actor.id);
      }
    }
    std::erase_if(agents_, [](const Agent& a) { return a.finished && a.removed_at; });
  }

  void spawn() {
    for (auto& spawner : spawners_) {
      if (spawner.done || spawner.next > time_) continue;
      const ActorDescription& d = description_.actors[spawner.description];
      const Route& route = routes_[spawner.description];
      // A vehicle waits to enter while the queue reaches back to its spawn point.
      if (is_vehicle(d.kind) && entry_blocked(route.legs.front(), dimensions(d.kind))) continue;
      std::mt19937_64 rng(mix(mix(description_.seed) ^ mix(spawner.description * 0x10001ULL + 1) ^
                              mix(static_cast<std::uint64_t>(spawner.spawned) + 0x5151)));
      agents_.push_back(make_agent(spawner.description, route, rng));
      ++spawner.spawned;
      if (d.every <= hal::Nanos{0} || (d.count > 0 && spawner.spawned >= d.count)) {
        spawner.done = true;
      } else {
        hal::Nanos jitter{0};
        if (d.jitter > hal::Nanos{0})
          jitter = hal::Nanos{static_cast<std::int64_t>(std::uniform_real_distribution<double>(0, 1)(rng) *
                                                        static_cast<double>(d.jitter.count()))};
        spawner.next = d.spawn + d.every * spawner.spawned + jitter;
      }
      const Agent& agent = agents_.back();
      if (agent.removed_at) emit("object_left", d.name, agent.actor.id);
    }
  }

  bool entry_blocked(const Leg& leg, const Dimensions& size) const {
    const Vec2 at = leg.point(0);
    const Vec2 along = leg.direction(0, 0.1);
    for (const auto& other : agents_) {
      if (!is_vehicle(other.actor.kind)) continue;
      const Vec2 rel = Vec2{other.actor.position.x, other.actor.position.y} - at;
      const double ahead = std::abs(rel.x * along.x + rel.y * along.y);
      const double lateral = std::abs(cross2(along, rel));
      if (ahead < (size.length + other.actor.length) / 2.0 + k_queue_gap &&
          lateral < (size.width + other.actor.width) / 2.0)
        return true;
    }
    return false;
  }

  Agent make_agent(std::size_t index, const Route& route, std::mt19937_64& rng) {
    static constexpr Rgb k_paints[] = {{235, 235, 235}, {25, 25, 28},  {180, 182, 186}, {110, 112, 115},
                                       {160, 25, 25},   {30, 55, 140}, {40, 90, 50},    {200, 170, 40}};
    static constexpr Rgb k_clothes[] = {{40, 40, 60},   {150, 30, 30}, {30, 90, 150}, {200, 200, 190},
                                        {60, 110, 60}, {90, 70, 50},  {20, 20, 20},  {180, 120, 40}};
    const ActorDescription& d = description_.actors[index];
    Agent agent;
    agent.description = index;
    Actor& a = agent.actor;
    a.id = next_id_++;
    a.kind = d.kind;
    const Dimensions dim = dimensions(d.kind);
    a.length = dim.length;
    a.width = dim.width;
    a.height = dim.height;
    std::uniform_int_distribution<int> pick(0, 7);
    const int paint = pick(rng);
    a.colour = d.colour ? *d.colour : (d.kind == ActorKind::person ? k_clothes[paint] : k_paints[paint]);
    a.appearance = rng();
    if (d.appearance) a.appearance = static_cast<std::uint64_t>(*d.appearance);
    a.head_turn = d.head_turn_degrees * std::numbers::pi / 180.0;
    a.glasses = d.glasses;
    if (d.kind == ActorKind::person) a.height = std::uniform_real_distribution<double>(1.58, 1.92)(rng);
    if (d.plate) {
      a.plate = d.plate;
      if (a.plate->text.empty()) a.plate->text = random_plate(d.plate->format, rng);
    }
    agent.in_region.assign(description_.regions.size(), 0);
    if (d.kind == ActorKind::bag || d.kind == ActorKind::box) {
      a.position = {d.position.x, d.position.y, 0};
      a.heading = d.heading_degrees * std::numbers::pi / 180.0;
      // Each spawn lies for as long as the first one: from `spawn` to `removed`.
      agent.removed_at = d.removed ? time_ + (*d.removed - d.spawn) : hal::Nanos::max();
      return agent;
    }
    agent.waiting_until = time_ + route.initial_wait;
    place(agent);
    return agent;
  }

  static std::string random_plate(PlateFormat format, std::mt19937_64& rng) {
    // Letters that plates avoid for their likeness to digits are left out (I, O, Q).
    static constexpr char k_letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    std::uniform_int_distribution<int> letter(0, 22), digit(0, 9);
    auto l = [&] { return k_letters[letter(rng)]; };
    auto n = [&] { return static_cast<char>('0' + digit(rng)); };
    if (format == PlateFormat::us) return {static_cast<char>('1' + digit(rng) % 9), l(), l(), l(), n(), n(), n()};
    return {l(), l(), '-', n(), n(), n(), '-', l(), l()};
  }

  // Position, heading and velocity of a moving agent from its progress.
  void place(Agent& agent) {
    const ActorDescription& d = description_.actors[agent.description];
    const Leg& leg = routes_[agent.description].legs[agent.leg];
    const Vec2 p = leg.point(agent.s);
    const double base = is_vehicle(d.kind) ? agent.actor.length * 0.6 : 0.2;
    agent.motion = leg.direction(agent.s, base);
    Actor& a = agent.actor;
    a.position = {p.x, p.y, 0};
    a.velocity = {agent.motion.x * agent.speed, agent.motion.y * agent.speed, 0};
    double heading = heading_of(agent.motion);
    if (d.kind == ActorKind::person) {
      if (d.facing == Facing::backwards) heading += std::numbers::pi;
      if (d.facing == Facing::fixed) heading = d.facing_degrees * std::numbers::pi / 180.0;
    } else if (leg.reverse) {
      heading += std::numbers::pi;
    }
    a.heading = std::remainder(heading, 2 * std::numbers::pi);
  }

  struct State {
    Vec2 centre, motion, facing;
    double speed, length, width;
    bool vehicle;
  };

  void move() {
    // Decisions use everyone's state at the start of the tick, so the order of agents is moot.
    std::vector<State> before;
    before.reserve(agents_.size());
    for (const auto& agent : agents_) {
      const Actor& a = agent.actor;
      before.push_back({{a.position.x, a.position.y}, agent.motion, heading_vector(a.heading), agent.speed, a.length,
                        a.width, is_vehicle(a.kind)});
    }
    const bool barrier_closed = layout_.barrier && io_.barrier && !io_.barrier->is_passable();
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      Agent& agent = agents_[i];
      if (agent.removed_at || agent.finished) continue;
      if (agent.waiting_until > time_) {
        agent.speed = 0;
        place(agent);
        continue;
      }
      const ActorDescription& d = description_.actors[agent.description];
      const Route& route = routes_[agent.description];
      const Leg& leg = route.legs[agent.leg];
      const bool vehicle = is_vehicle(d.kind);
      const double accel = vehicle ? k_vehicle_accel : k_person_accel;
      const double brake = vehicle ? k_vehicle_brake : k_person_brake;
      const double front = vehicle ? agent.actor.length / 2.0 : 0.0;

      const std::size_t segment = leg.segment(agent.s);
      double limit = leg.speeds[segment];
      double room = leg.length - agent.s;  // how far it may move this tick
      auto stop_within = [&](double distance, double target_speed) {
        limit = std::min(limit, std::sqrt(target_speed * target_speed + 2 * brake * std::max(distance, 0.0)));
        if (target_speed <= 0) room = std::min(room, std::max(distance, 0.0));
      };
      stop_within(leg.length - agent.s, 0);
      for (std::size_t k = segment + 1; k < leg.speeds.size(); ++k) stop_within(leg.at[k] - agent.s, leg.speeds[k]);
      if (vehicle && barrier_closed && leg.barrier_at) {
        const double distance = *leg.barrier_at - k_barrier_margin - (agent.s + front);
        // Past the stop point, or too close to stop: the driver commits and drives through.
        const bool can_stop = distance >= -0.05 &&
                              agent.speed * agent.speed <= 2 * k_vehicle_max_brake * std::max(distance, 0.01);
        if (can_stop) stop_within(distance, 0);
      }
      if (vehicle && d.queue) {
        for (std::size_t j = 0; j < before.size(); ++j) {
          if (j == i || !before[j].vehicle) continue;
          const State& self = before[i];
          const State& other = before[j];
          const Vec2 rel = other.centre - self.centre;
          const double ahead = rel.x * self.motion.x + rel.y * self.motion.y;
          const double lateral = std::abs(cross2(self.motion, rel));
          if (ahead <= 0 || ahead > 80 || lateral > (self.width + other.width) / 2.0 * 0.9) continue;
          // Only vehicles lined up with this one (either way round) block it, not crossing traffic.
          if (std::abs(self.facing.x * other.facing.x + self.facing.y * other.facing.y) < 0.7) continue;
          const double gap = ahead - (self.length + other.length) / 2.0 - k_queue_gap;
          const double leader_speed = std::max(0.0, other.motion.x * self.motion.x * other.speed +
                                                        other.motion.y * self.motion.y * other.speed);
          stop_within(gap, leader_speed);
          if (gap <= 0) room = 0;
        }
      }
      agent.speed = std::max(0.0, std::min(agent.speed + accel * k_dt, limit));
      agent.s += std::min(agent.speed * k_dt, room);
      if (d.kind == ActorKind::person)
        agent.actor.walk_phase = std::fmod(agent.actor.walk_phase + agent.speed * k_dt / k_stride, 1.0);
      place(agent);
      // Arrived at the end of the leg: wait there, then take the next leg or leave the world.
      if (leg.length - agent.s < 0.01) {
        agent.s = leg.length;
        agent.speed = 0;
        place(agent);
        agent.waiting_until = time_ + leg.wait_at_end;
        if (agent.leg + 1 < route.legs.size()) {
          ++agent.leg;
          agent.s = 0;
        }
      }
    }
    // At the end of the last leg, once its wait is over, the actor leaves.
    for (auto& agent : agents_) {
      if (agent.removed_at || agent.finished) continue;
      const Route& route = routes_[agent.description];
      if (agent.leg + 1 == route.legs.size() && agent.s >= route.legs[agent.leg].length &&
          agent.waiting_until <= time_)
        agent.finished = true;
    }
  }

  void detect_lines_and_regions() {
    for (auto& agent : agents_) {
      if (agent.removed_at) continue;
      const Vec2 now{agent.actor.position.x, agent.actor.position.y};
      if (agent.has_previous) {
        for (const auto& line : description_.lines) {
          if (segment_crossing(agent.previous, now, line.a, line.b) < 0) continue;
          const double before = cross2(line.b - line.a, agent.previous - line.a);
          const double after = cross2(line.b - line.a, now - line.a);
          if ((before > 0) == (after > 0)) continue;
          const bool from_left = before > 0;
          emit("line_crossing", line.name, agent.actor.id, from_left == line.a_on_left ? "A->B" : "B->A");
        }
      }
      agent.previous = now;
      agent.has_previous = true;
      for (std::size_t r = 0; r < description_.regions.size(); ++r) {
        const bool inside = !agent.finished && point_in_polygon(now, description_.regions[r].polygon);
        if (inside == static_cast<bool>(agent.in_region[r])) continue;
        agent.in_region[r] = inside;
        emit(inside ? "region_entrance" : "region_exit", description_.regions[r].name, agent.actor.id);
      }
    }
  }

  void retire_finished() {
    std::erase_if(agents_, [](const Agent& a) { return a.finished; });
  }

  void detect_loops() {
    for (std::size_t l = 0; l < description_.loops.size(); ++l) {
      const LoopDescription& loop = description_.loops[l];
      std::uint32_t occupant = 0;
      for (const auto& agent : agents_) {
        if (!is_vehicle(agent.actor.kind)) continue;
        const auto corners = footprint(agent.actor);
        if (polygons_overlap(Polygon2(corners.begin(), corners.end()), loop.polygon)) {
          occupant = agent.actor.id;
          break;
        }
      }
      const bool occupied = occupant != 0;
      if (occupied == static_cast<bool>(loop_state_[l])) {
        if (occupied) loop_occupant_[l] = occupant;
        continue;
      }
      loop_state_[l] = occupied;
      if (io_.inputs) {
        if (auto set = io_.inputs->set_active(loop.input, occupied); !set)
          log_->warn("loop '{}' cannot drive input {}: {}", loop.name, loop.input, set.error().message);
      }
      emit(occupied ? "loop_occupied" : "loop_vacated", loop.name, occupied ? occupant : loop_occupant_[l]);
      loop_occupant_[l] = occupant;
    }
  }

  WorldDescription description_;
  WorldIo io_;
  SceneLayout layout_;
  std::vector<Route> routes_;
  std::vector<CameraPose> cameras_;
  std::shared_ptr<spdlog::logger> log_;
  EventHandler handler_;

  hal::Nanos time_{0};
  bool started_ = false;
  Lighting lighting_;
  Weather weather_;
  CameraEffects effects_;
  std::size_t next_event_ = 0;
  std::vector<Spawner> spawners_;
  std::vector<Agent> agents_;  // in id order
  std::uint32_t next_id_ = 1;
  std::vector<char> loop_state_;
  std::vector<std::uint32_t> loop_occupant_;
};

}  // namespace

namespace {

Error invalid(const WorldDescription& d, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, fmt::format("{}: {}", d.source.empty() ? "world" : d.source, what));
}

void finish_leg(Leg& leg, std::vector<Leg>& legs, const std::optional<BarrierGeometry>& barrier) {
  leg.at.assign(1, 0.0);
  for (std::size_t i = 1; i < leg.points.size(); ++i) {
    const Vec2 d = leg.points[i] - leg.points[i - 1];
    leg.at.push_back(leg.at.back() + std::hypot(d.x, d.y));
  }
  leg.length = leg.at.back();
  if (barrier) {
    const Vec2 a = barrier->pivot;
    const Vec2 b = a + heading_vector(barrier->heading) * barrier->arm_length;
    for (std::size_t i = 0; i + 1 < leg.points.size() && !leg.barrier_at; ++i) {
      const double t = segment_crossing(leg.points[i], leg.points[i + 1], a, b);
      if (t >= 0) leg.barrier_at = leg.at[i] + t * (leg.at[i + 1] - leg.at[i]);
    }
  }
  legs.push_back(std::move(leg));
}

// Splits a path into legs at every wait and every change between driving forwards and backwards.
Result<Route> build_route(const WorldDescription& d, std::size_t index, const std::optional<BarrierGeometry>& barrier) {
  const ActorDescription& actor = d.actors[index];
  Route route;
  std::vector<Waypoint> path = actor.path;
  if (path.empty()) {
    const auto lanes = lane_lines(d.scene);
    if (!actor.lane) return invalid(d, fmt::format("{} has neither a path nor a lane", actor.name));
    if (*actor.lane < 0 || *actor.lane >= static_cast<int>(lanes.size()))
      return invalid(d, fmt::format("{}: lane {} does not exist; the {} scene has {} lane(s)", actor.name, *actor.lane,
                                    to_string(d.scene.type), lanes.size()));
    Waypoint start, end;
    start.point = lanes[*actor.lane].start;
    end.point = lanes[*actor.lane].end;
    path = {start, end};
  }
  if (path.size() < 2) return invalid(d, fmt::format("{}: a path needs at least 2 waypoints", actor.name));
  for (std::size_t i = 1; i < path.size(); ++i)
    if (std::hypot(path[i].point.x - path[i - 1].point.x, path[i].point.y - path[i - 1].point.y) < 0.01)
      return invalid(d, fmt::format("{}: path[{}] repeats the point before it; give that point a 'wait' instead",
                                    actor.name, i));
  route.initial_wait = path.front().wait;
  Leg leg;
  leg.points = {path.front().point};
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Waypoint& w = path[i];
    if (leg.points.size() > 1 && w.reverse != leg.reverse) {
      const Vec2 start = leg.points.back();
      finish_leg(leg, route.legs, barrier);
      leg = Leg{};
      leg.points = {start};
    }
    if (leg.points.size() == 1) leg.reverse = w.reverse;
    leg.points.push_back(w.point);
    leg.speeds.push_back(w.speed.value_or(actor.speed));
    if (w.wait > hal::Nanos{0} || i + 1 == path.size()) {
      leg.wait_at_end = w.wait;
      finish_leg(leg, route.legs, barrier);
      leg = Leg{};
      leg.points = {w.point};
    }
  }
  return route;
}

}  // namespace

Result<std::unique_ptr<World>> World::create(const WorldDescription& description, WorldIo io) {
  if (description.cameras.empty()) return invalid(description, "the world needs at least one camera");
  SceneLayout layout = build_scene_layout(description);
  std::vector<Route> routes;
  for (std::size_t i = 0; i < description.actors.size(); ++i) {
    const ActorDescription& actor = description.actors[i];
    if (actor.kind == ActorKind::bag || actor.kind == ActorKind::box) {
      routes.emplace_back();
      continue;
    }
    auto route = build_route(description, i, layout.barrier);
    if (!route) return route.error();
    routes.push_back(std::move(*route));
  }
  for (std::size_t i = 0; i < description.regions.size(); ++i)
    if (description.regions[i].polygon.size() < 3)
      return invalid(description, fmt::format("region '{}' needs at least 3 points", description.regions[i].name));
  for (std::size_t i = 0; i < description.loops.size(); ++i) {
    const LoopDescription& loop = description.loops[i];
    if (loop.polygon.size() < 3)
      return invalid(description, fmt::format("loop '{}' needs at least 3 points", loop.name));
    for (std::size_t j = 0; j < i; ++j)
      if (description.loops[j].input == loop.input)
        return invalid(description, fmt::format("loops '{}' and '{}' both drive alarm input {}",
                                                description.loops[j].name, loop.name, loop.input));
    if (io.inputs && (loop.input < 0 || loop.input >= io.inputs->count()))
      return invalid(description, fmt::format("loop '{}' drives alarm input {}, but the camera has inputs 0..{}",
                                              loop.name, loop.input, io.inputs->count() - 1));
  }
  if (io.inputs) {
    for (const auto& loop : description.loops) {
      auto attached = io.inputs->attach(loop.input, SensorWiring{SensorKind::loop_detector, loop.wiring, loop.name});
      if (!attached) return attached.error();
    }
  }
  return std::unique_ptr<World>(std::make_unique<WorldImpl>(description, io, std::move(layout), std::move(routes)));
}

}  // namespace camrig::sim
