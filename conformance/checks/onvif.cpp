// The ONVIF checks of `camrig conform`: the Device service (clock before login, information,
// capabilities, services, scopes, network interfaces, users), Media and Media2 profiles with the
// stream (RTSP DESCRIBE) and snapshot (JPEG) they point to, Events (properties, a pull point's
// life), PTZ and Imaging when GetServices lists them, and the faults of a bad request or login.
// Every answer is validated against the ONVIF schemas. Ids are those of the ONVIF test
// specifications where one exists (DEVICE-3-1-9), ONVIF-<AREA>-<WHAT> otherwise.
#include <regex>

#include <fmt/format.h>

#include "conformance/conform_suite.hpp"
#include "conformance/onvif_client.hpp"
#include "conformance/onvif_schema.hpp"

namespace camrig::conformance {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_device_path = "/onvif/device_service";
constexpr const char* k_device_ns = "http://www.onvif.org/ver10/device/wsdl";
constexpr const char* k_media_ns = "http://www.onvif.org/ver10/media/wsdl";
constexpr const char* k_media2_ns = "http://www.onvif.org/ver20/media/wsdl";
constexpr const char* k_events_ns = "http://www.onvif.org/ver10/events/wsdl";
constexpr const char* k_ptz_ns = "http://www.onvif.org/ver20/ptz/wsdl";
constexpr const char* k_imaging_ns = "http://www.onvif.org/ver20/imaging/wsdl";

OnvifClient client_for(const ConformTarget& target, const TargetFacts& facts) {
  OnvifClient client(target.http, target.user, target.password, target.timeout);
  client.set_clock_offset(facts.onvif.clock_offset);
  return client;
}

// The exchanges of one check, for its detail, and the verdict on each answer.
class Exchanges {
 public:
  explicit Exchanges(const ConformTarget& target, const TargetFacts& facts) : client(client_for(target, facts)) {}

  SoapAnswer call(const std::string& path, const std::string& operation, const std::string& body) {
    return record(path, operation, client.call(path, body));
  }
  SoapAnswer record(const std::string& path, const std::string& operation, SoapAnswer answer) {
    detail_ += transcript("POST " + path + " " + operation, answer.http) + "\n\n";
    return answer;
  }
  //! Empty when `answer` is the `expected` element (local name) and valid; else why not.
  std::string judge(const SoapAnswer& answer, const std::string& expected) {
    if (answer.http.status == 0) return "no answer: " + answer.http.error;
    if (answer.element() != expected) return fmt::format("expected {}, got {}", expected, answer.summary());
    return schema_errors(answer);
  }
  //! Empty when the answer conforms to the schema; else the first error, naming the element.
  std::string schema_errors(const SoapAnswer& answer) {
    const auto schema = OnvifSchema::load();
    if (!schema) return "cannot validate: " + schema.error().message;
    const auto errors = (*schema)->validate(answer.http.body);
    if (errors.empty()) return {};
    std::string all;
    for (const auto& error : errors) all += error.text() + "\n";
    detail_ = "schema errors:\n" + all + "\n" + detail_;
    return fmt::format("{} does not conform to the ONVIF schema ({} error{}): {}", answer.body_element.name(), errors.size(),
                       errors.size() == 1 ? "" : "s", errors.front().text());
  }
  CheckOutcome fail(const std::string& evidence) const { return CheckOutcome::fail(evidence, detail_); }

  OnvifClient client;

