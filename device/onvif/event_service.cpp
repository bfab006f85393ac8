#include "device/onvif/event_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "device/core/config_service.hpp"
#include "device/core/log.hpp"
#include "device/core/text.hpp"
#include "device/events/http_hosts.hpp"
#include "device/onvif/event_topics.hpp"

namespace camrig::onvif {

using namespace std::chrono_literals;

namespace {

constexpr const char* k_concrete_set_dialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";
constexpr const char* k_concrete_dialect = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete";
constexpr std::chrono::seconds k_default_termination = 60s;
constexpr std::chrono::hours k_max_termination = 24h;
constexpr std::chrono::minutes k_max_pull_timeout = 10min;
constexpr int k_max_message_limit = 256;
//! Messages a subscription keeps for its client; a client that falls further behind loses the oldest.
constexpr std::size_t k_queue_capacity = 256;
//! hal::RelayOutputs tells no one of a change, so the relays are sampled this often.
constexpr hal::Nanos k_tick = 20ms;
constexpr std::chrono::milliseconds k_notify_timeout = 3000ms;

// ---- ISO 8601 durations and xsd:dateTime ----

}  // namespace


namespace {

//! "2026-11-22T08:00:00Z", with optional fraction and "+01:00" offset; no offset is taken as UTC.
std::optional<hal::WallTime> parse_date_time(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%n", &year, &month, &day, &hour, &minute, &second, &consumed) != 6)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second < 0 || second >= 61) return std::nullopt;
  auto time = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
              std::chrono::milliseconds(static_cast<std::int64_t>(second * 1000));
  const std::string_view zone = std::string_view(text).substr(static_cast<std::size_t>(consumed));
  if (!zone.empty() && zone != "Z") {
    int offset_hours = 0, offset_minutes = 0;
    char sign = 0;
    if (std::sscanf(std::string(zone).c_str(), "%c%2d:%2d", &sign, &offset_hours, &offset_minutes) != 3 ||
        (sign != '+' && sign != '-'))
      return std::nullopt;
    const auto offset = std::chrono::hours(offset_hours) + std::chrono::minutes(offset_minutes);
    time = sign == '+' ? time - offset : time + offset;
  }
  return std::chrono::time_point_cast<hal::WallTime::duration>(time);
}

// ---- Topics ----

struct ItemDescription {
  std::string name;
  std::string type;  //!< QName of the value type: "tt:ReferenceToken", "xsd:boolean"
};

//! One topic of the device's set, as GetEventProperties describes it.
struct TopicDescription {
  std::string path;  //!< "Device/Trigger/DigitalInput" in the ONVIF topic namespace (tns1)
  bool property = false;
  std::vector<ItemDescription> source;
  std::vector<ItemDescription> data;
};

const std::vector<ItemDescription>& rule_source() {
  static const std::vector<ItemDescription> items = {{"VideoSourceConfigurationToken", "tt:ReferenceToken"},
                                                     {"VideoAnalyticsConfigurationToken", "tt:ReferenceToken"},
                                                     {"Rule", "xsd:string"}};
  return items;
}

bool has_face_capture(const DeviceServices& services) {
  return std::any_of(services.profile->channels.begin(), services.profile->channels.end(), [&](const auto& channel) {
    return services.config->spec("channel." + std::to_string(channel.id) + ".face_capture.enabled") != nullptr;
  });
}

//! The topics this device really produces: video detectors on every profile, inputs and relays
//! where the hardware has them, plates on the LPR camera, faces where face capture exists.
std::vector<TopicDescription> device_topics(const DeviceServices& services) {
  std::vector<TopicDescription> topics;
  const std::vector<ItemDescription> video_source = {{"Source", "tt:ReferenceToken"}};
  topics.push_back({"VideoSource/MotionAlarm", true, video_source, {{"State", "xsd:boolean"}}});
  topics.push_back({"VideoSource/GlobalSceneChange/ImagingService", true, video_source, {{"State", "xsd:boolean"}}});
  topics.push_back({"RuleEngine/CellMotionDetector/Motion", true, rule_source(), {{"IsMotion", "xsd:boolean"}}});
  topics.push_back({"RuleEngine/LineDetector/Crossed", false, rule_source(), {{"ObjectId", "xsd:integer"}}});
  topics.push_back({"RuleEngine/FieldDetector/ObjectsInside", true, rule_source(), {{"IsInside", "xsd:boolean"}}});
  if (services.inputs && services.inputs->count() > 0)
    topics.push_back({"Device/Trigger/DigitalInput", true, {{"InputToken", "tt:ReferenceToken"}},
                      {{"LogicalState", "xsd:boolean"}}});
  if (services.relays && services.relays->count() > 0)
    topics.push_back({"Device/Trigger/Relay", true, {{"RelayToken", "tt:ReferenceToken"}},
                      {{"LogicalState", "tt:RelayLogicalState"}}});
  if (services.profile->capabilities.license_plate_recognition)
    topics.push_back({"RuleEngine/Recognition/LicensePlate", false, rule_source(),
                      {{"PlateNumber", "xsd:string"}, {"ListVerdict", "xsd:string"}}});
  if (has_face_capture(services))
    topics.push_back({"RuleEngine/Recognition/Face", false, rule_source(), {{"ObjectId", "xsd:integer"}}});
  if (services.profile->capabilities.memory_card)
    topics.push_back({"Device/HardwareFailure/StorageFailure", true, {{"Token", "tt:ReferenceToken"}},
                      {{"Failed", "xsd:boolean"}}});
  // Media profiles and encoder configurations change through ONVIF and through ISAPI alike.
  if (services.config) {
    topics.push_back({"Media/ProfileChanged", false, {{"Token", "tt:ReferenceToken"}}, {}});
    topics.push_back({"Media/ConfigurationChanged", false, {{"Token", "tt:ReferenceToken"}}, {{"Type", "xsd:string"}}});
  }
  return topics;
}

constexpr const char* k_made_profiles_key = "onvif.media.profiles";

//! Each made profile's stored entry by token (onvif.media.profiles, written by the Media services).
std::map<std::string, std::string> made_profiles(const std::string& text) {
  std::map<std::string, std::string> result;
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_array()) return result;
  for (const auto& entry : document)
    if (entry.is_object() && entry.contains("token") && entry["token"].is_string())
      result[entry["token"].get<std::string>()] = entry.dump();
  return result;
}

constexpr const char* k_ptz_profiles_key = "onvif.media.ptz";

//! The PTZ configuration each profile was given or had taken out, by token (onvif.media.ptz,
//! written by the Media services).
std::map<std::string, std::string> ptz_profiles(const std::string& text) {
  std::map<std::string, std::string> result;
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_object()) return result;
  for (const auto& [token, channel] : document.items()) result[token] = channel.dump();
  return result;
}

