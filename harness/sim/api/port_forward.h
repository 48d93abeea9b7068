// `kubectl port-forward`'s protocol (portforward.k8s.io) as the kubelet serves it, over one
// SPDY/3.1 session (sim/api/spdy.h): for each connection it forwards, the client opens an `error`
// stream and a `data` stream that carry the same `port` and `requestid` headers; the server
// replies to both, and either splices the data stream to the port or writes why it cannot on
// the error stream. The sim has no processes: a port that serves HTTP answers each request on
// the data stream through a backend (the services proxy's answers), any other port gets the
// kubelet's error. Pure: bytes in, bytes out, no sockets.
#ifndef SRE_EVAL_SIM_API_PORT_FORWARD_H_
#define SRE_EVAL_SIM_API_PORT_FORWARD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "sim/api/spdy.h"
#include "sim/shop/service_proxy.h"

namespace sre_eval {
namespace sim {

struct PortForwardBackend {
  // For a port of the pod: "" when it serves HTTP, else the message the kubelet writes on the
  // error stream (nothing listens there; a protocol the sim does not speak).
  std::function<std::string(int port)> open;
  // One HTTP request to `port` (open() said "" for it).
  std::function<ProxyResponse(int port, const ProxyRequest&)> serve;
  // The Date header's value now (RFC 1123, GMT); none when not set.
  std::function<std::string()> date;
};

class PortForwardSession {
 public:
  explicit PortForwardSession(PortForwardBackend backend) : backend_(std::move(backend)) {}

  // Bytes from the client; returns the bytes to send back (whole frames).
  std::string Feed(absl::string_view bytes);

  // The session is over (GOAWAY, or a malformed frame: error() says which).
  bool done() const { return done_; }
  const std::string& error() const { return error_; }

  // Streams open now (for tests).
  size_t streams() const { return streams_.size(); }

  // Bounds: concurrent streams, one request's headers and body.
  static constexpr size_t kMaxStreams = 256;
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr size_t kMaxBodyBytes = 1024 * 1024;

 private:
  struct Stream {
    std::string type;  // "data" or "error"
    int port = 0;
    std::string request_id;
    bool started = false;  // Paired and opened (data streams).
    bool closed = false;   // The server has sent its FIN.
    std::string http_in;   // Request bytes not yet answered (data streams).
  };

  void OnSynStream(const SpdyFrame& f, std::string* out);
  void OnData(const SpdyFrame& f, std::string* out);
  // Pairs the streams of `request_id` once both are there, and opens the port.
  void Start(const std::string& request_id, std::string* out);
  // Answers the complete requests buffered on data stream `id`.
  void Serve(uint32_t id, std::string* out);
  // Ends both streams of `request_id` (FIN on each the server has not closed), and forgets
  // them; `message`, when not empty, is written on the error stream first.
  void Finish(const std::string& request_id, const std::string& message, std::string* out);
  void Fail(std::string error, std::string* out);

  PortForwardBackend backend_;
  SpdyReader reader_{1 << 20};
  SpdyHeaderCodec headers_;
  std::map<uint32_t, Stream> streams_;
  uint32_t last_stream_ = 0;
  bool done_ = false;
  std::string error_;
};

// "HTTP/1.1 200 OK\r\n..." for `response`, as a Go service writes it (Content-Type,
// Date, Content-Length); no body for HEAD.
std::string HttpResponseBytes(const ProxyResponse& response, bool head, bool close,
                              absl::string_view date);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_PORT_FORWARD_H_
