// The HAL link across two real processes: this test is the world, a forked child is the camera.
// The child reports what it saw as text lines on a pipe; the world checks them and its own devices.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <cstring>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "device/core/realtime_clock.hpp"
#include "sim/hal_link/hal_link_client.hpp"
#include "sim/hal_link/hal_link_protocol.hpp"
#include "sim/hal_link/hal_link_server.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;

// Frame n is due at n / 25 s: it waits for the world's clock to get there, and its luma is n.
class CountingSource final : public hal::VideoSource {
 public:
  CountingSource(hal::Clock& clock, int width, int height) : clock_(clock), format_{width, height, {25, 1}} {}
  hal::VideoFormat format() const override { return format_; }
  hal::VideoFramePtr read(std::stop_token stop) override {
    const hal::Nanos due = next_.load() * 40ms;
    if (!clock_.sleep_until(due, stop)) return nullptr;
    auto frame = std::make_shared<hal::VideoFrame>(format_.width, format_.height);
    std::memset(frame->plane(0), static_cast<int>(next_.load() % 256), frame->size_bytes());
    frame->timestamp = due;
    frame->sequence = next_++;
    return frame;
  }
  std::uint64_t produced() const { return next_; }

 private:
  hal::Clock& clock_;
  hal::VideoFormat format_;
  std::atomic<std::uint64_t> next_ = 0;
};

// A camera process: runs `body` in a forked child, which writes report lines to `out` and may wait
// for a go-ahead line from the world on `in`. Forked before the world starts its threads.
class CameraProcess {
 public:
  explicit CameraProcess(std::function<int(FILE* out, FILE* in)> body) {
    int to_parent[2], to_child[2];
    if (::pipe(to_parent) != 0 || ::pipe(to_child) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(to_parent[0]);
      ::close(to_child[1]);
      FILE* out = ::fdopen(to_parent[1], "w");
      FILE* in = ::fdopen(to_child[0], "r");
      std::setvbuf(out, nullptr, _IOLBF, 0);
      const int code = body(out, in);
      std::fflush(out);
      ::_exit(code);
    }
    ::close(to_parent[1]);
    ::close(to_child[0]);
    from_child_ = ::fdopen(to_parent[0], "r");
    to_child_ = ::fdopen(to_child[1], "w");
  }
  ~CameraProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (from_child_) std::fclose(from_child_);
    if (to_child_) std::fclose(to_child_);
  }
  //! The child's next report line, or "" once it has closed its end.
  std::string line() {
    char buffer[512];
    if (!std::fgets(buffer, sizeof buffer, from_child_)) return {};
    std::string text(buffer);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  void tell(const std::string& text) {
    std::fprintf(to_child_, "%s\n", text.c_str());
    std::fflush(to_child_);
  }
  void kill() { ::kill(pid_, SIGKILL); }
  //! The exit code, or -signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  FILE* from_child_ = nullptr;
  FILE* to_child_ = nullptr;
};

std::string wait_line(FILE* in) {
  char buffer[128];
  return std::fgets(buffer, sizeof buffer, in) ? std::string(buffer) : std::string();
}

class HalLinkTest : public ::testing::Test {
 protected:
  std::string socket_path = (std::filesystem::temp_directory_path() /
                             ("camrig-hal-link-" + std::to_string(::getpid()) + ".sock")).string();
};

TEST_F(HalLinkTest, FramesArriveInOrderWithTheirTimestampsSequencesAndPixels) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto sources = (*link)->video_sources();
    if (sources.size() != 1 || !sources.count(1) || sources[1]->format().width != 64) return 3;
    std::stop_source never;
    for (int i = 0; i < 10; ++i) {
      auto frame = sources[1]->read(never.get_token());
      if (!frame) return 4;
      std::fprintf(out, "%llu %lld %d %d\n", static_cast<unsigned long long>(frame->sequence),
                   static_cast<long long>(frame->timestamp.count()), frame->plane(0)[0], frame->plane(2)[frame->size_bytes() / 6 - 1]);
      // The camera's clock stands where the world stood when it sent the frame: at least there.
      if ((*link)->clock().now() < frame->timestamp) return 5;
    }
    return 0;
  });
  test::LockstepTestClock clock;
  CountingSource source(clock, 64, 48);
  auto server = HalLinkServer::start(socket_path, {&clock, {{1, &source}}, nullptr, nullptr});
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_TRUE((*server)->wait_connections(1, 10s));
  // Frames captured before the camera first asks (0, and 1 if the world moves before the request
  // arrives) go to nobody; from its first frame on it sees them all.
  clock.advance_to(20 * 40ms);
  long long first = -1;
  for (int i = 0; i < 10; ++i) {
    std::istringstream report(camera.line());
    long long sequence = -1, timestamp = -1;
    int luma = -1, chroma = -1;
    report >> sequence >> timestamp >> luma >> chroma;
    if (i == 0) first = sequence;
    EXPECT_EQ(sequence, first + i);
    EXPECT_EQ(timestamp, hal::Nanos(sequence * 40ms).count());
    EXPECT_EQ(luma, sequence);
    EXPECT_EQ(chroma, sequence);
  }
  EXPECT_GE(first, 0);
  EXPECT_LE(first, 2);
  EXPECT_EQ(camera.wait(), 0);
}

