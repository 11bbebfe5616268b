#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "cli/output_format.h"
#include "cli/table.h"

using namespace ledger;
using namespace ledger::cli;

namespace {

// Every awkward kind of cell: a comma, quotes, a newline, a tab and a backslash, multi-byte
// UTF-8, negative amounts, blanks at both ends and empty cells of every kind.
Table awkward_table() {
  Table t;
  t.columns = {{"account", CellKind::kText},
               {"memo", CellKind::kText},
               {"amount", CellKind::kAmount},
               {"seq", CellKind::kInteger},
               {"at", CellKind::kTime}};
  t.rows = {
      {"ACC-001", "coffee, large", "-12.30", "1", "2026-01-02T03:04:05Z"},
      {"ACC-ÄÖ", "say \"hi\"", "500.00", "42", ""},
      {"ACC-003", "line1\nline2\ttab\\", "0.00", "", "2026-01-03T00:00:00Z"},
      {"", " padded ", "-0.05", "7", "2026-01-04T00:00:00Z"},
  };
  return t;
}

std::string rendered(const Table& t, OutputFormat format, RenderStyle style = {}) {
  std::string out;
  render(t, format, out, style);
  return out;
}

// The lines of `text`, each without its '\n'.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

}  // namespace

TEST_SUITE("output_format") {
  TEST_CASE("every format name parses and round trips") {
    for (const char* name : {"table", "csv", "tsv", "json", "jsonl"}) {
      auto format = parse_output_format(name);
      REQUIRE(format);
      CHECK(std::string(output_format_name(*format)) == name);
    }
    CHECK(*parse_output_format("jsonl") == OutputFormat::kJsonl);
  }

  TEST_CASE("an unknown format is an invalid argument that lists the known ones") {
    auto format = parse_output_format("xml");
    REQUIRE_FALSE(format);
    CHECK(format.status().code() == ErrorCode::kInvalidArgument);
    CHECK(format.status().message() ==
          "unknown format \"xml\" (expected table, csv, tsv, json, jsonl or chart)");
    CHECK_FALSE(parse_output_format("CSV"));
    CHECK_FALSE(parse_output_format(""));
  }

  TEST_CASE("tables on a terminal, csv on a pipe") {
    CHECK(default_output_format(true) == OutputFormat::kTable);
    CHECK(default_output_format(false) == OutputFormat::kCsv);
  }
}

