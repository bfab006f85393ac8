// The device's ONVIF scopes, one list for the Device service (GetScopes) and WS-Discovery (Hello,
// ProbeMatches): fixed ones derived from the profile, the profiles of ONVIF it serves and the
// device name; configurable ones stored in `onvif.scopes`. Also WS-Discovery's scope matching rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"

namespace camrig::onvif {

//! Scopes a client cannot change: type, ONVIF profiles served, hardware (model) and name.
std::vector<std::string> fixed_scopes(const core::DeviceProfile& profile, const core::ConfigService& config);
//! Scopes set with SetScopes/AddScopes, in the order they were added.
std::vector<std::string> configurable_scopes(const core::ConfigService& config);
//! Fixed, then configurable.
std::vector<std::string> device_scopes(const core::DeviceProfile& profile, const core::ConfigService& config);

//! WS-Discovery 2005/04 MatchBy URIs the device implements.
inline constexpr std::string_view k_match_by_rfc2396 = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc2396";
inline constexpr std::string_view k_match_by_rfc3986 = "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01/rfc3986";
inline constexpr std::string_view k_match_by_strcmp0 = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";

//! The RFC 2396/3986 prefix rule: scheme and authority equal ignoring case, and the probe's path
//! segments a prefix of the scope's ("onvif://www.onvif.org/Profile" matches ".../Profile/T").
bool scope_matches_uri_prefix(std::string_view probe, std::string_view scope);

}  // namespace camrig::onvif
