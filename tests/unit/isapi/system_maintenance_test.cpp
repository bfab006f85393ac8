// ISAPI time, NTP, alarm I/O, log search and maintenance through the router (no sockets): what
// each request changes in the config service, the device clock, the relays, the system log and
// the data directory, and what Restore, Default, import and upgrade keep.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/isapi/xml.hpp"
#include "device/storage/system_log_store.hpp"
#include "device/system/firmware_package.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/isapi_harness.hpp"
#include "tests/unit/system/openssl_keys.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;
using namespace std::chrono;
namespace fs = std::filesystem;

class SystemMaintenanceTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    directory = fs::temp_directory_path() /
                ("camrig-maintenance-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory);
    fs::create_directories(directory);
    boot();
  }
  void TearDown() override {
    shutdown();
    fs::remove_all(directory);
  }

  // Opens the stores from the data directory and builds the routes, as Camera::start does.
  void boot() {
    ASSERT_TRUE(system::apply_pending_boot_actions(directory.string()));
    open_device("network-camera", directory.string(), /*activate=*/true, &device_clock);
    auto opened_log = storage::SqliteSystemLog::open(":memory:", 100, device_clock);
    ASSERT_TRUE(opened_log);
    log = std::move(*opened_log);
    system::MaintenanceOptions maintenance_options;
    maintenance_options.data_directory = directory.string();
    maintenance_options.profile = &profile;
    maintenance_options.config = config.get();
    maintenance_options.accounts = accounts.get();
    maintenance_options.log = log.get();
    maintenance_options.firmware_public_key = keys().public_pem;
    maintenance_options.restart = [this](system::RestartReason reason) { restarts.push_back(reason); };
    maintenance = std::make_unique<system::Maintenance>(std::move(maintenance_options));
    auto with = services();
    with.clock = &device_clock;
    with.system_log = log.get();
    with.maintenance = maintenance.get();
    with.inputs = &inputs;
    with.relays = &relays;
    route(with);
  }

  void shutdown() {
    router.reset();
    maintenance.reset();
    authenticator.reset();
    lock.reset();
    accounts.reset();
    config.reset();
  }

  void reboot() {
    shutdown();
    boot();
  }

  static const test::KeyPair& keys() {
    static const test::KeyPair pair = test::make_key_pair("ed25519");
    return pair;
  }

  std::unique_ptr<test::IsapiAnswer> send(verb method, const std::string& target, const std::string& body = {},
                                          const std::string& content_type = {}) {
    return IsapiHarness::send(method, target, body, test::IsapiRequest{test::k_admin_basic, {}, content_type});
  }

  std::size_t logged(const std::string& minor) {
    storage::LogQuery query;
    query.minor = minor;
    return log->search(query)->total;
  }

  fs::path directory;
  system::DeviceClock device_clock{clock};
  sim::VirtualInputs inputs{clock, 2};
  sim::VirtualRelays relays{clock, 2};
  std::unique_ptr<storage::SqliteSystemLog> log;
  std::unique_ptr<system::Maintenance> maintenance;
  std::vector<system::RestartReason> restarts;
};

// --- time ---------------------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, TimeShowsTheDeviceClockInTheConfiguredZone) {
  auto time = send(verb::get, "/ISAPI/System/time");
  ASSERT_EQ(time->http_status, status::ok) << time->body;
  EXPECT_EQ(time->text({"timeMode"}), "manual");
  EXPECT_EQ(time->text({"timeZone"}), "CST+0:00:00");
  EXPECT_EQ(time->text({"localTime"}), "2024-03-01T12:00:00+00:00");  // the test clock's origin
}

