// WebSocket (RFC 6455) as the API server speaks it to `kubectl exec` and client libraries:
// the handshake's accept key and frames, on the socket the exec handler takes over
// (sim/api/server_sockets.h finds it) after answering 101 Switching Protocols.
#ifndef SRE_EVAL_SIM_API_WEBSOCKET_H_
#define SRE_EVAL_SIM_API_WEBSOCKET_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sre_eval {
namespace sim {

// Opcodes of the frames the sim sends and reads.
inline constexpr uint8_t kWsText = 0x1;
inline constexpr uint8_t kWsBinary = 0x2;
inline constexpr uint8_t kWsClose = 0x8;
inline constexpr uint8_t kWsPing = 0x9;
inline constexpr uint8_t kWsPong = 0xA;

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string WebSocketAccept(absl::string_view key);

// One unfragmented, unmasked frame (as a server sends) with `payload`.
std::string WebSocketFrame(uint8_t opcode, absl::string_view payload);

// A close frame with `code` (1000: normal closure).
std::string WebSocketClose(uint16_t code);

struct WebSocketMessage {
  uint8_t opcode = 0;
  std::string payload;  // Unmasked; continuation frames joined.
};

// Reads client messages from a socket, bounded: a message over `max_bytes`, a frame a client
// must not send (unmasked, reserved bits, a control frame over 125 bytes) or the end of the
// stream ends the reading (false, and ended()); the deadline returns false with nothing lost,
// and the next call goes on where this one stopped.
class WebSocketReader {
 public:
  WebSocketReader(int fd, size_t max_bytes) : fd_(fd), max_bytes_(max_bytes) {}
  bool Next(absl::Time deadline, WebSocketMessage* out);
  bool ended() const { return ended_; }

 private:
  bool Fill(size_t n, absl::Time deadline);  // At least n bytes buffered.

  int fd_;
  size_t max_bytes_;
  std::string buffer_;
  WebSocketMessage pending_;  // A fragmented message so far.
  bool ended_ = false;
};

// Writes all of `data` to `fd` (blocking, no SIGPIPE); false when the peer has gone.
bool WriteAll(int fd, absl::string_view data);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_WEBSOCKET_H_
