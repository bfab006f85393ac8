// Serial ports: the stored serial.<id>.* settings reach the hardware at boot and on every change,
// and the simulated terminal passes bytes only while both ends use the same line settings.
#include <array>

#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"
#include "device/system/serial_ports.hpp"
#include "sim/virtual_serial_port.hpp"

namespace camrig::system {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

class SerialPortsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema);
    auto opened = core::ConfigService::open(*schema, profile, ":memory:", nullptr);
    ASSERT_TRUE(opened);
    config = std::move(*opened);
  }

  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  sim::VirtualSerialPort port;
};

TEST_F(SerialPortsTest, EveryBuiltInProfileHasTheRs485PortAndTheLprCameraAlsoRs232) {
  for (const auto* name : {"network-camera", "smart-linkage-ptz", "lpr-camera"}) {
    const auto ports = serial_ports_of(*core::DeviceProfile::builtin(name));
    ASSERT_EQ(ports.size(), std::string_view(name) == "lpr-camera" ? 2u : 1u) << name;
    EXPECT_EQ(ports[0].id, 1);
    EXPECT_EQ(ports[0].type, "RS485");
  }
  const auto lpr_profile = *core::DeviceProfile::builtin("lpr-camera");
  const auto lpr_ports = serial_ports_of(lpr_profile);
  EXPECT_EQ(lpr_ports[1].id, 2);
  EXPECT_EQ(lpr_ports[1].type, "RS232");
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema);
  auto lpr_config = core::ConfigService::open(*schema, lpr_profile, ":memory:", nullptr);
  ASSERT_TRUE(lpr_config);
  EXPECT_EQ(serial_settings_from_config(**lpr_config, 2).baud_rate, 115200);
  EXPECT_FALSE(config->spec("serial.2.baud_rate")) << "the network camera has no RS-232 terminal";
  auto without = profile;
  without.capabilities.rs485_ports = 0;
  EXPECT_TRUE(serial_ports_of(without).empty());
  EXPECT_EQ(serial_port_of_key("serial.1.baud_rate"), 1);
  EXPECT_EQ(serial_port_of_key("serial.x.baud_rate"), 0);
  EXPECT_EQ(serial_port_of_key("stream.101.resolution"), 0);
}

TEST_F(SerialPortsTest, StoredSettingsAreAppliedAtBootAndOnChange) {
  ASSERT_TRUE(config->apply({{"serial.1.baud_rate", std::string("115200")}, {"serial.1.parity", std::string("even")}}));
  SerialPorts ports(profile, *config, {{1, &port}});
  ASSERT_TRUE(ports.apply_all());
  auto applied = port.device_settings();
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->baud_rate, 115200);
  EXPECT_EQ(applied->parity, hal::SerialSettings::Parity::even);
  EXPECT_EQ(applied->data_bits, 8);
  EXPECT_EQ(applied->stop_bits, 1);

  ASSERT_TRUE(config->apply({{"serial.1.data_bits", std::int64_t{7}}, {"serial.1.stop_bits", std::int64_t{2}},
                             {"serial.1.flow_control", std::string("hardware")}}));
  ASSERT_TRUE(ports.apply_changed({"serial.1.data_bits", "serial.1.stop_bits", "serial.1.flow_control"}));
  applied = port.device_settings();
  EXPECT_EQ(applied->data_bits, 7);
  EXPECT_EQ(applied->stop_bits, 2);
  EXPECT_EQ(applied->flow_control, hal::SerialSettings::FlowControl::hardware);
  EXPECT_EQ(port.configure_count(), 2);

  ASSERT_TRUE(ports.apply_changed({"stream.101.resolution"}));
  EXPECT_EQ(port.configure_count(), 2) << "a change elsewhere leaves the port alone";
}

TEST_F(SerialPortsTest, OutOfRangeSettingsAreRefusedByTheConfigService) {
  const auto baud = config->apply({{"serial.1.baud_rate", std::string("12345")}});
  ASSERT_FALSE(baud);
  EXPECT_NE(baud.error().message.find("serial.1.baud_rate"), std::string::npos) << baud.error().message;
  EXPECT_FALSE(config->apply({{"serial.1.data_bits", std::int64_t{9}}}));
  EXPECT_FALSE(config->apply({{"serial.1.stop_bits", std::int64_t{3}}}));
  EXPECT_FALSE(config->apply({{"serial.1.work_mode", std::string("modem")}}));
}

TEST_F(SerialPortsTest, APortWithoutHardwareKeepsItsSettings) {
  SerialPorts ports(profile, *config, {});
  EXPECT_TRUE(ports.apply_all());
  EXPECT_EQ(port.configure_count(), 0);
}

TEST_F(SerialPortsTest, TerminalPassesBytesOnlyWithMatchingLineSettings) {
  SerialPorts ports(profile, *config, {{1, &port}});
  ASSERT_TRUE(ports.apply_all());
  // Both ends at 9600 8N1.
  const auto hello = bytes("hello");
  ASSERT_TRUE(port.write(hello));
  EXPECT_EQ(port.peer_read(1s), hello);
  port.peer_write(bytes("ok"));
  std::array<std::uint8_t, 16> buffer{};
  auto received = port.read(buffer, 1s);
  ASSERT_TRUE(received);
  EXPECT_EQ(std::string(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*received)), "ok");

  // The device moves to 19200; the terminal still listens at 9600 and decodes nothing.
  ASSERT_TRUE(config->apply({{"serial.1.baud_rate", std::string("19200")}}));
  ASSERT_TRUE(ports.apply_changed({"serial.1.baud_rate"}));
  ASSERT_TRUE(port.write(hello));
  EXPECT_TRUE(port.peer_read(0ms).empty());
  EXPECT_EQ(port.framing_errors(), hello.size());

  hal::SerialSettings peer;
  peer.baud_rate = 19200;
  port.peer_configure(peer);
  ASSERT_TRUE(port.write(hello));
  EXPECT_EQ(port.peer_read(1s), hello);
  received = port.read(buffer, 0ms);
  ASSERT_TRUE(received);
  EXPECT_EQ(*received, 0u) << "nothing was sent to the device";
}

}  // namespace
}  // namespace camrig::system
