#include "sim/render/scene_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numbers>
#include <unordered_map>
#include <utility>

#include "sim/render/post_effects.hpp"
#include "sim/render/raster.hpp"
#include "sim/render/textures.hpp"
#include "sim/world/actor_parts.hpp"

namespace camrig::sim {

using namespace render;

namespace {

// Sunlight from above and a little from the camera's side, so vehicle sides read as solids.
const Vec3 k_sun = [] {
  const Vec3 d{0.35, -0.45, 0.82};
  return d * (1.0 / length(d));
}();

double shade_of(Vec3 unit_normal) { return 0.55 + 0.45 * std::max(0.0, dot(unit_normal, k_sun)); }

Rgb surface_colour(Surface surface) {
  switch (surface) {
    case Surface::asphalt: return {78, 78, 82};
    case Surface::sidewalk: return {168, 163, 152};
    case Surface::grass: return {78, 132, 58};
    case Surface::paving: return {152, 132, 116};
    case Surface::lane_marking: return {232, 232, 226};
    case Surface::stop_line: return {240, 240, 236};
    case Surface::loop_marking: return {38, 38, 40};
    case Surface::floor: return {182, 176, 166};
  }
  return {128, 128, 128};
}

bool same_pose(const CameraPose& a, const CameraPose& b) {
  return a.position == b.position && a.pan_degrees == b.pan_degrees && a.tilt_degrees == b.tilt_degrees &&
         a.horizontal_fov_degrees == b.horizontal_fov_degrees && a.width == b.width && a.height == b.height;
}

Vec3 normalised(Vec3 v) {
  const double l = length(v);
  return l > 1e-12 ? v * (1.0 / l) : Vec3{0, 0, 1};
}

// An actor's local frame: a along the heading, s to its right, z up from the footprint.
struct Local {
  Vec3 origin;
  Vec2 along;
  Vec2 right;
  Vec3 at(double a, double s, double z) const {
    return {origin.x + along.x * a + right.x * s, origin.y + along.y * a + right.y * s, origin.z + z};
  }
};

Local local_of(const Actor& actor) {
  const Vec2 along = heading_vector(actor.heading);
  return {actor.position, along, {along.y, -along.x}};
}

// Eight corners: bottom ring rear-left, rear-right, front-right, front-left; then the top ring.
using Hexa = std::array<Vec3, 8>;

Hexa box(const Local& l, double a0, double a1, double s0, double s1, double z0, double z1) {
  return {l.at(a0, s0, z0), l.at(a0, s1, z0), l.at(a1, s1, z0), l.at(a1, s0, z0),
          l.at(a0, s0, z1), l.at(a0, s1, z1), l.at(a1, s1, z1), l.at(a1, s0, z1)};
}

// A box whose top ring is shorter than its bottom (cabins with raked screens).
Hexa tapered(const Local& l, double a0, double a1, double s0, double s1, double z0, double z1, double ta0, double ta1,
             double ts0, double ts1) {
  return {l.at(a0, s0, z0),   l.at(a0, s1, z0),   l.at(a1, s1, z0),   l.at(a1, s0, z0),
          l.at(ta0, ts0, z1), l.at(ta0, ts1, z1), l.at(ta1, ts1, z1), l.at(ta1, ts0, z1)};
}

// Face indices of a Hexa: bottom, top, then the sides from ring corner i to i + 1.
enum HexaFace { bottom = 0, top = 1, rear = 2, right_side = 3, front = 4, left_side = 5 };

struct Quad3 {
  std::array<Vec3, 4> c;  // for sides: bottom-left, bottom-right, top-right, top-left (seen from outside or inside)
  Vec3 normal;
  bool visible = false;
  double shade = 1;
  // A point at (su, sv) across the face, sv from its bottom edge to its top edge.
  Vec3 at(double su, double sv) const {
    const Vec3 b = c[0] + (c[1] - c[0]) * su;
    const Vec3 t = c[3] + (c[2] - c[3]) * su;
    return b + (t - b) * sv;
  }
  std::vector<Vec3> part(double su0, double su1, double sv0, double sv1) const {
    return {at(su0, sv0), at(su1, sv0), at(su1, sv1), at(su0, sv1)};
  }
};

}  // namespace

struct SceneRenderer::Impl {
  SceneLayout layout;
  std::uint64_t seed;
  double frame_interval;
  PlateRasteriser plates;
  std::map<std::pair<std::string, int>, Texture> plate_cache;
  std::unordered_map<std::uint64_t, Texture> face_cache;

