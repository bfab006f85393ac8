#include <gtest/gtest.h>

#include "sim/world/actor_parts.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/ground_geometry.hpp"

namespace camrig::sim {
namespace {

CameraPose pose(double pan, double tilt) {
  CameraPose p;
  p.position = {2, -1, 5};
  p.pan_degrees = pan;
  p.tilt_degrees = tilt;
  p.horizontal_fov_degrees = 50;
  return p;
}

TEST(CameraModel, ProjectThenGroundPointReturnsTheSamePoint) {
  for (double pan : {-30.0, 0.0, 15.0}) {
    const CameraModel camera(pose(pan, 18));
    for (const Vec2 ground : {Vec2{0, 10}, Vec2{3, 20}, Vec2{-2, 35}, Vec2{6, 14}}) {
      const auto pixel = camera.project({ground.x, ground.y, 0});
      ASSERT_TRUE(pixel);
      const auto back = camera.ground_point(*pixel);
      ASSERT_TRUE(back);
      EXPECT_NEAR(back->x, ground.x, 1e-6) << pan;
      EXPECT_NEAR(back->y, ground.y, 1e-6) << pan;
    }
  }
}

TEST(CameraModel, OpticalAxisHitsTheFrameCentreAndSkyHasNoGround) {
  const CameraModel camera(pose(0, 30));
  // Looking down 30 degrees from 5 m: the axis meets the ground 5 / tan(30) ahead.
  const auto centre = camera.ground_point({960, 540});
  ASSERT_TRUE(centre);
  EXPECT_NEAR(centre->y, -1 + 5 / std::tan(30 * std::numbers::pi / 180), 1e-9);
  EXPECT_NEAR(centre->x, 2, 1e-9);
  EXPECT_FALSE(CameraModel(pose(0, 0)).ground_point({960, 100}));
  EXPECT_FALSE(camera.project({2, -5, 0}));  // behind the camera
}

TEST(CameraModel, BoxOfContainsTheProjectedCornersAndReportsClipping) {
  const CameraModel camera(pose(0, 15));
  double visible = -1;
  const auto box = camera.box_of({2, 20, 0}, 0, 4.5, 1.8, 1.5, &visible);
  ASSERT_TRUE(box);
  EXPECT_DOUBLE_EQ(visible, 1.0);
  for (double dx : {-0.9, 0.9})
    for (double dy : {-2.25, 2.25})
      for (double z : {0.0, 1.5}) {
        const auto p = camera.project({2 + dx, 20 + dy, z});
        ASSERT_TRUE(p);
        EXPECT_GE(p->x, box->x);
        EXPECT_LE(p->x, box->x + box->width);
        EXPECT_GE(p->y, box->y);
        EXPECT_LE(p->y, box->y + box->height);
      }
  // A car half out of the left edge of the frame is clipped and says so.
  const auto edge = camera.ground_point({0, 700});
  ASSERT_TRUE(edge);
  const auto clipped = camera.box_of({edge->x, edge->y, 0}, std::numbers::pi / 2, 4.5, 1.8, 1.5, &visible);
  ASSERT_TRUE(clipped);
  EXPECT_EQ(clipped->x, 0);
  EXPECT_GT(visible, 0.2);
  EXPECT_LT(visible, 0.8);
  // Behind the camera: nothing.
  EXPECT_FALSE(camera.box_of({2, -10, 0}, 0, 4.5, 1.8, 1.5, &visible));
  EXPECT_EQ(visible, 0);
}

TEST(ActorParts, PlateAndFaceBoxesLieInsideTheActorsBox) {
  const CameraModel camera(pose(0, 15));
  Actor car;
  car.kind = ActorKind::car;
  car.position = {2, 15, 0};
  car.heading = std::numbers::pi;  // facing the camera
  car.plate = Plate{"AB-123-CD", PlateFormat::eu, true, true};
  const auto body = camera.box_of(car.position, car.heading, car.length, car.width, car.height);
  const auto corners = plate_corners(car, true);
  ASSERT_TRUE(body && corners);
  const auto plate = image_box(*corners, camera);
  ASSERT_TRUE(plate);
  EXPECT_GE(plate->x, body->x);
  EXPECT_LE(plate->x + plate->width, body->x + body->width);
  EXPECT_GT(plate->width, 2 * plate->height);  // EU plates are wide

  Actor person;
  person.kind = ActorKind::person;
  person.position = {2, 10, 0};
  person.heading = std::numbers::pi;
  person.length = 0.35;
  person.width = 0.5;
  person.height = 1.75;
  const auto face = face_of(person, camera);
  ASSERT_TRUE(face);
  EXPECT_TRUE(face->frontal);
  person.heading = 0;  // walking away
  EXPECT_FALSE(face_of(person, camera)->frontal);
}

TEST(GroundGeometry, FootprintOverlapAndCrossing) {
  Actor car;
  car.position = {0, 0, 0};
  car.heading = std::numbers::pi / 2;  // along +x
  const auto f = footprint(car);
  const Polygon2 rect(f.begin(), f.end());
  EXPECT_TRUE(point_in_polygon({2.2, 0.8}, rect));
  EXPECT_FALSE(point_in_polygon({2.3, 0}, rect));
  EXPECT_FALSE(point_in_polygon({0, 0.95}, rect));
  EXPECT_TRUE(polygons_overlap(rect, {{2, -5}, {3, -5}, {3, 5}, {2, 5}}));    // edges cross
  EXPECT_TRUE(polygons_overlap(rect, {{-0.1, -0.1}, {0.1, -0.1}, {0.1, 0.1}}));  // inside
  EXPECT_FALSE(polygons_overlap(rect, {{2.3, -5}, {3, -5}, {3, 5}, {2.3, 5}}));
  EXPECT_DOUBLE_EQ(segment_crossing({0, -1}, {0, 1}, {-1, 0}, {1, 0}), 0.5);
  EXPECT_LT(segment_crossing({0, 1}, {0, 2}, {-1, 0}, {1, 0}), 0);
}

}  // namespace
}  // namespace camrig::sim
