// The wire format of the HAL link between a world process and a camera process on one machine:
// fixed-size message headers with an optional payload over a Unix stream socket, the blocking
// send/receive of whole messages, and the payload codec of the hello and of device requests.
// Both ends are built from the same source, so integers travel in the machine's own byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/ptz_motor.hpp"

namespace camrig::sim::hal_link {

enum class MessageType : std::uint32_t {
  hello = 1,       //!< world → camera, first: time base and the devices (payload: see encode_hello_payload)
  time = 2,        //!< world → camera: the world's clock stands at `time`; the camera may go that far
  read_frame = 3,  //!< camera → world: the camera pulls the next frame of channel `index`
  frame = 4,       //!< world → camera: frame of channel `index`, `time` = timestamp, `value` = sequence;
                   //!< payload = I420 bytes, empty = the source ended (video loss)
  input_edge = 5,  //!< world → camera: input `index` changed to `value` (1 closed) at `time`
  request = 6,     //!< camera → world: `value` = Operation on unit `index` (relay, serial port or PTZ
                   //!< channel), `time` = the request's number, payload = its arguments
  reply = 7,       //!< world → camera: answer to the request numbered `time`; `value` = 0 ok (payload =
                   //!< the result), else ErrorCode + 1 (payload = the error message)
};

//! What a request asks of the world's hardware; every device goes through request/reply.
enum class Operation : std::int64_t {
  relay_set = 1,        //!< args: closed
  card_status = 10,     //!< result: state, capacity, free bytes
  card_format = 11,
  card_write = 12,      //!< args: append, path, then the bytes to the end of the payload
  card_read = 13,       //!< args: path; result: the file's bytes
  card_remove = 14,     //!< args: path
  card_list = 15,       //!< args: directory; result: count, then size and path of each entry
  wiegand_send = 20,    //!< args: one byte per bit, first bit sent first
  ptz_position = 30,    //!< result: pan, tilt, zoom
  ptz_moving = 31,      //!< result: moving
  ptz_move_to = 32,     //!< args: pan, tilt, zoom, then the three speeds
  ptz_move_continuous = 33,  //!< args: the three velocities
  ptz_stop = 34,
  serial_configure = 40,  //!< args: baud rate, data bits, stop bits, parity, flow control
  serial_write = 41,      //!< args: the bytes; result: how many were written
  serial_read = 42,       //!< args: buffer size, timeout in ms; result: the bytes read
};

struct Header {
  MessageType type{};
  std::int32_t index = 0;
  std::int64_t time = 0;   //!< device time, nanoseconds (request/reply: the request's number)
  std::int64_t value = 0;
  std::uint64_t size = 0;  //!< payload bytes that follow
};

//! No payload may exceed this: a 4K I420 frame is 12.4 MB.
constexpr std::uint64_t k_max_payload = 64ull << 20;

//! What the world tells a camera that connects: its time and exactly the devices it has.
struct Hello {
  struct Channel {
    int id = 0;
    int width = 0;
    int height = 0;
    int frame_rate_num = 0;
    int frame_rate_den = 1;
  };
  //! A PTZ channel's drive: its fixed limits and the lens it moves.
  struct PtzHead {
    int channel = 0;
    hal::PtzLimits limits;
    double horizontal_fov_degrees = 60;
    double aspect_ratio = 16.0 / 9.0;
  };
  std::int64_t now = 0;                  //!< the world's device time, nanoseconds
  std::int64_t wall_at_start = 0;        //!< calendar time at device time 0, nanoseconds since the epoch
  std::vector<Channel> channels;
  std::vector<bool> inputs;              //!< current levels (true = closed)
  std::vector<bool> relays;              //!< current contacts (true = closed)
  std::vector<int> serial_ports;         //!< port ids (1: RS-485)
  bool memory_card = false;              //!< a card slot (the card may be absent or faulty)
  bool wiegand = false;
  std::vector<PtzHead> ptz_heads;
};

std::string encode_hello_payload(const Hello& hello);
//! Fails on a payload that does not describe a world (truncated, negative counts, odd sizes).
Result<Hello> decode_hello(const Header& header, std::span<const std::uint8_t> payload);

//! Builds a request's arguments or a reply's result: 8-byte integers and doubles, strings and
//! byte runs prefixed by their length.
class PayloadWriter {
 public:
  PayloadWriter& integer(std::int64_t value);
  PayloadWriter& real(double value);
  PayloadWriter& text(std::string_view value);
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

//! Reads what a PayloadWriter wrote; every read fails (false) past the end or on a bad length.
class PayloadReader {
 public:
  explicit PayloadReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool integer(std::int64_t& value);
  bool real(double& value);
  bool text(std::string& value);
  //! Everything not read yet.
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(position_); }
  bool done() const { return position_ == bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

//! Writes the header and then each part of the payload (their sizes must add up to header.size);
//! retries short writes, never raises SIGPIPE. Fails once the peer is gone.
Result<void> send_message(int fd, const Header& header, std::span<const std::span<const std::uint8_t>> payload = {});

//! Reads one header; fails on end of stream, a broken connection, an unknown type or an
//! oversized payload (the caller then reads the payload itself with receive_exact).
Result<Header> receive_header(int fd);
Result<void> receive_exact(int fd, std::span<std::uint8_t> buffer);

}  // namespace camrig::sim::hal_link
