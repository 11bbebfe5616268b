#include "util/csv.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::util;

namespace {

using Record = std::vector<std::string>;

struct Read {
  std::vector<Record> records;
  std::vector<size_t> lines;
  Status status;
  size_t error_line = 0;
  size_t error_column = 0;
};

Read read_all(CsvReader& reader) {
  Read out;
  Record fields;
  while (reader.next_record(fields)) {
    out.records.push_back(fields);
    out.lines.push_back(reader.line());
  }
  out.status = reader.status();
  out.error_line = reader.error_line();
  out.error_column = reader.error_column();
  return out;
}

// Reads text both from memory and through a stream, and checks that the two agree.
Read read_csv(const std::string& text) {
  CsvReader from_memory{std::string_view(text)};
  Read a = read_all(from_memory);
  std::istringstream in(text);
  CsvReader from_stream(in);
  Read b = read_all(from_stream);
  CHECK(a.records == b.records);
  CHECK(a.lines == b.lines);
  CHECK(a.status.message() == b.status.message());
  CHECK(a.error_line == b.error_line);
  CHECK(a.error_column == b.error_column);
  return a;
}

Read read_ok(const std::string& text) {
  Read r = read_csv(text);
  REQUIRE_MESSAGE(r.status.is_ok(), r.status.message());
  return r;
}

Read read_bad(const std::string& text) {
  Read r = read_csv(text);
  REQUIRE_FALSE(r.status.is_ok());
  CHECK(r.status.code() == ErrorCode::kInvalidArgument);
  return r;
}

}  // namespace

