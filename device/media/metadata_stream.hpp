// Fan-out point of one channel's ONVIF metadata (tt:MetadataStream XML documents): the analytics
// publish scene descriptions and event notifications, RTSP sessions with a metadata track
// subscribe. Like the stream hub, a consumer's callback runs on the publisher's thread and must
// not block.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "device/media/encoded_packet.hpp"

namespace camrig::media {

//! What a metadata document carries: a tt:VideoAnalytics frame or tt:Event notifications. A
//! stream's settings choose which of the two its metadata track carries.
enum class MetadataContent { analytics, events };

struct MetadataDocument {
  MetadataContent content = MetadataContent::analytics;
  //! The UTF-8 XML document in `data`, its device-clock time in `timestamp` (the capture time of
  //! the analysed frame, or the event's time). An encoded packet, so that RTP senders keep it
  //! alive and cut it like video.
  EncodedPacketPtr packet;
};

class MetadataStream : public std::enable_shared_from_this<MetadataStream> {
 public:
  using Consumer = std::function<void(const MetadataDocument&)>;

  //! Keeps a consumer attached; destroying it (or reset()) detaches it, after which its callback
  //! is never called again.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();
    void reset();
    explicit operator bool() const { return !stream_.expired(); }

   private:
    friend class MetadataStream;
    Subscription(std::weak_ptr<MetadataStream> stream, std::uint64_t id) : stream_(std::move(stream)), id_(id) {}
    std::weak_ptr<MetadataStream> stream_;
    std::uint64_t id_ = 0;
  };

  Subscription subscribe(Consumer consumer);
  std::size_t consumer_count() const;
  //! Producer side: hands `document` to every consumer, in subscription order.
  void publish(const MetadataDocument& document);

 private:
  struct ConsumerState {
    // Held while the callback runs, so that unsubscribe() returning means it no longer runs.
    // Recursive: a callback may drop its own subscription.
    std::recursive_mutex mutex;
    Consumer callback;
    bool attached = true;
  };
  void unsubscribe(std::uint64_t id);

  mutable std::mutex mutex_;  // guards consumers_; never held while a consumer runs
  std::map<std::uint64_t, std::shared_ptr<ConsumerState>> consumers_;
  std::uint64_t next_id_ = 1;
};

}  // namespace camrig::media
