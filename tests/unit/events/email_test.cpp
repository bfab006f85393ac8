// The email linkage end to end against the test SMTP peer: the rendered message (From/To/Subject,
// body, JPEG attachments), the three encryption modes and both AUTH mechanisms, the SMTP errors a
// user sees, and that a dead mail server never stalls the event engine.
#include <chrono>
#include <map>

#include <gtest/gtest.h>

#include "device/core/base64.hpp"
#include "device/events/email_client.hpp"
#include "device/events/email_message.hpp"
#include "device/events/email_notifier.hpp"
#include "device/events/event_engine.hpp"
#include "device/security/certificates.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/smtp_test_server.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;
using test::SmtpTestServer;
using test::SmtpTestServerOptions;

// A message split into its headers and MIME parts (one level of multipart, as the camera sends).
struct ParsedMail {
  std::map<std::string, std::string> headers;
  std::string text;
  std::vector<std::pair<std::map<std::string, std::string>, std::string>> attachments;  // headers, decoded bytes
};

std::pair<std::map<std::string, std::string>, std::string> split_entity(const std::string& entity) {
  std::map<std::string, std::string> headers;
  const auto end = entity.find("\r\n\r\n");
  std::string last;
  std::size_t at = 0;
  while (at < end) {
    const auto eol = entity.find("\r\n", at);
    const auto line = entity.substr(at, eol - at);
    at = eol + 2;
    if (!line.empty() && line[0] == ' ') {
      headers[last] += line;
      continue;
    }
    const auto colon = line.find(':');
    last = line.substr(0, colon);
    headers[last] = line.substr(colon + 2);
  }
  return {headers, entity.substr(end + 4)};
}

ParsedMail parse_mail(const std::string& data) {
  ParsedMail mail;
  auto [headers, body] = split_entity(data);
  mail.headers = headers;
  const auto& type = headers["Content-Type"];
  const auto marker = type.find("boundary=\"");
  if (marker == std::string::npos) {
    mail.text = body;
    return mail;
  }
  const auto boundary = "--" + type.substr(marker + 10, type.find('"', marker + 10) - marker - 10);
  std::size_t at = body.find(boundary);
  while (at != std::string::npos) {
    const auto start = at + boundary.size();
    if (body.compare(start, 2, "--") == 0) break;
    const auto next = body.find(boundary, start);
    auto [part_headers, content] = split_entity(body.substr(start + 2, next - start - 2));
    if (part_headers["Content-Type"].starts_with("text/plain")) {
      mail.text = content;
    } else {
      std::string compact;
      for (const char c : content)
        if (c != '\r' && c != '\n') compact += c;
      mail.attachments.emplace_back(part_headers, core::base64_decode(compact).value_or("not base64"));
    }
    at = next;
  }
  return mail;
}

struct TlsMaterial {
  std::string certificate;
  std::string key;
};

TlsMaterial tls_material() {
  static const TlsMaterial material = [] {
    test::LockstepTestClock clock;
    auto store = security::CertificateStore::open("", "smtp.test", clock);
    EXPECT_TRUE(store);
    return TlsMaterial{(*store)->server_chain_pem(), (*store)->server_key_pem()};
  }();
  return material;
}

EmailMessage sample_message() {
  EmailMessage message;
  message.from = {"Gate camera", "camera@site.test"};
  message.to = {{"Guard", "guard@site.test"}, {"", "office@site.test"}};
  message.subject = "Motion alarm on channel 1";
  message.body = "First line\n.a line starting with a dot\nlast line";
  message.date = hal::WallTime{test::LockstepTestClock::k_wall_origin};
  return message;
}

SmtpSettings to(const SmtpTestServer& server, MailSecurity security = MailSecurity::none) {
  SmtpSettings settings;
  settings.server = "127.0.0.1";
  settings.port = server.port();
  settings.security = security;
  return settings;
}

