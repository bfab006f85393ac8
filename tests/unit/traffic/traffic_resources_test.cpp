// /ISAPI/Traffic through the router: list entries in and out as XML and JSON, the lookup record,
// import/export files, fuzzy settings through the config service, permissions and ResponseStatus.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/traffic/list_file.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = test::k_admin_basic;
constexpr const char* k_operator = test::k_operator_basic;
constexpr const char* k_viewer = test::k_viewer_basic;
const std::string k_base = "/ISAPI/Traffic/channels/1/licensePlateAuditData";

std::string doc(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\"?><" + root + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</" + root + ">";
}

std::string plate_info(const std::string& plate, const std::string& list, const std::string& extra = {}) {
  return "<LicensePlateInfo><licensePlate>" + plate + "</licensePlate><listType>" + list + "</listType>" + extra +
         "</LicensePlateInfo>";
}

class TrafficResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override { start("lpr-camera"); }

  void start(const char* profile_name) {
    open_device(profile_name);
    add_operator();
    add_viewer();
    plates = std::move(traffic::PlateList::open(":memory:", clock).value());
    auto with = services();
    with.plates = plates.get();
    route(with);
  }

  std::unique_ptr<test::IsapiAnswer> send(verb method, const std::string& target, const std::string& body = {},
                                          const std::string& basic = k_admin) {
    return send_as(basic, method, target, body);
  }

  std::unique_ptr<traffic::PlateList> plates;
};