TEST_SUITE("table") {
  TEST_CASE("table format aligns columns, numbers right, and escapes control characters") {
    const std::string expected =
        "account  memo                amount  seq  at\n"
        "ACC-001  coffee, large       -12.30    1  2026-01-02T03:04:05Z\n"
        "ACC-ÄÖ   say \"hi\"            500.00   42\n"
        "ACC-003  line1\\nline2\\ttab\\    0.00       2026-01-03T00:00:00Z\n"
        "          padded              -0.05    7  2026-01-04T00:00:00Z\n";
    CHECK(rendered(awkward_table(), OutputFormat::kTable) == expected);
  }

  TEST_CASE("table widths count terminal columns: CJK and emoji two, combining marks none") {
    Table t;
    t.columns = {{"owner", CellKind::kText}, {"balance", CellKind::kAmount}};
    // "Zoë" spelt with a combining diaeresis (e + U+0308): three columns, four code points.
    t.rows = {{"Zoe\u0308 Müller", "1.00"}, {"Ng", "-1000.00"}, {"日本語", "3.50"},
              {"🎉 party", "2.00"}};
    const auto lines = lines_of(rendered(t, OutputFormat::kTable));
    REQUIRE(lines.size() == 5);
    for (const auto& line : lines) CHECK(display_width(line) == 20);
    CHECK(lines[1] == "Zoe\u0308 Müller      1.00");
    CHECK(lines[3] == "日本語          3.50");
    CHECK(lines[4] == "🎉 party        2.00");
  }

  TEST_CASE("display width: ASCII one, CJK and emoji two, combining and invalid bytes as shown") {
    CHECK(display_width("") == 0);
    CHECK(display_width("Zoë") == 3);
    CHECK(display_width("日本語") == 6);
    CHECK(display_width("한국어") == 6);
    CHECK(display_width("💶") == 2);
    CHECK(display_width("e\u0301") == 1);
    CHECK(display_width("\xff") == 1);  // Shown as U+FFFD, one column.
  }

  TEST_CASE("a prefix of a width never splits a two-column character") {
    CHECK(prefix_of_width("日本語", 3) == "日");
    CHECK(prefix_of_width("日本語", 4) == "日本");
    CHECK(prefix_of_width("ab日", 3) == "ab");
    CHECK(prefix_of_width("abc", 10) == "abc");
    CHECK(prefix_of_width("e\u0301x", 1) == "e\u0301");  // The mark stays with its letter.
  }

  TEST_CASE("table cells are never truncated, whatever the terminal width") {
    Table t;
    t.columns = {{"account", CellKind::kText}};
    const std::string id(200, 'A');
    t.rows = {{id}};
    RenderStyle style;
    style.terminal_width = 40;
    CHECK(rendered(t, OutputFormat::kTable, style) == "account\n" + id + "\n");
  }

  TEST_CASE("an empty table prints only its header, in every format") {
    Table t = awkward_table();
    t.rows.clear();
    CHECK(rendered(t, OutputFormat::kTable) == "account  memo  amount  seq  at\n");
    CHECK(rendered(t, OutputFormat::kCsv) == "account,memo,amount,seq,at\n");
    CHECK(rendered(t, OutputFormat::kTsv) == "account\tmemo\tamount\tseq\tat\n");
    CHECK(rendered(t, OutputFormat::kJson) == "[]\n");
    CHECK(rendered(t, OutputFormat::kJsonl) == "");
  }

  TEST_CASE("table lines have no trailing blanks from padding, but keep a cell's own") {
    Table t;
    t.columns = {{"a", CellKind::kText}, {"b", CellKind::kText}, {"n", CellKind::kInteger}};
    t.rows = {{"x", "", ""}, {"longer", "y ", ""}};
    CHECK(rendered(t, OutputFormat::kTable) ==
          "a       b   n\n"
          "x\n"
          "longer  y \n");
  }

  TEST_CASE("without colour there is no escape sequence at all") {
    const std::string out = rendered(awkward_table(), OutputFormat::kTable);
    CHECK(out.find('\x1b') == std::string::npos);
  }

  TEST_CASE("with colour the header is bold and negative amounts red, nothing else") {
    Table t;
    t.columns = {
        {"memo", CellKind::kText}, {"n", CellKind::kInteger}, {"amount", CellKind::kAmount}};
    t.rows = {{"-not an amount", "-3", "-12.30"}, {"x", "4", "5.00"}};
    RenderStyle style;
    style.color = true;
    CHECK(rendered(t, OutputFormat::kTable, style) ==
          "\x1b[1mmemo             n  amount\x1b[0m\n"
          "-not an amount  -3  \x1b[31m-12.30\x1b[0m\n"
          "x                4    5.00\n");
  }

  TEST_CASE("a cell cannot send escape sequences to the terminal") {
    Table t;
    t.columns = {{"memo", CellKind::kText}};
    t.rows = {{"a\x1b[2Jb\x7f\xc2\x9b\xff"}};
    CHECK(rendered(t, OutputFormat::kTable) == "memo\na\\x1b[2Jb\\x7f\\u009b\xEF\xBF\xBD\n");
  }

  TEST_CASE("csv quotes only the fields that need it and doubles quotes") {
    const std::string expected =
        "account,memo,amount,seq,at\n"
        "ACC-001,\"coffee, large\",-12.30,1,2026-01-02T03:04:05Z\n"
        "ACC-ÄÖ,\"say \"\"hi\"\"\",500.00,42,\n"
        "ACC-003,\"line1\nline2\ttab\\\",0.00,,2026-01-03T00:00:00Z\n"
        ",\" padded \",-0.05,7,2026-01-04T00:00:00Z\n";
    CHECK(rendered(awkward_table(), OutputFormat::kCsv) == expected);
  }

  TEST_CASE("csv quotes a carriage return, a lone trailing blank and a header that needs it") {
    Table t;
    t.columns = {{"a,b", CellKind::kText}, {"c", CellKind::kText}};
    t.rows = {{"x\ry", "tail "}, {"\tlead", "plain text"}};
    CHECK(rendered(t, OutputFormat::kCsv) ==
          "\"a,b\",c\n"
          "\"x\ry\",\"tail \"\n"
          "\"\tlead\",plain text\n");
  }

  TEST_CASE("tsv escapes tabs, newlines, carriage returns and backslashes inside cells") {
    const std::string expected =
        "account\tmemo\tamount\tseq\tat\n"
        "ACC-001\tcoffee, large\t-12.30\t1\t2026-01-02T03:04:05Z\n"
        "ACC-ÄÖ\tsay \"hi\"\t500.00\t42\t\n"
        "ACC-003\tline1\\nline2\\ttab\\\\\t0.00\t\t2026-01-03T00:00:00Z\n"
        "\t padded \t-0.05\t7\t2026-01-04T00:00:00Z\n";
    CHECK(rendered(awkward_table(), OutputFormat::kTsv) == expected);
    Table t;
    t.columns = {{"memo", CellKind::kText}};
    t.rows = {{"a\rb"}};
    CHECK(rendered(t, OutputFormat::kTsv) == "memo\na\\rb\n");
  }

  TEST_CASE("json is one array, one object per line, integers as numbers, amounts as strings") {
    const std::string expected =
        "[\n"
        "  {\"account\":\"ACC-001\",\"memo\":\"coffee, large\",\"amount\":\"-12.30\",\"seq\":1,"
        "\"at\":\"2026-01-02T03:04:05Z\"},\n"
        "  {\"account\":\"ACC-ÄÖ\",\"memo\":\"say \\\"hi\\\"\",\"amount\":\"500.00\",\"seq\":42,"
        "\"at\":null},\n"
        "  {\"account\":\"ACC-003\",\"memo\":\"line1\\u000Aline2\\u0009tab\\\\\",\"amount\":"
        "\"0.00\",\"seq\":null,\"at\":\"2026-01-03T00:00:00Z\"},\n"
        "  {\"account\":\"\",\"memo\":\" padded \",\"amount\":\"-0.05\",\"seq\":7,"
        "\"at\":\"2026-01-04T00:00:00Z\"}\n"
        "]\n";
    CHECK(rendered(awkward_table(), OutputFormat::kJson) == expected);
  }

  TEST_CASE("jsonl is one object per row per line, typed like json") {
    const std::string expected =
        "{\"account\":\"ACC-001\",\"memo\":\"coffee, large\",\"amount\":\"-12.30\",\"seq\":1,"
        "\"at\":\"2026-01-02T03:04:05Z\"}\n"
        "{\"account\":\"ACC-ÄÖ\",\"memo\":\"say \\\"hi\\\"\",\"amount\":\"500.00\",\"seq\":42,"
        "\"at\":null}\n"
        "{\"account\":\"ACC-003\",\"memo\":\"line1\\u000Aline2\\u0009tab\\\\\",\"amount\":"
        "\"0.00\",\"seq\":null,\"at\":\"2026-01-03T00:00:00Z\"}\n"
        "{\"account\":\"\",\"memo\":\" padded \",\"amount\":\"-0.05\",\"seq\":7,"
        "\"at\":\"2026-01-04T00:00:00Z\"}\n";
    CHECK(rendered(awkward_table(), OutputFormat::kJsonl) == expected);
  }

  TEST_CASE("json stays valid: control characters, invalid UTF-8 and non-numeric integers") {
    Table t;
    t.columns = {{"k\"ey", CellKind::kText}, {"n", CellKind::kInteger}};
    t.rows = {{"\x01\x1f\x7f\xff", "12x"}, {"", "-007"}, {"", "-0"}};
    CHECK(rendered(t, OutputFormat::kJsonl) ==
          "{\"k\\\"ey\":\"\\u0001\\u001F\x7f\xEF\xBF\xBD\",\"n\":\"12x\"}\n"
          "{\"k\\\"ey\":\"\",\"n\":\"-007\"}\n"
          "{\"k\\\"ey\":\"\",\"n\":-0}\n");
  }

  TEST_CASE("csv, tsv and json ignore colour") {
    RenderStyle style;
    style.color = true;
    for (auto format : {OutputFormat::kCsv, OutputFormat::kTsv, OutputFormat::kJson,
                        OutputFormat::kJsonl}) {
      CHECK(rendered(awkward_table(), format, style) == rendered(awkward_table(), format));
    }
  }
}

