// The wire format of the HAL link between a world process and a camera process on one machine:
// fixed-size message headers with an optional payload over a Unix stream socket, and the blocking
// send/receive of whole messages. Both ends are built from the same source, so integers travel
// in the machine's own byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::sim::hal_link {

enum class MessageType : std::uint32_t {
  hello = 1,         //!< world → camera, first: time base, channels, inputs, relays (payload: int64 list)
  time = 2,          //!< world → camera: the world's clock stands at `time`; the camera may go that far
  read_frame = 3,    //!< camera → world: the camera pulls the next frame of channel `index`
  frame = 4,         //!< world → camera: frame of channel `index`, `time` = timestamp, `value` = sequence;
                     //!< payload = I420 bytes, empty = the source ended (video loss)
  input_edge = 5,    //!< world → camera: input `index` changed to `value` (1 closed) at `time`
  relay_set = 6,     //!< camera → world: drive relay `index` to `value` (1 closed)
  relay_result = 7,  //!< world → camera: answer to relay_set; `value` = 0 ok, else ErrorCode + 1, payload = message
};

struct Header {
  MessageType type{};
  std::int32_t index = 0;
  std::int64_t time = 0;   //!< device time, nanoseconds
  std::int64_t value = 0;
  std::uint64_t size = 0;  //!< payload bytes that follow
};

//! No payload may exceed this: a 4K I420 frame is 12.4 MB.
constexpr std::uint64_t k_max_payload = 64ull << 20;

//! What the world tells a camera that connects.
struct Hello {
  struct Channel {
    int id = 0;
    int width = 0;
    int height = 0;
    int frame_rate_num = 0;
    int frame_rate_den = 1;
  };
  std::int64_t now = 0;                  //!< the world's device time, nanoseconds
  std::int64_t wall_at_start = 0;        //!< calendar time at device time 0, nanoseconds since the epoch
  std::vector<Channel> channels;
  std::vector<bool> inputs;              //!< current levels (true = closed)
  std::vector<bool> relays;              //!< current contacts (true = closed)
};

std::string encode_hello_payload(const Hello& hello);
//! Fails on a payload that does not describe a world (truncated, negative counts, odd sizes).
Result<Hello> decode_hello(const Header& header, std::span<const std::uint8_t> payload);

//! Writes the header and then each part of the payload (their sizes must add up to header.size);
//! retries short writes, never raises SIGPIPE. Fails once the peer is gone.
Result<void> send_message(int fd, const Header& header, std::span<const std::span<const std::uint8_t>> payload = {});

//! Reads one header; fails on end of stream, a broken connection, an unknown type or an
//! oversized payload (the caller then reads the payload itself with receive_exact).
Result<Header> receive_header(int fd);
Result<void> receive_exact(int fd, std::span<std::uint8_t> buffer);

}  // namespace camrig::sim::hal_link
