// digest, verify --digest, prove and check-proof through the real binary, on either store: the
// books a kept digest covers are proved to be extended, rewritten ones are caught (re-imported,
// truncated and re-appended), every proof checks and a proof with any byte changed does not.
#include <doctest/doctest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

std::string chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string digest_of(const TestLedger& ledger, const std::string& args = "") {
  return chomp(ledger.ok("digest " + args).out);
}

// 3 accounts, then `rows` deposits over January, as one import (events 4..).
void fill(const TestLedger& ledger, int rows, unsigned seed, const std::string& options = "") {
  std::mt19937 random(seed);
  std::string csv = "op,account,amount,to,date,memo,ref\n";
  for (int a = 0; a < 3; ++a) csv += "open,A" + std::to_string(a) + ",,,2026-01-01,,\n";
  for (int i = 0; i < rows; ++i) {
    const std::string day = std::to_string(10 + i % 18);
    const std::string amount = std::to_string(1 + random() % 90) + "." + std::to_string(10 + random() % 90);
    csv += "deposit,A" + std::to_string(random() % 3) + "," + amount + ",,2026-01-" + day +
           ",pay " + std::to_string(i) + ",\n";
  }
  ledger.ok(options + "import " + shell_quote(ledger.file("rows.csv", csv).string()));
}

// Small segments on a directory, so that many are sealed and have stored trees.
const std::string kSmall = "--segment-size 4096 ";

}  // namespace

