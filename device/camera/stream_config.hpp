// Reads one stream's settings from the config service (stream.<id>.*) into the encoder-facing
// media::StreamSettings. The one place that knows both vocabularies.
#pragma once

#include "device/core/config_service.hpp"
#include "device/media/stream_settings.hpp"

namespace camrig::camera {

media::StreamSettings stream_settings_from_config(const core::ConfigService& config, int stream_id);

}  // namespace camrig::camera
