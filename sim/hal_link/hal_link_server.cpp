#include "sim/hal_link/hal_link_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <vector>

#include "device/core/log.hpp"
#include "sim/hal_link/hal_link_protocol.hpp"

namespace camrig::sim {

using hal_link::Header;
using hal_link::MessageType;
using hal_link::Operation;
using hal_link::PayloadReader;
using hal_link::PayloadWriter;

namespace {

Error malformed(Operation operation) {
  return make_error(ErrorCode::invalid_argument, "HAL link: malformed arguments of request " +
                                                     std::to_string(static_cast<std::int64_t>(operation)));
}

Error missing(const std::string& what) { return make_error(ErrorCode::not_found, "this camera has no " + what); }

Result<std::string> card_request(hal::StorageMedium& card, Operation operation, PayloadReader args) {
  PayloadWriter result;
  std::string path;
  switch (operation) {
    case Operation::card_status: {
      const auto status = card.status();
      result.integer(static_cast<std::int64_t>(status.state))
          .integer(static_cast<std::int64_t>(status.capacity_bytes))
          .integer(static_cast<std::int64_t>(status.free_bytes));
      return result.take();
    }
    case Operation::card_format:
      if (auto formatted = card.format(); !formatted) return formatted.error();
      return result.take();
    case Operation::card_write: {
      std::int64_t append = 0;
      if (!args.integer(append) || !args.text(path)) return malformed(operation);
      if (auto written = card.write(path, args.rest(), append != 0); !written) return written.error();
      return result.take();
    }
    case Operation::card_read: {
      if (!args.text(path) || !args.done()) return malformed(operation);
      auto bytes = card.read(path);
      if (!bytes) return bytes.error();
      if (bytes->size() > hal_link::k_max_payload)
        return make_error(ErrorCode::unavailable, path + " (" + std::to_string(bytes->size()) +
                                                      " bytes) is larger than the HAL link carries in one read");
      return std::string(bytes->begin(), bytes->end());
    }
    case Operation::card_remove:
      if (!args.text(path) || !args.done()) return malformed(operation);
      if (auto removed = card.remove(path); !removed) return removed.error();
      return result.take();
    case Operation::card_list: {
      if (!args.text(path) || !args.done()) return malformed(operation);
      const auto entries = card.list(path);
      result.integer(static_cast<std::int64_t>(entries.size()));
      for (const auto& entry : entries) result.integer(static_cast<std::int64_t>(entry.size_bytes)).text(entry.path);
      return result.take();
    }
    default:
      return malformed(operation);
  }
}

Result<std::string> ptz_request(hal::PtzMotor& motor, Operation operation, PayloadReader args) {
  PayloadWriter result;
  switch (operation) {
    case Operation::ptz_position: {
      const auto position = motor.position();
      result.real(position.pan_degrees).real(position.tilt_degrees).real(position.zoom);
      return result.take();
    }
    case Operation::ptz_moving:
      result.integer(motor.moving() ? 1 : 0);
      return result.take();
    case Operation::ptz_move_to: {
      hal::PtzPosition target;
      hal::PtzVelocity speed;
      if (!args.real(target.pan_degrees) || !args.real(target.tilt_degrees) || !args.real(target.zoom) ||
          !args.real(speed.pan_degrees_per_second) || !args.real(speed.tilt_degrees_per_second) ||
          !args.real(speed.zoom_per_second))
        return malformed(operation);
      if (auto moved = motor.move_to(target, speed); !moved) return moved.error();
      return result.take();
    }
    case Operation::ptz_move_continuous: {
      hal::PtzVelocity velocity;
      if (!args.real(velocity.pan_degrees_per_second) || !args.real(velocity.tilt_degrees_per_second) ||
          !args.real(velocity.zoom_per_second))
        return malformed(operation);
      if (auto moved = motor.move_continuous(velocity); !moved) return moved.error();
      return result.take();
    }
    case Operation::ptz_stop:
      motor.stop();
      return result.take();
    default:
      return malformed(operation);
  }
}

// A serial read waits at most this long at a time, so a camera that dies while it waits ends its
// session without waiting out the read's whole timeout.
constexpr auto k_serial_read_slice = std::chrono::milliseconds(50);

Result<std::string> serial_request(hal::SerialPort& port, Operation operation, PayloadReader args, std::stop_token stop) {
  PayloadWriter result;
  switch (operation) {
    case Operation::serial_configure: {
      std::int64_t fields[5];
      for (auto& field : fields)
        if (!args.integer(field)) return malformed(operation);
      if (fields[3] < 0 || fields[3] > 2 || fields[4] < 0 || fields[4] > 2) return malformed(operation);
      hal::SerialSettings settings;
      settings.baud_rate = static_cast<int>(fields[0]);
      settings.data_bits = static_cast<int>(fields[1]);
      settings.stop_bits = static_cast<int>(fields[2]);
      settings.parity = static_cast<hal::SerialSettings::Parity>(fields[3]);
      settings.flow_control = static_cast<hal::SerialSettings::FlowControl>(fields[4]);
      if (auto configured = port.configure(settings); !configured) return configured.error();
      return result.take();
    }
    case Operation::serial_write: {
      auto written = port.write(args.rest());
      if (!written) return written.error();
      result.integer(static_cast<std::int64_t>(*written));
      return result.take();
    }
    case Operation::serial_read: {
      std::int64_t size = 0, timeout_ms = 0;
      if (!args.integer(size) || !args.integer(timeout_ms) || size < 0 ||
          static_cast<std::uint64_t>(size) > hal_link::k_max_payload)
        return malformed(operation);
      std::vector<std::uint8_t> buffer(static_cast<std::size_t>(size));
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      std::size_t got = 0;
      for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        auto read = port.read(buffer, std::clamp(left, std::chrono::milliseconds(0), k_serial_read_slice));
        if (!read) return read.error();
        got = *read;
        if (got > 0 || left <= std::chrono::milliseconds(0) || stop.stop_requested()) break;
      }
      return std::string(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got));
    }
    default:
      return malformed(operation);
  }
}

}  // namespace