//! The stream id of a "stream.<id>.<field>" key, or 0.
int stream_of_key(std::string_view key) {
  if (!key.starts_with("stream.")) return 0;
  key.remove_prefix(7);
  int id = 0;
  for (const char c : key) {
    if (c == '.') return id;
    if (c < '0' || c > '9') return 0;
    id = id * 10 + (c - '0');
  }
  return 0;
}

std::string message_description(const TopicDescription& topic) {
  auto items = [](const char* element, const std::vector<ItemDescription>& list) {
    std::string xml = std::string("<tt:") + element + ">";
    for (const auto& item : list)
      xml += "<tt:SimpleItemDescription Name=\"" + item.name + "\" Type=\"" + item.type + "\"/>";
    return xml + "</tt:" + element + ">";
  };
  return std::string("<tt:MessageDescription IsProperty=\"") + (topic.property ? "true" : "false") + "\">" +
         items("Source", topic.source) + items("Data", topic.data) + "</tt:MessageDescription>";
}

//! The wstop:TopicSet children: one element per root topic, children unqualified as ONVIF writes them.
std::vector<std::string> topic_set_xml(const std::vector<TopicDescription>& topics) {
  struct Node {
    std::map<std::string, Node> children;
    const TopicDescription* leaf = nullptr;
  };
  Node root;
  for (const auto& topic : topics) {
    Node* node = &root;
    std::istringstream path(topic.path);
    for (std::string segment; std::getline(path, segment, '/');) node = &node->children[segment];
    node->leaf = &topic;
  }
  std::function<std::string(const std::string&, const Node&, bool)> render = [&](const std::string& name,
                                                                                  const Node& node, bool top) {
    const std::string tag = top ? "tns1:" + name : name;
    std::string xml = "<" + tag + (node.leaf ? " wstop:topic=\"true\">" + message_description(*node.leaf) : ">");
    for (const auto& [child, child_node] : node.children) xml += render(child, child_node, false);
    return xml + "</" + tag + ">";
  };
  std::vector<std::string> roots;
  for (const auto& [name, node] : root.children) roots.push_back(render(name, node, true));
  return roots;
}

//! A topic filter: alternatives ("a|b"), each a concrete topic or a subtree ("tns1:RuleEngine//.").
class TopicFilter {
 public:
  static Result<TopicFilter> parse(std::string_view expression, const std::vector<TopicDescription>& topics) {
    TopicFilter filter;
    std::size_t start = 0;
    while (start <= expression.size()) {
      const auto end = std::min(expression.find('|', start), expression.size());
      auto alternative = text::trim(expression.substr(start, end - start));
      start = end + 1;
      if (alternative.empty()) continue;
      Pattern pattern;
      if (alternative.ends_with("//.")) {
        pattern.subtree = true;
        alternative.remove_suffix(3);
      } else if (alternative.ends_with("//*")) {
        pattern.subtree = true;
        alternative.remove_suffix(3);
      }
      // Each segment may carry the prefix the client bound to the ONVIF topic namespace.
      std::istringstream path{std::string(alternative)};
      for (std::string segment; std::getline(path, segment, '/');) {
        const auto colon = segment.find(':');
        if (!pattern.path.empty()) pattern.path += '/';
        pattern.path += colon == std::string::npos ? segment : segment.substr(colon + 1);
      }
      filter.patterns_.push_back(std::move(pattern));
    }
    if (filter.patterns_.empty())
      return make_error(ErrorCode::invalid_argument, "the topic expression '" + std::string(expression) + "' is empty");
    for (const auto& pattern : filter.patterns_)
      if (std::none_of(topics.begin(), topics.end(), [&](const auto& topic) { return pattern.matches(topic.path); }))
        return make_error(ErrorCode::invalid_argument, "no topic of this device matches '" + pattern.path +
                                                           "' (GetEventProperties lists them)");
    return filter;
  }

