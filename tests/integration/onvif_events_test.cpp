// The ONVIF Event and DeviceIO services over real HTTP, driven by gSOAP clients generated from the
// same WSDLs (PullPointSubscriptionBindingProxy, DeviceIOBindingProxy, UsernameToken) against a
// camera started in-process with simulated alarm inputs and relays: pull points long-poll for the
// alarm input and relay changes, expire, renew and unsubscribe; base notification reaches an HTTP consumer.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <thread>

#include "soapDeviceIOBindingProxy.h"
#include "soapPullPointSubscriptionBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";
constexpr const char* k_dialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";

//! A notification consumer: every POST body it receives, answered 200.
class Consumer {
 public:
  Consumer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        boost::asio::ip::tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stop.stop_requested()) return;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> request;
        boost::beast::http::read(socket, buffer, request, ec);
        if (ec) continue;
        {
          std::lock_guard lock(mutex_);
          bodies_.push_back(request.body());
        }
        changed_.notify_all();
        boost::beast::http::response<boost::beast::http::string_body> response{boost::beast::http::status::ok, 11};
        response.keep_alive(false);
        response.prepare_payload();
        boost::beast::http::write(socket, response, ec);
      }
    });
  }
  ~Consumer() {
    thread_.request_stop();
    // A connection wakes the blocking accept(), which then sees the stop.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    thread_.join();
    acceptor_.close(ec);
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  //! The first body received containing `text`, waiting up to `timeout`.
  std::optional<std::string> wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& body : bodies_)
        if (body.find(text) != std::string::npos) found = body;
      return found.has_value();
    });
    return found;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> bodies_;
  std::jthread thread_;
};

class OnvifEventsOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    http_port = test::free_tcp_port();
    const auto options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password);
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}, &inputs, &relays}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
    // "Enable Alarm Input Handling": only then does the engine record the input's alarms.
    auto io = device->events().engine().settings("IO-1");
    ASSERT_TRUE(io) << io.error().message;
    io->enabled = true;
    ASSERT_TRUE(device->events().configure_source("IO-1", *io));
    base = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/";
    event_endpoint = base + "event_service";
    deviceio_endpoint = base + "deviceio_service";
    // PullMessages may wait up to its own timeout (20 s in these tests) before answering.
    test::onvif::aim(events.soap, events.soap_endpoint, event_endpoint, 30);
    test::onvif::aim(deviceio.soap, deviceio.soap_endpoint, deviceio_endpoint, 30);
  }

  static void sign(struct soap* soap) { ASSERT_EQ(test::onvif::sign(soap, "admin", k_password), SOAP_OK); }

  static std::string fault_subcode(struct soap* soap) { return test::onvif::fault_subcode(soap); }

  //! A pull point for `topics`; its address.
  std::string create_pull_point(const std::string& topics, const char* termination = nullptr) {
    wsnt__TopicExpressionType expression;
    expression.Dialect = k_dialect;
    expression.__item = topics;
    wsnt__FilterType filter;
    filter.wsnt__TopicExpression = &expression;
    _tev__CreatePullPointSubscription request;
    request.Filter = &filter;
    std::string initial = termination ? termination : "";
    if (termination) request.InitialTerminationTime = &initial;
    _tev__CreatePullPointSubscriptionResponse response;
    sign(events.soap);
    EXPECT_EQ(events.CreatePullPointSubscription(&request, response), SOAP_OK) << fault_subcode(events.soap);
    return response.SubscriptionReference.Address ? response.SubscriptionReference.Address : "";
  }

  struct Pulled {
    int status = SOAP_OK;
    std::vector<std::string> messages;  //!< "<topic> <tt:Message ...>"
    time_t termination = 0;
    std::string fault;
  };

  //! One PullMessages on its own client, so that several can wait at once.
  Pulled pull(const std::string& address, const std::string& timeout, int limit = 10) {
    PullPointSubscriptionBindingProxy client{SOAP_C_UTFSTRING};
    client.soap->connect_timeout = 10;
    client.soap->recv_timeout = 30;
    _tev__PullMessages request;
    request.Timeout = timeout;
    request.MessageLimit = limit;
    _tev__PullMessagesResponse response;
    sign(client.soap);
    Pulled pulled;
    pulled.status = client.PullMessages(address.c_str(), nullptr, &request, response);
    if (pulled.status != SOAP_OK) {
      pulled.fault = fault_subcode(client.soap);
      return pulled;
    }
    pulled.termination = response.TerminationTime;
    for (const auto* message : response.wsnt__NotificationMessage)
      pulled.messages.push_back((message->Topic ? message->Topic->__item : std::string()) + " " +
                                (message->Message.__any ? message->Message.__any : ""));
    return pulled;
  }

  static bool any_contains(const std::vector<std::string>& messages, const std::vector<std::string>& parts) {
    return std::any_of(messages.begin(), messages.end(), [&](const std::string& message) {
      return std::all_of(parts.begin(), parts.end(), [&](const std::string& part) { return message.find(part) != std::string::npos; });
    });
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  sim::VirtualInputs inputs{clock, 1};
  sim::VirtualRelays relays{clock, 1};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  std::string base;
  std::string event_endpoint;
  std::string deviceio_endpoint;
  PullPointSubscriptionBindingProxy events{SOAP_C_UTFSTRING};
  DeviceIOBindingProxy deviceio{SOAP_C_UTFSTRING};
};