  // Static scene of the last pose.
  bool cached = false;
  CameraPose cached_pose;
  std::vector<std::uint8_t> background;
  RowDepths row_depths;

  // Per frame.
  Planes planes;
  const CameraModel* camera = nullptr;
  double fog = 0;
  double fog_mix = 0;  // of the actor being drawn
  // Lamps of this frame, redrawn after the light is applied: they shine in the dark.
  struct Lamp {
    std::vector<Pixel> outline;
    Yuv drawn;
    Rgb colour;
  };
  std::vector<Lamp> lamps;

  Impl(const SceneLayout& l, std::uint64_t s, double frame_rate)
      : layout(l), seed(s), frame_interval(frame_rate > 0 ? 1.0 / frame_rate : 0.04) {}

  Yuv colour_of(Rgb rgb, double shade) const {
    Rgb c = scale(rgb, shade);
    if (fog_mix > 0) c = mix(c, fog_colour(), fog_mix);
    return to_yuv(c);
  }

  void polygon(const std::vector<Vec3>& world, Rgb rgb, double shade = 1.0) {
    const auto pixels = project_polygon(*camera, world);
    if (!pixels.empty()) fill_polygon(planes, pixels, colour_of(rgb, shade));
  }

  // Draws the faces of a hexahedron that face the camera; returns all faces for decoration.
  std::array<Quad3, 6> hexa(const Hexa& h, Rgb rgb) {
    static constexpr int k_index[6][4] = {{0, 1, 2, 3}, {4, 5, 6, 7}, {0, 1, 5, 4}, {1, 2, 6, 5}, {2, 3, 7, 6}, {3, 0, 4, 7}};
    Vec3 centre{};
    for (const auto& p : h) centre = centre + p * 0.125;
    std::array<Quad3, 6> faces{};
    const Vec3 eye = camera->pose().position;
    for (int f = 0; f < 6; ++f) {
      Quad3& q = faces[static_cast<std::size_t>(f)];
      for (int k = 0; k < 4; ++k) q.c[static_cast<std::size_t>(k)] = h[static_cast<std::size_t>(k_index[f][k])];
      const Vec3 mid = (q.c[0] + q.c[1] + q.c[2] + q.c[3]) * 0.25;
      Vec3 n = normalised(cross(q.c[1] - q.c[0], q.c[3] - q.c[0]));
      if (dot(n, mid - centre) < 0) n = n * -1.0;
      q.normal = n;
      q.visible = dot(n, eye - mid) > 0;
      q.shade = shade_of(n);
      if (q.visible) polygon({q.c.begin(), q.c.end()}, rgb, q.shade);
    }
    return faces;
  }

  void decorate(const Quad3& face, double su0, double su1, double sv0, double sv1, Rgb rgb, double shade_factor = 1.0) {
    if (face.visible) polygon(face.part(su0, su1, sv0, sv1), rgb, face.shade * shade_factor);
  }

  bool side_visible(const Local& l, double s_sign, Vec3 point) const {
    const Vec3 n{l.right.x * s_sign, l.right.y * s_sign, 0};
    return dot(n, camera->pose().position - point) > 0;
  }

  void wheel(const Local& l, double a, double s, double radius, bool both_sides = false) {
    const double sign = s >= 0 ? 1.0 : -1.0;
    if (!both_sides && !side_visible(l, sign, l.at(a, s, radius))) return;
    std::vector<Vec3> tyre, hub;
    constexpr int k_segments = 14;
    for (int i = 0; i < k_segments; ++i) {
      const double t = 2 * std::numbers::pi * i / k_segments;
      tyre.push_back(l.at(a + radius * std::cos(t), s, radius + radius * std::sin(t)));
      hub.push_back(l.at(a + 0.55 * radius * std::cos(t), s + 0.005 * sign, radius + 0.55 * radius * std::sin(t)));
    }
    polygon(tyre, {24, 24, 26});
    polygon(hub, {150, 150, 155}, 0.9);
  }

