#include "sim/hal_link/hal_link_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "device/core/log.hpp"

namespace camrig::sim {

using hal_link::Header;
using hal_link::MessageType;
using hal_link::Operation;

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

// Every device below is driven in the world: each call is a request, and the answer is the world's.
class HalLinkClient::Relays final : public hal::RelayOutputs {
 public:
  Relays(HalLinkClient& link, std::vector<bool> states) : link_(link), states_(std::move(states)) {}

  int count() const override { return static_cast<int>(states_.size()); }

  Result<void> set(int index, bool closed) override {
    if (index < 0 || index >= count())
      return make_error(ErrorCode::out_of_range, "relay " + std::to_string(index + 1) + " does not exist (this camera has " +
                                                     std::to_string(count()) + ")");
    // One at a time, so the state kept here is the one the world was last told.
    std::lock_guard one_at_a_time(set_mutex_);
    auto set = link_.call(Operation::relay_set, index, hal_link::PayloadWriter().integer(closed ? 1 : 0).bytes(), "the relays");
    if (!set) return set.error();
    std::lock_guard lock(link_.mutex_);
    states_[static_cast<std::size_t>(index)] = closed;
    return {};
  }

  bool closed(int index) const override {
    std::lock_guard lock(link_.mutex_);
    return index >= 0 && index < count() && states_[static_cast<std::size_t>(index)];
  }

 private:
  HalLinkClient& link_;
  std::mutex set_mutex_;
  std::vector<bool> states_;
};

class HalLinkClient::Card final : public hal::StorageMedium {
 public:
  explicit Card(HalLinkClient& link) : link_(link) {}

  // Out of reach, the card is as good as absent.
  hal::MediumStatus status() const override {
    auto result = call(Operation::card_status, {});
    hal::MediumStatus status;
    if (!result) return status;
    hal_link::PayloadReader reader(*result);
    std::int64_t state = 0, capacity = 0, free = 0;
    if (!reader.integer(state) || !reader.integer(capacity) || !reader.integer(free) || state < 0 ||
        state > static_cast<std::int64_t>(hal::MediumState::error))
      return status;
    status.state = static_cast<hal::MediumState>(state);
    status.capacity_bytes = static_cast<std::uint64_t>(capacity);
    status.free_bytes = static_cast<std::uint64_t>(free);
    return status;
  }

  Result<void> format() override { return done(call(Operation::card_format, {})); }

  Result<void> write(std::string_view path, std::span<const std::uint8_t> bytes, bool append) override {
    const auto head = hal_link::PayloadWriter().integer(append ? 1 : 0).text(path).take();
    const std::span<const std::uint8_t> parts[] = {
        {reinterpret_cast<const std::uint8_t*>(head.data()), head.size()}, bytes};
    return done(link_.call(Operation::card_write, 0, parts, "the memory card"));
  }

  Result<std::vector<std::uint8_t>> read(std::string_view path) const override {
    return call(Operation::card_read, hal_link::PayloadWriter().text(path).bytes());
  }

  Result<void> remove(std::string_view path) override {
    return done(call(Operation::card_remove, hal_link::PayloadWriter().text(path).bytes()));
  }

  std::vector<hal::MediumEntry> list(std::string_view directory) const override {
    std::vector<hal::MediumEntry> entries;
    auto result = call(Operation::card_list, hal_link::PayloadWriter().text(directory).bytes());
    if (!result) return entries;
    hal_link::PayloadReader reader(*result);
    std::int64_t count = 0;
    if (!reader.integer(count)) return entries;
    for (std::int64_t i = 0; i < count; ++i) {
      std::int64_t size = 0;
      hal::MediumEntry entry;
      if (!reader.integer(size) || !reader.text(entry.path)) return {};
      entry.size_bytes = static_cast<std::uint64_t>(size);
      entries.push_back(std::move(entry));
    }
    return entries;
  }

 private:
  Result<std::vector<std::uint8_t>> call(Operation operation, std::string_view args) const {
    return link_.call(operation, 0, args, "the memory card");
  }
  static Result<void> done(const Result<std::vector<std::uint8_t>>& result) {
    if (!result) return result.error();
    return {};
  }

  HalLinkClient& link_;
};

class HalLinkClient::Wiegand final : public hal::WiegandOutput {
 public:
  explicit Wiegand(HalLinkClient& link) : link_(link) {}

