// The XML namespaces of the ONVIF services this device serves (their WSDLs' target namespaces),
// named once: each service mounts under its own, and WS-Discovery announces the device's.
#pragma once

namespace camrig::onvif {

inline constexpr const char* k_device_namespace = "http://www.onvif.org/ver10/device/wsdl";
inline constexpr const char* k_deviceio_namespace = "http://www.onvif.org/ver10/deviceIO/wsdl";
inline constexpr const char* k_event_namespace = "http://www.onvif.org/ver10/events/wsdl";
inline constexpr const char* k_media_namespace = "http://www.onvif.org/ver10/media/wsdl";
inline constexpr const char* k_media2_namespace = "http://www.onvif.org/ver20/media/wsdl";
inline constexpr const char* k_imaging_namespace = "http://www.onvif.org/ver20/imaging/wsdl";
inline constexpr const char* k_ptz_namespace = "http://www.onvif.org/ver20/ptz/wsdl";
inline constexpr const char* k_analytics_namespace = "http://www.onvif.org/ver20/analytics/wsdl";

}  // namespace camrig::onvif