  void plate(const Actor& actor, bool at_front) {
    const auto corners = plate_corners(actor, at_front);
    if (!corners) return;
    const Vec3 mid = ((*corners)[0] + (*corners)[2]) * 0.5;
    const Vec2 outward = heading_vector(actor.heading) * (at_front ? 1.0 : -1.0);
    const Vec3 to_eye = camera->pose().position - mid;
    if (outward.x * to_eye.x + outward.y * to_eye.y <= 0) return;
    std::array<Pixel, 4> image{};
    for (std::size_t i = 0; i < 4; ++i) {
      const auto p = camera->project((*corners)[i]);
      if (!p) return;
      image[i] = *p;
    }
    const auto key = std::make_pair(actor.plate->text, static_cast<int>(actor.plate->format));
    auto it = plate_cache.find(key);
    if (it == plate_cache.end()) {
      if (plate_cache.size() >= 512) plate_cache.clear();
      it = plate_cache.emplace(key, plates.rasterise(actor.plate->text, actor.plate->format)).first;
    }
    map_texture(planes, it->second, image, 256);
  }

  void lamp(const Quad3& face, double su0, double su1, double sv0, double sv1, Rgb rgb, double shade) {
    if (!face.visible) return;
    auto outline = project_polygon(*camera, face.part(su0, su1, sv0, sv1));
    if (outline.empty()) return;
    const Yuv drawn = colour_of(rgb, face.shade * shade);
    fill_polygon(planes, outline, drawn);
    lamps.push_back({std::move(outline), drawn, rgb});
  }

  void lights(const Quad3& front_face, double fv0, double fv1, const Quad3& rear_face, double rv0, double rv1) {
    const Rgb head{250, 246, 225}, tail{200, 24, 24};
    lamp(front_face, 0.06, 0.2, fv0, fv1, head, 1.6);
    lamp(front_face, 0.8, 0.94, fv0, fv1, head, 1.6);
    lamp(rear_face, 0.06, 0.18, rv0, rv1, tail, 1.3);
    lamp(rear_face, 0.82, 0.94, rv0, rv1, tail, 1.3);
  }

  void windows(const std::array<Quad3, 6>& f, double sv0, double sv1) {
    const Rgb glass{38, 48, 62};
    for (int i = rear; i <= left_side; ++i) decorate(f[static_cast<std::size_t>(i)], 0.07, 0.93, sv0, sv1, glass, 1.0);
  }

  void car(const Actor& a) {
    const Local l = local_of(a);
    const double L = a.length, W = a.width, H = a.height;
    const double wheel_r = std::min(0.34, 0.22 * H);
    // Far side wheels first; the body hides most of them.
    const double belt = 0.58 * H;
    const auto body = hexa(box(l, -L / 2, L / 2, -W / 2, W / 2, 0.12 * H, belt), a.colour);
    const auto cabin = hexa(tapered(l, -0.32 * L, 0.22 * L, -0.47 * W, 0.47 * W, belt, H, -0.24 * L, 0.08 * L,
                                    -0.42 * W, 0.42 * W),
                            a.colour);
    windows(cabin, 0.1, 0.9);
    for (double s : {-W / 2 - 0.01, W / 2 + 0.01}) {
      wheel(l, -0.32 * L, s, wheel_r);
      wheel(l, 0.32 * L, s, wheel_r);
    }
    lights(body[front], 0.6, 0.85, body[rear], 0.6, 0.85);
    decorate(body[front], 0.3, 0.7, 0.62, 0.8, {30, 30, 32});  // grille
  }

  void van(const Actor& a) {
    const Local l = local_of(a);
    const double L = a.length, W = a.width, H = a.height;
    const double wheel_r = std::min(0.38, 0.18 * H);
    const auto body = hexa(tapered(l, -L / 2, L / 2, -W / 2, W / 2, 0.12 * H, H, -L / 2, 0.38 * L, -0.48 * W, 0.48 * W),
                           a.colour);
    decorate(body[front], 0.07, 0.93, 0.6, 0.93, {38, 48, 62});
    decorate(body[left_side], 0.72, 0.9, 0.6, 0.92, {38, 48, 62});
    decorate(body[right_side], 0.1, 0.28, 0.6, 0.92, {38, 48, 62});
    for (double s : {-W / 2 - 0.01, W / 2 + 0.01}) {
      wheel(l, -0.32 * L, s, wheel_r);
      wheel(l, 0.33 * L, s, wheel_r);
    }
    lights(body[front], 0.3, 0.42, body[rear], 0.3, 0.42);
  }

