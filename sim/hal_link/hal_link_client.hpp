// The camera's end of the HAL link: a HAL backend (clock, channel sensors, alarm inputs, relays,
// memory card, Wiegand port, PTZ drives, serial ports) whose hardware is a simulated world in
// another process; it has exactly the devices the world announces. Device time here follows the
// world's: it moves only to instants the world has reached, so the camera never runs ahead of it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "device/core/lockstep_clock.hpp"
#include "device/core/result.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/ptz_motor.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/hal/serial_port.hpp"
#include "device/hal/storage_medium.hpp"
#include "device/hal/video_source.hpp"
#include "device/hal/wiegand_output.hpp"
#include "sim/hal_link/hal_link_protocol.hpp"

namespace camrig::sim {

class HalLinkClient {
 public:
  //! A PTZ channel's drive in the world and the field of view of its lens at ×1.
  struct PtzHead {
    hal::PtzMotor* motor = nullptr;
    double horizontal_fov_degrees = 60;
    double aspect_ratio = 16.0 / 9.0;
  };

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
  hal::StorageMedium* memory_card();
  hal::WiegandOutput* wiegand();
  //! By port id (1: RS-485) and by channel id; empty when the world gives none.
  std::map<int, hal::SerialPort*> serial_ports();
  std::map<int, PtzHead> ptz_heads();

  //! False once the world has gone: frames then end (video loss) and device calls fail (`unavailable`).
  bool connected() const;

 private:
  class Channel;
  class Inputs;
  class Relays;
  class Card;
  class Wiegand;
  class Ptz;
  class Serial;
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
  Result<void> send(const hal_link::Header& header, std::span<const std::span<const std::uint8_t>> payload = {});
  //! Asks the world's `unit` of a device for `operation` and waits for its answer: the result's
  //! bytes, or the world's error as it was raised there. `device` names the device in the error
  //! a camera sees when the world is out of reach.
  Result<std::vector<std::uint8_t>> call(hal_link::Operation operation, int unit,
                                         std::span<const std::span<const std::uint8_t>> args, const std::string& device);
  Result<std::vector<std::uint8_t>> call(hal_link::Operation operation, int unit, std::string_view args,
                                         const std::string& device);

  const int fd_;
  core::LockstepClock clock_;
  std::map<int, std::unique_ptr<Channel>> channels_;
  std::unique_ptr<Inputs> inputs_;
  std::unique_ptr<Relays> relays_;
  std::unique_ptr<Card> card_;
  std::unique_ptr<Wiegand> wiegand_;
  std::map<int, std::unique_ptr<Ptz>> ptz_;
  std::map<int, std::unique_ptr<Serial>> serial_;
  std::vector<hal_link::Hello::PtzHead> hello_ptz_;
  std::mutex send_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  bool connected_ = true;
  //! Requests waiting for their reply, by number; empty optional until it arrives.
  std::map<std::int64_t, std::optional<Result<std::vector<std::uint8_t>>>> replies_;
  std::int64_t next_request_ = 1;
  //! Time and edges in the world's order, applied by the delivery thread: the reader never runs
  //! device code, so a timer that drives a relay cannot wait on the thread that reads the answer.
  std::deque<std::variant<TimeNotice, EdgeNotice>> notices_;
  std::jthread delivery_thread_;
  std::jthread reader_thread_;
};

}  // namespace camrig::sim
