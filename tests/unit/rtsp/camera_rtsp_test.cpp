// The RTSP service of a whole camera, as its configuration sets it up: Digest (MD5, SHA-256) and
// Basic per "RTSP Authentication" and "RTSP Digest Algorithm", the illegal login lock, the
// session limit, each stream's multicast group from the config service, and snapshots over ISAPI.
// Clients are ffprobe (Digest MD5 from the URL's credentials) and a raw client for the rest.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/security/authenticator.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/rtsp/raw_rtsp_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;
using rtsp::test::RawReply;
using rtsp::test::RawRtspClient;

constexpr const char* kPassword = "Camrig-test-1";

//! The challenge among `reply`'s WWW-Authenticate values that offers `algorithm` ("MD5", "SHA-256").
std::optional<std::map<std::string, std::string>> challenge_for(const RawReply& reply, const std::string& algorithm) {
  for (const auto& value : reply.all("www-authenticate")) {
    if (!value.starts_with("Digest ")) continue;
    auto parameters = security::parse_digest_parameters(std::string_view(value).substr(7));
    if (parameters && (*parameters)["algorithm"] == algorithm) return parameters;
  }
  return std::nullopt;
}

//! An Authorization header line answering `challenge` (RFC 7616, qop=auth). `algorithm` may
//! differ from the challenge's, to send credentials the server did not ask for.
std::string digest_authorization(const std::map<std::string, std::string>& challenge, security::DigestAlgorithm algorithm,
                                 const std::string& method, const std::string& uri, const std::string& password,
                                 int count = 1) {
  const auto& realm = challenge.at("realm");
  const auto& nonce = challenge.at("nonce");
  char nc[9];
  std::snprintf(nc, sizeof nc, "%08x", count);
  const std::string cnonce = "0a4f113b";
  const auto ha1 = security::digest_hex(algorithm, "admin:" + realm + ":" + password);
  const auto response = security::digest_response(algorithm, ha1, method, uri, nonce, nc, cnonce, "auth");
  return "Authorization: Digest username=\"admin\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri +
         "\", algorithm=" + std::string(security::to_string(algorithm)) + ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce +
         "\", response=\"" + response + "\"\r\n";
}

struct Probe {
  int exit_code = -1;
  std::string codec;
  int width = 0;
  int height = 0;
  std::string frame_rate;
  std::string err;
};

Probe ffprobe(const std::string& url) {
  const auto result =
      test::run_process({"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", "-of", "json", url}, 30s);
  Probe probe{result.exit_code, {}, 0, 0, {}, result.err};
  const auto doc = nlohmann::json::parse(result.out, nullptr, false);
  if (result.exit_code != 0 || doc.is_discarded() || !doc.contains("streams") || doc["streams"].empty()) return probe;
  probe.codec = doc["streams"][0].value("codec_name", "");
  probe.width = doc["streams"][0].value("width", 0);
  probe.height = doc["streams"][0].value("height", 0);
  probe.frame_rate = doc["streams"][0].value("r_frame_rate", "");
  return probe;
}