  void truck(const Actor& a) {
    const Local l = local_of(a);
    const double L = a.length, W = a.width, H = a.height;
    const double wheel_r = std::min(0.5, 0.14 * H);
    const Rgb cargo = mix(a.colour, Rgb{225, 225, 220}, 0.6);
    const auto box_body = hexa(box(l, -L / 2, 0.26 * L, -W / 2, W / 2, 0.22 * H, H), cargo);
    const auto cab = hexa(box(l, 0.28 * L, L / 2, -W / 2, W / 2, 0.2 * H, 0.82 * H), a.colour);
    decorate(cab[front], 0.06, 0.94, 0.55, 0.92, {38, 48, 62});
    decorate(cab[left_side], 0.5, 0.9, 0.55, 0.92, {38, 48, 62});
    decorate(cab[right_side], 0.1, 0.5, 0.55, 0.92, {38, 48, 62});
    for (double s : {-W / 2 - 0.01, W / 2 + 0.01}) {
      wheel(l, -0.38 * L, s, wheel_r);
      wheel(l, -0.22 * L, s, wheel_r);
      wheel(l, 0.38 * L, s, wheel_r);
    }
    lights(cab[front], 0.1, 0.25, box_body[rear], 0.03, 0.12);
  }

  void motorcycle(const Actor& a) {
    const Local l = local_of(a);
    const double L = a.length, H = a.height;
    const double wheel_r = std::min(0.33, 0.25 * L / 2);
    wheel(l, -0.34 * L, 0.0, wheel_r, true);
    hexa(box(l, -0.3 * L, 0.3 * L, -0.13, 0.13, 0.3 * H, 0.55 * H), a.colour);
    wheel(l, 0.34 * L, 0.0, wheel_r, true);
    hexa(box(l, -0.15 * L, 0.05 * L, -0.2, 0.2, 0.5 * H, 0.85 * H), {40, 40, 48});
    const auto helmet = camera->project(l.at(-0.02 * L, 0, 0.92 * H));
    const double depth = camera->to_camera(l.at(0, 0, 0.92 * H)).z;
    if (helmet && depth > CameraModel::near_plane) {
      const double r = camera->focal_pixels() * 0.14 / depth;
      fill_ellipse(planes, *helmet, r, r * 1.05, colour_of(mix(a.colour, Rgb{20, 20, 20}, 0.5), 1.0));
    }
    hexa(box(l, 0.3 * L, 0.32 * L, -0.08, 0.08, 0.55 * H, 0.62 * H), {250, 246, 225});
  }

  void person(const Actor& a) {
    const Local l = local_of(a);
    const double H = a.height;
    const double hip = 0.47 * H, shoulder = 0.8 * H;
    const double stride = 0.2 * std::sin(2 * std::numbers::pi * a.walk_phase);
    const std::uint64_t look = mix64(a.appearance);
    const Rgb trousers = scale(Rgb{52, 56, 72}, 0.6 + 0.8 * unit(look));
    const Rgb sleeves = mix(a.colour, Rgb{0, 0, 0}, 0.15);
    struct Part {
      Hexa h;
      Rgb colour;
      double depth;
    };
    std::vector<Part> parts;
    auto add = [&](const Hexa& h, Rgb colour) {
      Vec3 c{};
      for (const auto& p : h) c = c + p * 0.125;
      parts.push_back({h, colour, camera->to_camera(c).z});
    };
    // Legs swing about the hip, arms opposite to them.
    for (double side : {-1.0, 1.0}) {
      const double foot = stride * side;
      add(tapered(l, foot - 0.07, foot + 0.07, side * 0.04, side * 0.16, 0, hip, -0.07, 0.07, side * 0.03, side * 0.17),
          trousers);
      const double hand = -0.8 * stride * side;
      add(tapered(l, hand - 0.045, hand + 0.045, side * 0.22, side * 0.30, hip + 0.02 * H, shoulder, -0.05, 0.05,
                  side * 0.19, side * 0.28),
          sleeves);
    }
    add(box(l, -0.11, 0.11, -0.19, 0.19, hip - 0.02, shoulder + 0.02), a.colour);
    add(box(l, -0.05, 0.05, -0.06, 0.06, shoulder, H - 0.2), scale(skin_colour(a.appearance), 0.8));
    std::sort(parts.begin(), parts.end(), [](const Part& x, const Part& y) { return x.depth > y.depth; });
    for (const auto& part : parts) hexa(part.h, part.colour);
    head(a);
  }

