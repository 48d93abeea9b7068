#include "cluster/sim_clock.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cluster/types.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace cluster {
namespace {

// The sim steps every second of an advance; a long one takes a while on a loaded machine.
constexpr absl::Duration kClockTimeout = absl::Seconds(30);
constexpr absl::Duration kAdvanceTimeout = absl::Minutes(10);

// Sends `method url` and returns the "now" of the JSON answer.
absl::StatusOr<absl::Time> ReadNow(HttpClient* http, const std::string& method,
                                   const std::string& url, const std::string& token,
                                   absl::Duration timeout) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.timeout = timeout;
  if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
  absl::StatusOr<HttpResponse> sent = http->Send(request);
  if (!sent.ok()) {
    return absl::Status(sent.status().code(), absl::StrCat("sim clock: ", sent.status().message()));
  }
  const HttpResponse& response = *sent;
  std::string what = absl::StrCat("sim clock: ", method, " ", url);
  if (response.status != 200) {
    return absl::UnavailableError(
        absl::StrCat(what, ": HTTP ", response.status, ": ", response.body.substr(0, 300)));
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("now") ||
      !body["now"].is_string()) {
    return absl::InternalError(absl::StrCat(what, ": expected a JSON object with \"now\""));
  }
  absl::StatusOr<absl::Time> now = ParseApiTime(body["now"].get<std::string>());
  if (!now.ok()) return absl::InternalError(absl::StrCat(what, ": now: ", now.status().message()));
  return now;
}

}  // namespace

SimClock::SimClock(std::string base_url, HttpClient* http, std::string token)
    : base_url_(std::move(base_url)), http_(http), token_(std::move(token)) {}

absl::Time SimClock::Now() {
  absl::StatusOr<absl::Time> now =
      ReadNow(http_, "GET", absl::StrCat(base_url_, "/sim/v1/clock"), token_, kClockTimeout);
  absl::MutexLock lock(&mu_);
  if (!now.ok()) {
    if (status_.ok()) status_ = now.status();
    return last_;
  }
  last_ = *now;
  return last_;
}

void SimClock::SleepFor(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return;
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1)));
  absl::StatusOr<absl::Time> now =
      ReadNow(http_, "POST", absl::StrCat(base_url_, "/sim/v1/advance?by=", seconds, "s"), token_,
              kAdvanceTimeout);
  absl::MutexLock lock(&mu_);
  if (!now.ok()) {
    if (status_.ok()) status_ = now.status();
    return;
  }
  last_ = *now;
}

absl::Status SimClock::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace cluster
}  // namespace sre_eval