// One connected camera: a reader for its requests (it answers most of them itself), a worker per
// serial port, a writer that alone sends (frames, time, edges, replies) and a ticker that passes
// the world's time on. Frames come from the server's channel workers, which read a sensor only
// when the camera pulls a frame.
class HalLinkServer::Session {
 public:
  //! `frame_requested` and `ended` are called on the session's reader thread.
  Session(int fd, const HalLinkDevices& devices, const HalLinkServerOptions& options,
          std::function<void(int channel)> frame_requested, std::function<void()> ended)
      : fd_(fd), devices_(devices), options_(options), frame_requested_(std::move(frame_requested)), ended_(std::move(ended)) {}

  ~Session() {
    stop_.request_stop();
    ::shutdown(fd_, SHUT_RDWR);
    queue_changed_.notify_all();
    threads_.clear();  // joins
    serial_workers_.clear();  // joins
    ::close(fd_);
  }

  // Queues the hello (built by the caller from the devices' state at this instant) and starts.
  void start(const hal_link::Hello& hello) {
    Outgoing message;
    message.header = {MessageType::hello, 0, hello.now, hello.wall_at_start, 0};
    message.payload = hal_link::encode_hello_payload(hello);
    message.header.size = message.payload.size();
    send(std::move(message));
    for (const auto& [id, port] : devices_.serial_ports) serial_workers_[id] = std::make_unique<Worker>(stop_.get_token());
    threads_.emplace_back([this] { write_loop(); });
    threads_.emplace_back([this] { read_loop(); });
    threads_.emplace_back([this, told = hal::Nanos(hello.now)] { tick_loop(told); });
  }

  bool alive() const { return !stop_.stop_requested(); }

  void send_edge(int index, bool closed, hal::Nanos at) {
    Outgoing message;
    message.header = {MessageType::input_edge, index, at.count(), closed ? 1 : 0, 0};
    send(std::move(message));
  }

  //! A frame of channel `id`, or the end of its source (null).
  void send_frame(int id, hal::VideoFramePtr frame) {
    Outgoing message;
    message.header = {MessageType::frame, id, 0, 0, 0};
    if (frame) {
      message.header.time = frame->timestamp.count();
      message.header.value = static_cast<std::int64_t>(frame->sequence);
      message.header.size = frame->size_bytes();
      message.frame = std::move(frame);
    }
    send(std::move(message));
  }

 private:
  struct Outgoing {
    Header header;
    std::string payload;
    hal::VideoFramePtr frame;
  };

  void send(Outgoing message) {
    {
      std::lock_guard lock(queue_mutex_);
      if (!alive()) return;
      queue_.push_back(std::move(message));
    }
    queue_changed_.notify_all();
  }

