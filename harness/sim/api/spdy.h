// SPDY/3.1 framing, the server's half, as `kubectl port-forward` speaks it to the API server:
// inside a WebSocket (subprotocol SPDY/3.1+portforward.k8s.io, kubectl 1.31+) or on the
// upgraded connection itself (Upgrade: SPDY/3.1, the fallback). Frames as the SPDY/3 draft
// lays them out; header blocks are zlib streams with the draft's dictionary, one per
// direction and connection. Flow control is not enforced by either side (client-go's
// spdystream neither sends nor honours WINDOW_UPDATE), so none is sent.
#ifndef SRE_EVAL_SIM_API_SPDY_H_
#define SRE_EVAL_SIM_API_SPDY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sre_eval {
namespace sim {

inline constexpr uint16_t kSpdySynStream = 1;
inline constexpr uint16_t kSpdySynReply = 2;
inline constexpr uint16_t kSpdyRstStream = 3;
inline constexpr uint16_t kSpdySettings = 4;
inline constexpr uint16_t kSpdyPing = 6;
inline constexpr uint16_t kSpdyGoAway = 7;
inline constexpr uint16_t kSpdyHeaders = 8;
inline constexpr uint16_t kSpdyWindowUpdate = 9;
inline constexpr uint8_t kSpdyFlagFin = 0x01;

// The SPDY/3 header compression dictionary (1,423 bytes; its zlib id is 0xe3c6a7c2).
const std::string& SpdyDictionary();

struct SpdyFrame {
  bool control = false;
  uint16_t type = 0;  // Control frames.
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // Data frames, and control frames that name a stream.
  std::string payload;     // Data: the bytes. Control: everything after the 8-byte header.
};

// Splits a byte stream into frames, bounded: a frame longer than `max_frame` ends the
// reading with an error.
class SpdyReader {
 public:
  explicit SpdyReader(size_t max_frame) : max_frame_(max_frame) {}
  void Append(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
  // 1: a frame in *out; 0: more bytes needed; -1: malformed (*error says why).
  int Next(SpdyFrame* out, std::string* error);

 private:
  size_t max_frame_;
  std::string buffer_;
  size_t offset_ = 0;
};

using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;

// The zlib contexts of one connection: the client's header blocks are read with one
// continuing inflate stream, the server's written with one continuing deflate stream.
class SpdyHeaderCodec {
 public:
  SpdyHeaderCodec();
  ~SpdyHeaderCodec();
  SpdyHeaderCodec(const SpdyHeaderCodec&) = delete;
  SpdyHeaderCodec& operator=(const SpdyHeaderCodec&) = delete;

  // A compressed name/value block; names come back lowercased. Bounded: more than
  // `max_bytes` of inflated headers fail. False (with *error) on anything malformed, after
  // which the connection's stream is broken.
  bool Read(absl::string_view block, size_t max_bytes, SpdyHeaders* out, std::string* error);
  // `headers` as a compressed block (names lowercased by the caller).
  std::string Write(const SpdyHeaders& headers);

 private:
  struct Streams;
  std::unique_ptr<Streams> z_;
};

// Frames the server writes.
std::string SpdyDataFrame(uint32_t stream_id, uint8_t flags, absl::string_view data);
std::string SpdyControlFrame(uint16_t type, uint8_t flags, absl::string_view payload);
std::string SpdySynReply(uint32_t stream_id, uint8_t flags, absl::string_view header_block);
std::string SpdyRstStream(uint32_t stream_id, uint32_t status);
std::string SpdyGoAway(uint32_t last_good_stream_id, uint32_t status);

// The fields of a SYN_STREAM's payload before its header block.
struct SpdySynStreamHead {
  uint32_t stream_id = 0;
  uint32_t associated_id = 0;
  absl::string_view header_block;
};
bool ParseSynStream(absl::string_view payload, SpdySynStreamHead* out);

// A big-endian 32-bit number at `p` (4 bytes available).
uint32_t SpdyWord(absl::string_view bytes, size_t at);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_SPDY_H_
