// Peers, faults, spawned actors and delivery expectations: the loader reads them (mistakes name file:line), peer
// references expand to the proxies' addresses, the peers record what a real client sends them
// (HTTP, LPRAPI repeats, SMTP), and delivery verdicts count, filter and catch duplicates.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "conformance/clients.hpp"
#include "conformance/evaluator.hpp"
#include "conformance/peers.hpp"

namespace camrig::conformance {
namespace {

constexpr const char* k_expect_any = "expect: [{metric: {name: alerts.count, max: 0}}]\n";

std::string error_of(const std::string& text) {
  auto parsed = parse_scenario(text, "bad.yaml");
  return parsed ? std::string("(loaded)") : parsed.error().message;
}

TEST(ScenarioPeers, PeersFaultsAndDeliveriesLoad) {
  auto s = parse_scenario(R"(
duration: 30
peers: [lprapi, {name: mail, kind: smtp}]
device:
  setup:
    - {method: PUT, path: /ISAPI/System/Network/LPRAPI, body: "<platformServer>${peer.lprapi.url}</platformServer>"}
timeline:
  - {at: 5, id: down, fault: {peer: lprapi, outage: true}}
  - {at: 6, fault: {peer: mail, latency_ms: 200, jitter_ms: 20, bandwidth: 100000}}
  - {at: 7, fault: {card: write_errors, writes: 3}}
  - {at: 8, id: up, fault: {peer: lprapi, outage: false, reset: true}}
expect:
  - delivery: {peer: lprapi, path: /FunctionInterface/VehicleInfo, fields: {plateNumber: AB123CD}, count: 1,
               unique: plateNumber, after: up, within: 20}
  - delivery: {peer: mail, none: true, contains: [alarm]}
)",
                          "d.yaml");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->peers.size(), 2u);
  EXPECT_EQ(s->peers[0].name, "lprapi");
  EXPECT_EQ(s->peers[0].kind, PeerKind::lprapi);
  EXPECT_EQ(s->peers[1].kind, PeerKind::smtp);
  ASSERT_EQ(s->timeline.size(), 4u);
  EXPECT_EQ(s->timeline[0].kind, ActionKind::fault);
  EXPECT_EQ(s->timeline[0].network->outage, true);
  EXPECT_EQ(*s->timeline[1].network->latency_ms, 200);
  EXPECT_EQ(*s->timeline[1].network->bandwidth, 100000u);
  EXPECT_EQ(s->timeline[2].card->fault, CardFault::write_errors);
  EXPECT_EQ(s->timeline[2].card->writes, 3);
  EXPECT_TRUE(s->timeline[3].network->reset);
  const auto& d = s->expectations[0].delivery;
  EXPECT_EQ(s->expectations[0].kind, ExpectationKind::delivery);
  EXPECT_EQ(d.peer, "lprapi");
  EXPECT_EQ(*d.count, 1);
  EXPECT_EQ(d.unique, std::vector<std::string>{"plateNumber"});
  EXPECT_EQ(d.window.after, "up");
  EXPECT_TRUE(s->expectations[1].delivery.none);
}

TEST(ScenarioPeers, MistakesNameTheLine) {
  EXPECT_EQ(error_of(std::string("peers: [ftp]\n") + k_expect_any),
            "bad.yaml:1:9: peer kind must be one of http, lprapi, smtp (got 'ftp')");
  EXPECT_EQ(error_of(std::string("peers: [http, http]\n") + k_expect_any), "bad.yaml:1:15: peer 'http' is declared twice");
  EXPECT_EQ(error_of(std::string("peers: [http]\ndevice:\n  setup:\n    - {method: PUT, path: /x, body: \"${peer.htp.url}\"}\n") +
                     k_expect_any),
            "bad.yaml:4:37: '${peer.htp.url}' names no declared peer 'htp'");
  EXPECT_EQ(error_of(std::string("peers: [http]\ndevice:\n  setup:\n    - {path: \"/x?${peer.http.address}\"}\n") + k_expect_any),
            "bad.yaml:4:14: '${peer.http.address}': a peer has url, host and port, not 'address'");
  EXPECT_EQ(error_of(std::string("timeline:\n  - {at: 1, fault: {peer: nobody, outage: true}}\n") + k_expect_any),
            "bad.yaml:2:27: fault peer: no peer is named 'nobody' (declared under peers: none)");
  EXPECT_EQ(error_of(std::string("peers: [http]\ntimeline:\n  - {at: 1, fault: {peer: http, loss: 5}}\n") + k_expect_any),
            "bad.yaml:3:39: loss applies to UDP traffic and every peer is TCP: use latency_ms, outage or reset");
  EXPECT_EQ(error_of(std::string("timeline:\n  - {at: 1, fault: {card: melted}}\n") + k_expect_any),
            "bad.yaml:2:27: fault card must be one of ok, full, error, removed, read_only, write_errors (got 'melted')");
  EXPECT_EQ(error_of("peers: [smtp]\nexpect:\n  - delivery: {peer: smtp, count: 1, none: true}\n"),
            "bad.yaml:3:15: delivery: give one of count, at_least or none");
}