  Result<void> send(const hal::WiegandFrame& frame) override {
    std::string bits;
    for (const bool bit : frame.bits) bits.push_back(bit ? 1 : 0);
    auto sent = link_.call(Operation::wiegand_send, 0, bits, "the Wiegand port");
    if (!sent) return sent.error();
    return {};
  }

 private:
  HalLinkClient& link_;
};

class HalLinkClient::Ptz final : public hal::PtzMotor {
 public:
  Ptz(HalLinkClient& link, const hal_link::Hello::PtzHead& head) : link_(link), channel_(head.channel), limits_(head.limits) {}

  hal::PtzLimits limits() const override { return limits_; }

  // Out of reach, the head is where it was last seen, and still.
  hal::PtzPosition position() const override {
    auto result = link_.call(Operation::ptz_position, channel_, std::string_view(), name());
    std::lock_guard lock(mutex_);
    hal_link::PayloadReader reader(result ? std::span<const std::uint8_t>(*result) : std::span<const std::uint8_t>());
    hal::PtzPosition position;
    if (reader.real(position.pan_degrees) && reader.real(position.tilt_degrees) && reader.real(position.zoom)) last_ = position;
    return last_;
  }

  bool moving() const override {
    auto result = link_.call(Operation::ptz_moving, channel_, std::string_view(), name());
    std::int64_t moving = 0;
    if (!result) return false;
    hal_link::PayloadReader reader(*result);
    return reader.integer(moving) && moving != 0;
  }

  Result<void> move_to(const hal::PtzPosition& target, const hal::PtzVelocity& speed) override {
    hal_link::PayloadWriter args;
    args.real(target.pan_degrees).real(target.tilt_degrees).real(target.zoom);
    args.real(speed.pan_degrees_per_second).real(speed.tilt_degrees_per_second).real(speed.zoom_per_second);
    auto moved = link_.call(Operation::ptz_move_to, channel_, args.bytes(), name());
    if (!moved) return moved.error();
    return {};
  }

  Result<void> move_continuous(const hal::PtzVelocity& velocity) override {
    hal_link::PayloadWriter args;
    args.real(velocity.pan_degrees_per_second).real(velocity.tilt_degrees_per_second).real(velocity.zoom_per_second);
    auto moved = link_.call(Operation::ptz_move_continuous, channel_, args.bytes(), name());
    if (!moved) return moved.error();
    return {};
  }

  void stop() override {
    if (auto stopped = link_.call(Operation::ptz_stop, channel_, std::string_view(), name()); !stopped)
      log::get("hal_link")->warn("cannot stop the PTZ drive of channel {}: {}", channel_, stopped.error().message);
  }

 private:
  std::string name() const { return "the PTZ drive of channel " + std::to_string(channel_); }

  HalLinkClient& link_;
  const int channel_;
  const hal::PtzLimits limits_;
  mutable std::mutex mutex_;
  mutable hal::PtzPosition last_;
};

class HalLinkClient::Serial final : public hal::SerialPort {
 public:
  Serial(HalLinkClient& link, int id) : link_(link), id_(id) {}

  Result<void> configure(const hal::SerialSettings& settings) override {
    hal_link::PayloadWriter args;
    args.integer(settings.baud_rate).integer(settings.data_bits).integer(settings.stop_bits);
    args.integer(static_cast<std::int64_t>(settings.parity)).integer(static_cast<std::int64_t>(settings.flow_control));
    auto configured = link_.call(Operation::serial_configure, id_, args.bytes(), name());
    if (!configured) return configured.error();
    return {};
  }

  Result<std::size_t> write(std::span<const std::uint8_t> bytes) override {
    const std::span<const std::uint8_t> parts[] = {bytes};
    auto written = link_.call(Operation::serial_write, id_, parts, name());
    if (!written) return written.error();
    hal_link::PayloadReader reader(*written);
    std::int64_t count = 0;
    if (!reader.integer(count) || count < 0) return make_error(ErrorCode::io_error, name() + ": the world's answer is malformed");
    return static_cast<std::size_t>(count);
  }

  Result<std::size_t> read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override {
    const auto args = hal_link::PayloadWriter().integer(static_cast<std::int64_t>(buffer.size())).integer(timeout.count()).take();
    auto got = link_.call(Operation::serial_read, id_, args, name());
    if (!got) return got.error();
    const auto count = std::min(got->size(), buffer.size());
    std::copy_n(got->begin(), count, buffer.begin());
    return count;
  }

