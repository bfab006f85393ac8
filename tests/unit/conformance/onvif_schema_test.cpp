// The ONVIF schema validator on answers written by hand: a conforming GetDeviceInformationResponse
// and Fault pass; an element out of place, a bad enumeration value, an unknown response element
// and a Fault without a Reason fail with an error naming what is wrong.
#include <gtest/gtest.h>

#include "conformance/onvif_schema.hpp"

namespace camrig::conformance {
namespace {

std::string envelope(const std::string& body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"
 xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>
)" + body + "\n</env:Body></env:Envelope>";
}

const std::string k_device_information = R"(<tds:GetDeviceInformationResponse>
<tds:Manufacturer>camrig</tds:Manufacturer>
<tds:Model>network-camera</tds:Model>
<tds:FirmwareVersion>1.0</tds:FirmwareVersion>
<tds:SerialNumber>CR0001</tds:SerialNumber>
<tds:HardwareId>sim</tds:HardwareId>
</tds:GetDeviceInformationResponse>)";

std::string all(const std::vector<SchemaError>& errors) {
  std::string text;
  for (const auto& error : errors) text += error.text() + "\n";
  return text;
}

class OnvifSchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = OnvifSchema::load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    schema = *loaded;
  }
  static std::shared_ptr<const OnvifSchema> schema;
};
std::shared_ptr<const OnvifSchema> OnvifSchemaTest::schema;

TEST_F(OnvifSchemaTest, AConformingDeviceInformationResponsePasses) {
  const auto errors = schema->validate(envelope(k_device_information));
  EXPECT_TRUE(errors.empty()) << all(errors);
}

TEST_F(OnvifSchemaTest, ElementsOutOfOrderNameTheElement) {
  auto swapped = k_device_information;
  swapped.replace(swapped.find("<tds:Manufacturer>camrig</tds:Manufacturer>\n"), 44, "");
  swapped.insert(swapped.find("<tds:HardwareId>"), "<tds:Manufacturer>camrig</tds:Manufacturer>\n");
  const auto errors = schema->validate(envelope(swapped));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().element, "tds:Model") << all(errors);
  EXPECT_NE(errors.front().message.find("Manufacturer"), std::string::npos) << all(errors);
}

TEST_F(OnvifSchemaTest, ABadEnumerationValueIsNamed) {
  const auto errors = schema->validate(envelope(R"(<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>
<tt:DateTimeType>Sundial</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>
</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>)"));
  ASSERT_EQ(errors.size(), 1u) << all(errors);
  EXPECT_EQ(errors.front().element, "tt:DateTimeType");
  EXPECT_EQ(errors.front().line, 5);
  EXPECT_NE(errors.front().message.find("'Sundial' is not an element of the set"), std::string::npos) << all(errors);
}

TEST_F(OnvifSchemaTest, AnElementNoServiceDeclaresFails) {
  const auto errors = schema->validate(envelope("<tds:GetDeviceInformationAnswer/>"));
  ASSERT_EQ(errors.size(), 1u) << all(errors);
  EXPECT_EQ(errors.front().element, "tds:GetDeviceInformationAnswer");
  EXPECT_NE(errors.front().message.find("No matching global declaration"), std::string::npos) << all(errors);
}

TEST_F(OnvifSchemaTest, FaultsAreCheckedForTheirShape) {
  const std::string fault = R"(<env:Fault><env:Code><env:Value>env:Sender</env:Value>
<env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code>
<env:Reason><env:Text xml:lang="en">Sender not authorized</env:Text></env:Reason></env:Fault>)";
  EXPECT_TRUE(schema->validate(envelope(fault)).empty()) << all(schema->validate(envelope(fault)));
  auto no_reason = fault.substr(0, fault.find("<env:Reason>")) + "</env:Fault>";
  const auto errors = schema->validate(envelope(no_reason));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().element, "env:Fault") << all(errors);
  EXPECT_NE(errors.front().message.find("Reason"), std::string::npos) << all(errors);
}

TEST_F(OnvifSchemaTest, AnswersThatAreNotSoapSayWhy) {
  auto errors = schema->validate("<html><body>login</body></html>");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors.front().message.find("not a SOAP 1.2 envelope"), std::string::npos) << all(errors);
  errors = schema->validate("<env:Envelope");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors.front().message.find("not well-formed"), std::string::npos) << all(errors);
}

TEST_F(OnvifSchemaTest, LoadingTwiceReusesTheCompiledSchemaAndAMissingCatalogIsNamed) {
  auto again = OnvifSchema::load();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), schema.get());
  auto missing = OnvifSchema::load("/nonexistent/catalog.xml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/catalog.xml"), std::string::npos);
}

}  // namespace
}  // namespace camrig::conformance
