#include "device/media/metadata_stream.hpp"

#include <vector>

namespace camrig::media {

MetadataStream::Subscription::Subscription(Subscription&& other) noexcept
    : stream_(std::move(other.stream_)), id_(other.id_) {
  other.stream_.reset();
}

MetadataStream::Subscription& MetadataStream::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    stream_ = std::move(other.stream_);
    id_ = other.id_;
    other.stream_.reset();
  }
  return *this;
}

MetadataStream::Subscription::~Subscription() { reset(); }

void MetadataStream::Subscription::reset() {
  if (auto stream = stream_.lock()) stream->unsubscribe(id_);
  stream_.reset();
}

MetadataStream::Subscription MetadataStream::subscribe(Consumer consumer) {
  auto state = std::make_shared<ConsumerState>();
  state->callback = std::move(consumer);
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  consumers_.emplace(id, std::move(state));
  return Subscription(weak_from_this(), id);
}

std::size_t MetadataStream::consumer_count() const {
  std::lock_guard lock(mutex_);
  return consumers_.size();
}

void MetadataStream::unsubscribe(std::uint64_t id) {
  std::shared_ptr<ConsumerState> state;
  {
    std::lock_guard lock(mutex_);
    auto it = consumers_.find(id);
    if (it == consumers_.end()) return;
    state = std::move(it->second);
    consumers_.erase(it);
  }
  std::lock_guard running(state->mutex);
  state->attached = false;
}

void MetadataStream::publish(const MetadataDocument& document) {
  std::vector<std::shared_ptr<ConsumerState>> consumers;
  {
    std::lock_guard lock(mutex_);
    consumers.reserve(consumers_.size());
    for (const auto& [id, state] : consumers_) consumers.push_back(state);
  }
  for (const auto& state : consumers) {
    std::lock_guard running(state->mutex);
    if (state->attached) state->callback(document);
  }
}

}  // namespace camrig::media
