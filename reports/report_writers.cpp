#include "reports/report_writers.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/core/xml_escape.hpp"

namespace camrig::reports {
namespace {

int failed_expectations(const ScenarioReport& scenario) {
  return static_cast<int>(std::count_if(scenario.expectations.begin(), scenario.expectations.end(),
                                        [](const ExpectationOutcome& e) { return !e.passed; }));
}

std::string format_number(double value) {
  if (std::isnan(value)) return "n/a";
  return fmt::format("{:.6g}", value);
}

constexpr const char* k_style = R"(
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;width:100%}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f3f3f3}.pass{color:#17702e;font-weight:bold}.skip{color:#777;font-style:italic}.fail{color:#b3171d;font-weight:bold}
.summary span{display:inline-block;margin-right:2em;font-size:1.1em}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.5em;max-height:20em;overflow:auto;font-size:.85em}
.error{background:#fde8e8;padding:.5em;border-left:4px solid #b3171d}
svg text{font-size:11px;font-family:sans-serif}
.histograms{display:flex;flex-wrap:wrap;gap:1em}
.plate-confusion td.hit{background:#dff2e1}.plate-confusion td.miss{background:#fde8e8}
figure.evidence-picture{display:inline-block;margin:.5em 1em .5em 0;max-width:480px}
figure.evidence-picture .frame{position:relative}figure.evidence-picture img{width:100%;display:block}
figure.evidence-picture svg{position:absolute;left:0;top:0;width:100%;height:100%}
rect.box{fill:none;stroke-width:2px;vector-effect:non-scaling-stroke}rect.box.truth{stroke:#4e9a06}rect.box.detection{stroke:#cc0000}
)";

// One lane per kind of mark, time on x; labels show on hover (<title>), so dense runs stay legible.
std::string timeline_svg(const ScenarioReport& scenario) {
  const std::vector<std::pair<std::string, std::string>> lanes{
      {"step", "#3465a4"}, {"alert", "#c4a000"}, {"io", "#75507b"}, {"truth", "#4e9a06"}};
  const double width = 1000, left = 70, right = 20, lane_height = 28;
  double end = std::max(scenario.duration_seconds, scenario.simulated_seconds);
  for (const auto& mark : scenario.timeline) end = std::max(end, mark.at_seconds);
  if (end <= 0) end = 1;
  const double height = lane_height * static_cast<double>(lanes.size()) + 30;
  const auto x_of = [&](double t) { return left + (width - left - right) * t / end; };
  std::ostringstream svg;
  svg << fmt::format(R"(<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img">)",
                     width, height);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const double y = lane_height * static_cast<double>(i) + 15;
    svg << fmt::format(R"(<text x="4" y="{}">{}</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>)", y + 4,
                       lanes[i].first, left, y, width - right, y);
    for (const auto& mark : scenario.timeline) {
      if (mark.lane != lanes[i].first) continue;
      svg << fmt::format(R"(<circle cx="{:.1f}" cy="{}" r="5" fill="{}"><title>{:.3f} s: {}</title></circle>)",
                         x_of(mark.at_seconds), y, lanes[i].second, mark.at_seconds, core::xml_escape(mark.label));
    }
  }
  const double axis = lane_height * static_cast<double>(lanes.size()) + 10;
  for (int tick = 0; tick <= 10; ++tick) {
    const double t = end * tick / 10;
    svg << fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle">{:.3g} s</text>)", x_of(t), axis + 12, t);
  }
  svg << "</svg>";
  return svg.str();
}

