// The world's end of the HAL link: serves the clock, the channel sensors, the alarm inputs, the
// relays, the memory card, the Wiegand port, the PTZ drives and the serial ports of one camera
// over a Unix socket to a camera running in another process. One camera at a time; when it dies
// (even mid-message) the world runs on (the sensors keep capturing, with nobody to see the
// frames; a PTZ head finishes its move) and a new camera may connect.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/ptz_motor.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/hal/serial_port.hpp"
#include "device/hal/storage_medium.hpp"
#include "device/hal/video_source.hpp"
#include "device/hal/wiegand_output.hpp"

namespace camrig::sim {

//! A PTZ channel's drive and the field of view of its lens at ×1 (the camera needs both).
struct HalLinkPtzHead {
  hal::PtzMotor* motor = nullptr;
  double horizontal_fov_degrees = 60;
  double aspect_ratio = 16.0 / 9.0;
};

//! The world's devices the camera gets; exactly these are announced in the hello.
struct HalLinkDevices {
  hal::Clock* clock = nullptr;
  std::map<int, hal::VideoSource*> video_sources;
  hal::DigitalInputs* inputs = nullptr;  //!< null: the camera has none
  hal::RelayOutputs* relays = nullptr;   //!< null: the camera has none
  std::map<int, hal::SerialPort*> serial_ports{};  //!< by port id (1: RS-485)
  hal::StorageMedium* memory_card = nullptr;       //!< null: no card slot
  hal::WiegandOutput* wiegand = nullptr;           //!< null: no Wiegand port
  std::map<int, HalLinkPtzHead> ptz_heads{};       //!< by channel id
};

struct HalLinkServerOptions {
  //! How far the world's clock moves before the camera hears of it, when nothing else (a frame,
  //! an input edge) tells it sooner: the granularity of the camera's timers. A lockstep world
  //! wants the smallest step (1 ns: every move of the world reaches the camera, and a world held
  //! at a timeline step is seen exactly there); a realtime world would send that without end.
  hal::Nanos time_step = std::chrono::milliseconds(10);
};

class HalLinkServer {
 public:
  //! Listens on `socket_path` (an existing socket file there is replaced). The devices must
  //! outlive the server; the server takes over the inputs' edge handler.
  static Result<std::unique_ptr<HalLinkServer>> start(const std::string& socket_path, HalLinkDevices devices,
                                                      HalLinkServerOptions options = {});
  ~HalLinkServer();
  HalLinkServer(const HalLinkServer&) = delete;
  HalLinkServer& operator=(const HalLinkServer&) = delete;

  //! Closes the connection and the socket, joins every thread. Idempotent.
  void stop();

  const std::string& socket_path() const { return path_; }
  //! True while a camera is connected.
  bool connected() const;
  //! Cameras that have connected so far.
  int connections() const;
  //! Waits (real time) until `count` cameras have connected in all; false on timeout.
  bool wait_connections(int count, std::chrono::milliseconds timeout) const;

 private:
  class Session;

  HalLinkServer(std::string path, HalLinkDevices devices, HalLinkServerOptions options, int listen_fd);
  void accept_loop(std::stop_token stop);
  void channel_loop(std::stop_token stop, int id, hal::VideoSource& source);
  void forward_edge(int index, bool closed, hal::Nanos at);
  void frame_requested(int channel);

  const std::string path_;
  const HalLinkDevices devices_;
  const HalLinkServerOptions options_;
  int listen_fd_ = -1;
  mutable std::mutex mutex_;
  mutable std::condition_variable_any changed_;
  std::shared_ptr<Session> session_;
  //! Frames the connected camera has asked for and not yet been sent, by channel.
  std::map<int, int> requested_;
  int connections_ = 0;
  std::atomic<bool> stopped_ = false;
  std::jthread accept_thread_;
  std::vector<std::jthread> channel_threads_;
};

}  // namespace camrig::sim