 private:
  std::string detail_;
};

std::string service_path(const TargetFacts& facts, const char* ns) {
  const auto it = facts.onvif.services.find(ns);
  return it == facts.onvif.services.end() ? std::string() : it->second;
}

std::optional<CheckOutcome> unless_offered(const TargetFacts& facts, const char* ns, const char* service) {
  if (!facts.onvif.answers) return CheckOutcome::skip("the target has no ONVIF device service: " + facts.onvif.why_not);
  if (service_path(facts, ns).empty()) return CheckOutcome::skip(std::string("GetServices does not list the ") + service + " service");
  return std::nullopt;
}

CheckOutcome date_and_time(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.record(k_device_path, "GetSystemDateAndTime (no credentials)",
                                ex.client.call_anonymous(k_device_path, "<tds:GetSystemDateAndTime/>"));
  if (auto why = ex.judge(answer, "GetSystemDateAndTimeResponse"); !why.empty()) return ex.fail(why);
  const auto utc = answer.all("UTCDateTime");
  if (utc.empty()) return ex.fail("GetSystemDateAndTimeResponse without UTCDateTime");
  return CheckOutcome::pass(fmt::format("{} clock, camera minus bench {} s, before login", answer.text("DateTimeType"),
                                        facts.onvif.clock_offset.count()));
}

CheckOutcome device_information(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetDeviceInformation", "<tds:GetDeviceInformation/>");
  if (auto why = ex.judge(answer, "GetDeviceInformationResponse"); !why.empty()) return ex.fail(why);
  for (const char* field : {"Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId"})
    if (answer.text(field).empty()) return ex.fail(std::string("GetDeviceInformationResponse with an empty ") + field);
  return CheckOutcome::pass(fmt::format("{} {} firmware {}", answer.text("Manufacturer"), answer.text("Model"), answer.text("FirmwareVersion")));
}

CheckOutcome capabilities(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetCapabilities", "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>");
  if (auto why = ex.judge(answer, "GetCapabilitiesResponse"); !why.empty()) return ex.fail(why);
  std::string sections;
  for (const char* section : {"Device", "Media", "Events", "PTZ", "Imaging"}) {
    const auto nodes = answer.all(section);
    const bool has_xaddr = !nodes.empty() && nodes.front().select_node("*[local-name()='XAddr']");
    if (has_xaddr) sections += (sections.empty() ? "" : ", ") + std::string(section);
  }
  if (sections.find("Device") == std::string::npos) return ex.fail("GetCapabilities without a Device section and its XAddr");
  return CheckOutcome::pass("capabilities with XAddr: " + sections);
}

CheckOutcome services(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetServices", "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>");
  if (auto why = ex.judge(answer, "GetServicesResponse"); !why.empty()) return ex.fail(why);
  bool device = false;
  for (const auto& service : answer.all("Service")) {
    const std::string ns = service.select_node("*[local-name()='Namespace']").node().text().get();
    const std::string xaddr = service.select_node("*[local-name()='XAddr']").node().text().get();
    if (!xaddr.starts_with("http://") && !xaddr.starts_with("https://"))
      return ex.fail(fmt::format("the {} service's XAddr '{}' is not an http(s) URI", ns, xaddr));
    device = device || ns == k_device_ns;
  }
  if (!device) return ex.fail("GetServices does not list the Device service itself");
  return CheckOutcome::pass(fmt::format("{} services, each with an http XAddr", answer.all("Service").size()));
}

CheckOutcome scopes(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetScopes", "<tds:GetScopes/>");
  if (auto why = ex.judge(answer, "GetScopesResponse"); !why.empty()) return ex.fail(why);
  int onvif_scopes = 0;
  for (const auto& item : answer.all("ScopeItem"))
    if (std::string(item.text().get()).starts_with("onvif://www.onvif.org/")) ++onvif_scopes;
  if (onvif_scopes == 0) return ex.fail("no scope of the form onvif://www.onvif.org/...");
  return CheckOutcome::pass(fmt::format("{} onvif:// scopes", onvif_scopes));
}

CheckOutcome network_interfaces(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetNetworkInterfaces", "<tds:GetNetworkInterfaces/>");
  if (auto why = ex.judge(answer, "GetNetworkInterfacesResponse"); !why.empty()) return ex.fail(why);
  const auto interfaces = answer.all("NetworkInterfaces");
  if (interfaces.empty()) return ex.fail("no NetworkInterfaces");
  return CheckOutcome::pass(fmt::format("{} interface(s), first {}", interfaces.size(), interfaces.front().attribute("token").value()));
}

CheckOutcome users(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "GetUsers", "<tds:GetUsers/>");
  if (auto why = ex.judge(answer, "GetUsersResponse"); !why.empty()) return ex.fail(why);
  for (const auto& user : answer.all("User"))
    if (user.select_node("*[local-name()='Username']").node().text().get() == target.user)
      return CheckOutcome::pass(fmt::format("{} user(s); {} is {}", answer.all("User").size(), target.user,
                                            user.select_node("*[local-name()='UserLevel']").node().text().get()));
  return ex.fail("GetUsers does not list the user logged in, " + target.user);
}

