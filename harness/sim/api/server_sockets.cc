#include "sim/api/server_sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sre_eval {
namespace sim {

std::string PeerKey(const std::string& ip, int port) { return absl::StrCat(ip, ":", port); }

bool PeerOf(int fd, std::string* key) {
  sockaddr_in peer{};
  socklen_t len = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
      peer.sin_family != AF_INET) {
    return false;
  }
  char ip[INET_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip)) == nullptr) return false;
  *key = PeerKey(ip, ntohs(peer.sin_port));
  return true;
}

std::vector<std::pair<int, std::string>> ServerConnections(int port) {
  std::vector<std::pair<int, std::string>> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  int dir_fd = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dir_fd) continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port) {
      continue;
    }
    std::string peer;
    if (PeerOf(fd, &peer)) out.emplace_back(fd, std::move(peer));
  }
  closedir(dir);
  return out;
}

}  // namespace sim
}  // namespace sre_eval