TEST_F(SystemMaintenanceTest, ManualTimeMovesTheDeviceClockAndStoresTheZoneWithDst) {
  auto put = send(verb::put, "/ISAPI/System/time",
                  "<Time><timeMode>manual</timeMode><localTime>2026-07-01T10:30:00</localTime>"
                  "<timeZone>CST-8:00:00DST01:00:00,M4.1.0/02:00:00,M10.5.0/02:00:00</timeZone></Time>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  // 10:30 local in July is daylight time, UTC+9.
  EXPECT_EQ(device_clock.wall_time(), hal::WallTime(sys_days(year(2026) / 7 / 1) + hours(1) + minutes(30)));
  EXPECT_EQ(clock.wall_time(), hal::WallTime(test::LockstepTestClock::k_wall_origin));  // the hardware is untouched
  EXPECT_EQ(config->get_string("time.time_zone"), "CST-8:00:00");
  EXPECT_TRUE(config->get_bool("time.dst.enabled"));
  EXPECT_EQ(config->get_string("time.dst.bias"), "60");
  clock.advance_to(seconds(90));
  auto time = send(verb::get, "/ISAPI/System/time");
  EXPECT_EQ(time->text({"localTime"}), "2026-07-01T10:31:30+09:00");
  EXPECT_EQ(time->text({"timeZone"}), "CST-8:00:00DST01:00:00,M4.1.0/02:00:00,M10.5.0/02:00:00");
  EXPECT_EQ(logged("Remote: Set Time"), 1u);
}

TEST_F(SystemMaintenanceTest, BadTimeZoneIsRefusedAndNothingChanges) {
  auto put = send(verb::put, "/ISAPI/System/time",
                  "<Time><timeMode>NTP</timeMode><timeZone>Beijing</timeZone></Time>");
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->text({"errorMsg"}).find("CST-8:00:00"), std::string::npos) << put->body;
  EXPECT_EQ(config->get_string("time.mode"), "manual");
  auto bias = send(verb::put, "/ISAPI/System/time",
                   "<Time><timeZone>CST-8:00:00DST00:45:00,M4.1.0/02:00:00,M10.5.0/02:00:00</timeZone></Time>");
  EXPECT_NE(bias->http_status, status::ok);
  EXPECT_FALSE(config->get_bool("time.dst.enabled"));
}

TEST_F(SystemMaintenanceTest, NtpServerIsStoredWithItsRanges) {
  auto put = send(verb::put, "/ISAPI/System/time/ntpServers/1",
                  "<NTPServer><id>1</id><addressingFormatType>ipaddress</addressingFormatType>"
                  "<ipAddress>192.0.2.123</ipAddress><portNo>1123</portNo><synchronizeInterval>60</synchronizeInterval></NTPServer>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  auto list = send(verb::get, "/ISAPI/System/time/ntpServers");
  EXPECT_EQ(list->text({"NTPServer", "ipAddress"}), "192.0.2.123");
  EXPECT_EQ(list->text({"NTPServer", "addressingFormatType"}), "ipaddress");
  EXPECT_EQ(list->text({"NTPServer", "portNo"}), "1123");
  EXPECT_EQ(list->text({"NTPServer", "synchronizeInterval"}), "60");
  auto too_long = send(verb::put, "/ISAPI/System/time/ntpServers",
                       "<NTPServerList><NTPServer><synchronizeInterval>10081</synchronizeInterval></NTPServer></NTPServerList>");
  EXPECT_EQ(too_long->http_status, status::bad_request);
  EXPECT_NE(too_long->text({"errorMsg"}).find("Interval"), std::string::npos) << too_long->body;
  EXPECT_EQ(config->get_int("time.ntp.interval"), 60);
  EXPECT_EQ(send(verb::get, "/ISAPI/System/time/ntpServers/2")->http_status, status::not_found);
}

// --- alarm I/O ----------------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, InputsListTheTerminalsAndTheirLevel) {
  auto list = send(verb::get, "/ISAPI/System/IO/inputs");
  ASSERT_EQ(list->http_status, status::ok);
  EXPECT_EQ(list->doc.document_element().select_nodes("*[local-name()='IOInputPort']").size(), 2u);
  EXPECT_EQ(send(verb::get, "/ISAPI/System/IO/inputs/2")->text({"id"}), "2");
  EXPECT_EQ(send(verb::get, "/ISAPI/System/IO/inputs/1/status")->text({"ioState"}), "inactive");
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_EQ(send(verb::get, "/ISAPI/System/IO/inputs/1/status")->text({"ioState"}), "active");
  EXPECT_EQ(send(verb::get, "/ISAPI/System/IO/inputs/3")->http_status, status::not_found);
}