// The first profile's token of Media (trt) or Media2 (tr2).
std::string first_profile(Exchanges& ex, const std::string& path, const char* prefix, std::string& why) {
  const auto answer = ex.call(path, "GetProfiles", fmt::format("<{}:GetProfiles/>", prefix));
  why = ex.judge(answer, "GetProfilesResponse");
  if (!why.empty()) return {};
  const auto profiles = answer.all("Profiles");
  if (profiles.empty() || std::string(profiles.front().attribute("token").value()).empty()) {
    why = "GetProfilesResponse without a profile token";
    return {};
  }
  return profiles.front().attribute("token").value();
}

CheckOutcome media_profiles(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_media_ns, "Media")) return *skip;
  Exchanges ex(target, facts);
  std::string why;
  const auto token = first_profile(ex, service_path(facts, k_media_ns), "trt", why);
  if (!why.empty()) return ex.fail(why);
  return CheckOutcome::pass("first profile " + token);
}

CheckOutcome media2_profiles(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_media2_ns, "Media2")) return *skip;
  Exchanges ex(target, facts);
  std::string why;
  const auto token = first_profile(ex, service_path(facts, k_media2_ns), "tr2", why);
  if (!why.empty()) return ex.fail(why);
  return CheckOutcome::pass("first profile " + token);
}

CheckOutcome stream_uri(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_media_ns, "Media")) return *skip;
  Exchanges ex(target, facts);
  const auto path = service_path(facts, k_media_ns);
  std::string why;
  const auto token = first_profile(ex, path, "trt", why);
  if (!why.empty()) return ex.fail(why);
  const auto answer = ex.call(path, "GetStreamUri",
                              fmt::format("<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport>"
                                          "<tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
                                          "<trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
                                          token));
  if (auto why_uri = ex.judge(answer, "GetStreamUriResponse"); !why_uri.empty()) return ex.fail(why_uri);
  const auto uri = answer.text("Uri");
  std::smatch parts;
  if (!std::regex_match(uri, parts, std::regex(R"(^rtsp://([^/:]+)(?::(\d+))?(/.*)?$)")))
    return ex.fail("GetStreamUri gave no rtsp:// URI: '" + uri + "'");
  // The URI's host may be the camera's own view of its address; its port and path are what count.
  Endpoint rtsp{target.http.host, parts[2].matched ? std::stoi(parts[2].str()) : 554};
  RtspConnection connection(rtsp, target.user, target.password);
  const auto describe = connection.request("DESCRIBE", uri, {{"Accept", "application/sdp"}}, target.timeout);
  if (describe.status != 200 || describe.body.find("m=video") == std::string::npos)
    return CheckOutcome::fail("DESCRIBE " + uri + ": expected 200 with an SDP m=video line, got " + summary(describe),
                              transcript("DESCRIBE " + uri, describe));
  return CheckOutcome::pass(fmt::format("{} answers DESCRIBE with a video SDP", uri));
}