class CameraRtsp : public ::testing::Test {
 protected:
  void start(std::vector<std::pair<std::string, std::string>> settings, const std::string& profile_name = "network-camera") {
    auto profile = core::DeviceProfile::builtin(profile_name);
    ASSERT_TRUE(profile) << profile.error().message;
    // A small sensor and slow streams keep the encoders cheap; the RTSP behaviour is the same.
    hal::VideoFormat sensor{1280, 720, {10, 1}};
    source_ = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{sensor, 3, 2}, clock_,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock_.sleep_until(deadline, stop); });
    rtsp_port_ = test::free_tcp_port();
    http_port_ = test::free_tcp_port();
    camera::CameraOptions options;
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port_)},
                        {"network.http_port", std::to_string(http_port_)},
                        {"stream.101.resolution", "1280x720"},
                        {"stream.101.frame_rate", "10"},
                        {"stream.102.frame_rate", "10"}};
    options.settings.insert(options.settings.end(), settings.begin(), settings.end());
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = kPassword;
    auto camera = camera::Camera::start(*profile, {&clock_, {{1, source_.get()}}}, options);
    ASSERT_TRUE(camera) << camera.error().message;
    camera_ = std::move(*camera);
  }

  std::string url(int stream = 101) const {
    return "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/" + std::to_string(stream);
  }
  std::string url_with(const std::string& password, int stream = 101) const {
    return "rtsp://admin:" + password + "@127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/" +
           std::to_string(stream);
  }

  //! Sends `method` once without credentials, then answers the challenge with MD5 Digest.
  std::optional<RawReply> authorized(RawRtspClient& client, const std::string& method, const std::string& uri,
                                     const std::string& headers = {}) {
    auto challenge = client.request(method, uri, headers);
    if (!challenge || challenge->status != 401) return challenge;
    const auto parameters = challenge_for(*challenge, "MD5");
    if (!parameters) return challenge;
    return client.request(method, uri, headers + digest_authorization(*parameters, security::DigestAlgorithm::md5, method, uri, kPassword));
  }

  //! DESCRIBE and SETUP (TCP interleaved) on `client`; the SETUP reply.
  std::optional<RawReply> set_up(RawRtspClient& client, const std::string& transport = "RTP/AVP/TCP;unicast;interleaved=0-1") {
    auto described = authorized(client, "DESCRIBE", url());
    if (!described || described->status != 200) return described;
    return authorized(client, "SETUP", url() + "/trackID=1", "Transport: " + transport + "\r\n");
  }

  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<sim::RoadSceneSource> source_;
  std::unique_ptr<camera::Camera> camera_;
  int rtsp_port_ = 0;
  int http_port_ = 0;
};

TEST_F(CameraRtsp, OptionsIsOpenAndEveryOtherMethodAsksForMd5DigestByDefault) {
  start({});
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto options = client.request("OPTIONS", url());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 200);
  for (const auto* method : {"DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"}) {
    auto reply = client.request(method, url(), std::string(method) == "SETUP" ? "Transport: RTP/AVP/TCP;interleaved=0-1\r\n" : "");
    ASSERT_TRUE(reply) << method;
    EXPECT_EQ(reply->status, 401) << method;
    const auto challenges = reply->all("www-authenticate");
    ASSERT_EQ(challenges.size(), 1u) << method << ": only the MD5 challenge (RTSP Digest Algorithm: MD5), no Basic";
    EXPECT_NE(challenges[0].find("algorithm=MD5"), std::string::npos) << challenges[0];
    EXPECT_NE(challenges[0].find("realm="), std::string::npos) << challenges[0];
  }
}