TEST_F(HalLinkTest, LockstepCameraClockNeverPassesTheTimeTheWorldGranted) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE* in) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto& clock = (*link)->clock();
    // A camera timer fires only when the world's time reaches it.
    std::atomic<long long> fired_at = -1;
    clock.call_at(700ms, [&] { fired_at = clock.now().count(); });
    std::stop_source never;
    clock.sleep_until(500ms, never.get_token());
    std::fprintf(out, "%lld %lld\n", static_cast<long long>(clock.now().count()), fired_at.load());
    wait_line(in);  // the world has moved to 2 s
    clock.sleep_until(1500ms, never.get_token());
    std::fprintf(out, "%lld %lld\n", static_cast<long long>(clock.now().count()), fired_at.load());
    return 0;
  });
  test::LockstepTestClock clock;
  // Every move of a lockstep world reaches the camera, so it sees the world exactly where it stands.
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr}, {hal::Nanos(1)});
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_TRUE((*server)->wait_connections(1, 10s));
  clock.advance_to(505ms);
  std::istringstream first(camera.line());
  long long now = 0, fired = 0;
  first >> now >> fired;
  EXPECT_EQ(now, hal::Nanos(505ms).count());  // not a nanosecond beyond the world
  EXPECT_EQ(fired, -1);
  clock.advance_to(2s);
  camera.tell("go");
  std::istringstream second(camera.line());
  second >> now >> fired;
  EXPECT_GE(now, hal::Nanos(1500ms).count());
  EXPECT_LE(now, hal::Nanos(2s).count());
  EXPECT_GE(fired, hal::Nanos(700ms).count());
  EXPECT_LE(fired, hal::Nanos(2s).count());
  EXPECT_EQ(camera.wait(), 0);
}

TEST_F(HalLinkTest, RealtimeCameraClockFollowsTheWorldsAndStaysBehindIt) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    std::stop_source never;
    (*link)->clock().sleep_until(300ms, never.get_token());
    std::fprintf(out, "%lld %lld\n", static_cast<long long>((*link)->clock().now().count()),
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                            (*link)->clock().wall_time().time_since_epoch()).count()));
    return 0;
  });
  core::RealtimeClock clock(hal::WallTime{std::chrono::seconds(1767254400)});  // 2026-01-01T08:00:00Z
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr});
  ASSERT_TRUE(server) << server.error().message;
  std::istringstream report(camera.line());
  long long now = 0, wall = 0;
  report >> now >> wall;
  EXPECT_GE(now, hal::Nanos(300ms).count());
  EXPECT_LE(now, clock.now().count());
  EXPECT_EQ(wall, 1767254400);
  EXPECT_EQ(camera.wait(), 0);
}

TEST_F(HalLinkTest, RelaySetByTheCameraDrivesTheWorldsRelay) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* relays = (*link)->relays();
    if (!relays || relays->count() != 2) return 3;
    auto closed = relays->set(1, true);
    auto bad = relays->set(5, true);
    std::fprintf(out, "%d %d %d|%s\n", closed ? 1 : 0, relays->closed(1) ? 1 : 0, bad ? 1 : 0,
                 bad ? "" : bad.error().message.c_str());
    return 0;
  });
  test::LockstepTestClock clock;
  clock.advance_to(3s);
  VirtualRelays relays(clock, 2);
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, &relays});
  ASSERT_TRUE(server) << server.error().message;
  const auto report = camera.line();
  EXPECT_EQ(report.substr(0, 6), "1 1 0|");
  EXPECT_NE(report.find("relay 6 does not exist"), std::string::npos) << report;
  EXPECT_TRUE(relays.closed(1));
  EXPECT_FALSE(relays.closed(0));
  ASSERT_EQ(relays.history().size(), 1u);
  EXPECT_EQ(relays.history()[0], (RelayChange{3s, 1, true}));
  EXPECT_EQ(camera.wait(), 0);
}