TEST_SUITE("table_fit") {
  // An id, an amount and a memo: only the memo may give up width.
  Table memo_table(const std::string& memo) {
    Table t;
    t.columns = {
        {"account", CellKind::kText}, {"amount", CellKind::kAmount}, {"memo", CellKind::kFreeText}};
    t.rows = {{"ACC-001", "-12.30", memo}};
    return t;
  }

  size_t widest_line(const std::string& text) {
    size_t widest = 0;
    for (const std::string& line : lines_of(text)) widest = std::max(widest, display_width(line));
    return widest;
  }

  TEST_CASE("a table that fits is laid out as if the width were unknown") {
    const Table t = memo_table("coffee with a friend");
    RenderStyle style;
    style.terminal_width = 80;
    CHECK(rendered(t, OutputFormat::kTable, style) == rendered(t, OutputFormat::kTable));
  }

  TEST_CASE("a free-text column wraps at spaces to fit the width") {
    RenderStyle style;
    style.terminal_width = 40;
    // account 7 + 2 + amount 6 + 2 = 17 columns before the memo, 23 left for it.
    CHECK(rendered(memo_table("groceries for the week and a birthday cake"), OutputFormat::kTable,
                   style) ==
          "account  amount  memo\n"
          "ACC-001  -12.30  groceries for the week\n"
          "                 and a birthday cake\n");
  }

  TEST_CASE("a word wider than the column is cut mid-word, nothing is lost") {
    RenderStyle style;
    style.terminal_width = 30;  // 13 columns for the memo.
    const std::string out =
        rendered(memo_table("supercalifragilistic day"), OutputFormat::kTable, style);
    CHECK(out ==
          "account  amount  memo\n"
          "ACC-001  -12.30  supercalifrag\n"
          "                 ilistic day\n");
    CHECK(widest_line(out) <= 30);
  }

  TEST_CASE("wrapping counts columns: a double-width character is never split or overflows") {
    RenderStyle style;
    style.terminal_width = 29;  // 12 columns for the memo, its floor: six ideographs a line.
    const std::string out =
        rendered(memo_table("東京都の銀行で現金を預け入れ"), OutputFormat::kTable, style);
    CHECK(out ==
          "account  amount  memo\n"
          "ACC-001  -12.30  東京都の銀行\n"
          "                 で現金を預け\n"
          "                 入れ\n");
    CHECK(widest_line(out) <= 29);
  }

  TEST_CASE("wrapping counts code points, so multi-byte UTF-8 is never split") {
    RenderStyle style;
    style.terminal_width = 29;  // 12 columns for the memo, its floor.
    const std::string out = rendered(memo_table("ÄÖÜäöüÄÖÜäöüß"), OutputFormat::kTable, style);
    CHECK(out ==
          "account  amount  memo\n"
          "ACC-001  -12.30  ÄÖÜäöüÄÖÜäöü\n"
          "                 ß\n");
  }

  TEST_CASE("ids and amounts are never cut: a table too narrow for them overflows") {
    Table t = memo_table("a b c d e f g h i j k l m n o p");
    const std::string id(60, 'A');
    t.rows[0][0] = id;
    RenderStyle style;
    style.terminal_width = 40;
    const std::string out = rendered(t, OutputFormat::kTable, style);
    const auto lines = lines_of(out);
    REQUIRE(lines.size() >= 2);
    CHECK(lines[1].starts_with(id + "  -12.30  "));
    // The memo is as narrow as it may be (kFreeTextWidthMin), and the table wider than asked.
    CHECK(lines[1].size() - (id.size() + 10) <= kFreeTextWidthMin);
    CHECK(widest_line(out) > 40);
  }

  TEST_CASE("the widest free-text column gives first, and none below its header") {
    Table t;
    t.columns = {{"owner", CellKind::kFreeText}, {"a_long_memo_header", CellKind::kFreeText}};
    t.rows = {{"Ada Lovelace", std::string(40, 'm')}};
    RenderStyle style;
    style.terminal_width = 34;  // Owner keeps its 12, the memo gets 20 (its header is 18).
    auto lines = lines_of(rendered(t, OutputFormat::kTable, style));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1] == "Ada Lovelace  " + std::string(20, 'm'));
    CHECK(lines[2] == "              " + std::string(20, 'm'));
    style.terminal_width = 10;  // Both at their floors: 12 and 18.
    lines = lines_of(rendered(t, OutputFormat::kTable, style));
    CHECK(lines[0] == "owner         a_long_memo_header");
    CHECK(lines[1] == "Ada Lovelace  " + std::string(18, 'm'));
  }

  TEST_CASE("colour survives wrapping: the amount red on the row's first line only") {
    RenderStyle style;
    style.color = true;
    style.terminal_width = 40;
    CHECK(rendered(memo_table("groceries for the week and a birthday cake"), OutputFormat::kTable,
                   style) ==
          "\x1b[1maccount  amount  memo\x1b[0m\n"
          "ACC-001  \x1b[31m-12.30\x1b[0m  groceries for the week\n"
          "                 and a birthday cake\n");
  }

  TEST_CASE("free text is typed like text in machine formats and never wrapped there") {
    RenderStyle style;
    style.terminal_width = 20;
    const Table t = memo_table("");
    CHECK(rendered(t, OutputFormat::kJsonl, style) ==
          "{\"account\":\"ACC-001\",\"amount\":\"-12.30\",\"memo\":\"\"}\n");
    const Table long_memo = memo_table("a memo much wider than twenty columns");
    CHECK(rendered(long_memo, OutputFormat::kCsv, style) ==
          "account,amount,memo\nACC-001,-12.30,a memo much wider than twenty columns\n");
  }
}