  void end(const std::string& why) {
    if (!stop_.request_stop()) return;
    log::get("hal_link")->info("camera connection ended: {}", why);
    ::shutdown(fd_, SHUT_RDWR);
    queue_changed_.notify_all();
    ended_();
  }

  void write_loop() {
    const auto stop = stop_.get_token();
    for (;;) {
      Outgoing message;
      {
        std::unique_lock lock(queue_mutex_);
        if (!queue_changed_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
        message = std::move(queue_.front());
        queue_.pop_front();
      }
      std::vector<std::span<const std::uint8_t>> parts;
      if (!message.payload.empty())
        parts.emplace_back(reinterpret_cast<const std::uint8_t*>(message.payload.data()), message.payload.size());
      if (message.frame) parts.emplace_back(message.frame->plane(0), message.frame->size_bytes());
      if (auto sent = hal_link::send_message(fd_, message.header, parts); !sent) return end(sent.error().message);
    }
  }

  void read_loop() {
    for (;;) {
      auto header = hal_link::receive_header(fd_);
      if (!header) return end(header.error().message);
      std::vector<std::uint8_t> payload(header->size);
      if (auto got = hal_link::receive_exact(fd_, payload); !got) return end(got.error().message);
      switch (header->type) {
        case MessageType::read_frame:
          if (!devices_.video_sources.count(header->index))
            return end("the camera asked for channel " + std::to_string(header->index) + ", which the world does not have");
          frame_requested_(header->index);
          break;
        case MessageType::request: {
          const auto operation = static_cast<Operation>(header->value);
          const auto serial = devices_.serial_ports.find(header->index);
          if (operation >= Operation::serial_configure && operation <= Operation::serial_read &&
              serial != devices_.serial_ports.end()) {
            // A serial read may wait: each port has its own worker, so nothing else waits with it.
            serial_workers_.at(header->index)->post([this, header = *header, payload = std::move(payload), port = serial->second] {
              reply(header, serial_request(*port, static_cast<Operation>(header.value), PayloadReader(payload), stop_.get_token()));
            });
          } else {
            reply(*header, execute(operation, header->index, PayloadReader(payload)));
          }
          break;
        }
        default:
          return end("the camera sent a message only the world sends (type " +
                     std::to_string(static_cast<std::uint32_t>(header->type)) + ")");
      }
    }
  }

  // Runs a serial port's requests in order on a thread of its own.
  class Worker {
   public:
    explicit Worker(std::stop_token stop) : thread_([this, stop] { run(stop); }) {}
    void post(std::function<void()> task) {
      {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
      }
      changed_.notify_all();
    }

   private:
    void run(std::stop_token stop) {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock lock(mutex_);
          if (!changed_.wait(lock, stop, [&] { return !tasks_.empty(); })) return;
          task = std::move(tasks_.front());
          tasks_.pop_front();
        }
        task();
      }
    }
    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::deque<std::function<void()>> tasks_;
    std::jthread thread_;  // last: it starts once the rest is built
  };

  // Every device but the serial ports answers at once, on the reader thread.
  Result<std::string> execute(Operation operation, int unit, PayloadReader args) {
    switch (operation) {
      case Operation::relay_set: {
        std::int64_t closed = 0;
        if (!args.integer(closed) || !args.done()) return malformed(operation);
        if (!devices_.relays) return missing("relay outputs");
        if (auto set = devices_.relays->set(unit, closed != 0); !set) return set.error();
        return std::string();
      }
      case Operation::card_status:
      case Operation::card_format:
      case Operation::card_write:
      case Operation::card_read:
      case Operation::card_remove:
      case Operation::card_list:
        if (!devices_.memory_card) return missing("memory card slot");
        return card_request(*devices_.memory_card, operation, args);
      case Operation::wiegand_send: {
        if (!devices_.wiegand) return missing("Wiegand port");
        hal::WiegandFrame frame;
        for (const auto bit : args.rest()) frame.bits.push_back(bit != 0);
        if (auto sent = devices_.wiegand->send(frame); !sent) return sent.error();
        return std::string();
      }
      case Operation::ptz_position:
      case Operation::ptz_moving:
      case Operation::ptz_move_to:
      case Operation::ptz_move_continuous:
      case Operation::ptz_stop: {
        const auto head = devices_.ptz_heads.find(unit);
        if (head == devices_.ptz_heads.end()) return missing("PTZ drive on channel " + std::to_string(unit));
        return ptz_request(*head->second.motor, operation, args);
      }
      case Operation::serial_configure:
      case Operation::serial_write:
      case Operation::serial_read:
        return missing("serial port " + std::to_string(unit));
    }
    return make_error(ErrorCode::invalid_argument,
                      "HAL link: unknown request " + std::to_string(static_cast<std::int64_t>(operation)) +
                          " (are both ends the same camrig build?)");
  }

  void reply(const Header& request, Result<std::string> result) {
    Outgoing answer;
    answer.header = {MessageType::reply, request.index, request.time, 0, 0};
    if (result && result->size() > hal_link::k_max_payload)
      result = make_error(ErrorCode::unavailable, "the answer is larger than the HAL link carries");
    if (result) {
      answer.payload = std::move(*result);
    } else {
      answer.header.value = static_cast<std::int64_t>(result.error().code) + 1;
      answer.payload = result.error().message;
    }
    answer.header.size = answer.payload.size();
    send(std::move(answer));
  }

  // Tells the camera how far the world's clock has gone, a time step at a time at most, counted
  // from the hello's time; a lockstep clock wakes this only when the world moves, a realtime one
  // as the wall goes by.
  void tick_loop(hal::Nanos told) {
    const auto stop = stop_.get_token();
    while (devices_.clock->sleep_until(told + options_.time_step, stop)) {
      told = devices_.clock->now();
      Outgoing message;
      message.header = {MessageType::time, 0, told.count(), 0, 0};
      send(std::move(message));
    }
  }

  const int fd_;
  const HalLinkDevices& devices_;
  const HalLinkServerOptions& options_;
  const std::function<void(int)> frame_requested_;
  const std::function<void()> ended_;
  std::stop_source stop_;
  std::mutex queue_mutex_;
  std::condition_variable_any queue_changed_;
  std::deque<Outgoing> queue_;
  std::vector<std::jthread> threads_;
  std::map<int, std::unique_ptr<Worker>> serial_workers_;
};