TEST_F(SystemMaintenanceTest, OutputTriggerDrivesTheRelay) {
  clock.advance_to(seconds(5));
  auto high = send(verb::put, "/ISAPI/System/IO/outputs/2/trigger", "<IOPortData><outputState>high</outputState></IOPortData>");
  ASSERT_EQ(high->http_status, status::ok) << high->body;
  clock.advance_to(seconds(7));
  ASSERT_EQ(send(verb::put, "/ISAPI/System/IO/outputs/2/trigger", "<IOPortData><outputState>low</outputState></IOPortData>")
                ->http_status,
            status::ok);
  const auto history = relays.history();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0], (sim::RelayChange{seconds(5), 1, true}));
  EXPECT_EQ(history[1], (sim::RelayChange{seconds(7), 1, false}));
  EXPECT_EQ(send(verb::put, "/ISAPI/System/IO/outputs/1/trigger", "<IOPortData><outputState>on</outputState></IOPortData>")
                ->http_status,
            status::bad_request);
  EXPECT_EQ(send(verb::put, "/ISAPI/System/IO/outputs/9/trigger", "<IOPortData><outputState>high</outputState></IOPortData>")
                ->http_status,
            status::not_found);
  EXPECT_EQ(relays.history().size(), 2u);
  EXPECT_EQ(logged("Remote: Manual Alarm Output"), 2u);
}

// --- log search ---------------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, LogSearchFiltersByTypeAndTimeAndPages) {
  for (int i = 0; i < 5; ++i) {
    clock.advance_to(seconds(10 * (i + 1)));
    storage::LogEntry entry;
    entry.major = i % 2 ? storage::LogMajor::alarm : storage::LogMajor::operation;
    entry.minor = i % 2 ? "Motion Detection Started" : "Remote: Login";
    ASSERT_TRUE(log->append(entry));
  }
  auto search = [&](const std::string& meta, const std::string& extra) {
    return send(verb::post, "/ISAPI/ContentMgmt/logSearch",
                "<CMSearchDescription><searchID>abc</searchID><metaId>" + meta + "</metaId>" + extra + "</CMSearchDescription>");
  };
  auto logins = search("log.std-cgi.com/Operation/Remote: Login", "<maxResults>2</maxResults>");
  ASSERT_EQ(logins->http_status, status::ok) << logins->body;
  EXPECT_EQ(logins->text({"totalMatches"}), "3");
  EXPECT_EQ(logins->text({"numOfMatches"}), "2");
  EXPECT_EQ(logins->text({"responseStatusStrg"}), "MORE");
  EXPECT_EQ(logins->text({"matchList", "searchMatchItem", "logDescriptor", "StartDateTime"}), "2024-03-01T12:00:50+00:00");
  auto second_page = search("log.std-cgi.com/Operation/ALL", "<maxResults>2</maxResults><searchResultPostion>2</searchResultPostion>");
  EXPECT_EQ(second_page->text({"numOfMatches"}), "1");
  EXPECT_EQ(second_page->text({"responseStatusStrg"}), "OK");
  auto window = search("log.std-cgi.com/ALL",
                       "<timeSpanList><timeSpan><startTime>2024-03-01T12:00:15Z</startTime>"
                       "<endTime>2024-03-01T12:00:40Z</endTime></timeSpan></timeSpanList>");
  EXPECT_EQ(window->text({"totalMatches"}), "3");  // 20, 30 and 40 s
  EXPECT_EQ(search("log.std-cgi.com/Warning/ALL", "")->http_status, status::bad_request);
  EXPECT_EQ(search("log.std-cgi.com/Exception/ALL", "")->text({"responseStatusStrg"}), "NO MATCHES");
}

// --- reboot and reset ---------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, RebootAnswersThenAsksForARestart) {
  auto reboot = send(verb::put, "/ISAPI/System/reboot");
  ASSERT_EQ(reboot->http_status, status::ok) << reboot->body;
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0], system::RestartReason::reboot);
  EXPECT_EQ(logged("Remote: Reboot"), 1u);
}

