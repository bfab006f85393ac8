#include "device/analytics/plates/plate_vote.hpp"

#include <array>
#include <map>
#include <numeric>

namespace camrig::analytics::plates {

namespace {

double mean(const std::vector<double>& values) {
  return values.empty() ? 0.0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace

VotedPlate PlateVote::result() const {
  VotedPlate voted;
  voted.reads = size();
  // A read with a dropped or split character shifts every position after it, so only reads of
  // the winning length vote on characters.
  std::map<std::size_t, double> support;
  for (const auto& read : reads_) support[read.text.size()] += mean(read.confidence);
  std::size_t length = 0;
  double best = -1;
  for (const auto& [size, weight] : support) {
    if (weight > best) best = weight, length = size;
  }
  if (length == 0) return voted;
  int voters = 0;
  std::vector<std::array<double, 128>> scores(length);
  for (auto& position : scores) position.fill(0);
  for (const auto& read : reads_) {
    if (read.text.size() != length) continue;
    ++voters;
    for (std::size_t i = 0; i < length; ++i) {
      scores[i][static_cast<unsigned char>(read.text[i]) & 127] += read.confidence[i];
    }
  }
  for (const auto& position : scores) {
    std::size_t winner = 0;
    for (std::size_t c = 1; c < position.size(); ++c) {
      if (position[c] > position[winner]) winner = c;
    }
    voted.text.push_back(static_cast<char>(winner));
    voted.confidence.push_back(position[winner] / voters);
  }
  voted.overall = mean(voted.confidence);
  for (const auto& read : reads_) voted.agreeing += read.text == voted.text;
  return voted;
}

}  // namespace camrig::analytics::plates
