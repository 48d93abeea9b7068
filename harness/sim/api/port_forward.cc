#include "sim/api/port_forward.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sre_eval {
namespace sim {
namespace {

const char* ReasonPhrase(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Request Entity Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A query component with %XX and '+' decoded, as Go's url.ParseQuery reads it.
std::string QueryUnescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

constexpr size_t kDataChunk = 32 * 1024;

void AppendData(uint32_t id, uint8_t flags, absl::string_view data, std::string* out) {
  while (data.size() > kDataChunk) {
    out->append(SpdyDataFrame(id, 0, data.substr(0, kDataChunk)));
    data.remove_prefix(kDataChunk);
  }
  out->append(SpdyDataFrame(id, flags, data));
}

}  // namespace

std::string HttpResponseBytes(const ProxyResponse& response, bool head, bool close,
                              absl::string_view date) {
  std::string body = response.body;
  std::string type = response.content_type;
  if (response.status_error) {  // The proxy's own failure: the service's pod gives none.
    type = "text/plain; charset=utf-8";
    body = response.body + "\n";
  }
  std::string out = absl::StrCat("HTTP/1.1 ", response.status, " ", ReasonPhrase(response.status),
                                 "\r\nContent-Type: ", type, "\r\n");
  if (!date.empty()) absl::StrAppend(&out, "Date: ", date, "\r\n");
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head) out += body;
  return out;
}

std::string PortForwardSession::Feed(absl::string_view bytes) {
  std::string out;
  if (done_) return out;
  reader_.Append(bytes);
  SpdyFrame f;
  std::string error;
  for (;;) {
    const int got = reader_.Next(&f, &error);
    if (got == 0) break;
    if (got < 0) {
      Fail(error, &out);
      break;
    }
    if (!f.control) {
      OnData(f, &out);
    } else if (f.type == kSpdySynStream) {
      OnSynStream(f, &out);
    } else if (f.type == kSpdyPing) {
      // The client's pings (odd ids) come back as they are.
      if (f.payload.size() == 4) out += SpdyControlFrame(kSpdyPing, 0, f.payload);
    } else if (f.type == kSpdyRstStream) {
      streams_.erase(f.stream_id);
    } else if (f.type == kSpdyGoAway) {
      done_ = true;
    } else if (f.type == kSpdyHeaders) {
      // Headers after the SYN_STREAM: read to keep the zlib stream in step, then dropped.
      SpdyHeaders ignored;
      if (f.payload.size() < 4 || !headers_.Read(absl::string_view(f.payload).substr(4),
                                                 kMaxHeaderBytes, &ignored, &error)) {
        Fail(f.payload.size() < 4 ? "a HEADERS frame without a stream" : error, &out);
      }
    }
    // SETTINGS and WINDOW_UPDATE change nothing here; other types are ignored, as SPDY says.
    if (done_) break;
  }
  return out;
}

void PortForwardSession::Fail(std::string error, std::string* out) {
  error_ = std::move(error);
  done_ = true;
  out->append(SpdyGoAway(last_stream_, 1));  // PROTOCOL_ERROR
}

void PortForwardSession::OnSynStream(const SpdyFrame& f, std::string* out) {
  SpdySynStreamHead head;
  if (!ParseSynStream(f.payload, &head)) return Fail("a SYN_STREAM frame under 10 bytes", out);
  SpdyHeaders headers;
  std::string error;
  if (!headers_.Read(head.header_block, kMaxHeaderBytes, &headers, &error)) {
    return Fail(error, out);
  }
  if (head.stream_id == 0 || head.stream_id <= last_stream_) {
    return Fail(absl::StrCat("stream ", head.stream_id, " opened out of order"), out);
  }
  last_stream_ = head.stream_id;
  Stream s;
  std::string port;
  for (const auto& [name, value] : headers) {
    if (name == "streamtype") s.type = value;
    if (name == "port") port = value;
    if (name == "requestid") s.request_id = value;
  }
  if (streams_.size() >= kMaxStreams || !absl::SimpleAtoi(port, &s.port) || s.port <= 0 ||
      s.port > 65535 || (s.type != "data" && s.type != "error")) {
    out->append(SpdyRstStream(head.stream_id, streams_.size() >= kMaxStreams ? 3 : 1));
    return;
  }
  // The reply, with no headers, as the API server's SPDY connection sends it.
  out->append(SpdySynReply(head.stream_id, 0, headers_.Write({})));
  streams_[head.stream_id] = std::move(s);
  Start(streams_[head.stream_id].request_id, out);
}

void PortForwardSession::Start(const std::string& request_id, std::string* out) {
  uint32_t data = 0, error = 0;
  for (const auto& [id, s] : streams_) {
    if (s.request_id != request_id) continue;
    if (s.type == "data") data = id;
    if (s.type == "error") error = id;
  }
  if (data == 0 || error == 0 || streams_[data].started) return;
  Stream& d = streams_[data];
  d.started = true;
  std::string refused = backend_.open(d.port);
  if (!refused.empty()) return Finish(request_id, refused, out);
  Serve(data, out);  // Bytes that came before the error stream.
}

void PortForwardSession::OnData(const SpdyFrame& f, std::string* out) {
  auto it = streams_.find(f.stream_id);
  if (it == streams_.end() || it->second.type != "data") return;  // Reset, finished, or error.
  const std::string request_id = it->second.request_id;
  it->second.http_in += f.payload;
  // Serving may finish the pair (a request with Connection: close) and forget the stream.
  if (it->second.started) Serve(f.stream_id, out);
  if ((f.flags & kSpdyFlagFin) != 0 && streams_.count(f.stream_id) != 0) {
    // The client's connection closed: so does the server's end, and the pair is done.
    Finish(request_id, "", out);
  }
}

void PortForwardSession::Serve(uint32_t id, std::string* out) {
  Stream& s = streams_[id];
  const std::string request_id = s.request_id;
  const int port = s.port;
  while (!s.http_in.empty()) {
    const size_t end = s.http_in.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (s.http_in.size() > kMaxHeaderBytes) {
        ProxyResponse r;
        r.status = 431;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "431 Request Header Fields Too Large";
        AppendData(id, 0, HttpResponseBytes(r, false, true, ""), out);
        return Finish(request_id, "", out);
      }
      return;
    }
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(s.http_in).substr(0, end), "\r\n");
    std::vector<absl::string_view> first = absl::StrSplit(lines[0], ' ');
    ProxyResponse bad;
    bad.status = 400;
    bad.content_type = "text/plain; charset=utf-8";
    bad.body = "400 Bad Request";
    if (first.size() != 3 || !absl::StartsWith(first[2], "HTTP/1.")) {
      AppendData(id, 0, HttpResponseBytes(bad, false, true, ""), out);
      return Finish(request_id, "", out);
    }
    bool close = first[2] == "HTTP/1.0";
    size_t length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      const std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      const absl::string_view value = absl::StripAsciiWhitespace(lines[i].substr(colon + 1));
      if (name == "connection") close = absl::EqualsIgnoreCase(value, "close");
      if (name == "content-length" && !absl::SimpleAtoi(value, &length)) length = SIZE_MAX;
      if (name == "transfer-encoding") length = SIZE_MAX;  // Chunked bodies: not read.
    }
    if (length > kMaxBodyBytes) {
      bad.status = length == SIZE_MAX ? 501 : 413;
      bad.body = absl::StrCat(bad.status, " ", ReasonPhrase(bad.status));
      AppendData(id, 0, HttpResponseBytes(bad, false, true, ""), out);
      return Finish(request_id, "", out);
    }
    if (s.http_in.size() < end + 4 + length) return;  // The body is still coming.
    ProxyRequest request;
    request.method = std::string(first[0]);
    absl::string_view target = first[1];
    const size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != absl::string_view::npos) {
      for (absl::string_view pair : absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
        const size_t eq = pair.find('=');
        request.query.emplace_back(
            QueryUnescape(pair.substr(0, eq)),
            eq == absl::string_view::npos ? "" : QueryUnescape(pair.substr(eq + 1)));
      }
    }
    request.body = s.http_in.substr(end + 4, length);
    s.http_in.erase(0, end + 4 + length);
    const ProxyResponse response = backend_.serve(port, request);
    AppendData(id, 0,
               HttpResponseBytes(response, request.method == "HEAD", close,
                                 backend_.date ? backend_.date() : ""),
               out);
    if (close) return Finish(request_id, "", out);
  }
}

void PortForwardSession::Finish(const std::string& request_id, const std::string& message,
                                std::string* out) {
  std::vector<uint32_t> ids;
  for (const auto& [id, s] : streams_) {
    if (s.request_id == request_id) ids.push_back(id);
  }
  // The error stream's message first, then the FINs: data, then error.
  for (uint32_t id : ids) {
    if (streams_[id].type == "error" && !message.empty()) AppendData(id, 0, message, out);
  }
  for (const char* type : {"data", "error"}) {
    for (uint32_t id : ids) {
      Stream& s = streams_[id];
      if (s.type != type || s.closed) continue;
      s.closed = true;
      out->append(SpdyDataFrame(id, kSpdyFlagFin, ""));
    }
  }
  for (uint32_t id : ids) streams_.erase(id);
}

}  // namespace sim
}  // namespace sre_eval