TEST_F(TrafficResourcesTest, AddSearchEditAndDeleteEntries) {
  auto put = send(verb::put, k_base,
                  doc("LicensePlateInfoList",
                      plate_info("abc-123", "allowlist", "<endTime>2030-01-01T00:00:00Z</endTime><ownerName>Jane Roe</ownerName>") +
                          plate_info("BLK999", "blocklist")));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(put->text({"statusCode"}), "1");

  auto found = send(verb::get, k_base + "?listType=allowlist");
  ASSERT_EQ(found->http_status, status::ok) << found->body;
  EXPECT_EQ(found->text({"totalMatches"}), "1");
  EXPECT_EQ(found->text({"LicensePlateInfo", "licensePlate"}), "ABC123");
  EXPECT_EQ(found->text({"LicensePlateInfo", "endTime"}), "2030-01-01T00:00:00Z");
  EXPECT_EQ(found->text({"LicensePlateInfo", "status"}), "active");
  const auto id = found->text({"LicensePlateInfo", "id"});

  put = send(verb::put, k_base, doc("LicensePlateInfoList", "<LicensePlateInfo><id>" + id +
                                                                "</id><licensePlate>ABC124</licensePlate><listType>allowlist</listType>"
                                                                "<endTime>2020-01-01T00:00:00Z</endTime></LicensePlateInfo>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  found = send(verb::get, k_base + "?licensePlate=124&status=expired&format=json");
  ASSERT_EQ(found->http_status, status::ok) << found->body;
  const auto json = nlohmann::json::parse(found->body);
  EXPECT_EQ(json["LicensePlateInfoList"]["totalMatches"], 1);
  EXPECT_EQ(json["LicensePlateInfoList"]["LicensePlateInfo"][0]["licensePlate"], "ABC124");
  EXPECT_EQ(json["LicensePlateInfoList"]["LicensePlateInfo"][0]["status"], "expired");

  EXPECT_EQ(send(verb::delete_, k_base + "?id=" + id)->http_status, status::ok);
  EXPECT_EQ(plates->size(traffic::ListType::allowlist), 0U);
  const auto missing = send(verb::delete_, k_base + "?id=" + id);
  EXPECT_EQ(missing->http_status, status::not_found);
  EXPECT_EQ(send(verb::delete_, k_base + "?listType=blocklist")->http_status, status::ok);
  EXPECT_EQ(plates->size(traffic::ListType::blocklist), 0U);
}

TEST_F(TrafficResourcesTest, ABadEntryRefusesTheWholeDocument) {
  const auto put = send(verb::put, k_base,
                        doc("LicensePlateInfoList", plate_info("GOOD1", "allowlist") + plate_info("BAD#2", "allowlist")));
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->text({"errorMsg"}).find("LicensePlateInfo 2"), std::string::npos) << put->body;
  EXPECT_EQ(plates->size(traffic::ListType::allowlist), 0U);
  const auto duplicate = send(verb::put, k_base, doc("LicensePlateInfoList", plate_info("GOOD1", "allowlist")));
  ASSERT_EQ(duplicate->http_status, status::ok);
  EXPECT_NE(send(verb::put, k_base, doc("LicensePlateInfoList", plate_info("GOOD1", "allowlist")))->http_status, status::ok)
      << "adding a listed plate again is refused";
}

TEST_F(TrafficResourcesTest, RecordShowsTheVerdictEntryAndRule) {
  ASSERT_EQ(send(verb::put, k_base, doc("LicensePlateInfoList", plate_info("ABC123", "allowlist")))->http_status, status::ok);
  auto record = send(verb::get, k_base + "/record?licensePlate=BC123");
  EXPECT_EQ(record->text({"verdict"}), "unknown") << "fuzzy matching is off by default";

  const auto fuzzy = send(verb::put, "/ISAPI/Traffic/channels/1/fuzzyMatch",
                          doc("FuzzyMatch", "<enabled>true</enabled><missingEndCharacter>true</missingEndCharacter>"
                                            "<misreadCharacters>1</misreadCharacters><CharacterRuleList><CharacterRule>"
                                            "<character>0</character><interchangeableWith>D</interchangeableWith>"
                                            "</CharacterRule></CharacterRuleList>"));
  ASSERT_EQ(fuzzy->http_status, status::ok) << fuzzy->body;
  EXPECT_EQ(config->get_string("traffic.fuzzy_match.interchangeable_characters"), "0<->D");
  record = send(verb::get, k_base + "/record?licensePlate=BC123&format=json");
  ASSERT_EQ(record->http_status, status::ok) << record->body;
  const auto json = nlohmann::json::parse(record->body)["LicensePlateRecord"];
  EXPECT_EQ(json["verdict"], "allowed");
  EXPECT_EQ(json["matchRule"], "missingFirstCharacter");
  EXPECT_EQ(json["LicensePlateInfo"]["licensePlate"], "ABC123");
  const auto got = send(verb::get, "/ISAPI/Traffic/channels/1/fuzzyMatch");
  EXPECT_EQ(got->text({"misreadCharacters"}), "1");
  EXPECT_EQ(got->text({"CharacterRuleList", "CharacterRule", "interchangeableWith"}), "D");
}

TEST_F(TrafficResourcesTest, FuzzySettingsAreValidated) {
  std::string rules;
  const char* pairs[] = {"0D", "8B", "1I", "5S", "2Z", "6G", "0O", "4A", "7T", "UV", "MN"};
  for (const auto* pair : pairs)
    rules += "<CharacterRule><character>" + std::string(1, pair[0]) + "</character><interchangeableWith>" +
             std::string(1, pair[1]) + "</interchangeableWith></CharacterRule>";
  auto put = send(verb::put, "/ISAPI/Traffic/channels/1/fuzzyMatch", doc("FuzzyMatch", "<CharacterRuleList>" + rules + "</CharacterRuleList>"));
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->text({"errorMsg"}).find("at most 10"), std::string::npos) << put->body;
  put = send(verb::put, "/ISAPI/Traffic/channels/1/fuzzyMatch", doc("FuzzyMatch", "<misreadCharacters>4</misreadCharacters>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_EQ(config->get_int("traffic.fuzzy_match.misread_characters"), 0);
}

TEST_F(TrafficResourcesTest, ExportAndImportRoundTrip) {
  ASSERT_EQ(send(verb::put, k_base,
                 doc("LicensePlateInfoList", plate_info("ABC123", "allowlist", "<ownerName>Ann</ownerName>") +
                                                 plate_info("BLK999", "blocklist")))
                ->http_status,
            status::ok);
  for (const char* format : {"csv", "xlsx"}) {
    const auto exported = send(verb::get, k_base + "/export?format=" + format);
    ASSERT_EQ(exported->http_status, status::ok) << exported->body;
    EXPECT_EQ(exported->content_type, traffic::content_type(*traffic::parse_list_file_format(format)));
    ASSERT_TRUE(plates->clear(traffic::ListType::allowlist).ok());
    ASSERT_TRUE(plates->clear(traffic::ListType::blocklist).ok());
    const auto imported = send(verb::put, k_base + "/import", exported->body);
    ASSERT_EQ(imported->http_status, status::ok) << imported->body;
    EXPECT_EQ(plates->entries().size(), 2U) << format;
    EXPECT_EQ(plates->entries(traffic::ListType::allowlist).front().owner_name, "Ann");
  }
  const auto sealed = send(verb::get, k_base + "/export?format=xlsx&listType=blocklist&secretkey=Export-pass-1");
  ASSERT_EQ(sealed->http_status, status::ok);
  EXPECT_TRUE(traffic::is_encrypted_list_file(sealed->body));
  auto refused = send(verb::put, k_base + "/import", sealed->body);
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->text({"errorMsg"}).find("password"), std::string::npos);
  EXPECT_EQ(send(verb::put, k_base + "/import?secretkey=Export-pass-1", sealed->body)->http_status, status::ok);

  refused = send(verb::put, k_base + "/import", "Plate No.,List Type\r\nX,allowlist\r\n");
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->text({"errorMsg"}).find("line 1"), std::string::npos) << refused->body;
  EXPECT_EQ(send(verb::get, k_base + "/export?format=pdf")->http_status, status::bad_request);
}

TEST_F(TrafficResourcesTest, WritesNeedAnOperatorOrTheAdministrator) {
  const auto body = doc("LicensePlateInfoList", plate_info("OPR001", "allowlist"));
  EXPECT_EQ(send(verb::put, k_base, body, k_viewer)->http_status, status::forbidden);
  EXPECT_EQ(send(verb::get, k_base, {}, k_viewer)->http_status, status::forbidden) << "owners' details are not for users";
  EXPECT_EQ(send(verb::put, k_base, body, k_operator)->http_status, status::ok);
  EXPECT_EQ(send(verb::delete_, k_base + "?listType=allowlist", {}, k_viewer)->http_status, status::forbidden);
  EXPECT_EQ(plates->size(traffic::ListType::allowlist), 1U);
}

TEST_F(TrafficResourcesTest, UnknownChannelAndNonLprProfiles) {
  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/channels/2/licensePlateAuditData")->http_status, status::not_found);
  start("network-camera");
  EXPECT_EQ(send(verb::get, k_base)->http_status, status::not_found) << "no Traffic routes without the LPR capability";
}

}  // namespace
}  // namespace camrig::isapi
