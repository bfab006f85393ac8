// The camera's SMTP client against a real mail server: Exim (Debian exim4-daemon-light), started by
// the test on free loopback ports from a temporary configuration that queues every accepted mail
// in its own spool instead of delivering it. The spool shows what Exim received: envelope, TLS,
// authenticated user, headers and the MIME body with the pictures.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "device/core/base64.hpp"
#include "device/events/email_client.hpp"
#include "device/security/certificates.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/process.hpp"

namespace camrig::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* k_exim = "/usr/sbin/exim4";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  // Exim drops to its own user when started as root; it must read what the test writes.
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

bool accepts(int port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)}, ec);
  return !ec;
}

class EximTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(k_exim)) GTEST_SKIP() << k_exim << " is missing: install exim4-daemon-light (scripts/install-deps.sh)";
    directory = fs::temp_directory_path() / ("camrig_exim_" + std::to_string(::getpid()));
    fs::remove_all(directory);
    for (const auto* sub : {"", "/spool", "/log"}) {
      fs::create_directories(directory.string() + sub);
      fs::permissions(directory.string() + sub, fs::perms::all);
    }
    test::LockstepTestClock clock;
    auto certificates = security::CertificateStore::open("", "mail.camrig.test", clock);
    ASSERT_TRUE(certificates);
    write_text(directory / "cert.pem", (*certificates)->server_chain_pem());
    write_text(directory / "key.pem", (*certificates)->server_key_pem());
    smtp_port = test::free_tcp_port();
    smtps_port = test::free_tcp_port();
    const auto dir = directory.string();
    write_text(directory / "exim.conf",
               "primary_hostname = mail.camrig.test\n"
               "spool_directory = " + dir + "/spool\n"
               "log_file_path = " + dir + "/log/%slog\n"
               "pid_file_path = " + dir + "/exim.pid\n"
               "keep_environment =\n"
               "local_interfaces = 127.0.0.1\n"
               "daemon_smtp_ports = " + std::to_string(smtp_port) + " : " + std::to_string(smtps_port) + "\n"
               "tls_on_connect_ports = " + std::to_string(smtps_port) + "\n"
               "tls_advertise_hosts = *\n"
               "tls_certificate = " + dir + "/cert.pem\n"
               "tls_privatekey = " + dir + "/key.pem\n"
               "auth_advertise_hosts = *\n"
               "queue_only = true\n"
               "acl_smtp_mail = check_mail\n"
               "acl_smtp_rcpt = check_rcpt\n"
               "begin acl\n"
               "check_mail:\n"
               "  deny message = authentication required\n"
               "       !authenticated = *\n"
               "  accept\n"
               "check_rcpt:\n"
               "  accept\n"
               "begin authenticators\n"
               "plain:\n"
               "  driver = plaintext\n"
               "  public_name = PLAIN\n"
               "  server_prompts = :\n"
               "  server_condition = ${if and{{eq{$auth2}{camera}}{eq{$auth3}{s3cret}}}}\n"
               "  server_set_id = $auth2\n"
               "login:\n"
               "  driver = plaintext\n"
               "  public_name = LOGIN\n"
               "  server_prompts = Username:: : Password::\n"
               "  server_condition = ${if and{{eq{$auth1}{camera}}{eq{$auth2}{s3cret}}}}\n"
               "  server_set_id = $auth1\n");
    exim = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{k_exim, "-C", (directory / "exim.conf").string(), "-bdf"});
    ASSERT_TRUE(exim->started());
    bool listening = false;
    for (int i = 0; i < 200 && !(listening = accepts(smtp_port) && accepts(smtps_port)); ++i) std::this_thread::sleep_for(25ms);
    ASSERT_TRUE(listening) << "exim did not start: " << exim->output() << read_text(directory / "log" / "paniclog");
  }

  void TearDown() override {
    if (exim) exim->stop(SIGTERM, 5s);
    if (directory.empty()) return;
    // Exim's connection processes (forks of the daemon, same command line) outlive it by a moment
    // and write their last log line; the directory goes once they have ended.
    for (int i = 0; i < 250 && exim_processes_left(); ++i) std::this_thread::sleep_for(20ms);
    fs::remove_all(directory);
  }

  bool exim_processes_left() const {
    const auto configuration = (directory / "exim.conf").string();
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::string command_line = read_text(entry.path() / "cmdline");
      std::replace(command_line.begin(), command_line.end(), '\0', ' ');
      if (command_line.find(configuration) != std::string::npos) return true;
    }
    return false;
  }

  // Each queued mail: its -H file (envelope, TLS, auth, headers) and -D file (body).
  std::vector<std::pair<std::string, std::string>> spooled() const {
    std::vector<std::pair<std::string, std::string>> mails;
    const auto input = directory / "spool" / "input";
    if (!fs::exists(input)) return mails;
    for (const auto& entry : fs::directory_iterator(input)) {
      const auto name = entry.path().filename().string();
      if (!name.ends_with("-H")) continue;
      const auto id = name.substr(0, name.size() - 2);
      mails.emplace_back(read_text(entry.path()), read_text(input / (id + "-D")));
    }
    return mails;
  }

  SmtpSettings settings(int port, MailSecurity security) const {
    SmtpSettings smtp;
    smtp.server = "127.0.0.1";
    smtp.port = static_cast<std::uint16_t>(port);
    smtp.security = security;
    smtp.authenticate = true;
    smtp.user = "camera";
    smtp.password = "s3cret";
    return smtp;
  }

  static EmailMessage alarm_mail() {
    EmailMessage message;
    message.from = {"Gate camera", "camera@site.test"};
    message.to = {{"Guard", "guard@site.test"}, {"", "office@site.test"}};
    message.subject = "Motion alarm on channel 1";
    message.body = "EVENT TYPE: Motion alarm\n.dot line\n";
    message.date = hal::WallTime{test::LockstepTestClock::k_wall_origin};
    message.attachments = {{"picture1.jpg", std::string("\xff\xd8\xff\xe0picture-one\xff\xd9", 15)},
                           {"picture2.jpg", std::string("\xff\xd8\xff\xe0picture-two\xff\xd9", 15)},
                           {"picture3.jpg", std::string("\xff\xd8\xff\xe0picture-three\xff\xd9", 17)}};
    return message;
  }

  fs::path directory;
  int smtp_port = 0;
  int smtps_port = 0;
  std::unique_ptr<test::ChildProcess> exim;
};

