// Reads one stream's settings from the config service (stream.<id>.*) into the encoder-facing
// media::StreamSettings. The one place that knows both vocabularies.
#pragma once

#include "device/core/config_service.hpp"
#include "device/media/stream_settings.hpp"

namespace camrig::camera {

//! A stream that is not there (a custom stream slot not added) is not enabled.
media::StreamSettings stream_settings_from_config(const core::ConfigService& config, int stream_id);

//! False for a custom stream slot of the profile that has not been added (or was deleted): it
//! has no RTSP mount and no ISAPI resource.
bool stream_exists(const core::ConfigService& config, int stream_id);

}  // namespace camrig::camera
