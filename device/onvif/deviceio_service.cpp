#include "device/onvif/deviceio_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <map>

#include "device/onvif/event_service.hpp"
#include "device/onvif/event_topics.hpp"

namespace camrig::onvif {
namespace {

//! The output Delay values of the manuals, as RelayOutputOptions lists them (seconds).
constexpr const char* k_delay_times = "5 10 30 60 120 300 600";

const std::map<std::string, AccessClass, std::less<>>& deviceio_access_classes() {
  static const std::map<std::string, AccessClass, std::less<>> classes = {
      {"GetServiceCapabilities", AccessClass::pre_auth},
      {"SetRelayOutputState", AccessClass::actuate},
      {"SetRelayOutputSettings", AccessClass::actuate},
  };
  return classes;
}

std::string delay_text(std::chrono::seconds delay) { return "PT" + std::to_string(delay.count()) + "S"; }

}  // namespace

ServiceMount deviceio_service_mount() {
  return mount_service<DeviceIoService>("deviceio_service", k_deviceio_namespace, [](std::string_view operation) {
    const auto& classes = deviceio_access_classes();
    const auto it = classes.find(operation);
    return it == classes.end() ? AccessClass::read_media : it->second;
  });
}

void relay_outputs(struct soap* soap, const DeviceServices& services, std::vector<tt__RelayOutput*>& relays) {
  const int count = services.relays ? services.relays->count() : 0;
  for (int id = 1; id <= count; ++id) {
    auto* relay = soap_new_tt__RelayOutput(soap);
    relay->token = relay_token(id);
    relay->Properties = soap_new_tt__RelayOutputSettings(soap);
    // Delay: the relay opens that long after it was made active (monostable); Manual: it stays.
    std::optional<std::chrono::seconds> delay;
    if (services.events)
      if (auto settings = services.events->engine().outputs().settings(id)) delay = settings->delay;
    relay->Properties->Mode = delay ? tt__RelayMode__Monostable : tt__RelayMode__Bistable;
    relay->Properties->DelayTime = delay ? delay_text(*delay) : "PT0S";
    relay->Properties->IdleState = tt__RelayIdleState__open;  // normally-open contacts
    relays.push_back(relay);
  }
}

Result<void> set_relay_output_state(const DeviceServices& services, int relay, bool active) {
  if (!services.events) return services.relays->set(relay - 1, active);
  auto& outputs = services.events->engine().outputs();
  auto settings = outputs.settings(relay);
  if (!settings) return settings.error();
  // A monostable relay closes and opens again after its Delay, as an alarm's linkage drives it;
  // a bistable one is the manual alarm ISAPI's trigger sets and clears.
  if (active && settings->delay) {
    if (auto held = outputs.hold(relay, "ONVIF"); !held) return held;
    return outputs.release(relay, "ONVIF");
  }
  return outputs.set_manual(relay, active);
}

int DeviceIoService::relay_count() const { return services_.relays ? services_.relays->count() : 0; }

int DeviceIoService::relay_of(const std::string& token) const {
  for (int id = 1; id <= relay_count(); ++id)
    if (relay_token(id) == token) return id;
  return 0;
}

void DeviceIoService::log_operation(std::string minor, std::string description) const {
  onvif::log_operation(services_, request_, std::move(minor), std::move(description));
}

int DeviceIoService::GetServiceCapabilities(_tmd__GetServiceCapabilities*, _tmd__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_tmd__Capabilities(soap);
  capabilities->VideoSources = static_cast<int>(services_.profile->channels.size());
  capabilities->RelayOutputs = relay_count();
  capabilities->DigitalInputs = services_.inputs ? services_.inputs->count() : 0;
  capabilities->SerialPorts = 0;
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int DeviceIoService::GetDigitalInputs(_tmd__GetDigitalInputs*, _tmd__GetDigitalInputsResponse& response) {
  const int count = services_.inputs ? services_.inputs->count() : 0;
  for (int id = 1; id <= count; ++id) {
    auto* input = soap_new_tt__DigitalInput(soap);
    input->token = input_token(id);
    // The idle state is the contact's when there is no alarm: open for NO sensors, closed for NC.
    bool normally_closed = false;
    if (services_.events)
      if (auto settings = services_.events->engine().settings("IO-" + std::to_string(id)))
        normally_closed = settings->sensor == events::SensorType::normally_closed;
    input->IdleState = soap_new_tt__DigitalIdleState(soap);
    *input->IdleState = normally_closed ? tt__DigitalIdleState__closed : tt__DigitalIdleState__open;
    response.DigitalInputs.push_back(input);
  }
  return SOAP_OK;
}

int DeviceIoService::GetRelayOutputs(_tds__GetRelayOutputs*, _tds__GetRelayOutputsResponse& response) {
  relay_outputs(soap, services_, response.RelayOutputs);
  return SOAP_OK;
}

int DeviceIoService::GetRelayOutputOptions(_tmd__GetRelayOutputOptions* request,
                                          _tmd__GetRelayOutputOptionsResponse& response) {
  if (request->RelayOutputToken && !relay_of(*request->RelayOutputToken))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:RelayToken", "no relay output " + *request->RelayOutputToken);
  for (int id = 1; id <= relay_count(); ++id) {
    if (request->RelayOutputToken && relay_token(id) != *request->RelayOutputToken) continue;
    auto* options = soap_new_tmd__RelayOutputOptions(soap);
    options->token = relay_token(id);
    options->Mode = {tt__RelayMode__Monostable, tt__RelayMode__Bistable};
    options->DelayTimes = soap_new_std__string(soap);
    *options->DelayTimes = k_delay_times;
    options->Discrete = soap_new_bool(soap);
    *options->Discrete = true;
    response.RelayOutputOptions.push_back(options);
  }
  return SOAP_OK;
}

int DeviceIoService::SetRelayOutputSettings(_tmd__SetRelayOutputSettings* request, _tmd__SetRelayOutputSettingsResponse&) {
  if (!request->RelayOutput || !request->RelayOutput->Properties)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, "SetRelayOutputSettings needs a RelayOutput with Properties");
  const int relay = relay_of(request->RelayOutput->token);
  if (!relay)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:RelayToken", "no relay output " + request->RelayOutput->token);
  if (!services_.events)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "the relay outputs of this device have no settings");
  const auto& properties = *request->RelayOutput->Properties;
  if (properties.IdleState != tt__RelayIdleState__open)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:RelayIdleStateNotSupported",
                        "the relays are normally-open contacts: IdleState must be open");
  auto settings = services_.events->engine().outputs().settings(relay);
  if (!settings) return fault_from(soap, settings.error());
  if (properties.Mode == tt__RelayMode__Bistable) {
    settings->delay.reset();
  } else {
    const auto delay = parse_duration(properties.DelayTime);
    if (!delay || *delay % std::chrono::seconds(1) != std::chrono::milliseconds(0) ||
        !events::valid_output_delay(std::chrono::duration_cast<std::chrono::seconds>(*delay)))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:DelayTimeNotSupported",
                          "DelayTime '" + properties.DelayTime + "' is not one of the output delays (seconds): " +
                              k_delay_times);
    settings->delay = std::chrono::duration_cast<std::chrono::seconds>(*delay);
  }
  if (auto stored = services_.events->configure_output(relay, *settings); !stored) return fault_from(soap, stored.error());
  log_operation("Remote: Set Alarm Output", "alarm output " + std::to_string(relay) + " set to " +
                                                (settings->delay ? delay_text(*settings->delay) : "manual") + " over ONVIF");
  return SOAP_OK;
}

int DeviceIoService::SetRelayOutputState(_tds__SetRelayOutputState* request, _tds__SetRelayOutputStateResponse&) {
  const int relay = relay_of(request->RelayOutputToken);
  if (!relay)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:RelayToken", "no relay output " + request->RelayOutputToken);
  const bool active = request->LogicalState == tt__RelayLogicalState__active;
  if (auto set = set_relay_output_state(services_, relay, active); !set) return fault_from(soap, set.error());
  log_operation("Remote: Manual Alarm Output",
                "alarm output " + std::to_string(relay) + (active ? " set high" : " set low") + " over ONVIF");
  return SOAP_OK;
}

}  // namespace camrig::onvif
