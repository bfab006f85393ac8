// ISAPI System/Network/mailing through the router, without HTTP sockets: the settings are stored
// in the config service and read back (password write-only, no empty elements), bad values are
// refused with the reason, and the Test action mails the test SMTP peer or reports its refusal.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/isapi_harness.hpp"
#include "tests/support/smtp_test_server.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

class EmailResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("network-camera");
    events = std::make_unique<events::EventService>(clock, bus, *config, profile, &inputs, &relays,
                                                    [] { return events::DeviceIdentity{}; });
    auto with = services();
    with.events = events.get();
    route(with);
  }

  std::pair<status, std::string> send(verb method, const std::string& target, const std::string& body = {}) {
    const auto answer = IsapiHarness::send(method, target, body);
    return {answer->http_status, answer->body};
  }

  static std::string mailing(std::uint16_t port, const std::string& extra_smtp = {}) {
    return "<MailingList><Mailing><id>1</id><Sender><name>Gate</name><emailAddress>camera@site.test</emailAddress>"
           "<Smtp><enableAuthorization>false</enableAuthorization><enableSSL>false</enableSSL><enableTLS>false</enableTLS>"
           "<startTLS>false</startTLS><hostName>127.0.0.1</hostName><portNo>" +
           std::to_string(port) + "</portNo>" + extra_smtp +
           "</Smtp></Sender><ReceiverList><Receiver><id>1</id><name>Guard</name><emailAddress>guard@site.test</emailAddress>"
           "</Receiver><Receiver><id>3</id><emailAddress>night@site.test</emailAddress></Receiver></ReceiverList>"
           "<Attachment><Snapshot><enabled>true</enabled><interval>4</interval></Snapshot></Attachment></Mailing></MailingList>";
  }

  sim::VirtualInputs inputs{clock, 1};
  sim::VirtualRelays relays{clock, 1};
  std::unique_ptr<events::EventService> events;
};

TEST_F(EmailResourcesTest, SettingsAreStoredAndReadBackWithoutThePassword) {
  const auto [put_status, put_body] =
      send(verb::put, "/ISAPI/System/Network/mailing",
           mailing(2525, "<accountName>camera</accountName><password>s3cret</password>"));
  ASSERT_EQ(put_status, status::ok) << put_body;
  EXPECT_EQ(config->get_string("email.smtp_server"), "127.0.0.1");
  EXPECT_EQ(config->get_int("email.smtp_port"), 2525);
  EXPECT_EQ(config->get_string("email.password"), "s3cret");
  EXPECT_EQ(config->get_string("email.receiver3_address"), "night@site.test");
  EXPECT_EQ(config->get_string("email.receiver2_address"), "");
  EXPECT_TRUE(config->get_bool("email.attach_pictures"));
  EXPECT_EQ(config->get_int("email.picture_interval"), 4);

  const auto [get_status, body] = send(verb::get, "/ISAPI/System/Network/mailing");
  ASSERT_EQ(get_status, status::ok);
  EXPECT_EQ(body.find("s3cret"), std::string::npos);
  EXPECT_NE(body.find("<accountName>camera</accountName>"), std::string::npos) << body;
  EXPECT_NE(body.find("<portNo>2525</portNo>"), std::string::npos) << body;
  EXPECT_NE(body.find("<emailAddress>night@site.test</emailAddress>"), std::string::npos) << body;
  EXPECT_NE(body.find("<interval>4</interval>"), std::string::npos) << body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body.c_str()));
  for (auto node : doc.select_nodes("//*")) EXPECT_FALSE(node.node().first_child().empty()) << node.node().name();

  // SSL over STARTTLS: the encryption and the STARTTLS switch as the manual's page has them.
  ASSERT_EQ(send(verb::put, "/ISAPI/System/Network/mailing",
                 "<MailingList><Mailing><Sender><Smtp><enableTLS>true</enableTLS><startTLS>true</startTLS></Smtp>"
                 "</Sender></Mailing></MailingList>")
                .first,
            status::ok);
  EXPECT_EQ(config->get_string("email.encryption"), "TLS");
  EXPECT_EQ(events::email_settings_from_config(*config).smtp.security, events::MailSecurity::starttls);
  EXPECT_EQ(config->get_int("email.smtp_port"), 2525);  // left out: kept
}

TEST_F(EmailResourcesTest, BadValuesAreRefusedWithTheReason) {
  const auto [port_status, port_body] = send(verb::put, "/ISAPI/System/Network/mailing", mailing(0));
  EXPECT_EQ(port_status, status::bad_request) << port_body;
  EXPECT_NE(port_body.find("SMTP Port"), std::string::npos) << port_body;
  const auto [address_status, address_body] = send(
      verb::put, "/ISAPI/System/Network/mailing",
      "<MailingList><Mailing><ReceiverList><Receiver><id>2</id><emailAddress>nobody</emailAddress></Receiver>"
      "</ReceiverList></Mailing></MailingList>");
  EXPECT_EQ(address_status, status::bad_request);
  EXPECT_NE(address_body.find("'nobody' is not an email address"), std::string::npos) << address_body;
  const auto [receiver_status, receiver_body] =
      send(verb::put, "/ISAPI/System/Network/mailing",
           "<MailingList><Mailing><ReceiverList><Receiver><id>4</id><emailAddress>a@b.test</emailAddress></Receiver>"
           "</ReceiverList></Mailing></MailingList>");
  EXPECT_NE(receiver_status, status::ok);
  EXPECT_NE(receiver_body.find("receiver id must be 1 to 3"), std::string::npos) << receiver_body;
  EXPECT_EQ(config->get_string("email.receiver2_address"), "");
}

TEST_F(EmailResourcesTest, TestSendsAMailWithTheFormsSettingsOrReportsTheSmtpError) {
  test::SmtpTestServer server({});
  // The form's values, not saved: the test mail uses them, the stored settings stay as they were.
  const auto [sent_status, sent_body] = send(verb::post, "/ISAPI/System/Network/mailing/test", mailing(server.port()));
  ASSERT_EQ(sent_status, status::ok) << sent_body;
  ASSERT_EQ(server.mails().size(), 1u);
  EXPECT_EQ(server.mails()[0].rcpt_to, (std::vector<std::string>{"guard@site.test", "night@site.test"}));
  EXPECT_EQ(config->get_string("email.smtp_server"), "");

  test::SmtpTestServerOptions refusing;
  refusing.rcpt_refusal = "550 5.7.1 relaying denied";
  test::SmtpTestServer strict(refusing);
  const auto [refused_status, refused_body] =
      send(verb::post, "/ISAPI/System/Network/mailing/test", mailing(strict.port()));
  EXPECT_NE(refused_status, status::ok);
  EXPECT_NE(refused_body.find("550 5.7.1 relaying denied"), std::string::npos) << refused_body;

  // Nothing stored and no body: the answer says what is missing.
  const auto [empty_status, empty_body] = send(verb::post, "/ISAPI/System/Network/mailing/test");
  EXPECT_NE(empty_status, status::ok);
  EXPECT_NE(empty_body.find("no SMTP server is set"), std::string::npos) << empty_body;
}

}  // namespace
}  // namespace camrig::isapi
