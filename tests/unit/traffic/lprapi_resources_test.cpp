// The LPRAPI and Wiegand ISAPI resources through the router: settings in and out of the config
// service, the write-only password, refused addresses and values, permissions, and the push's
// delivery state.
#include <gtest/gtest.h>

#include "device/isapi/isapi.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

std::string doc(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\"?><" + root + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</" + root + ">";
}

class LprApiResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("lpr-camera");
    add_viewer();
    traffic::LprApiParts parts;
    parts.clock = &clock;
    parts.bus = &bus;
    parts.config = config.get();
    push = std::make_unique<traffic::LprApiService>(parts);
    auto with = services();
    with.lprapi = push.get();
    route(with);
  }
  std::unique_ptr<traffic::LprApiService> push;
};

TEST_F(LprApiResourcesTest, SettingsRoundTripWithAWriteOnlyPassword) {
  auto put = send(verb::put, "/ISAPI/System/Network/LPRAPI",
                  doc("LPRAPI", "<enabled>true</enabled><Basic><platformServer>http://10.0.0.9:7070</platformServer>"
                                "<keepAliveInterval>60</keepAliveInterval></Basic><Authentication><enabled>true</enabled>"
                                "<userName>lpr</userName><password>Secret-1</password></Authentication>"
                                "<ImageConfig><plateCutout>true</plateCutout></ImageConfig>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("lprapi.password"), "Secret-1");
  auto get = send(verb::get, "/ISAPI/System/Network/LPRAPI");
  ASSERT_EQ(get->http_status, status::ok) << get->body;
  EXPECT_EQ(get->text({"enabled"}), "true");
  EXPECT_EQ(get->text({"Basic", "platformServer"}), "http://10.0.0.9:7070");
  EXPECT_EQ(get->text({"Basic", "keepAliveInterval"}), "60");
  EXPECT_EQ(get->text({"Basic", "heartbeatInterface"}), "/FunctionInterface/KeepAlive");
  EXPECT_EQ(get->text({"Authentication", "userName"}), "lpr");
  EXPECT_EQ(get->text({"Authentication", "password"}), "<absent>");
  EXPECT_EQ(get->text({"ImageConfig", "plateCutout"}), "true");
}

TEST_F(LprApiResourcesTest, BadAddressesAndValuesAreRefusedAndNothingIsStored) {
  auto https = send(verb::put, "/ISAPI/System/Network/LPRAPI",
                    doc("LPRAPI", "<enabled>true</enabled><Basic><platformServer>https://10.0.0.9</platformServer></Basic>"));
  EXPECT_EQ(https->http_status, status::bad_request) << https->body;
  EXPECT_NE(https->body.find("http://"), std::string::npos) << https->body;
  auto interval = send(verb::put, "/ISAPI/System/Network/LPRAPI",
                       doc("LPRAPI", "<enabled>true</enabled><Basic><keepAliveInterval>0</keepAliveInterval></Basic>"));
  EXPECT_NE(interval->http_status, status::ok);
  EXPECT_FALSE(config->get_bool("lprapi.enabled"));
}

TEST_F(LprApiResourcesTest, ViewersReadTheStatusButNotTheSettings) {
  EXPECT_EQ(send_as(test::k_viewer_basic, verb::get, "/ISAPI/System/Network/LPRAPI")->http_status, status::forbidden);
  auto state = send_as(test::k_viewer_basic, verb::get, "/ISAPI/System/Network/LPRAPI/status");
  ASSERT_EQ(state->http_status, status::ok) << state->body;
  EXPECT_EQ(state->text({"connected"}), "false");
  EXPECT_EQ(state->text({"queuedMessages"}), "0");
}

TEST_F(LprApiResourcesTest, WiegandSettings) {
  auto put = send(verb::put, "/ISAPI/System/Wiegand/1",
                  doc("Wiegand", "<enabled>true</enabled><format>34</format><cardNumberSource>allowlist_card</cardNumberSource>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  auto get = send(verb::get, "/ISAPI/System/Wiegand/1");
  EXPECT_EQ(get->text({"format"}), "34");
  EXPECT_EQ(get->text({"cardNumberSource"}), "allowlist_card");
  EXPECT_EQ(get->text({"facilityCode"}), "0");
  auto bad = send(verb::put, "/ISAPI/System/Wiegand/1", doc("Wiegand", "<format>32</format>"));
  EXPECT_EQ(bad->http_status, status::bad_request) << bad->body;
}

}  // namespace
}  // namespace camrig::isapi
