// The simulated userland kubectl exec runs (sim/shop/userland.h) and the WebSocket framing it
// travels in (sim/api/websocket.h): the shell's syntax, the commands' outputs and exit codes.
#include "sim/shop/userland.h"

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sim/api/websocket.h"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {
namespace {

class UserlandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.seed = 3;
    auto made = Sim::Create(options);
    ASSERT_TRUE(made.ok()) << made.status();
    sim_ = *std::move(made);
    absl::MutexLock lock(sim_->mu());
    for (const nlohmann::json& p : sim_->store()->List("pods", "sock-shop")) {
      if (p["metadata"]["labels"].value("name", "") == "carts") carts_ = p;
    }
    ASSERT_TRUE(carts_.is_object());
  }

  ExecResult Sh(const std::string& script, const std::string& input = "") {
    absl::MutexLock lock(sim_->mu());
    return RunInContainer(sim_.get(), carts_, "carts", {"sh", "-c", script}, input);
  }

  std::unique_ptr<Sim> sim_;
  nlohmann::json carts_;
};

TEST_F(UserlandTest, TheShellRunsListsPipesQuotesVariablesAndRedirections) {
  struct Case {
    std::string script;
    std::string out;
    std::string err;
    int code;
  };
  const Case cases[] = {
      {"echo a; echo b", "a\nb\n", "", 0},
      {"false && echo no || echo yes", "yes\n", "", 0},
      {"true || echo no; echo $?", "0\n", "", 0},
      {"grep -q x /etc/hostname; echo \"status $?\"", "status 1\n", "", 0},
      {"echo 'single $HOME' \"double $HOME\" esc\\ aped", "single $HOME double /root esc aped\n",
       "", 0},
      {"printf x", "", "sh: printf: not found\n", 127},
      {"echo hidden > /dev/null; echo shown", "shown\n", "", 0},
      {"cat /nope 2>/dev/null; echo $?", "1\n", "", 0},
      {"cat /nope 2>&1 | wc -l", "1\n", "", 0},
      {"echo to-err >&2", "", "to-err\n", 0},
      {"echo x > /tmp/file", "", "sh: can't create /tmp/file: Read-only file system\n", 1},
      {"env | grep ^HOME=", "HOME=/root\n", "", 0},
      {"printf", "", "sh: printf: not found\n", 127},
      {"echo 'open", "", "sh: syntax error: unterminated quoted string\n", 2},
      {"sleep 1 &", "", "sh: syntax error: background jobs (&) are not simulated\n", 2},
      {"exit 7; echo never", "", "", 7},
      {"echo c; echo a; echo b", "c\na\nb\n", "", 0},
      {"ls /sys/fs/cgroup | head -n 2 | tail -1", "cpu.max\n", "", 0},
      {"cat /sys/fs/cgroup/memory.events | grep -E '^oom_kill '", "oom_kill 0\n", "", 0},
      {"bash -c 'nosuch'", "", "bash: line 1: nosuch: command not found\n", 127},
      {"grep -c . /etc/resolv.conf", "3\n", "", 0},
      {"cat | sort -r | uniq -c", "      1 b\n      2 a\n", "", 0},
  };
  for (const Case& c : cases) {
    ExecResult r = Sh(c.script, c.script == "cat | sort -r | uniq -c" ? "a\nb\na\n" : "");
    EXPECT_EQ(r.out, c.out) << c.script;
    EXPECT_EQ(r.err, c.err) << c.script;
    EXPECT_EQ(r.exit_code, c.code) << c.script;
  }
}

