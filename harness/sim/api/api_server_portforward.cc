// `kubectl port-forward`: pods/NAME/portforward upgraded to SPDY/3.1, tunnelled in WebSocket
// (kubectl 1.31+) or on the connection itself (its fallback), served by a
// PortForwardSession (sim/api/port_forward.h) whose HTTP ports answer what the services proxy
// answers.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "sim/api/api_server_internal.h"
#include "sim/api/port_forward.h"
#include "sim/api/request_body.h"
#include "sim/api/server_sockets.h"
#include "sim/api/websocket.h"
#include "sim/kube/controllers_internal.h"
#include "sim/shop/service_proxy.h"
#include "sim/store/object_store.h"
#include "sim/store/selector.h"

namespace sre_eval {
namespace sim {

using api_internal::ApiError;
using api_internal::FromStatus;
using internal::At;
using internal::Str;

namespace {

constexpr absl::string_view kTunnelProtocol = "SPDY/3.1+portforward.k8s.io";

// Images whose ports speak their own protocol (MongoDB, MySQL, Redis, AMQP), which the sim
// does not: a forward to them is refused with a message that says so.
bool SpeaksHttp(absl::string_view image, int port) {
  for (absl::string_view db : {"mongo", "redis", "weaveworksdemos/catalogue-db",
                               "weaveworksdemos/user-db", "weaveworksdemos/carts-db"}) {
    if (absl::StartsWith(image, db)) return false;
  }
  return !(absl::StartsWith(image, "rabbitmq") && port == 5672);
}

// The kubelet's sandbox id of a pod, as containerd names it (64 hex digits): derived from the
// pod's uid so that it is stable.
std::string SandboxId(const std::string& uid) {
  std::string hex;
  for (char c : uid) {
    if (absl::ascii_isxdigit(c)) hex += absl::ascii_tolower(c);
  }
  if (hex.empty()) hex = "0";
  std::string out;
  while (out.size() < 64) out += hex;
  out.resize(64);
  return out;
}

}  // namespace

// What a port of `pod` reaches: the service whose targetPort is that port (its name in
// *service), or the kubelet's error. Requires the model lock.
std::string ApiServer::Handler::OpenPodPort(const nlohmann::json& pod, int port,
                                            std::string* service) {
  const std::string ns = Str(At(pod, {"metadata", "namespace"}));
  std::string image;
  std::string port_name;
  for (const nlohmann::json& c : At(pod, {"spec", "containers"})) {
    for (const nlohmann::json& p : At(c, {"ports"})) {
      if (At(p, {"containerPort"}).is_number_integer() &&
          At(p, {"containerPort"}).get<int64_t>() == port) {
        image = Str(At(c, {"image"}));
        port_name = Str(At(p, {"name"}));
      }
    }
  }
  const std::string sandbox = SandboxId(Str(At(pod, {"metadata", "uid"})));
  const std::string prefix =
      absl::StrCat("error forwarding port ", port, " to pod ", sandbox, ", uid : ");
  if (image.empty()) {
    return absl::StrCat(prefix, "failed to execute portforward in network namespace \"",
                        "/var/run/netns/cni-", sandbox.substr(0, 8), "-", sandbox.substr(8, 4), "-",
                        sandbox.substr(12, 4), "-", sandbox.substr(16, 4), "-",
                        sandbox.substr(20, 12), "\": failed to connect to localhost:", port,
                        " inside namespace \"", sandbox,
                        "\", IO error: connect: connection refused");
  }
  const nlohmann::json& labels = At(pod, {"metadata", "labels"});
  for (const nlohmann::json& svc : sim_->store()->List("services", ns)) {
    const nlohmann::json& selector = At(svc, {"spec", "selector"});
    if (!selector.is_object() || selector.empty()) continue;
    auto match = LabelSelector::FromJson({{"matchLabels", selector}});
    if (!match.ok() || !match->Matches(labels)) continue;
    for (const nlohmann::json& p : At(svc, {"spec", "ports"})) {
      const nlohmann::json& target = At(p, {"targetPort"});
      const bool hit =
          target.is_number_integer() ? target.get<int64_t>() == port
          : target.is_string()
              ? target.get<std::string>() == port_name && !port_name.empty()
              : At(p, {"port"}).is_number_integer() && At(p, {"port"}).get<int64_t>() == port;
      if (hit) *service = Str(At(svc, {"metadata", "name"}));
    }
  }
  if (service->empty() || !SpeaksHttp(image, port)) {
    return absl::StrCat(prefix, "the simulated cluster serves HTTP on forwarded ports, and port ",
                        port, " of ", image,
                        " speaks another protocol; use kubectl exec (e.g. mongo --eval) instead");
  }
  return "";
}

void ApiServer::Handler::PortForward(const httplib::Request& req, httplib::Response& res,
                                     const Target& t) {
  nlohmann::json pod;
  {
    absl::MutexLock lock(sim_->mu());
    auto p = sim_->store()->Get("pods", t.ns, t.name);
    if (!p.ok()) return Error(res, FromStatus(p.status()), t.name, "pods");
    pod = *std::move(p);
  }
  const std::string phase = Str(At(pod, {"status", "phase"}));
  if (phase != "Running") {
    return Error(res, {400, "BadRequest",
                       absl::StrCat("pod ", t.name, " is not running (phase ",
                                    phase.empty() ? "Unknown" : phase, ")")});
  }
  // The upgrade: SPDY in WebSocket, or SPDY itself.
  const std::string upgrade = req.get_header_value("Upgrade");
  bool tunnel = false;
  if (absl::EqualsIgnoreCase(upgrade, "websocket")) {
    for (absl::string_view p :
         absl::StrSplit(req.get_header_value("Sec-WebSocket-Protocol"), ',')) {
      if (absl::StripAsciiWhitespace(p) == kTunnelProtocol) tunnel = true;
    }
    if (!tunnel || req.get_header_value("Sec-WebSocket-Key").empty()) {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("the simulated cluster forwards ports over WebSocket with "
                                      "the subprotocol ",
                                      kTunnelProtocol,
                                      " (kubectl 1.31+) or over SPDY/3.1 (portforward.k8s.io)")});
    }
  } else if (absl::EqualsIgnoreCase(upgrade, "SPDY/3.1")) {
    bool offered = false;
    for (auto [it, end] = req.headers.equal_range("X-Stream-Protocol-Version"); it != end; ++it) {
      for (absl::string_view p : absl::StrSplit(it->second, ',')) {
        offered = offered || absl::StripAsciiWhitespace(p) == "portforward.k8s.io";
      }
    }
    if (!offered) {
      return Error(res, {403, "Forbidden",
                         "unable to upgrade: unable to negotiate protocol: server supports "
                         "[portforward.k8s.io]"});
    }
  } else {
    return Error(res, {400, "BadRequest", "Upgrade request required"});
  }
  const int fd = TakeOver(req, res);
  if (fd < 0) return;
  const std::string answer =
      tunnel ? absl::StrCat(
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: ",
                   WebSocketAccept(req.get_header_value("Sec-WebSocket-Key")),
                   "\r\nSec-WebSocket-Protocol: ", kTunnelProtocol, "\r\n\r\n")
             : std::string(
                   "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                   "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io"
                   "\r\n\r\n");
  if (!WriteAll(fd, answer)) return;

