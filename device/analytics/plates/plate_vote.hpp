// Combines one vehicle's per-frame plate reads into one plate: the most supported length, then
// per character position the character with the largest summed confidence.
#pragma once

#include <string>
#include <vector>

#include "device/analytics/plates/plate_ocr.hpp"

namespace camrig::analytics::plates {

struct VotedPlate {
  std::string text;
  std::vector<double> confidence;  //!< per character: winner's confidence sum / reads of that length
  double overall = 0;              //!< mean of `confidence`, 0 when empty
  int reads = 0;                   //!< reads combined
  int agreeing = 0;                //!< reads that equal `text`
};

class PlateVote {
 public:
  void add(OcrRead read) { reads_.push_back(std::move(read)); }
  bool empty() const { return reads_.empty(); }
  int size() const { return static_cast<int>(reads_.size()); }
  VotedPlate result() const;

 private:
  std::vector<OcrRead> reads_;
};

}  // namespace camrig::analytics::plates
