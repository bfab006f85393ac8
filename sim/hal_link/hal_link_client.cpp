#include "sim/hal_link/hal_link_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "device/core/log.hpp"

namespace camrig::sim {

using hal_link::Header;
using hal_link::MessageType;

// One channel's sensor. A read asks the world for the next frame and waits for it; a read cut
// short by its stop token leaves the request standing, and the next read takes that frame.
class HalLinkClient::Channel final : public hal::VideoSource {
 public:
  Channel(HalLinkClient& link, int id, hal::VideoFormat format) : link_(link), id_(id), format_(format) {}

  hal::VideoFormat format() const override { return format_; }

  hal::VideoFramePtr read(std::stop_token stop) override {
    std::unique_lock lock(link_.mutex_);
    if (!requested_ && !arrived_ && link_.connected_) {
      requested_ = true;
      lock.unlock();
      if (auto sent = link_.send({MessageType::read_frame, id_, 0, 0, 0}); !sent) link_.lost(sent.error().message);
      lock.lock();
    }
    if (!link_.changed_.wait(lock, stop, [&] { return arrived_ || !link_.connected_; })) return nullptr;
    if (!arrived_) return nullptr;  // the world has gone: video loss
    arrived_ = false;
    requested_ = false;
    auto frame = std::move(frame_);
    lock.unlock();
    // The world stood at least at the frame's time when it sent it.
    if (frame) link_.clock_.advance_to(frame->timestamp);
    return frame;
  }

  // Reader thread: a frame (or the end of the source) from the world.
  void arrive(hal::VideoFramePtr frame) {
    std::lock_guard lock(link_.mutex_);
    frame_ = std::move(frame);
    arrived_ = true;
  }

  std::size_t frame_bytes() const { return static_cast<std::size_t>(format_.width) * format_.height * 3 / 2; }

 private:
  HalLinkClient& link_;
  const int id_;
  const hal::VideoFormat format_;
  bool requested_ = false;
  bool arrived_ = false;
  hal::VideoFramePtr frame_;
};

class HalLinkClient::Inputs final : public hal::DigitalInputs {
 public:
  explicit Inputs(std::vector<bool> levels) : levels_(std::move(levels)) {}

  int count() const override { return static_cast<int>(levels_.size()); }
  bool closed(int index) const override {
    std::lock_guard lock(mutex_);
    return index >= 0 && index < count() && levels_[static_cast<std::size_t>(index)];
  }
  void on_edge(EdgeHandler handler) override {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }

  // Delivery thread. The world's hello and its first edges may overlap: an edge that changes
  // nothing here is not an edge.
  void edge(int index, bool closed, hal::Nanos at) {
    EdgeHandler handler;
    {
      std::lock_guard lock(mutex_);
      if (index < 0 || index >= count() || levels_[static_cast<std::size_t>(index)] == closed) return;
      levels_[static_cast<std::size_t>(index)] = closed;
      handler = handler_;
    }
    if (handler) handler(index, closed, at);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<bool> levels_;
  EdgeHandler handler_;
};

// Relays are driven in the world, one request at a time, and the answer is the world's.
class HalLinkClient::Relays final : public hal::RelayOutputs {
 public:
  Relays(HalLinkClient& link, std::vector<bool> states) : link_(link), states_(std::move(states)) {}

  int count() const override { return static_cast<int>(states_.size()); }

  Result<void> set(int index, bool closed) override {
    if (index < 0 || index >= count())
      return make_error(ErrorCode::out_of_range, "relay " + std::to_string(index + 1) + " does not exist (this camera has " +
                                                     std::to_string(count()) + ")");
    std::lock_guard one_at_a_time(set_mutex_);
    {
      std::lock_guard lock(link_.mutex_);
      answer_.reset();
    }
    if (auto sent = link_.send({MessageType::relay_set, index, 0, closed ? 1 : 0, 0}); !sent) {
      link_.lost(sent.error().message);
      return make_error(ErrorCode::unavailable, "the relays are out of reach: " + sent.error().message);
    }
    std::unique_lock lock(link_.mutex_);
    link_.changed_.wait(lock, [&] { return answer_.has_value() || !link_.connected_; });
    if (!answer_) return make_error(ErrorCode::unavailable, "the relays are out of reach: the HAL link to the world is closed");
    auto answer = std::move(*answer_);
    answer_.reset();
    if (answer) states_[static_cast<std::size_t>(index)] = closed;
    return answer;
  }

  bool closed(int index) const override {
    std::lock_guard lock(link_.mutex_);
    return index >= 0 && index < count() && states_[static_cast<std::size_t>(index)];
  }

  // Reader thread.
  void answer(Result<void> result) {
    std::lock_guard lock(link_.mutex_);
    answer_ = std::move(result);
  }

