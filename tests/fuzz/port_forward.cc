// Fuzzes `kubectl port-forward`'s server side (sim/api/port_forward.h over sim/api/spdy.h): each
// input is the bytes a client sends on an upgraded connection, fed in two pieces split where the
// first byte says. Frames, zlib header blocks, stream pairing and the HTTP read on data
// streams must answer without crashing, with whole frames that a SPDY reader reads back, and
// bounded output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_input.h"
#include "sim/api/port_forward.h"
#include "sim/api/spdy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval::sim;
  if (size < 1 || size > 65536) return 0;
  PortForwardBackend backend;
  backend.open = [](int port) {
    return port == 8079 ? std::string() : absl::StrCat("nothing listens on ", port);
  };
  backend.serve = [](int, const ProxyRequest& r) {
    ProxyResponse res;
    res.body = absl::StrCat(r.method, " ", r.path, " ", r.query.size(), " ", r.body.size());
    return res;
  };
  PortForwardSession session(backend);
  absl::string_view input = sre_eval::fuzz::AsText(data + 1, size - 1);
  const size_t cut = input.empty() ? 0 : data[0] % (input.size() + 1);
  std::string out = session.Feed(input.substr(0, cut));
  out += session.Feed(input.substr(cut));
  FUZZ_CHECK(out.size() <= 64 * (input.size() + 1024));
  // What the server sent is whole frames.
  SpdyReader reader(1 << 24);
  reader.Append(out);
  SpdyFrame f;
  std::string error;
  int got;
  while ((got = reader.Next(&f, &error)) == 1) {
  }
  FUZZ_CHECK(got == 0);
  FUZZ_CHECK(session.streams() <= PortForwardSession::kMaxStreams);
  return 0;
}
