// Reads one rectified plate line with Tesseract 5 (LSTM, single-line page segmentation, A–Z and
// 0–9 only) on the calling thread: one engine per reader, reused for every plate.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "device/core/result.hpp"

namespace camrig::analytics::plates {

struct OcrRead {
  std::string text;                 //!< A–Z and 0–9 only
  std::vector<double> confidence;   //!< 0..1, one per character of `text`
};

class PlateOcr {
 public:
  //! Loads the English model from `tessdata` (empty: Tesseract's default path). unavailable when
  //! the model is missing (Debian package tesseract-ocr-eng).
  static Result<std::unique_ptr<PlateOcr>> create(const std::string& tessdata);
  ~PlateOcr();
  PlateOcr(const PlateOcr&) = delete;
  PlateOcr& operator=(const PlateOcr&) = delete;

  //! `line`: CV_8UC1, dark characters on white. Not thread-safe: one reader per thread.
  OcrRead read(const cv::Mat& line);

 private:
  struct Engine;
  explicit PlateOcr(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

}  // namespace camrig::analytics::plates
