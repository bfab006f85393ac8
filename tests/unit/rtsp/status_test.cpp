#include "device/rtsp/status.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

int status(Subject subject, ErrorCode code) { return status_for(request_error(subject, code, "x")); }

TEST(Status, MapsErrorsToRtspCodesBySubject) {
  EXPECT_EQ(status(Subject::request, ErrorCode::invalid_argument), 400);
  EXPECT_EQ(status(Subject::request, ErrorCode::out_of_range), 413);
  EXPECT_EQ(status(Subject::stream, ErrorCode::not_found), 404);
  EXPECT_EQ(status(Subject::stream, ErrorCode::unavailable), 503);
  EXPECT_EQ(status(Subject::session, ErrorCode::not_found), 454);
  EXPECT_EQ(status(Subject::session, ErrorCode::unavailable), 453);
  EXPECT_EQ(status(Subject::state, ErrorCode::not_configurable), 455);
  EXPECT_EQ(status(Subject::transport, ErrorCode::out_of_range), 461);
  EXPECT_EQ(status(Subject::method, ErrorCode::invalid_argument), 501);
  EXPECT_EQ(status(Subject::version, ErrorCode::invalid_argument), 505);
  EXPECT_EQ(status(Subject::stream, ErrorCode::internal), 500);
  EXPECT_EQ(reason_phrase(454), "Session Not Found");
  // The HTTP side of a tunnel answers with HTTP statuses.
  EXPECT_EQ(status(Subject::tunnel, ErrorCode::invalid_argument), 400);
  EXPECT_EQ(status(Subject::tunnel, ErrorCode::not_found), 404);
  EXPECT_EQ(status(Subject::tunnel, ErrorCode::already_exists), 409);
  EXPECT_EQ(status(Subject::tunnel, ErrorCode::out_of_range), 413);
  EXPECT_EQ(status(Subject::tunnel, ErrorCode::permission_denied), 403);
  EXPECT_EQ(reason_phrase(409), "Conflict");
}

}  // namespace
}  // namespace camrig::rtsp
