// CheckAgentReachable: a real connection to a real server on 127.0.0.1 (and to a port nothing
// listens on), and real files for command agents.
#include "agent/preflight.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent_test_server.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {
namespace {

AgentConfig Http(const std::string& url) {
  AgentConfig config;
  config.kind = "http";
  config.url = url;
  return config;
}

AgentConfig Command(const std::string& program) {
  AgentConfig config;
  config.kind = "command";
  config.argv = {program, "--json"};
  return config;
}

TEST(PreflightTest, AListeningServerIsReachedWithoutARequest) {
  AgentTestServer server;
  std::atomic<int> requests{0};
  server.server().Post("/ask", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.set_content("{}", "application/json");
  });
  ASSERT_GT(server.Start(), 0);
  CurlHttpClient http;
  EXPECT_EQ(CheckAgentReachable(Http(server.url("/ask")), &http), absl::OkStatus());
  AgentConfig openai;
  openai.kind = "openai";
  openai.base_url = server.url("/v1");
  EXPECT_EQ(CheckAgentReachable(openai, &http), absl::OkStatus());
  EXPECT_EQ(requests.load(), 0);
}

TEST(PreflightTest, NothingListeningIsUnavailableWithTheReason) {
  const int port = UnusedPort();
  ASSERT_GT(port, 0);
  CurlHttpClient http;
  absl::Status s = CheckAgentReachable(
      Http(absl::StrCat("http://127.0.0.1:", port, "/ask?key=tok-3f9a1c")), &http);
  EXPECT_EQ(s, absl::UnavailableError(
                   absl::StrCat("cannot connect to 127.0.0.1:", port, ": Connection refused")));
  AgentConfig openai;
  openai.kind = "openai";
  openai.base_url = absl::StrCat("http://127.0.0.1:", port, "/v1");
  openai.query = {{"api-version", "2024-06-01"}};
  EXPECT_EQ(CheckAgentReachable(openai, &http),
            absl::UnavailableError(
                absl::StrCat("cannot connect to 127.0.0.1:", port, ": Connection refused")));
}

TEST(PreflightTest, TheTimeoutIsStatedInSeconds) {
  FakeHttpClient http([](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    EXPECT_TRUE(r.connect_only);
    EXPECT_EQ(r.timeout, absl::Seconds(10));  // the policy's 120s, capped
    return absl::DeadlineExceededError("GET http://10.0.0.1/ask: no connection within 10s");
  });
  AgentConfig config = Http("http://10.0.0.1/ask");
  config.policy.timeout = absl::Seconds(120);
  EXPECT_EQ(CheckAgentReachable(config, &http),
            absl::DeadlineExceededError("no connection within 10s"));
  EXPECT_EQ(http.requests().size(), 1u);
}

TEST(PreflightTest, ACommandMustBeAnExecutableFile) {
  TempDir dir;
  const std::string script = dir.WriteFile("agent.sh", "#!/bin/sh\necho hi\n");
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  const std::string plain = dir.WriteFile("plain.sh", "echo hi\n");
  ASSERT_EQ(chmod(plain.c_str(), 0644), 0);
  CurlHttpClient http;
  EXPECT_EQ(CheckAgentReachable(Command(script), &http), absl::OkStatus());
  EXPECT_EQ(CheckAgentReachable(Command("sh"), &http), absl::OkStatus());  // on PATH
  EXPECT_EQ(CheckAgentReachable(Command(plain), &http),
            absl::PermissionDeniedError(absl::StrCat("program '", plain, "' is not executable")));
  EXPECT_EQ(CheckAgentReachable(Command(dir.path()), &http),
            absl::PermissionDeniedError(
                absl::StrCat("program '", dir.path(), "' is not a regular file")));
  EXPECT_EQ(CheckAgentReachable(Command(dir.path() + "/nope"), &http),
            absl::NotFoundError(absl::StrCat("program '", dir.path(), "/nope' not found")));
  EXPECT_EQ(CheckAgentReachable(Command("sre-eval-no-such-agent-program"), &http),
            absl::NotFoundError("program 'sre-eval-no-such-agent-program' not found on PATH"));
}

TEST(PreflightTest, TheReferenceAgentNeedsNothing) {
  AgentConfig config;
  config.kind = "reference";
  FakeHttpClient http([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    ADD_FAILURE() << "no call expected";
    return HttpResponse();
  });
  EXPECT_EQ(CheckAgentReachable(config, &http), absl::OkStatus());
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
