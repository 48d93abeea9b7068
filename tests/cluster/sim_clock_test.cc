#include "cluster/sim_clock.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "served_sim.h"
#include "test_util.h"
#include "util/http_client.h"

namespace sre_eval {
namespace cluster {
namespace {

TEST(SimClockTest, ReadsAndAdvancesTheServedSim) {
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(11);
  ASSERT_TRUE(served.ok()) << served.status();
  // Curl behind a seam, so that its kept-alive connection can be closed before the server
  // stops (which otherwise waits for it to time out).
  auto curl = std::make_unique<CurlHttpClient>();
  FakeHttpClient http([&](const HttpRequest& r) { return curl->Send(r); });
  SimClock clock((*served)->base_url(), &http);

  absl::Time t0 = clock.Now();
  // The sim opens at its default start.
  EXPECT_EQ(t0, At("2026-11-24T10:00:00Z"));
  EXPECT_EQ((*served)->sim()->Now(), t0);

  clock.SleepFor(absl::Seconds(90));
  EXPECT_EQ((*served)->sim()->Now(), t0 + absl::Seconds(90));
  EXPECT_EQ(clock.Now(), t0 + absl::Seconds(90));

  // The sim steps whole seconds: 1.5 s becomes 2 s.
  clock.SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(clock.Now(), t0 + absl::Seconds(92));

  clock.SleepFor(absl::ZeroDuration());
  clock.SleepFor(absl::Seconds(-5));
  EXPECT_EQ(clock.Now(), t0 + absl::Seconds(92));
  EXPECT_TRUE(clock.status().ok()) << clock.status();

  // Once the server is gone, Now() keeps the last time read and the error is kept.
  curl = std::make_unique<CurlHttpClient>();
  (*served)->StopServer();
  EXPECT_EQ(clock.Now(), t0 + absl::Seconds(92));
  absl::Status status = clock.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  std::string prefix = absl::StrCat("sim clock: GET ", (*served)->base_url(), "/sim/v1/clock: ");
  EXPECT_TRUE(absl::StartsWith(status.message(), prefix)) << status;
  clock.SleepFor(absl::Seconds(10));
  EXPECT_EQ(clock.status(), status);  // the first error stays
  EXPECT_EQ((*served)->sim()->Now(), t0 + absl::Seconds(92));
}

TEST(SimClockTest, RequestsAndErrors) {
  int status = 200;
  std::string body = R"({"now": "2026-11-24T10:00:05Z", "seed": 3})";
  FakeHttpClient http([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = status;
    r.body = body;
    return r;
  });
  SimClock clock("http://sim:1", &http);
  EXPECT_EQ(clock.Now(), At("2026-11-24T10:00:05Z"));
  body = R"({"now": "2026-11-24T10:10:05Z"})";
  clock.SleepFor(absl::Minutes(10));
  clock.SleepFor(absl::Nanoseconds(1));
  std::vector<HttpRequest> requests = http.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].url, "http://sim:1/sim/v1/clock");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].url, "http://sim:1/sim/v1/advance?by=600s");
  EXPECT_EQ(requests[2].url, "http://sim:1/sim/v1/advance?by=1s");
  EXPECT_TRUE(clock.status().ok());

  status = 400;
  body = R"({"kind": "Status", "message": "by: bad"})";
  clock.SleepFor(absl::Hours(200));
  EXPECT_EQ(clock.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(clock.status().message(),
            "sim clock: POST http://sim:1/sim/v1/advance?by=720000s: HTTP 400: "
            "{\"kind\": \"Status\", \"message\": \"by: bad\"}");
  // A later error does not replace the first; Now() keeps the last good time.
  EXPECT_EQ(clock.Now(), At("2026-11-24T10:10:05Z"));
  EXPECT_EQ(clock.status().message(),
            "sim clock: POST http://sim:1/sim/v1/advance?by=720000s: HTTP 400: "
            "{\"kind\": \"Status\", \"message\": \"by: bad\"}");
}

TEST(SimClockTest, MalformedAnswers) {
  struct Case {
    const char* body;
    const char* error;
  } cases[] = {
      {"not json", "sim clock: GET http://sim:1/sim/v1/clock: expected a JSON object with \"now\""},
      {R"({"now": 5})",
       "sim clock: GET http://sim:1/sim/v1/clock: expected a JSON object with \"now\""},
      {R"({"now": "soon"})",
       "sim clock: GET http://sim:1/sim/v1/clock: now: \"soon\" is not an RFC 3339 time"},
  };
  for (const Case& c : cases) {
    FakeHttpClient http([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
      HttpResponse r;
      r.status = 200;
      r.body = c.body;
      return r;
    });
    SimClock clock("http://sim:1", &http);
    EXPECT_EQ(clock.Now(), absl::InfinitePast());
    EXPECT_EQ(clock.status().code(), absl::StatusCode::kInternal);
    EXPECT_EQ(clock.status().message(), c.error);
  }
}

}  // namespace
}  // namespace cluster
}  // namespace sre_eval
