// The ONVIF Event service (tev): the device profile's topic set, pull-point subscriptions (long-polled
// PullMessages, Renew, Unsubscribe, SetSynchronizationPoint) and base notification (Subscribe, then
// wsnt:Notify POSTed to the consumer), all fed by the events the event engine records and the relays.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "soapPullPointSubscriptionBindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

class EventBroker;

//! Pull points a device serves at once; one more is refused with ter:TooManySubscriptions.
inline constexpr int k_max_pull_points = 4;
//! Base-notification consumers at once.
inline constexpr int k_max_push_subscriptions = 4;

//! The mount of the Event service at /onvif/event_service; each subscription is served at
//! /onvif/event_service/<id>. Starts the broker that keeps the subscriptions.
ServiceMount event_service_mount(const DeviceServices& services);

class EventService final : public PullPointSubscriptionBindingService {
 public:
  EventService(struct soap* context, const DeviceServices& services, const RequestInfo& request, EventBroker& broker)
      : PullPointSubscriptionBindingService(context), services_(services), request_(request), broker_(broker) {}

  int GetServiceCapabilities(_tev__GetServiceCapabilities* request, _tev__GetServiceCapabilitiesResponse& response) override;
  int GetEventProperties(_tev__GetEventProperties* request, _tev__GetEventPropertiesResponse& response) override;
  int CreatePullPointSubscription(_tev__CreatePullPointSubscription* request,
                                  _tev__CreatePullPointSubscriptionResponse& response) override;
  int PullMessages(_tev__PullMessages* request, _tev__PullMessagesResponse& response) override;
  int SetSynchronizationPoint(_tev__SetSynchronizationPoint* request,
                              _tev__SetSynchronizationPointResponse& response) override;
  int Renew(_wsnt__Renew* request, _wsnt__RenewResponse& response) override;
  int Unsubscribe(_wsnt__Unsubscribe* request, _wsnt__UnsubscribeResponse& response) override;
  int Subscribe(_wsnt__Subscribe* request, _wsnt__SubscribeResponse& response) override;

 private:
  std::string subscription_address(const std::string& id) const;

  const DeviceServices& services_;
  const RequestInfo& request_;
  EventBroker& broker_;
};

}  // namespace camrig::onvif
