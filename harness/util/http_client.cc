#include "util/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace sre_eval {

std::string PercentEncode(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

namespace {

struct Transfer {
  HttpResponse* response;
  size_t max_bytes;
  bool cut;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response->body.size() + n > t->max_bytes) {
    t->too_large = true;
    if (t->cut) t->response->body.append(data, t->max_bytes - t->response->body.size());
    return 0;  // Makes curl abort with CURLE_WRITE_ERROR.
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  absl::string_view line(data, n);
  line = absl::StripTrailingAsciiWhitespace(line);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new status line (after a 100 Continue or a redirect): forget earlier headers.
    t->response->headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    t->response->headers.emplace_back(
        absl::AsciiStrToLower(line.substr(0, colon)),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// curl's CURLOPT_*TIMEOUT_MS value for `d`: rounded up to whole milliseconds, so a timeout
// under 1 ms does not become 0, which curl reads as "no timeout"; infinite is 0.
long TimeoutMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return 0;
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(ms, 1, INT_MAX));
}

// The URL for messages: any user:password in it (which curl sends as an Authorization
// header) is replaced by "***".
std::string RedactedUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string::npos) authority_end = url.size();
  size_t at = url.rfind('@', authority_end - 1);
  if (authority_end == authority || at == std::string::npos || at < authority) return url;
  return absl::StrCat(url.substr(0, authority), "***", url.substr(at));
}

// "host:port" of `url` (the scheme's port when it names none), or "" when it cannot be parsed.
std::string HostAndPort(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) return "";
  std::string out;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out = absl::StrCat(host, ":", port);
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(handle);
  return out;
}

// Whether `name` is a token (RFC 9110), as a method or header name must be: not empty, and
// no separators, spaces or control characters.
bool IsToken(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f ||
        absl::string_view("\"(),/:;<=>?@[]{}").find(c) != absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Frees a curl_slist on every path.
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

CurlHttpClient::CurlHttpClient() { GlobalInit(); }

CurlHttpClient::~CurlHttpClient() {
  absl::MutexLock lock(&mu_);
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void CurlHttpClient::CloseIdle() {
  std::vector<void*> idle;
  {
    absl::MutexLock lock(&mu_);
    idle.swap(idle_);
  }
  for (void* h : idle) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttpClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::Release(void* handle) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(handle);
}

absl::StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  std::string what = absl::StrCat(request.method, " ", RedactedUrl(request.url));
  if (!IsToken(request.method)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid HTTP method '", request.method, "'"));
  }
  // A line break in a header would let the caller (or whoever filled the header) inject
  // headers or a second request. Messages name the header, never its value.
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": invalid header name '", name, "'"));
    }
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the value of header '", name, "' contains a line break or NUL"));
    }
  }
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  // curl_easy_reset keeps the connection cache, DNS cache and TLS sessions of the handle.
  curl_easy_reset(curl);

  HttpResponse response;
  Transfer transfer{&response, request.max_response_bytes, request.cut_body};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  bool appended = true;
  auto append = [&headers, &appended](const std::string& line) {
    // curl_slist_append returns null, leaving the list as it was, when out of memory.
    curl_slist* head = curl_slist_append(headers.get(), line.c_str());
    if (head == nullptr) {
      appended = false;
      return;
    }
    (void)headers.release();
    headers.reset(head);
  };
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "content-type")) has_content_type = true;
    // curl drops "Name:" with only blanks after the colon; "Name;" sends an empty value.
    append(absl::StripAsciiWhitespace(value).empty() ? absl::StrCat(name, ";")
                                                     : absl::StrCat(name, ": ", value));
  }
  // Suppress curl's "Expect: 100-continue", which stalls some servers for a second.
  append("Expect:");
  if (!has_content_type) {
    // With no body, "Content-Type:" removes the form-urlencoded type curl adds to a POST.
    append(request.body.empty() ? "Content-Type:" : "Content-Type: application/json");
  }
  if (!appended) {
    Release(curl);
    return absl::ResourceExhaustedError(absl::StrCat(what, ": out of memory for headers"));
  }

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, TimeoutMillis(request.timeout));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, TimeoutMillis(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // Whatever curl can decode.
  if (request.connect_only) curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  absl::Time start = absl::Now();
  CURLcode code = curl_easy_perform(curl);
  response.elapsed = absl::Now() - start;
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_COULDNT_CONNECT) {
    // curl says "Couldn't connect to server" for every cause; the errno says which.
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    std::string where = HostAndPort(request.url);
    if (os_errno != 0 && !where.empty()) {
      std::snprintf(error_buffer, sizeof(error_buffer), "cannot connect to %s: %s", where.c_str(),
                    std::strerror(static_cast<int>(os_errno)));
    }
  }
  // Detach our stack buffers before the handle goes back to the pool.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (request.connect_only) {
    curl_easy_cleanup(curl);  // its connection is for no one else: close it now
  } else {
    Release(curl);
  }

  if (code == CURLE_WRITE_ERROR && transfer.too_large && request.cut_body) {
    response.truncated = true;
    code = CURLE_OK;
  }
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        // curl stops at the overall timeout no earlier than `timeout` after the start, so a
        // stop well before it is the connect timeout.
        if (request.connect_timeout < request.timeout &&
            response.elapsed < (request.connect_timeout + request.timeout) / 2) {
          return absl::DeadlineExceededError(absl::StrCat(
              what, ": no connection within ", absl::FormatDuration(request.connect_timeout)));
        }
        return absl::DeadlineExceededError(absl::StrCat(what, ": no complete response within ",
                                                        absl::FormatDuration(request.timeout)));
      case CURLE_WRITE_ERROR:
        if (transfer.too_large) {
          return absl::ResourceExhaustedError(absl::StrCat(
              what, ": response body exceeds the limit of ", request.max_response_bytes, " bytes"));
        }
        break;
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return absl::InvalidArgumentError(absl::StrCat(what, ": ", detail));
      default:
        break;
    }
    return absl::UnavailableError(absl::StrCat(what, ": ", detail));
  }
  response.status = static_cast<int>(status);
  return response;
}

absl::StatusOr<HttpResponse> FakeHttpClient::Send(const HttpRequest& request) {
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
  }
  return handler_(request);
}

}  // namespace sre_eval