TEST_F(SystemMaintenanceTest, BasicResetKeepsUsersPortsAndVideoStandard) {
  ASSERT_TRUE(config->set_text("device.name", "Gate 3"));
  ASSERT_TRUE(config->set_text("network.http_port", "8080"));
  ASSERT_TRUE(config->set_text("video.standard", "NTSC"));
  ASSERT_TRUE(config->set_text("time.ntp.interval", "30"));
  ASSERT_TRUE(accounts->add("operator1", "Operator123", security::UserLevel::operator_level));
  ASSERT_EQ(send(verb::put, "/ISAPI/System/factoryReset?mode=basic")->http_status, status::ok);
  ASSERT_EQ(restarts, std::vector{system::RestartReason::restore});
  reboot();
  EXPECT_EQ(config->get_string("device.name"), "IP CAMERA");
  EXPECT_EQ(config->get_int("time.ntp.interval"), 1440);
  EXPECT_EQ(config->get_int("network.http_port"), 8080);
  EXPECT_EQ(config->get_string("video.standard"), "NTSC");
  EXPECT_TRUE(accounts->find("operator1"));
  EXPECT_TRUE(accounts->verify_password("admin", "Admin1234"));
}

TEST_F(SystemMaintenanceTest, FullResetResetsEverythingAndTheDeviceBootsInactive) {
  ASSERT_TRUE(config->set_text("network.http_port", "8080"));
  ASSERT_TRUE(accounts->add("operator1", "Operator123", security::UserLevel::operator_level));
  ASSERT_EQ(send(verb::put, "/ISAPI/System/factoryReset?mode=full")->http_status, status::ok);
  ASSERT_EQ(restarts, std::vector{system::RestartReason::factory_default});
  EXPECT_EQ(logged("Remote: Restore Default"), 1u);
  shutdown();
  ASSERT_TRUE(system::apply_pending_boot_actions(directory.string()));
  auto reopened = security::UserAccounts::open((directory / "users.db").string(), profile.device.model,
                                               security::PasswordPolicy::for_profile(profile.name));
  ASSERT_TRUE(reopened);
  EXPECT_FALSE((*reopened)->activated());
  EXPECT_FALSE((*reopened)->find("operator1"));
  reopened->reset();
  boot();
  EXPECT_EQ(config->get_int("network.http_port"), 80);
}

TEST_F(SystemMaintenanceTest, FactoryResetNeedsAMode) {
  auto reset = send(verb::put, "/ISAPI/System/factoryReset");
  EXPECT_EQ(reset->http_status, status::bad_request);
  EXPECT_NE(reset->text({"errorMsg"}).find("mode=basic"), std::string::npos);
  EXPECT_TRUE(restarts.empty());
}

