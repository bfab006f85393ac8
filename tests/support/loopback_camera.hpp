// The options of an in-process camera that only the test can reach: HTTP and RTSP on the given
// loopback ports, activated with `admin_password`, its state in `data_directory` (empty: memory).
#pragma once

#include <string>

#include "device/camera/camera.hpp"

namespace camrig::test {

inline camera::CameraOptions loopback_camera_options(int http_port, int rtsp_port, const std::string& admin_password,
                                                     const std::string& data_directory = {}) {
  camera::CameraOptions options;
  options.data_directory = data_directory;
  options.settings = {{"network.rtsp_port", std::to_string(rtsp_port)}, {"network.http_port", std::to_string(http_port)}};
  options.rtsp_bind_address = "127.0.0.1";
  options.http_bind_address = "127.0.0.1";
  options.admin_password = admin_password;
  return options;
}

}  // namespace camrig::test