// Share of expectations that held, per run, oldest left: a drop shows when a change broke things.
std::string trend_svg(const std::vector<HistoryEntry>& history) {
  const double width = 1000, height = 160, left = 40, bottom = 20, top = 10;
  std::ostringstream svg;
  svg << fmt::format(R"(<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img">)", width,
                     height);
  svg << fmt::format(R"(<text x="2" y="{}">100%</text><text x="2" y="{}">0%</text>)", top + 4, height - bottom);
  svg << fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#999"/>)", left, top, height - bottom);
  const std::size_t shown = std::min<std::size_t>(history.size(), 50);
  const auto first = history.end() - static_cast<std::ptrdiff_t>(shown);
  std::string points;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& entry = *(first + static_cast<std::ptrdiff_t>(i));
    const double ratio = entry.expectations > 0 ? static_cast<double>(entry.expectations_passed) / entry.expectations : 0;
    const double x = left + 10 + (width - left - 20) * (shown > 1 ? static_cast<double>(i) / (shown - 1) : 0.5);
    const double y = top + (height - top - bottom) * (1 - ratio);
    points += fmt::format("{:.1f},{:.1f} ", x, y);
    svg << fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}"><title>{}: {}/{} expectations, {}/{} scenarios</title></circle>)",
                       x, y, entry.expectations_passed == entry.expectations ? "#17702e" : "#b3171d",
                       core::xml_escape(entry.at), entry.expectations_passed, entry.expectations, entry.scenarios_passed,
                       entry.scenarios);
  }
  if (shown > 1) svg << R"(<polyline fill="none" stroke="#3465a4" points=")" << points << R"("/>)";
  svg << "</svg>";
  return svg.str();
}

std::string base64(const std::string& bytes) {
  static constexpr char k_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto byte = [&](std::size_t at) { return at < bytes.size() ? static_cast<unsigned char>(bytes[at]) : 0u; };
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += k_digits[(value >> 18) & 63];
    out += k_digits[(value >> 12) & 63];
    out += i + 1 < bytes.size() ? k_digits[(value >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? k_digits[value & 63] : '=';
  }
  return out;
}

// Counts per bin between the smallest and largest sample; the tallest bar is full height.
std::string histogram_svg(const LatencySamples& samples) {
  const double width = 480, height = 150, left = 36, bottom = 30, top = 18;
  const auto [low_it, high_it] = std::minmax_element(samples.values.begin(), samples.values.end());
  const double low = samples.values.empty() ? 0 : *low_it;
  // Equal samples (one sample, or every latency 0) get a one-unit range rather than a degenerate axis.
  const double high = samples.values.empty() || *high_it - low < 1e-6 ? low + 1 : *high_it;
  const int bins = std::clamp(static_cast<int>(samples.values.size()), 1, 12);
  std::vector<int> counts(static_cast<std::size_t>(bins), 0);
  for (const double v : samples.values)
    ++counts[static_cast<std::size_t>(std::min(bins - 1, static_cast<int>((v - low) / (high - low) * bins)))];
  const int tallest = std::max(1, *std::max_element(counts.begin(), counts.end()));
  std::ostringstream svg;
  svg << fmt::format(R"(<svg class="histogram" data-metric="{}" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img">)",
                     core::xml_escape(samples.name), width, height);
  svg << fmt::format(R"(<text x="{}" y="12">{} ({} samples, {})</text>)", left, core::xml_escape(samples.name), samples.values.size(),
                     core::xml_escape(samples.unit));
  const double bar = (width - left - 10) / bins;
  for (int i = 0; i < bins; ++i) {
    const double h = (height - top - bottom) * counts[static_cast<std::size_t>(i)] / tallest;
    const double from = low + (high - low) * i / bins, to = low + (high - low) * (i + 1) / bins;
    svg << fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#3465a4"><title>{:.4g} to {:.4g} {}: {}</title></rect>)",
                       left + bar * i + 1, height - bottom - h, bar - 2, h, from, to, core::xml_escape(samples.unit),
                       counts[static_cast<std::size_t>(i)]);
  }
  svg << fmt::format(R"(<text x="{}" y="{}">{:.4g}</text><text x="{}" y="{}" text-anchor="end">{:.4g} {}</text>)", left,
                     height - bottom + 14, low, width - 10, height - bottom + 14, high, core::xml_escape(samples.unit));
  svg << fmt::format(R"(<text x="2" y="{}">{}</text><text x="2" y="{}">0</text></svg>)", top + 8, tallest, height - bottom);
  return svg.str();
}

std::string ratio(int part, int whole) { return whole > 0 ? fmt::format("{:.3f}", static_cast<double>(part) / whole) : "n/a"; }

