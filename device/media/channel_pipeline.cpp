#include "device/media/channel_pipeline.hpp"

#include <algorithm>
#include <utility>

#include "device/core/log.hpp"

namespace camrig::media {

ChannelPipeline::ChannelPipeline(hal::VideoSource& source, std::vector<std::shared_ptr<StreamPipeline>> streams,
                                 ChannelPipelineOptions options)
    : source_(source), streams_(std::move(streams)), options_(options), image_(options_.clock, options_.image) {
  workers_.reserve(streams_.size() + options_.sensor_consumers.size());
  for (const auto& stream : streams_) {
    auto worker = std::make_unique<Worker>();
    worker->consumer = stream;
    workers_.push_back(std::move(worker));
  }
  for (const auto& consumer : options_.sensor_consumers) {
    auto worker = std::make_unique<Worker>();
    worker->consumer = consumer;
    worker->takes_sensor_picture = true;
    workers_.push_back(std::move(worker));
  }
  // Workers first: the reader hands frames to them from its first frame on.
  for (auto& worker : workers_) {
    worker->thread = std::jthread([raw = worker.get()](std::stop_token stop) { run_consumer(*raw, std::move(stop)); });
  }
  reader_ = std::jthread([this](std::stop_token stop) { read_frames(std::move(stop)); });
}

ChannelPipeline::~ChannelPipeline() { stop(); }

void ChannelPipeline::stop() {
  std::lock_guard lock(stop_mutex_);
  // The reader goes first: once it has joined nobody queues frames, so the workers can go.
  if (reader_.joinable()) {
    reader_.request_stop();
    reader_.join();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) {
      worker->thread.request_stop();
      worker->thread.join();
    }
  }
}

hal::VideoFramePtr ChannelPipeline::latest_frame() const {
  std::lock_guard lock(state_mutex_);
  return latest_frame_;
}

void ChannelPipeline::read_frames(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto frame = source_.read(stop);
    if (!frame) {
      if (!stop.stop_requested()) {
        log::get("media")->warn("video source ended after {} frames", frames_read_);
        std::lock_guard lock(state_mutex_);
        source_ended_ = true;
      }
      break;
    }
    // Once per channel, so every stream (and snapshot) carries the same OSD and masks.
    const auto sensor_picture = frame;
    frame = image_.process(frame);
    {
      std::lock_guard lock(state_mutex_);
      ++frames_read_;
      latest_frame_ = frame;
    }
    for (auto& worker : workers_) hand_over(*worker, worker->takes_sensor_picture ? sensor_picture : frame, stop);
  }
  {
    std::lock_guard lock(state_mutex_);
    reader_done_ = true;
  }
  reader_finished_.notify_all();
}

void ChannelPipeline::hand_over(Worker& worker, const hal::VideoFramePtr& frame, std::stop_token stop) {
  const std::size_t depth = std::max<std::size_t>(1, options_.queue_depth);
  {
    std::unique_lock lock(worker.mutex);
    if (options_.drop_when_busy) {
      // Realtime: the newest picture matters most; the encoder catches up on it.
      while (worker.queue.size() >= depth) {
        worker.queue.pop_front();
        ++worker.dropped;
      }
    } else if (!worker.changed.wait(lock, stop, [&] { return worker.queue.size() < depth; })) {
      return;
    }
    worker.queue.push_back(frame);
  }
  worker.changed.notify_all();
}

void ChannelPipeline::run_consumer(Worker& worker, std::stop_token stop) {
  for (;;) {
    hal::VideoFramePtr frame;
    {
      std::unique_lock lock(worker.mutex);
      if (!worker.changed.wait(lock, stop, [&] { return !worker.queue.empty(); })) {
        worker.exited = true;
        worker.queue.clear();
        lock.unlock();
        worker.changed.notify_all();
        return;
      }
      frame = std::move(worker.queue.front());
      worker.queue.pop_front();
      worker.busy = true;
    }
    worker.changed.notify_all();
    worker.consumer->process(frame);
    frame.reset();
    {
      std::lock_guard lock(worker.mutex);
      worker.busy = false;
    }
    worker.changed.notify_all();
  }
}

void ChannelPipeline::wait_until_drained() {
  {
    std::unique_lock lock(state_mutex_);
    reader_finished_.wait(lock, [&] { return reader_done_; });
  }
  for (auto& worker : workers_) {
    std::unique_lock lock(worker->mutex);
    worker->changed.wait(lock, [&] { return worker->exited || (worker->queue.empty() && !worker->busy); });
  }
}

bool ChannelPipeline::source_ended() const {
  std::lock_guard lock(state_mutex_);
  return source_ended_;
}

ChannelCounters ChannelPipeline::counters() const {
  ChannelCounters counters;
  {
    std::lock_guard lock(state_mutex_);
    counters.frames_read = frames_read_;
  }
  for (const auto& worker : workers_) {
    std::lock_guard lock(worker->mutex);
    counters.frames_dropped.push_back(worker->dropped);
  }
  return counters;
}

}  // namespace camrig::media