  PortForwardBackend backend;
  const std::string ns = t.ns;
  auto services = std::make_shared<std::map<int, std::string>>();
  backend.open = [this, pod, services](int port) {
    absl::MutexLock lock(sim_->mu());
    std::string service;
    std::string refused = OpenPodPort(pod, port, &service);
    if (refused.empty()) (*services)[port] = service;
    return refused;
  };
  backend.serve = [this, ns, services](int port, const ProxyRequest& request) {
    absl::MutexLock lock(sim_->mu());
    return ServeProxy(sim_, ns, (*services)[port], request);
  };
  backend.date = [this] {
    absl::Time now;
    {
      absl::MutexLock lock(sim_->mu());
      now = sim_->Now();
    }
    return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", now + Shift(), absl::UTCTimeZone());
  };
  PortForwardSession session(std::move(backend));
  WebSocketReader reader(fd, kMaxRequestBody);
  char chunk[16384];
  while (!stopping_ && !session.done()) {
    std::string out;
    if (tunnel) {
      WebSocketMessage m;
      if (!reader.Next(absl::Now() + absl::Seconds(1), &m)) {
        if (reader.ended()) break;
        continue;
      }
      if (m.opcode == kWsClose) break;
      if (m.opcode == kWsPing) {
        if (!WriteAll(fd, WebSocketFrame(kWsPong, m.payload))) break;
        continue;
      }
      if (m.opcode == kWsPong) continue;
      out = session.Feed(m.payload);
      if (!out.empty() && !WriteAll(fd, WebSocketFrame(kWsBinary, out))) break;
    } else {
      pollfd p{fd, POLLIN, 0};
      const int ready = poll(&p, 1, 1000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) break;
      if (ready == 0) continue;
      const ssize_t got = read(fd, chunk, sizeof(chunk));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      out = session.Feed(absl::string_view(chunk, static_cast<size_t>(got)));
      if (!out.empty() && !WriteAll(fd, out)) break;
    }
  }
  if (tunnel) WriteAll(fd, WebSocketClose(1000));
  shutdown(fd, SHUT_WR);
  const absl::Time drain = absl::Now() + absl::Seconds(2);
  while (absl::Now() < drain) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (read(fd, chunk, sizeof(chunk)) <= 0) break;
  }
  // cpp-httplib's own response to this request then fails on the closed socket, and it closes
  // the connection.
  shutdown(fd, SHUT_RDWR);
}

}  // namespace sim
}  // namespace sre_eval
