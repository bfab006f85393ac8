#include "device/traffic/lprapi_queue.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "device/core/log.hpp"

namespace camrig::traffic {
namespace {

constexpr std::string_view k_directory = "lprapi/queue/";
constexpr std::string_view k_sequence_file = "lprapi/sequence";

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

LprApiQueue::LprApiQueue(hal::StorageMedium* card, std::size_t memory_capacity)
    : card_(card), memory_capacity_(memory_capacity == 0 ? 1 : memory_capacity) {
  load();
}

std::string LprApiQueue::path_of(std::uint64_t sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(sequence));
  return std::string(k_directory) + name + ".json";
}

bool LprApiQueue::card_ready() const { return card_ && card_->status().state == hal::MediumState::ready; }

// A card inserted after start (or one that was in error) is read the first time it is ready.
void LprApiQueue::load() {
  if (loaded_ || !card_ready()) return;
  loaded_ = true;
  if (auto stored = card_->read(k_sequence_file)) {
    if (auto value = parse_number(std::string_view(reinterpret_cast<const char*>(stored->data()), stored->size())))
      last_sequence_ = std::max(last_sequence_, *value);
  }
  std::vector<std::uint64_t> found;
  for (const auto& entry : card_->list(k_directory)) {
    std::string_view name(entry.path);
    if (const auto slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".json") continue;
    if (auto sequence = parse_number(name.substr(0, name.size() - 5))) found.push_back(*sequence);
  }
  std::sort(found.begin(), found.end());
  for (const auto sequence : found) {
    if (in_memory_.contains(sequence)) continue;
    on_card_.push_back(sequence);
    last_sequence_ = std::max(last_sequence_, sequence);
  }
  if (!found.empty()) log::get("lprapi")->info("{} LPRAPI message(s) left on the memory card to deliver", found.size());
}

std::uint64_t LprApiQueue::next_sequence() {
  load();
  return ++last_sequence_;
}

void LprApiQueue::save_sequence() {
  const auto text = std::to_string(last_sequence_);
  if (auto saved = card_->write(k_sequence_file, bytes_of(text), false); !saved)
    log::get("lprapi")->warn("LPRAPI message numbers not saved on the memory card: {}", saved.error().message);
}

void LprApiQueue::push(std::uint64_t sequence, std::string body) {
  load();
  if (card_ready()) {
    auto written = card_->write(path_of(sequence), bytes_of(body), false);
    if (written) {
      save_sequence();
      // Kept ascending: a message parked in memory earlier may be older than this one, and
      // front() compares both queues.
      on_card_.push_back(sequence);
      return;
    }
    log::get("lprapi")->warn("LPRAPI message {} kept in memory only: {}", sequence, written.error().message);
  }
  if (in_memory_.size() >= memory_capacity_) {
    in_memory_.erase(in_memory_.begin());
    ++dropped_;
    log::get("lprapi")->error("LPRAPI outbox full without a usable memory card: oldest message dropped ({} so far)",
                              dropped_);
  }
  in_memory_.emplace(sequence, std::move(body));
}

std::optional<QueuedMessage> LprApiQueue::front() {
  load();
  while (!on_card_.empty()) {
    const auto sequence = on_card_.front();
    if (!in_memory_.empty() && in_memory_.begin()->first < sequence) break;
    if (!card_ready()) break;  // the card's messages wait for the card; newer ones in memory go first
    auto stored = card_->read(path_of(sequence));
    if (stored) return QueuedMessage{sequence, std::string(stored->begin(), stored->end())};
    // A file that cannot be read now (card error) is retried later; one that is gone is skipped.
    if (stored.error().code != ErrorCode::not_found) break;
    log::get("lprapi")->warn("LPRAPI message {} is missing from the memory card", sequence);
    on_card_.pop_front();
  }
  if (!in_memory_.empty()) return QueuedMessage{in_memory_.begin()->first, in_memory_.begin()->second};
  return std::nullopt;
}

void LprApiQueue::pop(std::uint64_t sequence) {
  if (in_memory_.erase(sequence) > 0) return;
  auto it = std::find(on_card_.begin(), on_card_.end(), sequence);
  if (it == on_card_.end()) return;
  on_card_.erase(it);
  if (auto removed = card_->remove(path_of(sequence)); !removed)
    log::get("lprapi")->warn("delivered LPRAPI message {} not removed from the memory card: {}", sequence,
                             removed.error().message);
}

}  // namespace camrig::traffic
