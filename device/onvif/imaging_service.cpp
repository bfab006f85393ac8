#include "device/onvif/imaging_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <charconv>
#include <cmath>
#include <map>

namespace camrig::onvif {
namespace {


// The ONVIF Core specification's access classes of the Imaging operations.
AccessClass imaging_access(std::string_view operation) {
  static const std::map<std::string, AccessClass, std::less<>> classes = {
      {"GetServiceCapabilities", AccessClass::pre_auth}, {"GetImagingSettings", AccessClass::read_media},
      {"GetOptions", AccessClass::read_media},           {"GetMoveOptions", AccessClass::read_media},
      {"GetStatus", AccessClass::read_media},            {"GetPresets", AccessClass::read_media},
      {"GetCurrentPreset", AccessClass::read_media},
  };
  const auto it = classes.find(operation);
  return it == classes.end() ? AccessClass::actuate : it->second;
}

// The day/night switch seen as the IR cut filter: in for day, out for night. "scheduled" switches
// by itself as "auto" does, so ONVIF sees AUTO.
tt__IrCutFilterMode ir_cut_of(const std::string& day_night) {
  if (day_night == "day") return tt__IrCutFilterMode__ON;
  if (day_night == "night") return tt__IrCutFilterMode__OFF;
  return tt__IrCutFilterMode__AUTO;
}

const char* day_night_of(tt__IrCutFilterMode mode) {
  switch (mode) {
    case tt__IrCutFilterMode__ON: return "day";
    case tt__IrCutFilterMode__OFF: return "night";
    case tt__IrCutFilterMode__AUTO: break;
  }
  return "auto";
}

float* soap_float(struct soap* soap, double value) {
  auto* result = soap_new_float(soap);
  *result = static_cast<float>(value);
  return result;
}

}  // namespace

ServiceMount imaging_service_mount() {
  return mount_service<ImagingService>("imaging_service", k_imaging_namespace, imaging_access);
}

int ImagingService::channel_of(const std::string& token, int& fault) {
  const int channel = number_after(token, "VideoSource_").value_or(0);
  if (channel > 0 && services_.profile->find_channel(channel)) return channel;
  fault = sender_fault(soap, "ter:InvalidArgVal", "ter:NoSource", "no video source '" + token + "'");
  return 0;
}

int ImagingService::no_focus(const std::string& token) {
  return receiver_fault(soap, "ter:ActionNotSupported", "ter:NoImagingForSource",
                        "video source '" + token + "' has no focus drive this firmware controls (its motor drives pan, tilt and zoom)");
}

tt__FloatRange* ImagingService::range_of(int channel, std::string_view field) {
  const auto* spec = services_.config->spec("channel." + std::to_string(channel) + "." + std::string(field));
  auto* range = soap_new_tt__FloatRange(soap);
  range->Min = spec && spec->min ? static_cast<float>(*spec->min) : 0.0f;
  range->Max = spec && spec->max ? static_cast<float>(*spec->max) : 100.0f;
  return range;
}

int ImagingService::GetServiceCapabilities(_timg__GetServiceCapabilities*, _timg__GetServiceCapabilitiesResponse& response) {
  response.Capabilities = soap_new_timg__Capabilities(soap);
  response.Capabilities->ImageStabilization = soap_new_bool(soap);
  *response.Capabilities->ImageStabilization = false;
  response.Capabilities->Presets = soap_new_bool(soap);
  *response.Capabilities->Presets = false;
  return SOAP_OK;
}

int ImagingService::GetImagingSettings(_timg__GetImagingSettings* request, _timg__GetImagingSettingsResponse& response) {
  int fault = SOAP_OK;
  const int channel = channel_of(request->VideoSourceToken, fault);
  if (!channel) return fault;
  const auto key = [channel](std::string_view field) { return "channel." + std::to_string(channel) + ".image." + std::string(field); };
  const auto& config = *services_.config;
  auto* settings = soap_new_tt__ImagingSettings20(soap);
  settings->Brightness = soap_float(soap, static_cast<double>(config.get_int(key("brightness"))));
  settings->ColorSaturation = soap_float(soap, static_cast<double>(config.get_int(key("saturation"))));
  settings->Contrast = soap_float(soap, static_cast<double>(config.get_int(key("contrast"))));
  settings->Sharpness = soap_float(soap, static_cast<double>(config.get_int(key("sharpness"))));
  settings->IrCutFilter = soap_new_tt__IrCutFilterMode(soap);
  *settings->IrCutFilter = ir_cut_of(config.get_string(key("day_night")));
  settings->WideDynamicRange = soap_new_tt__WideDynamicRange20(soap);
  settings->WideDynamicRange->Mode = config.get_bool(key("wdr")) ? tt__WideDynamicMode__ON : tt__WideDynamicMode__OFF;
  settings->WideDynamicRange->Level = soap_float(soap, static_cast<double>(config.get_int(key("wdr_level"))));
  settings->BacklightCompensation = soap_new_tt__BacklightCompensation20(soap);
  settings->BacklightCompensation->Mode =
      config.get_bool(key("blc")) ? tt__BacklightCompensationMode__ON : tt__BacklightCompensationMode__OFF;
  response.ImagingSettings = settings;
  return SOAP_OK;
}

int ImagingService::SetImagingSettings(_timg__SetImagingSettings* request, _timg__SetImagingSettingsResponse&) {
  int fault = SOAP_OK;
  const int channel = channel_of(request->VideoSourceToken, fault);
  if (!channel) return fault;
  const auto* settings = request->ImagingSettings;
  if (!settings) return sender_fault(soap, "ter:InvalidArgVal", "ter:SettingsInvalid", "SetImagingSettings needs ImagingSettings");
  const auto key = [channel](std::string_view field) { return "channel." + std::to_string(channel) + ".image." + std::string(field); };
  std::vector<core::ConfigService::Change> changes;
  std::string refused;
  // Levels are whole numbers on the device; the config service checks their range, as for ISAPI.
  const auto level = [&](const float* value, std::string_view field, std::string_view name) {
    if (!value) return;
    if (!std::isfinite(*value)) {
      refused = std::string(name) + " must be a number";
      return;
    }
    changes.emplace_back(key(field), core::ConfigValue(static_cast<std::int64_t>(std::lround(*value))));
  };
  level(settings->Brightness, "brightness", "Brightness");
  level(settings->ColorSaturation, "saturation", "ColorSaturation");
  level(settings->Contrast, "contrast", "Contrast");
  level(settings->Sharpness, "sharpness", "Sharpness");
  if (settings->IrCutFilter) changes.emplace_back(key("day_night"), core::ConfigValue(std::string(day_night_of(*settings->IrCutFilter))));
  if (settings->WideDynamicRange) {
    changes.emplace_back(key("wdr"), core::ConfigValue(settings->WideDynamicRange->Mode == tt__WideDynamicMode__ON));
    level(settings->WideDynamicRange->Level, "wdr_level", "WideDynamicRange Level");
  }
  if (settings->BacklightCompensation) {
    changes.emplace_back(key("blc"), core::ConfigValue(settings->BacklightCompensation->Mode == tt__BacklightCompensationMode__ON));
    if (settings->BacklightCompensation->Level) refused = "the backlight compensation of this camera has no level";
  }
  if (settings->Exposure) refused = "the exposure of this camera is not adjustable over ONVIF";
  if (settings->Focus) refused = "this camera has no focus settings";
  if (settings->WhiteBalance) refused = "the white balance of this camera is not adjustable";
  if (!refused.empty()) return sender_fault(soap, "ter:InvalidArgVal", "ter:SettingsInvalid", refused);
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error(), "ter:SettingsInvalid");
  return SOAP_OK;
}

