// A simulated camera looking at a road: renders a synthetic street scene with moving vehicles
// and a wall-clock overlay straight into I420 frames, paced on the device clock.
// Owns the scene layout, the vehicles' motion (from a seed, so runs repeat) and the digit font.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <stop_token>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"
#include "device/hal/video_source.hpp"

namespace camrig::sim {

struct RoadSceneOptions {
  hal::VideoFormat format{1920, 1080, {25, 1}};
  //! Vehicle colours, sizes, speeds and start positions (and the skyline) come from this seed.
  std::uint64_t seed = 1;
  int vehicles = 4;
};

//! Waits until the device clock reaches `deadline`: the composition root sleeps on a realtime
//! clock or advances a lockstep one. Returns false when `stop` was requested.
using FramePacer = std::function<bool(hal::Nanos deadline, std::stop_token stop)>;

class RoadSceneSource final : public hal::VideoSource {
 public:
  //! Throws std::invalid_argument for a size that is not positive and even, a frame rate that
  //! is not positive, or a negative vehicle count. `clock` must outlive the source. An empty
  //! `pacer` renders frames as fast as they are read.
  RoadSceneSource(RoadSceneOptions options, const hal::Clock& clock, FramePacer pacer);

  hal::VideoFormat format() const override { return options_.format; }

  //! Frame n carries timestamp n / fps, sequence n, the scene at that time and the wall time
  //! read from the clock after pacing.
  hal::VideoFramePtr read(std::stop_token stop) override;

  //! Renders frame `index` with `wall` in the overlay, without pacing or advancing the source.
  hal::VideoFramePtr render(std::uint64_t index, hal::WallTime wall) const;

  //! Capture time of frame `index` on the device clock.
  hal::Nanos frame_time(std::uint64_t index) const;

  //! Rows covered by the road surface, where vehicles drive: [first, last).
  struct Band {
    int first = 0;
    int last = 0;
  };
  Band road_rows() const { return {road_top_, road_bottom_}; }
  //! Rectangle of the clock overlay in luma pixels.
  struct Box {
    int x = 0, y = 0, width = 0, height = 0;
  };
  Box overlay_box() const;

 private:
  struct Colour {
    std::uint8_t y, u, v;
  };
  struct Vehicle {
    int lane = 0;          // 0 .. lanes-1, top to bottom
    int direction = 1;     // +1 drives right, -1 drives left
    double speed = 0;      // pixels per second
    double start_x = 0;    // position of the rear at t = 0
    int length = 0;
    int height = 0;
    Colour body{};
  };

  void build_background(std::mt19937_64& random);
  void draw_vehicle(hal::VideoFrame& frame, const Vehicle& vehicle, double seconds) const;
  void draw_overlay(hal::VideoFrame& frame, hal::WallTime wall, std::uint64_t index) const;

  RoadSceneOptions options_;
  const hal::Clock& clock_;
  FramePacer pacer_;
  std::uint64_t next_index_ = 0;

  int lanes_ = 4;
  int road_top_ = 0;
  int road_bottom_ = 0;
  int lane_height_ = 0;
  int font_scale_ = 1;
  std::vector<Vehicle> vehicles_;
  // The static scene in I420, copied into every frame before the actors are drawn.
  std::vector<std::uint8_t> background_;
};

}  // namespace camrig::sim
