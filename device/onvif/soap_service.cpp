#include "device/onvif/soap_service.hpp"

#include <cctype>
#include <charconv>

namespace camrig::onvif {
int fault_from(struct soap* soap, const Error& error, const char* detail_subcode) {
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::out_of_range:
    case ErrorCode::not_found:
    case ErrorCode::already_exists:
      return sender_fault(soap, "ter:InvalidArgVal", detail_subcode, error.message);
    case ErrorCode::permission_denied:
      return sender_fault(soap, "ter:NotAuthorized", detail_subcode, error.message);
    case ErrorCode::not_configurable:
    case ErrorCode::unavailable:
      return receiver_fault(soap, "ter:Action", detail_subcode, error.message);
    case ErrorCode::io_error:
    case ErrorCode::internal:
      break;
  }
  return receiver_fault(soap, "ter:Action", detail_subcode, error.message);
}

void log_operation(const DeviceServices& services, const RequestInfo& request, std::string minor, std::string description) {
  if (!services.system_log) return;
  storage::LogEntry entry;
  entry.major = storage::LogMajor::operation;
  entry.minor = std::move(minor);
  entry.user = request.user ? request.user->name : std::string();
  entry.remote_address = request.client_address;
  entry.description = std::move(description);
  (void)services.system_log->append(std::move(entry));  // a full log must not fail the operation
}

std::optional<int> number_after(std::string_view token, std::string_view prefix) {
  if (!token.starts_with(prefix)) return std::nullopt;
  const auto digits = token.substr(prefix.size());
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.size() < 3 || text.front() != 'P') return std::nullopt;
  double total = 0;
  bool in_time = false;
  bool any = false;
  std::size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
    if (end == i || end == text.size()) return std::nullopt;
    double value = 0;
    try {
      value = std::stod(std::string(text.substr(i, end - i)));
    } catch (...) {
      return std::nullopt;
    }
    const char unit = text[end];
    if (!in_time && unit == 'D') total += value * 86400;
    else if (in_time && unit == 'H') total += value * 3600;
    else if (in_time && unit == 'M') total += value * 60;
    else if (in_time && unit == 'S') total += value;
    else return std::nullopt;
    any = true;
    i = end + 1;
  }
  if (!any || total > 1e9) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(total * 1000));
}

char* soap_text(struct soap* soap, std::string_view text) { return soap_strdup(soap, std::string(text).c_str()); }

std::string* soap_string(struct soap* soap, std::string_view text) {
  auto* result = soap_new_std__string(soap);
  *result = text;
  return result;
}

int no_profile(struct soap* soap, std::string_view token) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:NoProfile", "no media profile '" + std::string(token) + "'");
}

int no_config(struct soap* soap, std::string_view token) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "no configuration '" + std::string(token) + "'");
}

int config_fault(struct soap* soap, const Error& error) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:ConfigModify", error.message);
}

}  // namespace camrig::onvif
