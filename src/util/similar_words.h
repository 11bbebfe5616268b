#pragma once
// "Did you mean": how close a word someone typed is to one the program knows, for suggesting an
// account id, a command or an option. People mistype case as often as letters (`chk-001` for
// CHK-001), so case is folded first and counts only to break ties.

#include <compare>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ledger::util {

struct WordDistance {
  size_t folded = 0;  // Edits apart with ASCII case folded.
  size_t exact = 0;   // Edits apart as typed: between two equally close words, the same case wins.
  auto operator<=>(const WordDistance&) const = default;
};

// Levenshtein distance: insertions, deletions and substitutions of single bytes.
size_t edit_distance(std::string_view a, std::string_view b);
WordDistance word_distance(std::string_view typed, std::string_view known);
// Close enough to suggest: within a third of the typed word's length, and at least 2 edits.
bool worth_suggesting(std::string_view typed, const WordDistance& distance);
// The known word closest to `typed` that is worth suggesting; none when nothing is close.
std::optional<std::string> nearest_word(std::string_view typed, std::span<const std::string> known);

}  // namespace ledger::util