  //! Everything when no filter was given.
  bool matches(const std::string& path) const {
    return patterns_.empty() ||
           std::any_of(patterns_.begin(), patterns_.end(), [&](const Pattern& pattern) { return pattern.matches(path); });
  }

 private:
  struct Pattern {
    std::string path;
    bool subtree = false;
    bool matches(const std::string& topic) const {
      if (topic == path) return true;
      return subtree && topic.size() > path.size() && topic.starts_with(path) && topic[path.size()] == '/';
    }
  };
  std::vector<Pattern> patterns_;
};

// ---- Notifications (the topic mapping is event_topics.hpp's) ----

//! A notification as it is queued for a subscription: its topic and its tt:Message.
struct QueuedMessage {
  std::string topic;
  std::string xml;
};

QueuedMessage render(const Notification& notification, const char* operation) {
  return {notification.topic, message_xml(notification, operation)};
}

// ---- Envelopes written outside a request (deferred PullMessages answers, Notify) ----

struct OwnedSoap {
  OwnedSoap() : soap(soap_new1(SOAP_C_UTFSTRING)) {}
  ~OwnedSoap() {
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
  }
  OwnedSoap(const OwnedSoap&) = delete;
  OwnedSoap& operator=(const OwnedSoap&) = delete;
  struct soap* soap;
};

//! The envelope around `body` as the generated serve functions write it.
template <class Body>
std::string envelope(struct soap* soap, int version, const Body& body, const char* tag) {
  std::ostringstream out;
  soap->os = &out;
  soap_set_omode(soap, SOAP_ENC_PLAIN);
  soap_set_version(soap, static_cast<short>(version));
  soap->encodingStyle = nullptr;
  soap_serializeheader(soap);
  body.soap_serialize(soap);
  if (soap_begin_count(soap) || soap_end_count(soap) || soap_response(soap, SOAP_OK) ||
      soap_envelope_begin_out(soap) || soap_putheader(soap) || soap_body_begin_out(soap) ||
      body.soap_put(soap, tag, "") || soap_body_end_out(soap) || soap_envelope_end_out(soap) || soap_end_send(soap))
    log::get("onvif")->error("writing {} failed (gSOAP error {})", tag, soap->error);
  soap->os = nullptr;
  return std::move(out).str();
}

wsnt__NotificationMessageHolderType* holder(struct soap* soap, const QueuedMessage& message) {
  auto* result = soap_new_wsnt__NotificationMessageHolderType(soap);
  result->Topic = soap_new_wsnt__TopicExpressionType(soap);
  result->Topic->Dialect = k_concrete_set_dialect;
  result->Topic->__item = "tns1:" + message.topic;
  result->Message.__any = soap_strdup(soap, message.xml.c_str());
  return result;
}

time_t to_time_t(hal::WallTime time) { return std::chrono::system_clock::to_time_t(time); }

struct PullBatch {
  std::vector<QueuedMessage> messages;
  hal::WallTime now{};
  hal::WallTime termination{};
};

void fill(struct soap* soap, _tev__PullMessagesResponse& response, const PullBatch& batch) {
  response.CurrentTime = to_time_t(batch.now);
  response.TerminationTime = to_time_t(batch.termination);
  for (const auto& message : batch.messages) response.wsnt__NotificationMessage.push_back(holder(soap, message));
}

}  // namespace

// ---- The broker: subscriptions and their queues ----

class EventBroker {
 public:
  explicit EventBroker(const DeviceServices& services)
      : services_(services), clock_(*services.clock), topics_(device_topics(services)) {
    if (services_.relays)
      for (int i = 0; i < services_.relays->count(); ++i) relay_states_.push_back(services_.relays->closed(i));
    if (services_.bus) {
      auto recorded = services_.bus->subscribe<events::RecordedEvent>(1024);
      events_thread_ = std::jthread([this, recorded](std::stop_token stop) {
        std::stop_callback wake(stop, [&] { recorded->close(); });
        while (auto event = recorded->pop(stop))
          for (auto& notification : notifications_of(event->event)) publish(std::move(notification));
      });
      if (services_.config) {
        if (services_.config->spec(k_made_profiles_key))
          made_profiles_ = made_profiles(services_.config->get_string(k_made_profiles_key));
        if (services_.config->spec(k_ptz_profiles_key))
          ptz_profiles_ = ptz_profiles(services_.config->get_string(k_ptz_profiles_key));
        auto changes = services_.bus->subscribe<core::ConfigChanged>(256);
        config_thread_ = std::jthread([this, changes](std::stop_token stop) {
          std::stop_callback wake(stop, [&] { changes->close(); });
          while (auto change = changes->pop(stop)) publish_media_changes(change->keys);
        });
      }
    }
    ticker_ = std::jthread([this](std::stop_token stop) {
      while (clock_.sleep_until(clock_.now() + k_tick, stop)) tick();
    });
  }

