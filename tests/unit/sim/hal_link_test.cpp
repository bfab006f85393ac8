// The HAL link across two real processes: this test is the world, a forked child is the camera.
// The child reports what it saw as text lines on a pipe; the world checks them and its own devices.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
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
#include "sim/ptz_motor_model.hpp"
#include "sim/sd_card_model.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "sim/virtual_serial_port.hpp"
#include "sim/virtual_wiegand.hpp"
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

// A connection to the world's socket without the link's client, for cameras that send broken messages.
int connect_raw(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  ::close(fd);
  return -1;
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
    const int fd = connect_raw(path);
    if (fd < 0) return 2;
    const hal_link::Header header{hal_link::MessageType::request, 0, 1, static_cast<std::int64_t>(hal_link::Operation::relay_set), 8};
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

// A picture of a few hundred KB, as the LPR camera stores them: byte i is i * 7 mod 251.
std::vector<std::uint8_t> picture_bytes(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 % 251);
  return bytes;
}

std::string outcome(const Result<void>& result) {
  return result ? "ok" : std::to_string(static_cast<int>(result.error().code)) + " " + result.error().message;
}

TEST_F(HalLinkTest, TheCameraStoresReadsListsAndRemovesFilesOnTheWorldsCard) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* card = (*link)->memory_card();
    if (!card || (*link)->wiegand() || !(*link)->serial_ports().empty() || !(*link)->ptz_heads().empty()) return 3;
    const auto picture = picture_bytes(300 * 1024 + 17);
    if (!card->write("pictures/a.jpg", picture, false)) return 4;
    const std::vector<std::uint8_t> part1{1, 2, 3}, part2{4, 5};
    if (!card->write("pictures/b.bin", part1, false) || !card->write("pictures/b.bin", part2, true)) return 5;
    if (!card->write("outbox/0001", part1, false)) return 6;
    auto read = card->read("pictures/a.jpg");
    if (!read || *read != picture) return 7;
    std::fprintf(out, "read %zu\n", read->size());
    for (const auto& entry : card->list("pictures"))
      std::fprintf(out, "entry %s %llu\n", entry.path.c_str(), static_cast<unsigned long long>(entry.size_bytes));
    if (!card->remove("outbox/0001")) return 8;
    auto gone = card->read("outbox/0001");
    const auto status = card->status();
    std::fprintf(out, "after remove: %s|%d %llu\n", gone ? "still there" : gone.error().message.c_str(),
                 static_cast<int>(status.state), static_cast<unsigned long long>(status.capacity_bytes));
    return 0;
  });
  test::LockstepTestClock clock;
  SdCardModel card(clock, {.capacity_bytes = 1ull << 30, .write_bytes_per_second = 0});
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr, {}, &card});
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(camera.line(), "read 307217");
  EXPECT_EQ(camera.line(), "entry pictures/a.jpg 307217");
  EXPECT_EQ(camera.line(), "entry pictures/b.bin 5");
  const auto removed = camera.line();
  EXPECT_EQ(removed, "after remove: " + card.read("outbox/0001").error().message + "|" +
                         std::to_string(static_cast<int>(hal::MediumState::ready)) + " 1073741824");
  EXPECT_EQ(camera.wait(), 0);
  // What the camera wrote is on the world's card, byte for byte.
  auto stored = card.read("pictures/a.jpg");
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, picture_bytes(300 * 1024 + 17));
  EXPECT_EQ(card.read("pictures/b.bin").value(), (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(card.list("").size(), 2u);
}

TEST_F(HalLinkTest, CardFaultsInjectedInTheWorldReachTheCameraAsTheSameErrors) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE* in) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* card = (*link)->memory_card();
    if (!card) return 3;
    const std::vector<std::uint8_t> bytes{9, 9, 9};
    for (int fault = 0; fault < 3; ++fault) {
      wait_line(in);  // the world has injected the next fault
      std::fprintf(out, "%s|%d\n", outcome(card->write("pictures/x.jpg", bytes, false)).c_str(),
                   static_cast<int>(card->status().state));
    }
    return 0;
  });
  test::LockstepTestClock clock;
  SdCardModel card(clock, {.capacity_bytes = 1ull << 30, .write_bytes_per_second = 0});
  SdCardModel reference(clock, {.capacity_bytes = 1ull << 30, .write_bytes_per_second = 0});
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr, {}, &card});
  ASSERT_TRUE(server) << server.error().message;
  const std::vector<std::uint8_t> bytes{9, 9, 9};
  // Each fault on a second card of the same model says what error the camera must see.
  const std::vector<std::function<void(SdCardModel&)>> faults = {
      [](SdCardModel& c) { c.fail_next_writes(1); }, [](SdCardModel& c) { c.set_read_only(true); },
      [](SdCardModel& c) { c.eject(); }};
  for (const auto& fault : faults) {
    fault(card);
    fault(reference);
    const auto expected = outcome(reference.write("pictures/x.jpg", bytes, false));
    ASSERT_NE(expected, "ok");
    camera.tell("go");
    EXPECT_EQ(camera.line(), expected + "|" + std::to_string(static_cast<int>(reference.status().state)));
  }
  EXPECT_EQ(camera.wait(), 0);
  card.insert();
  EXPECT_TRUE(card.list("").empty());  // no write got through
}