TEST(EmailMessage, RendersHeadersBodyAndPictures) {
  auto message = sample_message();
  message.subject = "Bewegung erkannt: Kanal 1 – Einfahrt";
  message.attachments = {{"picture1.jpg", std::string("\xff\xd8\xff\xe0 jpeg one\0\x01", 16)}, {"picture2.jpg", "two"}};
  const auto parsed = parse_mail(render_message(message, "b0undary"));
  EXPECT_EQ(parsed.headers.at("From"), "\"Gate camera\" <camera@site.test>");
  EXPECT_EQ(parsed.headers.at("To"), "\"Guard\" <guard@site.test>, <office@site.test>");
  EXPECT_EQ(parsed.headers.at("Date"), "Fri, 01 Mar 2024 12:00:00 +0000");
  // A non-ASCII subject is an encoded word that decodes to the text.
  const auto& subject = parsed.headers.at("Subject");
  ASSERT_TRUE(subject.starts_with("=?UTF-8?B?"));
  EXPECT_EQ(core::base64_decode(subject.substr(10, subject.size() - 12)), message.subject);
  EXPECT_EQ(parsed.text, "First line\r\n.a line starting with a dot\r\nlast line\r\n");
  ASSERT_EQ(parsed.attachments.size(), 2u);
  EXPECT_EQ(parsed.attachments[0].second, message.attachments[0].jpeg);
  EXPECT_EQ(parsed.attachments[0].first.at("Content-Type"), "image/jpeg; name=\"picture1.jpg\"");
  EXPECT_EQ(parsed.attachments[1].first.at("Content-Disposition"), "attachment; filename=\"picture2.jpg\"");
}

TEST(EmailMessage, DataDoublesLeadingDotsAndEndsWithTheDotLine) {
  EXPECT_EQ(dot_stuff(".x\r\nok\r\n..y\r\n"), "..x\r\nok\r\n...y\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no final line end"), "no final line end\r\n.\r\n");
}

TEST(SmtpClient, SendsEnvelopeAndMessageInPlainText) {
  SmtpTestServer server({});
  ASSERT_TRUE(send_mail(to(server), sample_message(), 5s));
  const auto mails = server.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].mail_from, "camera@site.test");
  EXPECT_EQ(mails[0].rcpt_to, (std::vector<std::string>{"guard@site.test", "office@site.test"}));
  EXPECT_FALSE(mails[0].tls);
  const auto parsed = parse_mail(mails[0].data);
  EXPECT_EQ(parsed.headers.at("Subject"), "Motion alarm on channel 1");
  // The line starting with a dot arrives as written: stuffed by the client, unstuffed by the server.
  EXPECT_EQ(parsed.text, "First line\r\n.a line starting with a dot\r\nlast line\r\n");
}

TEST(SmtpClient, SslEncryptsFromTheFirstByte) {
  SmtpTestServerOptions options;
  options.tls = SmtpTestServerOptions::Tls::implicit;
  options.certificate_pem = tls_material().certificate;
  options.key_pem = tls_material().key;
  SmtpTestServer server(options);
  auto sent = send_mail(to(server, MailSecurity::ssl), sample_message(), 5s);
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_EQ(server.mails().size(), 1u);
  EXPECT_TRUE(server.mails()[0].tls);
  // Plain SMTP to an SMTPS port fails with an error naming the server, within the timeout.
  auto plain = send_mail(to(server, MailSecurity::none), sample_message(), 300ms);
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos);
}

TEST(SmtpClient, StartTlsUpgradesThePlainConnection) {
  SmtpTestServerOptions options;
  options.tls = SmtpTestServerOptions::Tls::starttls;
  options.certificate_pem = tls_material().certificate;
  options.key_pem = tls_material().key;
  options.user = "camera";
  options.password = "s3cret";
  options.auth_mechanisms = {"LOGIN"};
  SmtpTestServer server(options);
  auto settings = to(server, MailSecurity::starttls);
  settings.authenticate = true;
  settings.user = "camera";
  settings.password = "s3cret";
  auto sent = send_mail(settings, sample_message(), 5s);
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_EQ(server.mails().size(), 1u);
  EXPECT_TRUE(server.mails()[0].tls);
  EXPECT_EQ(server.mails()[0].auth_mechanism, "LOGIN");
  EXPECT_EQ(server.mails()[0].auth_user, "camera");
}