CheckOutcome snapshot_uri(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_media_ns, "Media")) return *skip;
  Exchanges ex(target, facts);
  const auto path = service_path(facts, k_media_ns);
  std::string why;
  const auto token = first_profile(ex, path, "trt", why);
  if (!why.empty()) return ex.fail(why);
  const auto answer = ex.call(path, "GetSnapshotUri", fmt::format("<trt:GetSnapshotUri><trt:ProfileToken>{}</trt:ProfileToken></trt:GetSnapshotUri>", token));
  if (answer.has_subcode("ActionNotSupported")) return CheckOutcome::skip("the target has no snapshot URI (ter:ActionNotSupported)");
  if (auto why_uri = ex.judge(answer, "GetSnapshotUriResponse"); !why_uri.empty()) return ex.fail(why_uri);
  const auto uri = answer.text("Uri");
  if (!uri.starts_with("http://")) return ex.fail("GetSnapshotUri gave no http:// URI: '" + uri + "'");
  IsapiCall get;
  get.path = path_of(uri);
  const auto picture = isapi_request(target.http, get, target.user, target.password, target.timeout);
  const bool jpeg = picture.body.size() > 4 && static_cast<unsigned char>(picture.body[0]) == 0xFF &&
                    static_cast<unsigned char>(picture.body[1]) == 0xD8 &&
                    static_cast<unsigned char>(picture.body[picture.body.size() - 2]) == 0xFF &&
                    static_cast<unsigned char>(picture.body.back()) == 0xD9;
  if (picture.status != 200 || !jpeg)
    return CheckOutcome::fail("GET " + uri + ": expected 200 with a whole JPEG, got " + summary(picture), transcript("GET " + get.path, picture));
  return CheckOutcome::pass(fmt::format("{}: {} byte JPEG", uri, picture.body.size()));
}

CheckOutcome event_properties(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_events_ns, "Events")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(service_path(facts, k_events_ns), "GetEventProperties", "<tev:GetEventProperties/>");
  if (auto why = ex.judge(answer, "GetEventPropertiesResponse"); !why.empty()) return ex.fail(why);
  const auto topics = answer.all("TopicSet");
  if (topics.empty()) return ex.fail("GetEventPropertiesResponse without a TopicSet");
  std::size_t leaves = 0;
  for (const auto& topic : topics.front().select_nodes(".//*[@*[local-name()='topic']='true']")) leaves += topic.node() ? 1 : 0;
  return CheckOutcome::pass(fmt::format("topic set with {} topics, fixed topic set {}", leaves, answer.text("FixedTopicSet")));
}

CheckOutcome pull_point(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_events_ns, "Events")) return *skip;
  Exchanges ex(target, facts);
  const auto created = ex.call(service_path(facts, k_events_ns), "CreatePullPointSubscription",
                               "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>PT60S</tev:InitialTerminationTime>"
                               "</tev:CreatePullPointSubscription>");
  if (auto why = ex.judge(created, "CreatePullPointSubscriptionResponse"); !why.empty()) return ex.fail(why);
  const auto address = created.text("Address");
  if (address.empty()) return ex.fail("CreatePullPointSubscriptionResponse without a SubscriptionReference Address");
  const auto subscription = path_of(address);
  const auto pulled = ex.call(subscription, "PullMessages",
                              "<tev:PullMessages><tev:Timeout>PT1S</tev:Timeout><tev:MessageLimit>10</tev:MessageLimit></tev:PullMessages>");
  const auto why_pull = ex.judge(pulled, "PullMessagesResponse");
  // Always end the subscription, so a failed check leaves no pull point behind.
  const auto ended = ex.call(subscription, "Unsubscribe", "<wsnt:Unsubscribe/>");
  if (!why_pull.empty()) return ex.fail(why_pull);
  if (pulled.text("CurrentTime").empty() || pulled.text("TerminationTime").empty())
    return ex.fail("PullMessagesResponse without CurrentTime and TerminationTime");
  if (auto why = ex.judge(ended, "UnsubscribeResponse"); !why.empty()) return ex.fail(why);
  return CheckOutcome::pass(fmt::format("pull point {}: {} message(s) in the first pull, then unsubscribed", subscription,
                                        pulled.all("NotificationMessage").size()));
}