  ~EventBroker() {
    ticker_.request_stop();
    events_thread_.request_stop();
    config_thread_.request_stop();
    if (ticker_.joinable()) ticker_.join();
    if (events_thread_.joinable()) events_thread_.join();
    if (config_thread_.joinable()) config_thread_.join();
    std::map<std::string, std::unique_ptr<Subscription>> subscriptions;
    {
      std::lock_guard lock(mutex_);
      subscriptions.swap(subscriptions_);
    }
    for (auto& [id, subscription] : subscriptions) end(*subscription);
  }

  EventBroker(const EventBroker&) = delete;
  EventBroker& operator=(const EventBroker&) = delete;

  const std::vector<TopicDescription>& topics() const { return topics_; }
  hal::WallTime wall_now() const { return clock_.wall_time(); }

  //! Device time of a termination time the client asked for: a duration from now or an instant.
  Result<hal::Nanos> termination(const std::string* requested) const {
    const auto now = clock_.now();
    if (!requested || requested->empty()) return now + k_default_termination;
    hal::Nanos after{};
    if (auto duration = parse_duration(*requested)) {
      after = *duration;
    } else if (auto instant = parse_date_time(*requested)) {
      after = std::chrono::duration_cast<hal::Nanos>(*instant - clock_.wall_time());
    } else {
      return make_error(ErrorCode::invalid_argument, "termination time '" + *requested +
                                                         "' is neither an xsd:duration (PT60S) nor an xsd:dateTime");
    }
    if (after <= hal::Nanos{0})
      return make_error(ErrorCode::invalid_argument, "termination time '" + *requested + "' is not in the future");
    return now + std::min<hal::Nanos>(after, k_max_termination);
  }

  hal::WallTime wall_of(hal::Nanos device_time) const {
    return clock_.wall_time() + std::chrono::duration_cast<hal::WallTime::duration>(device_time - clock_.now());
  }

  struct Created {
    std::string id;
    hal::Nanos expires{};
  };

  //! A pull point, or with `consumer` a base-notification subscription posting to it.
  Result<Created> create(TopicFilter filter, hal::Nanos expires, std::optional<events::HttpHostSettings> consumer) {
    auto subscription = std::make_unique<Subscription>();
    subscription->filter = std::move(filter);
    subscription->expires = expires;
    const bool push = consumer.has_value();
    std::lock_guard lock(mutex_);
    const auto same_kind = std::count_if(subscriptions_.begin(), subscriptions_.end(),
                                         [&](const auto& entry) { return entry.second->push == push; });
    const int limit = push ? k_max_push_subscriptions : k_max_pull_points;
    if (same_kind >= limit)
      return make_error(ErrorCode::unavailable, std::string("this device serves at most ") + std::to_string(limit) +
                                                    (push ? " notification consumers" : " pull points") +
                                                    " at once; unsubscribe one or let it expire");
    subscription->id = std::to_string(++next_id_);
    if (push) {
      subscription->push = true;
      subscription->consumer = *consumer;
      subscription->outbox = std::make_shared<core::Mailbox<std::string>>(k_queue_capacity);
      subscription->poster = std::jthread([outbox = subscription->outbox, host = *consumer](std::stop_token stop) {
        while (auto body = outbox->pop(stop)) {
          auto posted = events::post_alert(host, *body, "application/soap+xml; charset=utf-8", k_notify_timeout);
          if (!posted) log::get("onvif")->warn("ONVIF notification consumer: {}", posted.error().message);
          else if (*posted >= 300)
            log::get("onvif")->warn("ONVIF notification consumer {}{} answered {}", host.address, host.url, *posted);
        }
      });
    }
    // Property events start with the current state of every instance the filter lets through.
    for (auto& message : current_state_locked(subscription->filter)) subscription->queue.push_back(std::move(message));
    if (push) flush_push_locked(*subscription);
    Created created{subscription->id, expires};
    subscriptions_.emplace(subscription->id, std::move(subscription));
    return created;
  }

  //! The queued messages now (up to `limit`), or nullopt when there are none and the caller waits.
  Result<std::optional<PullBatch>> take(const std::string& id, int limit) {
    std::lock_guard lock(mutex_);
    auto* subscription = pull_point_locked(id);
    if (!subscription) return unknown(id);
    if (subscription->queue.empty()) return std::optional<PullBatch>();
    return std::optional<PullBatch>(batch_locked(*subscription, limit));
  }

