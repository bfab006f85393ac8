// The Wiegand port on two GPIO output lines through libgpiod (v1 character-device API): opens the
// chip, requests D0 and D1 as outputs held high, and drives them for a WiegandPort. The lines
// stay requested (and high) as long as the object lives.
#pragma once

#include <memory>
#include <string>

#include "device/core/result.hpp"
#include "hil/wiegand_sequencer.hpp"

struct gpiod_chip;
struct gpiod_line;

namespace camrig::hil {

struct WiegandGpioConfig {
  //! The chip as libgpiod looks it up: "gpiochip0", "/dev/gpiochip0", "0" or the chip's label.
  std::string chip;
  //! Each line as its offset on the chip ("17") or its name in the device tree ("WIEGAND_D0").
  std::string d0, d1;
  //! Shown as the lines' user by `gpioinfo`.
  std::string consumer = "camrig wiegand";
};

class GpioWiegandLines final : public WiegandLines {
 public:
  //! not_found for a chip or line that does not exist, unavailable for a line another program
  //! holds, invalid_argument when D0 and D1 are the same line; each message names the chip and line.
  static Result<std::unique_ptr<GpioWiegandLines>> open(const WiegandGpioConfig& config);
  ~GpioWiegandLines() override;
  GpioWiegandLines(const GpioWiegandLines&) = delete;
  GpioWiegandLines& operator=(const GpioWiegandLines&) = delete;

  Result<void> set(WiegandLine line, bool high) override;

 private:
  GpioWiegandLines(gpiod_chip* chip, gpiod_line* d0, gpiod_line* d1, std::string description);

  gpiod_chip* chip_;
  gpiod_line* d0_;
  gpiod_line* d1_;
  std::string description_;  // "gpiochip0 lines 17 (D0) and 18 (D1)", for messages
};

//! The device's Wiegand output on GPIO lines: GpioWiegandLines clocked by a WiegandPort.
Result<std::unique_ptr<hal::WiegandOutput>> open_gpio_wiegand(const WiegandGpioConfig& config, WiegandTiming timing = {});

}  // namespace camrig::hil
