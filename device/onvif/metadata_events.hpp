// The events part of each channel's ONVIF metadata (Profile M/T): every event the event engine
// records that has an ONVIF topic goes into the metadata stream of its channel (device events,
// such as alarm inputs, into every channel's) as a tt:Event/wsnt:NotificationMessage, the same
// message an Event service pull point delivers; a property state already told is not repeated.
#pragma once

#include <map>
#include <memory>
#include <thread>

#include "device/core/event_bus.hpp"
#include "device/media/metadata_stream.hpp"

namespace camrig::onvif {

class MetadataEventWriter {
 public:
  //! Starts reading the bus's recorded events; `streams` by channel id.
  MetadataEventWriter(core::EventBus& bus, std::map<int, std::shared_ptr<media::MetadataStream>> streams);
  ~MetadataEventWriter();
  MetadataEventWriter(const MetadataEventWriter&) = delete;
  MetadataEventWriter& operator=(const MetadataEventWriter&) = delete;

 private:
  std::map<int, std::shared_ptr<media::MetadataStream>> streams_;
  std::jthread thread_;
};

}  // namespace camrig::onvif
