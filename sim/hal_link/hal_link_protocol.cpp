#include "sim/hal_link/hal_link_protocol.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace camrig::sim::hal_link {
namespace {

void put(std::string& out, std::int64_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool next(std::int64_t& value) {
    if (bytes_.size() - position_ < sizeof value) return false;
    std::memcpy(&value, bytes_.data() + position_, sizeof value);
    position_ += sizeof value;
    return true;
  }
  bool done() const { return position_ == bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

bool read_levels(Reader& reader, std::vector<bool>& levels) {
  std::int64_t count = 0;
  if (!reader.next(count) || count < 0 || count > 1024) return false;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t level = 0;
    if (!reader.next(level)) return false;
    levels.push_back(level != 0);
  }
  return true;
}

Error broken(const char* what) {
  return make_error(ErrorCode::io_error, std::string("HAL link: ") + what + ": " + std::strerror(errno));
}

}  // namespace

std::string encode_hello_payload(const Hello& hello) {
  std::string out;
  put(out, static_cast<std::int64_t>(hello.channels.size()));
  for (const auto& channel : hello.channels) {
    for (const int value : {channel.id, channel.width, channel.height, channel.frame_rate_num, channel.frame_rate_den})
      put(out, value);
  }
  for (const auto* levels : {&hello.inputs, &hello.relays}) {
    put(out, static_cast<std::int64_t>(levels->size()));
    for (const bool level : *levels) put(out, level ? 1 : 0);
  }
  return out;
}

Result<Hello> decode_hello(const Header& header, std::span<const std::uint8_t> payload) {
  const auto bad = make_error(ErrorCode::invalid_argument,
                              "HAL link: the world's hello message is malformed (are both ends the same camrig build?)");
  if (header.type != MessageType::hello) return bad;
  Hello hello;
  hello.now = header.time;
  hello.wall_at_start = header.value;
  Reader reader(payload);
  std::int64_t channels = 0;
  if (!reader.next(channels) || channels < 0 || channels > 64) return bad;
  for (std::int64_t i = 0; i < channels; ++i) {
    std::int64_t fields[5];
    for (auto& field : fields)
      if (!reader.next(field)) return bad;
    Hello::Channel channel{static_cast<int>(fields[0]), static_cast<int>(fields[1]), static_cast<int>(fields[2]),
                           static_cast<int>(fields[3]), static_cast<int>(fields[4])};
    if (channel.width <= 0 || channel.height <= 0 || channel.width % 2 || channel.height % 2 ||
        static_cast<std::uint64_t>(channel.width) * channel.height * 3 / 2 > k_max_payload)
      return bad;
    hello.channels.push_back(channel);
  }
  if (!read_levels(reader, hello.inputs) || !read_levels(reader, hello.relays) || !reader.done()) return bad;
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
  if (type < static_cast<std::uint32_t>(MessageType::hello) || type > static_cast<std::uint32_t>(MessageType::relay_result))
    return make_error(ErrorCode::invalid_argument, "HAL link: unknown message type " + std::to_string(type));
  if (header.size > k_max_payload)
    return make_error(ErrorCode::invalid_argument, "HAL link: a payload of " + std::to_string(header.size) + " bytes is too large");
  return header;
}

}  // namespace camrig::sim::hal_link
