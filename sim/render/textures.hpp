// Textures the renderer maps onto the scene: licence plates rasterised with FreeType in a
// DejaVu bold face (once per plate text, cached by the caller) and procedural faces whose light
// and dark structure (brows, eye sockets, nose bridge, mouth, chin) varies with an appearance seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/render/raster.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim::render {

//! A deterministic 64-bit mix (splitmix64) for per-actor details.
std::uint64_t mix64(std::uint64_t value);
//! Uniform in [0, 1) from a hash.
double unit(std::uint64_t hash);

class PlateRasteriser {
 public:
  //! Loads the plate fonts; when they are missing, plates are drawn blank and an error is logged
  //! naming the package to install.
  PlateRasteriser();
  ~PlateRasteriser();
  PlateRasteriser(const PlateRasteriser&) = delete;
  PlateRasteriser& operator=(const PlateRasteriser&) = delete;

  bool has_font() const;
  //! White plate with dark characters filling its height (EU: blue band on the left, US: seven
  //! characters under a thin band); texture width in proportion to the plate's real size.
  Texture rasterise(const std::string& text, PlateFormat format) const;

 private:
  struct Fonts;
  std::unique_ptr<Fonts> fonts_;
};

//! Skin colour of a person from its appearance seed (light to dark tones).
Rgb skin_colour(std::uint64_t appearance);
Rgb hair_colour(std::uint64_t appearance);

//! A face covering exactly the face box of actor_parts (0.16 x 0.22 m): hair line at the top,
//! shading of brows, eye sockets, nose, cheeks, mouth and chin; transparent outside the oval.
//! `glasses` adds dark full-rim frames; `yaw_degrees` turns the face to the person's right
//! (positive: the features move to the texture's left), as a head-sized cylinder would.
Texture face_texture(std::uint64_t appearance, bool glasses = false, double yaw_degrees = 0);

}  // namespace camrig::sim::render