TEST_F(HalLinkTest, InputEdgeReachesTheCameraStampedWithTheWorldsTime) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* inputs = (*link)->inputs();
    if (!inputs || inputs->count() != 2) return 3;
    std::mutex mutex;
    std::condition_variable edge_seen;
    std::string edges;
    inputs->on_edge([&](int index, bool closed, hal::Nanos at) {
      std::lock_guard lock(mutex);
      edges += std::to_string(index) + " " + (closed ? "closed " : "open ") + std::to_string(at.count()) + " " +
               std::to_string((*link)->clock().now().count()) + ";";
      edge_seen.notify_all();
    });
    std::fprintf(out, "ready %d\n", inputs->closed(0) ? 1 : 0);
    std::unique_lock lock(mutex);
    if (!edge_seen.wait_for(lock, 10s, [&] { return !edges.empty(); })) return 4;
    std::fprintf(out, "%s %d\n", edges.c_str(), inputs->closed(0) ? 1 : 0);
    return 0;
  });
  test::LockstepTestClock clock;
  VirtualInputs inputs(clock, 2);
  auto server = HalLinkServer::start(socket_path, {&clock, {}, &inputs, nullptr});
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(camera.line(), "ready 0");
  clock.advance_to(1250ms);
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_EQ(camera.line(), "0 closed 1250000000 1250000000; 1");
  EXPECT_EQ(camera.wait(), 0);
}

TEST_F(HalLinkTest, WorldSurvivesACameraDyingMidMessageAndServesTheNextOne) {
  const std::string path = socket_path;
  // The first camera sends half a message and dies; the second dies (SIGKILL) while full-size
  // frames stream to it; the third finds the world going on: later frames, the relay as left.
  CameraProcess half([path](FILE*, FILE* in) {
    wait_line(in);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 2;
    const hal_link::Header header{hal_link::MessageType::relay_set, 0, 0, 1, 0};
    if (::write(fd, &header, sizeof header / 2) < 0) return 3;
    return 0;
  });
  CameraProcess streaming([path](FILE* out, FILE* in) {
    wait_line(in);
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    if (!(*link)->relays()->set(0, true)) return 3;
    std::stop_source never;
    for (;;) {
      auto frame = (*link)->video_sources().at(1)->read(never.get_token());
      if (!frame) return 4;
      std::fprintf(out, "%llu\n", static_cast<unsigned long long>(frame->sequence));
    }
  });
  CameraProcess next([path](FILE* out, FILE* in) {
    wait_line(in);
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    std::stop_source never;
    auto frame = (*link)->video_sources().at(1)->read(never.get_token());
    if (!frame) return 3;
    std::fprintf(out, "%llu %d\n", static_cast<unsigned long long>(frame->sequence), (*link)->relays()->closed(0) ? 1 : 0);
    return 0;
  });

  test::LockstepTestClock clock;
  CountingSource source(clock, 1920, 1080);
  VirtualRelays relays(clock, 2);
  auto server = HalLinkServer::start(socket_path, {&clock, {{1, &source}}, nullptr, &relays});
  ASSERT_TRUE(server) << server.error().message;

  half.tell("go");
  EXPECT_EQ(half.wait(), 0);
  ASSERT_TRUE((*server)->wait_connections(1, 10s));

  streaming.tell("go");
  clock.advance_to(10s);  // 250 frames due at once: the link is busy with them when the camera dies
  // In order; frame 0 may have been captured for nobody before this camera connected.
  long long previous = -1;
  for (int i = 0; i < 3; ++i) {
    const auto sequence = std::stoll("0" + streaming.line());
    EXPECT_GT(sequence, previous);
    previous = sequence;
  }
  streaming.kill();
  EXPECT_EQ(streaming.wait(), -SIGKILL);
  EXPECT_TRUE(relays.closed(0));

  // The world goes on without a camera: its sensor keeps capturing, for nobody, up to 20 s.
  clock.advance_to(20s);
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (source.produced() <= 500 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_GT(source.produced(), 500u);
  next.tell("go");
  ASSERT_TRUE((*server)->wait_connections(3, 10s));
  clock.advance_to(21s);
  std::istringstream report(next.line());
  long long sequence = -1;
  int relay = -1;
  report >> sequence >> relay;
  EXPECT_GT(sequence, 500);  // the next camera sees the world where it has got to
  EXPECT_EQ(relay, 1);
  EXPECT_EQ(next.wait(), 0);
  EXPECT_EQ((*server)->connections(), 3);
}

}  // namespace
}  // namespace camrig::sim
