#include "device/events/email_notifier.hpp"

#include <algorithm>
#include <variant>

#include "device/core/log.hpp"

namespace camrig::events {

EmailSettings email_settings(const std::function<core::ConfigValue(const std::string& key)>& get) {
  auto text = [&](const std::string& key) { return std::get<std::string>(get("email." + key)); };
  auto flag = [&](const std::string& key) { return std::get<bool>(get("email." + key)); };
  auto number = [&](const std::string& key) { return std::get<std::int64_t>(get("email." + key)); };
  EmailSettings settings;
  settings.smtp.server = text("smtp_server");
  settings.smtp.port = static_cast<std::uint16_t>(number("smtp_port"));
  // SSL and TLS differ only in the protocol version the handshake settles on.
  if (text("encryption") != "none") settings.smtp.security = flag("starttls") ? MailSecurity::starttls : MailSecurity::ssl;
  settings.smtp.authenticate = flag("authentication");
  settings.smtp.user = text("user_name");
  settings.smtp.password = text("password");
  settings.sender = {text("sender_name"), text("sender_address")};
  for (std::size_t i = 1; i <= k_max_email_receivers; ++i) {
    const auto prefix = "receiver" + std::to_string(i) + "_";
    MailAddress receiver{text(prefix + "name"), text(prefix + "address")};
    if (!receiver.address.empty()) settings.receivers.push_back(std::move(receiver));
  }
  settings.attach_pictures = flag("attach_pictures");
  settings.picture_interval = std::chrono::seconds(number("picture_interval"));
  return settings;
}

EmailSettings email_settings_from_config(const core::ConfigService& config) {
  return email_settings([&config](const std::string& key) { return config.get(key); });
}

namespace {

bool plausible_address(const std::string& address) {
  const auto at = address.find('@');
  return at != std::string::npos && at > 0 && at + 1 < address.size() && address.find('@', at + 1) == std::string::npos &&
         address.find_first_of(" <>\"\r\n") == std::string::npos;
}

}  // namespace

Result<void> check_email_settings(const EmailSettings& settings) {
  if (settings.smtp.server.empty()) return make_error(ErrorCode::invalid_argument, "no SMTP server is set");
  if (!plausible_address(settings.sender.address))
    return make_error(ErrorCode::invalid_argument, "the sender's address '" + settings.sender.address + "' is not an email address");
  if (settings.receivers.empty()) return make_error(ErrorCode::invalid_argument, "no receiver address is set");
  if (settings.receivers.size() > k_max_email_receivers)
    return make_error(ErrorCode::out_of_range, "at most " + std::to_string(k_max_email_receivers) + " receivers");
  for (const auto& receiver : settings.receivers)
    if (!plausible_address(receiver.address))
      return make_error(ErrorCode::invalid_argument, "the receiver address '" + receiver.address + "' is not an email address");
  if (settings.smtp.authenticate && settings.smtp.user.empty())
    return make_error(ErrorCode::invalid_argument, "Authentication is on but no user name is set");
  return {};
}

EmailMessage email_for_event(const Event& event, const EmailSettings& settings, const DeviceIdentity& device,
                             std::vector<std::string> pictures) {
  const std::string description =
      event.description.empty() ? std::string(default_description(event.kind)) : event.description;
  const auto when = alert_time(event.wall_time, device);
  EmailMessage message;
  message.from = settings.sender;
  message.to = settings.receivers;
  message.date = event.wall_time;
  message.subject = description + (event.channel > 0 ? " on channel " + std::to_string(event.channel) : std::string()) +
                    " (" + when + ")";
  message.body = "This is an automatically generated e-mail from your network camera.\n\n";
  message.body += "EVENT TYPE:    " + description + "\n";
  message.body += "EVENT TIME:    " + when + "\n";
  message.body += "EVENT SOURCE:  " + source_id(event) + "\n";
  if (event.channel > 0) message.body += "CHANNEL:       " + std::to_string(event.channel) + "\n";
  message.body += "DEVICE:        " + device.ip_address + " (" + device.mac_address + ")\n";
  for (std::size_t i = 0; i < pictures.size(); ++i)
    message.attachments.push_back({"picture" + std::to_string(i + 1) + ".jpg", std::move(pictures[i])});
  return message;
}

EmailNotifier::EmailNotifier(hal::Clock& clock, std::function<EmailSettings()> settings, EmailNotifierOptions options)
    : clock_(clock),
      settings_(std::move(settings)),
      options_(std::move(options)),
      queue_(std::make_shared<core::Mailbox<Event>>(options_.queue_capacity)),
      worker_([this](std::stop_token stop) { run(stop); }) {}

EmailNotifier::~EmailNotifier() { stop(); }

void EmailNotifier::notify(const Event& event) { queue_->push(event); }

void EmailNotifier::set_picture_provider(PictureProvider provider) {
  std::lock_guard lock(mutex_);
  pictures_ = std::move(provider);
}

Result<void> EmailNotifier::send_test(const EmailSettings& settings) {
  if (auto usable = check_email_settings(settings); !usable) return usable;
  const auto device = options_.identity();
  EmailMessage message;
  message.from = settings.sender;
  message.to = settings.receivers;
  message.date = clock_.wall_time();
  message.subject = "Test email from network camera " + device.ip_address;
  message.body = "This is a test e-mail from your network camera (" + device.ip_address + ", " + device.mac_address +
                 ") sent at " + alert_time(message.date, device) + ".\n";
  return send_mail(settings.smtp, message, options_.send_timeout);
}

EmailStats EmailNotifier::stats() const {
  std::lock_guard lock(mutex_);
  return {sent_.load(), failed_.load(), given_up_.load(), queue_->dropped(), last_error_};
}

void EmailNotifier::stop() {
  worker_.request_stop();
  queue_->close();
  if (worker_.joinable()) worker_.join();
}

// The pictures are taken by the worker, not when the event is queued: encoding a JPEG is too slow
// for the engine's thread. The first is taken as the mail is prepared, the others an interval apart.
EmailMessage EmailNotifier::event_message(const Event& event, const EmailSettings& settings, std::stop_token stop) {
  std::vector<std::string> pictures;
  // An event that brings its own pictures (a face capture, the LPR blocklist alarm's selected
  // image) is mailed with those: they show what happened, a live picture taken now may not.
  for (const auto& ref : event.pictures)
    if (ref.jpeg && pictures.size() < static_cast<std::size_t>(k_email_pictures)) pictures.push_back(*ref.jpeg);
  if (!pictures.empty()) return email_for_event(event, settings, options_.identity(), std::move(pictures));
  PictureProvider provider;
  {
    std::lock_guard lock(mutex_);
    provider = pictures_;
  }
  if (settings.attach_pictures && provider && event.channel > 0) {
    for (int i = 0; i < k_email_pictures; ++i) {
      if (i > 0 && !clock_.sleep_until(clock_.now() + settings.picture_interval, stop)) break;
      auto picture = provider(event.channel);
      if (!picture) {
        log::get("events")->warn("email picture of channel {} not taken: {}", event.channel, picture.error().message);
        break;
      }
      pictures.push_back(std::move(*picture));
    }
  }
  return email_for_event(event, settings, options_.identity(), std::move(pictures));
}

void EmailNotifier::run(std::stop_token stop) {
  auto logger = log::get("events");
  std::uint64_t reported_drops = 0;
  while (auto event = queue_->pop(stop)) {
    if (const auto dropped = queue_->dropped(); dropped != reported_drops) {
      logger->warn("email notification fell behind: {} event(s) not mailed so far", dropped);
      reported_drops = dropped;
    }
    const auto settings = settings_();
    if (auto usable = check_email_settings(settings); !usable) {
      logger->warn("{} not mailed: {}", source_id(*event), usable.error().message);
      continue;
    }
    const auto message = event_message(*event, settings, stop);
    auto backoff = options_.first_retry;
    for (int attempt = 1; !stop.stop_requested(); ++attempt) {
      auto sent = send_mail(settings.smtp, message, options_.send_timeout);
      if (sent) {
        ++sent_;
        break;
      }
      ++failed_;
      {
        std::lock_guard lock(mutex_);
        last_error_ = sent.error().message;
      }
      if (attempt >= options_.max_attempts) {
        ++given_up_;
        logger->error("email about {} not sent after {} attempts: {}", source_id(*event), attempt, sent.error().message);
        break;
      }
      logger->warn("email about {} not sent ({}); retrying in {} ms", source_id(*event), sent.error().message,
                   backoff.count());
      if (!clock_.sleep_until(clock_.now() + backoff, stop)) return;
      backoff = std::min(backoff * 2, options_.max_retry);
    }
  }
}

}  // namespace camrig::events
