// HTTP for agents and judges: a small client interface and its libcurl implementation.
#ifndef SRE_EVAL_UTIL_HTTP_CLIENT_H_
#define SRE_EVAL_UTIL_HTTP_CLIENT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sre_eval {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~),
// for a query parameter's value or a path segment.
std::string PercentEncode(absl::string_view text);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  // The whole exchange, connection included.
  absl::Duration timeout = absl::Seconds(60);
  absl::Duration connect_timeout = absl::Seconds(10);
  // A response body larger than this fails the request with ResourceExhausted, or with
  // `cut_body` set, is cut there (HttpResponse::truncated) and the rest left unread.
  size_t max_response_bytes = size_t{16} << 20;
  bool cut_body = false;
  // Only connect (TCP, and TLS for https) and close again: nothing is sent, and the response
  // has status 0. For checking that a server can be reached before relying on it.
  bool connect_only = false;
};

struct HttpResponse {
  int status = 0;
  // Names lower-cased, in the order received.
  HttpHeaders headers;
  std::string body;
  bool truncated = false;  // `body` was cut at max_response_bytes (only with cut_body)
  absl::Duration elapsed;

  // The first header named `name` (compared case-insensitively), or "".
  std::string Header(const std::string& name) const;
};

// Sends requests. Any HTTP status is a response, not an error. Errors:
// InvalidArgument (malformed URL or method, a header name that is not a token or a value
// holding CR, LF or NUL), DeadlineExceeded (connect or overall timeout), Unavailable
// (connection refused or reset, DNS, TLS handshake or certificate verification failure; a
// failed connect reads "cannot connect to 127.0.0.1:9: Connection refused"),
// ResourceExhausted (body over the cap). Messages name the method and URL, never a header
// value or the body, and show credentials in a URL as "***", so secrets cannot leak into logs.
// Thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// libcurl, with TLS peer and host verification on and a pool of easy handles reused across
// requests, so keep-alive connections are reused too.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  // Closes the connections kept alive for the next request (a later Send opens a new one): a
  // server that stops waits for its open connections' keep-alive timeout otherwise.
  void CloseIdle();

  // For tests: trust this CA bundle (a PEM file) instead of the system's.
  void set_ca_file(std::string path) { ca_file_ = std::move(path); }

 private:
  void* Acquire();
  void Release(void* handle);

  std::string ca_file_;
  absl::Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);
};

// A scripted client for unit tests of the code above it.
class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;
  explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;
  std::vector<HttpRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  Handler handler_;
  mutable absl::Mutex mu_;
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_HTTP_CLIENT_H_
