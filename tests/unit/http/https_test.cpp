// HTTPS against curl: the device's self-signed certificate, each TLS version and its switch, a
// certificate request signed by a CA made with the openssl command and imported, the IP address
// filter closing refused connections at accept, listeners restarted on a port or mode change, and
// the daily certificate expiration check on the device clock.
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"
#include "device/http/server.hpp"
#include "device/http/tls_context.hpp"
#include "device/http/web_listeners.hpp"
#include "device/storage/system_log_store.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/process.hpp"

namespace camrig::http {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

struct CurlResult {
  int exit_code = -1;
  std::string body;
  std::string error;
};

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() / ("camrig-https-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(directory);
    auto opened = security::UserAccounts::open(":memory:", "camrig", security::PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock);
    router.add(beast_http::verb::get, "/hello", std::nullopt, [](RequestContext& context) -> Result<Reply> {
      Reply reply;
      reply.response.body() = "hello " + context.client_address;
      return reply;
    });
    auto store = security::CertificateStore::open("", "camera.test", clock);
    ASSERT_TRUE(store);
    certificates = std::move(*store);
    io_thread = std::jthread([this] {
      auto work = net::make_work_guard(io);
      io.run();
    });
  }
  void TearDown() override {
    if (server) server->stop();
    if (listeners) listeners->stop();
    io.stop();
    io_thread.join();
    std::filesystem::remove_all(directory);
  }

  // An HTTPS server with the store's certificate and these TLS versions; false if it failed.
  void start_https(TlsVersions versions) {
    auto context = make_tls_context(certificates->server_key_pem(), certificates->server_chain_pem(), versions);
    ASSERT_TRUE(context) << context.error().message;
    ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.tls = *context;
    server = std::make_unique<Server>(io, options, router, *authenticator);
    ASSERT_TRUE(server->start());
  }

  CurlResult curl(std::vector<std::string> arguments, const std::string& url) {
    std::vector<std::string> argv{"curl", "-s", "-S", "--max-time", "10"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    argv.push_back(url);
    const auto result = test::run_process(argv, 20s);
    return {result.exit_code, result.out, result.err};
  }
  std::string https_url(std::uint16_t port) { return "https://camera.test:" + std::to_string(port) + "/hello"; }
  std::vector<std::string> trusting_server(std::uint16_t port, std::vector<std::string> more = {}) {
    write("server.pem", certificates->server_chain_pem());
    std::vector<std::string> arguments{"--cacert", (directory / "server.pem").string(), "--resolve",
                                       "camera.test:" + std::to_string(port) + ":127.0.0.1"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }
  void write(const std::string& name, const std::string& text) { std::ofstream(directory / name) << text; }
  void openssl(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "openssl");
    const auto result = test::run_process(arguments, 20s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  test::LockstepTestClock clock;
  std::filesystem::path directory;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<security::CertificateStore> certificates;
  Router router;
  net::io_context io;
  std::unique_ptr<Server> server;
  std::unique_ptr<WebListeners> listeners;
  std::jthread io_thread;
};

TEST_F(HttpsTest, CurlTrustsTheSelfSignedCertificateOverTls12AndTls13) {
  start_https({});
  const auto port = server->port();
  for (const auto* version : {"1.2", "1.3"}) {
    const auto result = curl(trusting_server(port, {std::string("--tlsv") + version, "--tls-max", version}), https_url(port));
    EXPECT_EQ(result.exit_code, 0) << version << ": " << result.error;
    EXPECT_EQ(result.body, "hello 127.0.0.1");
  }
}

TEST_F(HttpsTest, ADisabledTlsVersionIsRefused) {
  start_https({false, false, true});
  const auto port = server->port();
  EXPECT_NE(curl(trusting_server(port, {"--tlsv1.2", "--tls-max", "1.2"}), https_url(port)).exit_code, 0)
      << "TLS 1.2 is off";
  EXPECT_EQ(curl(trusting_server(port, {"--tlsv1.3"}), https_url(port)).exit_code, 0);
  EXPECT_NE(curl({"--max-time", "5"}, "http://127.0.0.1:" + std::to_string(port) + "/hello").body, "hello 127.0.0.1")
      << "plain HTTP is not served on the HTTPS port";
}

TEST_F(HttpsTest, NoTlsVersionEnabledIsAnError) {
  auto context = make_tls_context(certificates->server_key_pem(), certificates->server_chain_pem(), {false, false, false});
  ASSERT_FALSE(context);
  EXPECT_NE(context.error().message.find("at least one TLS version"), std::string::npos);
}

TEST_F(HttpsTest, CertificateSignedByOpensslCaIsServedAfterImport) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           (directory / "ca.key").string(), "-out", (directory / "ca.crt").string(), "-days", "30", "-subj", "/CN=Test CA"});
  auto request = certificates->create_request("camera.test");
  ASSERT_TRUE(request);
  write("device.csr", *request);
  write("san.ext", "subjectAltName=DNS:camera.test\n");
  openssl({"x509", "-req", "-in", (directory / "device.csr").string(), "-CA", (directory / "ca.crt").string(), "-CAkey",
           (directory / "ca.key").string(), "-CAcreateserial", "-extfile", (directory / "san.ext").string(), "-out",
           (directory / "device.crt").string(), "-days", "20"});
  std::ifstream in(directory / "device.crt");
  ASSERT_TRUE(certificates->import_server_certificate({std::istreambuf_iterator<char>(in), {}}));
  start_https({});
  const auto port = server->port();
  const auto trusted = curl({"--cacert", (directory / "ca.crt").string(), "--resolve",
                             "camera.test:" + std::to_string(port) + ":127.0.0.1"},
                            https_url(port));
  EXPECT_EQ(trusted.exit_code, 0) << trusted.error;
  EXPECT_EQ(trusted.body, "hello 127.0.0.1");
}

