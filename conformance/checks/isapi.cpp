// The ISAPI checks of `camrig conform`: login, device information, the error document, the
// streaming channels (read, and a write that is put back), time, users and the alertStream.
#include <regex>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "conformance/conform_suite.hpp"

namespace camrig::conformance {
namespace {

IsapiCall call(std::string method, std::string path, std::string body = {}) {
  IsapiCall c;
  c.method = std::move(method);
  c.path = std::move(path);
  c.body = std::move(body);
  return c;
}

Response ask(const ConformTarget& target, const IsapiCall& c) {
  return isapi_request(target.http, c, target.user, target.password, target.timeout);
}

std::string text_of(const std::string& xml, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return {};
  for (const auto& found : doc.select_nodes("//*"))
    if (std::string local = found.node().name(); local == name || local.ends_with(":" + name))
      return found.node().text().get();
  return {};
}

std::string root_of(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return {};
  std::string name = doc.document_element().name();
  const auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

std::string request_line(const IsapiCall& c) { return c.method + " " + c.path; }

// An error answer must be a ResponseStatus document a client can act on.
CheckOutcome error_document(const IsapiCall& c, const Response& r, int want_class) {
  const auto detail = transcript(request_line(c), r);
  if (r.status / 100 != want_class) return CheckOutcome::fail(fmt::format("expected a {}xx answer, got {}", want_class, summary(r)), detail);
  if (root_of(r.body) != "ResponseStatus")
    return CheckOutcome::fail(fmt::format("{} without a ResponseStatus document", r.status), detail);
  const auto code = text_of(r.body, "statusCode");
  const auto sub = text_of(r.body, "subStatusCode");
  if (code.empty() || code == "1" || sub.empty())
    return CheckOutcome::fail(fmt::format("ResponseStatus lacks an error statusCode/subStatusCode (statusCode '{}')", code), detail);
  return CheckOutcome::pass(fmt::format("{} ResponseStatus statusCode {} subStatusCode {}", r.status, code, sub));
}

CheckOutcome digest_challenge(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/System/deviceInfo");
  const auto r = isapi_request(target.http, c, {}, {}, target.timeout);
  const auto detail = transcript(request_line(c) + " (no credentials)", r);
  if (r.status != 401) return CheckOutcome::fail("expected 401 without credentials, got " + summary(r), detail);
  const auto challenge = r.headers.count("www-authenticate") ? r.headers.at("www-authenticate") : std::string();
  if (!std::regex_search(challenge, std::regex("(^|\n)Digest .*realm=.*nonce=", std::regex::icase)))
    return CheckOutcome::fail("401 without a Digest challenge naming realm and nonce: '" + challenge + "'", detail);
  return CheckOutcome::pass("401, WWW-Authenticate: " + challenge.substr(0, challenge.find('\n')));
}

CheckOutcome wrong_password(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/System/deviceInfo");
  const auto r = isapi_request(target.http, c, target.user, target.password + "-not", target.timeout);
  const auto detail = transcript(request_line(c) + " (wrong password)", r);
  if (r.status != 401) return CheckOutcome::fail("expected 401 for a wrong password, got " + summary(r), detail);
  return CheckOutcome::pass("401 for a wrong password");
}

CheckOutcome device_info(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/System/deviceInfo");
  const auto r = ask(target, c);
  const auto detail = transcript(request_line(c), r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (root_of(r.body) != "DeviceInfo") return CheckOutcome::fail("200 but no DeviceInfo document", detail);
  for (const char* field : {"deviceName", "model", "serialNumber", "firmwareVersion"})
    if (text_of(r.body, field).empty()) return CheckOutcome::fail(std::string("DeviceInfo without ") + field, detail);
  return CheckOutcome::pass(fmt::format("DeviceInfo model {} firmware {}", text_of(r.body, "model"), text_of(r.body, "firmwareVersion")));
}

CheckOutcome not_found(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/System/noSuchResource");
  return error_document(c, ask(target, c), 4);
}

CheckOutcome bad_xml(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("PUT", "/ISAPI/System/time", "<Time><timeMode>manual</timeMode>");  // cut off on purpose
  return error_document(c, ask(target, c), 4);
}

CheckOutcome channels(const ConformTarget& target, const TargetFacts& facts) {
  const auto c = call("GET", "/ISAPI/Streaming/channels");
  const auto r = ask(target, c);
  const auto detail = transcript(request_line(c), r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (root_of(r.body) != "StreamingChannelList") return CheckOutcome::fail("no StreamingChannelList document", detail);
  if (facts.stream_ids.empty()) return CheckOutcome::fail("the list names no StreamingChannel id", detail);
  std::string ids;
  for (const auto& id : facts.stream_ids) ids += (ids.empty() ? "" : ", ") + id;
  return CheckOutcome::pass("streaming channels " + ids);
}

// Writes a changed GovLength (I-frame interval: harmless to a viewer), reads it back, and
// always puts the original document back.
CheckOutcome channel_round_trip(const ConformTarget& target, const TargetFacts& facts) {
  if (facts.stream_document.empty() || root_of(facts.stream_document) != "StreamingChannel")
    return CheckOutcome::skip("GET /ISAPI/Streaming/channels/" + facts.main_stream + " gave no StreamingChannel to write back");
  const auto path = "/ISAPI/Streaming/channels/" + facts.main_stream;
  const auto original = text_of(facts.stream_document, "GovLength");
  const int value = std::atoi(original.c_str());
  const auto at = facts.stream_document.find("GovLength>" + original + "</");
  if (value <= 0 || at == std::string::npos) return CheckOutcome::skip("the main stream has no GovLength to change");
  const auto changed_value = std::to_string(value < 200 ? value + 1 : value - 1);
  auto changed = facts.stream_document;
  changed.replace(at + 10, original.size(), changed_value);

  const auto written = ask(target, call("PUT", path, changed));
  const auto read = ask(target, call("GET", path));
  const auto restore = ask(target, call("PUT", path, facts.stream_document));
  const auto restored = ask(target, call("GET", path));
  const auto detail = transcript("PUT " + path + " (GovLength " + changed_value + ")", written) + "\n\n" +
                      transcript("GET " + path, read) + "\n\n" + transcript("PUT " + path + " (original)", restore);
  if (written.status != 200) return CheckOutcome::fail("the change was refused: " + summary(written), detail);
  if (text_of(read.body, "GovLength") != changed_value)
    return CheckOutcome::fail(fmt::format("read back GovLength '{}', wrote '{}'", text_of(read.body, "GovLength"), changed_value), detail);
  if (restore.status != 200 || text_of(restored.body, "GovLength") != original)
    return CheckOutcome::fail(fmt::format("the original could not be put back ({}; GovLength now '{}')", summary(restore),
                                          text_of(restored.body, "GovLength")), detail);
  return CheckOutcome::pass(fmt::format("GovLength {} -> {} read back, then {} restored", original, changed_value, original));
}

CheckOutcome time(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/System/time");
  const auto r = ask(target, c);
  const auto detail = transcript(request_line(c), r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  const auto local = text_of(r.body, "localTime");
  if (!std::regex_match(local, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*)")))
    return CheckOutcome::fail("localTime '" + local + "' is not an ISO 8601 time", detail);
  if (text_of(r.body, "timeMode").empty()) return CheckOutcome::fail("Time without timeMode", detail);
  return CheckOutcome::pass(fmt::format("localTime {}, timeMode {}", local, text_of(r.body, "timeMode")));
}

CheckOutcome users(const ConformTarget& target, const TargetFacts&) {
  const auto c = call("GET", "/ISAPI/Security/users");
  const auto r = ask(target, c);
  const auto detail = transcript(request_line(c), r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (root_of(r.body) != "UserList") return CheckOutcome::fail("no UserList document", detail);
  if (r.body.find(">" + target.user + "<") == std::string::npos)
    return CheckOutcome::fail("the list does not name the user logged in (" + target.user + ")", detail);
  if (r.body.find("<password>") != std::string::npos && text_of(r.body, "password").size() > 0)
    return CheckOutcome::fail("the list gives away a password", detail);
  return CheckOutcome::pass("UserList names " + target.user);
}

CheckOutcome alert_stream(const ConformTarget& target, const TargetFacts&) {
  // Only the opening matters here: the status and the multipart content type.
  AlertStreamClient client(target.http, target.user, target.password, [](AlertDocument) {});
  if (!client.wait_connected(target.timeout)) return CheckOutcome::fail("the stream did not open: " + client.last_error());
  const auto type = client.content_type();
  if (type.find("multipart/") != 0 || type.find("boundary=") == std::string::npos)
    return CheckOutcome::fail("200 but Content-Type '" + type + "' is not multipart with a boundary");
  return CheckOutcome::pass("200, Content-Type: " + type);
}

}  // namespace

std::vector<ConformCheck> isapi_checks() {
  return {
      {"ISAPI-AUTH-CHALLENGE", "GET /ISAPI/System/deviceInfo without credentials answers 401 with a Digest challenge (realm, nonce)", digest_challenge},
      {"ISAPI-AUTH-WRONG", "the same request with a wrong password answers 401, not the resource", wrong_password},
      {"ISAPI-DEVICEINFO", "GET /ISAPI/System/deviceInfo with Digest returns DeviceInfo with deviceName, model, serialNumber and firmwareVersion", device_info},
      {"ISAPI-ERROR-NOTFOUND", "an unknown resource answers 4xx with a ResponseStatus naming statusCode and subStatusCode", not_found},
      {"ISAPI-ERROR-BADXML", "PUT /ISAPI/System/time with malformed XML answers 4xx with a ResponseStatus", bad_xml},
      {"ISAPI-STREAMING-CHANNELS", "GET /ISAPI/Streaming/channels lists StreamingChannel entries with ids", channels},
      {"ISAPI-STREAMING-ROUNDTRIP", "a changed GovLength of the main stream is stored and read back, and the original is restored", channel_round_trip},
      {"ISAPI-TIME", "GET /ISAPI/System/time returns an ISO 8601 localTime and a timeMode", time},
      {"ISAPI-USERS", "GET /ISAPI/Security/users lists the logged-in user and no passwords", users},
      {"ISAPI-ALERTSTREAM", "GET /ISAPI/Event/notification/alertStream with Digest opens a multipart stream with a boundary", alert_stream},
  };
}

}  // namespace camrig::conformance
