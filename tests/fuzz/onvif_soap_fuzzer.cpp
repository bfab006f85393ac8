// libFuzzer target: arbitrary bytes as the body of POST /onvif/<service>, through the ONVIF
// endpoint's own SOAP stage (device/onvif/soap_stage.cpp): envelope, version and header read, the
// operation peeked, the UsernameToken read, the refusal of an unadmitted request or the generated
// <X>BindingService::dispatch of the service the path names (every request's deserialiser; the
// operations themselves answer SOAP_NO_METHOD here, as the adapters behind them need the whole
// firmware, which clang-14 does not compile) and the fault written back.
// The first byte picks the path and the admission: '0' device, '1' media, '2' media2, '3' ptz,
// '4' imaging, '5' a pull point, '6' deviceio, admitted; '7'..'=' the same services, refused
// (any byte works). The rest is the body. Beyond the sanitizers it checks that every request is
// answered with one well-formed SOAP envelope holding a fault of the right side (a refusal is the
// sender's).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "device/onvif/soap_stage.hpp"
#include "soapDeviceBindingService.h"
#include "soapDeviceIOBindingService.h"
#include "soapImagingBindingService.h"
#include "soapMedia2BindingService.h"
#include "soapMediaBindingService.h"
#include "soapPTZBindingService.h"
#include "soapPullPointSubscriptionBindingService.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// The generated services borrow the request's soap context, as the endpoint's adapters do.
template <class Service>
int dispatch(struct soap* soap) {
  Service service(soap);
  return service.dispatch();
}

struct Mount {
  std::string_view path;
  int (*dispatch)(struct soap*);
};

constexpr Mount k_mounts[] = {{"device_service", dispatch<DeviceBindingService>},
                              {"media_service", dispatch<MediaBindingService>},
                              {"media2_service", dispatch<Media2BindingService>},
                              {"ptz_service", dispatch<PTZBindingService>},
                              {"imaging_service", dispatch<ImagingBindingService>},
                              {"event_service", dispatch<PullPointSubscriptionBindingService>},
                              {"deviceio_service", dispatch<DeviceIOBindingService>}};

// The answer is one SOAP envelope whose body is a fault.
void check_fault_envelope(const std::string& answer) {
  pugi::xml_document document;
  check(static_cast<bool>(document.load_buffer(answer.data(), answer.size())));
  const auto envelope = document.document_element();
  const std::string_view root = envelope.name();
  check(root.ends_with(":Envelope"));
  bool fault = false;
  for (const auto part : envelope.children())
    if (std::string_view(part.name()).ends_with(":Body"))
      fault = fault || std::string_view(part.first_child().name()).ends_with(":Fault");
  check(fault);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The endpoint answers an empty POST with a Digest challenge before any SOAP is read.
  if (size < 2) return 0;
  const std::size_t selector = static_cast<std::uint8_t>(data[0] - '0') % (2 * std::size(k_mounts));
  const auto& mount = k_mounts[selector % std::size(k_mounts)];
  const bool admitted = selector < std::size(k_mounts);

  camrig::onvif::SoapExchange exchange(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  if (const auto operation = exchange.begin()) {
    // What the token gives is read from the body: entities only ever shorten it.
    if (const auto token = exchange.username_token())
      check(token->username.size() + token->password.size() + token->nonce.size() + token->created.size() < size);
    if (!admitted) {
      exchange.refuse("this operation needs a WS-Security UsernameToken or HTTP Digest credentials");
      check(exchange.sender_caused());
    } else {
      exchange.drop_header();
      const int served = mount.dispatch(exchange.soap());
      check(served != SOAP_OK);  // no operation is implemented here
      exchange.finish(served, *operation, mount.path);
    }
  }
  check(exchange.request_version() >= 0 && exchange.request_version() <= 2);
  check_fault_envelope(exchange.answer());
  return 0;
}