std::string accuracy_table_html(const std::vector<AccuracyRow>& rows) {
  std::string html = "<table class=\"accuracy\"><tr><th>event kind</th><th>ground truth</th><th>alerts</th><th>matched</th>"
                     "<th>precision</th><th>recall</th><th>F1</th></tr>\n";
  for (const auto& r : rows)
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        core::xml_escape(r.kind), r.truth, r.alerts, r.matched, ratio(r.matched, r.alerts), ratio(r.matched, r.truth),
                        ratio(2 * r.matched, r.truth + r.alerts));
  return html + "</table>\n";
}

// Plates that passed down the side, what was read across; the diagonal is a correct read.
std::string plate_confusion_html(const std::vector<PlateReadCount>& counts) {
  std::vector<std::string> truths, reads;
  for (const auto& c : counts) {
    if (std::find(truths.begin(), truths.end(), c.truth) == truths.end()) truths.push_back(c.truth);
    if (std::find(reads.begin(), reads.end(), c.read) == reads.end()) reads.push_back(c.read);
  }
  const auto name = [](const std::string& plate, const char* none) { return plate.empty() ? std::string(none) : core::xml_escape(plate); };
  std::string html = "<table class=\"plate-confusion\"><tr><th>plate \\ read as</th>";
  for (const auto& read : reads) html += "<th>" + name(read, "(not read)") + "</th>";
  html += "</tr>\n";
  for (const auto& truth : truths) {
    html += "<tr><th>" + name(truth, "(no plate in view)") + "</th>";
    for (const auto& read : reads) {
      int n = 0;
      for (const auto& c : counts)
        if (c.truth == truth && c.read == read) n += c.count;
      const char* cls = n == 0 ? "" : (truth == read && !truth.empty()) ? " class=\"hit\"" : " class=\"miss\"";
      html += fmt::format("<td{}>{}</td>", cls, n == 0 ? std::string() : std::to_string(n));
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

// The picture inline (data: URI) with an SVG on top whose viewBox is the unit square, so boxes
// given in fractions land right whatever size the picture is shown at.
std::string picture_html(const EvidencePicture& picture) {
  std::string html = "<figure class=\"evidence-picture\"><div class=\"frame\"><img alt=\"evidence\" src=\"data:image/jpeg;base64," +
                     base64(picture.jpeg) + "\"><svg viewBox=\"0 0 1 1\" preserveAspectRatio=\"none\">";
  for (const auto& box : picture.boxes)
    html += fmt::format(R"(<rect class="box {}" x="{:.4f}" y="{:.4f}" width="{:.4f}" height="{:.4f}"><title>{}</title></rect>)",
                        box.source == "truth" ? "truth" : "detection", box.x, box.y, box.width, box.height, core::xml_escape(box.label));
  return html + "</svg></div><figcaption>" + core::xml_escape(picture.caption) + "</figcaption></figure>";
}

nlohmann::ordered_json to_json(const ScenarioReport& scenario) {
  nlohmann::ordered_json out;
  out["name"] = scenario.name;
  out["file"] = scenario.file;
  out["profile"] = scenario.profile;
  out["seed"] = scenario.seed;
  out["mode"] = scenario.mode;
  out["passed"] = scenario.passed();
  out["duration_seconds"] = scenario.duration_seconds;
  out["simulated_seconds"] = scenario.simulated_seconds;
  out["real_seconds"] = scenario.real_seconds;
  if (!scenario.error.empty()) out["error"] = scenario.error;
  if (!scenario.work_directory.empty()) out["work_directory"] = scenario.work_directory;
  auto& expectations = out["expectations"] = nlohmann::ordered_json::array();
  for (const auto& e : scenario.expectations) {
    expectations.push_back({{"id", e.id}, {"kind", e.kind}, {"statement", e.statement}, {"passed", e.passed},
                            {"skipped", e.skipped}, {"evidence", e.evidence}, {"detail", e.detail}});
    if (e.pictures.empty()) continue;
    // The bytes are in the HTML page; JSON keeps what a machine compares.
    auto& pictures = expectations.back()["pictures"] = nlohmann::ordered_json::array();
    for (const auto& picture : e.pictures) {
      auto boxes = nlohmann::ordered_json::array();
      for (const auto& b : picture.boxes)
        boxes.push_back({{"x", b.x}, {"y", b.y}, {"width", b.width}, {"height", b.height}, {"label", b.label}, {"source", b.source}});
      pictures.push_back({{"caption", picture.caption}, {"jpeg_bytes", picture.jpeg.size()}, {"boxes", boxes}});
    }
  }
  if (!scenario.latencies.empty()) {
    auto& latencies = out["latencies"] = nlohmann::ordered_json::object();
    for (const auto& l : scenario.latencies) latencies[l.name] = {{"unit", l.unit}, {"values", l.values}};
  }
  if (!scenario.accuracy.empty()) {
    auto& accuracy = out["accuracy"] = nlohmann::ordered_json::array();
    for (const auto& r : scenario.accuracy)
      accuracy.push_back({{"kind", r.kind}, {"truth", r.truth}, {"alerts", r.alerts}, {"matched", r.matched}});
  }
  if (!scenario.plate_reads.empty()) {
    auto& plates = out["plate_reads"] = nlohmann::ordered_json::array();
    for (const auto& p : scenario.plate_reads) plates.push_back({{"truth", p.truth}, {"read", p.read}, {"count", p.count}});
  }
  auto& metrics = out["metrics"] = nlohmann::ordered_json::object();
  for (const auto& m : scenario.metrics) metrics[m.name] = {{"value", m.value}, {"unit", m.unit}};
  auto& timeline = out["timeline"] = nlohmann::ordered_json::array();
  for (const auto& mark : scenario.timeline)
    timeline.push_back({{"at", mark.at_seconds}, {"lane", mark.lane}, {"label", mark.label}});
  return out;
}

}  // namespace

std::string junit_xml(const RunReport& run) {
  pugi::xml_document doc;
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "camrig run";
  int tests = 0, failures = 0, errors = 0;
  for (const auto& scenario : run.scenarios) {
    auto suite = suites.append_child("testsuite");
    suite.append_attribute("name") = scenario.name.c_str();
    suite.append_attribute("tests") = static_cast<int>(std::max<std::size_t>(scenario.expectations.size(), 1));
    suite.append_attribute("failures") = failed_expectations(scenario);
    suite.append_attribute("errors") = scenario.error.empty() ? 0 : 1;
    suite.append_attribute("time") = scenario.real_seconds;
    suite.append_attribute("timestamp") = run.started_at.c_str();
    auto properties = suite.append_child("properties");
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"file", scenario.file}, {"profile", scenario.profile}, {"seed", std::to_string(scenario.seed)},
             {"mode", scenario.mode}, {"simulated_seconds", format_number(scenario.simulated_seconds)}}) {
      auto property = properties.append_child("property");
      property.append_attribute("name") = name.c_str();
      property.append_attribute("value") = value.c_str();
    }
    if (!scenario.error.empty()) {
      // A scenario that could not run still shows up as a red test, with the reason.
      auto testcase = suite.append_child("testcase");
      testcase.append_attribute("classname") = scenario.name.c_str();
      testcase.append_attribute("name") = "run";
      auto error = testcase.append_child("error");
      error.append_attribute("message") = scenario.error.c_str();
      ++errors;
      ++tests;
    }
    for (const auto& expectation : scenario.expectations) {
      auto testcase = suite.append_child("testcase");
      testcase.append_attribute("classname") = scenario.name.c_str();
      testcase.append_attribute("name") = expectation.id.c_str();
      ++tests;
      if (expectation.skipped) {
        testcase.append_child("skipped").append_attribute("message") = expectation.evidence.c_str();
      } else if (expectation.passed) {
        testcase.append_child("system-out").text() = (expectation.statement + "\n" + expectation.evidence).c_str();
      } else {
        ++failures;
        auto failure = testcase.append_child("failure");
        failure.append_attribute("message") = (expectation.statement + ": " + expectation.evidence).c_str();
        failure.append_attribute("type") = expectation.kind.c_str();
        failure.text() = expectation.detail.c_str();
      }
    }
  }
  suites.append_attribute("tests") = tests;
  suites.append_attribute("failures") = failures;
  suites.append_attribute("errors") = errors;
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

