// The API server's connections as the process's descriptors show them: cpp-httplib hands
// handlers no socket, so the header deadline (to close slow connections) and exec (to take a
// connection over after 101 Switching Protocols) find theirs here.
#ifndef SRE_EVAL_SIM_API_SERVER_SOCKETS_H_
#define SRE_EVAL_SIM_API_SERVER_SOCKETS_H_

#include <string>
#include <utility>
#include <vector>

namespace sre_eval {
namespace sim {

// "ip:port", as ServerConnections names peers.
std::string PeerKey(const std::string& ip, int port);

// The "ip:port" of `fd`'s IPv4 peer; false when it has none (a listener, not a socket).
bool PeerOf(int fd, std::string* key);

// The server-side sockets of 127.0.0.1:`port` among the process's descriptors, with their
// peers' PeerKey.
std::vector<std::pair<int, std::string>> ServerConnections(int port);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_SERVER_SOCKETS_H_
