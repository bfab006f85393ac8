#include "device/security/ip_filter.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <arpa/inet.h>

#include "device/core/text.hpp"

namespace camrig::security {
namespace {

using Bytes = std::array<unsigned char, 16>;

// IPv4 is held as ::ffff:a.b.c.d so that both families compare in one space.
std::optional<std::pair<Bytes, bool>> parse_address(std::string_view text) {
  const std::string copy(text::trim(text));
  Bytes bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return std::pair{bytes, true};
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    const bool mapped = std::all_of(bytes.begin(), bytes.begin() + 10, [](unsigned char b) { return b == 0; }) &&
                        bytes[10] == 0xff && bytes[11] == 0xff;
    return std::pair{bytes, mapped};
  }
  return std::nullopt;
}

}  // namespace

bool IpRange::contains(const Bytes& address) const { return first <= address && address <= last; }

Result<IpRange> parse_ip_range(std::string_view raw) {
  const auto text = text::trim(raw);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, "IP address filter entry '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return bad("empty");
  IpRange range;
  range.text = std::string(text);
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const auto base = parse_address(text.substr(0, slash));
    if (!base) return bad("not an IPv4 or IPv6 address before '/'");
    const auto prefix_text = text.substr(slash + 1);
    int prefix = -1;
    if (!prefix_text.empty() && prefix_text.size() <= 3 &&
        std::all_of(prefix_text.begin(), prefix_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      prefix = std::stoi(std::string(prefix_text));
    const int limit = base->second ? 32 : 128;
    if (prefix < 0 || prefix > limit) return bad("the prefix length must be 0-" + std::to_string(limit));
    const int bits = base->second ? prefix + 96 : prefix;
    range.first = range.last = base->first;
    for (int bit = bits; bit < 128; ++bit) {
      const auto mask = static_cast<unsigned char>(0x80u >> (bit % 8));
      range.first[static_cast<std::size_t>(bit / 8)] &= static_cast<unsigned char>(~mask);
      range.last[static_cast<std::size_t>(bit / 8)] |= mask;
    }
    return range;
  }
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto first = parse_address(text.substr(0, dash));
    const auto last = parse_address(text.substr(dash + 1));
    if (!first || !last) return bad("a range is two addresses joined by '-'");
    if (first->second != last->second) return bad("both ends of a range must be IPv4 or both IPv6");
    if (last->first < first->first) return bad("the range ends before it starts");
    range.first = first->first;
    range.last = last->first;
    return range;
  }
  const auto single = parse_address(text);
  if (!single) return bad("not an IPv4 or IPv6 address, CIDR block or range");
  range.first = range.last = single->first;
  return range;
}

Result<std::vector<IpRange>> parse_ip_ranges(std::string_view text) {
  std::vector<IpRange> ranges;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const auto item = text::trim(text.substr(start, end - start));
    if (!item.empty()) {
      auto range = parse_ip_range(item);
      if (!range) return range.error();
      ranges.push_back(std::move(*range));
    }
    start = end + 1;
  }
  if (ranges.size() > IpFilterSettings::k_max_entries)
    return make_error(ErrorCode::out_of_range, "the IP address filter holds at most " +
                                                   std::to_string(IpFilterSettings::k_max_entries) + " entries (got " +
                                                   std::to_string(ranges.size()) + ")");
  return ranges;
}

std::string join_ip_ranges(const std::vector<IpRange>& entries) {
  std::string joined;
  for (const auto& entry : entries) {
    if (!joined.empty()) joined += ',';
    joined += entry.text;
  }
  return joined;
}

bool IpFilter::allowed(std::string_view address) const {
  const auto settings = settings_();
  if (!settings.enabled) return true;
  const auto parsed = parse_address(address);
  if (!parsed) return false;
  const bool listed = std::any_of(settings.entries.begin(), settings.entries.end(),
                                  [&](const IpRange& range) { return range.contains(parsed->first); });
  return settings.mode == IpFilterMode::allow ? listed : !listed;
}

}  // namespace camrig::security
