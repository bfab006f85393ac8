#include "device/analytics/plates/plate_ocr.hpp"

#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

namespace camrig::analytics::plates {

namespace {

constexpr const char* kWhitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

}  // namespace

struct PlateOcr::Engine {
  tesseract::TessBaseAPI api;
};

PlateOcr::PlateOcr(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
PlateOcr::~PlateOcr() {
  if (engine_) engine_->api.End();
}

Result<std::unique_ptr<PlateOcr>> PlateOcr::create(const std::string& tessdata) {
  auto engine = std::make_unique<Engine>();
  // Plates carry no dictionary words; the word lists (read only at Init) pull reads towards English.
  const std::vector<std::string> names{"load_system_dawg", "load_freq_dawg"};
  const std::vector<std::string> values{"0", "0"};
  if (engine->api.Init(tessdata.empty() ? nullptr : tessdata.c_str(), "eng", tesseract::OEM_LSTM_ONLY, nullptr, 0,
                       &names, &values, false) != 0) {
    return make_error(ErrorCode::unavailable,
                      "cannot load the Tesseract English model" +
                          (tessdata.empty() ? std::string() : " from " + tessdata) +
                          "; install the tesseract-ocr-eng package");
  }
  engine->api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  engine->api.SetVariable("tessedit_char_whitelist", kWhitelist);
  engine->api.SetVariable("debug_file", "/dev/null");
  return std::unique_ptr<PlateOcr>(new PlateOcr(std::move(engine)));
}

OcrRead PlateOcr::read(const cv::Mat& line) {
  OcrRead read;
  if (line.empty() || line.type() != CV_8UC1) return read;
  // Tesseract's LSTM runs OpenMP loops; on a camera's few cores a team of threads costs three
  // times the CPU for the same result (8 vs 27 ms per plate measured), and its idle members spin
  // between plates. The environment's OMP_THREAD_LIMIT is read before main; no active parallel
  // level means one thread, whatever the loops ask for. The limit is an ICV of the calling
  // thread (OpenMP 5), so it is set here, on the thread that reads, not where the engine was made.
  omp_set_max_active_levels(0);
  auto& api = engine_->api;
  api.SetImage(line.data, line.cols, line.rows, 1, static_cast<int>(line.step));
  api.SetSourceResolution(300);
  if (api.Recognize(nullptr) != 0) return read;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return read;
  do {
    const std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
    if (!symbol) continue;
    const double confidence = it->Confidence(tesseract::RIL_SYMBOL) / 100.0;
    for (const char* p = symbol.get(); *p != '\0'; ++p) {
      const char c = *p;
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        read.text.push_back(c);
        read.confidence.push_back(std::clamp(confidence, 0.0, 1.0));
      }
    }
  } while (it->Next(tesseract::RIL_SYMBOL));
  api.Clear();
  return read;
}

}  // namespace camrig::analytics::plates