  //! Answers on `stream` as soon as a message is queued, or empty at `deadline` (device time).
  void wait(const std::string& id, std::shared_ptr<http::ResponseStream> stream, hal::Nanos deadline, int limit,
            int version) {
    std::vector<Completion> completions;
    {
      std::lock_guard lock(mutex_);
      auto* subscription = pull_point_locked(id);
      if (!subscription) {
        stream->close();
        return;
      }
      // A client asking again while an earlier pull waits gets that earlier one answered first.
      if (subscription->pending) completions.push_back(complete_locked(*subscription, 0));
      subscription->pending = Pending{std::move(stream), deadline, limit, version};
      if (!subscription->queue.empty()) completions.push_back(complete_locked(*subscription, limit));
    }
    deliver(completions);
  }

  Result<hal::Nanos> renew(const std::string& id, hal::Nanos expires) {
    std::lock_guard lock(mutex_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end() || it->second->expires <= clock_.now()) return unknown(id);
    it->second->expires = expires;
    return expires;
  }

  Result<void> unsubscribe(const std::string& id) {
    std::unique_ptr<Subscription> removed;
    {
      std::lock_guard lock(mutex_);
      auto it = subscriptions_.find(id);
      if (it == subscriptions_.end()) return unknown(id);
      removed = std::move(it->second);
      subscriptions_.erase(it);
    }
    end(*removed);
    return {};
  }

  //! Queues the current state of every property the subscription's filter lets through.
  Result<void> synchronize(const std::string& id) {
    std::vector<Completion> completions;
    {
      std::lock_guard lock(mutex_);
      auto it = subscriptions_.find(id);
      if (it == subscriptions_.end() || it->second->expires <= clock_.now()) return unknown(id);
      auto& subscription = *it->second;
      for (auto& message : current_state_locked(subscription.filter)) enqueue_locked(subscription, std::move(message));
      if (subscription.push) flush_push_locked(subscription);
      else if (subscription.pending && !subscription.queue.empty())
        completions.push_back(complete_locked(subscription, subscription.pending->limit));
    }
    deliver(completions);
    return {};
  }

  //! Publishes one occurrence to every subscription whose filter lets it through; a property
  //! notification only when the instance's state changes.
  void publish(Notification notification) {
    std::vector<Completion> completions;
    {
      std::lock_guard lock(mutex_);
      if (!states_.update(notification)) return;
      const auto message = render(notification, "Changed");
      for (auto& [id, subscription] : subscriptions_) {
        if (!subscription->filter.matches(notification.topic)) continue;
        enqueue_locked(*subscription, message);
        if (subscription->push) flush_push_locked(*subscription);
        else if (subscription->pending)
          completions.push_back(complete_locked(*subscription, subscription->pending->limit));
      }
    }
    deliver(completions);
  }

 private:
  struct Pending {
    std::shared_ptr<http::ResponseStream> stream;
    hal::Nanos deadline{};
    int limit = 1;
    int version = 2;
  };
  struct Subscription {
    std::string id;
    TopicFilter filter;
    hal::Nanos expires{};
    std::deque<QueuedMessage> queue;
    std::optional<Pending> pending;
    bool push = false;
    events::HttpHostSettings consumer;
    std::shared_ptr<core::Mailbox<std::string>> outbox;
    std::jthread poster;
  };
  struct Completion {
    Pending pending;
    PullBatch batch;
  };

  static Error unknown(const std::string& id) {
    return Error{ErrorCode::not_found, "no subscription '" + id + "' on this device (it expired or was unsubscribed)"};
  }

