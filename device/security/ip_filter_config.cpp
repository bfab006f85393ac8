// The IP address filter's settings from the config service, apart from the parser so that the
// parser builds on its own (the ISAPI fuzz target compiles it without the config service).
#include "device/security/ip_filter.hpp"

namespace camrig::security {

IpFilterSettings IpFilterSettings::from_config(const core::ConfigService& config) {
  IpFilterSettings settings;
  settings.enabled = config.get_bool("network.ip_filter.enabled");
  settings.mode = config.get_string("network.ip_filter.mode") == "allow" ? IpFilterMode::allow : IpFilterMode::deny;
  // Stored lists were checked when written; one that no longer parses filters nothing rather than everything.
  if (auto entries = parse_ip_ranges(config.get_string("network.ip_filter.addresses"))) settings.entries = std::move(*entries);
  return settings;
}

}  // namespace camrig::security
