// Fan-out point of one encoded stream (e.g. channel 1 main stream, "101"). The encoder
// publishes; consumers subscribe. A consumer's callback runs on the encoder's thread and must
// not block: it hands the shared packet to its own bounded queue (an RTSP session's write queue).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include <optional>

#include "device/media/encoded_packet.hpp"

namespace camrig::media {

class StreamHub : public std::enable_shared_from_this<StreamHub> {
 public:
  using Consumer = std::function<void(const EncodedPacketPtr&)>;

  //! Keeps a consumer attached; destroying it (or calling reset()) detaches the consumer, after
  //! which its callback is never called again.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();
    void reset();
    explicit operator bool() const { return !hub_.expired(); }

   private:
    friend class StreamHub;
    Subscription(std::weak_ptr<StreamHub> hub, std::uint64_t id) : hub_(std::move(hub)), id_(id) {}
    std::weak_ptr<StreamHub> hub_;
    std::uint64_t id_ = 0;
  };

  //! A new consumer first receives the next keyframe (the hub asks the encoder for one at once),
  //! then every packet after it.
  Subscription subscribe(Consumer consumer);

  //! The current description; empty until the encoder has opened.
  std::optional<StreamDescription> description() const;
  //! Waits up to `timeout` for a description (an encoder that is still opening).
  std::optional<StreamDescription> wait_description(std::chrono::milliseconds timeout) const;

  std::size_t consumer_count() const;

  // Encoder side.
  void set_description(StreamDescription description);
  void publish(const EncodedPacketPtr& packet);
  //! True once after a consumer asked for a keyframe; the encoder then forces an IDR.
  bool take_keyframe_request() { return keyframe_requested_.exchange(false); }

 private:
  struct ConsumerState {
    // Held while the callback runs, so that unsubscribe() returning means the callback is no
    // longer running. Recursive: a callback may drop its own subscription.
    std::recursive_mutex mutex;
    Consumer callback;
    bool attached = true;
    bool waiting_for_keyframe = true;
  };

  void unsubscribe(std::uint64_t id);

  // Guards consumers_ and description_; never held while a consumer runs.
  mutable std::mutex mutex_;
  mutable std::condition_variable description_ready_;
  std::map<std::uint64_t, std::shared_ptr<ConsumerState>> consumers_;
  std::optional<StreamDescription> description_;
  std::uint64_t next_id_ = 1;
  std::atomic<bool> keyframe_requested_{false};
};

}  // namespace camrig::media
