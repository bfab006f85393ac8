#include "sim/hal_link/hal_link_protocol.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace camrig::sim::hal_link {
namespace {

bool read_levels(PayloadReader& reader, std::vector<bool>& levels) {
  std::int64_t count = 0;
  if (!reader.integer(count) || count < 0 || count > 1024) return false;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t level = 0;
    if (!reader.integer(level)) return false;
    levels.push_back(level != 0);
  }
  return true;
}

Error broken(const char* what) {
  return make_error(ErrorCode::io_error, std::string("HAL link: ") + what + ": " + std::strerror(errno));
}

}  // namespace

PayloadWriter& PayloadWriter::integer(std::int64_t value) {
  out_.append(reinterpret_cast<const char*>(&value), sizeof value);
  return *this;
}

PayloadWriter& PayloadWriter::real(double value) {
  out_.append(reinterpret_cast<const char*>(&value), sizeof value);
  return *this;
}

PayloadWriter& PayloadWriter::text(std::string_view value) {
  integer(static_cast<std::int64_t>(value.size()));
  out_.append(value);
  return *this;
}

bool PayloadReader::integer(std::int64_t& value) {
  if (bytes_.size() - position_ < sizeof value) return false;
  std::memcpy(&value, bytes_.data() + position_, sizeof value);
  position_ += sizeof value;
  return true;
}

bool PayloadReader::real(double& value) {
  if (bytes_.size() - position_ < sizeof value) return false;
  std::memcpy(&value, bytes_.data() + position_, sizeof value);
  position_ += sizeof value;
  return true;
}

bool PayloadReader::text(std::string& value) {
  std::int64_t size = 0;
  if (!integer(size) || size < 0 || static_cast<std::uint64_t>(size) > bytes_.size() - position_) return false;
  value.assign(reinterpret_cast<const char*>(bytes_.data() + position_), static_cast<std::size_t>(size));
  position_ += static_cast<std::size_t>(size);
  return true;
}

std::string encode_hello_payload(const Hello& hello) {
  PayloadWriter out;
  out.integer(static_cast<std::int64_t>(hello.channels.size()));
  for (const auto& channel : hello.channels) {
    for (const int value : {channel.id, channel.width, channel.height, channel.frame_rate_num, channel.frame_rate_den})
      out.integer(value);
  }
  for (const auto* levels : {&hello.inputs, &hello.relays}) {
    out.integer(static_cast<std::int64_t>(levels->size()));
    for (const bool level : *levels) out.integer(level ? 1 : 0);
  }
  out.integer(static_cast<std::int64_t>(hello.serial_ports.size()));
  for (const int id : hello.serial_ports) out.integer(id);
  out.integer(hello.memory_card ? 1 : 0).integer(hello.wiegand ? 1 : 0);
  out.integer(static_cast<std::int64_t>(hello.ptz_heads.size()));
  for (const auto& head : hello.ptz_heads) {
    const auto& limits = head.limits;
    out.integer(head.channel).integer(limits.endless_pan ? 1 : 0);
    for (const double value : {limits.pan_min, limits.pan_max, limits.tilt_min, limits.tilt_max, limits.zoom_min, limits.zoom_max,
                               limits.max_speed.pan_degrees_per_second, limits.max_speed.tilt_degrees_per_second,
                               limits.max_speed.zoom_per_second, head.horizontal_fov_degrees, head.aspect_ratio})
      out.real(value);
  }
  return out.take();
}