TEST_F(OnvifEventsOverHttp, EventPropertiesListTheTopicsOfTheProfileAndTheServiceCapabilities) {
  _tev__GetEventProperties request;
  _tev__GetEventPropertiesResponse response;
  sign(events.soap);
  ASSERT_EQ(events.GetEventProperties(&request, response), SOAP_OK) << fault_subcode(events.soap);
  ASSERT_TRUE(response.wstop__TopicSet);
  std::string topics;
  for (const char* root : response.wstop__TopicSet->__any) topics += root ? root : "";
  for (const char* topic : {"MotionAlarm", "GlobalSceneChange", "ImagingService", "CellMotionDetector", "LineDetector",
                            "Crossed", "FieldDetector", "ObjectsInside", "DigitalInput", "Relay"})
    EXPECT_NE(topics.find(topic), std::string::npos) << topic << " missing from " << topics;
  EXPECT_EQ(topics.find("LicensePlate"), std::string::npos) << "the network camera has no plate recognition";
  EXPECT_NE(topics.find("IsProperty=\"true\""), std::string::npos);

  _tev__GetServiceCapabilities capabilities_request;
  _tev__GetServiceCapabilitiesResponse capabilities;
  ASSERT_EQ(events.GetServiceCapabilities(&capabilities_request, capabilities), SOAP_OK) << "no credentials needed";
  ASSERT_TRUE(capabilities.Capabilities && capabilities.Capabilities->MaxPullPoints);
  EXPECT_GE(*capabilities.Capabilities->MaxPullPoints, 2);

  _tev__GetEventProperties anonymous;
  EXPECT_NE(events.GetEventProperties(&anonymous, response), SOAP_OK) << "event properties need a login";
}

TEST_F(OnvifEventsOverHttp, AnAlarmInputArrivesAsDigitalInputWithinThePullTimeout) {
  const auto address = create_pull_point("tns1:Device/Trigger/DigitalInput");
  ASSERT_NE(address.find("/onvif/event_service/"), std::string::npos) << address;
  const auto initial = pull(address, "PT1S");
  ASSERT_EQ(initial.status, SOAP_OK) << initial.fault;
  EXPECT_TRUE(any_contains(initial.messages, {"tns1:Device/Trigger/DigitalInput", "PropertyOperation=\"Initialized\"",
                                              "Value=\"AlarmIn_1\"", "Name=\"LogicalState\" Value=\"false\""}))
      << testing::PrintToString(initial.messages);

  // The pull waits for the input; it must come back with it long before its 20 s timeout.
  auto waiting = std::async(std::launch::async, [&] { return pull(address, "PT20S"); });
  const auto toggled = std::chrono::steady_clock::now();
  ASSERT_TRUE(inputs.set_active(0, true));
  const auto changed = waiting.get();
  const auto elapsed = std::chrono::steady_clock::now() - toggled;
  ASSERT_EQ(changed.status, SOAP_OK) << changed.fault;
  EXPECT_TRUE(any_contains(changed.messages, {"DigitalInput", "PropertyOperation=\"Changed\"",
                                              "Name=\"LogicalState\" Value=\"true\""}))
      << testing::PrintToString(changed.messages);
  EXPECT_LT(elapsed, 5s);

  // Nothing new: an empty answer when the timeout passes.
  const auto idle_start = std::chrono::steady_clock::now();
  const auto idle = pull(address, "PT0.3S");
  ASSERT_EQ(idle.status, SOAP_OK) << idle.fault;
  EXPECT_TRUE(idle.messages.empty()) << testing::PrintToString(idle.messages);
  EXPECT_GE(std::chrono::steady_clock::now() - idle_start, 250ms);

  // SetSynchronizationPoint sends the properties' current state again.
  _tev__SetSynchronizationPoint synchronize;
  _tev__SetSynchronizationPointResponse synchronized;
  sign(events.soap);
  ASSERT_EQ(events.SetSynchronizationPoint(address.c_str(), nullptr, &synchronize, synchronized), SOAP_OK)
      << fault_subcode(events.soap);
  const auto again = pull(address, "PT1S");
  EXPECT_TRUE(any_contains(again.messages, {"Initialized", "Name=\"LogicalState\" Value=\"true\""}))
      << testing::PrintToString(again.messages);

  // Bad input: a timeout that is no duration.
  const auto bad = pull(address, "ten seconds");
  EXPECT_EQ(bad.status, SOAP_CLI_FAULT);
  EXPECT_EQ(bad.fault, "ter:InvalidArgVal");
}

