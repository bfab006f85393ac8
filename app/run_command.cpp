#include "app/run_command.hpp"

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <iterator>
#include <mutex>
#include <random>
#include <stop_token>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "app/device_process.hpp"
#include "app/simulated_world.hpp"
#include "conformance/clients.hpp"
#include "conformance/evaluator.hpp"
#include "conformance/lockstep_gate.hpp"
#include "conformance/peers.hpp"
#include "conformance/scenario.hpp"
#include "device/camera/camera.hpp"
#include "device/core/lockstep_clock.hpp"
#include "device/core/realtime_clock.hpp"
#include "reports/report_writers.hpp"
#include "sim/hal_link/hal_link_server.hpp"
#include "sim/network/fault_proxy.hpp"
#include "sim/world/world_description.hpp"

namespace camrig::sim::scenes {
// The built-in scenes' text, compiled into camrig_sim_world (sim/world/scenes/*.yaml); a run that
// spawns actors on its timeline adds them to the scene's own description.
std::string_view embedded_file(std::string_view name);
}  // namespace camrig::sim::scenes

namespace camrig::app {
namespace {

using namespace std::chrono_literals;
using conformance::ActionKind;
using conformance::Scenario;
using SteadyClock = std::chrono::steady_clock;

double seconds_of(hal::Nanos t) { return std::chrono::duration<double>(t).count(); }
hal::Nanos nanos_of(double seconds) {
  return std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(seconds));
}

std::optional<std::time_t> parse_utc(const std::string& text) {
  std::tm parts{};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &parts.tm_year, &parts.tm_mon, &parts.tm_mday, &parts.tm_hour,
                  &parts.tm_min, &parts.tm_sec) != 6)
    return std::nullopt;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return timegm(&parts);
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A TCP port on 127.0.0.1 that was free a moment ago; each run's camera gets its own. Drawn at
// random rather than from the kernel's ephemeral sequence, which hands the same port to runs in
// parallel processes (ctest -j) that probe at the same moment.
int free_port() {
  static std::mutex mutex;
  static std::mt19937 random(static_cast<std::uint32_t>(::getpid()) ^ std::random_device{}());
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = std::uniform_int_distribution<int>(20000, 59999)(random);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return open;
}

std::mutex output_mutex;

std::string caught_name(int signal_number) {
  return signal_number == SIGINT ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)";
}

