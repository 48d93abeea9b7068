// The sim against hostile requests (issue 16, findings 6, 7 and 12): every request gets a
// Status as a real API server would answer it, nothing invalid is stored, long or slow
// connections never starve short requests, and the change history stays bounded.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {
namespace {

// A raw TCP connection to the server, closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  // Whether the peer has closed: a read without waiting finds the end of the stream or an
  // error other than "nothing yet" (whatever data is waiting is consumed).
  bool PeerClosed() {
    char buf[4096];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) continue;
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }
  bool Send(const std::string& data) {
    return write(fd_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  }
  // Reads until `until` appears in what was read or the peer closes (5 s at most).
  std::string ReadUntil(const std::string& until) {
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    while (!absl::StrContains(out, until)) {
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, n);
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class SimHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.seed = 3;
    auto made = Sim::Create(options);
    ASSERT_TRUE(made.ok()) << made.status();
    sim_ = *std::move(made);
    server_ = std::make_unique<ApiServer>(sim_.get());
    auto port = server_->Start(0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    client_.reset();
    if (server_ != nullptr) server_->Stop();
  }

  // The Status a response carries: {code, reason, message}.
  static std::vector<std::string> StatusOf(const httplib::Result& r) {
    if (!r) return {"no response"};
    nlohmann::json s = nlohmann::json::parse(r->body, nullptr, false);
    if (s.is_discarded() || !s.is_object()) return {std::to_string(r->status), r->body};
    return {std::to_string(r->status), s.value("reason", ""), s.value("message", "")};
  }

  // The server still serves: /version, a configmap list and an advance all answer 200.
  void ExpectHealthy() {
    auto r = client_->Get("/version");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = client_->Get("/api/v1/namespaces/sock-shop/configmaps");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(nlohmann::json::parse(r->body, nullptr, false).is_discarded());
    r = client_->Post("/sim/v1/advance?by=1s", "", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }

  static constexpr char kConfigMaps[] = "/api/v1/namespaces/sock-shop/configmaps";

  std::string CreateConfigMap(const std::string& name, const std::string& value) {
    nlohmann::json cm = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", name}}},
                         {"data", {{"k", value}}}};
    auto r = client_->Post(kConfigMaps, cm.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 201) << r->body;
    return nlohmann::json::parse(r->body)["metadata"].value("resourceVersion", "");
  }

  std::unique_ptr<Sim> sim_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

using Status = std::vector<std::string>;

// A list at a resourceVersion: "NotOlderThan" (or none) is served at the current version,
// "Exact" only at the current one (the sim keeps no past states: an older one is Expired, as a
// compacted one is on a real server), a future one times out; bad combinations are 400 with
// the real server's messages.
TEST_F(SimHardeningTest, ListsHonourResourceVersionMatch) {
  std::string rv = CreateConfigMap("rv", "1");
  uint64_t current = 0;
  ASSERT_TRUE(absl::SimpleAtoi(rv, &current));
  auto list_rv = [&](const std::string& query) -> std::string {
    auto r = client_->Get(std::string(kConfigMaps) + "?" + query);
    if (!r || r->status != 200) return "status " + (r ? std::to_string(r->status) : "none");
    return nlohmann::json::parse(r->body)["metadata"].value("resourceVersion", "");
  };
  EXPECT_EQ(list_rv("resourceVersion=" + rv + "&resourceVersionMatch=Exact"), rv);
  EXPECT_EQ(list_rv("resourceVersion=1&resourceVersionMatch=NotOlderThan"), rv);
  EXPECT_EQ(list_rv("resourceVersion=1"), rv);
  EXPECT_EQ(list_rv("resourceVersion=0"), rv);
  auto get = [&](const std::string& query) {
    return StatusOf(client_->Get(std::string(kConfigMaps) + "?" + query));
  };
  EXPECT_EQ(get("resourceVersion=1&resourceVersionMatch=Exact"),
            (Status{"410", "Expired", "The resourceVersion for the provided list is too old."}));
  std::string future = std::to_string(current + 1000);
  EXPECT_EQ(
      get("resourceVersion=" + future),
      (Status{"504", "Timeout", "Too large resource version: " + future + ", current: " + rv}));
  EXPECT_EQ(get("resourceVersionMatch=Exact"),
            (Status{"400", "BadRequest",
                    "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                    "resourceVersion is provided"}));
  EXPECT_EQ(get("resourceVersion=0&resourceVersionMatch=Exact"),
            (Status{"400", "BadRequest",
                    "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is "
                    "forbidden for resourceVersion \"0\""}));
  EXPECT_EQ(get("resourceVersion=5&resourceVersionMatch=Newest"),
            (Status{"400", "BadRequest",
                    "resourceVersionMatch: Unsupported value: \"Newest\": supported values: "
                    "\"Exact\", \"NotOlderThan\", \"\""}));
  EXPECT_EQ(get("resourceVersion=x1"),
            (Status{"400", "BadRequest", "invalid resource version \"x1\""}));
  ExpectHealthy();
}

// Finding 6. These two YAML cases pass once util/yaml_json.cc rejects alias cycles and caps
// alias expansion (the integrator's part of issue 16); before, the first was a SIGSEGV and the
// second exhausted memory.
TEST_F(SimHardeningTest, YamlAliasCycleIsABadRequest) {
  auto r = client_->Post(kConfigMaps, "&a [*a]", "application/yaml");
  Status s = StatusOf(r);
  ASSERT_EQ(s.size(), 3u) << s[0];
  EXPECT_EQ(s[0], "400");
  EXPECT_EQ(s[1], "BadRequest");
  EXPECT_TRUE(absl::StartsWith(s[2], "the body is neither JSON nor YAML: the body:1:")) << s[2];
  ExpectHealthy();
}

TEST_F(SimHardeningTest, YamlAliasBombIsABadRequest) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    std::string p = absl::StrCat("*", std::string(1, prev));
    absl::StrAppend(&bomb, std::string(1, c), ": &", std::string(1, c), " [", p, ", ", p, ", ", p,
                    ", ", p, ", ", p, ", ", p, ", ", p, ", ", p, ", ", p, "]\n");
  }
  auto r = client_->Post(kConfigMaps, bomb, "application/yaml");
  Status s = StatusOf(r);
  ASSERT_EQ(s.size(), 3u) << s[0];
  EXPECT_EQ(s[0], "400");
  EXPECT_EQ(s[1], "BadRequest");
  EXPECT_TRUE(absl::StartsWith(s[2], "the body is neither JSON nor YAML: the body:")) << s[2];
  ExpectHealthy();
}

TEST_F(SimHardeningTest, JsonNestedOneHundredThousandLevelsIsABadRequestEverywhere) {
  CreateConfigMap("target", "v");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const Status want = {"400", "BadRequest", "the body: nesting depth exceeds 512"};
  std::string one = absl::StrCat(kConfigMaps, "/target");
  EXPECT_EQ(StatusOf(client_->Post(kConfigMaps, deep, "application/json")), want);
  EXPECT_EQ(StatusOf(client_->Put(one, deep, "application/json")), want);
  EXPECT_EQ(StatusOf(client_->Patch(one, deep, "application/strategic-merge-patch+json")), want);
  EXPECT_EQ(StatusOf(client_->Patch(one, deep, "application/merge-patch+json")), want);
  EXPECT_EQ(StatusOf(client_->Patch(one, deep, "application/json-patch+json")), want);
  EXPECT_EQ(StatusOf(client_->Patch(one + "?fieldManager=m", deep, "application/apply-patch+yaml")),
            want);
  // Inside an object too.
  std::string in_object = absl::StrCat("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",",
                                       "\"metadata\":{\"name\":\"deep\"},\"data\":", deep, "}");
  EXPECT_EQ(StatusOf(client_->Post(kConfigMaps, in_object, "application/json")), want);
  ExpectHealthy();
}

TEST_F(SimHardeningTest, JsonPatchThatDoublesAnArrayStopsAtTheSizeLimit) {
  CreateConfigMap("grow", "v");
  nlohmann::json ops = nlohmann::json::array();
  ops.push_back({{"op", "add"}, {"path", "/x"}, {"value", {std::string(1000, 'a')}}});
  for (int i = 0; i < 30; ++i) ops.push_back({{"op", "copy"}, {"from", "/x"}, {"path", "/x/-"}});
  auto r =
      client_->Patch(absl::StrCat(kConfigMaps, "/grow"), ops.dump(), "application/json-patch+json");
  // The eleventh copy would bring the copies to 2057224 bytes.
  EXPECT_EQ(StatusOf(r), (Status{"422", "Invalid",
                                 "Unable to complete the copy, the accumulated size increase of "
                                 "copy is 2057224, exceeding the limit 1572864"}));
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 10001; ++i)
    many.push_back({{"op", "test"}, {"path", "/kind"}, {"value", "ConfigMap"}});
  r = client_->Patch(absl::StrCat(kConfigMaps, "/grow"), many.dump(),
                     "application/json-patch+json");
  EXPECT_EQ(StatusOf(r), (Status{"413", "RequestEntityTooLarge",
                                 "The allowed maximum operations in a JSON patch is 10000, got "
                                 "10001"}));
  ExpectHealthy();
}

TEST_F(SimHardeningTest, InvalidUtf8IsRejectedBeforeAnythingIsStored) {
  CreateConfigMap("good", "v");
  std::string yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  k: \"a\xff"
      "b\"\n";
  auto r = client_->Post(kConfigMaps, yaml, "application/yaml");
  EXPECT_EQ(StatusOf(r), (Status{"400", "BadRequest",
                                 "the body is not valid UTF-8: invalid byte at line 6, column 8"}));
  r = client_->Get(absl::StrCat(kConfigMaps, "/bad"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  ExpectHealthy();
  // A watch of configmaps streams and ends normally.
  r = client_->Get(absl::StrCat(kConfigMaps, "?watch=true&timeoutSeconds=1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(absl::StartsWith(r->body, "{\"object\":")) << r->body.substr(0, 200);
}

TEST_F(SimHardeningTest, BodiesAndObjectsHaveTheRealServersSizeLimits) {
  // A body over 3 MiB: 413 from the request limit, nothing read into memory.
  std::string big(size_t{3} << 20, ' ');
  big[0] = '{';
  big.back() = '}';
  big.push_back(' ');
  auto r = client_->Post(kConfigMaps, big, "application/json");
  EXPECT_EQ(StatusOf(r),
            (Status{"413", "RequestEntityTooLarge", "Request entity too large: limit is 3145728"}));
  // An object over etcd's 1.5 MiB: 413 from storage, on create and on update.
  nlohmann::json cm = {{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", {{"name", "huge"}}},
                       {"data", {{"k", std::string(1600000, 'x')}}}};
  r = client_->Post(kConfigMaps, cm.dump(), "application/json");
  EXPECT_EQ(StatusOf(r),
            (Status{"413", "RequestEntityTooLarge", "etcdserver: request is too large"}));
  CreateConfigMap("small", "v");
  nlohmann::json patch = {{"data", {{"k", std::string(1600000, 'x')}}}};
  r = client_->Patch(absl::StrCat(kConfigMaps, "/small"), patch.dump(),
                     "application/merge-patch+json");
  EXPECT_EQ(StatusOf(r),
            (Status{"413", "RequestEntityTooLarge", "etcdserver: request is too large"}));
  r = client_->Get(absl::StrCat(kConfigMaps, "/small"));
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["data"]["k"], "v");
  ExpectHealthy();
}

// Finding 7.
TEST_F(SimHardeningTest, AdvanceWithoutABodyAnswersAtOnce) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Send("POST /sim/v1/advance?by=5m HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  std::string response = c.ReadUntil("}");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_TRUE(absl::EndsWith(response, "{\"now\":\"2026-11-24T10:05:00Z\"}")) << response;
  EXPECT_LT(took, std::chrono::seconds(1));
}

TEST_F(SimHardeningTest, WatchesAndSlowClientsDoNotStarveShortRequests) {
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 200; ++i) {
    held.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(held.back()->connected());
    ASSERT_TRUE(held.back()->Send(
        "GET /api/v1/namespaces/sock-shop/pods?watch=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  }
  for (int i = 0; i < 50; ++i) {  // Slowloris: headers begun, never finished.
    held.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(held.back()->connected());
    ASSERT_TRUE(held.back()->Send("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\n"));
  }
  for (int i = 0; i < 8; ++i) {  // Bodies announced, never sent.
    held.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(held.back()->connected());
    ASSERT_TRUE(held.back()->Send(
        "POST /api/v1/namespaces/sock-shop/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"));
  }
  std::vector<double> ms;
  for (int i = 0; i < 10; ++i) {
    for (const char* path : {"/version", "/api/v1/namespaces/sock-shop/pods"}) {
      auto start = std::chrono::steady_clock::now();
      auto r = client_->Get(path);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      ASSERT_TRUE(r) << path;
      EXPECT_EQ(r->status, 200) << path;
    }
  }
  std::sort(ms.begin(), ms.end());
  EXPECT_LT(ms[ms.size() / 2], 100.0) << "median of " << ms.size();
  // A connection the listen backlog (5, fixed in cpp-httplib 0.11) drops is retried after 1 s.
  // Under the sanitizers the accept loop is too slow for a bound in wall time to mean anything
  // but the machine's speed; the median still holds there.
#ifndef SRE_EVAL_SANITIZED
  EXPECT_LT(ms.back(), 2000.0) << "slowest of " << ms.size();
#endif
  held.clear();
}

// A client that trickles its headers is cut off at the header deadline (32 s by default, the
// kube-apiserver's ReadHeaderTimeout; 1 s here), while a watch open as long is served on.
TEST_F(SimHardeningTest, HeadersSentTooSlowlyAreCutOffAtTheDeadline) {
  server_->Stop();
  server_ = std::make_unique<ApiServer>(sim_.get());
  server_->set_header_timeout(std::chrono::seconds(1));
  auto port = server_->Start(0);
  ASSERT_TRUE(port.ok()) << port.status();
  port_ = *port;
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);

  RawConnection watch(port_);
  ASSERT_TRUE(watch.connected());
  ASSERT_TRUE(watch.Send(
      "GET /api/v1/namespaces/sock-shop/pods?watch=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  RawConnection slow(port_);
  ASSERT_TRUE(slow.connected());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.Send("GET /version HTTP/1.1\r\n"));
  bool cut = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(6)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (slow.PeerClosed()) {
      cut = true;
      break;
    }
    slow.Send("X-A: b\r\n");  // Each byte well within the per-read timeout.
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(cut);
  EXPECT_GE(took, std::chrono::seconds(1));
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_EQ(server_->header_timeouts(), 1u);
  EXPECT_FALSE(watch.PeerClosed());
  ExpectHealthy();
  EXPECT_FALSE(watch.PeerClosed());
  EXPECT_EQ(server_->header_timeouts(), 1u);
}

// Finding 12.
TEST_F(SimHardeningTest, HistoryIsBoundedAndOldVersionsAreGone) {
  std::string first = CreateConfigMap("big", "v");
  ASSERT_FALSE(first.empty());
  // 70 versions of 1 MiB: more than the 64 MiB of history kept.
  for (int i = 0; i < 70; ++i) {
    nlohmann::json patch = {
        {"data", {{"k", std::string(1 << 20, static_cast<char>('a' + i % 26))}}}};
    auto r = client_->Patch(absl::StrCat(kConfigMaps, "/big"), patch.dump(),
                            "application/merge-patch+json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  }
  auto r = client_->Get(
      absl::StrCat(kConfigMaps, "?watch=true&timeoutSeconds=1&resourceVersion=", first));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  nlohmann::json event = nlohmann::json::parse(r->body.substr(0, r->body.find('\n')));
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
  EXPECT_TRUE(absl::StartsWith(event["object"]["message"].get<std::string>(),
                               absl::StrCat("too old resource version: ", first, " (")))
      << event.dump();
}

TEST(SimObjectStoreHistoryTest, KeepsTheNewestChangesWithinCountAndBytes) {
  ObjectStore store(1, absl::FromUnixSeconds(0));
  store.set_history_limits({/*max_changes=*/3, /*max_bytes=*/size_t{1} << 20});
  nlohmann::json cm = {{"metadata", {{"name", "a"}, {"namespace", "n"}}}, {"data", {{"k", "v"}}}};
  ASSERT_TRUE(store.Create("configmaps", cm).ok());  // rv 1001.
  for (int i = 0; i < 3; ++i) {
    cm["data"]["k"] = std::to_string(i);
    ASSERT_TRUE(store.Update("configmaps", cm).ok());  // rv 1002, 1003, 1004.
  }
  // Kept: 1002..1004. From 1001 on is still complete; from 1000 is not.
  EXPECT_EQ(store.ChangesSince("configmaps", 1001, absl::ZeroDuration())->size(), 3u);
  EXPECT_EQ(store.ChangesSince("configmaps", 1000, absl::ZeroDuration()).status(),
            absl::OutOfRangeError("too old resource version: 1000 (1001)"));
  // Bytes: two changes of 600 KB do not both fit in 1 MiB.
  cm["data"]["k"] = std::string(600000, 'x');
  ASSERT_TRUE(store.Update("configmaps", cm).ok());  // rv 1005.
  cm["data"]["k"] = std::string(600000, 'y');
  ASSERT_TRUE(store.Update("configmaps", cm).ok());  // rv 1006.
  EXPECT_EQ(store.ChangesSince("configmaps", 1005, absl::ZeroDuration())->size(), 1u);
  EXPECT_EQ(store.ChangesSince("configmaps", 1004, absl::ZeroDuration()).status(),
            absl::OutOfRangeError("too old resource version: 1004 (1005)"));
}

TEST(SimObjectStoreHistoryTest, RefusesObjectsThatCouldPoisonTheStore) {
  ObjectStore store(1, absl::FromUnixSeconds(0));
  nlohmann::json bad = {{"metadata", {{"name", "a"}, {"namespace", "n"}}},
                        {"data",
                         {{"k",
                           "a\xff"
                           "b"}}}};
  EXPECT_EQ(store.Create("configmaps", bad).status(),
            absl::InvalidArgumentError("configmaps \"a\" is invalid: invalid UTF-8 in a string"));
  nlohmann::json big = {{"metadata", {{"name", "b"}, {"namespace", "n"}}},
                        {"data", {{"k", std::string(kMaxObjectBytes, 'x')}}}};
  EXPECT_EQ(store.Create("configmaps", big).status(),
            absl::ResourceExhaustedError("etcdserver: request is too large"));
  EXPECT_TRUE(store.List("configmaps", "").empty());
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