  void head(const Actor& a) {
    const auto face = face_of(a, *camera);
    if (!face) return;
    const Rgb skin = skin_colour(a.appearance);
    const Rgb hair = hair_colour(a.appearance);
    // The face plane as actor_parts' image_box sees it: upright, turned to the camera.
    const Vec3 to_eye = camera->pose().position - face->centre;
    const double horizontal = std::hypot(to_eye.x, to_eye.y);
    const Vec2 towards = horizontal > 1e-9 ? Vec2{to_eye.x / horizontal, to_eye.y / horizontal} : Vec2{0, -1};
    // The viewer's right, so that the texture's left lands on the image's left.
    const Vec2 side{-towards.y, towards.x};
    auto corner = [&](double sx, double sy) {
      return Vec3{face->centre.x + side.x * sx * face->width / 2.0, face->centre.y + side.y * sx * face->width / 2.0,
                  face->centre.z + sy * face->height / 2.0};
    };
    std::array<Pixel, 4> image{};
    const std::array<Vec3, 4> corners{corner(-1, 1), corner(1, 1), corner(1, -1), corner(-1, -1)};
    for (std::size_t i = 0; i < 4; ++i) {
      const auto p = camera->project(corners[i]);
      if (!p) return;
      image[i] = *p;
    }
    const double fw = std::hypot(image[1].x - image[0].x, image[1].y - image[0].y);
    const double fh = std::hypot(image[3].x - image[0].x, image[3].y - image[0].y);
    const Pixel c{(image[0].x + image[2].x) / 2, (image[0].y + image[2].y) / 2};
    const Vec2 facing = heading_vector(a.heading + a.head_turn);
    const double cosine = facing.x * towards.x + facing.y * towards.y;
    if (face->frontal) {
      fill_ellipse(planes, {c.x, c.y - 0.05 * fh}, 0.62 * fw, 0.62 * fh, colour_of(hair, 1.0));
      fill_ellipse(planes, {c.x, c.y + 0.05 * fh}, 0.55 * fw, 0.55 * fh, colour_of(skin, 0.8));
      // One texture per appearance, glasses and whole degree of yaw.
      const int yaw = static_cast<int>(std::lround(face->yaw));
      const std::uint64_t key =
          mix64(a.appearance) ^ (static_cast<std::uint64_t>(yaw + 90) << 1) ^ (a.glasses ? 1u : 0u);
      auto it = face_cache.find(key);
      if (it == face_cache.end()) {
        if (face_cache.size() >= 512) face_cache.clear();
        it = face_cache.emplace(key, face_texture(a.appearance, a.glasses, yaw)).first;
      }
      map_texture(planes, it->second, image, 256);
    } else if (cosine > -0.35) {
      // Profile: skin towards the facing side, hair behind and on top.
      const double lateral = facing.x * side.x + facing.y * side.y;
      fill_ellipse(planes, {c.x, c.y - 0.05 * fh}, 0.6 * fw, 0.62 * fh, colour_of(hair, 1.0));
      fill_ellipse(planes, {c.x + lateral * 0.15 * fw, c.y + 0.08 * fh}, 0.45 * fw, 0.5 * fh, colour_of(skin, 0.85));
    } else {
      fill_ellipse(planes, {c.x, c.y}, 0.62 * fw, 0.66 * fh, colour_of(hair, 1.0));
    }
  }

  void bag(const Actor& a) {
    const Local l = local_of(a);
    const auto f = hexa(box(l, -a.length / 2, a.length / 2, -a.width / 2, a.width / 2, 0, a.height), a.colour);
    decorate(f[top], 0.3, 0.7, 0.42, 0.58, mix(a.colour, Rgb{0, 0, 0}, 0.5));
    decorate(f[front], 0.2, 0.8, 0.55, 0.65, mix(a.colour, Rgb{0, 0, 0}, 0.35));
    decorate(f[rear], 0.2, 0.8, 0.55, 0.65, mix(a.colour, Rgb{0, 0, 0}, 0.35));
  }

  void carton(const Actor& a) {
    const Local l = local_of(a);
    const auto f = hexa(box(l, -a.length / 2, a.length / 2, -a.width / 2, a.width / 2, 0, a.height), a.colour);
    const Rgb tape = mix(a.colour, Rgb{230, 220, 190}, 0.5);
    decorate(f[top], 0.0, 1.0, 0.45, 0.55, tape);
    decorate(f[front], 0.45, 0.55, 0.7, 1.0, tape);
    decorate(f[rear], 0.45, 0.55, 0.7, 1.0, tape);
  }

