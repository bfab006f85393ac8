// The camera's end of the HAL link: a HAL backend (clock, channel sensors, alarm inputs, relays)
// whose hardware is a simulated world in another process. Device time here follows the world's:
// it moves only to instants the world has reached, so the camera never runs ahead of it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "device/core/lockstep_clock.hpp"
#include "device/core/result.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/hal/video_source.hpp"
#include "sim/hal_link/hal_link_protocol.hpp"

namespace camrig::sim {

class HalLinkClient {
 public:
  //! Connects to the world listening on `socket_path`, retrying until `timeout` (the world may
  //! still be starting), and reads its hello. Fails with a message naming the path.
  static Result<std::unique_ptr<HalLinkClient>> connect(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~HalLinkClient();
  HalLinkClient(const HalLinkClient&) = delete;
  HalLinkClient& operator=(const HalLinkClient&) = delete;

  //! Device time as the world grants it; timers run on the link's delivery thread or on the
  //! channel thread that received a frame.
  hal::Clock& clock() { return clock_; }
  //! The world's sensors by channel id; valid while this object lives.
  std::map<int, hal::VideoSource*> video_sources();
  //! Null when the world gives the camera none.
  hal::DigitalInputs* inputs();
  hal::RelayOutputs* relays();

  //! False once the world has gone: frames then end (video loss) and relays fail.
  bool connected() const;

 private:
  class Channel;
  class Inputs;
  class Relays;
  struct TimeNotice {
    hal::Nanos at;
  };
  struct EdgeNotice {
    int index;
    bool closed;
    hal::Nanos at;
  };

  HalLinkClient(int fd, const hal_link::Hello& hello);
  void read_loop();
  void deliver_loop(std::stop_token stop);
  void lost(const std::string& why);
  Result<void> send(const hal_link::Header& header);

  const int fd_;
  core::LockstepClock clock_;
  std::map<int, std::unique_ptr<Channel>> channels_;
  std::unique_ptr<Inputs> inputs_;
  std::unique_ptr<Relays> relays_;
  std::mutex send_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  bool connected_ = true;
  //! Time and edges in the world's order, applied by the delivery thread: the reader never runs
  //! device code, so a timer that drives a relay cannot wait on the thread that reads the answer.
  std::deque<std::variant<TimeNotice, EdgeNotice>> notices_;
  std::jthread delivery_thread_;
  std::jthread reader_thread_;
};

}  // namespace camrig::sim
