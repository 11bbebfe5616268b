#include <doctest/doctest.h>

#include "cli/wording.h"

using namespace ledger::cli;

TEST_SUITE("wording") {
  TEST_CASE("one of a thing is singular, any other count plural, grouped by thousands") {
    CHECK(plural(0, "segment", "segments") == "0 segments");
    CHECK(plural(1, "segment", "segments") == "1 segment");
    CHECK(plural(2, "segment", "segments") == "2 segments");
    CHECK(plural(1234567, "event", "events") == "1,234,567 events");
    CHECK(grouped(999) == "999");
    CHECK(grouped(1000) == "1,000");
  }

  TEST_CASE("a size is written in the largest binary unit it fills") {
    CHECK(size_text(0) == "0 bytes");
    CHECK(size_text(1) == "1 byte");
    CHECK(size_text(1023) == "1,023 bytes");
    CHECK(size_text(1024) == "1.0 KiB");
    CHECK(size_text(8800) == "8.6 KiB");
    CHECK(size_text(9437184) == "9.0 MiB");
    CHECK(size_text(uint64_t{3} << 30) == "3.0 GiB");
  }
}