// --- configuration file -------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, ConfigurationFileRoundTripRestoresSettingsAndAccounts) {
  ASSERT_TRUE(config->set_text("device.name", "Gate 3"));
  ASSERT_TRUE(config->set_text("stream.101.max_bitrate", "2048"));
  ASSERT_TRUE(accounts->add("operator1", "Operator123", security::UserLevel::operator_level));
  auto exported = send(verb::get, "/ISAPI/System/configurationData?secretkey=file-pass-1");
  ASSERT_EQ(exported->http_status, status::ok) << exported->body;
  const std::string file = exported->body;
  EXPECT_EQ(file.substr(0, 4), "CRCF");
  EXPECT_EQ(logged("Remote: Export Config File"), 1u);

  // Changes made after the export are undone by the import.
  ASSERT_TRUE(config->set_text("device.name", "Other"));
  ASSERT_TRUE(config->set_text("time.ntp.interval", "30"));
  ASSERT_TRUE(accounts->remove(accounts->find("operator1")->id));

  auto wrong = send(verb::put, "/ISAPI/System/configurationData?secretkey=guess", file, "application/octet-stream");
  EXPECT_EQ(wrong->http_status, status::forbidden);
  EXPECT_NE(wrong->text({"errorMsg"}).find("wrong password"), std::string::npos) << wrong->body;
  std::string tampered = file;
  tampered[tampered.size() / 2] ^= 0x01;
  EXPECT_NE(send(verb::put, "/ISAPI/System/configurationData?secretkey=file-pass-1", tampered)->http_status, status::ok);
  EXPECT_EQ(config->get_string("device.name"), "Other");
  EXPECT_TRUE(restarts.empty());
  EXPECT_FALSE(fs::exists(directory / "users.db.import"));

  const std::string boundary = "----camrig7";
  const std::string multipart = "--" + boundary +
                                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"config.bin\"\r\n"
                                "Content-Type: application/octet-stream\r\n\r\n" +
                                file + "\r\n--" + boundary + "--\r\n";
  auto imported = send(verb::put, "/ISAPI/System/configurationData?secretkey=file-pass-1", multipart,
                       "multipart/form-data; boundary=" + boundary);
  ASSERT_EQ(imported->http_status, status::ok) << imported->body;
  ASSERT_EQ(restarts, std::vector{system::RestartReason::configuration_import});
  reboot();
  EXPECT_EQ(config->get_string("device.name"), "Gate 3");
  EXPECT_EQ(config->get_int("stream.101.max_bitrate"), 2048);
  EXPECT_EQ(config->get_int("time.ntp.interval"), 1440);
  EXPECT_TRUE(accounts->verify_password("operator1", "Operator123"));
}

TEST_F(SystemMaintenanceTest, ExportNeedsAPassword) {
  auto exported = send(verb::get, "/ISAPI/System/configurationData");
  EXPECT_EQ(exported->http_status, status::bad_request);
  EXPECT_NE(exported->text({"errorMsg"}).find("secretkey"), std::string::npos);
}

// --- firmware -----------------------------------------------------------------------------------

TEST_F(SystemMaintenanceTest, SignedPackageIsInstalledAndOthersAreRefusedWithTheReason) {
  ASSERT_FALSE(keys().private_pem.empty()) << "openssl genpkey failed";
  const system::FirmwarePackage image{profile.device.model, "V9.9.9 build 261122", std::string(1000, 'x')};
  auto good = system::pack_firmware(image, keys().private_pem);
  ASSERT_TRUE(good);

  const auto other = test::make_key_pair("ed25519");
  auto foreign = system::pack_firmware(image, other.private_pem);
  auto bad = send(verb::put, "/ISAPI/System/updateFirmware", *foreign, "application/octet-stream");
  EXPECT_EQ(bad->http_status, status::forbidden);
  EXPECT_NE(bad->text({"errorMsg"}).find("signature"), std::string::npos) << bad->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/System/upgradeStatus")->text({"state"}), "failed");

  auto wrong_model = system::pack_firmware({"CR-LPR4026", "V9.9.9", "x"}, keys().private_pem);
  EXPECT_NE(send(verb::put, "/ISAPI/System/updateFirmware", *wrong_model)->text({"errorMsg"}).find("model CR-LPR4026"),
            std::string::npos);
  EXPECT_NE(send(verb::put, "/ISAPI/System/updateFirmware", good->substr(0, good->size() / 2))->text({"errorMsg"}).find("truncated"),
            std::string::npos);
  EXPECT_TRUE(restarts.empty());
  EXPECT_FALSE(system::installed_firmware_version(directory.string()));

  auto installed = send(verb::put, "/ISAPI/System/updateFirmware", *good, "application/octet-stream");
  ASSERT_EQ(installed->http_status, status::ok) << installed->body;
  EXPECT_EQ(restarts, std::vector{system::RestartReason::firmware_upgrade});
  EXPECT_EQ(system::installed_firmware_version(directory.string()), "V9.9.9 build 261122");
  auto progress = send(verb::get, "/ISAPI/System/upgradeStatus");
  EXPECT_EQ(progress->text({"percent"}), "100");
  EXPECT_EQ(progress->text({"upgrading"}), "false");
  EXPECT_EQ(logged("Remote: Upgrade"), 4u);  // three refusals and the install
}

}  // namespace
}  // namespace camrig::isapi
