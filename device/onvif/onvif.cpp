#include "device/onvif/onvif.hpp"

#include <memory>

#include "device/core/log.hpp"
#include "device/onvif/analytics_service.hpp"
#include "device/onvif/device_service.hpp"
#include "device/onvif/deviceio_service.hpp"
#include "device/onvif/event_service.hpp"
#include "device/onvif/imaging_service.hpp"
#include "device/onvif/media2_service.hpp"
#include "device/onvif/media_service.hpp"
#include "device/onvif/ptz_service.hpp"
#include "device/onvif/soap_service.hpp"
#include "device/onvif/soap_stage.hpp"
#include "device/onvif/username_token.hpp"

namespace camrig::onvif {
namespace {

namespace beast_http = http::beast_http;

//! What authentication decided for one request.
struct Admission {
  std::optional<security::UserAccount> user;
  bool admitted = false;
  beast_http::status status = beast_http::status::ok;  //!< of the refusal
  std::string reason;
  std::vector<std::string> www_authenticate;
};

class Endpoint {
 public:
  explicit Endpoint(DeviceServices services)
      : services_(services),
        tokens_(*services.accounts, *services.login_lock, *services.clock, [config = services.config] {
          UsernameTokenSettings settings;
          settings.max_clock_skew = std::chrono::seconds(config->get_int("onvif.username_token.max_clock_skew"));
          return settings;
        }) {
    mounts_.push_back(device_service_mount());
    mounts_.push_back(event_service_mount(services_));
    mounts_.push_back(deviceio_service_mount());
    mounts_.push_back(media_service_mount());
    mounts_.push_back(media2_service_mount());
    if (!services_.ptz.empty()) mounts_.push_back(ptz_service_mount());
    mounts_.push_back(imaging_service_mount());
    mounts_.push_back(analytics_service_mount());
  }

  const std::vector<ServiceMount>& mounts() const { return mounts_; }

  Result<http::Reply> serve(const http::RequestContext& context, const ServiceMount& mount);

 private:
  Admission admit(const SoapExchange& exchange, const http::RequestContext& context, AccessClass access);

