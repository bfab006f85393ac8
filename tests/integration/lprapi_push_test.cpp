// LPRAPI push end to end: plate reads through the LPR service and the event engine to a recording
// platform server behind the network fault proxy, with Digest authentication (MD5 and SHA-256)
// checked by the server. The link is cut while vehicles pass, the camera restarts with messages
// waiting on its memory card, and the server answers garbage or hangs: every vehicle arrives once,
// in order, and recognition never waits for the server.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/core/realtime_clock.hpp"
#include "device/security/authenticator.hpp"
#include "device/security/user_accounts.hpp"
#include "device/traffic/lprapi_service.hpp"
#include "sim/network/fault_proxy.hpp"
#include "sim/sd_card_model.hpp"
#include "tests/support/lpr_service_rig.hpp"

namespace camrig::traffic {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* k_user = "platform";
constexpr const char* k_password = "Platform-pass1";
constexpr const char* k_realm = "lpr-platform";
constexpr const char* k_nonce = "5f1c0a9e2b7d4c31";

//! What the platform does with a request.
enum class Behaviour { answer, garbage, hang };

//! A platform server that demands Digest, checks it with the known password and records every
//! authenticated request it accepts. As lprapi.md asks of a platform, a vehicle message whose
//! sequence it has already taken (sent again because the answer was lost) is answered and counted,
//! not recorded twice; a sequence that skips one is counted as a gap (a lost vehicle).
class PlatformServer {
 public:
  struct Request {
    std::string path;
    nlohmann::json body;
  };

  explicit PlatformServer(security::DigestAlgorithm algorithm) : algorithm_(algorithm) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~PlatformServer() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_behaviour(Behaviour behaviour) { behaviour_ = behaviour; }

