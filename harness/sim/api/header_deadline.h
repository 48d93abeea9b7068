// A deadline for the request line and headers of every connection, as Go's http.Server has
// with ReadHeaderTimeout (the kube-apiserver sets 32 s). cpp-httplib 0.11 has only a timeout
// per read, which a client sending one header byte every few seconds never trips: such a
// client held its connection, and its thread, for as long as it liked.
#ifndef SRE_EVAL_SIM_API_HEADER_DEADLINE_H_
#define SRE_EVAL_SIM_API_HEADER_DEADLINE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sre_eval {
namespace sim {

// Watches the server's connections from a thread of its own. httplib hands no accepted socket
// to its user, so each sweep finds them among the process's descriptors (sockets whose local
// port is the server's and that have a peer). A connection is in its header phase from the
// moment it is first seen, or from the end of its previous response, until the request's
// headers are complete (RequestBegan); one in its header phase longer than the deadline is
// shut down, and httplib's read on it fails at once. A keep-alive connection's wait for its
// next request counts against the deadline as in Go; a request being served (a watch, a slow
// body) never does.
class HeaderDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `port`: the server's port. The watchdog sweeps every deadline/8 (50 ms to 1 s).
  HeaderDeadline(int port, Clock::duration deadline);
  ~HeaderDeadline();  // Stops the watchdog.

  HeaderDeadline(const HeaderDeadline&) = delete;
  HeaderDeadline& operator=(const HeaderDeadline&) = delete;

  // Called with the request's peer address once its headers are complete (httplib's
  // pre-routing handler), and after its response was written in full (httplib's logger).
  void RequestBegan(const std::string& peer_ip, int peer_port);
  void RequestEnded(const std::string& peer_ip, int peer_port);

  // Connections shut down for taking too long over their headers, so far.
  size_t closed();

 private:
  struct Peer {
    bool serving = false;
    Clock::time_point since;  // When the request began or ended.
  };
  struct Connection {
    std::string peer;
    Clock::time_point first_seen;
  };

  void Watch();
  void Sweep();

  const int port_;
  const Clock::duration deadline_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  size_t closed_ = 0;
  std::map<std::string, Peer> peers_;      // By "ip:port"; guarded by mu_.
  std::map<int, Connection> connections_;  // By descriptor; the watchdog's own.
  std::thread thread_;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_HEADER_DEADLINE_H_
