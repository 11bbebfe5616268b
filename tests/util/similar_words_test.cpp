#include "util/similar_words.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using ledger::util::edit_distance;
using ledger::util::nearest_word;
using ledger::util::word_distance;

TEST_SUITE("similar words") {
  TEST_CASE("edit distance counts insertions, deletions and substitutions") {
    CHECK(edit_distance("open", "open") == 0);
    CHECK(edit_distance("opne", "open") == 2);
    CHECK(edit_distance("memmo", "memo") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
  }

  TEST_CASE("case is folded first and breaks ties after") {
    CHECK(word_distance("chk-001", "CHK-001").folded == 0);
    CHECK(word_distance("chk-001", "CHK-001").exact == 3);
    CHECK(word_distance("abc-2", "abc-1") < word_distance("abc-2", "ABC-1"));
  }

  TEST_CASE("the nearest word is suggested only when it is close") {
    const std::vector<std::string> commands = {"open", "deposit", "withdraw", "balance"};
    CHECK(nearest_word("opne", commands) == std::optional<std::string>("open"));
    CHECK(nearest_word("BALANCE", commands) == std::optional<std::string>("balance"));
    CHECK(nearest_word("depsoit", commands) == std::optional<std::string>("deposit"));
    CHECK_FALSE(nearest_word("frobnicate", commands).has_value());
    CHECK_FALSE(nearest_word("x", std::vector<std::string>{}).has_value());
  }
}