int ImagingService::GetOptions(_timg__GetOptions* request, _timg__GetOptionsResponse& response) {
  int fault = SOAP_OK;
  const int channel = channel_of(request->VideoSourceToken, fault);
  if (!channel) return fault;
  auto* options = soap_new_tt__ImagingOptions20(soap);
  options->Brightness = range_of(channel, "image.brightness");
  options->ColorSaturation = range_of(channel, "image.saturation");
  options->Contrast = range_of(channel, "image.contrast");
  options->Sharpness = range_of(channel, "image.sharpness");
  options->IrCutFilterModes = {tt__IrCutFilterMode__ON, tt__IrCutFilterMode__OFF, tt__IrCutFilterMode__AUTO};
  options->WideDynamicRange = soap_new_tt__WideDynamicRangeOptions20(soap);
  options->WideDynamicRange->Mode = {tt__WideDynamicMode__OFF, tt__WideDynamicMode__ON};
  options->WideDynamicRange->Level = range_of(channel, "image.wdr_level");
  options->BacklightCompensation = soap_new_tt__BacklightCompensationOptions20(soap);
  options->BacklightCompensation->Mode = {tt__BacklightCompensationMode__OFF, tt__BacklightCompensationMode__ON};
  response.ImagingOptions = options;
  return SOAP_OK;
}

int ImagingService::Move(_timg__Move* request, _timg__MoveResponse&) {
  int fault = SOAP_OK;
  if (!channel_of(request->VideoSourceToken, fault)) return fault;
  return no_focus(request->VideoSourceToken);
}

int ImagingService::Stop(_timg__Stop* request, _timg__StopResponse&) {
  int fault = SOAP_OK;
  if (!channel_of(request->VideoSourceToken, fault)) return fault;
  return no_focus(request->VideoSourceToken);
}

int ImagingService::GetStatus(_timg__GetStatus* request, _timg__GetStatusResponse&) {
  int fault = SOAP_OK;
  if (!channel_of(request->VideoSourceToken, fault)) return fault;
  return no_focus(request->VideoSourceToken);
}

int ImagingService::GetMoveOptions(_timg__GetMoveOptions* request, _timg__GetMoveOptionsResponse&) {
  int fault = SOAP_OK;
  if (!channel_of(request->VideoSourceToken, fault)) return fault;
  return no_focus(request->VideoSourceToken);
}

}  // namespace camrig::onvif