TEST_F(OnvifEventsOverHttp, ARelayChangeReachesTwoPullPointsAndIsSeenOnIsapi) {
  const auto first = create_pull_point("tns1:Device/Trigger/Relay");
  const auto second = create_pull_point("tns1:Device//.");
  ASSERT_NE(first, second);
  for (const auto& address : {first, second}) {
    const auto initial = pull(address, "PT1S");
    EXPECT_TRUE(any_contains(initial.messages, {"Relay", "Initialized", "Value=\"inactive\""}))
        << testing::PrintToString(initial.messages);
  }
  auto first_waiting = std::async(std::launch::async, [&] { return pull(first, "PT20S"); });
  auto second_waiting = std::async(std::launch::async, [&] { return pull(second, "PT20S"); });

  // Manual (bistable) mode, so the relay stays closed until set inactive.
  tt__RelayOutputSettings properties;
  properties.Mode = tt__RelayMode__Bistable;
  properties.DelayTime = "PT0S";
  properties.IdleState = tt__RelayIdleState__open;
  tt__RelayOutput relay;
  relay.token = "AlarmOut_1";
  relay.Properties = &properties;
  _tmd__SetRelayOutputSettings settings;
  settings.RelayOutput = &relay;
  _tmd__SetRelayOutputSettingsResponse settings_response;
  sign(deviceio.soap);
  ASSERT_EQ(deviceio.SetRelayOutputSettings(&settings, settings_response), SOAP_OK) << fault_subcode(deviceio.soap);
  EXPECT_FALSE(device->events().engine().outputs().settings(1)->delay.has_value()) << "Manual, stored";

  _tds__SetRelayOutputState state;
  state.RelayOutputToken = "AlarmOut_1";
  state.LogicalState = tt__RelayLogicalState__active;
  _tds__SetRelayOutputStateResponse state_response;
  sign(deviceio.soap);
  ASSERT_EQ(deviceio.SetRelayOutputState(&state, state_response), SOAP_OK) << fault_subcode(deviceio.soap);
  EXPECT_TRUE(relays.closed(0));

  for (auto* waiting : {&first_waiting, &second_waiting}) {
    const auto pulled = waiting->get();
    ASSERT_EQ(pulled.status, SOAP_OK) << pulled.fault;
    EXPECT_TRUE(any_contains(pulled.messages, {"tns1:Device/Trigger/Relay", "Changed", "Value=\"AlarmOut_1\"",
                                               "Value=\"active\""}))
        << testing::PrintToString(pulled.messages);
  }
  const auto isapi = test::onvif::isapi(http_port, "admin", k_password, "GET", "/ISAPI/System/IO/outputs/1/status");
  EXPECT_NE(isapi.out.find("<ioState>active</ioState>"), std::string::npos) << isapi.out << isapi.err;

  _tds__GetRelayOutputs list;
  _tds__GetRelayOutputsResponse listed;
  sign(deviceio.soap);
  ASSERT_EQ(deviceio.GetRelayOutputs(&list, listed), SOAP_OK) << fault_subcode(deviceio.soap);
  ASSERT_EQ(listed.RelayOutputs.size(), 1u);
  EXPECT_EQ(listed.RelayOutputs[0]->Properties->Mode, tt__RelayMode__Bistable);

  // Bad input: a delay the outputs do not have, and an unknown relay.
  properties.Mode = tt__RelayMode__Monostable;
  properties.DelayTime = "PT7S";
  sign(deviceio.soap);
  EXPECT_EQ(deviceio.SetRelayOutputSettings(&settings, settings_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(deviceio.soap), "ter:InvalidArgVal");
  state.RelayOutputToken = "AlarmOut_9";
  sign(deviceio.soap);
  EXPECT_EQ(deviceio.SetRelayOutputState(&state, state_response), SOAP_CLI_FAULT);

  _tmd__GetDigitalInputs inputs_request;
  _tmd__GetDigitalInputsResponse digital_inputs;
  sign(deviceio.soap);
  ASSERT_EQ(deviceio.GetDigitalInputs(&inputs_request, digital_inputs), SOAP_OK) << fault_subcode(deviceio.soap);
  ASSERT_EQ(digital_inputs.DigitalInputs.size(), 1u);
  EXPECT_EQ(digital_inputs.DigitalInputs[0]->token, "AlarmIn_1");
}

TEST_F(OnvifEventsOverHttp, SubscriptionsRenewUnsubscribeExpireAndAreBounded) {
  const auto renewed = create_pull_point("tns1:Device/Trigger/DigitalInput", "PT5S");
  _wsnt__Renew renew;
  std::string sixty = "PT60S";
  renew.TerminationTime = &sixty;
  _wsnt__RenewResponse renew_response;
  sign(events.soap);
  ASSERT_EQ(events.Renew(renewed.c_str(), nullptr, &renew, renew_response), SOAP_OK) << fault_subcode(events.soap);
  EXPECT_GE(renew_response.TerminationTime, std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + 50);

  _wsnt__Unsubscribe unsubscribe;
  _wsnt__UnsubscribeResponse unsubscribed;
  sign(events.soap);
  ASSERT_EQ(events.Unsubscribe(renewed.c_str(), nullptr, &unsubscribe, unsubscribed), SOAP_OK) << fault_subcode(events.soap);
  const auto gone = pull(renewed, "PT1S");
  EXPECT_EQ(gone.status, SOAP_CLI_FAULT) << "an unsubscribed pull point";
  EXPECT_EQ(gone.fault, "ter:InvalidArgVal");

  // A pull point that expires while its client waits: an empty answer at expiry, then a fault.
  const auto expiring = create_pull_point("tns1:Device/Trigger/DigitalInput", "PT1S");
  (void)pull(expiring, "PT0S");  // the initial state
  const auto waited = pull(expiring, "PT10S");
  ASSERT_EQ(waited.status, SOAP_OK) << waited.fault;
  EXPECT_TRUE(waited.messages.empty());
  const auto expired = pull(expiring, "PT1S");
  EXPECT_EQ(expired.status, SOAP_CLI_FAULT) << "an expired pull point";

  // At most MaxPullPoints at once; the next is refused.
  std::vector<std::string> addresses;
  for (int i = 0; i < 4; ++i) addresses.push_back(create_pull_point("tns1:Device//."));
  _tev__CreatePullPointSubscription request;
  _tev__CreatePullPointSubscriptionResponse response;
  sign(events.soap);
  EXPECT_EQ(events.CreatePullPointSubscription(&request, response), SOAP_SVR_FAULT);
  EXPECT_EQ(fault_subcode(events.soap), "ter:Action");

  // Bad input: a topic this device does not have.
  wsnt__TopicExpressionType expression;
  expression.Dialect = k_dialect;
  expression.__item = "tns1:RuleEngine/Recognition/LicensePlate";
  wsnt__FilterType filter;
  filter.wsnt__TopicExpression = &expression;
  request.Filter = &filter;
  sign(events.soap);
  EXPECT_EQ(events.CreatePullPointSubscription(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(events.soap), "ter:InvalidArgVal");
}

TEST_F(OnvifEventsOverHttp, SubscribeSendsNotifyToTheConsumer) {
  Consumer consumer;
  _wsnt__Subscribe subscribe;
  const std::string consumer_url = "http://127.0.0.1:" + std::to_string(consumer.port()) + "/onvif-events";
  subscribe.ConsumerReference.Address = const_cast<char*>(consumer_url.c_str());
  wsnt__TopicExpressionType expression;
  expression.Dialect = k_dialect;
  expression.__item = "tns1:Device/Trigger/DigitalInput";
  wsnt__FilterType filter;
  filter.wsnt__TopicExpression = &expression;
  subscribe.Filter = &filter;
  _wsnt__SubscribeResponse subscribed;
  sign(events.soap);
  ASSERT_EQ(events.Subscribe(&subscribe, subscribed), SOAP_OK) << fault_subcode(events.soap);
  ASSERT_TRUE(subscribed.SubscriptionReference.Address);

  const auto initial = consumer.wait_for("Initialized", 10s);
  ASSERT_TRUE(initial) << "no Notify with the initial state";
  EXPECT_NE(initial->find("Notify"), std::string::npos) << *initial;

  ASSERT_TRUE(inputs.set_active(0, true));
  const auto changed = consumer.wait_for("Value=\"true\"", 10s);
  ASSERT_TRUE(changed) << "no Notify for the alarm input";
  EXPECT_NE(changed->find("tns1:Device/Trigger/DigitalInput"), std::string::npos) << *changed;

  subscribe.ConsumerReference.Address = const_cast<char*>("ftp://127.0.0.1/x");
  sign(events.soap);
  EXPECT_EQ(events.Subscribe(&subscribe, subscribed), SOAP_CLI_FAULT) << "not an http consumer";
}

}  // namespace
}  // namespace camrig
