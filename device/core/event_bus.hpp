// Typed publish/subscribe between subsystems. Each subscriber owns a bounded mailbox: publish()
// never blocks and never waits for a slow consumer; a full mailbox drops its oldest event and
// counts it, so a consumer that falls behind sees exactly how much it missed.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace camrig::core {

class MailboxBase {
 public:
  virtual ~MailboxBase() = default;
};

//! One subscriber's queue of events of type E. Thread-safe; any number of producers, one or
//! more consumers.
template <class E>
class Mailbox final : public MailboxBase {
 public:
  explicit Mailbox(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  //! Queues `event`; when full, the oldest event is dropped and counted.
  void push(const E& event) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      if (queue_.size() == capacity_) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(event);
    }
    ready_.notify_one();
  }

  std::optional<E> try_pop() {
    std::lock_guard lock(mutex_);
    return take_locked();
  }

  //! Waits for an event; empty once `stop` is requested or the mailbox is closed and drained.
  std::optional<E> pop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, stop, [&] { return !queue_.empty() || closed_; });
    return take_locked();
  }

  //! Wakes every waiter; later pushes are ignored. Queued events can still be taken.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  std::uint64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  std::optional<E> take_locked() {
    if (queue_.empty()) return std::nullopt;
    E event = std::move(queue_.front());
    queue_.pop_front();
    return event;
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable_any ready_;
  std::deque<E> queue_;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

class EventBus {
 public:
  static constexpr std::size_t default_capacity = 256;

  //! A new mailbox receiving every E published from now on, until the caller drops it.
  template <class E>
  std::shared_ptr<Mailbox<E>> subscribe(std::size_t capacity = default_capacity) {
    auto mailbox = std::make_shared<Mailbox<E>>(capacity);
    std::lock_guard lock(mutex_);
    subscribers_[std::type_index(typeid(E))].push_back(mailbox);
    return mailbox;
  }

  //! Delivers a copy of `event` to every live mailbox of type E; never blocks on consumers.
  template <class E>
  void publish(const E& event) {
    std::vector<std::shared_ptr<MailboxBase>> targets;
    {
      std::lock_guard lock(mutex_);
      auto it = subscribers_.find(std::type_index(typeid(E)));
      if (it == subscribers_.end()) return;
      auto& list = it->second;
      for (auto entry = list.begin(); entry != list.end();) {
        if (auto mailbox = entry->lock()) {
          targets.push_back(std::move(mailbox));
          ++entry;
        } else {
          entry = list.erase(entry);  // the subscriber is gone
        }
      }
    }
    for (const auto& mailbox : targets) static_cast<Mailbox<E>&>(*mailbox).push(event);
  }

  template <class E>
  std::size_t subscriber_count() const {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(std::type_index(typeid(E)));
    if (it == subscribers_.end()) return 0;
    std::size_t live = 0;
    for (const auto& entry : it->second) live += entry.expired() ? 0 : 1;
    return live;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::type_index, std::vector<std::weak_ptr<MailboxBase>>> subscribers_;
};

}  // namespace camrig::core
