#include "device/onvif/metadata_events.hpp"

#include <vector>

#include "device/events/event.hpp"
#include "device/onvif/event_topics.hpp"

namespace camrig::onvif {

namespace {

void write(const events::Event& event, std::vector<Notification> notifications, media::MetadataStream& stream) {
  // Nobody plays the track: the document is not even built.
  if (stream.consumer_count() == 0) return;
  auto packet = std::make_shared<media::EncodedPacket>();
  const auto xml = event_stream_document(notifications);
  packet->data.assign(xml.begin(), xml.end());
  packet->timestamp = event.device_time;
  packet->keyframe = true;
  stream.publish({media::MetadataContent::events, std::move(packet)});
}

}  // namespace

MetadataEventWriter::MetadataEventWriter(core::EventBus& bus, std::map<int, std::shared_ptr<media::MetadataStream>> streams)
    : streams_(std::move(streams)) {
  auto recorded = bus.subscribe<events::RecordedEvent>(1024);
  thread_ = std::jthread([this, recorded](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { recorded->close(); });
    PropertyStates states;  // this thread only
    while (auto entry = recorded->pop(stop)) {
      std::vector<Notification> told;
      for (auto& notification : notifications_of(entry->event))
        if (states.update(notification)) told.push_back(std::move(notification));
      if (told.empty()) continue;
      if (entry->event.channel == 0) {
        for (const auto& [channel, stream] : streams_) write(entry->event, told, *stream);
      } else if (auto it = streams_.find(entry->event.channel); it != streams_.end()) {
        write(entry->event, std::move(told), *it->second);
      }
    }
  });
}

MetadataEventWriter::~MetadataEventWriter() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace camrig::onvif