CheckOutcome ptz_nodes(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_ptz_ns, "PTZ")) return *skip;
  Exchanges ex(target, facts);
  const auto path = service_path(facts, k_ptz_ns);
  const auto nodes = ex.call(path, "GetNodes", "<tptz:GetNodes/>");
  if (auto why = ex.judge(nodes, "GetNodesResponse"); !why.empty()) return ex.fail(why);
  if (nodes.all("PTZNode").empty()) return ex.fail("GetNodesResponse without a PTZNode");
  const auto configurations = ex.call(path, "GetConfigurations", "<tptz:GetConfigurations/>");
  if (auto why = ex.judge(configurations, "GetConfigurationsResponse"); !why.empty()) return ex.fail(why);
  return CheckOutcome::pass(fmt::format("{} node(s), {} configuration(s)", nodes.all("PTZNode").size(),
                                        configurations.all("PTZConfiguration").size()));
}

CheckOutcome imaging_settings(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_imaging_ns, "Imaging")) return *skip;
  if (service_path(facts, k_media_ns).empty()) return CheckOutcome::skip("no Media service to name a video source");
  Exchanges ex(target, facts);
  const auto sources = ex.call(service_path(facts, k_media_ns), "GetVideoSources", "<trt:GetVideoSources/>");
  if (auto why = ex.judge(sources, "GetVideoSourcesResponse"); !why.empty()) return ex.fail(why);
  const auto found = sources.all("VideoSources");
  if (found.empty()) return ex.fail("GetVideoSourcesResponse without a video source");
  const std::string token = found.front().attribute("token").value();
  const auto path = service_path(facts, k_imaging_ns);
  const auto settings = ex.call(path, "GetImagingSettings",
                                fmt::format("<timg:GetImagingSettings><timg:VideoSourceToken>{}</timg:VideoSourceToken></timg:GetImagingSettings>", token));
  if (auto why = ex.judge(settings, "GetImagingSettingsResponse"); !why.empty()) return ex.fail(why);
  const auto options = ex.call(path, "GetOptions", fmt::format("<timg:GetOptions><timg:VideoSourceToken>{}</timg:VideoSourceToken></timg:GetOptions>", token));
  if (auto why = ex.judge(options, "GetOptionsResponse"); !why.empty()) return ex.fail(why);
  return CheckOutcome::pass(fmt::format("{}: brightness {}", token, settings.text("Brightness")));
}

CheckOutcome action_not_supported(const ConformTarget& target, const TargetFacts& facts) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.call(k_device_path, "NoSuchOperation", "<tds:CamrigNoSuchOperation/>");
  if (answer.http.status == 0) return ex.fail("no answer: " + answer.http.error);
  if (!answer.has_subcode("ActionNotSupported")) return ex.fail("expected a ter:ActionNotSupported fault, got " + answer.summary());
  if (auto why = ex.schema_errors(answer); !why.empty()) return ex.fail(why);
  return CheckOutcome::pass(answer.summary());
}

CheckOutcome refused_login(const ConformTarget& target, const TargetFacts& facts, const std::string& password, std::chrono::seconds age,
                           const std::string& what) {
  if (auto skip = unless_offered(facts, k_device_ns, "Device")) return *skip;
  Exchanges ex(target, facts);
  const auto answer = ex.record(k_device_path, "GetUsers (" + what + ")",
                                ex.client.call_as(k_device_path, "<tds:GetUsers/>", {}, password, age));
  if (answer.http.status == 0) return ex.fail("no answer: " + answer.http.error);
  if (!answer.is_fault() || answer.fault_code.find("Sender") == std::string::npos || !answer.has_subcode("NotAuthorized"))
    return ex.fail(fmt::format("expected an env:Sender/ter:NotAuthorized fault for {}, got {}", what, answer.summary()));
  if (auto why = ex.schema_errors(answer); !why.empty()) return ex.fail(why);
  return CheckOutcome::pass(answer.summary());
}

}  // namespace

