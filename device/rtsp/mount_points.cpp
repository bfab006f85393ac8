#include "device/rtsp/mount_points.hpp"

#include <charconv>

#include "device/core/text.hpp"

namespace camrig::rtsp {

namespace {

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_stream_id(int id) {
  const int channel = id / 100;
  const int type = id % 100;
  // Index 1 main, 2 sub, 3 third, then the custom streams; whether it exists is the camera's answer.
  return channel >= 1 && channel <= 99 && type >= 1;
}

//! Strips "rtsp://host[:port]" and returns the path with its query.
std::string_view path_of(std::string_view url) {
  constexpr std::string_view scheme = "rtsp://";
  if (text::starts_with_ignoring_case(url, scheme)) {
    url.remove_prefix(scheme.size());
    const auto slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  return url;
}

std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && text::equal_ignoring_case(pair.substr(0, equals), key))
      return pair.substr(equals + 1);
  }
  return std::nullopt;
}

Error not_found(std::string_view url) {
  return make_error(ErrorCode::not_found, "no stream at \"" + std::string(url) +
                                              "\"; use /Streaming/Channels/<id> or "
                                              "/video/livemedia?Ch=<n>&Streamtype=<0|1>");
}

}  // namespace

Result<MountTarget> resolve_mount(std::string_view url) {
  std::string_view path = path_of(url);
  MountTarget target;

  // Clients build SETUP URLs as Content-Base + control, so the track suffix may follow the
  // path or, with the livemedia scheme, the query string.
  constexpr std::string_view track_key = "trackID=";
  if (const auto track = path.rfind(track_key); track != std::string_view::npos && track > 0 &&
                                                (path[track - 1] == '/' || path[track - 1] == '?')) {
    const auto id = parse_int(path.substr(track + track_key.size()));
    if (!id) return not_found(url);
    target.track_id = *id;
    path = path.substr(0, track - 1);
  }

  const auto question = path.find('?');
  std::string_view query = question == std::string_view::npos ? std::string_view{} : path.substr(question + 1);
  path = path.substr(0, question);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  constexpr std::string_view channels = "/Streaming/Channels/";
  if (path.size() > channels.size() && text::starts_with_ignoring_case(path, channels)) {
    const auto id = parse_int(path.substr(channels.size()));
    if (!id || !valid_stream_id(*id)) return not_found(url);
    target.stream_id = *id;
    return target;
  }
  if (text::equal_ignoring_case(path, "/video/livemedia")) {
    while (!query.empty() && query.back() == '/') query.remove_suffix(1);
    const auto channel_text = query_value(query, "Ch");
    const auto type_text = query_value(query, "Streamtype");
    if (!channel_text) return not_found(url);
    const int channel = parse_int(*channel_text).value_or(0);
    const int type = type_text ? parse_int(*type_text).value_or(-1) : 0;
    // The channel is bounded before it is scaled, so a huge Ch cannot overflow into a valid id.
    if (channel < 1 || channel > 99 || (type != 0 && type != 1)) return not_found(url);
    target.stream_id = channel * 100 + (type == 0 ? 1 : 2);
    return target;
  }
  return not_found(url);
}

}  // namespace camrig::rtsp
