#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {
namespace {

// gSOAP builds Code/Subcode; ONVIF's faults nest a second, more specific subcode under it.
void add_detail_subcode(struct soap* soap, const char* detail_subcode) {
  if (!detail_subcode || soap->version != 2 || !soap->fault || !soap->fault->SOAP_ENV__Code ||
      !soap->fault->SOAP_ENV__Code->SOAP_ENV__Subcode)
    return;
  auto* nested = soap_new_SOAP_ENV__Code(soap);
  nested->SOAP_ENV__Value = soap_strdup(soap, detail_subcode);
  soap->fault->SOAP_ENV__Code->SOAP_ENV__Subcode->SOAP_ENV__Subcode = nested;
}

}  // namespace

int sender_fault(struct soap* soap, const char* subcode, const char* detail_subcode, const std::string& reason) {
  const int code = soap_sender_fault_subcode(soap, subcode, reason.c_str(), nullptr);
  add_detail_subcode(soap, detail_subcode);
  return code;
}

int receiver_fault(struct soap* soap, const char* subcode, const char* detail_subcode, const std::string& reason) {
  const int code = soap_receiver_fault_subcode(soap, subcode, reason.c_str(), nullptr);
  add_detail_subcode(soap, detail_subcode);
  return code;
}

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

char* soap_text(struct soap* soap, std::string_view text) { return soap_strdup(soap, std::string(text).c_str()); }

}  // namespace camrig::onvif