TEST(ScenarioTimeline, SpawnIsAWorldActorAppearingAtTheStepsTime) {
  auto s = parse_scenario(std::string("duration: 9\ntimeline:\n  - {at: 2.5, id: visitor, spawn: {kind: car, lane: 0, plate: AB123CD}}\n"
                                      "  - {at: 3, spawn: {kind: person, name: walker, path: [[0, 5], [3, 5]]}}\n") +
                              k_expect_any,
                          "s.yaml");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->timeline.size(), 2u);
  EXPECT_EQ(s->timeline[0].kind, ActionKind::spawn);
  const auto& car = s->timeline[0].actor;
  EXPECT_NE(car.find("name: visitor"), std::string::npos) << car;
  EXPECT_NE(car.find("text: AB123CD"), std::string::npos) << car;
  EXPECT_NE(car.find("spawn: 2.5"), std::string::npos) << car;
  EXPECT_NE(s->timeline[1].actor.find("name: walker"), std::string::npos) << s->timeline[1].actor;
  EXPECT_EQ(error_of(std::string("timeline:\n  - {at: 1, spawn: {kind: car, lane: 0, every: 5}}\n") + k_expect_any),
            "bad.yaml:2:48: spawn: 'every' does not apply; the step's at is when the actor appears, once");
  EXPECT_EQ(error_of(std::string("timeline:\n  - {at: 1, spawn: {lane: 0}}\n") + k_expect_any),
            "bad.yaml:2:20: spawn needs kind: car, van, truck, motorcycle, person, bag or box");
}

TEST(ScenarioPeers, ReferencesExpandToThePeersAddresses) {
  const std::map<std::string, PeerAddress> peers{{"lprapi", {PeerKind::lprapi, "127.0.0.1", 4100}},
                                                 {"mail", {PeerKind::smtp, "127.0.0.1", 2525}}};
  auto text = expand_peer_references("<s>${peer.lprapi.url}/in</s><h>${peer.mail.host}:${peer.mail.port}</h>${peer.mail.url}", peers);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "<s>http://127.0.0.1:4100/in</s><h>127.0.0.1:2525</h>smtp://127.0.0.1:2525");
  EXPECT_FALSE(expand_peer_references("${peer.lprapi.url", peers));
  EXPECT_FALSE(expand_peer_references("${home}", peers));
}

Scenario scenario_with(const std::string& expect) {
  auto s = parse_scenario("duration: 60\npeers: [lprapi, {name: mail, kind: smtp}, {name: alarms, kind: http}]\n"
                          "timeline:\n  - {at: 20, id: up, fault: {peer: lprapi, outage: false}}\nexpect:\n" + expect,
                          "t.yaml");
  EXPECT_TRUE(s) << s.error().message;
  return s ? *s : Scenario{};
}

ObservedDelivery vehicle(double at, int sequence, const std::string& plate, bool repeat = false) {
  ObservedDelivery d;
  d.peer = "lprapi";
  d.at = at;
  d.method = "POST";
  d.path = "/FunctionInterface/VehicleInfo";
  d.body = R"({"messageType":"vehicle","sequence":)" + std::to_string(sequence) + R"(,"lprInfo":{"plateNumber":")" + plate +
           R"("},"pictures":[{"type":"original","data":")" + std::string(300, 'A') + R"("}]})";
  d.repeat = repeat;
  return d;
}