  DeviceServices services_;
  UsernameTokenVerifier tokens_;
  std::vector<ServiceMount> mounts_;
};

// SOAP 1.2 over HTTP: faults the sender caused are 400, the rest 500.
beast_http::status fault_status(const SoapExchange& exchange) {
  return exchange.sender_caused() ? beast_http::status::bad_request : beast_http::status::internal_server_error;
}

Admission Endpoint::admit(const SoapExchange& exchange, const http::RequestContext& context, AccessClass access) {
  Admission admission;
  // Operations every client may call before it knows the device's time or has credentials;
  // credentials sent along are not checked, so a client with a skewed clock can still learn the time.
  if (access == AccessClass::pre_auth) {
    admission.admitted = true;
    return admission;
  }
  const auto authorization_field = context.message[beast_http::field::authorization];
  const std::string_view authorization(authorization_field.data(), authorization_field.size());
  const auto target_field = context.message.target();
  const std::string_view target(target_field.data(), target_field.size());
  const auto token = exchange.username_token();
  if (!authorization.empty()) {
    security::AuthenticationRequest request{"POST", target, authorization, context.client_address};
    auto outcome = services_.authenticator->authenticate(request);
    if (auto* challenge = std::get_if<security::Challenge>(&outcome)) {
      admission.status = challenge->reason == security::Challenge::Reason::address_locked ? beast_http::status::forbidden
                                                                                           : beast_http::status::unauthorized;
      admission.reason = challenge->message;
      admission.www_authenticate = challenge->www_authenticate;
      return admission;
    }
    admission.user = std::get<security::UserAccount>(outcome);
  } else if (token) {
    auto outcome = tokens_.verify(*token, context.client_address);
    if (auto* refusal = std::get_if<TokenRefusal>(&outcome)) {
      admission.status = refusal->locked ? beast_http::status::forbidden : beast_http::status::bad_request;
      admission.reason = refusal->message;
      return admission;
    }
    admission.user = std::get<security::UserAccount>(outcome);
  } else {
    admission.status = beast_http::status::unauthorized;
    admission.reason = "this operation needs a WS-Security UsernameToken or HTTP Digest credentials";
    admission.www_authenticate = services_.authenticator->challenge_values(false);
    return admission;
  }
  if (!level_allows(admission.user->level, access)) {
    admission.status = beast_http::status::bad_request;
    admission.reason = "user " + admission.user->name + " (" + std::string(onvif_level_name(admission.user->level)) +
                       ") may not use this operation";
    return admission;
  }
  admission.admitted = true;
  return admission;
}

Result<http::Reply> Endpoint::serve(const http::RequestContext& context, const ServiceMount& mount) {
  http::Reply reply;
  reply.response.version(context.message.version());
  reply.response.keep_alive(context.message.keep_alive());
  if (!services_.config->get_bool("onvif.enabled")) {
    reply.response.result(beast_http::status::service_unavailable);
    reply.response.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    reply.response.body() = "ONVIF is disabled on this device (Enable Open Network Video Interface)\n";
    reply.response.prepare_payload();
    return reply;
  }
  // curl and other Digest clients probe with an empty POST first and expect the challenge.
  if (context.message.body().empty() && context.message[beast_http::field::authorization].empty()) {
    reply.response.result(beast_http::status::unauthorized);
    for (const auto& value : services_.authenticator->challenge_values(false))
      reply.response.insert(beast_http::field::www_authenticate, value);
    reply.response.prepare_payload();
    return reply;
  }
  SoapExchange exchange(context.message.body());
  auto status = beast_http::status::ok;
  Admission admission;
  if (const auto operation = exchange.begin(); !operation) {
    status = fault_status(exchange);
  } else {
    admission = admit(exchange, context, mount.access(*operation));
    if (!admission.admitted) {
      log::get("onvif")->debug("{} refused for {}: {}", *operation, context.client_address, admission.reason);
      exchange.refuse(admission.reason);
      status = admission.status;
    } else {
      exchange.drop_header();
      const auto resource = context.path_parameters.find("resource");
      DeferredAnswer deferred;
      RequestInfo request{"http://" + std::string(context.message[beast_http::field::host]), admission.user,
                          context.client_address, &mounts_,
                          resource == context.path_parameters.end() ? std::string() : resource->second, &deferred};
      const int served = mount.dispatch(exchange.soap(), services_, request);
      if (deferred) {
        // The header now; the envelope when the operation writes it (the router makes it chunked).
        reply.response.result(beast_http::status::ok);
        reply.response.set(beast_http::field::content_type, exchange.content_type());
        reply.stream = std::make_shared<http::ResponseStream>(4);
        deferred(reply.stream);
        return reply;
      }
      if (served != SOAP_OK) {
        exchange.finish(served, *operation, mount.path);
        status = fault_status(exchange);
      }
    }
  }
  reply.response.result(status);
  reply.response.set(beast_http::field::content_type, exchange.content_type());
  for (const auto& value : admission.www_authenticate) reply.response.insert(beast_http::field::www_authenticate, value);
  reply.response.body() = exchange.answer();
  reply.response.prepare_payload();
  return reply;
}

}  // namespace

void add_routes(http::Router& router, DeviceServices services) {
  auto endpoint = std::make_shared<Endpoint>(services);
  for (const auto& mount : endpoint->mounts()) {
    router.add(beast_http::verb::post, "/onvif/" + mount.path, std::nullopt,
               [endpoint, &mount](http::RequestContext& context) { return endpoint->serve(context, mount); });
    if (mount.serves_resources)
      router.add(beast_http::verb::post, "/onvif/" + mount.path + "/{resource}", std::nullopt,
                 [endpoint, &mount](http::RequestContext& context) { return endpoint->serve(context, mount); });
  }
}

}  // namespace camrig::onvif
