// The RTSP checks of `camrig conform`: OPTIONS, the Digest challenge, DESCRIBE (with decodable
// parameter sets) on both URL forms, SETUP and PLAY over UDP and TCP with RTP arriving,
// TEARDOWN, a snapshot JPEG, and how malformed requests are refused.
#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "conformance/conform_suite.hpp"

namespace camrig::conformance {
namespace {

using namespace std::chrono_literals;

std::string channels_path(const TargetFacts& facts) { return "/Streaming/Channels/" + facts.main_stream; }

std::string header(const Response& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// The control URL of the first video track of an SDP, absolute.
std::string track_url(const std::string& sdp, const std::string& base) {
  const auto video = sdp.find("m=video");
  const auto control = sdp.find("a=control:", video == std::string::npos ? 0 : video);
  if (control == std::string::npos) return base;
  auto value = sdp.substr(control + 10, sdp.find_first_of("\r\n", control) - control - 10);
  if (value == "*") return base;
  if (value.starts_with("rtsp://")) return value;
  return base + (base.ends_with("/") ? "" : "/") + value;
}

// An RTP packet as RFC 3550 frames it: version 2 and at least its 12-byte header.
std::string rtp_problem(const std::string& packet) {
  if (packet.size() < 12) return fmt::format("a {} byte packet is shorter than an RTP header", packet.size());
  const int version = static_cast<unsigned char>(packet[0]) >> 6;
  if (version != 2) return fmt::format("RTP version {} (expected 2)", version);
  return {};
}

int payload_type(const std::string& packet) { return static_cast<unsigned char>(packet[1]) & 0x7f; }

struct Played {
  Response setup, play, teardown;
  std::optional<std::string> packet;
  std::string detail;
};

// SETUP and PLAY of the main stream's video on `transport`, then the first RTP packet.
Played play(const ConformTarget& target, const TargetFacts& facts, bool tcp) {
  Played p;
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto base = rtsp.url(channels_path(facts));
  const auto describe = rtsp.request("DESCRIBE", base, {{"Accept", "application/sdp"}}, target.timeout);
  const auto track = track_url(describe.body, base);
  UdpReceiver udp;
  const auto transport = tcp ? std::string("RTP/AVP/TCP;unicast;interleaved=0-1")
                             : fmt::format("RTP/AVP;unicast;client_port={}-{}", udp.port(), udp.port() + 1);
  p.setup = rtsp.request("SETUP", track, {{"Transport", transport}}, target.timeout);
  p.detail = transcript("DESCRIBE " + base, describe) + "\n\n" + transcript("SETUP " + track + " Transport: " + transport, p.setup);
  if (p.setup.status != 200) return p;
  auto session = header(p.setup, "session");
  session = session.substr(0, session.find(';'));
  p.play = rtsp.request("PLAY", base, {{"Session", session}, {"Range", "npt=0.000-"}}, target.timeout);
  p.detail += "\n\n" + transcript("PLAY " + base, p.play);
  if (p.play.status != 200) return p;
  p.packet = tcp ? rtsp.interleaved(0, 5s) : udp.receive(5s);
  p.teardown = rtsp.request("TEARDOWN", base, {{"Session", session}}, target.timeout);
  p.detail += "\n\n" + transcript("TEARDOWN " + base, p.teardown);
  return p;
}

CheckOutcome judge_play(const Played& p, const std::string& transport) {
  if (p.setup.status != 200) return CheckOutcome::fail("SETUP " + transport + ": " + summary(p.setup), p.detail);
  if (header(p.setup, "session").empty()) return CheckOutcome::fail("SETUP answered 200 without a Session", p.detail);
  if (p.play.status != 200) return CheckOutcome::fail("PLAY: " + summary(p.play), p.detail);
  if (!p.packet) return CheckOutcome::fail("no RTP packet arrived within 5 s of PLAY", p.detail);
  if (auto problem = rtp_problem(*p.packet); !problem.empty()) return CheckOutcome::fail(problem, p.detail);
  return CheckOutcome::pass(fmt::format("SETUP 200 ({}), PLAY 200, RTP payload type {} ({} bytes)", header(p.setup, "transport"),
                                        payload_type(*p.packet), p.packet->size()));
}

CheckOutcome options(const ConformTarget& target, const TargetFacts& facts) {
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto url = rtsp.url(channels_path(facts));
  const auto r = rtsp.request("OPTIONS", url, {}, target.timeout);
  const auto detail = transcript("OPTIONS " + url, r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  const auto methods = header(r, "public");
  for (const char* method : {"DESCRIBE", "SETUP", "PLAY", "TEARDOWN"})
    if (methods.find(method) == std::string::npos)
      return CheckOutcome::fail(fmt::format("Public '{}' does not name {}", methods, method), detail);
  return CheckOutcome::pass("200, Public: " + methods);
}

CheckOutcome challenge(const ConformTarget& target, const TargetFacts& facts) {
  RtspConnection rtsp(target.rtsp, {}, {});
  const auto url = rtsp.url(channels_path(facts));
  const auto r = rtsp.request("DESCRIBE", url, {{"Accept", "application/sdp"}}, target.timeout);
  const auto detail = transcript("DESCRIBE " + url + " (no credentials)", r);
  if (r.status != 401) return CheckOutcome::fail("expected 401 without credentials, got " + summary(r), detail);
  const auto challenges = header(r, "www-authenticate");
  if (!std::regex_search(challenges, std::regex("(^|\n)Digest .*realm=.*nonce=", std::regex::icase)))
    return CheckOutcome::fail("401 without a Digest challenge naming realm and nonce: '" + challenges + "'", detail);
  return CheckOutcome::pass("401, WWW-Authenticate: " + challenges.substr(0, challenges.find('\n')));
}

CheckOutcome describe_sdp(const ConformTarget&, const TargetFacts& facts) {
  const auto& r = facts.describe;
  const auto detail = transcript("DESCRIBE " + channels_path(facts) + " (Digest)", r);
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (header(r, "content-type").find("application/sdp") == std::string::npos)
    return CheckOutcome::fail("Content-Type is '" + header(r, "content-type") + "', not application/sdp", detail);
  if (r.body.find("m=video") == std::string::npos) return CheckOutcome::fail("the SDP has no m=video", detail);
  std::smatch found;
  if (std::regex_search(r.body, found, std::regex("sprop-parameter-sets=([^;\r\n ]+)"))) {
    // H.264: a sequence (7) and a picture (8) parameter set, base64 each, comma-separated.
    std::vector<int> types;
    std::string sets = found[1];
    for (std::size_t start = 0; start <= sets.size();) {
      const auto comma = sets.find(',', start);
      const auto nal = base64_decode(sets.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (nal.empty()) return CheckOutcome::fail("a parameter set does not decode from base64: " + sets, detail);
      types.push_back(static_cast<unsigned char>(nal[0]) & 0x1f);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (std::find(types.begin(), types.end(), 7) == types.end() || std::find(types.begin(), types.end(), 8) == types.end())
      return CheckOutcome::fail("sprop-parameter-sets do not hold both an SPS (7) and a PPS (8): " + sets, detail);
    return CheckOutcome::pass(fmt::format("H.264 SDP, sprop-parameter-sets decode to {} NAL units with SPS and PPS", types.size()));
  }
  if (std::regex_search(r.body, found, std::regex("sprop-sps=([^;\r\n ]+)"))) {
    const auto sps = base64_decode(found[1]);
    if (sps.size() < 2 || ((static_cast<unsigned char>(sps[0]) >> 1) & 0x3f) != 33)
      return CheckOutcome::fail("sprop-sps does not decode to an H.265 SPS (type 33)", detail);
    return CheckOutcome::pass("H.265 SDP, sprop-sps decodes to an SPS");
  }
  if (r.body.find("JPEG") != std::string::npos || r.body.find("RTP/AVP 26") != std::string::npos)
    return CheckOutcome::pass("MJPEG SDP (no parameter sets to decode)");
  return CheckOutcome::fail("an H.264/H.265 SDP without sprop parameter sets", detail);
}

CheckOutcome livemedia(const ConformTarget& target, const TargetFacts& facts) {
  const auto channel = facts.main_stream.size() > 2 ? facts.main_stream.substr(0, facts.main_stream.size() - 2) : "1";
  const auto stream = facts.main_stream.ends_with("01") ? "0" : "1";
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto url = rtsp.url(fmt::format("/video/livemedia?Ch={}&Streamtype={}", channel, stream));
  const auto r = rtsp.request("DESCRIBE", url, {{"Accept", "application/sdp"}}, target.timeout);
  const auto detail = transcript("DESCRIBE " + url, r);
  if (r.status == 404) return CheckOutcome::skip("the target has no /video/livemedia URLs (404)");
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (r.body.find("m=video") == std::string::npos) return CheckOutcome::fail("the SDP has no m=video", detail);
  return CheckOutcome::pass("200 with an SDP for the same stream at " + url);
}

CheckOutcome udp(const ConformTarget& target, const TargetFacts& facts) {
  if (facts.describe.status != 200) return CheckOutcome::skip("DESCRIBE of the main stream failed (see RTSP-DESCRIBE-SDP)");
  return judge_play(play(target, facts, false), "RTP/AVP (UDP)");
}

CheckOutcome tcp(const ConformTarget& target, const TargetFacts& facts) {
  if (facts.describe.status != 200) return CheckOutcome::skip("DESCRIBE of the main stream failed (see RTSP-DESCRIBE-SDP)");
  return judge_play(play(target, facts, true), "RTP/AVP/TCP");
}

CheckOutcome teardown(const ConformTarget& target, const TargetFacts& facts) {
  if (facts.describe.status != 200) return CheckOutcome::skip("DESCRIBE of the main stream failed (see RTSP-DESCRIBE-SDP)");
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto base = rtsp.url(channels_path(facts));
  const auto describe = rtsp.request("DESCRIBE", base, {{"Accept", "application/sdp"}}, target.timeout);
  const auto setup = rtsp.request("SETUP", track_url(describe.body, base), {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}, target.timeout);
  auto session = header(setup, "session");
  session = session.substr(0, session.find(';'));
  const auto down = rtsp.request("TEARDOWN", base, {{"Session", session}}, target.timeout);
  const auto again = rtsp.request("PLAY", base, {{"Session", session}}, target.timeout);
  const auto detail = transcript("SETUP", setup) + "\n\n" + transcript("TEARDOWN", down) + "\n\n" + transcript("PLAY after TEARDOWN", again);
  if (setup.status != 200) return CheckOutcome::fail("SETUP: " + summary(setup), detail);
  if (down.status != 200) return CheckOutcome::fail("TEARDOWN: " + summary(down), detail);
  if (again.status != 454) return CheckOutcome::fail("PLAY of the torn-down session answered " + summary(again) + ", not 454", detail);
  return CheckOutcome::pass("TEARDOWN 200; the session is gone (PLAY answers 454)");
}

CheckOutcome cseq(const ConformTarget& target, const TargetFacts& facts) {
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto url = rtsp.url(channels_path(facts));
  const auto missing = rtsp.raw("OPTIONS " + url + " RTSP/1.0\r\nUser-Agent: camrig-conform\r\n\r\n", target.timeout);
  RtspConnection second(target.rtsp, target.user, target.password);
  const auto bad = second.raw("OPTIONS " + url + " RTSP/1.0\r\nCSeq: abc\r\n\r\n", target.timeout);
  const auto detail = transcript("OPTIONS without CSeq", missing) + "\n\n" + transcript("OPTIONS with CSeq: abc", bad);
  if (missing.status != 400) return CheckOutcome::fail("a request without CSeq answered " + summary(missing) + ", not 400", detail);
  if (bad.status != 400) return CheckOutcome::fail("CSeq: abc answered " + summary(bad) + ", not 400", detail);
  return CheckOutcome::pass("400 for a missing and for a non-numeric CSeq");
}

CheckOutcome unknown_method(const ConformTarget& target, const TargetFacts& facts) {
  RtspConnection rtsp(target.rtsp, target.user, target.password);
  const auto url = rtsp.url(channels_path(facts));
  // Logged in, so the answer is about the method and not the login.
  const auto r = rtsp.request("FROBNICATE", url, {}, target.timeout);
  const auto detail = transcript("FROBNICATE " + url, r);
  if (r.status != 501 && r.status != 405)
    return CheckOutcome::fail("an unknown method answered " + summary(r) + ", not 501 (or 405)", detail);
  const auto cseq = std::to_string(rtsp.last_cseq());
  if (header(r, "cseq") != cseq) return CheckOutcome::fail("the answer does not echo CSeq " + cseq + " ('" + header(r, "cseq") + "')", detail);
  return CheckOutcome::pass(fmt::format("{} with CSeq {} echoed", r.status, cseq));
}

CheckOutcome snapshot(const ConformTarget& target, const TargetFacts& facts) {
  if (!facts.offers("isSupportSnapshot")) return CheckOutcome::skip("the capabilities say isSupportSnapshot false");
  IsapiCall c;
  c.path = "/ISAPI/Streaming/channels/" + facts.main_stream + "/picture";
  const auto r = isapi_request(target.http, c, target.user, target.password, target.timeout);
  const auto detail = transcript("GET " + c.path, r);
  if (r.status == 404) return CheckOutcome::skip("the target has no snapshot resource (404)");
  if (r.status != 200) return CheckOutcome::fail("expected 200, got " + summary(r), detail);
  if (header(r, "content-type").find("image/jpeg") == std::string::npos)
    return CheckOutcome::fail("Content-Type '" + header(r, "content-type") + "' is not image/jpeg", detail);
  if (r.body.size() < 4 || r.body.compare(0, 2, "\xff\xd8") != 0 || r.body.compare(r.body.size() - 2, 2, "\xff\xd9") != 0)
    return CheckOutcome::fail("the body is not a whole JPEG (SOI ... EOI)", detail);
  return CheckOutcome::pass(fmt::format("image/jpeg, {} bytes from SOI to EOI", r.body.size()));
}

}  // namespace

std::vector<ConformCheck> rtsp_checks() {
  return {
      {"RTSP-OPTIONS", "OPTIONS answers 200 with Public naming DESCRIBE, SETUP, PLAY and TEARDOWN", options},
      {"RTSP-AUTH-CHALLENGE", "DESCRIBE without credentials answers 401 with a Digest challenge (realm, nonce)", challenge},
      {"RTSP-DESCRIBE-SDP", "DESCRIBE of /Streaming/Channels/<main> with Digest returns an SDP whose sprop parameter sets decode", describe_sdp},
      {"RTSP-URL-LIVEMEDIA", "DESCRIBE of /video/livemedia?Ch=<n>&Streamtype=<0|1> returns an SDP (the second URL form)", livemedia},
      {"RTSP-PLAY-UDP", "SETUP over RTP/AVP (UDP) and PLAY answer 200, and RTP packets arrive on the client port", udp},
      {"RTSP-PLAY-TCP", "SETUP over RTP/AVP/TCP (interleaved) and PLAY answer 200, and RTP arrives interleaved", tcp},
      {"RTSP-TEARDOWN", "TEARDOWN answers 200 and ends the session (a later PLAY answers 454)", teardown},
      {"RTSP-BAD-CSEQ", "a request without CSeq, or with a non-numeric one, answers 400", cseq},
      {"RTSP-UNKNOWN-METHOD", "an unknown method answers 501 (or 405) and echoes the CSeq", unknown_method},
      {"SNAPSHOT-JPEG", "GET /ISAPI/Streaming/channels/<main>/picture returns a whole JPEG", snapshot},
  };
}

}  // namespace camrig::conformance
