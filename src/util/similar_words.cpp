#include "util/similar_words.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ledger::util {

namespace {

std::string folded(std::string_view word) {
  std::string text(word);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

WordDistance word_distance(std::string_view typed, std::string_view known) {
  return {edit_distance(folded(typed), folded(known)), edit_distance(typed, known)};
}

bool worth_suggesting(std::string_view typed, const WordDistance& distance) {
  return distance.folded <= std::max<size_t>(2, typed.size() / 3);
}

std::optional<std::string> nearest_word(std::string_view typed,
                                        std::span<const std::string> known) {
  std::optional<std::string> best;
  WordDistance best_distance;
  for (const std::string& word : known) {
    const WordDistance d = word_distance(typed, word);
    if (worth_suggesting(typed, d) && (!best || d < best_distance)) {
      best = word;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace ledger::util
