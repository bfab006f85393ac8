// Whole-frame effects applied after drawing: light (day, dusk, night with IR or white light,
// level multiplier), fog, rain streaks, motion blur of a region, defocus, a covered lens, sensor
// noise and JPEG-like 8x8 block quantisation. All deterministic from their arguments.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/render/raster.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim::render {

//! Ground distance (metres) seen by each row of the frame; +inf above the horizon.
using RowDepths = std::vector<double>;

//! Fraction of a surface's contrast lost to fog at `distance` metres (0..1).
double fog_amount(double fog, double distance);
Rgb fog_colour();

//! Blends every row towards the fog colour by its ground distance.
void apply_fog(const Planes& planes, const RowDepths& depths, double fog);
//! Scales luma and chroma for the lighting mode and level; night falls off with distance.
void apply_lighting(const Planes& planes, const RowDepths& depths, const Lighting& lighting);
//! Bright slanted streaks, `density` 0..1, placed from `seed`.
void apply_rain(const Planes& planes, double density, std::uint64_t seed);
//! Averages the pixels of `box` along the image displacement (dx, dy) (the shutter's path).
void apply_motion_blur(const Planes& planes, ImageBox box, double dx, double dy);
//! Separable box blur of `radius` luma pixels applied twice (close to a Gaussian).
void apply_defocus(const Planes& planes, double radius);
//! Darkens towards a nearly uniform black as `covered` goes to 1.
void apply_cover(const Planes& planes, double covered);
//! Adds Gaussian-like noise of standard deviation `sigma` to one row; `hash` picks the pattern.
void add_noise_row(std::uint8_t* line, int width, double sigma, std::uint64_t hash);
//! Adds Gaussian-like noise of standard deviation `sigma` (8-bit levels) seeded by `seed`.
void apply_noise(const Planes& planes, double sigma, std::uint64_t seed);
//! Quantises 8x8 DCT blocks of every plane with the JPEG tables scaled for `quality` (1..100).
void apply_compression(const Planes& planes, int quality);

}  // namespace camrig::sim::render
