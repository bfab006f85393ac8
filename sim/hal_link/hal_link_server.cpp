#include "sim/hal_link/hal_link_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

// One connected camera: a reader for its requests, a writer that alone sends (frames, time,
// edges, answers) and a ticker that passes the world's time on. Frames come from the server's
// channel workers, which read a sensor only when the camera pulls a frame.
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
    ::close(fd_);
  }

  // Queues the hello (built by the caller from the devices' state at this instant) and starts.
  void start(const hal_link::Hello& hello) {
    Outgoing message;
    message.header = {MessageType::hello, 0, hello.now, hello.wall_at_start, 0};
    message.payload = hal_link::encode_hello_payload(hello);
    message.header.size = message.payload.size();
    send(std::move(message));
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
        case MessageType::relay_set: {
          Outgoing answer;
          answer.header = {MessageType::relay_result, header->index, 0, 0, 0};
          auto set = devices_.relays ? devices_.relays->set(header->index, header->value != 0)
                                     : Result<void>(make_error(ErrorCode::not_found, "this camera has no relay outputs"));
          if (!set) {
            answer.header.value = static_cast<std::int64_t>(set.error().code) + 1;
            answer.payload = set.error().message;
            answer.header.size = answer.payload.size();
          }
          answer.header.time = devices_.clock->now().count();
          send(std::move(answer));
          break;
        }
        default:
          return end("the camera sent a message only the world sends (type " +
                     std::to_string(static_cast<std::uint32_t>(header->type)) + ")");
      }
    }
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
};

Result<std::unique_ptr<HalLinkServer>> HalLinkServer::start(const std::string& socket_path, HalLinkDevices devices,
                                                            HalLinkServerOptions options) {
  if (!devices.clock) return make_error(ErrorCode::invalid_argument, "HAL link: the world must give a clock");
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