TEST_F(EximTest, StartTlsWithAuthDeliversMessageAndPictures) {
  auto sent = send_mail(settings(smtp_port, MailSecurity::starttls), alarm_mail(), 10s);
  ASSERT_TRUE(sent) << sent.error().message;
  const auto mails = spooled();
  ASSERT_EQ(mails.size(), 1u);
  const auto& [header, body] = mails[0];
  EXPECT_NE(header.find("<camera@site.test>"), std::string::npos) << header;
  EXPECT_NE(header.find("guard@site.test\n"), std::string::npos) << header;
  EXPECT_NE(header.find("office@site.test\n"), std::string::npos) << header;
  EXPECT_NE(header.find("-tls_cipher"), std::string::npos) << header;
  EXPECT_NE(header.find("--auth_id camera"), std::string::npos) << header;
  EXPECT_NE(header.find("Subject: Motion alarm on channel 1"), std::string::npos) << header;
  EXPECT_NE(header.find("From: \"Gate camera\" <camera@site.test>"), std::string::npos) << header;
  EXPECT_NE(body.find("\n.dot line\n"), std::string::npos) << body;
  // Every picture arrives intact, as a base64 JPEG part.
  for (const auto& attachment : alarm_mail().attachments) {
    const auto marker = "filename=\"" + attachment.file_name + "\"\n\n";
    const auto at = body.find(marker);
    ASSERT_NE(at, std::string::npos) << body;
    const auto start = at + marker.size();
    std::string encoded;
    for (std::size_t i = start; i < body.size() && !(body[i] == '\n' && (i + 1 >= body.size() || body[i + 1] == '\n' || body[i + 1] == '-')); ++i)
      if (body[i] != '\n') encoded += body[i];
    EXPECT_EQ(core::base64_decode(encoded), attachment.jpeg) << attachment.file_name;
  }
}

TEST_F(EximTest, SslOnConnectAndTheServersRefusals) {
  auto sent = send_mail(settings(smtps_port, MailSecurity::ssl), alarm_mail(), 10s);
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_EQ(spooled().size(), 1u);
  EXPECT_NE(spooled()[0].first.find("-tls_cipher"), std::string::npos);

  auto wrong = settings(smtp_port, MailSecurity::starttls);
  wrong.password = "wrong";
  auto refused = send_mail(wrong, alarm_mail(), 10s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("535"), std::string::npos) << refused.error().message;

  auto anonymous = settings(smtp_port, MailSecurity::none);
  anonymous.authenticate = false;
  auto denied = send_mail(anonymous, alarm_mail(), 10s);
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message.find("authentication required"), std::string::npos) << denied.error().message;
  EXPECT_EQ(spooled().size(), 1u);
}

}  // namespace
}  // namespace camrig::events
