#pragma once
// What the end-to-end tests share: a fresh ledger in a temporary data directory, driven through
// the real binary, and ways to look at what it printed and at the files it left behind.

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/run_ledger.h"
#include "store/log_fixture.h"

namespace ledger::e2e {

namespace fs = std::filesystem;
using ledger::testing::RunResult;
using ledger::testing::shell_quote;

// Every test pins the zone it reads and shows dates in.
inline constexpr const char* kUtc = "TZ=UTC";

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A statement as CSV without its seq column (the second) and its ref column (the last): the
// columns an import copy may number and key otherwise.
inline std::string without_seq_and_ref(const std::string& csv) {
  std::string text;
  for (const std::string& line : lines_of(csv)) {
    const std::string row = line.substr(0, line.rfind(','));
    const size_t seq = row.find(',');
    text += row.substr(0, seq) + row.substr(row.find(',', seq + 1)) + "\n";
  }
  return text;
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

// Like run_ledger, with standard input read from `input` instead of /dev/null (run_ledger
// ends its command with `</dev/null`, which would win over a redirection in `args`).
inline RunResult run_ledger_with_stdin(const std::string& args, const fs::path& input,
                                       const std::string& env = kUtc) {
  const fs::path tmp = fs::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "-stdin-" + std::to_string(std::rand());
  const fs::path out = tmp / ("ledger-out-" + tag), err = tmp / ("ledger-err-" + tag);
  const std::string command = env + " " + shell_quote(LEDGER_BINARY) + " " + args + " >" +
                              shell_quote(out.string()) + " 2>" + shell_quote(err.string()) +
                              " <" + shell_quote(input.string());
  const int status = std::system(command.c_str());
  RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  fs::remove(out);
  fs::remove(err);
  return result;
}

// Splits a CSV line on commas; enough for the ledger's own output when no field is quoted.
inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// The suite runs against a data directory, or, in ctest's postgres: tests, against PostgreSQL:
// LEDGER_TEST_PG names the file where scripts/pg-cluster wrote its server's location.
inline bool on_postgres() { return std::getenv("LEDGER_TEST_PG") != nullptr; }

// The throwaway server's location (its database "postgres").
inline std::string postgres_server() {
  const char* file = std::getenv("LEDGER_TEST_PG");
  REQUIRE(file != nullptr);
  std::string uri = read_file(file);
  while (!uri.empty() && uri.back() == '\n') uri.pop_back();
  REQUIRE_MESSAGE(uri.rfind("postgresql://", 0) == 0, "no server location in " << file);
  return uri;
}

// `server` with its database replaced by `database`.
inline std::string with_database(const std::string& server, const std::string& database) {
  const size_t path = server.find('/', server.find("://") + 3);
  const size_t query = server.find('?', path);
  return server.substr(0, path + 1) + database +
         (query == std::string::npos ? "" : server.substr(query));
}

// psql's output for `sql` (or the file `script`) on `location`; fails the test if psql fails.
inline std::string psql(const std::string& location, const std::string& sql,
                        const fs::path& script = {}) {
  ledger::store::testing::TempDir tmp;
  const fs::path out = tmp.path() / "out", err = tmp.path() / "err";
  const std::string input = script.empty() ? " -c " + shell_quote(sql)
                                           : " -f " + shell_quote(script.string());
  const std::string command = "psql -X -q -A -t -v ON_ERROR_STOP=1 " + shell_quote(location) +
                              input + " >" + shell_quote(out.string()) + " 2>" +
                              shell_quote(err.string());
  const int status = std::system(command.c_str());
  INFO("psql: " << sql << "\n" << read_file(err));
  REQUIRE(status == 0);
  return read_file(out);
}

// psql's output for the script `text` (backslash commands allowed) on `location`.
inline std::string psql_script(const std::string& location, const std::string& text) {
  ledger::store::testing::TempDir tmp;
  const fs::path script = tmp.path() / "script.sql";
  write_file(script, text);
  return psql(location, "", script);
}

// A ledger of its own: a temporary folder whose "data" subfolder is the data directory, which
// does not exist until the first write; on PostgreSQL, a new empty database, dropped after.
class TestLedger {
 public:
  TestLedger() : TestLedger(on_postgres()) {}
  // A data directory (false) or a database (true), whichever the suite runs on.
  explicit TestLedger(bool database) {
    if (!database) return;
    static int made = 0;
    const std::string name = "ledger_test_" + std::to_string(::getpid()) + "_" +
                             std::to_string(++made);
    server_ = postgres_server();
    psql(server_, "CREATE DATABASE " + name);
    database_ = with_database(server_, name);
    name_ = name;
  }
  ~TestLedger() {
    if (name_.empty()) return;
    const std::string drop = "psql -X -q " + shell_quote(server_) + " -c " +
                             shell_quote("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)") +
                             " >/dev/null 2>&1";
    (void)std::system(drop.c_str());
  }
  TestLedger(const TestLedger&) = delete;
  TestLedger& operator=(const TestLedger&) = delete;

  const fs::path& dir() const { return dir_; }
  const fs::path& scratch() const { return tmp_.path(); }
  // What --dir names: the data directory, or the database's location.
  std::string location() const { return name_.empty() ? dir_.string() : database_; }

  // `args` are shell words after `ledger --dir DIR`; quote user data with shell_quote.
  RunResult run(const std::string& args, const std::string& env = kUtc) const {
    return ledger::testing::run_ledger(prefix() + args, env);
  }
  RunResult run_with_stdin(const std::string& args, const fs::path& input,
                           const std::string& env = kUtc) const {
    return run_ledger_with_stdin(prefix() + args, input, env);
  }

  // Runs a command that must succeed; fails the test with its stderr otherwise.
  RunResult ok(const std::string& args, const std::string& env = kUtc) const {
    RunResult r = run(args, env);
    INFO("ledger " << args << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  // A file in the scratch folder (outside the data directory) holding `text`.
  fs::path file(const std::string& name, const std::string& text) const {
    const fs::path path = tmp_.path() / name;
    write_file(path, text);
    return path;
  }

  // What the ledger holds: every file of the data directory, or every row of every table of
  // the database, one entry per table.
  std::map<std::string, std::string> files() const {
    if (name_.empty()) return ledger::store::testing::snapshot_dir(dir_);
    // One psql: each table's rows, each row as one line "table|row".
    const std::string dump = psql_script(
        database_,
        "SELECT format('SELECT %L, t::text FROM %I t ORDER BY 2', tablename, tablename) "
        "FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename \\gexec\n");
    std::map<std::string, std::string> tables;
    for (const std::string& line : lines_of(dump)) {
      const size_t bar = line.find('|');
      tables[line.substr(0, bar)] += line.substr(bar + 1) + "\n";
    }
    return tables;
  }

 private:
  std::string prefix() const { return "--dir " + shell_quote(location()) + " "; }

  ledger::store::testing::TempDir tmp_;
  fs::path dir_ = tmp_.path() / "data";
  std::string server_, database_, name_;  // On PostgreSQL only.
};

inline std::string chomp_line(std::string line) {
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// The digest that reports end with now: `ledger digest`'s line.
inline std::string digest_now(const TestLedger& ledger) {
  std::string line = ledger.ok("digest").out;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// `out` without the digest member that JSON reports carry in each object: only `digest`'s
// value is taken out, so that a wrong or missing digest still fails the comparison after.
inline std::string without_digest(std::string out, const std::string& digest) {
  const std::string member = ",\"digest\":\"" + digest + "\"";
  for (size_t at; (at = out.find(member)) != std::string::npos;) out.erase(at, member.size());
  return out;
}

// The LOCK file holds the pid of the last process that took the writer lock, as advice for the
// "locked by" message; every write attempt, refused or not, rewrites it. Everything else must
// be byte-for-byte what it was.
// The pid is left-aligned in 10 characters, then a newline (ledger-format(5), LOCK).
inline bool is_pid_line(const std::string& text) {
  if (text.size() != 11 || text.back() != '\n' || text[0] < '1' || text[0] > '9') return false;
  size_t i = 1;
  while (i < 10 && text[i] >= '0' && text[i] <= '9') ++i;
  while (i < 10 && text[i] == ' ') ++i;
  return i == 10;
}

inline void check_unchanged(const std::map<std::string, std::string>& before,
                            const std::map<std::string, std::string>& after) {
  std::vector<std::string> names_before, names_after;
  for (const auto& [name, _] : before) names_before.push_back(name);
  for (const auto& [name, _] : after) names_after.push_back(name);
  CHECK(names_before == names_after);
  for (const auto& [name, bytes] : before) {
    auto it = after.find(name);
    if (it == after.end()) continue;
    INFO("file " << name);
    if (name == "LOCK") {
      CHECK(is_pid_line(it->second));
    } else {
      CHECK(it->second == bytes);
    }
  }
}

}  // namespace ledger::e2e