std::string json_text(const RunReport& run) {
  nlohmann::ordered_json out;
  out["started_at"] = run.started_at;
  out["command"] = run.command;
  if (!run.interrupted.empty()) out["interrupted"] = run.interrupted;
  out["passed"] = run.passed();
  auto& scenarios = out["scenarios"] = nlohmann::ordered_json::array();
  for (const auto& scenario : run.scenarios) scenarios.push_back(to_json(scenario));
  return out.dump(2);
}

std::string html_page(const RunReport& run, const std::vector<HistoryEntry>& history) {
  int scenarios_passed = 0, expectations = 0, expectations_passed = 0;
  for (const auto& scenario : run.scenarios) {
    scenarios_passed += scenario.passed() ? 1 : 0;
    expectations += static_cast<int>(scenario.expectations.size());
    expectations_passed += static_cast<int>(scenario.expectations.size()) - failed_expectations(scenario);
  }
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>camrig run " << core::xml_escape(run.started_at)
       << "</title><style>" << k_style << "</style></head><body>\n";
  html << "<h1>camrig run: <span class=\""
       << (!run.interrupted.empty() ? "fail\">INTERRUPTED" : run.passed() ? "pass\">PASSED" : "fail\">FAILED") << "</span></h1>\n";
  if (!run.interrupted.empty())
    html << "<p class=\"error\" id=\"interrupted\">The run was " << core::xml_escape(run.interrupted)
         << " before every scenario had played to its end; its figures are not added to the history.</p>\n";
  html << "<div class=\"summary\" id=\"summary\"><span>started " << core::xml_escape(run.started_at) << "</span><span>scenarios "
       << scenarios_passed << "/" << run.scenarios.size() << " passed</span><span>expectations " << expectations_passed << "/"
       << expectations << " held</span></div>\n";
  if (!run.command.empty()) html << "<p>Command: <code>" << core::xml_escape(run.command) << "</code></p>\n";

  html << "<table id=\"scenarios\"><tr><th>scenario</th><th>result</th><th>profile</th><th>mode</th><th>simulated</th>"
          "<th>real</th><th>speed-up</th></tr>\n";
  for (const auto& s : run.scenarios) {
    html << fmt::format("<tr><td><a href=\"#{0}\">{0}</a></td><td class=\"{1}\">{2}</td><td>{3}</td><td>{4}</td>"
                        "<td>{5:.1f} s</td><td>{6:.1f} s</td><td>{7}</td></tr>\n",
                        core::xml_escape(s.name), s.passed() ? "pass" : "fail", s.passed() ? "passed" : "failed",
                        core::xml_escape(s.profile), s.mode, s.simulated_seconds, s.real_seconds,
                        s.real_seconds > 0 ? fmt::format("{:.2f}x", s.simulated_seconds / s.real_seconds) : "n/a");
  }
  html << "</table>\n";

  for (const auto& s : run.scenarios) {
    html << "<section class=\"scenario\" id=\"" << core::xml_escape(s.name) << "\"><h2>" << core::xml_escape(s.name) << " <span class=\""
         << (s.passed() ? "pass\">passed" : "fail\">failed") << "</span></h2>\n";
    html << "<p>" << core::xml_escape(s.file) << ", profile " << core::xml_escape(s.profile) << ", seed " << s.seed << ", "
         << core::xml_escape(s.mode) << (s.work_directory.empty() ? "" : ", files kept in " + core::xml_escape(s.work_directory))
         << "</p>\n";
    if (!s.error.empty()) html << "<p class=\"error\">Could not run to the end: " << core::xml_escape(s.error) << "</p>\n";
    html << "<table class=\"expectations\"><tr><th>expectation</th><th>kind</th><th>demands</th><th>result</th>"
            "<th>evidence</th></tr>\n";
    for (const auto& e : s.expectations) {
      html << "<tr class=\"expectation\"><td>" << core::xml_escape(e.id) << "</td><td>" << core::xml_escape(e.kind) << "</td><td>"
           << core::xml_escape(e.statement) << "</td><td class=\"" << (e.skipped ? "skip\">skipped" : e.passed ? "pass\">held" : "fail\">broken") << "</td><td>"
           << core::xml_escape(e.evidence);
      if (!e.detail.empty()) html << "<details><summary>details</summary><pre>" << core::xml_escape(e.detail) << "</pre></details>";
      for (const auto& picture : e.pictures) html << picture_html(picture);
      html << "</td></tr>\n";
    }
    html << "</table>\n<h3>Timeline: steps, alerts, I/O and ground truth</h3>\n" << timeline_svg(s) << "\n";
    if (!s.metrics.empty()) {
      html << "<h3>Figures</h3><table class=\"metrics\"><tr><th>metric</th><th>value</th><th>unit</th></tr>\n";
      for (const auto& m : s.metrics)
        html << "<tr><td>" << core::xml_escape(m.name) << "</td><td>" << format_number(m.value) << "</td><td>"
             << core::xml_escape(m.unit) << "</td></tr>\n";
      html << "</table>\n";
    }
    if (!s.accuracy.empty())
      html << "<h3>Accuracy against ground truth</h3>\n" << accuracy_table_html(s.accuracy);
    if (!s.plate_reads.empty())
      html << "<h3>Plate reads</h3>\n" << plate_confusion_html(s.plate_reads);
    if (!s.latencies.empty()) {
      html << "<h3>Latencies</h3><div class=\"histograms\">\n";
      for (const auto& samples : s.latencies) html << histogram_svg(samples) << "\n";
      html << "</div>\n";
    }
    html << "</section>\n";
  }
  html << "<h2>Trend</h2><p>Share of expectations that held in each of the last " << std::min<std::size_t>(history.size(), 50)
       << " runs recorded in the history file.</p>\n"
       << trend_svg(history) << "\n</body></html>\n";
  return html.str();
}

