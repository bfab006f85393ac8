// Fuzzy plate matching of the allowlist (LPR manual, "Fuzzy Matching"): a missing first/last
// character, one extra character at either end, up to N misread characters, and up to 10
// interchangeable-character rules such as 0<->D. The decisions are in device/traffic/DECISIONS.md.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"

namespace camrig::traffic {

//! How a read plate matched a list entry, best first.
enum class MatchRule {
  exact,
  interchangeable_characters,  //!< equal once the character rules are applied
  missing_first_character,
  missing_last_character,
  extra_first_character,
  extra_last_character,
  misread_characters,
};
std::string_view to_string(MatchRule rule);

using CharacterRule = std::pair<char, char>;

struct FuzzySettings {
  static constexpr std::size_t k_max_character_rules = 10;
  static constexpr int k_max_misread_characters = 3;

  bool enabled = false;
  bool missing_end_character = false;  //!< "missing the first or last character"
  bool extra_end_character = false;    //!< "1 character added to either end"
  int misread_characters = 0;          //!< 0 = off
  std::vector<CharacterRule> character_rules;

  //! Reads traffic.fuzzy_match.*; an invalid stored rule list is refused with the parser's message.
  static Result<FuzzySettings> from_config(const core::ConfigService& config);
};

//! Parses "0<->D, 8<->B": up to 10 pairs of distinct plate characters, separated by commas.
Result<std::vector<CharacterRule>> parse_character_rules(std::string_view text);
std::string format_character_rules(const std::vector<CharacterRule>& rules);

//! Compares read plates with list plates under one set of settings.
class FuzzyMatcher {
 public:
  explicit FuzzyMatcher(const FuzzySettings& settings);

  //! How `read` matches `listed`, or nullopt; `misread_count` gets the substitutions used.
  std::optional<MatchRule> match(std::string_view read, std::string_view listed, int* misread_count = nullptr) const;
  const FuzzySettings& settings() const { return settings_; }

 private:
  //! Positions that differ beyond the character rules, stopping once over `budget`.
  int differences(std::string_view a, std::string_view b, int budget, bool& used_rule) const;
  bool same(char a, char b) const {
    return a == b || interchangeable_[static_cast<unsigned char>(a) & 0x7f][static_cast<unsigned char>(b) & 0x7f];
  }

  FuzzySettings settings_;
  //! interchangeable_[a][b] when a rule pairs a with b (plates are ASCII A-Z 0-9).
  std::array<std::array<bool, 128>, 128> interchangeable_{};
};

}  // namespace camrig::traffic