TEST(SmtpClient, WithoutStartTlsOfferedTheMailGoesUnencryptedAsTheManualSays) {
  SmtpTestServer server({});
  ASSERT_TRUE(send_mail(to(server, MailSecurity::starttls), sample_message(), 5s));
  ASSERT_EQ(server.mails().size(), 1u);
  EXPECT_FALSE(server.mails()[0].tls);
}

TEST(SmtpClient, AuthPlainAndTheServersRefusalsReachTheUser) {
  SmtpTestServerOptions options;
  options.user = "camera";
  options.password = "s3cret";
  SmtpTestServer server(options);
  auto settings = to(server);
  settings.authenticate = true;
  settings.user = "camera";
  settings.password = "wrong";
  auto refused = send_mail(settings, sample_message(), 5s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("535 5.7.8"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("user name or password"), std::string::npos) << refused.error().message;

  settings.password = "s3cret";
  auto sent = send_mail(settings, sample_message(), 5s);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(server.mails().at(0).auth_mechanism, "PLAIN");

  // Without authentication the server refuses the sender, and the error says so.
  auto anonymous = send_mail(to(server), sample_message(), 5s);
  ASSERT_FALSE(anonymous);
  EXPECT_NE(anonymous.error().message.find("refused the sender <camera@site.test>: 530"), std::string::npos)
      << anonymous.error().message;
}

TEST(SmtpClient, RefusedReceiverIsNamed) {
  SmtpTestServerOptions options;
  options.rcpt_refusal = "550 5.1.1 no such user";
  SmtpTestServer server(options);
  auto refused = send_mail(to(server), sample_message(), 5s);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("<guard@site.test>: 550 5.1.1 no such user"), std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(server.mails().empty());
}

EmailSettings settings_for(const SmtpTestServer& server) {
  EmailSettings settings;
  settings.smtp = to(server);
  settings.sender = {"Camera", "camera@site.test"};
  settings.receivers = {{"Guard", "guard@site.test"}, {"Office", "office@site.test"}, {"", "night@site.test"}};
  return settings;
}

class EmailLinkageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine.start();
    auto settings = *engine.settings("VMD-1");
    settings.linkage.send_email = true;
    settings.linkage.notify_center = true;
    ASSERT_TRUE(engine.configure("VMD-1", settings));
  }
  void TearDown() override { engine.stop(); }

  Event motion() {
    Event event;
    event.kind = EventKind::motion;
    event.channel = 1;
    event.state = EventState::pulse;
    return event;
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  EventEngine engine{clock, bus, nullptr, nullptr};
};

