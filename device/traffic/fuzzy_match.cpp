#include "device/traffic/fuzzy_match.hpp"

#include <algorithm>
#include <cctype>

#include "device/core/text.hpp"

namespace camrig::traffic {
namespace {

// Bit index of a plate character: 0-9 then A-Z; -1 for anything else.
int character_index(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return 10 + (c - 'A');
  return -1;
}

}  // namespace

std::string_view to_string(MatchRule rule) {
  switch (rule) {
    case MatchRule::exact: return "exact";
    case MatchRule::interchangeable_characters: return "interchangeableCharacters";
    case MatchRule::missing_first_character: return "missingFirstCharacter";
    case MatchRule::missing_last_character: return "missingLastCharacter";
    case MatchRule::extra_first_character: return "extraFirstCharacter";
    case MatchRule::extra_last_character: return "extraLastCharacter";
    case MatchRule::misread_characters: return "misreadCharacters";
  }
  return "exact";
}

Result<std::vector<CharacterRule>> parse_character_rules(std::string_view text) {
  std::vector<CharacterRule> rules;
  text = text::trim(text);
  if (text.empty()) return rules;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item =
        text::trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    const auto number = std::to_string(rules.size() + 1);
    const auto arrow = item.find("<->");
    if (arrow == std::string_view::npos || text::trim(item.substr(0, arrow)).size() != 1 ||
        text::trim(item.substr(arrow + 3)).size() != 1)
      return make_error(ErrorCode::invalid_argument, "interchangeable character rule " + number + " ('" + std::string(item) +
                                                         "') must be two plate characters joined by <->, e.g. 0<->D");
    const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(text::trim(item.substr(0, arrow))[0])));
    const char b = static_cast<char>(std::toupper(static_cast<unsigned char>(text::trim(item.substr(arrow + 3))[0])));
    if (character_index(a) < 0 || character_index(b) < 0)
      return make_error(ErrorCode::invalid_argument, "interchangeable character rule " + number + " ('" + std::string(item) +
                                                         "') may only use the plate characters A-Z and 0-9");
    if (a == b)
      return make_error(ErrorCode::invalid_argument, "interchangeable character rule " + number + " ('" + std::string(item) +
                                                         "') pairs a character with itself");
    const bool duplicate = std::any_of(rules.begin(), rules.end(), [&](const CharacterRule& rule) {
      return (rule.first == a && rule.second == b) || (rule.first == b && rule.second == a);
    });
    if (duplicate)
      return make_error(ErrorCode::invalid_argument, "interchangeable character rule " + number + " ('" + std::string(item) +
                                                         "') repeats an earlier rule");
    rules.emplace_back(a, b);
    if (rules.size() > FuzzySettings::k_max_character_rules)
      return make_error(ErrorCode::out_of_range, "at most " + std::to_string(FuzzySettings::k_max_character_rules) +
                                                     " interchangeable character rules can be defined; remove one before adding '" +
                                                     std::string(item) + "'");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return rules;
}

std::string format_character_rules(const std::vector<CharacterRule>& rules) {
  std::string text;
  for (const auto& [a, b] : rules) {
    if (!text.empty()) text += ',';
    text += a;
    text += "<->";
    text += b;
  }
  return text;
}

Result<FuzzySettings> FuzzySettings::from_config(const core::ConfigService& config) {
  FuzzySettings settings;
  settings.enabled = config.get_bool("traffic.fuzzy_match.enabled");
  settings.missing_end_character = config.get_bool("traffic.fuzzy_match.missing_end_character");
  settings.extra_end_character = config.get_bool("traffic.fuzzy_match.extra_end_character");
  settings.misread_characters = static_cast<int>(config.get_int("traffic.fuzzy_match.misread_characters"));
  auto rules = parse_character_rules(config.get_string("traffic.fuzzy_match.interchangeable_characters"));
  if (!rules) return rules.error();
  settings.character_rules = std::move(*rules);
  return settings;
}

FuzzyMatcher::FuzzyMatcher(const FuzzySettings& settings) : settings_(settings) {
  if (!settings_.enabled) return;
  // Symmetric, not transitive: 0<->D and D<->O do not make 0 and O interchangeable.
  for (const auto& [a, b] : settings_.character_rules) {
    interchangeable_[static_cast<unsigned char>(a) & 0x7f][static_cast<unsigned char>(b) & 0x7f] = true;
    interchangeable_[static_cast<unsigned char>(b) & 0x7f][static_cast<unsigned char>(a) & 0x7f] = true;
  }
}

int FuzzyMatcher::differences(std::string_view a, std::string_view b, int budget, bool& used_rule) const {
  int count = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (same(a[i], b[i])) {
      used_rule = true;
      continue;
    }
    if (++count > budget) return count;
  }
  return count;
}

std::optional<MatchRule> FuzzyMatcher::match(std::string_view read, std::string_view listed, int* misread_count) const {
  if (misread_count) *misread_count = 0;
  if (read == listed) return MatchRule::exact;
  if (!settings_.enabled || read.empty() || listed.empty()) return std::nullopt;
  bool used_rule = false;
  if (read.size() == listed.size()) {
    const int budget = settings_.misread_characters;
    const int count = differences(read, listed, budget, used_rule);
    if (count == 0) return MatchRule::interchangeable_characters;
    if (count <= budget) {
      if (misread_count) *misread_count = count;
      return MatchRule::misread_characters;
    }
    return std::nullopt;
  }
  // End edits: the rest must match exactly (character rules allowed), never with misreads too.
  if (settings_.missing_end_character && read.size() + 1 == listed.size() && read.size() >= 2) {
    if (differences(read, listed.substr(1), 0, used_rule) == 0) return MatchRule::missing_first_character;
    if (differences(read, listed.substr(0, read.size()), 0, used_rule) == 0) return MatchRule::missing_last_character;
  }
  if (settings_.extra_end_character && read.size() == listed.size() + 1) {
    if (differences(read.substr(1), listed, 0, used_rule) == 0) return MatchRule::extra_first_character;
    if (differences(read.substr(0, listed.size()), listed, 0, used_rule) == 0) return MatchRule::extra_last_character;
  }
  return std::nullopt;
}

}  // namespace camrig::traffic
