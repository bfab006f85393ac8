// The body of a long-lived response (alertStream): a producer on any thread writes chunks, the
// HTTP session sends them in order. Bounded: a full stream refuses writes instead of growing.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace camrig::http {

class ResponseStream {
 public:
  explicit ResponseStream(std::size_t capacity = 64) : capacity_(capacity == 0 ? 1 : capacity) {}

  //! Queues a chunk; false if the stream is full, closed or the client has gone.
  bool write(std::string chunk) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || chunks_.size() >= capacity_) return false;
      chunks_.push_back(std::move(chunk));
      wake = wake_;
    }
    if (wake) wake();
    return true;
  }

  //! Ends the body after the queued chunks.
  void close() {
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      wake = wake_;
    }
    if (wake) wake();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  // Session side.
  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }
  //! The next chunk; nullopt when none is queued (then `finished` says whether the body ended).
  std::optional<std::string> take(bool& finished) {
    std::lock_guard lock(mutex_);
    finished = closed_ && chunks_.empty();
    if (chunks_.empty()) return std::nullopt;
    std::string chunk = std::move(chunks_.front());
    chunks_.pop_front();
    return chunk;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::string> chunks_;
  std::function<void()> wake_;
  bool closed_ = false;
};

}  // namespace camrig::http