  Subscription* pull_point_locked(const std::string& id) {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end() || it->second->push || it->second->expires <= clock_.now()) return nullptr;
    return it->second.get();
  }

  void enqueue_locked(Subscription& subscription, QueuedMessage message) {
    if (subscription.queue.size() >= k_queue_capacity) subscription.queue.pop_front();
    subscription.queue.push_back(std::move(message));
  }

  PullBatch batch_locked(Subscription& subscription, int limit) {
    PullBatch batch;
    while (!subscription.queue.empty() && static_cast<int>(batch.messages.size()) < limit) {
      batch.messages.push_back(std::move(subscription.queue.front()));
      subscription.queue.pop_front();
    }
    batch.now = clock_.wall_time();
    batch.termination = wall_of(subscription.expires);
    return batch;
  }

  Completion complete_locked(Subscription& subscription, int limit) {
    Completion completion{std::move(*subscription.pending), batch_locked(subscription, limit)};
    subscription.pending.reset();
    return completion;
  }

  // Outside the lock: the envelope is written and handed to the HTTP session.
  static void deliver(std::vector<Completion>& completions) {
    for (auto& completion : completions) {
      OwnedSoap context;
      auto* response = soap_new__tev__PullMessagesResponse(context.soap);
      fill(context.soap, *response, completion.batch);
      (void)completion.pending.stream->write(
          envelope(context.soap, completion.pending.version, *response, "tev:PullMessagesResponse"));
      completion.pending.stream->close();
    }
  }

  void flush_push_locked(Subscription& subscription) {
    if (subscription.queue.empty()) return;
    OwnedSoap context;
    auto* notify = soap_new__wsnt__Notify(context.soap);
    for (const auto& message : subscription.queue) notify->NotificationMessage.push_back(holder(context.soap, message));
    subscription.queue.clear();
    subscription.outbox->push(envelope(context.soap, 2, *notify, "wsnt:Notify"));
  }

  // The state of each property instance now: inputs and relays read from the hardware, the
  // detectors' from the events seen so far (inactive until one is).
  std::vector<QueuedMessage> current_state_locked(const TopicFilter& filter) {
    const auto now = clock_.wall_time();
    std::map<std::string, Notification> states;
    auto put = [&](Notification notification) { states[notification.key()] = std::move(notification); };
    for (const auto& channel : services_.profile->channels) {
      put({"VideoSource/MotionAlarm", true, {{"Source", video_source_token(channel.id)}}, {{"State", "false"}}, now});
      put({"VideoSource/GlobalSceneChange/ImagingService", true, {{"Source", video_source_token(channel.id)}},
           {{"State", "false"}}, now});
      put({"RuleEngine/CellMotionDetector/Motion", true, rule_items(channel.id, "MotionDetection"),
           {{"IsMotion", "false"}}, now});
    }
    if (services_.profile->capabilities.memory_card)
      put({"Device/HardwareFailure/StorageFailure", true, {{"Token", "MemoryCard_1"}}, {{"Failed", "false"}}, now});
    for (const auto& [key, notification] : states_.current()) states[key] = notification;
    if (services_.inputs)
      for (int i = 0; i < services_.inputs->count(); ++i) {
        bool normally_closed = false;
        if (services_.events)
          if (auto settings = services_.events->engine().settings("IO-" + std::to_string(i + 1)))
            normally_closed = settings->sensor == events::SensorType::normally_closed;
        put({"Device/Trigger/DigitalInput", true, {{"InputToken", input_token(i + 1)}},
             {{"LogicalState", boolean(services_.inputs->closed(i) != normally_closed)}}, now});
      }
    for (std::size_t i = 0; i < relay_states_.size(); ++i)
      put({"Device/Trigger/Relay", true, {{"RelayToken", relay_token(static_cast<int>(i) + 1)}},
           {{"LogicalState", relay_states_[i] ? "active" : "inactive"}}, now});
    std::vector<QueuedMessage> messages;
    for (auto& [key, notification] : states) {
      if (!filter.matches(notification.topic)) continue;
      notification.time = now;
      messages.push_back(render(notification, "Initialized"));
    }
    return messages;
  }

  //! Media/ConfigurationChanged for each encoder whose stream.<id>.* settings changed (ONVIF
  //! Set*Configuration or an ISAPI PUT), Media/ProfileChanged for each made profile created,
  //! deleted or given other configurations and each profile given or stripped of its PTZ
  //! configuration. Config thread only (made_profiles_, ptz_profiles_).
  void publish_media_changes(const std::vector<std::string>& keys) {
    std::set<int> encoders;
    std::set<std::string> changed;
    // The tokens whose entry differs between the last value seen and the stored one.
    const auto compare = [&](std::map<std::string, std::string>& last, std::map<std::string, std::string> current) {
      for (const auto& [token, entry] : current)
        if (auto it = last.find(token); it == last.end() || it->second != entry) changed.insert(token);
      for (const auto& [token, entry] : last)
        if (!current.contains(token)) changed.insert(token);
      last = std::move(current);
    };
    for (const auto& key : keys) {
      if (key == k_made_profiles_key) compare(made_profiles_, made_profiles(services_.config->get_string(key)));
      else if (key == k_ptz_profiles_key) compare(ptz_profiles_, ptz_profiles(services_.config->get_string(key)));
      else if (const int id = stream_of_key(key)) encoders.insert(id);
    }
    const auto now = clock_.wall_time();
    for (const auto& token : changed) publish({"Media/ProfileChanged", false, {{"Token", token}}, {}, now});
    for (const int id : encoders)
      publish({"Media/ConfigurationChanged", false, {{"Token", "VideoEncoder_" + std::to_string(id)}},
               {{"Type", "VideoEncoder"}}, now});
  }

  void tick() {
    // Relays first, so a pull waiting for a relay change is answered rather than timed out.
    if (services_.relays) {
      std::vector<int> changed;
      {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < relay_states_.size(); ++i) {
          const bool closed = services_.relays->closed(static_cast<int>(i));
          if (closed != relay_states_[i]) {
            relay_states_[i] = closed;
            changed.push_back(static_cast<int>(i));
          }
        }
      }
      for (const int index : changed)
        publish({"Device/Trigger/Relay", true, {{"RelayToken", relay_token(index + 1)}},
                 {{"LogicalState", relay_states_[static_cast<std::size_t>(index)] ? "active" : "inactive"}},
                 clock_.wall_time()});
    }
    std::vector<Completion> completions;
    std::vector<std::unique_ptr<Subscription>> expired;
    {
      std::lock_guard lock(mutex_);
      const auto now = clock_.now();
      for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
        auto& subscription = *it->second;
        if (subscription.pending && subscription.pending->stream->closed()) subscription.pending.reset();
        if (subscription.pending && (subscription.pending->deadline <= now || subscription.expires <= now))
          completions.push_back(complete_locked(subscription, 0));
        if (subscription.expires <= now) {
          log::get("onvif")->debug("event subscription {} expired", subscription.id);
          expired.push_back(std::move(it->second));
          it = subscriptions_.erase(it);
        } else {
          ++it;
        }
      }
    }
    deliver(completions);
    for (auto& subscription : expired) end(*subscription);
  }

  static void end(Subscription& subscription) {
    if (subscription.pending) subscription.pending->stream->close();
    if (subscription.outbox) subscription.outbox->close();
    subscription.poster.request_stop();
    if (subscription.poster.joinable()) subscription.poster.join();
  }

  DeviceServices services_;
  hal::Clock& clock_;
  const std::vector<TopicDescription> topics_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  PropertyStates states_;  // last state of each property instance seen
  std::vector<bool> relay_states_;
  std::uint64_t next_id_ = 0;
  std::map<std::string, std::string> made_profiles_;  // config thread only
  std::map<std::string, std::string> ptz_profiles_;   // config thread only
  std::jthread events_thread_;
  std::jthread config_thread_;
  std::jthread ticker_;
};