TEST_F(CameraRtsp, FfprobeLogsInWithDigestAndAWrongPasswordIsRefused) {
  start({});
  const auto good = ffprobe(url_with(kPassword));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.codec, "h264");
  EXPECT_EQ(good.width, 1280);
  EXPECT_EQ(good.height, 720);
  EXPECT_EQ(good.frame_rate, "10/1");

  const auto wrong = ffprobe(url_with("Wrong-password-1"));
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("401"), std::string::npos) << wrong.err;

  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto challenge = client.request("DESCRIBE", url());
  ASSERT_TRUE(challenge);
  const auto parameters = challenge_for(*challenge, "MD5");
  ASSERT_TRUE(parameters);
  auto refused = client.request("DESCRIBE", url(),
                                digest_authorization(*parameters, security::DigestAlgorithm::md5, "DESCRIBE", url(), "Wrong-password-1"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_NE(refused->body.find("wrong user name or password"), std::string::npos) << refused->body;
  EXPECT_FALSE(refused->all("www-authenticate").empty()) << "a refusal carries a new challenge";
}

TEST_F(CameraRtsp, Sha256SettingAcceptsOnlySha256Digest) {
  start({{"security.rtsp_digest_algorithm", "SHA256"}});
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto challenge = client.request("DESCRIBE", url());
  ASSERT_TRUE(challenge);
  ASSERT_EQ(challenge->all("www-authenticate").size(), 1u);
  const auto parameters = challenge_for(*challenge, "SHA-256");
  ASSERT_TRUE(parameters) << challenge->header("www-authenticate");

  auto md5 = client.request("DESCRIBE", url(),
                            digest_authorization(*parameters, security::DigestAlgorithm::md5, "DESCRIBE", url(), kPassword));
  ASSERT_TRUE(md5);
  EXPECT_EQ(md5->status, 401);
  EXPECT_NE(md5->body.find("Digest algorithm MD5 is not enabled"), std::string::npos) << md5->body;

  auto sha256 = client.request("DESCRIBE", url(),
                               digest_authorization(*parameters, security::DigestAlgorithm::sha256, "DESCRIBE", url(), kPassword, 2));
  ASSERT_TRUE(sha256);
  EXPECT_EQ(sha256->status, 200) << sha256->body;
  EXPECT_NE(sha256->body.find("m=video"), std::string::npos) << sha256->body;

  // ffmpeg answers MD5 only, which this setting refuses (the manual's compatibility warning).
  EXPECT_NE(ffprobe(url_with(kPassword)).exit_code, 0);

  // Both: the MD5 client is back in.
  ASSERT_TRUE(camera_->config().set_text("security.rtsp_digest_algorithm", "MD5/SHA256"));
  EXPECT_EQ(ffprobe(url_with(kPassword)).exit_code, 0);
}

TEST_F(CameraRtsp, BasicIsAcceptedOnlyWhenRtspAuthenticationIsDigestBasic) {
  start({});
  const std::string basic = "Authorization: Basic " + std::string("YWRtaW46Q2FtcmlnLXRlc3QtMQ==") + "\r\n";  // admin:Camrig-test-1
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto refused = client.request("DESCRIBE", url(), basic);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);

  ASSERT_TRUE(camera_->config().set_text("security.rtsp_authentication", "digest/basic"));
  auto challenge = client.request("DESCRIBE", url());
  ASSERT_TRUE(challenge);
  bool offers_basic = false;
  for (const auto& value : challenge->all("www-authenticate")) offers_basic = offers_basic || value.starts_with("Basic ");
  EXPECT_TRUE(offers_basic);
  auto accepted = client.request("DESCRIBE", url(), basic);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200) << accepted->body;
}

TEST_F(CameraRtsp, RepeatedWrongPasswordsLockTheAddress) {
  start({{"security.illegal_login_lock.admin_attempts", "3"}});
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  std::optional<RawReply> reply;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto challenge = client.request("DESCRIBE", url());
    ASSERT_TRUE(challenge);
    ASSERT_EQ(challenge->status, 401);
    reply = client.request("DESCRIBE", url(),
                           digest_authorization(*challenge_for(*challenge, "MD5"), security::DigestAlgorithm::md5, "DESCRIBE",
                                                url(), "Wrong-password-" + std::to_string(attempt)));
    ASSERT_TRUE(reply);
  }
  EXPECT_EQ(reply->status, 403) << "the third failure locks the address";
  // Now even the right password is refused without being checked.
  auto locked = authorized(client, "DESCRIBE", url());
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 403);
  EXPECT_NE(locked->body.find("locked"), std::string::npos) << locked->body;
  EXPECT_NE(ffprobe(url_with(kPassword)).exit_code, 0);
}

