#include "device/onvif/soap_stage.hpp"

#include "device/onvif/qualified_name.hpp"

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

SoapExchange::SoapExchange(std::string body) : in_(std::move(body)), soap_(soap_new1(SOAP_C_UTFSTRING)) {
  soap_->is = &in_;
  soap_->os = &out_;
  soap_set_imode(soap_, SOAP_ENC_PLAIN);
  soap_set_omode(soap_, SOAP_ENC_PLAIN);
}

SoapExchange::~SoapExchange() {
  soap_destroy(soap_);
  soap_end(soap_);
  soap_free(soap_);
}

std::optional<std::string> SoapExchange::begin() {
  const int begun = soap_begin_serve(soap_);
  // A service's dispatch resets gSOAP's version to its namespace table's (1.2); answer in the request's.
  request_version_ = soap_->version;
  if (begun != SOAP_OK) return std::nullopt;  // soap_begin_serve has written its fault already
  if (soap_->version == 0) {
    // Without HTTP, gSOAP takes XML that is no SOAP envelope as plain content; ONVIF is SOAP only.
    soap_->version = 2;
    soap_->error = SOAP_VERSIONMISMATCH;
    soap_send_fault(soap_);
    return std::nullopt;
  }
  if (soap_peek_element(soap_) != SOAP_OK) {
    soap_send_fault(soap_);
    return std::nullopt;
  }
  return std::string(local_name(soap_->tag));
}

const char* SoapExchange::content_type() const {
  return request_version_ == 1 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8";
}

std::optional<UsernameToken> SoapExchange::username_token() const {
  const auto* header = soap_->header;
  if (!header || !header->wsse__Security || !header->wsse__Security->UsernameToken) return std::nullopt;
  const auto* token = header->wsse__Security->UsernameToken;
  UsernameToken result;
  result.username = token->Username ? token->Username : "";
  if (token->Password) {
    result.password = token->Password->__item ? token->Password->__item : "";
    result.digest = !(token->Password->Type && std::string_view(token->Password->Type).ends_with("#PasswordText"));
  }
  if (token->Nonce && token->Nonce->__item) result.nonce = token->Nonce->__item;
  if (token->wsu__Created) result.created = token->wsu__Created;
  return result;
}

void SoapExchange::refuse(const std::string& reason) {
  sender_fault(soap_, "ter:NotAuthorized", nullptr, reason);
  soap_send_fault(soap_);
}

void SoapExchange::drop_header() { soap_->header = nullptr; }

void SoapExchange::finish(int served, const std::string& operation, std::string_view service_path) {
  if (served == SOAP_OK) return;
  if (soap_->error == SOAP_NO_METHOD || soap_->error == SOAP_TAG_MISMATCH)
    receiver_fault(soap_, "ter:ActionNotSupported", nullptr,
                   operation + " is not supported by the " + std::string(service_path) + " of this device");
  // soap_send_fault fills in the fault code of a parse error (a truncated body is a Sender fault).
  soap_send_fault(soap_);
}

// SOAP 1.2 over HTTP: faults the sender caused are 400, the rest 500.
bool SoapExchange::sender_caused() const {
  const char** code = soap_faultcode(soap_);
  const std::string_view value = code && *code ? *code : "";
  return value.find("Sender") != std::string_view::npos || value.find("Client") != std::string_view::npos;
}

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

}  // namespace camrig::onvif
