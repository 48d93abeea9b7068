#include "util/http_client.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr char kSecret[] = "sk-secret-123";

// Runs an httplib server (plain or TLS) on 127.0.0.1 on a thread of its own.
class TestServer {
 public:
  explicit TestServer(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {}
  ~TestServer() { Stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  httplib::Server& server() { return *server_; }

  // Binds an ephemeral port, starts serving and waits until the server accepts connections.
  // Returns the port, or -1.
  int Start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return -1;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!server_->is_running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
    return server_->is_running() ? port_ : -1;
  }

  void Stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
};

// Serves one connection on 127.0.0.1 by hand: records the request head, answers 200 "ok".
class RawHttpServer {
 public:
  RawHttpServer() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listener_, 1) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawHttpServer() {
    if (thread_.joinable()) {
      shutdown(listener_, SHUT_RDWR);  // Wakes a pending accept().
      thread_.join();
    }
    if (listener_ >= 0) close(listener_);
  }
  RawHttpServer(const RawHttpServer&) = delete;
  RawHttpServer& operator=(const RawHttpServer&) = delete;

  int port() const { return port_; }

  // Waits for the exchange to end; returns the request head.
  std::string Join() {
    if (thread_.joinable()) thread_.join();
    return head_;
  }

 private:
  void Serve() {
    int conn = accept(listener_, nullptr, nullptr);
    if (conn < 0) return;
    char buf[4096];
    while (head_.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(conn, buf, sizeof(buf));
      if (n <= 0) break;
      head_.append(buf, static_cast<size_t>(n));
    }
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    (void)!write(conn, reply.data(), reply.size());
    close(conn);
  }

  int listener_ = -1;
  int port_ = -1;
  std::thread thread_;
  std::string head_;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    httplib::Server& s = server_.server();
    // Without it, a response on a kept-alive connection waits ~40 ms for a delayed ACK.
    s.set_tcp_nodelay(true);
    s.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Test-Header", "abc");
      res.set_content("hello world", "text/plain");
    });
    s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(
          absl::StrCat("method=", req.method, "\nbody=", req.body,
                       "\ncontent-type=", req.get_header_value("Content-Type"),
                       "\ncontent-type-count=", req.get_header_value_count("Content-Type"),
                       "\nx-custom=", req.get_header_value("X-Custom"),
                       "\nauthorization=", req.get_header_value("Authorization"),
                       "\nhas-expect=", req.has_header("Expect") ? "yes" : "no"),
          "text/plain");
    });
    s.Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.matches[1].str());
      res.set_content(absl::StrCat("status ", res.status), "text/plain");
    });
    s.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      // Sleeps 2 s, cut short when the test ends so TearDown does not wait for it.
      release_slow_.WaitForNotificationWithTimeout(absl::Seconds(2));
      res.set_content("late", "text/plain");
    });
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(2 << 20, 'x'), "application/octet-stream");
    });
    s.Get(R"(/n/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(absl::StrCat("n=", req.matches[1].str()), "text/plain");
    });
    s.Get("/headers", [this](const httplib::Request& req, httplib::Response& res) {
      ++headers_requests_;
      // The request headers the client chose, without the ones curl and httplib add.
      std::string out;
      for (const auto& [name, value] : req.headers) {
        if (absl::StartsWith(name, "X-")) absl::StrAppend(&out, name, "=[", value, "]\n");
      }
      res.set_content(out, "text/plain");
    });
    port_ = server_.Start();
    ASSERT_GT(port_, 0);
    base_ = absl::StrCat("http://127.0.0.1:", port_);
  }

  void TearDown() override {
    if (!release_slow_.HasBeenNotified()) release_slow_.Notify();
    // Close the client's keep-alive connections first, or the server waits out their idle
    // timeout (5 s) before it stops.
    client_owner_.reset();
    server_.Stop();
  }

  HttpRequest Get(const std::string& path) {
    HttpRequest request;
    request.url = base_ + path;
    return request;
  }

  // A port on 127.0.0.1 that nothing listens on: bind a server, note its port, stop it.
  static int RefusedPort() {
    TestServer server(std::make_unique<httplib::Server>());
    int port = server.Start();
    server.Stop();
    return port;
  }

  absl::Notification release_slow_;
  std::atomic<int> headers_requests_{0};
  TestServer server_{std::make_unique<httplib::Server>()};
  int port_ = -1;
  std::string base_;
  std::unique_ptr<CurlHttpClient> client_owner_ = std::make_unique<CurlHttpClient>();
  CurlHttpClient& client_ = *client_owner_;
};