TEST_SUITE("e2e tree") {
  TEST_CASE("a digest is one line, the same books give the same digest, and a later one extends it") {
    const TestLedger ledger;
    ledger.ok("open A --date 2026-01-01");
    const std::string one = digest_of(ledger);
    CHECK(one.rfind("ledger-digest-v1:1:", 0) == 0);
    CHECK(one.size() == std::string("ledger-digest-v1:1:").size() + 64);
    CHECK(digest_of(ledger) == one);
    ledger.ok("deposit A 12.50 --date 2026-01-02");
    const std::string two = digest_of(ledger);
    CHECK(two.rfind("ledger-digest-v1:2:", 0) == 0);
    CHECK(two != one);
    CHECK(digest_of(ledger, "--at-seq 1") == one);
    const RunResult json = ledger.ok("digest --format json");
    CHECK(json.out == "[\n  {\"digest\":\"" + two + "\",\"tree_size\":2,\"root\":\"" +
                          two.substr(two.size() - 64) + "\"}\n]\n");
    // Every log extends the tree of no events.
    const std::string none =
        "ledger-digest-v1:0:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    CHECK(contains(ledger.ok("verify --digest " + none).out, "extends " + none));
    const RunResult r = ledger.ok("verify --digest " + one + " --digest " + two);
    CHECK(contains(r.out, "extends " + one + ": consistency proof of 1 hash checked"));
    CHECK(contains(r.out, "extends " + two + ": consistency proof of 0 hashes checked"));
  }

  TEST_CASE("every proof checks, at random tree sizes, and any changed byte fails it") {
    const TestLedger ledger;
    fill(ledger, 400, 7, kSmall);
    for (int i = 0; i < 3; ++i) ledger.ok(kSmall + "deposit A1 1");
    const uint64_t total = 403 + 3;
    REQUIRE(digest_of(ledger).rfind("ledger-digest-v1:" + std::to_string(total) + ":", 0) == 0);
    std::mt19937 random(11);
    for (int round = 0; round < 6; ++round) {
      const uint64_t size = 1 + random() % total;
      const uint64_t seq = 1 + random() % size;
      INFO("size " << size << ", seq " << seq);
      const std::string digest = digest_of(ledger, "--at-seq " + std::to_string(size));
      const std::string proof = ledger.ok("prove " + std::to_string(seq) + " --digest " + digest).out;
      const auto file = ledger.file("proof.json", proof);
      const RunResult checked = ledger.ok("check-proof " + shell_quote(file.string()) +
                                          " --digest " + digest);
      CHECK(contains(checked.out, "check-proof: ok: event " + std::to_string(seq) + ", "));
      // One byte changed anywhere in a hash, the leaf or the event: never a pass.
      for (int flip = 0; flip < 3; ++flip) {
        std::string bad = proof;
        size_t at = 0;
        do {
          at = random() % bad.size();
        } while (!std::isxdigit(static_cast<unsigned char>(bad[at])) &&
                 !std::isalpha(static_cast<unsigned char>(bad[at])));
        bad[at] = bad[at] == 'a' ? 'b' : 'a';
        if (bad == proof) continue;
        const RunResult r = ledger.run("check-proof " +
                                       shell_quote(ledger.file("bad.json", bad).string()) +
                                       " --digest " + digest);
        INFO("changed byte " << at << ": " << r.err);
        CHECK(r.exit_code != 0);
        CHECK((r.exit_code == 1 || r.exit_code == 65 || r.exit_code == 64));
      }
      // The same proof against another digest fails.
      if (size > 1) {
        const std::string other = digest_of(ledger, "--at-seq " + std::to_string(size - 1));
        const RunResult r =
            ledger.run("check-proof " + shell_quote(file.string()) + " --digest " + other);
        CHECK(r.exit_code == 1);
        CHECK(contains(r.err, "check-proof: FAILED: the proof is for the tree head"));
      }
    }
  }

  TEST_CASE("check-proof needs no books: it reads the proof and the digest alone") {
    const TestLedger ledger;
    ledger.ok("open A --date 2026-01-01 --owner Ada");
    ledger.ok("deposit A 12.50 --date 2026-01-02 --memo rent --ref r-1");
    const std::string digest = digest_of(ledger);
    const auto file = ledger.file("p.json", ledger.ok("prove 2 --digest " + digest).out);
    const RunResult r = ledger::testing::run_ledger(
        "--dir /nonexistent/nowhere check-proof " + shell_quote(file.string()) + " --digest " +
            digest,
        kUtc);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "check-proof: ok: event 2, MoneyDeposited A 1250 minor units is in the books of " +
                       digest + "\n");
    const std::string proof = read_file(file);
    CHECK(contains(proof, "\"event\":{\"seq\":2,"));
    CHECK(contains(proof, "\"type\":\"MoneyDeposited\",\"account\":\"A\",\"amount_minor_units\":1250,"
                          "\"memo\":\"rent\",\"ref\":\"r-1\"}"));
    // What jq or Python would read of it must be what was checked: no member twice, none
    // unknown, and numbers as written (1250.0 is not the leaf's 1250).
    struct Forged {
      std::string proof;
      int exit_code;
      std::string says;
    };
    std::string twice = proof;
    twice.insert(twice.rfind('}'), ",\"seq\":7");
    std::string unknown = proof;
    unknown.insert(unknown.rfind('}'), ",\"note\":\"trust me\"");
    std::string as_double = proof;
    as_double.replace(as_double.find("1250,"), 4, "1250.0");
    for (const Forged& f : {Forged{twice, 65, "it has two members \"seq\""},
                            Forged{unknown, 65, "it has a member \"note\", which a proof has not"},
                            Forged{as_double, 1, "the proof's event is not what its leaf holds"}}) {
      const RunResult r = ledger.run(
          "check-proof " + shell_quote(ledger.file("forged.json", f.proof).string()) +
          " --digest " + digest);
      INFO(f.proof);
      CHECK(r.exit_code == f.exit_code);
      CHECK(contains(r.err, f.says));
    }
    // The shown event must be the leaf's: another amount with the true leaf fails.
    std::string lie = proof;
    lie.replace(lie.find("1250,"), 4, "9250");
    const RunResult lied = ledger.run(
        "check-proof " + shell_quote(ledger.file("lie.json", lie).string()) + " --digest " + digest);
    CHECK(lied.exit_code == 1);
    CHECK(contains(lied.err, "the proof's event is not what its leaf holds"));
  }

  TEST_CASE("re-imported books fail verify --digest, edited or not, the true books pass") {
    const TestLedger books, edited, copied;
    fill(books, 30, 3);
    const std::string kept = digest_of(books);
    books.ok("deposit A0 5");  // Later writes extend it.
    CHECK(books.ok("verify --digest " + kept).exit_code == 0);
    const std::string exported = books.ok("export --format csv").out;
    // An old amount changed by one cent, and every checksum made anew by the import.
    std::string changed = exported;
    const size_t at = changed.find(".", changed.find("\ndeposit,"));
    REQUIRE(at != std::string::npos);
    changed[at + 2] = changed[at + 2] == '9' ? '8' : static_cast<char>(changed[at + 2] + 1);
    REQUIRE(changed != exported);
    edited.ok("import " + shell_quote(edited.file("e.csv", changed).string()));
    CHECK(edited.ok("verify").exit_code == 0);  // Every checksum holds.
    for (const TestLedger* forged : {&edited, &copied}) {
      if (forged == &copied) copied.ok("import " + shell_quote(copied.file("c.csv", exported).string()));
      const RunResult r = forged->run("verify --digest " + kept);
      INFO(r.err);
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, "verify: FAILED: the log does not extend " + kept));
      CHECK(contains(r.err, "history up to event 33 was rewritten"));
      CHECK(contains(r.err, "the first event that differs is one of 1 to 33"));
      // And no proof against the kept digest comes out of them.
      const RunResult p = forged->run("prove 5 --digest " + kept);
      CHECK(p.exit_code == 1);
      CHECK(p.out.empty());
      CHECK(contains(p.err, "does not extend the digest"));
    }
  }

  TEST_CASE("books cut back and written again fail at the first digest after the cut, named") {
    const TestLedger books, rewritten, cut;
    books.ok("open A --date 2026-01-01");
    std::vector<std::string> kept{digest_of(books)};  // One after each write.
    for (int i = 1; i <= 4; ++i) {
      books.ok("deposit A " + std::to_string(i));
      kept.push_back(digest_of(books));
    }
    // Copies keep sequence numbers and both times: the same five events.
    books.ok("copy --to " + shell_quote(rewritten.location()));
    books.ok("copy --to " + shell_quote(cut.location()));
    for (int i = 1; i <= 3; ++i) {
      books.ok("deposit A " + std::to_string(10 * i));
      kept.push_back(digest_of(books));
      rewritten.ok("deposit A " + std::to_string(100 * i));
    }
    std::string args = "verify";
    for (const std::string& d : kept) args += " --digest " + d;
    const RunResult r = rewritten.run(args);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "extends " + kept[4]));
    CHECK(contains(r.err, "the log does not extend " + kept[5]));
    CHECK(contains(r.err, "verify: the first event that differs is 6\n"));
    // The books that were not rewritten pass with every digest they gave.
    CHECK(books.ok(args).exit_code == 0);
    // Cut back and not written again: fewer events than the digest covers.
    const RunResult shorter = cut.run("verify --digest " + kept.back());
    CHECK(shorter.exit_code == 1);
    CHECK(contains(shorter.err, "the log holds 5 events, fewer than the 8 the digest covers"));
  }

  TEST_CASE("refusals: bad digests, proofs and sequence numbers change nothing") {
    const TestLedger ledger;
    ledger.ok("open A --date 2026-01-01");
    ledger.ok("deposit A 3");
    const std::string digest = digest_of(ledger);
    const std::string other =
        "ledger-digest-v1:2:" + std::string(64, '0');
    const auto proof = ledger.file("p.json", ledger.ok("prove 1 --digest " + digest).out);
    const auto junk = ledger.file("junk.json", "not json at all\n");
    struct Case {
      std::string args;
      int exit_code;
      std::string says;
    };
    const std::vector<Case> cases = {
        {"digest --at-seq 3", 1, "the log holds 2 events, not 3"},
        {"prove 1 --digest ledger-digest-v1:2:abc", 64, "is not a digest"},
        {"prove 1 --digest " + digest.substr(1), 64, "is not a digest"},
        {"prove 3 --digest " + digest, 1, "event 3 is not in the tree of the digest"},
        {"prove 1 --digest " + other, 1, "does not extend the digest"},
        {"prove 1 --digest ledger-digest-v1:9:" + digest.substr(digest.size() - 64), 1,
         "the log holds 2 events, fewer than the 9 the digest covers"},
        {"verify --digest nonsense", 64, "--digest: \"nonsense\" is not a digest"},
        // The tree of no events has one root: SHA-256 of nothing.
        {"verify --digest ledger-digest-v1:0:" + std::string(64, '1'), 64, "is not a digest"},
        {"verify --digest " + digest + " --digest " + other, 1,
         "the digests given disagree: the one of 2 events holds"},
        {"verify --digest " + other, 1, "the log does not extend " + other},
        {"check-proof " + shell_quote(proof.string()) + " --digest x", 64, "is not a digest"},
        {"check-proof " + shell_quote(junk.string()) + " --digest " + digest, 65,
         "not a proof: not a JSON object"},
        {"check-proof /nonexistent/p.json --digest " + digest, 66, "cannot open /nonexistent/p.json"},
        {"check-proof " + shell_quote(proof.string()) + " --digest " + other, 1,
         "check-proof: FAILED: the proof is for the tree head"},
    };
    const auto before = ledger.files();
    for (const Case& c : cases) {
      INFO("ledger " << c.args);
      const RunResult r = ledger.run(c.args);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == c.exit_code);
      CHECK(contains(r.err, c.says));
      if (c.exit_code != 1 || c.args.rfind("verify", 0) != 0) CHECK(r.out.empty());
      check_unchanged(before, ledger.files());
    }
  }
}