// ---- The mount and the operations ----

namespace {

AccessClass event_access(std::string_view operation) {
  return operation == "GetServiceCapabilities" ? AccessClass::pre_auth : AccessClass::read_media;
}

//! http://host[:port]/path of a notification consumer.
Result<events::HttpHostSettings> consumer_of(const char* address) {
  const std::string url = address ? address : "";
  events::HttpHostSettings host;
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
    host.port = 80;
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
    host.protocol = events::HostProtocol::https;
    host.port = 443;
  } else {
    return make_error(ErrorCode::invalid_argument, "the consumer address '" + url + "' is not an http(s) URL");
  }
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  host.url = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  host.address = authority.substr(0, colon);
  if (colon != std::string::npos) {
    int port = 0;
    try {
      port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
    }
    if (port < 1 || port > 65535)
      return make_error(ErrorCode::invalid_argument, "the consumer address '" + url + "' has no valid port");
    host.port = static_cast<std::uint16_t>(port);
  }
  if (host.address.empty()) return make_error(ErrorCode::invalid_argument, "the consumer address '" + url + "' has no host");
  return host;
}

Result<TopicFilter> filter_of(const wsnt__FilterType* filter, const std::vector<TopicDescription>& topics) {
  if (!filter || !filter->wsnt__TopicExpression) return TopicFilter();
  return TopicFilter::parse(filter->wsnt__TopicExpression->__item, topics);
}

}  // namespace

ServiceMount event_service_mount(const DeviceServices& device_services) {
  auto broker = std::make_shared<EventBroker>(device_services);
  auto mount = mount_service<EventService>("event_service", k_event_namespace, event_access, broker);
  mount.serves_resources = true;
  return mount;
}

std::string EventService::subscription_address(const std::string& id) const {
  return request_.base_url + "/onvif/event_service/" + id;
}