  void barrier(const BarrierGeometry& b, double position) {
    const Vec2 along = heading_vector(b.heading);
    const Local post{{b.pivot.x, b.pivot.y, 0}, along, {along.y, -along.x}};
    hexa(box(post, -0.14, 0.14, -0.14, 0.14, 0, b.pivot_height + 0.15), {220, 190, 40});
    const double angle = std::clamp(position, 0.0, 1.0) * std::numbers::pi / 2;
    const Vec3 dir{along.x * std::cos(angle), along.y * std::cos(angle), std::sin(angle)};
    const Vec3 across{along.y * 0.04, -along.x * 0.04, 0};
    const Vec3 up = normalised(cross(across, dir)) * 0.05;
    const Vec3 start{b.pivot.x, b.pivot.y, b.pivot_height};
    const int segments = std::max(1, static_cast<int>(b.arm_length / 0.5));
    for (int i = 0; i < segments; ++i) {
      const Vec3 p0 = start + dir * (b.arm_length * i / segments);
      const Vec3 p1 = start + dir * (b.arm_length * (i + 1) / segments);
      const Hexa h{p0 - across - up, p0 + across - up, p1 + across - up, p1 - across - up,
                   p0 - across + up, p0 + across + up, p1 + across + up, p1 - across + up};
      hexa(h, i % 2 == 0 ? Rgb{210, 30, 30} : Rgb{240, 240, 240});
    }
  }

  void draw_actor(const Actor& a) {
    switch (a.kind) {
      case ActorKind::car: car(a); break;
      case ActorKind::van: van(a); break;
      case ActorKind::truck: truck(a); break;
      case ActorKind::motorcycle: motorcycle(a); break;
      case ActorKind::person: person(a); break;
      case ActorKind::bag: bag(a); break;
      case ActorKind::box: carton(a); break;
    }
    if (is_vehicle(a.kind) && a.plate) {
      plate(a, true);
      plate(a, false);
    }
  }

  void build_background(const CameraModel& cam) {
    const auto& pose = cam.pose();
    const int w = pose.width, h = pose.height;
    planes = Planes::of(background, w, h);
    camera = &cam;
    fog_mix = 0;
    row_depths.assign(static_cast<std::size_t>(h), std::numeric_limits<double>::infinity());
    const Rgb sky_top = scale(layout.sky_colour, 0.78);
    for (int r = 0; r < h; ++r) {
      const Pixel centre{w / 2.0, r + 0.5};
      const Vec3 ray = cam.ray(centre);
      const double elevation = std::asin(std::clamp(ray.z, -1.0, 1.0)) * 180.0 / std::numbers::pi;
      Rgb colour;
      if (const auto g = cam.ground_point(centre)) {
        const Vec3 p{g->x, g->y, 0};
        const double d = length(p - pose.position);
        row_depths[static_cast<std::size_t>(r)] = d;
        // Far ground fades into the horizon haze.
        colour = mix(layout.ground_colour, layout.sky_colour, std::min(0.5, d / 600.0));
      } else {
        colour = mix(layout.sky_colour, sky_top, std::clamp(elevation / 35.0, 0.0, 1.0));
      }
      const Yuv c = to_yuv(colour);
      std::memset(planes.y + static_cast<std::ptrdiff_t>(r) * w, c.y, static_cast<std::size_t>(w));
      if (r % 2 == 0) {
        std::memset(planes.u + static_cast<std::ptrdiff_t>(r / 2) * (w / 2), c.u, static_cast<std::size_t>(w / 2));
        std::memset(planes.v + static_cast<std::ptrdiff_t>(r / 2) * (w / 2), c.v, static_cast<std::size_t>(w / 2));
      }
    }
    skyline(cam);
    for (const auto& patch : layout.ground) {
      std::vector<Vec3> world;
      world.reserve(patch.polygon.size());
      for (const auto& p : patch.polygon) world.push_back({p.x, p.y, 0});
      polygon(world, surface_colour(patch.surface));
    }
    // Ground grain: stronger near the camera, where it is resolved.
    for (int r = 0; r < h; ++r) {
      const double d = row_depths[static_cast<std::size_t>(r)];
      if (!std::isfinite(d)) continue;
      add_noise_row(planes.y + static_cast<std::ptrdiff_t>(r) * w, w, std::clamp(35.0 / d, 0.6, 4.0),
                    mix64(seed ^ (static_cast<std::uint64_t>(r) << 20)));
    }
    // Walls far to near.
    std::vector<const Wall*> walls;
    for (const auto& wall : layout.walls) walls.push_back(&wall);
    auto distance = [&](const Wall* wall) {
      const Vec3 mid{(wall->a.x + wall->b.x) / 2, (wall->a.y + wall->b.y) / 2, wall->height / 2};
      return length(mid - pose.position);
    };
    std::stable_sort(walls.begin(), walls.end(), [&](const Wall* x, const Wall* y) { return distance(x) > distance(y); });
    for (const Wall* wall : walls) {
      const Vec3 a{wall->a.x, wall->a.y, 0}, b{wall->b.x, wall->b.y, 0};
      Vec3 n = normalised(cross(b - a, Vec3{0, 0, 1}));
      if (dot(n, pose.position - a) < 0) n = n * -1.0;
      const double shade = shade_of(n);
      polygon({a, b, b + Vec3{0, 0, wall->height}, a + Vec3{0, 0, wall->height}}, wall->colour, shade);
      const Vec3 along = normalised(b - a);
      polygon({a + along * 0.0 + Vec3{0, 0, wall->height - 0.15}, b + Vec3{0, 0, wall->height - 0.15},
               b + Vec3{0, 0, wall->height}, a + Vec3{0, 0, wall->height}},
              wall->colour, shade * 0.7);
      if (wall->door) {
        const Vec3 d0 = a + along * wall->door->offset;
        const Vec3 d1 = a + along * (wall->door->offset + wall->door->width);
        const double dh = std::min(wall->door->height, wall->height);
        polygon({d0, d1, d1 + Vec3{0, 0, dh}, d0 + Vec3{0, 0, dh}}, {58, 50, 44}, 1.0);
        const Vec3 inset = along * 0.06;
        polygon({d0 + inset, d1 - inset, d1 - inset + Vec3{0, 0, dh - 0.06}, d0 + inset + Vec3{0, 0, dh - 0.06}},
                {92, 78, 64}, shade);
      }
    }
    cached = true;
    cached_pose = pose;
  }