TEST_F(UserlandTest, CommandsAnswerFromTheModel) {
  const std::string pod = carts_["metadata"]["name"];
  EXPECT_EQ(Sh("hostname").out, pod + "\n");
  EXPECT_EQ(Sh("cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max").out,
            "524288000\n30000 100000\n");
  // memory.current is the working set kubectl top reads.
  ExecResult current = Sh("cat /sys/fs/cgroup/memory.current");
  int64_t bytes = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(current.out), &bytes)) << current.out;
  {
    absl::MutexLock lock(sim_->mu());
    EXPECT_EQ(bytes, sim_->ContainerUsage(carts_, "carts", sim_->Now()).memory_bytes);
  }
  ExecResult stat = Sh("grep -E '^(nr_periods|nr_throttled) ' /sys/fs/cgroup/cpu.stat");
  // 49 min 58 s since the container started (2 s after its pod), idle: 100 ms periods.
  EXPECT_EQ(stat.out, "nr_periods 29980\nnr_throttled 0\n");
  EXPECT_EQ(Sh("getent hosts catalogue | wc -l").out, "1\n");
  EXPECT_EQ(Sh("getent hosts nosuch").exit_code, 2);
  EXPECT_EQ(Sh("nslookup nosuch.other").out,
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find "
            "nosuch.other: NXDOMAIN\n\n");
  EXPECT_EQ(Sh("curl -s http://catalogue/catalogue/size").out, R"({"size":9,"err":null})");
  EXPECT_EQ(Sh("curl -s http://localhost/health | grep -c carts").out, "1\n");
  ExecResult refused = Sh("curl -sS http://catalogue:8080/health");
  EXPECT_EQ(refused.err,
            "curl: (7) Failed to connect to catalogue port 8080 after 0 ms: Couldn't connect to "
            "server\n");
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_EQ(Sh("wget -qO- http://nosuch/").err, "wget: bad address 'nosuch'\n");
  // mongo exists only in the mongo images; on orders-db it reads the orders database, after
  // the banner of the database it connected to.
  EXPECT_EQ(Sh("mongo --eval 'db.x.count()'").err, "sh: mongo: not found\n");
  nlohmann::json orders_db;
  {
    absl::MutexLock lock(sim_->mu());
    for (const nlohmann::json& p : sim_->store()->List("pods", "sock-shop")) {
      if (p["metadata"]["labels"].value("name", "") == "orders-db") orders_db = p;
    }
  }
  ASSERT_TRUE(orders_db.is_object());
  ExecResult mongo;
  {
    absl::MutexLock lock(sim_->mu());
    mongo = RunInContainer(sim_.get(), orders_db, orders_db["spec"]["containers"][0]["name"],
                           {"mongo", "--eval",
                            "db = db.getSiblingDB('data'); db.customerOrder.count({status: "
                            "'PAID'})"},
                           "");
  }
  EXPECT_EQ(mongo.out,
            "MongoDB shell version v3.4.10\nconnecting to: mongodb://127.0.0.1:27017/test\n"
            "MongoDB server version: 3.4.10\n0\n");
  EXPECT_EQ(mongo.exit_code, 0);
  EXPECT_EQ(Sh("date +%Y").out, "2026\n");
}

// Frames as a client sends them (masked) are read back, fragments joined; what a client must
// not send ends the reading.
TEST(WebSocketTest, FramesAreReadAndWrittenAsRfc6455Says) {
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(WebSocketFrame(kWsBinary, "\x01hi"), std::string("\x82\x03\x01hi", 5));
  EXPECT_EQ(WebSocketFrame(kWsBinary, std::string(300, 'x')).substr(0, 4),
            std::string("\x82\x7e\x01\x2c", 4));
  EXPECT_EQ(WebSocketClose(1000), std::string("\x88\x02\x03\xe8", 4));

  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto masked = [](uint8_t first, const std::string& payload) {
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    std::string f(1, static_cast<char>(first));
    f.push_back(static_cast<char>(0x80 | payload.size()));
    f.append(mask, 4);
    for (size_t i = 0; i < payload.size(); ++i) f.push_back(payload[i] ^ mask[i % 4]);
    return f;
  };
  // "\0ab" in two fragments, a ping, then an unmasked frame.
  std::string wire = masked(0x02, std::string("\0a", 2)) + masked(0x80, "b") + masked(0x89, "p") +
                     std::string("\x82\x01x", 3);
  ASSERT_TRUE(WriteAll(fds[1], wire));
  WebSocketReader reader(fds[0], 1024);
  WebSocketMessage m;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  ASSERT_TRUE(reader.Next(deadline, &m));
  EXPECT_EQ(m.opcode, kWsBinary);
  EXPECT_EQ(m.payload, std::string("\0ab", 3));
  ASSERT_TRUE(reader.Next(deadline, &m));
  EXPECT_EQ(m.opcode, kWsPing);
  EXPECT_EQ(m.payload, "p");
  EXPECT_FALSE(reader.Next(deadline, &m));  // unmasked
  // Over the size limit, and the end of the stream.
  WebSocketReader small(fds[0], 2);
  ASSERT_TRUE(WriteAll(fds[1], masked(0x82, "abc")));
  EXPECT_FALSE(small.Next(deadline, &m));
  close(fds[1]);
  WebSocketReader ended(fds[0], 1024);
  EXPECT_FALSE(ended.Next(deadline, &m));
  close(fds[0]);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
