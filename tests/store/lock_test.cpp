// One writer at a time, across processes: a second writer waits a bounded time and then names the
// holder, or proceeds once the lock is released; two processes that take turns never interleave
// inside a commit; readers take no lock at all. Children are forked, report through a pipe and
// leave with _exit, so that nothing of doctest's or the fixtures' teardown runs twice.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "log_fixture.h"
#include "store/dir_lock.h"

namespace ledger::store::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// No single child may take longer than this; past it the child is killed and the test fails,
// instead of the whole suite hanging on a lock that is never released.
constexpr milliseconds kChildTimeout{120'000};

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

// Blocks until `fd` has a byte or its write end is closed everywhere.
void wait_for_byte(int fd) {
  char c;
  while (::read(fd, &c, 1) < 0 && errno == EINTR) {
  }
}

// A forked child that runs `body` and writes what it returns to a pipe. It exits 0 when the
// body returned, 1 when it threw.
class Child {
 public:
  explicit Child(const std::function<std::string()>& body) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::close(fds[0]);
      int code = 0;
      std::string out;
      try {
        out = body();
      } catch (const std::exception& e) {
        out = std::string("exception: ") + e.what();
        code = 1;
      } catch (...) {
        out = "unknown exception";
        code = 1;
      }
      write_all(fds[1], out);
      ::_exit(code);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) wait();
  }

  pid_t pid() const { return pid_; }

  // Reads the child's report to its end, then reaps it; the wait status, or -1 after a timeout
  // (the child is then killed).
  int wait() {
    if (out_fd_ >= 0) {
      output_ = read_all(out_fd_);
      ::close(out_fd_);
      out_fd_ = -1;
    }
    const auto deadline = Clock::now() + kChildTimeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    pid_ = -1;
    return status;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool exited_cleanly(int status) {
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A pipe a child can block on until the parent says go (by writing a byte or closing it).
struct Signal {
  Signal() { REQUIRE(::pipe(fds) == 0); }
  ~Signal() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
  void raise() { write_all(fds[1], "x"); }
  void wait() { wait_for_byte(fds[0]); }
  int fds[2] = {-1, -1};
};

LogOptions options_waiting(milliseconds wait) {
  LogOptions options = test_options();
  options.lock_wait = wait;
  return options;
}

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

// The value of "key=value" on its own line of a child's report, or "" when it is missing.
std::string field(const std::string& report, const std::string& key) {
  std::istringstream in(report);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return {};
}

// True when `text` holds "pid <pid>" not followed by another digit.
bool names_pid(const std::string& text, pid_t pid) {
  const std::string needle = "pid " + std::to_string(pid);
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    if (end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) return true;
  }
  return false;
}

std::vector<std::string> payloads_of(const std::vector<Event>& events) {
  std::vector<std::string> payloads;
  for (const Event& e : events) payloads.push_back(e.payload);
  return payloads;
}

TEST_SUITE("lock") {
  TEST_CASE("a second writer waits its bounded time, then fails naming the holder's pid") {
    TempDir dir;
    Signal go;
    constexpr milliseconds kWait{500};

    // Forked before the lock is taken, so that the child holds no copy of the holder's lock.
    Child contender([&] {
      go.close_write();
      go.wait();
      const auto start = Clock::now();
      RecoveryReport report;
      auto writer = LogWriter::open(dir.path(), options_waiting(kWait), report);
      const long long waited = elapsed_ms(start);
      if (writer) return std::string("opened=1\n");
      return "opened=0\ncode=" + std::string(error_code_name(writer.status().code())) +
             "\nlocked=" + std::to_string(writer.status().code() == ErrorCode::kLocked) +
             "\nwaited_ms=" + std::to_string(waited) + "\nmessage=" + writer.status().message() +
             "\n";
    });
    go.close_read();
    auto holder = open_writer(dir.path());
    append_events(*holder, 2, "held-");
    go.raise();

    REQUIRE(exited_cleanly(contender.wait()));
    const std::string& report = contender.output();
    INFO(report);
    CHECK(field(report, "opened") == "0");
    CHECK(field(report, "locked") == "1");
    CHECK(std::stoll("0" + field(report, "waited_ms")) >= kWait.count());
    CHECK(std::stoll("0" + field(report, "waited_ms")) < kWait.count() + 30'000);
    CHECK(names_pid(field(report, "message"), ::getpid()));
    CHECK(contains(field(report, "message"), dir.path().string()));

    // The holder never noticed.
    append_events(*holder, 1, "still-");
    CHECK(read_events(dir.path()).size() == 3);
  }

  TEST_CASE("the holder writes its pid at a fixed width over whatever the lock file held") {
    TempDir dir;
    const fs::path path = dir.path() / kLockFileName;
    const std::string expected = fmt::format("{:<10}\n", ::getpid());
    for (const std::string before : {"", "42\n", "12345678901234567890 and more\n"}) {
      CAPTURE(before);
      {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << before;
      }
      auto lock = DirLock::acquire(real_syscalls(), dir.path(), milliseconds(100));
      REQUIRE_MESSAGE(lock, lock.status().message());
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      CHECK(text.str() == expected);
    }
  }

  TEST_CASE("a second writer that starts while the lock is held proceeds once it is released") {
    TempDir dir;
    Signal go;
    Signal started;
    constexpr milliseconds kHeld{300};

    // Forked before the lock is taken, so that the child holds no copy of the holder's lock.
    Child waiter([&] {
      go.close_write();
      started.close_read();
      go.wait();
      const auto start = Clock::now();
      started.raise();
      RecoveryReport report;
      auto writer = LogWriter::open(dir.path(), options_waiting(milliseconds(60'000)), report);
      const long long waited = elapsed_ms(start);
      if (!writer) return "opened=0\nmessage=" + writer.status().message() + "\n";
      const std::string payload = "second";
      const Record r = record_of(payload);
      auto info = (*writer)->append(std::span(&r, 1));
      return "opened=1\nwaited_ms=" + std::to_string(waited) + "\nappended_seq=" +
             (info ? std::to_string(info->seq_first) : "error: " + info.status().message()) + "\n";
    });
    go.close_read();
    started.close_write();
    auto holder = open_writer(dir.path());
    append_events(*holder, 1, "first-");
    go.raise();
    started.wait();
    // The waiter is now (or about to be) polling; the holder keeps working, then lets go.
    std::this_thread::sleep_for(kHeld);
    append_events(*holder, 1, "while-waiting-");
    holder.reset();

    REQUIRE(exited_cleanly(waiter.wait()));
    const std::string& report = waiter.output();
    INFO(report);
    CHECK(field(report, "opened") == "1");
    CHECK(std::stoll("0" + field(report, "waited_ms")) >= kHeld.count());
    CHECK(field(report, "appended_seq") == "3");
    const std::vector<std::string> expected = {"first-0", "while-waiting-0", "second"};
    CHECK(payloads_of(read_events(dir.path())) == expected);
  }

  TEST_CASE("two processes taking turns commit by commit leave every event once, in order") {
    TempDir dir;
    constexpr int kCommitsEach = 300;
    Signal go;

    // Each child opens and closes its own writer around every commit, so the lock changes hands
    // at commit boundaries only.
    auto run = [&](const std::string& prefix) {
      return [&, prefix] {
        go.close_write();
        go.wait();
        for (int i = 0; i < kCommitsEach; ++i) {
          RecoveryReport report;
          auto writer = LogWriter::open(dir.path(), options_waiting(milliseconds(60'000)), report);
          if (!writer) return "failed: " + writer.status().message();
          if (report.cut) return "unexpected cut: " + report.describe();
          const std::string payload = prefix + std::to_string(i);
          const Record r = record_of(payload);
          auto info = (*writer)->append(std::span(&r, 1));
          if (!info) return "failed: " + info.status().message();
        }
        return std::string("ok");
      };
    };
    Child a(run("A-"));
    Child b(run("B-"));
    go.close_read();
    go.close_write();  // Both children start now.

    const int status_a = a.wait();
    const int status_b = b.wait();
    CHECK(exited_cleanly(status_a));
    CHECK(exited_cleanly(status_b));
    CHECK(a.output() == "ok");
    CHECK(b.output() == "ok");

    const std::vector<Event> events = read_events(dir.path());
    REQUIRE(events.size() == 2 * kCommitsEach);
    std::set<std::string> distinct;
    std::vector<std::string> from_a;
    std::vector<std::string> from_b;
    int turns = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      CHECK(events[i].seq == i + 1);
      distinct.insert(events[i].payload);
      (events[i].payload.rfind("A-", 0) == 0 ? from_a : from_b).push_back(events[i].payload);
      if (i > 0 && events[i].payload[0] != events[i - 1].payload[0]) ++turns;
    }
    CHECK(distinct.size() == events.size());
    std::vector<std::string> expected_a;
    std::vector<std::string> expected_b;
    for (int i = 0; i < kCommitsEach; ++i) {
      expected_a.push_back("A-" + std::to_string(i));
      expected_b.push_back("B-" + std::to_string(i));
    }
    CHECK(from_a == expected_a);
    CHECK(from_b == expected_b);
    MESSAGE("the lock changed hands between the two processes " << turns << " times");

    // The log the two left behind is clean: a new writer cuts nothing.
    RecoveryReport report;
    auto writer = LogWriter::open(dir.path(), test_options(), report);
    REQUIRE(writer);
    CHECK_FALSE(report.cut);
    CHECK((*writer)->last_seq() == 2 * kCommitsEach);
  }

  // The holder re-takes the lock microseconds after releasing it, as a script committing in a
  // loop does; a waiter that backs off would almost never poll inside a free window.
  TEST_CASE("a waiting writer gets the lock when a busy holder releases it between commits") {
    TempDir dir;
    Signal go;
    Signal busy;
    constexpr milliseconds kBusyFor{3000};
    constexpr milliseconds kWait{1000};

    // A busy process: commit after commit for kBusyFor, releasing the lock after each one.
    Child hammer([&] {
      go.close_write();
      busy.close_read();
      go.wait();
      const auto start = Clock::now();
      int commits = 0;
      while (Clock::now() - start < kBusyFor) {
        RecoveryReport report;
        auto writer = LogWriter::open(dir.path(), options_waiting(milliseconds(60'000)), report);
        if (!writer) return "failed: " + writer.status().message();
        const std::string payload = "busy-" + std::to_string(commits);
        const Record r = record_of(payload);
        if (auto info = (*writer)->append(std::span(&r, 1)); !info) {
          return "failed: " + info.status().message();
        }
        if (++commits == 1) busy.raise();
      }
      return "commits=" + std::to_string(commits) + "\n";
    });
    go.close_read();
    busy.close_write();
    go.raise();
    busy.wait();

    // The lock is released hundreds of times within kWait; a fair wait takes one of them.
    const auto start = Clock::now();
    RecoveryReport report;
    auto writer = LogWriter::open(dir.path(), options_waiting(kWait), report);
    const long long waited = elapsed_ms(start);
    if (writer) writer->reset();
    REQUIRE(exited_cleanly(hammer.wait()));
    INFO("busy process: " << hammer.output() << "waited " << waited << " ms");
    CHECK(std::stoll("0" + field(hammer.output(), "commits")) > 50);
    CHECK_MESSAGE(writer, writer.status().message());
  }

  TEST_CASE("a reader needs no lock: it reads while a writer holds it, mid-commit") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(4096));
    append_events(*writer, 4, "committed-");
    // An open commit with two frames already in the file: not visible to anyone yet.
    REQUIRE(writer->begin());
    const std::vector<std::string> pending = {"pending-0", "pending-1", "pending-2"};
    for (const std::string& p : pending) {
      REQUIRE(add_event(*writer, p));
      writer->end_frame();
    }
    const auto files_before = snapshot_dir(dir.path());

    auto read_in_child = [&] {
      Child reader([&] {
        std::string out;
        for (const Event& e : read_events(dir.path())) out += e.payload + "\n";
        return out;
      });
      const int status = reader.wait();
      CHECK(exited_cleanly(status));
      return reader.output();
    };
    CHECK(read_in_child() == "committed-0\ncommitted-1\ncommitted-2\ncommitted-3\n");
    CHECK(payloads_of(read_events(dir.path())).size() == 4);
    CHECK(snapshot_dir(dir.path()) == files_before);

    REQUIRE(writer->commit());
    CHECK(read_in_child() ==
          "committed-0\ncommitted-1\ncommitted-2\ncommitted-3\npending-0\npending-1\npending-2\n");
  }
}

}  // namespace
}  // namespace ledger::store::testing
