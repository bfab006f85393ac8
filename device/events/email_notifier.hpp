// The Send Email linkage (network camera 8.2.3): the email settings as stored in the config
// service (email.*), a bounded queue of events to mail (drop-oldest, counted) and one worker that
// takes the event pictures, renders the mail and sends it with retry and backoff. The engine only
// queues; a slow or dead mail server delays nothing but this queue.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/result.hpp"
#include "device/events/alert_document.hpp"
#include "device/events/email_client.hpp"
#include "device/events/email_message.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"

namespace camrig::events {

inline constexpr std::size_t k_max_email_receivers = 3;
//! "The notification email has 3 attached alarm pictures about the event."
inline constexpr int k_email_pictures = 3;

struct EmailSettings {
  SmtpSettings smtp;
  MailAddress sender;
  std::vector<MailAddress> receivers;  //!< the receivers with an address, at most 3
  bool attach_pictures = false;
  std::chrono::seconds picture_interval{2};
};

//! The email.* parameters; receivers without an address are left out.
EmailSettings email_settings_from_config(const core::ConfigService& config);
//! The same from any source of values by key ("email.smtp_server"), e.g. settings not yet stored.
EmailSettings email_settings(const std::function<core::ConfigValue(const std::string& key)>& get);
//! What keeps a mail from being sent with these settings ("no SMTP server is set"), if anything.
Result<void> check_email_settings(const EmailSettings& settings);

//! A JPEG of a video channel (by channel id) as it is now.
using PictureProvider = std::function<Result<std::string>(int channel)>;

struct EmailNotifierOptions {
  std::size_t queue_capacity = 32;
  std::chrono::milliseconds first_retry{2000};
  std::chrono::milliseconds max_retry{60000};
  int max_attempts = 5;  //!< then the mail is given up, with an error in the log
  std::chrono::milliseconds send_timeout{20000};
  std::function<DeviceIdentity()> identity = [] { return DeviceIdentity{}; };
};

struct EmailStats {
  std::uint64_t sent = 0;
  std::uint64_t failed_attempts = 0;  //!< sends that failed (each retried until max_attempts)
  std::uint64_t given_up = 0;         //!< mails not sent after max_attempts
  std::uint64_t dropped = 0;          //!< events not mailed because the queue overflowed
  std::string last_error;             //!< the SMTP error of the last failed attempt
};

class EmailNotifier {
 public:
  //! `settings` is read for each mail, so a change applies to the next one.
  EmailNotifier(hal::Clock& clock, std::function<EmailSettings()> settings, EmailNotifierOptions options = {});
  ~EmailNotifier();
  EmailNotifier(const EmailNotifier&) = delete;
  EmailNotifier& operator=(const EmailNotifier&) = delete;

  //! Queues a mail about `event`; never blocks.
  void notify(const Event& event);
  //! The "Test" button: sends a test mail now with `settings` and reports the SMTP error.
  Result<void> send_test(const EmailSettings& settings);
  //! Where event pictures come from; without one, mails carry no pictures.
  void set_picture_provider(PictureProvider provider);

  EmailStats stats() const;
  //! Stops the worker; queued mails are not sent. Idempotent.
  void stop();

 private:
  void run(std::stop_token stop);
  EmailMessage event_message(const Event& event, const EmailSettings& settings, std::stop_token stop);

  hal::Clock& clock_;
  std::function<EmailSettings()> settings_;
  EmailNotifierOptions options_;
  std::shared_ptr<core::Mailbox<Event>> queue_;
  mutable std::mutex mutex_;
  PictureProvider pictures_;
  std::string last_error_;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> given_up_{0};
  std::jthread worker_;
};

//! The mail of an event as the camera words it; `pictures` are attached in order.
EmailMessage email_for_event(const Event& event, const EmailSettings& settings, const DeviceIdentity& device,
                             std::vector<std::string> pictures);

}  // namespace camrig::events