TEST_F(HttpsTest, IpFilterClosesRefusedConnectionsAtAccept) {
  std::vector<std::string> asked;
  std::mutex mutex;
  bool refuse = true;
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.admit = [&](const std::string& address) {
    std::lock_guard guard(mutex);
    asked.push_back(address);
    return !refuse;
  };
  server = std::make_unique<Server>(io, options, router, *authenticator);
  ASSERT_TRUE(server->start());
  const auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/hello";
  const auto refused = curl({}, url);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(refused.body.empty());
  {
    std::lock_guard guard(mutex);
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0], "127.0.0.1");
    refuse = false;
  }
  EXPECT_EQ(curl({}, url).body, "hello 127.0.0.1");
}

// The configured listeners: a port change and "HTTPS only" take effect on restart().
TEST_F(HttpsTest, ListenersFollowPortsAndHttpsOnlyMode) {
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema);
  auto profile = core::DeviceProfile::builtin("network-camera");
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", nullptr);
  ASSERT_TRUE(config);
  const auto http_port = test::free_tcp_port();
  const auto https_port = test::free_tcp_port();
  ASSERT_TRUE((*config)->apply({{"network.http_port", std::int64_t{http_port}}, {"network.https_port", std::int64_t{https_port}}}));
  WebListenerParts parts;
  parts.io = &io;
  parts.config = config->get();
  parts.certificates = certificates.get();
  parts.router = &router;
  parts.authenticator = authenticator.get();
  parts.base.bind_address = "127.0.0.1";
  listeners = std::make_unique<WebListeners>(parts);
  ASSERT_TRUE(listeners->start());
  EXPECT_EQ(listeners->http_port(), http_port);
  EXPECT_EQ(listeners->https_port(), https_port);
  EXPECT_EQ(curl({}, "http://127.0.0.1:" + std::to_string(http_port) + "/hello").body, "hello 127.0.0.1");
  EXPECT_EQ(curl(trusting_server(https_port), https_url(https_port)).body, "hello 127.0.0.1");

  // Restart waits for the io thread; the port numbers change when it is done.
  auto wait_for = [&](auto condition) {
    for (int i = 0; i < 200 && !condition(); ++i) std::this_thread::sleep_for(10ms);
    return condition();
  };
  const auto new_http_port = test::free_tcp_port();
  ASSERT_TRUE((*config)->apply({{"network.http_port", std::int64_t{new_http_port}}, {"network.https.https_browsing", true}}));
  listeners->restart();
  ASSERT_TRUE(wait_for([&] { return listeners->http_port() == 0 && listeners->https_port() == https_port; }));
  EXPECT_EQ(curl({}, "http://127.0.0.1:" + std::to_string(http_port) + "/hello").exit_code, 7) << "the old port is closed";
  EXPECT_EQ(curl({}, "http://127.0.0.1:" + std::to_string(new_http_port) + "/hello").exit_code, 7)
      << "HTTPS only: HTTP refuses connections";
  EXPECT_EQ(curl(trusting_server(https_port), https_url(https_port)).body, "hello 127.0.0.1");

  ASSERT_TRUE((*config)->apply({{"network.https.https_browsing", false}}));
  listeners->restart();
  ASSERT_TRUE(wait_for([&] { return listeners->http_port() == new_http_port; }));
  EXPECT_EQ(curl({}, "http://127.0.0.1:" + std::to_string(new_http_port) + "/hello").body, "hello 127.0.0.1");
}

TEST_F(HttpsTest, CertificateExpirationIsCheckedEveryDayOfDeviceTime) {
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema);
  auto profile = core::DeviceProfile::builtin("network-camera");
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", nullptr);
  ASSERT_TRUE(config);
  ASSERT_TRUE((*config)->apply({{"network.http_port", std::int64_t{test::free_tcp_port()}}, {"network.https.enabled", false},
                                {"security.certificate.expiry_alarm_days", std::int64_t{7}}}));
  // Valid for 10 days from now: the 7-day window opens on the third day.
  ASSERT_TRUE(certificates->create_self_signed("camera.test", 10));
  auto log = storage::SqliteSystemLog::open(":memory:", 100, clock);
  ASSERT_TRUE(log);
  WebListenerParts parts;
  parts.io = &io;
  parts.config = config->get();
  parts.certificates = certificates.get();
  parts.router = &router;
  parts.authenticator = authenticator.get();
  parts.system_log = log->get();
  parts.clock = &clock;
  parts.base.bind_address = "127.0.0.1";
  listeners = std::make_unique<WebListeners>(parts);
  ASSERT_TRUE(listeners->start());

  auto alarms = [&] {
    // The check runs on the io thread; a marker posted after it tells that it has run.
    std::promise<void> drained;
    net::post(io, [&] { drained.set_value(); });
    drained.get_future().wait();
    storage::LogQuery query;
    query.minor = "Certificate Expiration";
    return (*log)->search(query)->total;
  };
  EXPECT_EQ(alarms(), 0u) << "10 days left at start";
  clock.advance_to(clock.now() + WebListeners::k_expiry_check_interval * 2);
  EXPECT_EQ(alarms(), 0u) << "8 days left";
  clock.advance_to(clock.now() + WebListeners::k_expiry_check_interval);
  EXPECT_EQ(alarms(), 1u) << "7 days left: inside the window";
  clock.advance_to(clock.now() + WebListeners::k_expiry_check_interval);
  EXPECT_EQ(alarms(), 2u) << "raised again the next day";

  listeners->stop();
  clock.advance_to(clock.now() + WebListeners::k_expiry_check_interval * 3);
  EXPECT_EQ(alarms(), 2u) << "no check after stop";
}

}  // namespace
}  // namespace camrig::http
