#include "device/onvif/scopes.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

#include "device/core/text.hpp"

namespace camrig::onvif {
namespace {

std::string percent_encode_spaces(std::string_view text) {
  std::string out;
  for (const char c : text) out += c == ' ' ? std::string("%20") : std::string(1, c);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The rule compares canonical forms, so "%20" and " " are the same segment.
std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

struct ScopeUri {
  std::string_view scheme;
  std::string_view authority;
  std::vector<std::string> segments;
};

// Query and fragment take no part in the rule; "." and ".." segments make a URI unmatchable.
std::optional<ScopeUri> parse(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  ScopeUri parsed;
  parsed.scheme = uri.substr(0, colon);
  std::string_view rest = uri.substr(colon + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    const auto slash = rest.find('/');
    parsed.authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  }
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto end = std::min(rest.find('/', start), rest.size());
    const auto segment = rest.substr(start, end - start);
    if (segment == "." || segment == "..") return std::nullopt;
    // A leading "/" and a trailing "/" delimit segments rather than adding empty ones.
    if (!segment.empty() || (start != 0 && end != rest.size())) parsed.segments.push_back(unescape(segment));
    start = end + 1;
  }
  return parsed;
}

}  // namespace

std::vector<std::string> fixed_scopes(const core::DeviceProfile& profile, const core::ConfigService& config) {
  return {
      "onvif://www.onvif.org/type/video_encoder",
      "onvif://www.onvif.org/type/Network_Video_Transmitter",
      // Profile S is announced under its original name, "Streaming". Media, Media2 and Analytics
      // are mounted on every profile (onvif.cpp); a service made conditional takes its scope along.
      "onvif://www.onvif.org/Profile/Streaming",
      "onvif://www.onvif.org/Profile/T",
      "onvif://www.onvif.org/Profile/M",
      "onvif://www.onvif.org/hardware/" + percent_encode_spaces(profile.device.model),
      "onvif://www.onvif.org/name/" + percent_encode_spaces(config.get_string("device.name")),
  };
}

std::vector<std::string> configurable_scopes(const core::ConfigService& config) {
  std::vector<std::string> scopes;
  std::istringstream in(config.get_string("onvif.scopes"));
  for (std::string scope; in >> scope;) scopes.push_back(scope);
  return scopes;
}

std::vector<std::string> device_scopes(const core::DeviceProfile& profile, const core::ConfigService& config) {
  auto scopes = fixed_scopes(profile, config);
  for (auto& scope : configurable_scopes(config)) scopes.push_back(std::move(scope));
  return scopes;
}

bool scope_matches_uri_prefix(std::string_view probe, std::string_view scope) {
  const auto wanted = parse(probe);
  const auto held = parse(scope);
  if (!wanted || !held) return false;
  if (!text::equal_ignoring_case(wanted->scheme, held->scheme) ||
      !text::equal_ignoring_case(wanted->authority, held->authority))
    return false;
  if (wanted->segments.size() > held->segments.size()) return false;
  return std::equal(wanted->segments.begin(), wanted->segments.end(), held->segments.begin());
}

}  // namespace camrig::onvif