Result<Hello> decode_hello(const Header& header, std::span<const std::uint8_t> payload) {
  const auto bad = make_error(ErrorCode::invalid_argument,
                              "HAL link: the world's hello message is malformed (are both ends the same camrig build?)");
  if (header.type != MessageType::hello) return bad;
  Hello hello;
  hello.now = header.time;
  hello.wall_at_start = header.value;
  PayloadReader reader(payload);
  std::int64_t channels = 0;
  if (!reader.integer(channels) || channels < 0 || channels > 64) return bad;
  for (std::int64_t i = 0; i < channels; ++i) {
    std::int64_t fields[5];
    for (auto& field : fields)
      if (!reader.integer(field)) return bad;
    Hello::Channel channel{static_cast<int>(fields[0]), static_cast<int>(fields[1]), static_cast<int>(fields[2]),
                           static_cast<int>(fields[3]), static_cast<int>(fields[4])};
    if (channel.width <= 0 || channel.height <= 0 || channel.width % 2 || channel.height % 2 ||
        static_cast<std::uint64_t>(channel.width) * channel.height * 3 / 2 > k_max_payload)
      return bad;
    hello.channels.push_back(channel);
  }
  if (!read_levels(reader, hello.inputs) || !read_levels(reader, hello.relays)) return bad;
  std::int64_t count = 0;
  if (!reader.integer(count) || count < 0 || count > 64) return bad;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t id = 0;
    if (!reader.integer(id)) return bad;
    hello.serial_ports.push_back(static_cast<int>(id));
  }
  std::int64_t card = 0, wiegand = 0;
  if (!reader.integer(card) || !reader.integer(wiegand) || !reader.integer(count) || count < 0 || count > 64) return bad;
  hello.memory_card = card != 0;
  hello.wiegand = wiegand != 0;
  for (std::int64_t i = 0; i < count; ++i) {
    Hello::PtzHead head;
    std::int64_t channel = 0, endless = 0;
    auto& limits = head.limits;
    if (!reader.integer(channel) || !reader.integer(endless)) return bad;
    for (double* value : {&limits.pan_min, &limits.pan_max, &limits.tilt_min, &limits.tilt_max, &limits.zoom_min, &limits.zoom_max,
                          &limits.max_speed.pan_degrees_per_second, &limits.max_speed.tilt_degrees_per_second,
                          &limits.max_speed.zoom_per_second, &head.horizontal_fov_degrees, &head.aspect_ratio})
      if (!reader.real(*value)) return bad;
    head.channel = static_cast<int>(channel);
    limits.endless_pan = endless != 0;
    hello.ptz_heads.push_back(head);
  }
  if (!reader.done()) return bad;
  return hello;
}

Result<void> send_message(int fd, const Header& header, std::span<const std::span<const std::uint8_t>> payload) {
  std::vector<iovec> parts;
  parts.push_back({const_cast<Header*>(&header), sizeof header});
  for (const auto& part : payload)
    if (!part.empty()) parts.push_back({const_cast<std::uint8_t*>(part.data()), part.size()});
  std::size_t first = 0;
  while (first < parts.size()) {
    msghdr message{};
    message.msg_iov = parts.data() + first;
    message.msg_iovlen = parts.size() - first;
    const auto sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return broken("send");
    }
    auto left = static_cast<std::size_t>(sent);
    while (first < parts.size() && left >= parts[first].iov_len) left -= parts[first++].iov_len;
    if (first < parts.size()) {
      parts[first].iov_base = static_cast<std::uint8_t*>(parts[first].iov_base) + left;
      parts[first].iov_len -= left;
    }
  }
  return {};
}

Result<void> receive_exact(int fd, std::span<std::uint8_t> buffer) {
  std::size_t done = 0;
  while (done < buffer.size()) {
    const auto got = ::recv(fd, buffer.data() + done, buffer.size() - done, 0);
    if (got == 0) return make_error(ErrorCode::unavailable, "HAL link: the other end closed the connection");
    if (got < 0) {
      if (errno == EINTR) continue;
      return broken("receive");
    }
    done += static_cast<std::size_t>(got);
  }
  return {};
}

Result<Header> receive_header(int fd) {
  Header header;
  if (auto got = receive_exact(fd, {reinterpret_cast<std::uint8_t*>(&header), sizeof header}); !got) return got.error();
  const auto type = static_cast<std::uint32_t>(header.type);
  if (type < static_cast<std::uint32_t>(MessageType::hello) || type > static_cast<std::uint32_t>(MessageType::reply))
    return make_error(ErrorCode::invalid_argument, "HAL link: unknown message type " + std::to_string(type));
  if (header.size > k_max_payload)
    return make_error(ErrorCode::invalid_argument, "HAL link: a payload of " + std::to_string(header.size) + " bytes is too large");
  return header;
}

}  // namespace camrig::sim::hal_link
