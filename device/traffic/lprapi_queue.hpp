// The LPRAPI outbox: every message waits here, numbered, until the platform server takes it, so
// messages leave in order and none is lost while the server is away (Automatic Network Recovery).
// Kept on the memory card (lprapi/queue/<sequence>.json, lprapi/sequence) so it survives a restart;
// while the card cannot take a message it waits in memory, bounded, and the loss is counted.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "device/hal/storage_medium.hpp"

namespace camrig::traffic {

struct QueuedMessage {
  std::uint64_t sequence = 0;
  std::string body;
};

class LprApiQueue {
 public:
  static constexpr std::size_t k_memory_capacity = 256;

  //! `card` may be null (no card slot); otherwise it must outlive the queue. Loads what an earlier
  //! run left on the card.
  explicit LprApiQueue(hal::StorageMedium* card, std::size_t memory_capacity = k_memory_capacity);

  //! The number the next message gets: 1 above any number ever given on this card.
  std::uint64_t next_sequence();
  //! Keeps `body` as message `sequence` (from next_sequence()).
  void push(std::uint64_t sequence, std::string body);
  //! The oldest message, if any.
  std::optional<QueuedMessage> front();
  //! Removes message `sequence` (delivered, or refused by the server).
  void pop(std::uint64_t sequence);

  std::size_t size() const { return on_card_.size() + in_memory_.size(); }
  //! Messages lost because neither the card nor memory could keep them.
  std::uint64_t dropped() const { return dropped_; }

 private:
  static std::string path_of(std::uint64_t sequence);
  bool card_ready() const;
  void load();
  void save_sequence();

  hal::StorageMedium* card_;
  std::size_t memory_capacity_;
  std::uint64_t last_sequence_ = 0;
  std::deque<std::uint64_t> on_card_;  // sequences of the files, ascending
  std::map<std::uint64_t, std::string> in_memory_;
  std::uint64_t dropped_ = 0;
  bool loaded_ = false;
};

}  // namespace camrig::traffic