TEST_F(EmailLinkageTest, EventMailCarriesThreePicturesOfTheChannel) {
  SmtpTestServer server({});
  auto settings = settings_for(server);
  settings.attach_pictures = true;
  settings.picture_interval = 3s;
  EmailNotifierOptions options;
  options.identity = [] {
    DeviceIdentity device;
    device.ip_address = "192.0.2.64";
    device.utc_offset = [](hal::WallTime) { return std::chrono::seconds(8h); };
    return device;
  };
  EmailNotifier notifier(clock, [&] { return settings; }, options);
  std::vector<hal::Nanos> taken;
  notifier.set_picture_provider([&](int channel) -> Result<std::string> {
    taken.push_back(clock.now());
    return "jpeg of channel " + std::to_string(channel) + " #" + std::to_string(taken.size());
  });
  engine.set_hook(LinkageHook::send_email, [&](const Event& event) { notifier.notify(event); });
  engine.submit(motion());
  // The pictures are an interval apart in device time, which moves only when advanced.
  while (!server.wait_for_mails(1, 20ms)) clock.advance_to(clock.now() + 1s);
  const auto mail = server.mails().at(0);
  EXPECT_EQ(mail.rcpt_to, (std::vector<std::string>{"guard@site.test", "office@site.test", "night@site.test"}));
  const auto parsed = parse_mail(mail.data);
  EXPECT_EQ(parsed.headers.at("Subject"), "Motion alarm on channel 1 (2024-03-01T20:00:00+08:00)");
  EXPECT_NE(parsed.text.find("EVENT TYPE:    Motion alarm"), std::string::npos) << parsed.text;
  EXPECT_NE(parsed.text.find("EVENT TIME:    2024-03-01T20:00:00+08:00"), std::string::npos) << parsed.text;
  EXPECT_NE(parsed.text.find("192.0.2.64"), std::string::npos);
  ASSERT_EQ(parsed.attachments.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(parsed.attachments[static_cast<std::size_t>(i)].second, "jpeg of channel 1 #" + std::to_string(i + 1));
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[1] - taken[0], std::chrono::nanoseconds(3s));
  EXPECT_EQ(taken[2] - taken[1], std::chrono::nanoseconds(3s));
  // The server records the mail before its final reply; the count follows that reply.
  for (int i = 0; i < 200 && notifier.stats().sent == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(notifier.stats().sent, 1u);
}

TEST_F(EmailLinkageTest, DeadMailServerStallsNeitherTheEngineNorTheCenter) {
  SmtpTestServerOptions dead;
  dead.silent = true;
  SmtpTestServer server(dead);
  EmailNotifierOptions options;
  options.send_timeout = 300ms;
  options.queue_capacity = 4;
  options.max_attempts = 2;
  EmailNotifier notifier(clock, [&] { return settings_for(server); }, options);
  engine.set_hook(LinkageHook::send_email, [&](const Event& event) { notifier.notify(event); });
  auto center = bus.subscribe<CenterNotification>(64);

  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) engine.submit(motion());
  const auto took = std::chrono::steady_clock::now() - started;
  // 20 events through the engine while the mail server hangs: far less than one SMTP timeout.
  EXPECT_LT(took, 100ms);
  int notified = 0;
  while (center->try_pop()) ++notified;
  EXPECT_EQ(notified, 20);
  // The queue holds 4; the rest are counted, not silently lost.
  EXPECT_GE(notifier.stats().dropped, 15u);
  // The first attempt times out with an error a user can act on, and is retried after backoff.
  for (int i = 0; i < 200 && notifier.stats().failed_attempts == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GE(notifier.stats().failed_attempts, 1u);
  EXPECT_NE(notifier.stats().last_error.find("no complete answer within 300 ms"), std::string::npos)
      << notifier.stats().last_error;
  EXPECT_GE(server.connections(), 1);
  notifier.stop();
}

TEST_F(EmailLinkageTest, TestMailReportsTheSmtpError) {
  SmtpTestServerOptions options;
  options.rcpt_refusal = "550 5.7.1 relaying denied";
  SmtpTestServer refusing(options);
  EmailNotifier notifier(clock, [] { return EmailSettings{}; });
  auto refused = notifier.send_test(settings_for(refusing));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("550 5.7.1 relaying denied"), std::string::npos) << refused.error().message;

  SmtpTestServer server({});
  ASSERT_TRUE(notifier.send_test(settings_for(server)));
  const auto parsed = parse_mail(server.mails().at(0).data);
  EXPECT_TRUE(parsed.headers.at("Subject").starts_with("Test email from network camera")) << parsed.headers.at("Subject");

  auto incomplete = settings_for(server);
  incomplete.receivers.clear();
  auto missing = notifier.send_test(incomplete);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "no receiver address is set");
}

}  // namespace
}  // namespace camrig::events