// CloseIdle closes the connection kept alive for the next request: the next one comes from
// another port (a server that stops waits for its open connections otherwise).
TEST_F(HttpClientTest, CloseIdleClosesTheKeptAliveConnection) {
  absl::StatusOr<HttpResponse> a = client_.Send(Get("/port"));
  absl::StatusOr<HttpResponse> b = client_.Send(Get("/port"));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->body, b->body);  // kept alive
  client_.CloseIdle();
  absl::StatusOr<HttpResponse> c = client_.Send(Get("/port"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NE(c->body, a->body);
  client_.CloseIdle();
  client_.CloseIdle();  // nothing idle: nothing to do
}

TEST_F(HttpClientTest, GetReturnsStatusBodyAndHeaders) {
  absl::StatusOr<HttpResponse> response = client_.Send(Get("/hello"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
  EXPECT_EQ(response->Header("x-test-header"), "abc");
  EXPECT_EQ(response->Header("X-Test-Header"), "abc");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_EQ(response->Header("X-Missing"), "");
  // Names are stored lower-cased, values verbatim.
  EXPECT_THAT(response->headers, testing::Contains(Pair("x-test-header", "abc")));
  for (const auto& [name, value] : response->headers) {
    EXPECT_EQ(name, absl::AsciiStrToLower(name));
  }
  EXPECT_GT(response->elapsed, absl::ZeroDuration());
}

TEST_F(HttpClientTest, PostSendsBodyAndHeadersWithJsonContentTypeByDefault) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/echo";
  request.headers = {{"X-Custom", "value 1"}, {"Authorization", "Bearer token"}};
  request.body = R"({"a":1})";
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body,
            "method=POST\n"
            "body={\"a\":1}\n"
            "content-type=application/json\n"
            "content-type-count=1\n"
            "x-custom=value 1\n"
            "authorization=Bearer token\n"
            "has-expect=no");
}

TEST_F(HttpClientTest, PostKeepsAnExplicitContentType) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/echo";
  request.headers = {{"content-type", "text/plain; charset=utf-8"}};
  request.body = "plain text";
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body,
            "method=POST\n"
            "body=plain text\n"
            "content-type=text/plain; charset=utf-8\n"
            "content-type-count=1\n"
            "x-custom=\n"
            "authorization=\n"
            "has-expect=no");
}

TEST_F(HttpClientTest, NonSuccessStatusesAreResponsesNotErrors) {
  for (int status : {404, 500}) {
    absl::StatusOr<HttpResponse> response = client_.Send(Get(absl::StrCat("/status/", status)));
    ASSERT_TRUE(response.ok()) << status << ": " << response.status();
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, absl::StrCat("status ", status));
  }
  absl::StatusOr<HttpResponse> missing = client_.Send(Get("/no/such/route"));
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpClientTest, SequentialRequestsReuseTheConnection) {
  absl::StatusOr<HttpResponse> first = client_.Send(Get("/port"));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<HttpResponse> second = client_.Send(Get("/port"));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(first->status, 200);
  ASSERT_EQ(second->status, 200);
  EXPECT_GT(std::stoi(first->body), 0);
  EXPECT_EQ(second->body, first->body);
  // A non-2xx answer in between does not cost the connection either.
  ASSERT_TRUE(client_.Send(Get("/status/404")).ok());
  absl::StatusOr<HttpResponse> third = client_.Send(Get("/port"));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->body, first->body);
}

TEST_F(HttpClientTest, TimeoutIsDeadlineExceeded) {
  HttpRequest request = Get("/slow");
  request.timeout = absl::Milliseconds(200);
  absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(response.status().message(),
            absl::StrCat("GET ", base_, "/slow: no complete response within 200ms"));
  EXPECT_GE(took, absl::Milliseconds(190));
  EXPECT_LT(took, absl::Milliseconds(1500));
}

