// The ISAPI front-end: adds Hikvision's management resources (System, Streaming, Security) to an
// HTTP router, translating XML/JSON documents to the device's shared services and back. It holds
// no rules of its own: validation is the config service's and the user accounts'.
#pragma once

#include <functional>
#include <map>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/events/event_service.hpp"
#include "device/events/smart_display.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/http/router.hpp"
#include "device/media/snapshot.hpp"
#include "device/media/stream_hub.hpp"
#include "device/ptz/ptz_controller.hpp"
#include "device/security/certificates.hpp"
#include "device/security/user_accounts.hpp"
#include "device/security/web_sessions.hpp"
#include "device/storage/picture_store.hpp"
#include "device/storage/system_log.hpp"
#include "device/system/device_clock.hpp"
#include "device/system/maintenance.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/lprapi_service.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::isapi {

//! The services ISAPI reads and writes; each must outlive the router.
struct DeviceServices {
  const core::DeviceProfile* profile = nullptr;
  core::ConfigService* config = nullptr;
  security::UserAccounts* accounts = nullptr;
  //! A JPEG of a channel (by channel id) at a size; null on a device without pictures.
  std::function<Result<media::Snapshot>(int channel, media::SnapshotSize size)> snapshot;
  //! The encoded stream of a stream id (101, 102, ...), null when it does not exist; httpPreview
  //! pushes an MJPEG stream's pictures from it. Empty: no httpPreview route.
  std::function<std::shared_ptr<media::StreamHub>(int stream_id)> stream_hub{};
  //! Web sessions (sessionLogin, onlineUser); null: no session routes.
  security::WebSessions* sessions = nullptr;
  //! The HTTPS certificates; null: no certificate routes.
  security::CertificateStore* certificates = nullptr;
  //! Called after the server certificate changed, so HTTPS starts using it; may be empty.
  std::function<void()> server_certificate_changed{};
  //! The device clock (time resources); null: no time routes.
  system::DeviceClock* clock = nullptr;
  //! The system log (log search, operation entries); null: no log routes, nothing logged.
  storage::SystemLog* system_log = nullptr;
  //! Reboot, reset, configuration file, upgrade; null: no maintenance routes.
  system::Maintenance* maintenance = nullptr;
  //! Alarm inputs and outputs; null: no IO routes for them.
  hal::DigitalInputs* inputs = nullptr;
  hal::RelayOutputs* relays = nullptr;
  //! Event engine, alertStream and HTTP hosts; null: no Event routes.
  events::EventService* events = nullptr;
  //! The recent pictures of smart functions (smart display); null: no smartDisplay routes.
  events::SmartDisplay* smart_display = nullptr;
  //! The LPR allowlist and blocklist; null: no Traffic routes (only LPR profiles have them).
  traffic::PlateList* plates = nullptr;
  //! The LPR vehicle service (capture, barrier, recent vehicles); null: no vehicle routes.
  traffic::LprService* lpr = nullptr;
  //! The LPRAPI push (delivery state); null: no LPRAPI status route.
  traffic::LprApiService* lprapi = nullptr;
  //! The event pictures on the memory card; null: no picture search, export or watermark routes.
  storage::PictureStore* pictures = nullptr;
  //! The PTZ channels' controllers by channel id; empty: no PTZCtrl routes.
  std::map<int, ptz::PtzController*> ptz{};
};

//! Adds every ISAPI route, the ResponseStatus error renderer and the activation gate.
void add_routes(http::Router& router, DeviceServices services);

//! The {channel} path parameter names one of the camera's video channels; not_found otherwise.
Result<void> check_video_channel(const DeviceServices& services, const http::RequestContext& context);

// The resource groups, each adding its routes.
void add_system_routes(http::Router& router, DeviceServices services);
void add_streaming_routes(http::Router& router, DeviceServices services);
void add_security_routes(http::Router& router, DeviceServices services);
void add_time_routes(http::Router& router, DeviceServices services);
void add_maintenance_routes(http::Router& router, DeviceServices services);
void add_log_routes(http::Router& router, DeviceServices services);
void add_io_routes(http::Router& router, DeviceServices services);
void add_event_routes(http::Router& router, DeviceServices services);
void add_email_routes(http::Router& router, DeviceServices services);
void add_picture_routes(http::Router& router, DeviceServices services);
void add_network_routes(http::Router& router, DeviceServices services);
void add_image_routes(http::Router& router, DeviceServices services);
void add_traffic_routes(http::Router& router, DeviceServices services);
void add_lpr_routes(http::Router& router, DeviceServices services);
//! /ISAPI/Traffic/{pictureSearch,pictureSearch/export,pictures/<id>,pictures/<id>/watermark,
//! pictureWatermark,pictureSettings}.
void add_picture_search_routes(http::Router& router, DeviceServices services);
//! /ISAPI/System/Network/LPRAPI[/status], /ISAPI/System/Wiegand/1 (LPR profiles).
void add_lprapi_routes(http::Router& router, DeviceServices services);
//! /ISAPI/Traffic/channels/<id>/plateRecognition: capture and shield areas, plate algorithm (LPR profiles).
void add_plate_recognition_routes(http::Router& router, DeviceServices services);
//! /ISAPI/Smart/{LineDetection,FieldDetection,regionEntrance,regionExiting,unattendedBaggage,attendedBaggage}/<id>.
void add_analytics_rules_routes(http::Router& router, DeviceServices services);
//! /ISAPI/System/Video/inputs/channels/<id>/{motionDetection,tamperDetection},
//! /ISAPI/Smart/{DefocusDetection,SceneChangeDetection,FaceDetect}/<id>.
void add_analytics_scene_routes(http::Router& router, DeviceServices services);
//! /ISAPI/Intelligent/channels/<id>/faceCapture (profiles with face capture) and
//! /ISAPI/Intelligent/smartDisplay/captures[/<id>/pictures/<kind>, /download] (with a smart display).
void add_face_capture_routes(http::Router& router, DeviceServices services);
//! /ISAPI/PTZCtrl/channels/<id>/{continuous,absolute,status,presets[/<n>[/goto]],homeposition[/goto]} (PTZ channels).
void add_ptz_routes(http::Router& router, DeviceServices services);

}  // namespace camrig::isapi