TEST_SUITE("files") {
  TEST_CASE("sealed segments keep their tree, digests and proofs read it, or the log without it") {
    const TestLedger ledger;
    fill(ledger, 600, 5, kSmall);
    ledger.ok(kSmall + "deposit A1 2");
    size_t trees = 0;
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      trees += entry.path().extension() == ".tre";
    }
    CHECK(trees >= 5);
    const std::string digest = digest_of(ledger);
    const std::string mid = digest_of(ledger, "--at-seq 333");
    const std::string proof = ledger.ok("prove 200 --digest " + digest).out;
    CHECK(ledger.ok("verify --digest " + mid).exit_code == 0);
    // A damaged tree file: verify names it; digest and prove do not trust it.
    fs::path one;
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      if (entry.path().extension() == ".tre") one = entry.path();
    }
    std::string bytes = read_file(one);
    bytes[bytes.size() / 2] ^= 0x20;
    write_file(one, bytes);
    const RunResult v = ledger.run("verify");
    CHECK(v.exit_code == 1);
    CHECK(contains(v.err, "wrong Merkle tree file"));
    CHECK(digest_of(ledger) == digest);
    CHECK(ledger.ok("prove 200 --digest " + digest).out == proof);
    // Without any tree file: the same answers, hashed from the log.
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      if (entry.path().extension() == ".tre") fs::remove(entry.path());
    }
    CHECK(digest_of(ledger) == digest);
    CHECK(digest_of(ledger, "--at-seq 333") == mid);
    CHECK(ledger.ok("prove 200 --digest " + digest).out == proof);
    CHECK(ledger.ok("verify").exit_code == 0);
  }

  TEST_CASE("the newest segment's tree is stored as it grows, and answers are the same without it") {
    const TestLedger ledger;
    fill(ledger, 5000, 9);  // One import: over 256 KiB of the first segment.
    ledger.ok("deposit A1 2");
    ledger.ok("deposit A2 3");  // Events past the stored part, hashed from the log.
    std::vector<fs::path> trees;
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      if (entry.path().extension() == ".tre") trees.push_back(entry.path());
    }
    REQUIRE(trees.size() == 1);
    const std::string digest = digest_of(ledger);
    CHECK(digest.rfind("ledger-digest-v1:5005:", 0) == 0);
    const std::string earlier = digest_of(ledger, "--at-seq 1000");
    const std::string inside = ledger.ok("prove 700 --digest " + digest).out;
    const std::string past = ledger.ok("prove 5005 --digest " + digest).out;
    CHECK(ledger.ok("verify --digest " + earlier).exit_code == 0);
    CHECK(ledger.ok("verify").exit_code == 0);
    // A damaged one: verify names it, and digest and prove do not trust it.
    std::string bytes = read_file(trees[0]);
    bytes[bytes.size() / 3] ^= 0x01;
    write_file(trees[0], bytes);
    const RunResult v = ledger.run("verify");
    CHECK(v.exit_code == 1);
    CHECK(contains(v.err, "wrong Merkle tree file"));
    CHECK(digest_of(ledger) == digest);
    CHECK(ledger.ok("prove 700 --digest " + digest).out == inside);
    fs::remove(trees[0]);
    CHECK(digest_of(ledger) == digest);
    CHECK(digest_of(ledger, "--at-seq 1000") == earlier);
    CHECK(ledger.ok("prove 700 --digest " + digest).out == inside);
    CHECK(ledger.ok("prove 5005 --digest " + digest).out == past);
    CHECK(ledger.ok("verify").exit_code == 0);
  }
}