  // Distant buildings along the horizon, fixed to world azimuth so they pan with the camera.
  void skyline(const CameraModel& cam) {
    const auto& pose = cam.pose();
    const int w = pose.width, h = pose.height;
    int horizon = 0;  // first ground row
    while (horizon < h && !std::isfinite(row_depths[static_cast<std::size_t>(horizon)])) ++horizon;
    if (horizon == 0) return;
    for (int x = 0; x < w; ++x) {
      const Vec3 ray = cam.ray({x + 0.5, h / 2.0});
      const double azimuth = std::atan2(ray.x, ray.y);
      const auto bucket = static_cast<std::uint64_t>((azimuth * 180.0 / std::numbers::pi + 360.0) / 2.5);
      const double top = (0.6 + 4.0 * unit(mix64(seed ^ bucket ^ 0x5ca1e))) * std::numbers::pi / 180.0;
      const double grey = 0.55 + 0.3 * unit(mix64(seed ^ bucket ^ 0x9e7));
      const Yuv c = to_yuv(scale(layout.sky_colour, grey * 0.75));
      // The roof line: where a far point at that elevation and azimuth projects.
      const Vec3 far{pose.position.x + std::sin(azimuth) * std::cos(top) * 1e4,
                     pose.position.y + std::cos(azimuth) * std::cos(top) * 1e4, pose.position.z + std::sin(top) * 1e4};
      const auto roof = cam.project(far);
      if (!roof) continue;
      for (int r = std::max(0, static_cast<int>(roof->y)); r < horizon; ++r) {
        planes.y[static_cast<std::ptrdiff_t>(r) * w + x] = c.y;
        if (r % 2 == 0 && x % 2 == 0) {
          planes.u[static_cast<std::ptrdiff_t>(r / 2) * (w / 2) + x / 2] = c.u;
          planes.v[static_cast<std::ptrdiff_t>(r / 2) * (w / 2) + x / 2] = c.v;
        }
      }
    }
  }