void say(const std::string& line) {
  std::lock_guard lock(output_mutex);
  std::cout << line << std::endl;
}

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const RunCommandOptions& options, int number, std::stop_token interrupt)
      : scenario_(scenario), options_(options), number_(number), interrupt_(std::move(interrupt)) {
    report_ = unplayed_report(scenario, options);
  }

  //! What the report says of a scenario before (or without) playing it.
  static reports::ScenarioReport unplayed_report(const Scenario& scenario, const RunCommandOptions& options) {
    reports::ScenarioReport report;
    report.name = scenario.name;
    report.file = scenario.file.string();
    report.profile = scenario.profile;
    report.seed = scenario.seed;
    report.mode = options.realtime ? "realtime" : "lockstep";
    report.duration_seconds = scenario.duration;
    return report;
  }

  reports::ScenarioReport run() {
    started_ = SteadyClock::now();
    work_ = std::filesystem::temp_directory_path() /
            fmt::format("camrig-run-{}-{}-{}", scenario_.name, ::getpid(), number_);
    std::filesystem::remove_all(work_);
    std::filesystem::create_directories(work_);

    if (auto error = play(); !error.empty()) report_.error = error;
    stop();
    read_ground_truth();
    observed_.end = std::max(observed_.end, 0.0);
    report_.expectations = conformance::evaluate(scenario_, observed_);
    report_.metrics = conformance::compute_metrics(observed_);
    report_.timeline = conformance::timeline_marks(observed_);
    report_.latencies = conformance::latency_samples(observed_);
    report_.accuracy = conformance::accuracy_table(observed_);
    // Only a camera that reads plates has plate reads to confuse; elsewhere every plate would be "not read".
    if (profile_.capabilities.license_plate_recognition) report_.plate_reads = conformance::plate_read_table(observed_);
    report_.real_seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    report_.simulated_seconds = observed_.end;
    if (options_.keep) report_.work_directory = work_.string();
    else std::filesystem::remove_all(work_);
    progress(true);
    return report_;
  }

 private:
  // Runs setup and timeline; returns why it could not go on, or nothing.
  std::string play() {
    auto profile = core::DeviceProfile::builtin(scenario_.profile);
    if (!profile) return profile.error().message;
    profile_ = *profile;
    const auto start = parse_utc(scenario_.start_time);
    if (!start) return "start_time " + scenario_.start_time + " is not a UTC time";
    start_time_ = *start;
    const auto wall = std::chrono::system_clock::from_time_t(*start);

    sim::FramePacer pacer;
    if (options_.realtime) {
      auto clock = std::make_unique<core::RealtimeClock>(wall);
      pacer = [clock = clock.get()](hal::Nanos deadline, std::stop_token stop) { return clock->sleep_until(deadline, stop); };
      clock_ = std::move(clock);
    } else {
      auto clock = std::make_unique<core::LockstepClock>(wall);
      lockstep_ = clock.get();
      pacer = [this](hal::Nanos deadline, std::stop_token stop) {
        if (!gate_.pass(deadline, stop)) return false;
        lockstep_->advance_to(deadline);
        return !stop.stop_requested();
      };
      clock_ = std::move(clock);
    }

    SimulatedWorldOptions world_options;
    world_options.seed = scenario_.seed;
    world_options.ground_truth_path = (work_ / "ground-truth.jsonl").string();
    auto scene = world_scene();
    if (!scene) return scene.error().message;
    world_options.scene = *scene;
    auto world = SimulatedWorld::create(profile_, *clock_, pacer, world_options);
    if (!world) return "world: " + world.error().message;
    world_ = std::move(*world);
    observed_.has_barrier = world_->barrier() != nullptr;

    if (auto error = start_peers(); !error.empty()) return error;

    camera_options_.data_directory = (work_ / "data").string();
    camera_options_.drop_frames_when_busy = options_.realtime;
    camera_options_.rtsp_bind_address = "127.0.0.1";
    camera_options_.http_bind_address = "127.0.0.1";
    camera_options_.admin_password = scenario_.admin_password;
    camera_options_.settings = {{"network.rtsp_port", std::to_string(free_port())},
                                {"network.http_port", std::to_string(free_port())},
                                {"network.https_port", std::to_string(free_port())}};
    camera_options_.on_restart = [this](system::RestartReason) { restart_requested_ = true; };
    if (auto error = start_camera(); !error.empty()) return error;
    camera_options_.admin_password.clear();  // later boots keep what is stored

    alerts_ = std::make_unique<conformance::AlertStreamClient>(
        http_, "admin", scenario_.admin_password, [this](conformance::AlertDocument alert) { on_alert(std::move(alert)); });
    if (auto error = wait_for_alert_stream(10s, "did not open"); !error.empty()) return error;

    for (const auto& user : scenario_.users) {
      conformance::IsapiCall call;
      call.method = "POST";
      call.path = "/ISAPI/Security/users";
      call.body = fmt::format("<User><userName>{}</userName><password>{}</password><userLevel>{}</userLevel></User>",
                              user.name, user.password, user.level);
      if (auto error = setup_call(call); !error.empty()) return "adding user " + user.name + ": " + error;
    }
    for (std::size_t i = 0; i < scenario_.setup.size(); ++i) {
      auto call = with_peer_addresses(scenario_.setup[i]);
      if (!call) return fmt::format("setup call {}: {}", i + 1, call.error().message);
      if (auto error = setup_call(*call); !error.empty())
        return fmt::format("setup call {} ({} {}): {}", i + 1, scenario_.setup[i].method, scenario_.setup[i].path, error);
    }

    for (std::size_t i = 0; i < scenario_.timeline.size(); ++i) {
      const auto& step = scenario_.timeline[i];
      advance_to(nanos_of(step.at));
      if (interrupt_.stop_requested()) return interrupted();
      const double next = i + 1 < scenario_.timeline.size() ? scenario_.timeline[i + 1].at : scenario_.duration;
      if (auto error = act(step, nanos_of(next)); !error.empty()) return fmt::format("step {} (line {}): {}", step.id, step.line, error);
    }
    advance_to(nanos_of(scenario_.duration));
    if (interrupt_.stop_requested()) return interrupted();
    drain_alerts();
    return {};
  }

  std::string interrupted() const {
    return fmt::format("interrupted at {:.1f} s of {:.0f} s", seconds_of(clock_->now()), scenario_.duration);
  }

  // Each peer gets a fault proxy in front of it; the camera is pointed at the proxy, so the
  // timeline can cut or slow the link without touching either end.
  std::string start_peers() {
    for (const auto& declared : scenario_.peers) {
      auto peer = conformance::PeerServer::start(declared.kind, declared.name, [this] { return seconds_of(clock_->now()); });
      if (!peer) return peer.error().message;
      sim::FaultProxyOptions proxy_options;
      proxy_options.target_port = (*peer)->port();
      proxy_options.seed = scenario_.seed;
      auto proxy = std::make_unique<sim::FaultProxy>(proxy_options);
      if (auto started = proxy->start(); !started) return fmt::format("the fault proxy of peer {}: {}", declared.name, started.error().message);
      peer_addresses_[declared.name] = {declared.kind, "127.0.0.1", proxy->port()};
      peers_.push_back({declared.name, std::move(*peer), std::move(proxy)});
    }
    return {};
  }

  Result<conformance::IsapiCall> with_peer_addresses(conformance::IsapiCall call) const {
    if (peers_.empty()) return call;
    auto path = conformance::expand_peer_references(call.path, peer_addresses_);
    if (!path) return path.error();
    auto body = conformance::expand_peer_references(call.body, peer_addresses_);
    if (!body) return body.error();
    call.path = std::move(*path);
    call.body = std::move(*body);
    return call;
  }

  std::string fault(const conformance::TimelineStep& step) {
    using conformance::CardFault;
    if (step.card) {
      auto* card = world_->memory_card();
      if (!card) return "this camera has no memory card (the lpr-camera profile has one)";
      switch (step.card->fault) {
        case CardFault::ok:
          card->insert();
          card->set_full(false);
          card->set_broken(false);
          card->set_read_only(false);
          card->fail_next_writes(0);
          break;
        case CardFault::full: card->set_full(true); break;
        case CardFault::error: card->set_broken(true); break;
        case CardFault::removed: card->eject(); break;
        case CardFault::read_only: card->set_read_only(true); break;
        case CardFault::write_errors: card->fail_next_writes(step.card->writes); break;
      }
      return {};
    }
    const auto& f = *step.network;
    const auto peer = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) { return p.name == f.peer; });
    if (peer == peers_.end()) return "no peer named " + f.peer;
    auto& proxy = *peer->proxy;
    if (f.outage) {
      // A partition until the step that ends it: a new call replaces the window.
      proxy.partition_for(*f.outage ? std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours(24 * 365))
                                    : std::chrono::milliseconds(0));
    }
    if (f.latency_ms || f.jitter_ms || f.bandwidth) {
      for (const auto direction : {sim::Direction::client_to_server, sim::Direction::server_to_client}) {
        auto impairment = proxy.impairment(direction);
        if (f.latency_ms) impairment.delay = std::chrono::milliseconds(*f.latency_ms);
        if (f.jitter_ms) impairment.jitter = std::chrono::milliseconds(*f.jitter_ms);
        if (f.bandwidth) impairment.bandwidth_bytes_per_s = *f.bandwidth;
        if (auto set = proxy.set_impairment(direction, impairment); !set) return set.error().message;
      }
    }
    if (f.reset) proxy.reset_connections();
    return {};
  }

  static std::string fault_label(const conformance::TimelineStep& step) {
    if (step.card) {
      static const char* names[] = {"ok", "full", "error", "removed", "read_only", "write_errors"};
      return fmt::format("memory card {}", names[static_cast<int>(step.card->fault)]);
    }
    const auto& f = *step.network;
    std::string label = "peer " + f.peer + ":";
    if (f.outage) label += *f.outage ? " outage" : " back";
    if (f.latency_ms) label += fmt::format(" latency {} ms", *f.latency_ms);
    if (f.jitter_ms) label += fmt::format(" jitter {} ms", *f.jitter_ms);
    if (f.bandwidth) label += fmt::format(" bandwidth {} B/s", *f.bandwidth);
    if (f.reset) label += " reset";
    return label;
  }

  // The scene as the scenario names it or, for an inline description or actors spawned on the
  // timeline, a world description written to the run's folder. Each spawned actor joins the
  // world's own actors (spawn time = the step's at), so ground truth has it like any other.
  Result<std::string> world_scene() {
    std::vector<const conformance::TimelineStep*> spawns;
    for (const auto& step : scenario_.timeline)
      if (step.kind == ActionKind::spawn) spawns.push_back(&step);
    const auto path = work_ / "world.yaml";
    if (spawns.empty()) {
      if (scenario_.world.description.empty()) return scenario_.world.file.empty() ? scenario_.world.scene : scenario_.world.file;
      std::ofstream(path) << scenario_.world.description << "\n";
      return path.string();
    }
    std::string text = scenario_.world.description;
    if (text.empty() && !scenario_.world.file.empty()) {
      std::ifstream in(scenario_.world.file);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else if (text.empty()) {
      auto name = scenario_.world.scene;
      if (name.empty()) {
        const auto names = sim::builtin_scene_names();
        name = std::find(names.begin(), names.end(), profile_.name) != names.end() ? profile_.name : "default";
      }
      text = std::string(sim::scenes::embedded_file(name + ".yaml"));
      if (text.empty()) return make_error(ErrorCode::not_found, "no built-in scene '" + name + "' to spawn actors into");
    }
    YAML::Node world;
    try {
      world = YAML::Load(text);
      for (const auto* step : spawns) {
        const auto actor = YAML::Load(step->actor);
        // Checked alone first, so a mistake names the step that made it.
        YAML::Node single = YAML::Clone(world);
        single["actors"].push_back(actor);
        YAML::Emitter out;
        out << single;
        auto checked = sim::parse_world_description(out.c_str(), "world");
        // Lanes and paths are checked against the scene only when a world is built from it.
        auto built = checked ? sim::World::create(*checked) : Result<std::unique_ptr<sim::World>>(checked.error());
        if (!built)
          return make_error(ErrorCode::invalid_argument, fmt::format("{}:{}: spawn: {}", scenario_.file.string(), step->line,
                                                                     built.error().message));
        world["actors"].push_back(actor);
      }
    } catch (const YAML::Exception& e) {
      return make_error(ErrorCode::invalid_argument, "the world description is not valid YAML: " + e.msg);
    }
    YAML::Emitter out;
    out << world;
    std::ofstream(path) << out.c_str() << "\n";
    return path.string();
  }

  std::string setup_call(const conformance::IsapiCall& call) {
    const auto user = call.user.empty() ? std::string("admin") : call.user;
    const auto password = call.user.empty() ? scenario_.admin_password : call.password;
    const auto response = conformance::isapi_request(http_, call, user, password);
    if (response.status == 0) return "no response: " + response.error;
    if (response.status >= 300) {
      // The camera's own words say what it refused; show them.
      auto body = response.body.substr(0, 400);
      std::replace(body.begin(), body.end(), '\n', ' ');
      return fmt::format("answered {}: {}", response.status, body);
    }
    return {};
  }

  // A call to the camera from a timeline step. Lockstep holds the world, but some answers need
  // it to move (a DESCRIBE waits for the keyframe of a stream that was just changed): after a
  // grace period the world runs on a frame at a time until the answer comes, never past `limit`
  // (the next step).
  conformance::Response call_device(const std::function<conformance::Response()>& request, hal::Nanos limit) {
    auto answer = std::async(std::launch::async, request);
    if (!lockstep_) return answer.get();
    constexpr hal::Nanos k_frame = std::chrono::milliseconds(40);
    while (answer.wait_for(250ms) != std::future_status::ready) {
      const auto next = clock_->now() + k_frame;
      if (next > limit || interrupt_.stop_requested()) break;
      advance_to(next);
    }
    return answer.get();
  }

  std::string act(const conformance::TimelineStep& step, hal::Nanos limit) {
    conformance::ObservedStep record{step.id, seconds_of(clock_->now()), step.kind, {}, step.input, step.active};
    switch (step.kind) {
      case ActionKind::input: {
        record.label = fmt::format("input {} {}", step.input, step.active ? "active" : "inactive");
        add_step(record);
        if (auto set = world_->inputs().set_active(step.input - 1, step.active); !set)
          return fmt::format("alarm input {}: {}", step.input, set.error().message);
        break;
      }
      case ActionKind::isapi: {
        record.label = step.isapi.method + " " + step.isapi.path + (step.repeat > 1 ? fmt::format(" x{}", step.repeat) : "");
        add_step(record);
        const auto user = step.isapi.user.empty() ? std::string("admin") : step.isapi.user;
        const auto password = step.isapi.user.empty() ? scenario_.admin_password : step.isapi.password;
        const auto call = with_peer_addresses(step.isapi);
        if (!call) return call.error().message;
        for (int i = 0; i < step.repeat; ++i)
          record_response(step.id, call_device([&] { return conformance::isapi_request(http_, *call, user, password); }, limit));
        break;
      }
      case ActionKind::rtsp: {
        record.label = "DESCRIBE " + step.rtsp.stream + (step.repeat > 1 ? fmt::format(" x{}", step.repeat) : "");
        add_step(record);
        const auto user = step.rtsp.user.empty() ? std::string("admin") : step.rtsp.user;
        const auto password = step.rtsp.user.empty() ? scenario_.admin_password : step.rtsp.password;
        for (int i = 0; i < step.repeat; ++i)
          record_response(step.id, call_device([&] { return conformance::rtsp_describe(rtsp_, step.rtsp.stream, user, password); }, limit));
        break;
      }
      case ActionKind::wait: {
        record.label = fmt::format("wait {} s", step.wait_seconds);
        add_step(record);
        const auto until = SteadyClock::now() + std::chrono::duration<double>(step.wait_seconds);
        while (SteadyClock::now() < until && !interrupt_.stop_requested()) std::this_thread::sleep_for(20ms);
        break;
      }
      case ActionKind::restart:
        record.label = "restart";
        add_step(record);
        return restart();
      case ActionKind::kill:
        record.label = "kill the camera process";
        add_step(record);
        if (!device_.running()) return "the camera process is not running";
        device_.kill();
        for (int i = 0; i < 300 && alerts_->connected(); ++i) std::this_thread::sleep_for(10ms);
        break;
      case ActionKind::start: {
        record.label = "start the camera process";
        add_step(record);
        if (device_.running()) return "the camera process is still running: a start step follows a kill step";
        if (auto error = start_camera(); !error.empty()) return error;
        if (auto error = wait_for_alert_stream(30s, "did not open again"); !error.empty()) return error;
        break;
      }
      case ActionKind::fault:
        record.label = fault_label(step);
        add_step(record);
        return fault(step);
      case ActionKind::spawn: {
        // The world spawns it at this very time; the step only marks it on the timeline.
        const auto actor = YAML::Load(step.actor);
        record.label = "spawn " + actor["kind"].as<std::string>("actor") + " " + actor["name"].as<std::string>("");
        if (actor["plate"] && actor["plate"]["text"]) record.label += " " + actor["plate"]["text"].as<std::string>();
        add_step(record);
        break;
      }
    }
    return {};
  }

  void add_step(const conformance::ObservedStep& step) {
    std::lock_guard lock(mutex_);
    observed_.steps.push_back(step);
  }

  void record_response(const std::string& step, const conformance::Response& response) {
    std::lock_guard lock(mutex_);
    observed_.responses.push_back({step, seconds_of(clock_->now()), response.status, response.body, response.error,
                                   response.real_milliseconds});
  }

  std::string restart() {
    if (scenario_.separate_process) {
      device_.stop(10s);
    } else {
      camera_options_.wall_time_offset = camera_->device_clock().offset();
      camera_->stop();
      camera_.reset();
    }
    // The subscription must see the old stream end, or it would look connected to the new camera.
    for (int i = 0; i < 300 && alerts_->connected(); ++i) std::this_thread::sleep_for(10ms);
    if (auto error = start_camera(); !error.empty()) return error;
    return wait_for_alert_stream(10s, "did not open again");
  }

  // The event subscription after a (re)boot; a Ctrl-C ends the wait.
  std::string wait_for_alert_stream(std::chrono::milliseconds timeout, std::string_view failure) {
    if (alerts_->wait_connected(timeout, interrupt_)) return {};
    if (interrupt_.stop_requested()) return interrupted();
    return fmt::format("alertStream {}: {}", failure, alerts_->last_error());
  }

  // Boots the camera on the world's hardware: in this process, or (device: {process: separate})
  // as `camrig device --hal-link` on the same data directory, served by the world's HAL link,
  // and waited for until its HTTP port answers.
  std::string start_camera() {
    if (!scenario_.separate_process) {
      auto camera = camera::Camera::start(profile_, world_->hardware(), camera_options_);
      if (!camera) return "the camera did not start: " + camera.error().message;
      camera_ = std::move(*camera);
      http_ = {"127.0.0.1", camera_->http_port()};
      rtsp_ = {"127.0.0.1", camera_->rtsp_port()};
      return {};
    }
    if (!hal_link_) {
      const auto hardware = world_->hardware();
      sim::HalLinkServerOptions link_options;
      if (lockstep_) link_options.time_step = hal::Nanos(1);  // the camera sees each step exactly where the world stands
      const auto path = std::filesystem::temp_directory_path() / fmt::format("camrig-hal-{}-{}.sock", ::getpid(), number_);
      sim::HalLinkDevices devices{clock_.get(), hardware.video_sources, hardware.inputs, hardware.relays,
                                  hardware.serial_ports, hardware.memory_card, hardware.wiegand};
      for (const auto& [id, head] : hardware.ptz_heads)
        devices.ptz_heads[id] = {head.motor, head.horizontal_fov_degrees, head.aspect_ratio};
      auto server = sim::HalLinkServer::start(path.string(), std::move(devices), link_options);
      if (!server) return server.error().message;
      hal_link_ = std::move(*server);
    }
    std::vector<std::string> arguments{"device", "--hal-link", hal_link_->socket_path(), "--profile", profile_.name,
                                       "--data-dir", camera_options_.data_directory, "--bind", "127.0.0.1",
                                       options_.realtime ? "--realtime" : "--lockstep"};
    int http_port = 0, rtsp_port = 0;
    for (const auto& [name, value] : camera_options_.settings) {
      if (name == "network.rtsp_port") rtsp_port = std::stoi(value);
      if (name == "network.http_port") http_port = std::stoi(value);
      if (name == "network.https_port") arguments.insert(arguments.end(), {"--https-port", value});
    }
    arguments.insert(arguments.end(), {"--rtsp-port", std::to_string(rtsp_port), "--http-port", std::to_string(http_port)});
    if (!camera_options_.admin_password.empty()) arguments.insert(arguments.end(), {"--admin-password", camera_options_.admin_password});
    const auto log = (work_ / "device.log").string();
    if (auto started = device_.start(arguments, log); !started) return started.error().message;
    http_ = {"127.0.0.1", http_port};
    rtsp_ = {"127.0.0.1", rtsp_port};
    const auto until = SteadyClock::now() + 60s;
    while (!accepts_connections(http_port)) {
      if (interrupt_.stop_requested()) return interrupted();
      if (!device_.running()) return "the camera process ended while starting (its output: " + log + ", kept with --keep)";
      if (SteadyClock::now() > until) return fmt::format("the camera process did not open HTTP port {} within 60 s", http_port);
      std::this_thread::sleep_for(20ms);
    }
    return {};
  }

  // Moves device time to `target`. Lockstep: the channels run up to the gate, then the clock
  // lands exactly on the target; a channel that is not pulling frames (a camera restarting)
  // is not waited for beyond a stall. The stall is long: one full-size frame rendered and
  // analysed under AddressSanitizer on a busy 2-core machine can take several seconds, and
  // moving on then would skip the rest of the world.
  void advance_to(hal::Nanos target) {
    if (!lockstep_) {
      while (clock_->now() < target && !interrupt_.stop_requested()) {
        clock_->sleep_until(std::min(target, clock_->now() + nanos_of(1)), interrupt_);
        handle_restart_request();
        progress(false);
      }
      observed_.end = seconds_of(clock_->now());
      return;
    }
    gate_.open_to(target);
    const int channels = static_cast<int>(profile_.channels.size());
    const bool all_arrived = gate_.wait_held(
        channels, [this] { return clock_->now(); }, 20000ms,
        [this] {
          handle_restart_request();
          progress(false);
        },
        interrupt_);
    if (interrupt_.stop_requested()) {
      observed_.end = seconds_of(clock_->now());
      return;
    }
    if (!all_arrived)
      say(fmt::format("[{}] no channel moved device time for 20 s at {:.3f} s: moving it on to {:.3f} s", scenario_.name,
                      seconds_of(clock_->now()), seconds_of(target)));
    lockstep_->advance_to(target);
    observed_.end = seconds_of(clock_->now());
  }

  void handle_restart_request() {
    if (!restart_requested_.exchange(false)) return;
    if (auto error = restart(); !error.empty()) say(fmt::format("[{}] {}", scenario_.name, error));
  }

  void on_alert(conformance::AlertDocument alert) {
    conformance::ObservedAlert observed;
    observed.received_at = clock_ ? seconds_of(clock_->now()) : 0;
    observed.type = alert.fields["eventType"];
    observed.state = alert.fields["eventState"];
    // The camera's idle heartbeat is not an event.
    if (observed.type == "videoloss" && observed.state == "inactive" && alert.fields["activePostCount"] == "0") {
      std::lock_guard lock(mutex_);
      ++observed_.heartbeats;
      return;
    }
    observed.channel = std::atoi(alert.fields["channelID"].c_str());
    if (const auto at = parse_utc(alert.fields["dateTime"])) observed.device_time = static_cast<double>(*at - start_time_);
    observed.fields = std::move(alert.fields);
    observed.document = std::move(alert.document);
    observed.picture = std::move(alert.picture);
    std::lock_guard lock(mutex_);
    observed_.alerts.push_back(std::move(observed));
    last_alert_ = SteadyClock::now();
  }

  // Alerts travel in real time: give the last ones a moment to arrive before judging.
  void drain_alerts() {
    const auto until = SteadyClock::now() + 2s;
    while (SteadyClock::now() < until) {
      {
        std::lock_guard lock(mutex_);
        if (SteadyClock::now() - last_alert_ > 300ms) break;
      }
      std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(300ms);
  }

  void stop() {
    if (alerts_) observed_.alert_stream_openings += alerts_->openings();
    alerts_.reset();
    if (world_) {
      for (const auto& change : world_->relays().history())
        observed_.relays.push_back({seconds_of(change.at), change.index + 1, change.closed ? "closed" : "open"});
      if (const auto* barrier = world_->barrier())
        for (const auto& transition : barrier->transitions())
          observed_.barrier.push_back({seconds_of(transition.at), 0, sim::to_string(transition.state)});
    }
    if (camera_) camera_->stop();
    camera_.reset();
    device_.stop(10s);
    if (hal_link_) hal_link_->stop();
    for (auto& peer : peers_) {
      peer.proxy->stop();
      peer.server->stop();
      for (auto& delivery : peer.server->deliveries()) observed_.deliveries.push_back(std::move(delivery));
    }
    world_.reset();  // flushes the ground truth
  }

  void read_ground_truth() {
    std::ifstream in(work_ / "ground-truth.jsonl");
    for (std::size_t i = 0; i < profile_.channels.size(); ++i)
      observed_.frame_sizes[static_cast<int>(i) + 1] = {profile_.channels[i].sensor.width, profile_.channels[i].sensor.height};
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("\"type\":\"frame\"") != std::string::npos) {
        read_truth_frame(line);
        continue;
      }
      if (line.find("\"type\":\"event\"") == std::string::npos) continue;
      const auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded()) continue;
      observed_.truth.push_back(
          {doc.value("time", 0.0), doc.value("kind", ""), doc.value("name", ""), doc.value("direction", "")});
    }
  }

  // Frames without an actor in view are left out: they box nothing and read no plate.
  void read_truth_frame(const std::string& line) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.contains("actors") || !doc["actors"].is_array()) return;
    conformance::TruthFrame frame{doc.value("time", 0.0), doc.value("channel", 1), {}};
    for (const auto& actor : doc["actors"]) {
      const auto box = actor.find("box");
      if (box == actor.end() || !box->is_array() || box->size() != 4) continue;
      conformance::TruthBox truth{(*box)[0].get<double>(), (*box)[1].get<double>(), (*box)[2].get<double>(),
                                  (*box)[3].get<double>(), fmt::format("{} {}", actor.value("class", ""), actor.value("id", 0)), {}};
      if (const auto plate = actor.find("plate"); plate != actor.end() && plate->is_object()) truth.plate = plate->value("text", "");
      frame.boxes.push_back(std::move(truth));
    }
    if (!frame.boxes.empty()) observed_.frames.push_back(std::move(frame));
  }

  void progress(bool final) {
    const auto now = SteadyClock::now();
    if (!final && now - last_progress_ < 2s) return;
    last_progress_ = now;
    const double real = std::chrono::duration<double>(now - started_).count();
    const double simulated = clock_ ? seconds_of(clock_->now()) : 0;
    if (final) {
      say(fmt::format("[{}] {}: {:.1f} s simulated in {:.1f} s real ({:.2f}x), {}/{} expectations held{}", scenario_.name,
                      report_.passed() ? "PASSED" : "FAILED", report_.simulated_seconds, report_.real_seconds,
                      report_.real_seconds > 0 ? report_.simulated_seconds / report_.real_seconds : 0.0,
                      std::count_if(report_.expectations.begin(), report_.expectations.end(), [](const auto& e) { return e.passed; }),
                      report_.expectations.size(), report_.error.empty() ? "" : " (" + report_.error + ")"));
      return;
    }
    say(fmt::format("[{}] sim {:.1f}/{:.0f} s, real {:.1f} s, {:.2f}x", scenario_.name, simulated, scenario_.duration, real,
                    real > 0 ? simulated / real : 0.0));
  }

  const Scenario& scenario_;
  const RunCommandOptions& options_;
  const int number_;
  const std::stop_token interrupt_;  //!< Ctrl-C: end the run where it stands
  std::filesystem::path work_;
  SteadyClock::time_point started_;
  SteadyClock::time_point last_progress_ = SteadyClock::now();
  std::time_t start_time_ = 0;
  core::DeviceProfile profile_;
  std::unique_ptr<hal::Clock> clock_;
  core::LockstepClock* lockstep_ = nullptr;
  conformance::LockstepGate gate_;
  std::unique_ptr<SimulatedWorld> world_;
  camera::CameraOptions camera_options_;
  std::unique_ptr<camera::Camera> camera_;
  //! A camera in its own process (device: {process: separate}) and the link to its hardware.
  std::unique_ptr<sim::HalLinkServer> hal_link_;
  DeviceProcess device_;
  std::atomic<bool> restart_requested_ = false;
  conformance::Endpoint http_;
  conformance::Endpoint rtsp_;
  std::unique_ptr<conformance::AlertStreamClient> alerts_;
  struct Peer {
    std::string name;
    std::unique_ptr<conformance::PeerServer> server;
    std::unique_ptr<sim::FaultProxy> proxy;
  };
  std::vector<Peer> peers_;
  std::map<std::string, conformance::PeerAddress> peer_addresses_;
  std::mutex mutex_;
  SteadyClock::time_point last_alert_{};
  conformance::Observations observed_;
  reports::ScenarioReport report_;
};

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunCommandOptions& options) {
  auto* run = app.add_subcommand("run", "Play scenario files against a simulated camera, judge them and write reports");
  run->add_option("scenarios", options.paths, "Scenario files (YAML) or folders of them")->required();
  run->add_option("-j,--jobs", options.jobs, "Scenarios run at once")->check(CLI::Range(1, 64))->capture_default_str();
  run->add_flag("--realtime", options.realtime, "Pace the world to the wall clock (default: lockstep, repeatable and faster)");
  run->add_flag("--ci", options.ci, "Play each scenario's shorter CI run (its ci: duration) where it has one");
  run->add_flag("--keep", options.keep, "Keep each run's device data, ground truth and world files (their folder is reported)");
  run->add_option("--report-dir", options.report_directory, "Where junit.xml, report.json, report.html and history.jsonl go")
      ->capture_default_str();
  return run;
}