Observations observations() {
  Observations o;
  o.end = 60;
  o.steps = {{"up", 20, ActionKind::fault, "peer lprapi: back", 0, false}};
  o.deliveries = {vehicle(21, 1, "AB123CD"), vehicle(22, 1, "AB123CD", true), vehicle(23, 2, "XY987ZT")};
  ObservedDelivery heartbeat;
  heartbeat.peer = "lprapi";
  heartbeat.at = 1;
  heartbeat.method = "POST";
  heartbeat.path = "/FunctionInterface/KeepAlive";
  heartbeat.body = R"({"messageType":"keepAlive"})";
  o.deliveries.push_back(heartbeat);
  ObservedDelivery alert;
  alert.peer = "alarms";
  alert.at = 5;
  alert.method = "POST";
  alert.path = "/alarm";
  alert.body = "--b\r\nContent-Type: application/xml\r\n\r\n<EventNotificationAlert><eventType>IO</eventType>"
               "<inputIOPortID>1</inputIOPortID></EventNotificationAlert>\r\n--b--\r\n";
  o.deliveries.push_back(alert);
  ObservedDelivery mail;
  mail.peer = "mail";
  mail.at = 6;
  mail.method = "MAIL";
  mail.headers = {{"subject", "Alarm: IO"}, {"rcpt_to", "<ops@example.com>"}};
  mail.body = "Subject: Alarm: IO\r\n\r\nInput 1 alarm\r\n";
  o.deliveries.push_back(mail);
  return o;
}

reports::ExpectationOutcome judge(const std::string& expect, const Observations& o = observations()) {
  const auto outcomes = evaluate(scenario_with(expect), o);
  EXPECT_EQ(outcomes.size(), 1u);
  return outcomes.empty() ? reports::ExpectationOutcome{} : outcomes.front();
}

TEST(ScenarioDelivery, CountsMatchingDeliveriesAndLeavesRepeatsOut) {
  const auto held = judge("  - delivery: {peer: lprapi, path: /FunctionInterface/VehicleInfo, count: 2, unique: plateNumber, after: up}\n");
  EXPECT_TRUE(held.passed) << held.evidence;
  EXPECT_EQ(held.statement,
            "peer lprapi received 2 requests to /FunctionInterface/VehicleInfo between 20.000 s and 60.000 s, no two with the same "
            "plateNumber");
  EXPECT_EQ(held.evidence,
            "2 matching of 4 delivered to lprapi (1 repeat(s) of a sequence already taken, answered and not counted); first: POST "
            "/FunctionInterface/VehicleInfo at 21.000 s");
  // Pictures are shortened in the evidence, the plate stays.
  EXPECT_NE(held.detail.find("<300 characters>"), std::string::npos) << held.detail;
  EXPECT_NE(held.detail.find("AB123CD"), std::string::npos);
  EXPECT_FALSE(judge("  - delivery: {peer: lprapi, path: /FunctionInterface/VehicleInfo, count: 3}\n").passed);
  EXPECT_TRUE(judge("  - delivery: {peer: lprapi, fields: {plateNumber: XY987ZT, lprInfo.plateNumber: XY987ZT}}\n").passed);
  EXPECT_FALSE(judge("  - delivery: {peer: lprapi, fields: {plateNumber: XY987ZT}, to: 22}\n").passed);
  EXPECT_TRUE(judge("  - delivery: {peer: lprapi, fields: {messageType: keepAlive}, from: 0, to: 2}\n").passed);
}

TEST(ScenarioDelivery, ADuplicateFailsUniqueWithBothTimes) {
  auto o = observations();
  o.deliveries.push_back(vehicle(30, 3, "AB123CD"));
  const auto broken = judge("  - delivery: {peer: lprapi, path: /FunctionInterface/VehicleInfo, unique: plateNumber}\n", o);
  EXPECT_FALSE(broken.passed);
  EXPECT_NE(broken.evidence.find("plateNumber=AB123CD came 2 times (at 21.000 s, 30.000 s)"), std::string::npos) << broken.evidence;
}

TEST(ScenarioDelivery, XmlAlertsInMultipartAndMailHeadersAreFields) {
  EXPECT_TRUE(judge("  - delivery: {peer: alarms, fields: {eventType: IO, inputIOPortID: '1'}, count: 1}\n").passed);
  EXPECT_FALSE(judge("  - delivery: {peer: alarms, fields: {eventType: VMD}}\n").passed);
  EXPECT_TRUE(judge("  - delivery: {peer: mail, fields: {Subject: 'Alarm: IO', rcpt_to: '<ops@example.com>'}, contains: Input 1}\n").passed);
  const auto none = judge("  - delivery: {peer: mail, none: true}\n");
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.evidence, "1 matching of 1 delivered to mail; first: mail at 6.000 s to <ops@example.com>: Alarm: IO");
}

