// A cpp-httplib server on 127.0.0.1 for the agent tests, on a thread of its own, with room for
// many kept-alive connections at once and a switch that releases handlers that wait.
#ifndef SRE_EVAL_TESTS_AGENT_AGENT_TEST_SERVER_H_
#define SRE_EVAL_TESTS_AGENT_AGENT_TEST_SERVER_H_

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sre_eval {
namespace agent {

class AgentTestServer {
 public:
  AgentTestServer() {
    server_.set_tcp_nodelay(true);
    // httplib holds a worker per kept-alive connection: room for 64 clients at once.
    server_.new_task_queue = [] { return new httplib::ThreadPool(72); };
  }
  ~AgentTestServer() { Stop(); }
  AgentTestServer(const AgentTestServer&) = delete;
  AgentTestServer& operator=(const AgentTestServer&) = delete;

  httplib::Server& server() { return server_; }

  // Binds an ephemeral port and serves; returns the port, or -1.
  int Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return -1;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!server_.is_running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
    return server_.is_running() ? port_ : -1;
  }

  // Releases waiting handlers and stops. Close the clients' kept-alive connections first (by
  // destroying the client), or the server waits out their idle timeout.
  void Stop() {
    if (!release_.HasBeenNotified()) release_.Notify();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  // For handlers: waits up to `d`, less when the test ends; true when released.
  bool WaitForRelease(absl::Duration d) { return release_.WaitForNotificationWithTimeout(d); }

  std::string url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  absl::Notification release_;
  std::thread thread_;
  int port_ = -1;
};

// A port on 127.0.0.1 that nothing listens on: bound for a moment, then released. -1 on error.
inline int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_AGENT_AGENT_TEST_SERVER_H_