TEST_F(CameraRtsp, SessionsBeyondTheConfiguredLimitGet453UntilOneEnds) {
  start({{"network.rtsp_max_sessions", "2"}});
  RawRtspClient first(static_cast<std::uint16_t>(rtsp_port_));
  RawRtspClient second(static_cast<std::uint16_t>(rtsp_port_));
  RawRtspClient third(static_cast<std::uint16_t>(rtsp_port_));
  auto one = set_up(first);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200) << one->body;
  auto two = set_up(second);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 200) << two->body;
  auto refused = set_up(third);
  ASSERT_TRUE(refused) << "an answer, never a hang";
  EXPECT_EQ(refused->status, 453);
  EXPECT_NE(refused->body.find("session limit reached: all 2 streaming sessions"), std::string::npos) << refused->body;

  auto ended = authorized(first, "TEARDOWN", url(), "Session: " + one->header("session").substr(0, one->header("session").find(';')) + "\r\n");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 200);
  auto retried = authorized(third, "SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200) << retried->body;
}

TEST_F(CameraRtsp, ACustomStreamIsServedOnceAddedAndGoneOnceDeleted) {
  start({{"stream.104.frame_rate", "10"}});
  EXPECT_NE(ffprobe(url_with(kPassword, 104)).exit_code, 0) << "a custom stream slot not added has no mount";
  ASSERT_TRUE(camera_->config().apply({{"stream.104.custom.added", true},
                                       {"stream.104.custom.name", std::string("Lobby")},
                                       {"stream.104.video_codec", std::string("H.265")},
                                       {"stream.104.resolution", std::string("320x240")}}));
  const auto custom = ffprobe(url_with(kPassword, 104));
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_EQ(custom.codec, "hevc");
  EXPECT_EQ(custom.width, 320);
  EXPECT_EQ(custom.height, 240);
  EXPECT_EQ(custom.frame_rate, "10/1");

  // A client playing the stream when it is deleted sees its connection end, not a silent stream.
  RawRtspClient player(static_cast<std::uint16_t>(rtsp_port_));
  ASSERT_TRUE(authorized(player, "DESCRIBE", url(104)));
  auto setup = authorized(player, "SETUP", url(104) + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200) << setup->body;
  const auto session = setup->header("session").substr(0, setup->header("session").find(';'));
  auto played = authorized(player, "PLAY", url(104), "Session: " + session + "\r\n");
  ASSERT_TRUE(played);
  ASSERT_EQ(played->status, 200) << played->body;
  ASSERT_TRUE(player.read_frame(10s)) << "the custom stream plays";

  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  ASSERT_TRUE(camera_->config().set("stream.104.custom.added", false));
  auto gone = authorized(client, "DESCRIBE", url(104));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
  EXPECT_TRUE(player.wait_closed(5s)) << "the player of the deleted stream is disconnected";
}

TEST_F(CameraRtsp, ConcurrentAddsOfACustomStreamTakeDifferentSlots) {
  start({});
  // Three POSTs at once (curl's parallel transfers), one per free slot 104-106: each gets its own.
  const auto target = "http://127.0.0.1:" + std::to_string(http_port_) + "/ISAPI/Streaming/channels";
  const auto added = test::run_process({"curl", "-s", "-Z", "--parallel-immediate", "--digest", "-u",
                                        std::string("admin:") + kPassword, "-X", "POST", "-d",
                                        "<StreamingChannel><Video><videoInputChannelID>1</videoInputChannelID></Video>"
                                        "</StreamingChannel>",
                                        target, target, target},
                                       30s);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::set<std::string> ids;
  for (auto at = added.out.find("<id>"); at != std::string::npos; at = added.out.find("<id>", at + 1))
    ids.insert(added.out.substr(at + 4, added.out.find("</id>", at) - at - 4));
  EXPECT_EQ(ids, (std::set<std::string>{"104", "105", "106"})) << added.out;
  for (const int id : {104, 105, 106}) EXPECT_TRUE(camera_->config().get_bool("stream." + std::to_string(id) + ".custom.added"));
}

