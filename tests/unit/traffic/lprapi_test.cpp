// LPRAPI without a network: the platform server address, the vehicle message with only the
// selected data types, fields and pictures, and the outbox on a simulated memory card (order,
// numbering across a restart, a card that fails or is taken out).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/core/base64.hpp"
#include "device/core/config_schema.hpp"
#include "device/traffic/lprapi_message.hpp"
#include "device/traffic/lprapi_queue.hpp"
#include "device/traffic/lprapi_settings.hpp"
#include "sim/sd_card_model.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::traffic {
namespace {

using nlohmann::json;

TEST(LprApiServer, ParsesHostPortAndPrefix) {
  auto server = parse_platform_server("http://192.168.0.1:7070");
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(server->host, "192.168.0.1");
  EXPECT_EQ(server->port, 7070);
  EXPECT_EQ(server->base_path, "");
  server = parse_platform_server("http://platform.example/api/");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->host, "platform.example");
  EXPECT_EQ(server->port, 80);
  EXPECT_EQ(server->base_path, "/api");
  server = parse_platform_server("http://[::1]:8080");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->host, "::1");
  EXPECT_EQ(server->port, 8080);
}

TEST(LprApiServer, RefusesWhatIsNotAnHttpAddress) {
  auto https = parse_platform_server("https://192.168.0.1");
  ASSERT_FALSE(https);
  EXPECT_NE(https.error().message.find("http://"), std::string::npos);
  EXPECT_FALSE(parse_platform_server("http://:7070"));
  EXPECT_FALSE(parse_platform_server("http://host:0"));
  EXPECT_FALSE(parse_platform_server("http://host:70000"));
  EXPECT_FALSE(parse_platform_server("http://host:"));
}

events::Event anpr(const std::string& plate, const std::string& verdict) {
  events::Event event;
  event.kind = events::EventKind::vehicle_detection;
  event.channel = 1;
  event.wall_time = hal::WallTime{std::chrono::seconds(1709294400)};
  events::Target target;
  target.plate = plate;
  target.list_verdict = verdict;
  target.direction = "approaching";
  event.target = target;
  return event;
}

TEST(LprApiMessage, CarriesOnlyTheSelectedDataTypesAndFields) {
  LprApiSettings settings;
  settings.device_id = "cd0a0231-b4df";
  settings.device_info = false;
  settings.barrier_info = true;
  settings.direction = false;
  settings.location = true;
  settings.location_text = "Gate 1";
  VehicleRecord vehicle;
  vehicle.read.confidence = 0.87;
  vehicle.barrier = BarrierAction::opened;
  vehicle.read.trigger = CaptureTrigger::manual;
  const auto text = vehicle_message(settings, 42, anpr("ABC123", "blocked"), vehicle, {}, {{"original", "JPEG"}});
  const auto message = json::parse(text);
  EXPECT_EQ(message["protocolVersion"], "V1.00");
  EXPECT_EQ(message["messageType"], "vehicle");
  EXPECT_EQ(message["deviceId"], "cd0a0231-b4df");
  EXPECT_EQ(message["sequence"], 42);
  EXPECT_FALSE(message.contains("deviceInfo"));
  const auto& lpr = message["lprInfo"];
  EXPECT_EQ(lpr["plateNumber"], "ABC123");
  EXPECT_FALSE(lpr.contains("direction"));
  EXPECT_EQ(lpr["captureTime"], "2024-03-01T12:00:00Z");
  EXPECT_EQ(lpr["location"], "Gate 1");
  EXPECT_DOUBLE_EQ(lpr["accuracy"].get<double>(), 0.87);
  EXPECT_EQ(lpr["inBlocklist"], true);
  EXPECT_EQ(lpr["captureTrigger"], "manual");
  EXPECT_EQ(message["barrierInfo"]["action"], std::string(to_string(BarrierAction::opened)));
  ASSERT_EQ(message["pictures"].size(), 1u);
  EXPECT_EQ(message["pictures"][0]["type"], "original");
  EXPECT_EQ(core::base64_decode(message["pictures"][0]["data"].get<std::string>()), "JPEG");
}