  std::vector<Request> vehicles() const {
    std::lock_guard lock(mutex_);
    std::vector<Request> found;
    for (const auto& request : requests_)
      if (request.path == "/FunctionInterface/VehicleInfo") found.push_back(request);
    return found;
  }
  std::size_t heartbeats() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(), [](const Request& r) {
      return r.path == "/FunctionInterface/KeepAlive";
    }));
  }
  int refused_logins() const { return refused_logins_; }
  int repeats() const { return repeats_; }
  int gaps() const { return gaps_; }
  bool wait_for_vehicles(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      return std::count_if(requests_.begin(), requests_.end(),
                           [](const Request& r) { return r.path == "/FunctionInterface/VehicleInfo"; }) >= static_cast<long>(count);
    });
  }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket socket, PlatformServer& owner) : stream(std::move(socket)), server(owner) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    PlatformServer& server;

    void start() {
      auto self = shared_from_this();
      http::async_read(stream, buffer, request, [self](beast::error_code ec, std::size_t) {
        if (!ec) self->server.handle(self);
      });
    }
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), *this)->start();
      accept();
    });
  }

  bool authorized(const http::request<http::string_body>& request) const {
    const auto value = std::string(request[http::field::authorization]);
    if (value.rfind("Digest ", 0) != 0) return false;
    const auto fields = security::parse_digest_parameters(std::string_view(value).substr(7));
    if (!fields) return false;
    auto field = [&](const char* name) { return fields->contains(name) ? fields->at(name) : std::string(); };
    const auto ha1 = security::digest_hex(algorithm_, std::string(k_user) + ":" + k_realm + ":" + k_password);
    const auto expected = security::digest_response(algorithm_, ha1, "POST", field("uri"), k_nonce, field("nc"),
                                                    field("cnonce"), field("qop"));
    return field("username") == k_user && field("nonce") == k_nonce && field("uri") == std::string(request.target()) &&
           field("response") == expected;
  }

  void handle(const std::shared_ptr<Session>& session) {
    const auto behaviour = behaviour_.load();
    if (behaviour == Behaviour::hang) {
      held_.push_back(session);  // read, never answered
      return;
    }
    if (behaviour == Behaviour::garbage) {
      auto text = std::make_shared<std::string>("this is not HTTP\r\n\r\n");
      net::async_write(session->stream.socket(), net::buffer(*text), [session, text](beast::error_code, std::size_t) {
        beast::error_code ignored;
        session->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
      return;
    }
    auto& request = session->request;
    auto& response = session->response;
    response.version(11);
    response.keep_alive(false);
    if (!authorized(request)) {
      if (request.count(http::field::authorization)) ++refused_logins_;
      response.result(http::status::unauthorized);
      response.set(http::field::www_authenticate,
                   std::string("Digest realm=\"") + k_realm + "\", qop=\"auth\", nonce=\"" + k_nonce + "\", algorithm=" +
                       (algorithm_ == security::DigestAlgorithm::sha256 ? "SHA-256" : "MD5"));
    } else if (request[http::field::content_type] != "application/json; charset=UTF-8") {
      response.result(http::status::unsupported_media_type);
    } else {
      {
        std::lock_guard lock(mutex_);
        Request received{std::string(request.target()), nlohmann::json::parse(request.body(), nullptr, false)};
        if (received.path != "/FunctionInterface/VehicleInfo") {
          requests_.push_back(std::move(received));
        } else if (const auto sequence = received.body.value("sequence", 0); sequence <= last_sequence_) {
          ++repeats_;
        } else {
          if (sequence != last_sequence_ + 1) ++gaps_;
          last_sequence_ = sequence;
          requests_.push_back(std::move(received));
        }
      }
      changed_.notify_all();
      response.result(http::status::ok);
      response.set(http::field::content_type, "application/json; charset=UTF-8");
      response.body() = R"({"result":"ok"})";
    }
    response.prepare_payload();
    http::async_write(session->stream, response, [session](beast::error_code, std::size_t) {
      beast::error_code ignored;
      session->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  security::DigestAlgorithm algorithm_;
  net::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::atomic<Behaviour> behaviour_{Behaviour::answer};
  std::atomic<int> refused_logins_{0};
  std::atomic<int> repeats_{0};
  std::atomic<int> gaps_{0};
  int last_sequence_ = 0;  // under mutex_
  std::vector<std::shared_ptr<Session>> held_;  // io thread only
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Request> requests_;
};

class LprApiPushTest : public ::testing::Test {
 protected:
  void SetUp() override { start_camera(security::DigestAlgorithm::md5); }

  void start_camera(security::DigestAlgorithm algorithm) {
    server = std::make_unique<PlatformServer>(algorithm);
    sim::FaultProxyOptions proxy_options;
    proxy_options.target_port = server->port();
    proxy = std::make_unique<sim::FaultProxy>(proxy_options);
    ASSERT_TRUE(proxy->start());

    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"traffic.capture.mode", "video"},
             {"traffic.capture.same_plate_delay", "0"},
             {"lprapi.server", "http://127.0.0.1:" + std::to_string(proxy->port())},
             {"lprapi.authentication", "true"},
             {"lprapi.username", k_user},
             {"lprapi.password", k_password},
             {"lprapi.device_id", "cam-1"},
             {"lprapi.keep_alive_interval", "60"},
             {"lprapi.request_timeout", "1"},
             {"lprapi.enabled", "true"}})
      ASSERT_TRUE(config->set_text(key, value)) << key;
    start_push();
  }

  void start_push() {
    LprApiParts parts;
    parts.clock = &clock;
    parts.config = config;
    parts.card = &card;
    parts.vehicle = [this](const events::Event& event) { return lpr->vehicle_of(event); };
    parts.bus = &rig.bus;
    push = std::make_unique<LprApiService>(parts, LprApiOptions{std::chrono::milliseconds(100), std::chrono::milliseconds(400)});
    push->start();
  }

  void TearDown() override {
    push.reset();
    proxy.reset();
    server.reset();
  }

  //! A vehicle passes; true if the service had reported it before submit() returned.
  bool pass(const std::string& plate) {
    rig.pass(plate);
    const auto found = rig.vehicles();
    return !found.empty() && found.back().read.plate == plate;
  }

  std::vector<std::string> delivered_plates() const {
    std::vector<std::string> plates_seen;
    for (const auto& request : server->vehicles()) plates_seen.push_back(request.body["lprInfo"]["plateNumber"]);
    return plates_seen;
  }

  core::RealtimeClock clock{hal::WallTime{std::chrono::seconds(1709294400)}};
  // The LPR settings follow the config: changes are published on the rig's bus.
  test::LprServiceRig rig{clock, [] {
                            test::LprServiceRigOptions options;
                            options.publish_config = true;
                            return options;
                          }()};
  core::ConfigService* config = rig.config.get();
  LprService* lpr = rig.service.get();
  sim::SdCardModel card{clock, sim::SdCardOptions{.write_bytes_per_second = 0}};
  std::unique_ptr<PlatformServer> server;
  std::unique_ptr<sim::FaultProxy> proxy;
  std::unique_ptr<LprApiService> push;
};

TEST_F(LprApiPushTest, VehiclesPassedWhileTheLinkIsCutArriveOnceInOrder) {
  ASSERT_TRUE(pass("AAA111"));
  ASSERT_TRUE(server->wait_for_vehicles(1, 10s));
  EXPECT_GE(server->heartbeats(), 1u);

  proxy->partition_for(1500ms);
  for (const auto* plate : {"BBB222", "CCC333", "DDD444"}) EXPECT_TRUE(pass(plate)) << "recognition waited for the platform";

  ASSERT_TRUE(server->wait_for_vehicles(4, 15s)) << push->stats().last_error;
  EXPECT_EQ(delivered_plates(), (std::vector<std::string>{"AAA111", "BBB222", "CCC333", "DDD444"}));
  const auto vehicles = server->vehicles();
  for (std::size_t i = 0; i < vehicles.size(); ++i) {
    EXPECT_EQ(vehicles[i].body["sequence"], i + 1);
    EXPECT_EQ(vehicles[i].body["deviceId"], "cam-1");
    EXPECT_EQ(vehicles[i].body["protocolVersion"], "V1.00");
    EXPECT_DOUBLE_EQ(vehicles[i].body["lprInfo"]["accuracy"].get<double>(), 0.9);
  }
  EXPECT_EQ(server->gaps(), 0);
  // The answer to the message in flight when the link went down may have been lost: that one
  // message may arrive again, never an older or a newer one out of turn.
  EXPECT_LE(server->repeats(), 1);
  // Stopping waits for the answer in flight; then the card holds nothing undelivered.
  push.reset();
  EXPECT_TRUE(card.list("lprapi/queue").empty());
}

TEST_F(LprApiPushTest, MessagesWaitingOnTheCardAreDeliveredAfterARestart) {
  server->set_behaviour(Behaviour::hang);
  for (const auto* plate : {"EEE555", "FFF666", "GGG777"}) EXPECT_TRUE(pass(plate));
  push.reset();  // the camera goes down with the messages on its card
  EXPECT_EQ(card.list("lprapi/queue").size(), 3u);
  EXPECT_TRUE(server->vehicles().empty());

  server->set_behaviour(Behaviour::answer);
  start_push();
  ASSERT_TRUE(pass("HHH888"));
  ASSERT_TRUE(server->wait_for_vehicles(4, 15s)) << push->stats().last_error;
  EXPECT_EQ(delivered_plates(), (std::vector<std::string>{"EEE555", "FFF666", "GGG777", "HHH888"}));
  EXPECT_EQ(server->vehicles().back().body["sequence"], 4);
  EXPECT_EQ(server->gaps(), 0);
}

TEST_F(LprApiPushTest, GarbageAndSilenceAreRetriedWithoutLosingOrRepeatingAVehicle) {
  server->set_behaviour(Behaviour::garbage);
  EXPECT_TRUE(pass("JJJ111"));
  EXPECT_TRUE(pass("KKK222"));
  server->set_behaviour(Behaviour::hang);
  EXPECT_TRUE(pass("LLL333"));
  server->set_behaviour(Behaviour::answer);
  ASSERT_TRUE(server->wait_for_vehicles(3, 15s)) << push->stats().last_error;
  EXPECT_EQ(delivered_plates(), (std::vector<std::string>{"JJJ111", "KKK222", "LLL333"}));
  EXPECT_EQ(server->gaps(), 0);
  EXPECT_EQ(server->repeats(), 0);
}

class LprApiSha256Test : public LprApiPushTest {
 protected:
  void SetUp() override { start_camera(security::DigestAlgorithm::sha256); }
};

TEST_F(LprApiSha256Test, Sha256DigestIsAnsweredAndAWrongPasswordDeliversNothing) {
  ASSERT_TRUE(pass("MMM444"));
  ASSERT_TRUE(server->wait_for_vehicles(1, 10s)) << push->stats().last_error;

  ASSERT_TRUE(config->set_text("lprapi.password", "wrong-password"));
  ASSERT_TRUE(pass("NNN555"));
  EXPECT_FALSE(server->wait_for_vehicles(2, 1500ms));
  EXPECT_GT(server->refused_logins(), 0);
  EXPECT_NE(push->stats().last_error.find("401"), std::string::npos) << push->stats().last_error;

  ASSERT_TRUE(config->set_text("lprapi.password", k_password));
  ASSERT_TRUE(server->wait_for_vehicles(2, 10s)) << push->stats().last_error;
  EXPECT_EQ(delivered_plates(), (std::vector<std::string>{"MMM444", "NNN555"}));
}

}  // namespace
}  // namespace camrig::traffic