TEST_F(CameraRtsp, SessionLimitAndPortChangesTakeEffectWithoutARestart) {
  start({});
  ASSERT_TRUE(camera_->config().set("network.rtsp_max_sessions", std::int64_t{1}));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  // The change reaches the server through the configuration watcher: SETUP until it is refused.
  std::vector<std::unique_ptr<RawRtspClient>> clients;
  std::optional<RawReply> refused;
  do {
    clients.push_back(std::make_unique<RawRtspClient>(static_cast<std::uint16_t>(rtsp_port_)));
    refused = set_up(*clients.back());
    ASSERT_TRUE(refused) << "an answer, never a hang";
  } while (refused->status == 200 && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(refused->status, 453);
  EXPECT_NE(refused->body.find("all 1 streaming sessions"), std::string::npos) << refused->body;

  const int old_port = rtsp_port_;
  rtsp_port_ = test::free_tcp_port();
  ASSERT_TRUE(camera_->config().set("network.rtsp_port", std::int64_t{rtsp_port_}));
  while (camera_->rtsp_port() != rtsp_port_ && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(camera_->rtsp_port(), rtsp_port_) << "the listener never moved";
  // The clients of the old port are disconnected and their sessions end, as when a camera
  // restarts its RTSP service; so the one session allowed is free for a client of the new port.
  auto& first = *clients.front();
  EXPECT_FALSE(first.try_send("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 9\r\n\r\n") && first.read_reply(5s));
  clients.clear();
  const auto probe = ffprobe(url_with(kPassword));
  EXPECT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_EQ(probe.width, 1280);
  bool old_port_closed = false;
  while (!old_port_closed && std::chrono::steady_clock::now() < deadline) {
    try {
      RawRtspClient stale(static_cast<std::uint16_t>(old_port));
    } catch (const boost::system::system_error&) {
      old_port_closed = true;
    }
  }
  EXPECT_TRUE(old_port_closed);

  // A port the device cannot take leaves the service where it is; a wider limit applies to the
  // next SETUP while a session holds the one slot there was.
  RawRtspClient holder(static_cast<std::uint16_t>(rtsp_port_));
  std::optional<RawReply> held;
  do {
    held = set_up(holder);  // ffprobe's session may still be closing
    ASSERT_TRUE(held);
  } while (held->status != 200 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(held->status, 200) << held->body;
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  ASSERT_TRUE(camera_->config().apply({{"network.rtsp_port", std::int64_t{taken.local_endpoint().port()}},
                                       {"network.rtsp_max_sessions", std::int64_t{2}}}));
  std::optional<RawReply> admitted;
  do {
    RawRtspClient attempt(static_cast<std::uint16_t>(rtsp_port_));
    admitted = set_up(attempt);
    ASSERT_TRUE(admitted);
  } while (admitted->status != 200 && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(admitted->status, 200) << admitted->body;
  EXPECT_EQ(camera_->rtsp_port(), rtsp_port_);
  // The refused port does not stay stored: the setting is back to the port really served.
  while (camera_->config().get_int("network.rtsp_port") != rtsp_port_ && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(camera_->config().get_int("network.rtsp_port"), rtsp_port_);
  EXPECT_EQ(camera_->config().get_int("network.rtsp_max_sessions"), 2) << "the change that could be made stays";
}

TEST_F(CameraRtsp, TheLprCameraServesAtMostTenSessionsWhateverTheSetting) {
  start({{"network.rtsp_max_sessions", "20"}}, "lpr-camera");
  std::vector<std::unique_ptr<RawRtspClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<RawRtspClient>(static_cast<std::uint16_t>(rtsp_port_)));
    auto reply = set_up(*clients.back());
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200) << "session " << i + 1 << ": " << reply->body;
  }
  RawRtspClient eleventh(static_cast<std::uint16_t>(rtsp_port_));
  auto refused = set_up(eleventh);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 453);
  EXPECT_NE(refused->body.find("all 10 streaming sessions"), std::string::npos) << refused->body;
}

//! A port pair for a multicast group that parallel test runs do not share.
std::uint16_t multicast_port() { return static_cast<std::uint16_t>(46000 + (::getpid() % 4000) * 2); }

TEST_F(CameraRtsp, MulticastGroupComesFromTheStreamSettingsAndChangesApplyToNewSessions) {
  const auto port = multicast_port();
  start({{"stream.101.multicast_address", "239.10.20.30"},
         {"stream.101.multicast_video_port", std::to_string(port)},
         {"stream.101.multicast_ttl", "3"}});
  RawRtspClient first(static_cast<std::uint16_t>(rtsp_port_));
  auto joined = set_up(first, "RTP/AVP;multicast");
  ASSERT_TRUE(joined);
  ASSERT_EQ(joined->status, 200) << joined->body;
  EXPECT_NE(joined->header("transport").find("destination=239.10.20.30;port=" + std::to_string(port) + "-" +
                                              std::to_string(port + 1) + ";ttl=3"),
            std::string::npos)
      << joined->header("transport");

  ASSERT_TRUE(camera_->config().set_text("stream.101.multicast_address", "239.10.20.31"));
  RawRtspClient second(static_cast<std::uint16_t>(rtsp_port_));
  auto moved = set_up(second, "RTP/AVP;multicast");
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 200) << moved->body;
  EXPECT_NE(moved->header("transport").find("destination=239.10.20.31;"), std::string::npos) << moved->header("transport");

  // The sub stream has no group: multicast is refused for it, unicast still works.
  RawRtspClient sub(static_cast<std::uint16_t>(rtsp_port_));
  auto described = authorized(sub, "DESCRIBE", url(102));
  ASSERT_TRUE(described);
  auto refused = authorized(sub, "SETUP", url(102) + "/trackID=1", "Transport: RTP/AVP;multicast\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 461);
  EXPECT_NE(refused->body.find("multicast is not configured for stream 102"), std::string::npos) << refused->body;
}

TEST_F(CameraRtsp, ConfigurationRefusesMulticastSettingsOutOfRange) {
  start({});
  auto& config = camera_->config();
  EXPECT_FALSE(config.set_text("stream.101.multicast_video_port", "70000"));
  EXPECT_FALSE(config.set_text("stream.101.multicast_ttl", "0"));
  EXPECT_FALSE(config.set_text("network.rtsp_max_sessions", "0"));
  EXPECT_FALSE(config.set_text("security.rtsp_digest_algorithm", "SHA1"));
}

TEST_F(CameraRtsp, LprCameraRefusesAGroupOutsideItsManualsRange) {
  start({{"stream.101.multicast_address", "224.0.0.9"}, {"stream.101.multicast_video_port", std::to_string(multicast_port())}},
        "lpr-camera");
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto refused = set_up(client, "RTP/AVP;multicast");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 461);
  EXPECT_NE(refused->body.find("224.0.1.0"), std::string::npos) << refused->body;
}

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("camrig-" + std::to_string(::getpid()) + "-" + name)) {}
  ~TempFile() { std::filesystem::remove(path_); }
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST_F(CameraRtsp, SnapshotIsAJpegOfTheChannelAtTheStreamOrRequestedSize) {
  start({});
  const auto base = "http://127.0.0.1:" + std::to_string(http_port_) + "/ISAPI/Streaming/channels/";
  TempFile picture("snapshot.jpg");
  auto fetch = [&](const std::string& target, bool login = true) {
    std::vector<std::string> argv{"curl", "-s", "-o", picture.string(), "-w", "%{http_code} %{content_type}"};
    if (login) argv.insert(argv.end(), {"--digest", "-u", std::string("admin:") + kPassword});
    argv.push_back(base + target);
    return test::run_process(argv, 30s).out;
  };
  auto probe_picture = [&] {
    const auto result = test::run_process(
        {"ffprobe", "-v", "error", "-show_streams", "-of", "json", picture.string()}, 30s);
    const auto doc = nlohmann::json::parse(result.out, nullptr, false);
    Probe probe{result.exit_code, {}, 0, 0, {}, result.err};
    if (!doc.is_discarded() && doc.contains("streams") && !doc["streams"].empty()) {
      probe.codec = doc["streams"][0].value("codec_name", "");
      probe.width = doc["streams"][0].value("width", 0);
      probe.height = doc["streams"][0].value("height", 0);
    }
    return probe;
  };

  std::string reply;
  // The first picture exists once the sensor has delivered a frame.
  for (int attempt = 0; attempt < 50 && !reply.starts_with("200"); ++attempt) {
    if (attempt) std::this_thread::sleep_for(100ms);
    reply = fetch("101/picture");
  }
  EXPECT_EQ(reply, "200 image/jpeg");
  auto main = probe_picture();
  EXPECT_EQ(main.codec, "mjpeg") << main.err;
  EXPECT_EQ(main.width, 1280);
  EXPECT_EQ(main.height, 720);
  // It decodes without a complaint.
  const auto decoded = test::run_process({"ffmpeg", "-v", "error", "-i", picture.string(), "-f", "null", "-"}, 30s);
  EXPECT_EQ(decoded.exit_code, 0);
  EXPECT_EQ(decoded.err, "");

  EXPECT_EQ(fetch("102/picture"), "200 image/jpeg");
  auto sub = probe_picture();
  EXPECT_EQ(sub.width, 640);
  EXPECT_EQ(sub.height, 360);

  EXPECT_EQ(fetch("101/picture?videoResolutionWidth=320&videoResolutionHeight=180"), "200 image/jpeg");
  auto small = probe_picture();
  EXPECT_EQ(small.width, 320);
  EXPECT_EQ(small.height, 180);

  EXPECT_TRUE(fetch("101/picture?videoResolutionWidth=321&videoResolutionHeight=180").starts_with("400"));
  EXPECT_TRUE(fetch("901/picture").starts_with("404"));
  std::ifstream body(picture.string());
  const std::string text((std::istreambuf_iterator<char>(body)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("ResponseStatus"), std::string::npos) << text;
  EXPECT_TRUE(fetch("101/picture", false).starts_with("401"));
  // A custom stream slot not added has no picture, as it has no RTSP mount.
  EXPECT_TRUE(fetch("104/picture").starts_with("404"));
  EXPECT_TRUE(fetch("104/httpPreview").starts_with("404"));

  // httpPreview pushes an MJPEG stream's own pictures; an H.264 stream is refused with the reason.
  EXPECT_TRUE(fetch("102/httpPreview").starts_with("403"));
  ASSERT_TRUE(camera_->config().set("stream.102.video_codec", std::string("MJPEG")));
  const auto preview = test::run_process({"curl", "-s", "--max-time", "3", "-o", picture.string(), "-w", "%{http_code} %{content_type}",
                                          "--digest", "-u", std::string("admin:") + kPassword, base + "102/httpPreview"},
                                         30s);
  EXPECT_EQ(preview.out, "200 multipart/x-mixed-replace; boundary=camrigpreview");
  {
    std::ifstream in(picture.string(), std::ios::binary);
    const std::string parts((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pictures = 0;
    for (auto at = parts.find("--camrigpreview\r\nContent-Type: image/jpeg\r\n"); at != std::string::npos;
         at = parts.find("--camrigpreview\r\n", at + 1))
      ++pictures;
    EXPECT_GE(pictures, 5u) << "about 3 s of a 10 fps stream";
    EXPECT_NE(parts.find("\r\n\r\n\xff\xd8"), std::string::npos) << "each part is a JPEG";
  }
  ASSERT_TRUE(camera_->config().set("stream.102.video_codec", std::string("H.264")));

  // Rotate turns the channel's picture, as it turns its streams: the stream-sized snapshot is
  // 360x640, not the turned picture squashed into 640x360.
  ASSERT_TRUE(camera_->config().set("channel.1.image.rotate", true));
  EXPECT_EQ(fetch("102/picture"), "200 image/jpeg");
  const auto rotated = probe_picture();
  EXPECT_EQ(rotated.width, 360);
  EXPECT_EQ(rotated.height, 640);
}

}  // namespace
}  // namespace camrig
