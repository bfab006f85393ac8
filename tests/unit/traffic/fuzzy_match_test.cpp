#include "device/traffic/fuzzy_match.hpp"

#include <gtest/gtest.h>

namespace camrig::traffic {
namespace {

FuzzySettings settings_with(bool missing, bool extra, int misread, std::string rules = {}) {
  FuzzySettings settings;
  settings.enabled = true;
  settings.missing_end_character = missing;
  settings.extra_end_character = extra;
  settings.misread_characters = misread;
  auto parsed = parse_character_rules(rules);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  if (parsed) settings.character_rules = *parsed;
  return settings;
}

TEST(FuzzyMatch, ExactMatchesEvenWhenFuzzyMatchingIsOff) {
  const FuzzyMatcher matcher{FuzzySettings{}};
  EXPECT_EQ(matcher.match("ABC123", "ABC123"), MatchRule::exact);
  EXPECT_FALSE(matcher.match("BC123", "ABC123"));
  EXPECT_FALSE(matcher.match("ABD123", "ABC123"));
}

TEST(FuzzyMatch, DisabledSwitchTurnsEveryRuleOff) {
  auto settings = settings_with(true, true, 2, "0<->D");
  settings.enabled = false;
  const FuzzyMatcher matcher{settings};
  EXPECT_FALSE(matcher.match("BC123", "ABC123"));
  EXPECT_FALSE(matcher.match("ABD123", "ABC123"));
  EXPECT_FALSE(matcher.match("A0123", "AD123"));
}

TEST(FuzzyMatch, MissingFirstOrLastCharacter) {
  const FuzzyMatcher matcher{settings_with(true, false, 0)};
  EXPECT_EQ(matcher.match("BC123", "ABC123"), MatchRule::missing_first_character);
  EXPECT_EQ(matcher.match("ABC12", "ABC123"), MatchRule::missing_last_character);
  EXPECT_FALSE(matcher.match("AC123", "ABC123")) << "a missing middle character is not an end edit";
  EXPECT_FALSE(matcher.match("C123", "ABC123")) << "two missing characters";
  EXPECT_FALSE(matcher.match("XABC123", "ABC123")) << "extra characters need their own option";
}

TEST(FuzzyMatch, OneExtraCharacterAtEitherEnd) {
  const FuzzyMatcher matcher{settings_with(false, true, 0)};
  EXPECT_EQ(matcher.match("XABC123", "ABC123"), MatchRule::extra_first_character);
  EXPECT_EQ(matcher.match("ABC1237", "ABC123"), MatchRule::extra_last_character);
  EXPECT_FALSE(matcher.match("ABXC123", "ABC123"));
  EXPECT_FALSE(matcher.match("XXABC123", "ABC123"));
  EXPECT_FALSE(matcher.match("BC123", "ABC123")) << "missing characters need their own option";
}

TEST(FuzzyMatch, MisreadCharactersUpToTheSetCount) {
  const FuzzyMatcher one{settings_with(false, false, 1)};
  int count = -1;
  EXPECT_EQ(one.match("ABD123", "ABC123", &count), MatchRule::misread_characters);
  EXPECT_EQ(count, 1);
  EXPECT_FALSE(one.match("ABD124", "ABC123"));
  const FuzzyMatcher two{settings_with(false, false, 2)};
  EXPECT_EQ(two.match("ABD124", "ABC123", &count), MatchRule::misread_characters);
  EXPECT_EQ(count, 2);
  EXPECT_FALSE(two.match("XBD124", "ABC123"));
  EXPECT_FALSE(two.match("ABD12", "ABC123")) << "misreads are substitutions: lengths must be equal";
  const FuzzyMatcher off{settings_with(false, false, 0)};
  EXPECT_FALSE(off.match("ABD123", "ABC123")) << "0 misread characters is off";
}

TEST(FuzzyMatch, InterchangeableCharactersAreSymmetric) {
  const FuzzyMatcher matcher{settings_with(false, false, 0, "0<->D")};
  EXPECT_EQ(matcher.match("AD123", "A0123"), MatchRule::interchangeable_characters);
  EXPECT_EQ(matcher.match("A0123", "AD123"), MatchRule::interchangeable_characters);
  EXPECT_EQ(matcher.match("ADD0D", "A0D00"), MatchRule::interchangeable_characters) << "every position may use a rule";
  EXPECT_FALSE(matcher.match("AO123", "A0123")) << "O is not in a rule";
}

TEST(FuzzyMatch, InterchangeableCharactersAreNotTransitive) {
  const FuzzyMatcher matcher{settings_with(false, false, 0, "0<->D, D<->O")};
  EXPECT_TRUE(matcher.match("AD1", "A01"));
  EXPECT_TRUE(matcher.match("AO1", "AD1"));
  EXPECT_FALSE(matcher.match("AO1", "A01"));
}

TEST(FuzzyMatch, CharacterRulesCombineWithEndEditsAndMisreads) {
  const FuzzyMatcher matcher{settings_with(true, true, 1, "8<->B")};
  EXPECT_FALSE(matcher.match("8C124", "ABC123")) << "an end edit leaves no room for a misread";
  EXPECT_EQ(matcher.match("BC128", "ABC12B"), MatchRule::missing_first_character) << "end edit plus a character rule";
  EXPECT_EQ(matcher.match("X8BC123", "BBC123"), MatchRule::extra_first_character);
  EXPECT_EQ(matcher.match("8BX123", "BBC123"), MatchRule::misread_characters) << "one rule plus one misread";
}

TEST(FuzzyMatch, EndEditsAndMisreadsDoNotCombine) {
  const FuzzyMatcher matcher{settings_with(true, true, 2)};
  EXPECT_FALSE(matcher.match("BX123", "ABC123")) << "missing first and a misread";
  EXPECT_FALSE(matcher.match("XABD123", "ABC123")) << "extra first and a misread";
}

TEST(FuzzyMatch, TenCharacterRulesAreAcceptedAndAnEleventhRefused) {
  const std::string ten = "0<->D,8<->B,1<->I,5<->S,2<->Z,6<->G,0<->O,4<->A,7<->T,U<->V";
  auto parsed = parse_character_rules(ten);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->size(), 10U);
  EXPECT_EQ(format_character_rules(*parsed), ten);
  auto eleven = parse_character_rules(ten + ",M<->N");
  ASSERT_FALSE(eleven.ok());
  EXPECT_EQ(eleven.error().code, ErrorCode::out_of_range);
  EXPECT_NE(eleven.error().message.find("at most 10"), std::string::npos) << eleven.error().message;
}

TEST(FuzzyMatch, MalformedCharacterRulesAreRefusedWithTheRuleNamed) {
  for (const char* text : {"0-D", "0<->", "00<->D", "0<->0", "0<->-", "0<->D,D<->0", "0<->D,,8<->B"}) {
    auto parsed = parse_character_rules(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find("rule"), std::string::npos) << parsed.error().message;
    }
  }
  auto lower = parse_character_rules(" o <-> 0 ");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->front(), (CharacterRule{'O', '0'}));
}

}  // namespace
}  // namespace camrig::traffic