int run_run_command(const RunCommandOptions& options, const std::string& command_line) {
  std::vector<Scenario> scenarios;
  bool bad = false;
  for (const auto& path : options.paths) {
    auto files = conformance::scenario_files(path);
    if (!files) {
      std::cerr << "camrig run: " << files.error().message << "\n";
      bad = true;
      continue;
    }
    for (const auto& file : *files) {
      auto scenario = conformance::load_scenario(file);
      if (!scenario) {
        std::cerr << "camrig run: " << scenario.error().message << "\n";
        bad = true;
        continue;
      }
      if (options.ci && scenario->ci_duration) scenario->duration = *scenario->ci_duration;
      scenarios.push_back(std::move(*scenario));
    }
  }
  if (bad) return 2;

  reports::RunReport run;
  run.started_at = utc_now();
  run.command = command_line;
  for (const auto& scenario : scenarios) run.scenarios.push_back(ScenarioRun::unplayed_report(scenario, options));
  say(fmt::format("camrig run: {} scenario(s), {}, {} at a time", scenarios.size(),
                  options.realtime ? "realtime" : "lockstep", options.jobs));

  // SIGINT and SIGTERM are taken by this thread alone (the workers inherit the mask): the first
  // ends the runs where they stand, a second quits at once.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::stop_source interrupt;
  std::atomic<std::size_t> next = 0;
  std::atomic<int> running = std::min<int>(options.jobs, static_cast<int>(scenarios.size()));
  std::vector<char> played(scenarios.size(), 0);
  std::vector<std::thread> workers;
  for (int i = 0; i < running; ++i) {
    workers.emplace_back([&] {
      for (std::size_t index = next++; index < scenarios.size() && !interrupt.stop_requested(); index = next++) {
        run.scenarios[index] = ScenarioRun(scenarios[index], options, static_cast<int>(index), interrupt.get_token()).run();
        played[index] = 1;
      }
      --running;
    });
  }
  int signal_number = 0;
  while (running > 0) {
    const timespec poll{0, 100'000'000};
    const int caught = ::sigtimedwait(&signals, nullptr, &poll);
    if (caught <= 0) continue;
    if (interrupt.stop_requested()) {
      say("camrig run: stopped at once; no report written");
      std::_Exit(128 + caught);
    }
    signal_number = caught;
    say(fmt::format("camrig run: {}: ending the runs and writing the report ({} again to quit at once)",
                    caught == SIGINT ? "interrupted" : "terminated", caught == SIGINT ? "Ctrl-C" : "a signal"));
    interrupt.request_stop();
  }
  for (auto& worker : workers) worker.join();
  if (signal_number != 0) {
    run.interrupted = caught_name(signal_number);
    for (std::size_t i = 0; i < scenarios.size(); ++i)
      if (!played[i]) run.scenarios[i].error = "not run: the run was " + run.interrupted;
  }

  const std::filesystem::path directory(options.report_directory);
  if (auto written = reports::write_reports(run, directory); !written) {
    std::cerr << "camrig run: " << written.error().message << "\n";
    return 2;
  }
  int failed = 0;
  for (const auto& scenario : run.scenarios) failed += scenario.passed() ? 0 : 1;
  say(fmt::format("{}: {} of {} scenario(s) passed. Report: {} (also junit.xml, report.json{} there)",
                  signal_number != 0 ? "INTERRUPTED" : failed == 0 ? "PASSED" : "FAILED",
                  scenarios.size() - static_cast<std::size_t>(failed), scenarios.size(), (directory / "report.html").string(),
                  signal_number != 0 ? "; history.jsonl left as it was" : ", history.jsonl"));
  if (signal_number != 0) return 128 + signal_number;
  return failed == 0 ? 0 : 1;
}

}  // namespace camrig::app
