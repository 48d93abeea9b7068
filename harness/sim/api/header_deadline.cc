#include "sim/api/header_deadline.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sim/api/server_sockets.h"

namespace sre_eval {
namespace sim {

namespace {

// Whether `fd` is still connected to `peer` (it may have been closed and reused since the scan).
bool StillPeer(int fd, const std::string& peer) {
  std::string now;
  return PeerOf(fd, &now) && now == peer;
}

}  // namespace

HeaderDeadline::HeaderDeadline(int port, Clock::duration deadline)
    : port_(port), deadline_(deadline), thread_([this] { Watch(); }) {}

HeaderDeadline::~HeaderDeadline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HeaderDeadline::RequestBegan(const std::string& peer_ip, int peer_port) {
  std::lock_guard<std::mutex> lock(mu_);
  peers_[PeerKey(peer_ip, peer_port)] = {true, Clock::now()};
}

void HeaderDeadline::RequestEnded(const std::string& peer_ip, int peer_port) {
  std::lock_guard<std::mutex> lock(mu_);
  peers_[PeerKey(peer_ip, peer_port)] = {false, Clock::now()};
}

size_t HeaderDeadline::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void HeaderDeadline::Watch() {
  Clock::duration period = std::clamp<Clock::duration>(deadline_ / 8, std::chrono::milliseconds(50),
                                                       std::chrono::seconds(1));
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
    lock.unlock();
    Sweep();
    lock.lock();
  }
}

void HeaderDeadline::Sweep() {
  Clock::time_point scan_start = Clock::now();
  std::vector<std::pair<int, std::string>> found = ServerConnections(port_);
  std::map<int, Connection> seen;
  for (auto& [fd, peer] : found) {
    auto it = connections_.find(fd);
    Clock::time_point first =
        it != connections_.end() && it->second.peer == peer ? it->second.first_seen : scan_start;
    seen[fd] = {std::move(peer), first};
  }
  connections_ = std::move(seen);

  std::lock_guard<std::mutex> lock(mu_);
  Clock::time_point now = Clock::now();
  std::set<std::string> present;
  for (const auto& [fd, c] : connections_) {
    present.insert(c.peer);
    Clock::time_point phase_start = c.first_seen;
    auto p = peers_.find(c.peer);
    if (p != peers_.end()) {
      if (p->second.serving) continue;
      phase_start = std::max(phase_start, p->second.since);
    }
    if (now - phase_start > deadline_ && StillPeer(fd, c.peer)) {
      // The descriptor stays open (httplib closes it); shutting it down ends its reads.
      shutdown(fd, SHUT_RDWR);
      ++closed_;
      connections_[fd].first_seen = now;  // Counted once.
    }
  }
  // Forget peers whose connection is gone; a peer that began after the scan is kept.
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (!present.count(it->first) && it->second.since < scan_start) {
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sim
}  // namespace sre_eval
