// Test peer: decodes one running stream of a camera (a StreamHub subscription into a queue, then
// libavcodec), so tests judge the pictures a client would see.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "device/media/stream_hub.hpp"
#include "tests/unit/media/test_decoder.hpp"

namespace camrig::testing {

class StreamWatcher {
 public:
  explicit StreamWatcher(const std::shared_ptr<media::StreamHub>& hub, media::VideoCodec codec = media::VideoCodec::h264)
      : decoder_(codec), subscription_(hub->subscribe([this](const media::EncodedPacketPtr& packet) { push(packet); })) {}

  //! The next decoded picture; nullopt when none comes within `timeout`.
  std::optional<DecodedPicture> next_picture(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto packet = pop(std::chrono::seconds(1));
      if (!packet) continue;
      auto pictures = decoder_.decode(packet->data);
      if (!pictures.empty()) return pictures.back();
    }
    return std::nullopt;
  }

  //! Stops receiving: packets sent from now on are not decoded.
  void stop() { subscription_.reset(); }

 private:
  void push(const media::EncodedPacketPtr& packet) {
    {
      std::lock_guard lock(mutex_);
      packets_.push_back(packet);
    }
    changed_.notify_all();
  }
  media::EncodedPacketPtr pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !packets_.empty(); })) return nullptr;
    auto packet = packets_.front();
    packets_.pop_front();
    return packet;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<media::EncodedPacketPtr> packets_;
  TestDecoder decoder_;
  media::StreamHub::Subscription subscription_;
};

}  // namespace camrig::testing
