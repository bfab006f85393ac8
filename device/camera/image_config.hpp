// The image settings of a channel (OSD, privacy masks, overlay picture, adjustments), read from
// the config service's channel.<id>.* parameters for the channel's image pipeline.
#pragma once

#include "device/core/config_service.hpp"
#include "device/media/image/image_settings.hpp"

namespace camrig::camera {

//! Neutral settings (nothing drawn, picture unchanged) for a channel the schema has no
//! parameters for. A stored overlay picture that no longer parses is left out, with a warning.
media::image::ImageSettings image_settings_from_config(const core::ConfigService& config, int channel_id);

}  // namespace camrig::camera