TEST_F(HttpClientTest, ClientStillWorksAfterATimeout) {
  HttpRequest slow = Get("/slow");
  slow.timeout = absl::Milliseconds(100);
  EXPECT_EQ(client_.Send(slow).status().code(), absl::StatusCode::kDeadlineExceeded);
  absl::StatusOr<HttpResponse> response = client_.Send(Get("/hello"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
}

TEST_F(HttpClientTest, BodyOverTheCapIsResourceExhausted) {
  HttpRequest request = Get("/big");
  request.max_response_bytes = size_t{1} << 20;
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(response.status().message(),
            absl::StrCat("GET ", base_, "/big: response body exceeds the limit of 1048576 bytes"));

  // Exactly at the cap is fine.
  request.max_response_bytes = size_t{2} << 20;
  absl::StatusOr<HttpResponse> exact = client_.Send(request);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->status, 200);
  EXPECT_EQ(exact->body, std::string(2 << 20, 'x'));

  // The handle that hit the cap is usable again.
  absl::StatusOr<HttpResponse> hello = client_.Send(Get("/hello"));
  ASSERT_TRUE(hello.ok()) << hello.status();
  EXPECT_EQ(hello->body, "hello world");
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailable) {
  int port = RefusedPort();
  ASSERT_GT(port, 0);
  HttpRequest request;
  request.url = absl::StrCat("http://127.0.0.1:", port, "/x");
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(),
            absl::StrCat("GET http://127.0.0.1:", port, "/x: cannot connect to 127.0.0.1:", port,
                         ": Connection refused"));
}

TEST_F(HttpClientTest, CutBodyKeepsTheFirstBytes) {
  HttpRequest request = Get("/big");
  request.max_response_bytes = 1000;
  request.cut_body = true;
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->truncated);
  EXPECT_EQ(response->body, std::string(1000, 'x'));
  // A body within the cap is whole and not flagged.
  request.max_response_bytes = size_t{2} << 20;
  response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_FALSE(response->truncated);
  EXPECT_EQ(response->body.size(), size_t{2} << 20);
}

TEST_F(HttpClientTest, InvalidMethodIsInvalidArgument) {
  HttpRequest request = Get("/hello");
  request.method = "GE T";
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(response.status().message(), "invalid HTTP method 'GE T'");

  request.method = "";
  EXPECT_EQ(client_.Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.method = "GET\r\nX-Injected: 1";
  EXPECT_EQ(client_.Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.method = "GET /other";
  EXPECT_EQ(client_.Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.method = "GET/";
  EXPECT_EQ(client_.Send(request).status().message(), "invalid HTTP method 'GET/'");
}

TEST_F(HttpClientTest, MalformedUrlIsInvalidArgument) {
  for (const std::string url : {"", "http://[::1", "http://127.0.0.1:99999/",
                                "ftp://127.0.0.1/file", "http://exa mple.com/"}) {
    HttpRequest request;
    request.url = url;
    absl::StatusOr<HttpResponse> response = client_.Send(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << url << "': " << response.status();
    EXPECT_THAT(std::string(response.status().message()),
                StartsWith(absl::StrCat("GET ", url, ": ")));
  }
}

TEST_F(HttpClientTest, ErrorMessagesNeverContainSecrets) {
  const HttpHeaders secret_headers = {{"Authorization", absl::StrCat("Bearer ", kSecret)},
                                      {"X-Api-Key", kSecret}};
  const std::string secret_body = absl::StrCat(R"({"password":")", kSecret, R"("})");

  HttpRequest slow = Get("/slow");
  slow.headers = secret_headers;
  slow.body = secret_body;
  slow.timeout = absl::Milliseconds(200);
  absl::Status timed_out = client_.Send(slow).status();
  EXPECT_EQ(timed_out.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(timed_out.message()), Not(HasSubstr(kSecret)));
  EXPECT_THAT(timed_out.ToString(), Not(HasSubstr(kSecret)));

  int port = RefusedPort();
  ASSERT_GT(port, 0);
  HttpRequest refused = slow;
  refused.url = absl::StrCat("http://127.0.0.1:", port, "/");
  absl::Status unavailable = client_.Send(refused).status();
  EXPECT_EQ(unavailable.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(unavailable.message()), Not(HasSubstr(kSecret)));
  EXPECT_THAT(unavailable.ToString(), Not(HasSubstr(kSecret)));

  HttpRequest big = Get("/big");
  big.headers = secret_headers;
  big.max_response_bytes = 1024;
  absl::Status exhausted = client_.Send(big).status();
  EXPECT_EQ(exhausted.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(exhausted.message()), Not(HasSubstr(kSecret)));
}

TEST_F(HttpClientTest, HeadReturnsHeadersWithoutBody) {
  HttpRequest head = Get("/hello");
  head.method = "HEAD";
  absl::StatusOr<HttpResponse> response = client_.Send(head);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(response->Header("X-Test-Header"), "abc");
  // The pooled handle forgets HEAD: the next GET has a body again.
  absl::StatusOr<HttpResponse> get = client_.Send(Get("/hello"));
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->body, "hello world");
}

TEST_F(HttpClientTest, PostWithoutBodyHasNoContentType) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/echo";
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body,
            "method=POST\n"
            "body=\n"
            "content-type=\n"
            "content-type-count=0\n"
            "x-custom=\n"
            "authorization=\n"
            "has-expect=no");
}

TEST_F(HttpClientTest, HeaderWithEmptyValueIsSent) {
  // httplib drops empty headers when it parses a request, so read the raw request instead.
  RawHttpServer raw;
  ASSERT_GT(raw.port(), 0);
  HttpRequest request;
  request.url = absl::StrCat("http://127.0.0.1:", raw.port(), "/raw");
  request.headers = {{"X-Empty", ""}, {"X-Blank", "  "}, {"X-Padded", "  value  "}};
  absl::StatusOr<HttpResponse> response = client_.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  std::string head = raw.Join();
  EXPECT_THAT(head, StartsWith("GET /raw HTTP/1.1\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nX-Empty:\r\nX-Blank:\r\nX-Padded:   value  \r\n"));
  EXPECT_THAT(head, Not(HasSubstr("Expect:")));
  EXPECT_THAT(head, Not(HasSubstr("Content-Type:")));
}

TEST_F(HttpClientTest, HeaderInjectionIsInvalidArgument) {
  HttpRequest request = Get("/headers");
  request.headers = {{"X-Ok", "1"}, {"X-Evil", absl::StrCat(kSecret, "\r\nX-Injected: 1")}};
  absl::Status status = client_.Send(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("GET ", base_,
                                           "/headers: the value of header 'X-Evil' contains a line "
                                           "break or NUL"));

  request.headers = {{"X-Evil", std::string("a\0b", 3)}};
  EXPECT_EQ(client_.Send(request).status().code(), absl::StatusCode::kInvalidArgument);

  for (const std::string name : {"", "Bad Name", "X-A:B", "X-A\r\nX-B"}) {
    request.headers = {{name, "v"}};
    absl::Status bad_name = client_.Send(request).status();
    EXPECT_EQ(bad_name.code(), absl::StatusCode::kInvalidArgument) << "'" << name << "'";
    EXPECT_EQ(bad_name.message(),
              absl::StrCat("GET ", base_, "/headers: invalid header name '", name, "'"));
  }
  // Nothing reached the server.
  EXPECT_EQ(headers_requests_.load(), 0);
}

TEST_F(HttpClientTest, SubMillisecondTimeoutStillTimesOut) {
  HttpRequest request = Get("/slow");
  request.timeout = absl::Microseconds(500);
  absl::Time start = absl::Now();
  absl::Status status = client_.Send(request).status();
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(),
            absl::StrCat("GET ", base_, "/slow: no complete response within 500us"));
  EXPECT_LT(took, absl::Milliseconds(1000));
}

