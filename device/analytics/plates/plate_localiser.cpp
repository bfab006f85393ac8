#include "device/analytics/plates/plate_localiser.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace camrig::analytics::plates {

namespace {

// Height the plate field is rectified to: characters come out 25–36 px tall, where Tesseract's
// LSTM model reads best.
constexpr int kLineHeight = 48;
// Gradients below this are sensor noise (Sobel of ±2 levels of noise stays under ~20).
constexpr double kMinEdgeStrength = 30.0;
constexpr int kMinCharacters = 4;

double distance(cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); }

std::array<cv::Point2f, 4> order_corners(const std::array<cv::Point2f, 4>& points) {
  // Top-left has the smallest x + y, bottom-right the largest; top-right the largest x - y.
  std::array<cv::Point2f, 4> c{points[0], points[0], points[0], points[0]};
  for (const auto& p : points) {
    if (p.x + p.y < c[0].x + c[0].y) c[0] = p;
    if (p.x - p.y > c[1].x - c[1].y) c[1] = p;
    if (p.x + p.y > c[2].x + c[2].y) c[2] = p;
    if (p.x - p.y < c[3].x - c[3].y) c[3] = p;
  }
  return c;
}

// The bright plate field around a dense-edge text region: the largest bright component whose
// box holds the region's centre. Its outline gives the corners; four-sided hulls keep the
// perspective, anything else falls back to the minimum-area rectangle.
bool field_corners(const cv::Mat& luma, cv::Rect text, std::array<cv::Point2f, 4>& corners) {
  cv::Rect patch(text.x - text.width / 6, text.y - text.height / 2, text.width + text.width / 3, text.height * 2);
  patch &= cv::Rect(0, 0, luma.cols, luma.rows);
  if (patch.width < 8 || patch.height < 8) return false;
  cv::Mat bright;
  cv::threshold(luma(patch), bright, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(bright, labels, stats, centroids, 4, CV_32S);
  const cv::Point centre(text.x + text.width / 2 - patch.x, text.y + text.height / 2 - patch.y);
  int best = -1, best_area = 0;
  for (int i = 1; i < n; ++i) {
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (r.contains(centre) && area > best_area) best = i, best_area = area;
  }
  if (best < 0) return false;
  const cv::Rect field(stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
                       stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT));
  if (field.y == 0 || field.y + field.height >= patch.height) {
    // The field runs into a bright body or bumper (a plate's thin border vanishes at small
    // sizes): take the text region, widened to the usual field margins.
    const float mx = static_cast<float>(text.width) * 0.06f, my = static_cast<float>(text.height) * 0.2f;
    const float x0 = static_cast<float>(text.x) - mx, x1 = static_cast<float>(text.x + text.width) + mx;
    const float y0 = static_cast<float>(text.y) - my, y1 = static_cast<float>(text.y + text.height) + my;
    corners = {cv::Point2f(x0, y0), cv::Point2f(x1, y0), cv::Point2f(x1, y1), cv::Point2f(x0, y1)};
    return true;
  }
  const cv::Mat mask = labels == best;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  if (contours.empty()) return false;
  const auto& outline = *std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
    return cv::contourArea(a) < cv::contourArea(b);
  });
  std::vector<cv::Point> hull, quad;
  cv::convexHull(outline, hull);
  cv::approxPolyDP(hull, quad, 0.04 * cv::arcLength(hull, true), true);
  std::array<cv::Point2f, 4> points;
  if (quad.size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) points[i] = cv::Point2f(static_cast<float>(quad[i].x), static_cast<float>(quad[i].y));
  } else {
    cv::minAreaRect(hull).points(points.data());
  }
  corners = order_corners(points);
  for (auto& c : corners) c += cv::Point2f(static_cast<float>(patch.x), static_cast<float>(patch.y));
  return true;
}