TEST_SUITE("csv") {
  TEST_CASE("plain records split on commas and line feeds") {
    const Read r = read_ok("op,account,amount\ndeposit,ACC-1,500\nwithdraw,ACC-1,12.34\n");
    REQUIRE(r.records.size() == 3);
    CHECK(r.records[0] == Record{"op", "account", "amount"});
    CHECK(r.records[2] == Record{"withdraw", "ACC-1", "12.34"});
    CHECK(r.lines == std::vector<size_t>{1, 2, 3});
  }

  TEST_CASE("empty fields are kept, at the start, middle and end") {
    const Read r = read_ok(",a,,b,\n\"\",\"\"\n");
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0] == Record{"", "a", "", "b", ""});
    CHECK(r.records[1] == Record{"", ""});
  }

  TEST_CASE("a vector read into again keeps its strings' buffers, and only the new fields") {
    const std::string long_field(100, 'x');
    const std::string text = long_field + ",b,c\n2026-01-01T00:00:00Z\n";
    CsvReader reader{std::string_view(text)};
    Record fields;
    REQUIRE(reader.next_record(fields));
    REQUIRE(fields.size() == 3);
    REQUIRE(reader.next_record(fields));
    CHECK(fields == Record{"2026-01-01T00:00:00Z"});
    // Refilled rather than replaced: a new string would have been sized to its 20 bytes.
    CHECK(fields[0].capacity() >= long_field.size());
  }

  TEST_CASE("quoted fields hold commas, doubled quotes and line ends") {
    const Read r = read_ok("\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\"\n");
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0] == Record{"a,b", "say \"hi\"", "x\r\ny"});
  }

  TEST_CASE("line numbers count the line ends inside quoted fields") {
    const Read r = read_ok("h1,h2\n\"two\nlines\",x\n\"three\n\nlines\",y\nlast,z\n");
    REQUIRE(r.records.size() == 4);
    CHECK(r.records[1] == Record{"two\nlines", "x"});
    CHECK(r.records[2] == Record{"three\n\nlines", "y"});
    CHECK(r.lines == std::vector<size_t>{1, 2, 4, 7});
  }

  TEST_CASE("CRLF and LF line ends both end records, and may be mixed") {
    const Read r = read_ok("a,b\r\nc,d\ne,f\r\n");
    REQUIRE(r.records.size() == 3);
    CHECK(r.records[0] == Record{"a", "b"});
    CHECK(r.records[1] == Record{"c", "d"});
    CHECK(r.records[2] == Record{"e", "f"});
    CHECK(r.lines == std::vector<size_t>{1, 2, 3});
  }

  TEST_CASE("the last record needs no line end") {
    const Read r = read_ok("a,b\nc,\"d\"");
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[1] == Record{"c", "d"});
  }

  TEST_CASE("a UTF-8 byte order mark at the start is skipped, and only there") {
    const Read r = read_ok("\xEF\xBB\xBFop,amount\n\xEF\xBB\xBFx,1\n");
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0][0] == "op");
    CHECK(r.records[1][0] == "\xEF\xBB\xBFx");
    const Read quoted = read_ok("\xEF\xBB\xBF\"op\",amount\n");
    CHECK(quoted.records[0] == Record{"op", "amount"});
  }

  TEST_CASE("empty lines are skipped but still counted") {
    const Read r = read_ok("\n\na,b\n\r\n\nc,d\n\n");
    REQUIRE(r.records.size() == 2);
    CHECK(r.lines == std::vector<size_t>{3, 6});
  }

  TEST_CASE("empty input has no records and no error") {
    CHECK(read_ok("").records.empty());
    CHECK(read_ok("\xEF\xBB\xBF").records.empty());
    CHECK(read_ok("\n\r\n").records.empty());
  }

  TEST_CASE("an unterminated quote is reported where it opened") {
    const Read r = read_bad("a,b\nc,\"open\nmore\n");
    CHECK(r.records.size() == 1);
    CHECK(r.error_line == 2);
    CHECK(r.error_column == 2);
    CHECK(r.status.message().find("unterminated quoted field") == 0);
  }

  TEST_CASE("junk after a closing quote is reported with its field") {
    const Read r = read_bad("a,b,c\nx,\"a\"b,z\n");
    CHECK(r.error_line == 2);
    CHECK(r.error_column == 2);
    CHECK(r.status.message().find("after a closing quote") != std::string::npos);
  }

  TEST_CASE("a quote inside an unquoted field is refused") {
    const Read r = read_bad("a,b\nx,5\" screen\n");
    CHECK(r.error_line == 2);
    CHECK(r.error_column == 2);
    CHECK(r.status.message().find("quote inside an unquoted field") == 0);
    CHECK(read_bad("a, \"b\"\n").error_column == 2);
  }

  TEST_CASE("a carriage return must be followed by a line feed") {
    const Read inside = read_bad("a,b\rc\n");
    CHECK(inside.error_line == 1);
    CHECK(inside.error_column == 2);
    CHECK(inside.status.message().find("carriage return") == 0);
    CHECK(read_bad("a\n\rb\n").error_line == 2);
  }

  TEST_CASE("after an error the reader stays stopped") {
    CsvReader reader(std::string_view("\"a\"b\nc,d\n"));
    Record fields = {"stale"};
    CHECK_FALSE(reader.next_record(fields));
    CHECK(fields.empty());
    CHECK_FALSE(reader.status().is_ok());
    CHECK_FALSE(reader.next_record(fields));
    CHECK_FALSE(reader.status().is_ok());
  }

  TEST_CASE("a record longer than the bound is refused, not buffered") {
    SUBCASE("an unterminated quote in a big file") {
      const std::string text = "a\n\"" + std::string(kCsvRecordBytesMax + 10, 'x') + "\n";
      const Read r = read_bad(text);
      CHECK(r.error_line == 2);
      CHECK(r.error_column == 1);
      CHECK(r.status.message().find("longer than 1048576 bytes") != std::string::npos);
    }
    SUBCASE("a long unquoted field") {
      const Read r = read_bad("a," + std::string(kCsvRecordBytesMax + 1, 'x'));
      CHECK(r.error_column == 2);
    }
    SUBCASE("a record just within the bound is read") {
      const Read r = read_ok(std::string(kCsvRecordBytesMax - 1, 'x') + "\n");
      REQUIRE(r.records.size() == 1);
      CHECK(r.records[0][0].size() == kCsvRecordBytesMax - 1);
    }
  }

  TEST_CASE("more fields than the bound are refused") {
    const Read r = read_bad(std::string(kCsvFieldsMax, ','));
    CHECK(r.error_column == kCsvFieldsMax + 1);
    CHECK(read_ok(std::string(kCsvFieldsMax - 1, ',')).records[0].size() == kCsvFieldsMax);
  }

  TEST_CASE("fields are quoted only when they must be") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("") == "");
    CHECK(csv_field("12.34") == "12.34");
    CHECK(csv_field("-5.00") == "-5.00");
    CHECK(csv_field("in side") == "in side");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field(" lead") == "\" lead\"");
    CHECK(csv_field("trail ") == "\"trail \"");
    CHECK(csv_field("\ttab") == "\"\ttab\"");
    // A reader would skip a leading byte order mark at the start of a file (found by the CSV
    // fuzz target).
    CHECK(csv_field("\xEF\xBB\xBFx") == "\"\xEF\xBB\xBFx\"");
  }

  TEST_CASE("records end in LF and read back as written") {
    const std::vector<Record> records = {
        {"op", "account", "amount", "memo"},
        {"deposit", "ACC-1", "500.00", "coffee, large"},
        {"", "", "", ""},
        {""},
        {"quote \"q\"", " spaced ", "multi\r\nline",
         "\xEF\xBB\xBF"
         "bom-like"},
    };
    std::string out;
    for (const Record& r : records) write_csv_record(out, r);
    CHECK(out.substr(0, 25) == "op,account,amount,memo\nde");
    CHECK(out.find("\r\n\"") == std::string::npos);
    CHECK(out.find(",,,\n\"\"\n") != std::string::npos);
    const Read back = read_ok(out);
    CHECK(back.records == records);
  }
}