TEST_F(HalLinkTest, ACameraDyingMidPayloadStoresNothingAndTheNextOneUsesTheCard) {
  const std::string path = socket_path;
  CameraProcess half([path](FILE*, FILE* in) {
    wait_line(in);
    const int fd = connect_raw(path);
    if (fd < 0) return 2;
    // A 100 KB write of which 5 KB arrive.
    const auto args = hal_link::PayloadWriter().integer(0).text("pictures/cut.jpg").take();
    const hal_link::Header header{hal_link::MessageType::request, 0, 1, static_cast<std::int64_t>(hal_link::Operation::card_write),
                                  args.size() + 100'000};
    const std::vector<std::uint8_t> some(5000, 0xAB);
    if (::write(fd, &header, sizeof header) < 0 || ::write(fd, args.data(), args.size()) < 0 ||
        ::write(fd, some.data(), some.size()) < 0)
      return 3;
    return 0;
  });
  CameraProcess next([path](FILE* out, FILE* in) {
    wait_line(in);
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    const std::vector<std::uint8_t> bytes{1, 2};
    std::fprintf(out, "%s\n", outcome((*link)->memory_card()->write("pictures/whole.jpg", bytes, false)).c_str());
    return 0;
  });
  test::LockstepTestClock clock;
  SdCardModel card(clock, {.capacity_bytes = 1ull << 30, .write_bytes_per_second = 0});
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr, {}, &card});
  ASSERT_TRUE(server) << server.error().message;
  half.tell("go");
  EXPECT_EQ(half.wait(), 0);
  ASSERT_TRUE((*server)->wait_connections(1, 10s));
  next.tell("go");
  EXPECT_EQ(next.line(), "ok");
  EXPECT_EQ(next.wait(), 0);
  const auto files = card.list("");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "pictures/whole.jpg");
  EXPECT_EQ((*server)->connections(), 2);
}

TEST_F(HalLinkTest, AWiegandFrameIsRecordedByTheWorldsPortAtTheWorldsTime) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE* in) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* wiegand = (*link)->wiegand();
    if (!wiegand || (*link)->memory_card()) return 3;
    hal::WiegandFrame frame;
    for (int i = 0; i < 26; ++i) frame.bits.push_back(i % 3 == 0);
    std::fprintf(out, "%s\n", outcome(wiegand->send(frame)).c_str());
    wait_line(in);  // the world has cut the cable
    std::fprintf(out, "%s\n", outcome(wiegand->send(frame)).c_str());
    return 0;
  });
  test::LockstepTestClock clock;
  clock.advance_to(2500ms);
  VirtualWiegand wiegand(clock);
  auto server = HalLinkServer::start(socket_path, {&clock, {}, nullptr, nullptr, {}, nullptr, &wiegand});
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(camera.line(), "ok");
  ASSERT_TRUE(wiegand.wait_for_frames(1, 10s));
  const auto frames = wiegand.frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].at, hal::Nanos(2500ms));
  ASSERT_EQ(frames[0].frame.bits.size(), 26u);
  for (int i = 0; i < 26; ++i) EXPECT_EQ(frames[0].frame.bits[static_cast<std::size_t>(i)], i % 3 == 0) << i;
  wiegand.set_connected(false);
  const auto refused = outcome(wiegand.send(frames[0].frame));
  camera.tell("go");
  EXPECT_EQ(camera.line(), refused);
  EXPECT_EQ(camera.wait(), 0);
  EXPECT_EQ(wiegand.frames().size(), 1u);
}