TEST_F(HttpClientTest, ConnectTimeoutIsDeadlineExceeded) {
  // A listener with a full accept queue: Linux drops further SYNs, so connect() hangs.
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));  // EINPROGRESS expected.
    fillers.push_back(fd);
  }
  absl::SleepFor(absl::Milliseconds(50));

  HttpRequest request;
  request.url = absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/");
  request.headers = {{"Authorization", absl::StrCat("Bearer ", kSecret)}};
  request.connect_timeout = absl::Milliseconds(200);
  request.timeout = absl::Seconds(5);
  absl::Time start = absl::Now();
  absl::Status status = client_.Send(request).status();
  absl::Duration took = absl::Now() - start;
  for (int fd : fillers) close(fd);
  close(listener);

  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_EQ(status.message(), absl::StrCat("GET ", request.url, ": no connection within 200ms"));
  EXPECT_LT(took, absl::Seconds(2));
}

TEST_F(HttpClientTest, CredentialsInTheUrlAreRedacted) {
  int port = RefusedPort();
  ASSERT_GT(port, 0);
  HttpRequest request;
  request.url = absl::StrCat("http://user:", kSecret, "@127.0.0.1:", port, "/path?q=1");
  absl::Status status = client_.Send(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()),
              StartsWith(absl::StrCat("GET http://***@127.0.0.1:", port, "/path?q=1: ")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr(kSecret)));
  // An '@' after the authority is not a credential.
  request.url = absl::StrCat("http://127.0.0.1:", port, "/a@b");
  EXPECT_THAT(std::string(client_.Send(request).status().message()),
              StartsWith(absl::StrCat("GET http://127.0.0.1:", port, "/a@b: ")));
}