Result<std::unique_ptr<HalLinkServer>> HalLinkServer::start(const std::string& socket_path, HalLinkDevices devices,
                                                            HalLinkServerOptions options) {
  if (!devices.clock) return make_error(ErrorCode::invalid_argument, "HAL link: the world must give a clock");
  for (const auto& [id, head] : devices.ptz_heads)
    if (!head.motor) return make_error(ErrorCode::invalid_argument, "HAL link: PTZ channel " + std::to_string(id) + " has no motor");
  for (const auto& [id, port] : devices.serial_ports)
    if (!port) return make_error(ErrorCode::invalid_argument, "HAL link: serial port " + std::to_string(id) + " is null");
  sockaddr_un address{};
  if (socket_path.empty() || socket_path.size() >= sizeof address.sun_path)
    return make_error(ErrorCode::invalid_argument, "HAL link: the socket path '" + socket_path + "' must be 1 to " +
                                                       std::to_string(sizeof address.sun_path - 1) + " characters long");
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  std::error_code ignored;
  if (std::filesystem::is_socket(socket_path, ignored)) std::filesystem::remove(socket_path, ignored);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(ErrorCode::io_error, std::string("HAL link: socket: ") + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 4) != 0) {
    const auto error = make_error(ErrorCode::io_error, "HAL link: cannot listen on " + socket_path + ": " + std::strerror(errno));
    ::close(fd);
    return error;
  }
  std::unique_ptr<HalLinkServer> server(new HalLinkServer(socket_path, std::move(devices), options, fd));
  if (server->devices_.inputs)
    server->devices_.inputs->on_edge([raw = server.get()](int index, bool closed, hal::Nanos at) { raw->forward_edge(index, closed, at); });
  for (const auto& [id, source] : server->devices_.video_sources)
    server->channel_threads_.emplace_back(
        [raw = server.get(), id = id, source = source](std::stop_token stop) { raw->channel_loop(stop, id, *source); });
  server->accept_thread_ = std::jthread([raw = server.get()](std::stop_token stop) { raw->accept_loop(stop); });
  return server;
}

HalLinkServer::HalLinkServer(std::string path, HalLinkDevices devices, HalLinkServerOptions options, int listen_fd)
    : path_(std::move(path)), devices_(std::move(devices)), options_(options), listen_fd_(listen_fd) {}