OnvifFacts discover_onvif(const ConformTarget& target) {
  OnvifFacts facts;
  OnvifClient client(target.http, target.user, target.password, target.timeout);
  const auto clock = client.call_anonymous(k_device_path, "<tds:GetSystemDateAndTime/>");
  if (!clock.body_element) {
    facts.why_not = "POST " + std::string(k_device_path) + " GetSystemDateAndTime: " + clock.summary();
    return facts;
  }
  facts.answers = true;
  facts.services[k_device_ns] = k_device_path;
  const auto utc = clock.all("UTCDateTime");
  if (!utc.empty()) {
    const auto field = [&](const char* name) { return utc.front().select_node((std::string(".//*[local-name()='") + name + "']").c_str()).node().text().as_int(); };
    const auto camera = parse_utc(fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", field("Year"), field("Month"), field("Day"),
                                              field("Hour"), field("Minute"), field("Second")));
    if (camera) facts.clock_offset = std::chrono::duration_cast<std::chrono::seconds>(*camera - std::chrono::system_clock::now());
  }
  client.set_clock_offset(facts.clock_offset);
  const auto services = client.call(k_device_path, "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>");
  for (const auto& service : services.all("Service")) {
    const std::string ns = service.select_node("*[local-name()='Namespace']").node().text().get();
    const std::string xaddr = service.select_node("*[local-name()='XAddr']").node().text().get();
    if (!ns.empty() && !xaddr.empty()) facts.services[ns] = path_of(xaddr);
  }
  return facts;
}

std::vector<ConformCheck> onvif_checks() {
  return {
      {"DEVICE-3-1-1", "GetSystemDateAndTime answers without credentials, so a client can set its token clock before login", date_and_time},
      {"DEVICE-3-1-9", "GetDeviceInformation names manufacturer, model, firmware, serial number and hardware id", device_information},
      {"DEVICE-1-1-2", "GetCapabilities(All) has a Device section with an XAddr", capabilities},
      {"DEVICE-1-1-13", "GetServices lists the Device service and an http(s) XAddr for every service", services},
      {"ONVIF-DEVICE-SCOPES", "GetScopes returns onvif://www.onvif.org/ scopes", scopes},
      {"ONVIF-DEVICE-NETWORK", "GetNetworkInterfaces returns at least one interface", network_interfaces},
      {"ONVIF-DEVICE-USERS", "GetUsers lists the user logged in with a user level", users},
      {"ONVIF-MEDIA-PROFILES", "Media GetProfiles returns a profile with a token", media_profiles},
      {"MEDIA2-1-1-4", "Media2 GetProfiles returns a profile with a token", media2_profiles},
      {"ONVIF-MEDIA-STREAMURI", "GetStreamUri (RTP-Unicast over RTSP) gives a URI that answers DESCRIBE with a video SDP", stream_uri},
      {"ONVIF-MEDIA-SNAPSHOT", "GetSnapshotUri gives an http URI that serves a whole JPEG", snapshot_uri},
      {"ONVIF-EVENT-PROPERTIES", "GetEventProperties returns the topic set", event_properties},
      {"ONVIF-EVENT-PULLPOINT", "CreatePullPointSubscription, PullMessages and Unsubscribe work on the address given", pull_point},
      {"ONVIF-PTZ-NODES", "PTZ GetNodes and GetConfigurations describe at least one node", ptz_nodes},
      {"ONVIF-IMAGING-SETTINGS", "Imaging GetImagingSettings and GetOptions answer for the first video source", imaging_settings},
      {"ONVIF-FAULT-ACTION", "an operation the service does not know is refused with ter:ActionNotSupported", action_not_supported},
      {"ONVIF-FAULT-PASSWORD", "a UsernameToken with a wrong password is refused with env:Sender/ter:NotAuthorized",
       [](const ConformTarget& target, const TargetFacts& facts) {
         return refused_login(target, facts, target.password + "-not", 0s, "a wrong password");
       }},
      {"ONVIF-FAULT-STALE-CREATED", "a UsernameToken created an hour ago (outside any clock-skew window) is refused",
       [](const ConformTarget& target, const TargetFacts& facts) {
         return refused_login(target, facts, target.password, 3600s, "Created an hour ago");
       }},
  };
}

}  // namespace camrig::conformance