  void render(const WorldSnapshot& snapshot, const CameraModel& given, hal::VideoFrame& frame) {
    // The camera as mounted, moved by tamper, at the frame's real size.
    CameraPose pose = given.pose();
    pose.pan_degrees += snapshot.effects.pan_offset_degrees;
    pose.tilt_degrees += snapshot.effects.tilt_offset_degrees;
    pose.width = frame.width();
    pose.height = frame.height();
    const CameraModel cam(pose);
    if (!cached || !same_pose(cached_pose, cam.pose())) build_background(cam);
    std::memcpy(frame.plane(0), background.data(), std::min(background.size(), frame.size_bytes()));
    planes = Planes::of(frame);
    camera = &cam;
    fog = std::clamp(snapshot.weather.fog, 0.0, 1.0);
    apply_fog(planes, row_depths, fog);

    // Painter's order: farthest first; the barrier takes its place by its pivot.
    struct Item {
      double depth;
      const Actor* actor;
    };
    std::vector<Item> items;
    items.reserve(snapshot.actors.size() + 1);
    for (const auto& actor : snapshot.actors) items.push_back({cam.to_camera(actor.position).z, &actor});
    if (layout.barrier) {
      const Vec3 pivot{layout.barrier->pivot.x, layout.barrier->pivot.y, 0};
      items.push_back({cam.to_camera(pivot).z, nullptr});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.depth > b.depth; });
    lamps.clear();
    const double shutter = std::clamp(snapshot.weather.motion_blur, 0.0, 1.0) * frame_interval;
    for (const auto& item : items) {
      fog_mix = fog_amount(fog, std::max(0.0, item.depth));
      if (item.actor == nullptr) {
        barrier(*layout.barrier, snapshot.barrier_position);
        continue;
      }
      const Actor& a = *item.actor;
      draw_actor(a);
      if (shutter > 0 && length(a.velocity) > 0) {
        const Vec3 centre = a.position + Vec3{0, 0, a.height / 2};
        const auto p0 = cam.project(centre - a.velocity * (shutter / 2));
        const auto p1 = cam.project(centre + a.velocity * (shutter / 2));
        const auto box = cam.box_of(a.position, a.heading, a.length, a.width, a.height);
        if (p0 && p1 && box) apply_motion_blur(planes, *box, p1->x - p0->x, p1->y - p0->y);
      }
    }
    fog_mix = 0;

    const auto time = static_cast<std::uint64_t>(snapshot.time.count());
    apply_rain(planes, snapshot.weather.rain, mix64(seed ^ time ^ 0x7a1));
    // Vehicle lamps are lit when it is dark (infrared sees them bright and without colour): the
    // pixels of each lamp that no nearer actor covered are set back to the lamp's own light.
    std::vector<std::pair<Coverage, Yuv>> lit;
    if (snapshot.lighting.mode != LightingMode::day) {
      const bool mono = snapshot.lighting.mode == LightingMode::night_ir;
      for (const auto& l : lamps) {
        Coverage visible;
        const Coverage c = coverage(planes, l.outline);
        for (const auto i : c.luma)
          if (planes.y[i] == l.drawn.y) visible.luma.push_back(i);
        for (const auto i : c.chroma)
          if (planes.u[i] == l.drawn.u && planes.v[i] == l.drawn.v) visible.chroma.push_back(i);
        Yuv glow = to_yuv(l.colour);
        if (mono) glow = {std::max<std::uint8_t>(glow.y, 200), 128, 128};
        lit.emplace_back(std::move(visible), glow);
      }
    }
    lamps.clear();
    apply_lighting(planes, row_depths, snapshot.lighting);
    for (const auto& [pixels, glow] : lit) {
      for (const auto i : pixels.luma) planes.y[i] = glow.y;
      for (const auto i : pixels.chroma) planes.u[i] = glow.u, planes.v[i] = glow.v;
    }
    apply_defocus(planes, snapshot.effects.defocus_pixels * frame.height() / 1080.0);
    apply_cover(planes, snapshot.effects.covered);
    // Darker scenes are amplified by the sensor's gain, and their noise with them.
    double noise = snapshot.weather.sensor_noise;
    if (snapshot.lighting.mode != LightingMode::day) noise *= 1.8;
    apply_noise(planes, noise, mix64(seed ^ time));
    apply_compression(planes, snapshot.weather.compression_quality);
    camera = nullptr;
  }
};

SceneRenderer::SceneRenderer(const SceneLayout& layout, std::uint64_t seed, double frame_rate)
    : impl_(std::make_unique<Impl>(layout, seed, frame_rate)) {}

SceneRenderer::~SceneRenderer() = default;

void SceneRenderer::render(const WorldSnapshot& snapshot, const CameraModel& camera, hal::VideoFrame& frame) {
  impl_->render(snapshot, camera, frame);
}

}  // namespace camrig::sim
