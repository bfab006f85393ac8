// A run report with every part the HTML page draws: a broken expectation with a real JPEG and
// ground-truth boxes, latency samples, an accuracy table and plate reads. Shared by the writer
// test and the test that renders the page in Chromium.
#pragma once

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "reports/run_report.hpp"

namespace camrig::test {

inline std::string sample_jpeg() {
  cv::Mat picture(180, 320, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::rectangle(picture, cv::Rect(100, 60, 80, 50), cv::Scalar(30, 30, 200), cv::FILLED);  // the "car"
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", picture, jpeg);
  return std::string(jpeg.begin(), jpeg.end());
}

inline reports::RunReport sample_report() {
  reports::RunReport run;
  run.started_at = "2026-01-01T08:00:00Z";
  run.command = "camrig run scenarios/sample.yaml";
  reports::ScenarioReport s;
  s.name = "gate-lane";
  s.file = "scenarios/sample.yaml";
  s.profile = "lpr-camera";
  s.mode = "lockstep";
  s.duration_seconds = s.simulated_seconds = 10;
  s.real_seconds = 5;
  s.expectations.push_back({"plate-read", "event", "ANPR active alert between 1 s and 4 s", true, "1 matching", "", {}});
  reports::ExpectationOutcome broken{"no-false-alarm", "event", "no linedetection alert between 0 s and 10 s", false,
                                     "came: linedetection active on channel 1", "<EventNotificationAlert/>", {}};
  broken.pictures.push_back({"linedetection active on channel 1, received at 3.000 s; boxes: ground truth", sample_jpeg(),
                             {{0.3125, 0.3333, 0.25, 0.2778, "car 3", "truth"}}});
  s.expectations.push_back(broken);
  s.latencies.push_back({"latency_s.line_crossing", "s", {0.4, 0.5, 0.52, 0.61, 1.2}});
  s.latencies.push_back({"relay.latency_ms", "ms", {12, 14, 40}});
  s.accuracy.push_back({"line_crossing", 3, 3, 2});
  s.plate_reads = {{"AB-123-CD", "AB-123-CD", 2}, {"XY-987-ZT", "XY-987-2T", 1}, {"KL-555-MN", "", 1}};
  run.scenarios.push_back(s);
  return run;
}

}  // namespace camrig::test