int EventService::GetServiceCapabilities(_tev__GetServiceCapabilities*, _tev__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_tev__Capabilities(soap);
  auto flag = [this](bool value) {
    auto* result = soap_new_bool(soap);
    *result = value;
    return result;
  };
  auto number = [this](int value) {
    auto* result = soap_new_int(soap);
    *result = value;
    return result;
  };
  capabilities->WSSubscriptionPolicySupport = flag(false);
  capabilities->WSPausableSubscriptionManagerInterfaceSupport = flag(false);
  capabilities->MaxNotificationProducers = number(k_max_push_subscriptions);
  capabilities->MaxPullPoints = number(k_max_pull_points);
  capabilities->PersistentNotificationStorage = flag(false);
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int EventService::GetEventProperties(_tev__GetEventProperties*, _tev__GetEventPropertiesResponse& response) {
  response.TopicNamespaceLocation.push_back("http://www.onvif.org/onvif/ver10/topics/topicns.xml");
  response.wsnt__FixedTopicSet = true;
  response.wstop__TopicSet = soap_new_wstop__TopicSetType(soap);
  for (const auto& root : topic_set_xml(broker_.topics()))
    response.wstop__TopicSet->__any.push_back(soap_strdup(soap, root.c_str()));
  response.wsnt__TopicExpressionDialect = {k_concrete_set_dialect, k_concrete_dialect};
  // Required by the schema; message content filters are accepted and not applied.
  response.MessageContentFilterDialect.push_back("http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter");
  response.MessageContentSchemaLocation.push_back("http://www.onvif.org/onvif/ver10/schema/onvif.xsd");
  return SOAP_OK;
}

int EventService::CreatePullPointSubscription(_tev__CreatePullPointSubscription* request,
                                              _tev__CreatePullPointSubscriptionResponse& response) {
  auto filter = filter_of(request->Filter, broker_.topics());
  if (!filter) return sender_fault(soap, "ter:InvalidArgVal", "wsnt:InvalidTopicExpressionFault", filter.error().message);
  auto expires = broker_.termination(request->InitialTerminationTime);
  if (!expires)
    return sender_fault(soap, "ter:InvalidArgVal", "wsnt:UnacceptableInitialTerminationTimeFault", expires.error().message);
  auto created = broker_.create(std::move(*filter), *expires, std::nullopt);
  if (!created) return receiver_fault(soap, "ter:Action", "ter:TooManySubscriptions", created.error().message);
  response.SubscriptionReference.Address = soap_strdup(soap, subscription_address(created->id).c_str());
  response.wsnt__CurrentTime = to_time_t(broker_.wall_now());
  response.wsnt__TerminationTime = to_time_t(broker_.wall_of(created->expires));
  return SOAP_OK;
}

int EventService::PullMessages(_tev__PullMessages* request, _tev__PullMessagesResponse& response) {
  if (request_.resource.empty())
    return sender_fault(soap, "ter:InvalidArgVal", nullptr,
                        "PullMessages is served at the address CreatePullPointSubscription returned");
  const auto timeout = parse_duration(request->Timeout);
  if (!timeout)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr,
                        "Timeout '" + request->Timeout + "' is not an xsd:duration such as PT10S");
  if (request->MessageLimit < 1)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, "MessageLimit must be at least 1");
  // Beyond the device's limits the request is served at the limits (MaxTimeout PT10M, 256 messages).
  const int limit = std::min(request->MessageLimit, k_max_message_limit);
  const auto wait = std::min<hal::Nanos>(*timeout, k_max_pull_timeout);
  auto taken = broker_.take(request_.resource, limit);
  if (!taken) return sender_fault(soap, "ter:InvalidArgVal", nullptr, taken.error().message);
  if (*taken) {
    fill(soap, response, **taken);
    return SOAP_OK;
  }
  if (wait <= hal::Nanos{0} || !request_.defer) {
    fill(soap, response, PullBatch{{}, broker_.wall_now(), broker_.wall_now()});
    return SOAP_OK;
  }
  // Nothing queued: the answer is written when a message arrives or the timeout passes, and the
  // HTTP server serves others meanwhile.
  *request_.defer = [broker = &broker_, id = request_.resource, deadline = services_.clock->now() + wait, limit,
                     version = soap->version](std::shared_ptr<http::ResponseStream> stream) {
    broker->wait(id, std::move(stream), deadline, limit, version);
  };
  return SOAP_STOP;
}

int EventService::SetSynchronizationPoint(_tev__SetSynchronizationPoint*, _tev__SetSynchronizationPointResponse&) {
  if (request_.resource.empty())
    return sender_fault(soap, "ter:InvalidArgVal", nullptr,
                        "SetSynchronizationPoint is served at a subscription's address");
  if (auto synchronized = broker_.synchronize(request_.resource); !synchronized)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, synchronized.error().message);
  return SOAP_OK;
}

int EventService::Renew(_wsnt__Renew* request, _wsnt__RenewResponse& response) {
  auto expires = broker_.termination(request->TerminationTime);
  if (!expires)
    return sender_fault(soap, "ter:InvalidArgVal", "wsnt:UnacceptableTerminationTimeFault", expires.error().message);
  auto renewed = broker_.renew(request_.resource, *expires);
  if (!renewed) return sender_fault(soap, "ter:InvalidArgVal", nullptr, renewed.error().message);
  response.TerminationTime = to_time_t(broker_.wall_of(*renewed));
  response.CurrentTime = soap_new_dateTime(soap);
  *response.CurrentTime = to_time_t(broker_.wall_now());
  return SOAP_OK;
}

int EventService::Unsubscribe(_wsnt__Unsubscribe*, _wsnt__UnsubscribeResponse&) {
  if (auto removed = broker_.unsubscribe(request_.resource); !removed)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, removed.error().message);
  return SOAP_OK;
}

int EventService::Subscribe(_wsnt__Subscribe* request, _wsnt__SubscribeResponse& response) {
  auto consumer = consumer_of(request->ConsumerReference.Address);
  if (!consumer) return sender_fault(soap, "ter:InvalidArgVal", nullptr, consumer.error().message);
  auto filter = filter_of(request->Filter, broker_.topics());
  if (!filter) return sender_fault(soap, "ter:InvalidArgVal", "wsnt:InvalidTopicExpressionFault", filter.error().message);
  auto expires = broker_.termination(request->InitialTerminationTime);
  if (!expires)
    return sender_fault(soap, "ter:InvalidArgVal", "wsnt:UnacceptableInitialTerminationTimeFault", expires.error().message);
  auto created = broker_.create(std::move(*filter), *expires, *consumer);
  if (!created) return receiver_fault(soap, "ter:Action", "ter:TooManySubscriptions", created.error().message);
  response.SubscriptionReference.Address = soap_strdup(soap, subscription_address(created->id).c_str());
  response.CurrentTime = soap_new_dateTime(soap);
  *response.CurrentTime = to_time_t(broker_.wall_now());
  response.TerminationTime = soap_new_dateTime(soap);
  *response.TerminationTime = to_time_t(broker_.wall_of(created->expires));
  return SOAP_OK;
}

}  // namespace camrig::onvif