TEST_F(HalLinkTest, APtzMoveStartedByACameraThatDiesIsCompletedByTheWorldsMotor) {
  const std::string path = socket_path;
  // The first camera starts a move and dies at once; the next one finds the head where the move ended.
  CameraProcess mover([path](FILE* out, FILE* in) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    const auto heads = (*link)->ptz_heads();
    if (heads.size() != 1 || !heads.count(2)) return 3;
    auto& head = heads.at(2);
    const auto limits = head.motor->limits();
    std::fprintf(out, "%g %g %g %g %d\n", head.horizontal_fov_degrees, limits.tilt_min, limits.zoom_max,
                 limits.max_speed.pan_degrees_per_second, limits.endless_pan ? 1 : 0);
    const auto bad = head.motor->move_to({std::nan(""), 0, 1}, {});
    std::fprintf(out, "%s\n", outcome(bad).c_str());
    if (!head.motor->move_to({90, -30, 4}, {})) return 4;
    std::fprintf(out, "moving %d\n", head.motor->moving() ? 1 : 0);
    wait_line(in);  // killed here
    return 0;
  });
  CameraProcess next([path](FILE* out, FILE* in) {
    wait_line(in);
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto* motor = (*link)->ptz_heads().at(2).motor;
    const auto at = motor->position();
    std::fprintf(out, "%.3f %.3f %.3f %d\n", at.pan_degrees, at.tilt_degrees, at.zoom, motor->moving() ? 1 : 0);
    if (!motor->move_continuous({-20, 0, 0})) return 3;
    std::fprintf(out, "panning\n");
    wait_line(in);  // the world has moved on by a second
    motor->stop();
    std::fprintf(out, "stopped\n");
    wait_line(in);  // and by another
    std::fprintf(out, "%d %.3f\n", motor->moving() ? 1 : 0, motor->position().pan_degrees);
    return 0;
  });
  test::LockstepTestClock clock;
  PtzMotorOptions options;
  options.horizontal_fov_degrees = 58;
  PtzMotorModel motor(clock, options);
  HalLinkDevices devices{&clock, {}, nullptr, nullptr};
  devices.ptz_heads[2] = {&motor, 58, 16.0 / 9.0};
  auto server = HalLinkServer::start(socket_path, devices);
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(mover.line(), "58 -90 30 120 1");
  EXPECT_EQ(mover.line(), outcome(motor.move_to({std::nan(""), 0, 1}, {})));
  EXPECT_EQ(mover.line(), "moving 1");
  EXPECT_TRUE(motor.moving());
  mover.kill();
  EXPECT_EQ(mover.wait(), -SIGKILL);
  clock.advance_to(5s);  // the move takes under 2 s
  EXPECT_FALSE(motor.moving());
  next.tell("go");
  EXPECT_EQ(next.line(), "90.000 -30.000 4.000 0");
  ASSERT_TRUE((*server)->wait_connections(2, 10s));
  EXPECT_EQ(next.line(), "panning");
  clock.advance_to(6s);
  EXPECT_TRUE(motor.moving());
  const double panned = motor.position().pan_degrees;
  EXPECT_LT(panned, 80);
  next.tell("go");
  EXPECT_EQ(next.line(), "stopped");
  clock.advance_to(7s);  // braking from 20°/s takes a tenth of a second
  next.tell("go");
  std::istringstream report(next.line());
  int moving = -1;
  double pan = -1;
  report >> moving >> pan;
  EXPECT_EQ(moving, 0);
  EXPECT_NEAR(pan, motor.position().pan_degrees, 1e-3);
  EXPECT_LT(pan, panned);
  EXPECT_EQ(next.wait(), 0);
}

TEST_F(HalLinkTest, SerialBytesPassBothWaysAndAReadWaitsForItsTimeout) {
  const std::string path = socket_path;
  CameraProcess camera([path](FILE* out, FILE*) {
    auto link = HalLinkClient::connect(path, 10s);
    if (!link) return 2;
    auto ports = (*link)->serial_ports();
    if (ports.size() != 1 || !ports.count(1)) return 3;
    auto* port = ports.at(1);
    hal::SerialSettings settings;
    settings.baud_rate = 19200;
    settings.parity = hal::SerialSettings::Parity::even;
    if (!port->configure(settings)) return 4;
    std::uint8_t buffer[64];
    const auto started = std::chrono::steady_clock::now();
    auto nothing = port->read(buffer, 150ms);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    const std::string ping = "ping";
    auto written = port->write({reinterpret_cast<const std::uint8_t*>(ping.data()), ping.size()});
    auto got = port->read(buffer, 10s);
    if (!nothing || !written || !got) return 5;
    std::fprintf(out, "%zu %d %zu %s\n", *nothing, waited >= 150ms ? 1 : 0, *written,
                 std::string(reinterpret_cast<const char*>(buffer), *got).c_str());
    return 0;
  });
  test::LockstepTestClock clock;
  VirtualSerialPort port;
  hal::SerialSettings settings;
  settings.baud_rate = 19200;
  settings.parity = hal::SerialSettings::Parity::even;
  port.peer_configure(settings);
  HalLinkDevices devices{&clock, {}, nullptr, nullptr};
  devices.serial_ports[1] = &port;
  auto server = HalLinkServer::start(socket_path, devices);
  ASSERT_TRUE(server) << server.error().message;
  const auto received = port.peer_read(10s);
  EXPECT_EQ(std::string(received.begin(), received.end()), "ping");
  ASSERT_TRUE(port.device_settings());
  EXPECT_EQ(port.device_settings()->baud_rate, 19200);
  EXPECT_EQ(port.device_settings()->parity, hal::SerialSettings::Parity::even);
  const std::string pong = "pong";
  port.peer_write({reinterpret_cast<const std::uint8_t*>(pong.data()), pong.size()});
  EXPECT_EQ(camera.line(), "0 1 4 pong");
  EXPECT_EQ(camera.wait(), 0);
  EXPECT_EQ(port.framing_errors(), 0u);
}

}  // namespace
}  // namespace camrig::sim