HistoryEntry history_entry(const RunReport& run) {
  HistoryEntry entry;
  entry.at = run.started_at;
  for (const auto& scenario : run.scenarios) {
    ++entry.scenarios;
    entry.scenarios_passed += scenario.passed() ? 1 : 0;
    entry.expectations += static_cast<int>(scenario.expectations.size());
    entry.expectations_passed += static_cast<int>(scenario.expectations.size()) - failed_expectations(scenario);
    for (const auto& metric : scenario.metrics)
      if (!std::isnan(metric.value)) entry.metrics[scenario.name + "/" + metric.name] = metric.value;
  }
  return entry;
}

std::vector<HistoryEntry> read_history(const std::filesystem::path& path) {
  std::vector<HistoryEntry> history;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) continue;
    HistoryEntry entry;
    entry.at = doc.value("at", "");
    entry.scenarios = doc.value("scenarios", 0);
    entry.scenarios_passed = doc.value("scenarios_passed", 0);
    entry.expectations = doc.value("expectations", 0);
    entry.expectations_passed = doc.value("expectations_passed", 0);
    if (const auto metrics = doc.find("metrics"); metrics != doc.end() && metrics->is_object())
      for (const auto& [name, value] : metrics->items())
        if (value.is_number()) entry.metrics[name] = value.get<double>();
    history.push_back(std::move(entry));
  }
  return history;
}

Result<void> append_history(const std::filesystem::path& path, const HistoryEntry& entry) {
  nlohmann::ordered_json line{{"at", entry.at},
                              {"scenarios", entry.scenarios},
                              {"scenarios_passed", entry.scenarios_passed},
                              {"expectations", entry.expectations},
                              {"expectations_passed", entry.expectations_passed},
                              {"metrics", entry.metrics}};
  std::ofstream out(path, std::ios::app);
  if (!out) return make_error(ErrorCode::io_error, "cannot append to the history file " + path.string());
  out << line.dump() << "\n";
  if (!out) return make_error(ErrorCode::io_error, "could not write the history file " + path.string() + " (disk full?)");
  return {};
}

Result<void> write_reports(const RunReport& run, const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the report directory " + directory.string() + ": " + ec.message());
  const auto history_path = directory / "history.jsonl";
  if (run.interrupted.empty())
    if (auto appended = append_history(history_path, history_entry(run)); !appended) return appended;
  const auto history = read_history(history_path);
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"junit.xml", junit_xml(run)}, {"report.json", json_text(run)}, {"report.html", html_page(run, history)}}) {
    std::ofstream out(directory / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + (directory / name).string());
  }
  return {};
}

}  // namespace camrig::reports