 private:
  HalLinkClient& link_;
  std::mutex set_mutex_;
  std::vector<bool> states_;
  std::optional<Result<void>> answer_;
};

Result<std::unique_ptr<HalLinkClient>> HalLinkClient::connect(const std::string& socket_path,
                                                              std::chrono::milliseconds timeout) {
  sockaddr_un address{};
  if (socket_path.empty() || socket_path.size() >= sizeof address.sun_path)
    return make_error(ErrorCode::invalid_argument, "HAL link: the socket path '" + socket_path + "' must be 1 to " +
                                                       std::to_string(sizeof address.sun_path - 1) + " characters long");
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  const auto until = std::chrono::steady_clock::now() + timeout;
  int fd = -1;
  for (;;) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return make_error(ErrorCode::io_error, std::string("HAL link: socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
    const int error = errno;
    ::close(fd);
    if (std::chrono::steady_clock::now() >= until)
      return make_error(ErrorCode::unavailable,
                        "HAL link: no world listens on " + socket_path + " (" + std::strerror(error) + "); start the world first");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto header = hal_link::receive_header(fd);
  std::vector<std::uint8_t> payload(header ? header->size : 0);
  auto hello = header ? hal_link::receive_exact(fd, payload) : Result<void>(header.error());
  auto decoded = hello ? hal_link::decode_hello(*header, payload) : Result<hal_link::Hello>(hello.error());
  if (!decoded) {
    ::close(fd);
    return make_error(decoded.error().code, socket_path + ": " + decoded.error().message);
  }
  std::unique_ptr<HalLinkClient> client(new HalLinkClient(fd, *decoded));
  client->delivery_thread_ = std::jthread([raw = client.get()](std::stop_token stop) { raw->deliver_loop(stop); });
  client->reader_thread_ = std::jthread([raw = client.get()] { raw->read_loop(); });
  return client;
}

HalLinkClient::HalLinkClient(int fd, const hal_link::Hello& hello)
    : fd_(fd), clock_(hal::WallTime(std::chrono::duration_cast<hal::WallTime::duration>(hal::Nanos(hello.wall_at_start)))) {
  clock_.advance_to(hal::Nanos(hello.now));
  for (const auto& channel : hello.channels)
    channels_[channel.id] = std::make_unique<Channel>(
        *this, channel.id, hal::VideoFormat{channel.width, channel.height, {channel.frame_rate_num, channel.frame_rate_den}});
  if (!hello.inputs.empty()) inputs_ = std::make_unique<Inputs>(hello.inputs);
  if (!hello.relays.empty()) relays_ = std::make_unique<Relays>(*this, hello.relays);
}

HalLinkClient::~HalLinkClient() {
  ::shutdown(fd_, SHUT_RDWR);
  if (reader_thread_.joinable()) reader_thread_.join();
  delivery_thread_.request_stop();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  ::close(fd_);
}

std::map<int, hal::VideoSource*> HalLinkClient::video_sources() {
  std::map<int, hal::VideoSource*> sources;
  for (auto& [id, channel] : channels_) sources[id] = channel.get();
  return sources;
}

hal::DigitalInputs* HalLinkClient::inputs() { return inputs_.get(); }
hal::RelayOutputs* HalLinkClient::relays() { return relays_.get(); }

bool HalLinkClient::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

Result<void> HalLinkClient::send(const Header& header) {
  std::lock_guard lock(send_mutex_);
  return hal_link::send_message(fd_, header);
}

void HalLinkClient::lost(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (!connected_) return;
    connected_ = false;
  }
  log::get("hal_link")->warn("the world has gone: {}", why);
  ::shutdown(fd_, SHUT_RDWR);
  changed_.notify_all();
}

void HalLinkClient::read_loop() {
  for (;;) {
    auto header = hal_link::receive_header(fd_);
    if (!header) return lost(header.error().message);
    switch (header->type) {
      case MessageType::time:
      case MessageType::input_edge: {
        {
          std::lock_guard lock(mutex_);
          if (header->type == MessageType::time) notices_.emplace_back(TimeNotice{hal::Nanos(header->time)});
          else notices_.emplace_back(EdgeNotice{header->index, header->value != 0, hal::Nanos(header->time)});
        }
        changed_.notify_all();
        break;
      }
      case MessageType::frame: {
        const auto channel = channels_.find(header->index);
        if (channel == channels_.end()) return lost("a frame of channel " + std::to_string(header->index) + ", which the world never announced");
        if (header->size == 0) {
          channel->second->arrive(nullptr);
        } else {
          if (header->size != channel->second->frame_bytes()) return lost("a frame of the wrong size on channel " + std::to_string(header->index));
          const auto format = channel->second->format();
          auto frame = std::make_shared<hal::VideoFrame>(format.width, format.height);
          if (auto got = hal_link::receive_exact(fd_, {frame->plane(0), frame->size_bytes()}); !got) return lost(got.error().message);
          frame->timestamp = hal::Nanos(header->time);
          frame->sequence = static_cast<std::uint64_t>(header->value);
          channel->second->arrive(std::move(frame));
        }
        changed_.notify_all();
        break;
      }
      case MessageType::relay_result: {
        std::string message(header->size, '\0');
        if (auto got = hal_link::receive_exact(fd_, {reinterpret_cast<std::uint8_t*>(message.data()), message.size()}); !got)
          return lost(got.error().message);
        if (!relays_) return lost("a relay answer, but the world announced no relays");
        const auto code = header->value - 1 <= static_cast<std::int64_t>(ErrorCode::internal)
                              ? static_cast<ErrorCode>(header->value - 1) : ErrorCode::internal;
        relays_->answer(header->value == 0 ? Result<void>() : Result<void>(make_error(code, message)));
        changed_.notify_all();
        break;
      }
      default:
        return lost("a message only the camera sends (type " + std::to_string(static_cast<std::uint32_t>(header->type)) + ")");
    }
  }
}

void HalLinkClient::deliver_loop(std::stop_token stop) {
  for (;;) {
    std::variant<TimeNotice, EdgeNotice> notice;
    {
      std::unique_lock lock(mutex_);
      if (!changed_.wait(lock, stop, [&] { return !notices_.empty(); })) return;
      notice = notices_.front();
      notices_.pop_front();
    }
    if (const auto* time = std::get_if<TimeNotice>(&notice)) {
      clock_.advance_to(time->at);
    } else {
      const auto& edge = std::get<EdgeNotice>(notice);
      clock_.advance_to(edge.at);
      if (inputs_) inputs_->edge(edge.index, edge.closed, edge.at);
    }
  }
}

}  // namespace camrig::sim