 private:
  std::string name() const { return "serial port " + std::to_string(id_); }

  HalLinkClient& link_;
  const int id_;
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
  if (hello.memory_card) card_ = std::make_unique<Card>(*this);
  if (hello.wiegand) wiegand_ = std::make_unique<Wiegand>(*this);
  for (const auto& head : hello.ptz_heads) ptz_[head.channel] = std::make_unique<Ptz>(*this, head);
  for (const int id : hello.serial_ports) serial_[id] = std::make_unique<Serial>(*this, id);
  hello_ptz_ = hello.ptz_heads;
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
hal::StorageMedium* HalLinkClient::memory_card() { return card_.get(); }
hal::WiegandOutput* HalLinkClient::wiegand() { return wiegand_.get(); }

std::map<int, hal::SerialPort*> HalLinkClient::serial_ports() {
  std::map<int, hal::SerialPort*> ports;
  for (auto& [id, port] : serial_) ports[id] = port.get();
  return ports;
}

std::map<int, HalLinkClient::PtzHead> HalLinkClient::ptz_heads() {
  std::map<int, PtzHead> heads;
  for (const auto& head : hello_ptz_) heads[head.channel] = {ptz_.at(head.channel).get(), head.horizontal_fov_degrees, head.aspect_ratio};
  return heads;
}

bool HalLinkClient::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

Result<void> HalLinkClient::send(const Header& header, std::span<const std::span<const std::uint8_t>> payload) {
  std::lock_guard lock(send_mutex_);
  return hal_link::send_message(fd_, header, payload);
}

Result<std::vector<std::uint8_t>> HalLinkClient::call(Operation operation, int unit, std::string_view args,
                                                      const std::string& device) {
  const std::span<const std::uint8_t> parts[] = {{reinterpret_cast<const std::uint8_t*>(args.data()), args.size()}};
  return call(operation, unit, parts, device);
}

Result<std::vector<std::uint8_t>> HalLinkClient::call(Operation operation, int unit,
                                                      std::span<const std::span<const std::uint8_t>> args,
                                                      const std::string& device) {
  std::uint64_t size = 0;
  for (const auto& part : args) size += part.size();
  if (size > hal_link::k_max_payload)
    return make_error(ErrorCode::out_of_range, device + ": " + std::to_string(size) + " bytes are more than the HAL link carries at once (" +
                                                   std::to_string(hal_link::k_max_payload >> 20) + " MB)");
  const auto out_of_reach = make_error(ErrorCode::unavailable, device + " is out of reach: the HAL link to the world is closed");
  std::int64_t number = 0;
  {
    std::lock_guard lock(mutex_);
    if (!connected_) return out_of_reach;
    number = next_request_++;
    replies_[number];
  }
  if (auto sent = send({MessageType::request, unit, number, static_cast<std::int64_t>(operation), size}, args); !sent)
    lost(sent.error().message);
  std::unique_lock lock(mutex_);
  const auto waiting = replies_.find(number);
  changed_.wait(lock, [&] { return waiting->second.has_value() || !connected_; });
  auto reply = std::move(waiting->second);
  replies_.erase(waiting);
  if (!reply) return out_of_reach;
  return std::move(*reply);
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
      case MessageType::reply: {
        std::vector<std::uint8_t> payload(header->size);
        if (auto got = hal_link::receive_exact(fd_, payload); !got) return lost(got.error().message);
        bool expected = false;
        {
          std::lock_guard lock(mutex_);
          const auto waiting = replies_.find(header->time);
          expected = waiting != replies_.end() && !waiting->second;
          if (!expected) {
            // lost() below takes the lock itself.
          } else if (header->value == 0) {
            waiting->second = std::move(payload);
          } else {
            const auto code = header->value - 1 <= static_cast<std::int64_t>(ErrorCode::internal) && header->value > 0
                                  ? static_cast<ErrorCode>(header->value - 1) : ErrorCode::internal;
            waiting->second = make_error(code, std::string(payload.begin(), payload.end()));
          }
        }
        if (!expected) return lost("a reply to request " + std::to_string(header->time) + ", which the camera never made");
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
