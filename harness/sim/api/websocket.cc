#include "sim/api/websocket.h"

#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"

namespace sre_eval {
namespace sim {

std::string WebSocketAccept(absl::string_view key) {
  std::string text = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string WebSocketFrame(uint8_t opcode, absl::string_view payload) {
  std::string frame;
  frame.reserve(payload.size() + 10);
  frame.push_back(static_cast<char>(0x80 | opcode));  // FIN
  const uint64_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    frame.push_back(static_cast<char>(126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
  }
  frame.append(payload.data(), payload.size());
  return frame;
}

std::string WebSocketClose(uint16_t code) {
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return WebSocketFrame(kWsClose, absl::string_view(payload, 2));
}

bool WebSocketReader::Fill(size_t n, absl::Time deadline) {
  char chunk[16384];
  while (buffer_.size() < n) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return false;
    if (ready < 0) return !(ended_ = true);
    ssize_t got = read(fd_, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return !(ended_ = true);
    buffer_.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

bool WebSocketReader::Next(absl::Time deadline, WebSocketMessage* out) {
  // A message is built in pending_, so that a deadline between its frames loses nothing.
  auto refuse = [this] { return !(ended_ = true); };
  for (;;) {
    if (!Fill(2, deadline)) return false;
    const auto b0 = static_cast<uint8_t>(buffer_[0]);
    const auto b1 = static_cast<uint8_t>(buffer_[1]);
    const bool fin = (b0 & 0x80) != 0;
    const uint8_t opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0) return refuse();  // reserved bits; unmasked
    uint64_t length = b1 & 0x7F;
    size_t header = 2;
    if (length == 126) {
      if (!Fill(4, deadline)) return false;
      length = (static_cast<uint64_t>(static_cast<uint8_t>(buffer_[2])) << 8) |
               static_cast<uint8_t>(buffer_[3]);
      header = 4;
    } else if (length == 127) {
      if (!Fill(10, deadline)) return false;
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<uint8_t>(buffer_[i]);
      header = 10;
    }
    const bool control = (opcode & 0x8) != 0;
    if ((control && (length > 125 || !fin)) || length > max_bytes_ ||
        pending_.payload.size() + length > max_bytes_) {
      return refuse();
    }
    if (!Fill(header + 4 + length, deadline)) return false;
    const char* mask = buffer_.data() + header;
    const char* data = mask + 4;
    std::string payload(static_cast<size_t>(length), '\0');
    for (size_t i = 0; i < length; ++i) payload[i] = static_cast<char>(data[i] ^ mask[i % 4]);
    buffer_.erase(0, header + 4 + length);
    if (control) {
      out->opcode = opcode;
      out->payload = std::move(payload);
      return true;
    }
    if (opcode != 0) {
      if (pending_.opcode != 0) return refuse();  // a new message inside a fragmented one
      pending_.opcode = opcode;
    }
    if (pending_.opcode == 0) return refuse();  // a continuation with nothing to continue
    pending_.payload += payload;
    if (fin) {
      *out = std::move(pending_);
      pending_ = WebSocketMessage();
      return true;
    }
  }
}

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace sim
}  // namespace sre_eval