// A blocking loopback client for the SMTP peer: each command and its reply, then DATA with
// `message` (already dot-stuffed) and QUIT; returns every reply.
std::string smtp_session(int port, const std::vector<std::string>& commands, const std::string& message) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "connect failed";
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string replies;
  const auto read_reply = [&] {
    char buffer[4096];
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) replies.append(buffer, static_cast<std::size_t>(n));
  };
  const auto send = [&](const std::string& text) {
    if (::write(fd, text.data(), text.size()) >= 0) read_reply();
  };
  read_reply();
  for (const auto& command : commands) send(command + "\r\n");
  send("DATA\r\n");
  send(message + "\r\n.\r\n");
  send("QUIT\r\n");
  ::close(fd);
  return replies;
}

TEST(PeerServer, HttpPeerRecordsRequestsStampedWithDeviceTime) {
  double now = 4.5;
  auto peer = PeerServer::start(PeerKind::http, "alarms", [&] { return now; });
  ASSERT_TRUE(peer) << peer.error().message;
  IsapiCall call;
  call.method = "POST";
  call.path = "/alarm?x=1";
  call.body = "<EventNotificationAlert><eventType>IO</eventType></EventNotificationAlert>";
  const auto response = isapi_request({"127.0.0.1", (*peer)->port()}, call, "admin", "x");
  EXPECT_EQ(response.status, 200) << response.error;
  (*peer)->stop();
  const auto got = (*peer)->deliveries();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].peer, "alarms");
  EXPECT_EQ(got[0].at, 4.5);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/alarm?x=1");
  EXPECT_EQ(got[0].body, call.body);
  EXPECT_EQ(got[0].headers.at("content-type"), "application/xml");
}

TEST(PeerServer, LprapiPeerTakesEachSequenceOnce) {
  auto peer = PeerServer::start(PeerKind::lprapi, "lprapi", [] { return 1.0; });
  ASSERT_TRUE(peer) << peer.error().message;
  IsapiCall call;
  call.method = "POST";
  call.path = "/FunctionInterface/VehicleInfo";
  call.content_type = "application/json";
  for (const int sequence : {7, 7, 8}) {
    call.body = R"({"messageType":"vehicle","sequence":)" + std::to_string(sequence) + "}";
    EXPECT_EQ(isapi_request({"127.0.0.1", (*peer)->port()}, call, "admin", "x").status, 200);
  }
  const auto got = (*peer)->deliveries();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].repeat);
  EXPECT_TRUE(got[1].repeat);
  EXPECT_FALSE(got[2].repeat);
}

TEST(PeerServer, SmtpPeerRecordsTheMailWithDecodedHeaders) {
  auto peer = PeerServer::start(PeerKind::smtp, "mail", [] { return 2.0; });
  ASSERT_TRUE(peer) << peer.error().message;
  const auto replies = smtp_session(
      (*peer)->port(), {"EHLO camera", "AUTH PLAIN AGNhbQBwdw==", "MAIL FROM:<cam@example.com>", "RCPT TO:<ops@example.com>"},
      "Subject: =?UTF-8?B?QWxhcm0gw6k=?=\r\nTo: ops@example.com\r\n\r\n..dot line");
  EXPECT_NE(replies.find("250 2.0.0 queued"), std::string::npos) << replies;
  EXPECT_NE(replies.find("221 bye"), std::string::npos) << replies;
  (*peer)->stop();
  const auto got = (*peer)->deliveries();
  ASSERT_EQ(got.size(), 1u) << replies;
  EXPECT_EQ(got[0].method, "MAIL");
  EXPECT_EQ(got[0].headers.at("mail_from"), "<cam@example.com>");
  EXPECT_EQ(got[0].headers.at("rcpt_to"), "<ops@example.com>");
  EXPECT_EQ(got[0].headers.at("subject"), "Alarm \xC3\xA9");
  EXPECT_NE(got[0].body.find("\r\n.dot line\r\n"), std::string::npos) << got[0].body;
}

}  // namespace
}  // namespace camrig::conformance