TEST(LprApiMessage, DeviceInfoAndPictureSelection) {
  LprApiSettings settings;
  settings.lpr_info = false;
  DeviceBasicInfo device;
  device.model = "lpr-camera";
  device.serial_number = "SN1";
  const auto message = json::parse(vehicle_message(settings, 1, anpr("ABC123", "allowed"), std::nullopt, device, {}));
  EXPECT_EQ(message["deviceInfo"]["model"], "lpr-camera");
  EXPECT_EQ(message["deviceInfo"]["serialNumber"], "SN1");
  EXPECT_FALSE(message.contains("lprInfo"));
  EXPECT_FALSE(message.contains("pictures"));

  settings.plate_cutout = true;
  EXPECT_TRUE(picture_selected(settings, "original", false));
  EXPECT_TRUE(picture_selected(settings, "plateCutout", false));
  EXPECT_FALSE(picture_selected(settings, "vehicleCutout", false));
  settings.upload_picture = PictureUpload::blocklist;
  EXPECT_FALSE(picture_selected(settings, "original", false));
  EXPECT_TRUE(picture_selected(settings, "original", true));
  settings.upload_picture = PictureUpload::none;
  EXPECT_FALSE(picture_selected(settings, "original", true));
  EXPECT_EQ(lprapi_picture_type("plate"), "plateCutout");
  EXPECT_EQ(lprapi_picture_type("face"), "");
}

TEST(LprApiMessage, UnlicensedFilter) {
  LprApiSettings settings;
  EXPECT_TRUE(vehicle_selected(settings, anpr("", "unknown")));
  settings.filter_unlicensed = true;
  EXPECT_FALSE(vehicle_selected(settings, anpr("", "unknown")));
  EXPECT_TRUE(vehicle_selected(settings, anpr("ABC123", "unknown")));
  auto motion = anpr("ABC123", "unknown");
  motion.kind = events::EventKind::motion;
  EXPECT_FALSE(vehicle_selected(settings, motion));
}

TEST(LprApiSettingsTest, DefaultsFromTheSchemaMatchTheManual) {
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto profile = *core::DeviceProfile::builtin("lpr-camera");
  auto config = std::move(core::ConfigService::open(*schema, profile, ":memory:", nullptr).value());
  const auto settings = LprApiSettings::from_config(*config);
  EXPECT_FALSE(settings.enabled);
  EXPECT_EQ(settings.server, "http://192.168.0.1:7070");
  EXPECT_EQ(settings.keep_alive_interval, std::chrono::seconds(300));
  EXPECT_EQ(settings.max_keep_alive_requests, 0);
  EXPECT_EQ(settings.heartbeat_path, "/FunctionInterface/KeepAlive");
  EXPECT_EQ(settings.protocol_version, "V1.00");
  EXPECT_FALSE(config->set_text("lprapi.keep_alive_interval", "0"));
  EXPECT_FALSE(config->set_text("lprapi.protocol_version", "V2.00"));
}

class LprApiQueueTest : public ::testing::Test {
 protected:
  test::LockstepTestClock clock;
  sim::SdCardModel card{clock, sim::SdCardOptions{.write_bytes_per_second = 0}};
};

TEST_F(LprApiQueueTest, DeliversInOrderAndKeepsMessagesOnTheCardAcrossARestart) {
  {
    LprApiQueue queue(&card);
    for (const auto* body : {"a", "b", "c"}) queue.push(queue.next_sequence(), body);
    auto first = queue.front();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->sequence, 1u);
    EXPECT_EQ(first->body, "a");
    queue.pop(1);
    EXPECT_EQ(queue.size(), 2u);
  }
  LprApiQueue reopened(&card);  // the camera restarted
  EXPECT_EQ(reopened.size(), 2u);
  auto next = reopened.front();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequence, 2u);
  EXPECT_EQ(next->body, "b");
  // Numbers go on from the last one given, also once every message is delivered.
  reopened.pop(2);
  reopened.pop(3);
  EXPECT_EQ(reopened.size(), 0u);
  EXPECT_TRUE(card.list("lprapi/queue").empty());
  LprApiQueue again(&card);
  EXPECT_EQ(again.next_sequence(), 4u);
}

TEST_F(LprApiQueueTest, ACardThatFailsAWriteKeepsTheMessageInMemoryInOrder) {
  LprApiQueue queue(&card);
  queue.push(queue.next_sequence(), "on card");
  card.fail_next_writes(1);
  queue.push(queue.next_sequence(), "in memory");
  queue.push(queue.next_sequence(), "on card again");
  std::vector<std::string> order;
  while (auto message = queue.front()) {
    order.push_back(message->body);
    queue.pop(message->sequence);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"on card", "in memory", "on card again"}));
}

TEST_F(LprApiQueueTest, WithoutACardTheOutboxIsBoundedAndCountsWhatItDrops) {
  card.eject();
  LprApiQueue queue(&card, 2);
  for (const auto* body : {"a", "b", "c"}) queue.push(queue.next_sequence(), body);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.dropped(), 1u);
  EXPECT_EQ(queue.front()->body, "b");
}

}  // namespace
}  // namespace camrig::traffic
