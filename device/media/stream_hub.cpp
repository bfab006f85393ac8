#include "device/media/stream_hub.hpp"

namespace camrig::media {

std::string_view to_string(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::h264: return "H.264";
    case VideoCodec::h265: return "H.265";
    case VideoCodec::mjpeg: return "MJPEG";
  }
  return "unknown";
}

StreamHub::Subscription::Subscription(Subscription&& other) noexcept
    : hub_(std::move(other.hub_)), id_(other.id_) {
  other.hub_.reset();
}

StreamHub::Subscription& StreamHub::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    hub_ = std::move(other.hub_);
    id_ = other.id_;
    other.hub_.reset();
  }
  return *this;
}

StreamHub::Subscription::~Subscription() { reset(); }

void StreamHub::Subscription::reset() {
  if (auto hub = hub_.lock()) hub->unsubscribe(id_);
  hub_.reset();
}

StreamHub::Subscription StreamHub::subscribe(Consumer consumer) {
  auto state = std::make_shared<ConsumerState>();
  state->callback = std::move(consumer);
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  consumers_.emplace(id, std::move(state));
  keyframe_requested_ = true;
  return Subscription(weak_from_this(), id);
}

void StreamHub::unsubscribe(std::uint64_t id) {
  std::shared_ptr<ConsumerState> state;
  {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(id);
    if (it == consumers_.end()) return;
    state = std::move(it->second);
    consumers_.erase(it);
  }
  std::lock_guard consumer_lock(state->mutex);
  state->attached = false;
}

std::optional<StreamDescription> StreamHub::description() const {
  std::lock_guard lock(mutex_);
  return description_;
}

std::optional<StreamDescription> StreamHub::wait_description(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  description_ready_.wait_for(lock, timeout, [&] { return description_.has_value(); });
  return description_;
}

std::size_t StreamHub::consumer_count() const {
  std::lock_guard lock(mutex_);
  return consumers_.size();
}

void StreamHub::set_description(StreamDescription description) {
  {
    std::lock_guard lock(mutex_);
    description.generation = description_ ? description_->generation + 1 : 0;
    description_ = std::move(description);
  }
  description_ready_.notify_all();
}

void StreamHub::publish(const EncodedPacketPtr& packet) {
  std::vector<std::shared_ptr<ConsumerState>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(consumers_.size());
    for (const auto& entry : consumers_) targets.push_back(entry.second);
  }
  for (const auto& consumer : targets) {
    std::lock_guard consumer_lock(consumer->mutex);
    if (!consumer->attached) continue;
    if (consumer->waiting_for_keyframe) {
      if (!packet->keyframe) continue;
      consumer->waiting_for_keyframe = false;
    }
    consumer->callback(packet);
  }
}

}  // namespace camrig::media