TEST_F(HttpClientTest, ConcurrentRequestsThroughOneClient) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 20;
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kRequests; ++i) {
        int n = t * 1000 + i;
        absl::StatusOr<HttpResponse> response = client_.Send(Get(absl::StrCat("/n/", n)));
        if (!response.ok()) {
          failures[t].push_back(response.status().ToString());
        } else if (response->status != 200 || response->body != absl::StrCat("n=", n)) {
          failures[t].push_back(absl::StrCat(n, ": ", response->status, " ", response->body));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(failures[t], ElementsAre()) << "thread " << t;
  }
}

// TLS: peer and host verification are on.
class HttpClientTlsTest : public ::testing::Test {
 protected:
  // Writes a self-signed certificate (and its key) for `san` into the temp dir.
  bool MakeCert(const std::string& name, const std::string& san) {
    std::string key = absl::StrCat(dir_.path(), "/", name, ".key");
    std::string cert = absl::StrCat(dir_.path(), "/", name, ".pem");
    std::string command = absl::StrCat(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sre-eval-test -addext "
        "subjectAltName=",
        san, " -keyout '", key, "' -out '", cert, "' >/dev/null 2>&1");
    return std::system(command.c_str()) == 0 && std::filesystem::exists(cert) &&
           std::filesystem::exists(key);
  }
  std::string CertPath(const std::string& name) const {
    return absl::StrCat(dir_.path(), "/", name, ".pem");
  }
  std::string KeyPath(const std::string& name) const {
    return absl::StrCat(dir_.path(), "/", name, ".key");
  }

  void StartServer(const std::string& name) {
    server_ = std::make_unique<TestServer>(
        std::make_unique<httplib::SSLServer>(CertPath(name).c_str(), KeyPath(name).c_str()));
    ASSERT_TRUE(server_->server().is_valid());
    server_->server().Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("secure", "text/plain");
    });
    int port = server_->Start();
    ASSERT_GT(port, 0);
    url_ = absl::StrCat("https://127.0.0.1:", port, "/");
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string url_;
};

TEST_F(HttpClientTlsTest, SelfSignedCertificateIsRejectedUnlessTrusted) {
  ASSERT_TRUE(MakeCert("ip", "IP:127.0.0.1"));
  StartServer("ip");
  HttpRequest request;
  request.url = url_;
  {
    CurlHttpClient client;
    absl::StatusOr<HttpResponse> response = client.Send(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
    EXPECT_THAT(std::string(response.status().message()), StartsWith("GET " + url_ + ": "));
  }
  {
    CurlHttpClient client;
    client.set_ca_file(CertPath("ip"));
    absl::StatusOr<HttpResponse> response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "secure");
  }
}

TEST_F(HttpClientTlsTest, TrustedCertificateForAnotherHostIsRejected) {
  ASSERT_TRUE(MakeCert("dns", "DNS:sre-eval.invalid"));
  StartServer("dns");
  CurlHttpClient client;
  client.set_ca_file(CertPath("dns"));
  HttpRequest request;
  request.url = url_;
  absl::StatusOr<HttpResponse> response = client.Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
  EXPECT_THAT(std::string(response.status().message()), StartsWith("GET " + url_ + ": "));
}

TEST(HttpClientFakeTest, RecordsRequestsAndReturnsTheHandlersResult) {
  FakeHttpClient fake([](const HttpRequest& request) -> absl::StatusOr<HttpResponse> {
    if (request.url == "http://fail/") return absl::UnavailableError("scripted failure");
    HttpResponse response;
    response.status = 201;
    response.headers = {{"x-from", "fake"}};
    response.body = absl::StrCat(request.method, " ", request.url, " ", request.body);
    return response;
  });

  HttpRequest first;
  first.method = "POST";
  first.url = "http://example.test/a";
  first.headers = {{"X-Custom", "1"}};
  first.body = "payload";
  absl::StatusOr<HttpResponse> response = fake.Send(first);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "POST http://example.test/a payload");
  EXPECT_EQ(response->Header("X-From"), "fake");

  HttpRequest second;
  second.url = "http://fail/";
  absl::Status failed = fake.Send(second).status();
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.message(), "scripted failure");

  std::vector<HttpRequest> requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, "http://example.test/a");
  EXPECT_THAT(requests[0].headers, ElementsAre(Pair("X-Custom", "1")));
  EXPECT_EQ(requests[0].body, "payload");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].url, "http://fail/");
  EXPECT_EQ(requests[1].body, "");
}

}  // namespace
}  // namespace sre_eval