HalLinkServer::~HalLinkServer() { stop(); }

void HalLinkServer::stop() {
  if (stopped_.exchange(true)) return;
  if (devices_.inputs) devices_.inputs->on_edge({});
  accept_thread_.request_stop();
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& thread : channel_threads_) thread.request_stop();
  changed_.notify_all();
  channel_threads_.clear();  // joins
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    session = std::move(session_);
  }
  session.reset();
  ::close(listen_fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  changed_.notify_all();
}

bool HalLinkServer::connected() const {
  std::lock_guard lock(mutex_);
  return session_ && session_->alive();
}

int HalLinkServer::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool HalLinkServer::wait_connections(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return connections_ >= count; });
}

void HalLinkServer::accept_loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // The previous camera goes first, and outside the lock: joining its threads must not hold up
    // a world thread on its way through forward_edge().
    std::shared_ptr<Session> previous;
    {
      std::lock_guard lock(mutex_);
      previous = std::move(session_);
    }
    previous.reset();
    auto session = std::make_shared<Session>(
        fd, devices_, options_, [this](int channel) { frame_requested(channel); },
        [this] {
          // The camera is gone: the channel workers go back to capturing for nobody.
          std::lock_guard lock(mutex_);
          changed_.notify_all();
        });
    std::lock_guard lock(mutex_);
    for (const auto& [id, source] : devices_.video_sources) requested_[id] = 0;
    // The hello is taken under the lock that edges go through, so none falls between the two.
    hal_link::Hello hello;
    hello.now = devices_.clock->now().count();
    hello.wall_at_start = std::chrono::duration_cast<hal::Nanos>(devices_.clock->wall_time().time_since_epoch()).count() - hello.now;
    for (const auto& [id, source] : devices_.video_sources) {
      const auto format = source->format();
      hello.channels.push_back({id, format.width, format.height, format.frame_rate.num, format.frame_rate.den});
    }
    if (devices_.inputs)
      for (int i = 0; i < devices_.inputs->count(); ++i) hello.inputs.push_back(devices_.inputs->closed(i));
    if (devices_.relays)
      for (int i = 0; i < devices_.relays->count(); ++i) hello.relays.push_back(devices_.relays->closed(i));
    for (const auto& [id, port] : devices_.serial_ports) hello.serial_ports.push_back(id);
    hello.memory_card = devices_.memory_card != nullptr;
    hello.wiegand = devices_.wiegand != nullptr;
    for (const auto& [id, head] : devices_.ptz_heads)
      hello.ptz_heads.push_back({id, head.motor->limits(), head.horizontal_fov_degrees, head.aspect_ratio});
    session->start(hello);
    session_ = std::move(session);
    ++connections_;
    log::get("hal_link")->info("camera connected on {} (connection {})", path_, connections_);
    changed_.notify_all();
  }
}

void HalLinkServer::frame_requested(int channel) {
  {
    std::lock_guard lock(mutex_);
    ++requested_[channel];
  }
  changed_.notify_all();
}

// One channel's sensor. With a camera connected it is read once per frame the camera pulls, as
// in-process; with none (dead, restarting) it is read anyway and the frames are dropped, so the
// world, which moves as frames are captured, goes on and a lockstep gate is not left waiting.
void HalLinkServer::channel_loop(std::stop_token stop, int id, hal::VideoSource& source) {
  for (;;) {
    std::shared_ptr<Session> receiver;
    {
      std::unique_lock lock(mutex_);
      const auto camera = [&] { return session_ && session_->alive(); };
      if (!changed_.wait(lock, stop, [&] { return !camera() || requested_[id] > 0; })) return;
      if (camera()) {
        --requested_[id];
        receiver = session_;
      }
    }
    auto frame = source.read(stop);
    if (stop.stop_requested()) return;
    if (!receiver) {
      // A camera that connected while this frame was being captured for nobody takes it.
      std::lock_guard lock(mutex_);
      if (session_ && session_->alive() && requested_[id] > 0) {
        --requested_[id];
        receiver = session_;
      }
    }
    if (receiver) receiver->send_frame(id, std::move(frame));
    else if (!frame) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // an ended source: nothing to drain
  }
}

void HalLinkServer::forward_edge(int index, bool closed, hal::Nanos at) {
  std::lock_guard lock(mutex_);
  if (session_ && session_->alive()) session_->send_edge(index, closed, at);
}

}  // namespace camrig::sim