// Keeps the dark blobs of the rectified field that are sized and aligned like characters and
// draws them black on white; the field's border, bands, bolts and separators drop out.
int clean_line(const cv::Mat& field, cv::Mat& line, double& mean_luma) {
  cv::Mat ink;
  cv::threshold(field, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  mean_luma = cv::mean(field, ~ink)[0];
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  const int h = field.rows, w = field.cols;
  std::vector<int> kept;
  std::vector<double> centres;
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int bw = stats.at<int>(i, cv::CC_STAT_WIDTH), bh = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    // Up to about two characters wide: neighbours that blur together at small sizes.
    if (bh < h * 4 / 10 || bh > h * 97 / 100 || bw > bh * 26 / 10 || bw < 2) continue;
    // A wide blob along the top or bottom edge is the field's border or a shadow. A narrow one is
    // a character cut by a tight field: J's descender reaches the bottom in plate fonts.
    // Characters may touch the left and right ends of a tightly cut field.
    if ((y == 0 || y + bh >= h) && bw * 10 > bh * 9) continue;
    // A solid bar at the left end is what is left of the EU band, not a character.
    if (x < h / 3 && stats.at<int>(i, cv::CC_STAT_AREA) * 100 > bw * bh * 72 && bw * 100 < bh * 45) continue;
    if ((x == 0 || x + bw >= w) && bh > h * 9 / 10) continue;
    kept.push_back(i);
    centres.push_back(y + bh / 2.0);
  }
  if (static_cast<int>(kept.size()) < kMinCharacters) return 0;
  std::vector<double> sorted = centres;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const int margin = kLineHeight / 3;
  line = cv::Mat(h + 2 * margin, w + 2 * margin, CV_8UC1, cv::Scalar(255));
  cv::Mat inner = line(cv::Rect(margin, margin, w, h));
  int characters = 0;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    if (std::abs(centres[k] - median) > h * 0.2) continue;
    inner.setTo(0, labels == kept[k]);
    ++characters;
  }
  return characters;
}

}  // namespace

std::vector<PlateCandidate> find_plates(const cv::Mat& luma, cv::Rect region, const PlateSizeLimits& limits) {
  std::vector<PlateCandidate> found;
  region &= cv::Rect(0, 0, luma.cols, luma.rows);
  if (region.width < limits.min_width / 2 || region.height < 8) return found;
  const cv::Mat roi = luma(region);

  // Characters make dense vertical edges; closing along the line joins them into one blob.
  cv::Mat gx, strength, edges;
  cv::Sobel(roi, gx, CV_16S, 1, 0, 3);
  cv::convertScaleAbs(gx, strength);
  const double otsu = cv::threshold(strength, edges, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  if (otsu < kMinEdgeStrength) cv::threshold(strength, edges, kMinEdgeStrength, 255, cv::THRESH_BINARY);
  const int gap = std::max(5, limits.min_width / 8);
  cv::morphologyEx(edges, edges, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(gap, 3)));
  cv::morphologyEx(edges, edges, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 5)));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(edges, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);

  for (const auto& contour : contours) {
    cv::Rect text = cv::boundingRect(contour);
    if (text.width < limits.min_width / 2 || text.width > limits.max_width || text.height < 6) continue;
    const double aspect = static_cast<double>(text.width) / text.height;
    if (aspect < 1.5 || aspect > 10) continue;
    text += region.tl();

    PlateCandidate candidate;
    if (!field_corners(luma, text, candidate.corners)) continue;
    const auto& c = candidate.corners;
    const double width = (distance(c[0], c[1]) + distance(c[3], c[2])) / 2;
    const double height = (distance(c[0], c[3]) + distance(c[1], c[2])) / 2;
    if (height < 6 || width < limits.min_width * 0.8 || width > limits.max_width) continue;
    const double field_aspect = width / height;
    if (field_aspect < 1.4 || field_aspect > 6.5) continue;

    const int line_width = static_cast<int>(std::lround(kLineHeight * field_aspect));
    const std::array<cv::Point2f, 4> target{cv::Point2f(0, 0), cv::Point2f(static_cast<float>(line_width), 0),
                                            cv::Point2f(static_cast<float>(line_width), kLineHeight),
                                            cv::Point2f(0, kLineHeight)};
    cv::Mat field;
    cv::warpPerspective(luma, field, cv::getPerspectiveTransform(c.data(), target.data()),
                        cv::Size(line_width, kLineHeight), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
    candidate.characters = clean_line(field, candidate.line, candidate.mean_luma);
    if (candidate.characters < kMinCharacters) continue;
    std::vector<cv::Point2f> points(c.begin(), c.end());
    candidate.box = cv::boundingRect(points) & cv::Rect(0, 0, luma.cols, luma.rows);

    // Several edge blobs can lead to the same field: keep the one with more characters.
    bool duplicate = false;
    for (auto& other : found) {
      const cv::Rect overlap = other.box & candidate.box;
      if (overlap.area() * 2 > std::min(other.box.area(), candidate.box.area())) {
        if (candidate.characters > other.characters) other = candidate;
        duplicate = true;
        break;
      }
    }
    if (!duplicate) found.push_back(std::move(candidate));
  }
  return found;
}

}  // namespace camrig::analytics::plates
