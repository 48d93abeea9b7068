// SPDY/3.1 framing (sim/api/spdy.h) and the port-forward protocol over it (sim/api/port_forward.h),
// driven as client-go drives them: a client's SYN_STREAMs with compressed headers, data
// frames, FINs and pings, and what the server sends back, frame by frame.
#include <zlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sim/api/port_forward.h"
#include "sim/api/spdy.h"

namespace sre_eval {
namespace sim {
namespace {

std::string Word(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

// The client's half: SYN_STREAMs compressed with its own zlib stream, and a reader of what
// the server sends.
class Client {
 public:
  std::string SynStream(uint32_t id, const SpdyHeaders& headers) {
    std::string payload = Word(id) + Word(0) + std::string(2, '\0') + codec_.Write(headers);
    return SpdyControlFrame(kSpdySynStream, 0, payload);
  }
  std::string Pair(uint32_t error_id, int port, const std::string& request_id) {
    // In this order: the compressor's stream is shared.
    std::string out = SynStream(
        error_id,
        {{"streamtype", "error"}, {"port", absl::StrCat(port)}, {"requestid", request_id}});
    return out + SynStream(error_id + 2, {{"streamtype", "data"},
                                          {"port", absl::StrCat(port)},
                                          {"requestid", request_id}});
  }
  // The server's frames in `bytes`, one line each: "reply 1", "data 3: ...", "fin 3",
  // "ping 1", "goaway", "rst 5 3".
  std::vector<std::string> Read(const std::string& bytes) {
    SpdyReader reader(1 << 24);
    reader.Append(bytes);
    std::vector<std::string> out;
    SpdyFrame f;
    std::string error;
    while (reader.Next(&f, &error) == 1) {
      if (!f.control) {
        if (!f.payload.empty()) out.push_back(absl::StrCat("data ", f.stream_id, ": ", f.payload));
        if (f.flags & kSpdyFlagFin) out.push_back(absl::StrCat("fin ", f.stream_id));
      } else if (f.type == kSpdySynReply) {
        SpdyHeaders headers;
        EXPECT_TRUE(
            replies_.Read(absl::string_view(f.payload).substr(4), 1 << 16, &headers, &error))
            << error;
        out.push_back(absl::StrCat("reply ", f.stream_id, " (", headers.size(), " headers)"));
      } else if (f.type == kSpdyPing) {
        out.push_back(absl::StrCat("ping ", SpdyWord(f.payload, 0)));
      } else if (f.type == kSpdyGoAway) {
        out.push_back("goaway");
      } else if (f.type == kSpdyRstStream) {
        out.push_back(absl::StrCat("rst ", f.stream_id, " ", SpdyWord(f.payload, 4)));
      }
    }
    EXPECT_EQ(error, "");
    return out;
  }

 private:
  SpdyHeaderCodec codec_;    // Its Write is what the client's compressor sends.
  SpdyHeaderCodec replies_;  // Its Read is the client's decompressor.
};

PortForwardBackend Backend() {
  PortForwardBackend b;
  b.open = [](int port) {
    return port == 8079 ? std::string() : absl::StrCat("nothing listens on ", port);
  };
  b.serve = [](int port, const ProxyRequest& r) {
    ProxyResponse res;
    res.content_type = "text/plain";
    res.body = absl::StrCat(r.method, " ", r.path, " on ", port);
    for (const auto& [k, v] : r.query) absl::StrAppend(&res.body, " ", k, "=", v);
    if (!r.body.empty()) absl::StrAppend(&res.body, " body=", r.body);
    return res;
  };
  b.date = [] { return std::string("Mon, 07 Dec 2026 09:00:00 GMT"); };
  return b;
}

TEST(SpdyTest, TheDictionaryIsTheDraftsOne) {
  const std::string& d = SpdyDictionary();
  EXPECT_EQ(d.size(), 1423u);
  // The id zlib streams carry for it, which client-go's decompressor checks.
  EXPECT_EQ(adler32(1, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size())),
            0xe3c6a7c2u);
}

TEST(SpdyTest, HeaderBlocksRoundTripAcrossOneZlibStream) {
  SpdyHeaderCodec writer, reader;
  for (int i = 0; i < 3; ++i) {
    const SpdyHeaders sent = {{"streamtype", "data"}, {"port", absl::StrCat(8079 + i)}};
    SpdyHeaders got;
    std::string error;
    ASSERT_TRUE(reader.Read(writer.Write(sent), 1 << 16, &got, &error)) << error;
    EXPECT_EQ(got, sent);
  }
  // Names are lowercased on reading; a block that is not zlib breaks the stream for good.
  SpdyHeaderCodec w2, r2;
  SpdyHeaders got;
  std::string error;
  ASSERT_TRUE(r2.Read(w2.Write({{"Port", "80"}}), 1 << 16, &got, &error));
  EXPECT_EQ(got, (SpdyHeaders{{"port", "80"}}));
  SpdyHeaderCodec r3;
  EXPECT_FALSE(r3.Read("not zlib at all", 1 << 16, &got, &error));
  EXPECT_EQ(error, "the header block does not inflate: incorrect header check");
  // Bounded: more inflated bytes than allowed.
  SpdyHeaderCodec w4, r4;
  EXPECT_FALSE(r4.Read(w4.Write({{"big", std::string(5000, 'x')}}), 1000, &got, &error));
  EXPECT_EQ(error, "header blocks over 1000 bytes");
}

TEST(SpdyTest, FramesAreSplitWhenWholeAndRefusedWhenTooLong) {
  SpdyReader reader(100);
  const std::string frames = SpdyDataFrame(3, kSpdyFlagFin, "hello") + SpdyRstStream(5, 5);
  SpdyFrame f;
  std::string error;
  reader.Append(frames.substr(0, 10));
  EXPECT_EQ(reader.Next(&f, &error), 0);
  reader.Append(frames.substr(10));
  ASSERT_EQ(reader.Next(&f, &error), 1);
  EXPECT_FALSE(f.control);
  EXPECT_EQ(f.stream_id, 3u);
  EXPECT_EQ(f.flags, kSpdyFlagFin);
  EXPECT_EQ(f.payload, "hello");
  ASSERT_EQ(reader.Next(&f, &error), 1);
  EXPECT_TRUE(f.control);
  EXPECT_EQ(f.type, kSpdyRstStream);
  EXPECT_EQ(f.stream_id, 5u);
  EXPECT_EQ(reader.Next(&f, &error), 0);
  reader.Append(SpdyDataFrame(7, 0, std::string(101, 'x')));
  EXPECT_EQ(reader.Next(&f, &error), -1);
  EXPECT_EQ(error, "a SPDY frame of 101 bytes (at most 100)");
  SpdyReader v2(100);
  v2.Append(std::string("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12));
  EXPECT_EQ(v2.Next(&f, &error), -1);
  EXPECT_EQ(error, "SPDY version 2 (the sim speaks 3)");
}

// One forwarded connection: both streams are answered, two keep-alive requests (one split
// across frames, one with a body) are answered in order, and the client's FIN ends the pair.
TEST(PortForwardTest, ServesHttpOnTheDataStream) {
  Client client;
  PortForwardSession s(Backend());
  EXPECT_EQ(client.Read(s.Feed(client.Pair(1, 8079, "0"))),
            (std::vector<std::string>{"reply 1 (0 headers)", "reply 3 (0 headers)"}));
  EXPECT_EQ(s.streams(), 2u);
  // The client closes its side of the error stream at once: nothing changes.
  EXPECT_EQ(client.Read(s.Feed(SpdyDataFrame(1, kSpdyFlagFin, ""))), std::vector<std::string>{});
  EXPECT_EQ(client.Read(s.Feed(SpdyDataFrame(3, 0, "GET /catalogue?size=2&q=a%20b HTTP/1.1\r\n"))),
            std::vector<std::string>{});
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 07 Dec "
      "2026 09:00:00 GMT\r\nContent-Length: ";
  EXPECT_EQ(client.Read(s.Feed(SpdyDataFrame(3, 0, "Host: localhost\r\n\r\n"))),
            (std::vector<std::string>{"data 3: " + head +
                                      "35\r\n\r\nGET /catalogue on 8079 size=2 q=a b"}));
  EXPECT_EQ(client.Read(s.Feed(SpdyDataFrame(
                3, kSpdyFlagFin,
                "POST /orders HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd"))),
            (std::vector<std::string>{"data 3: " + head +
                                          "30\r\nConnection: close\r\n\r\nPOST /orders on 8079 "
                                          "body=abcd",
                                      "fin 3", "fin 1"}));
  EXPECT_EQ(s.streams(), 0u);
  EXPECT_FALSE(s.done());
}

// A port nothing serves: the error stream carries the backend's message, then both streams end.
TEST(PortForwardTest, APortThatIsNotServedGetsTheErrorOnTheErrorStream) {
  Client client;
  PortForwardSession s(Backend());
  EXPECT_EQ(client.Read(s.Feed(client.Pair(1, 9999, "7"))),
            (std::vector<std::string>{"reply 1 (0 headers)", "reply 3 (0 headers)",
                                      "data 1: nothing listens on 9999", "fin 3", "fin 1"}));
  EXPECT_EQ(s.streams(), 0u);
}

TEST(PortForwardTest, PingsComeBackAndBadInputEndsTheSession) {
  Client client;
  PortForwardSession s(Backend());
  EXPECT_EQ(client.Read(s.Feed(SpdyControlFrame(kSpdyPing, 0, Word(1)))),
            std::vector<std::string>{"ping 1"});
  // A stream without a port, and one whose port is not a number, are reset (PROTOCOL_ERROR).
  const std::string no_port = client.SynStream(1, {{"streamtype", "data"}});
  EXPECT_EQ(client.Read(
                s.Feed(no_port + client.SynStream(3, {{"streamtype", "data"}, {"port", "http"}}))),
            (std::vector<std::string>{"rst 1 1", "rst 3 1"}));
  // Stream ids must grow.
  EXPECT_EQ(client.Read(s.Feed(client.Pair(1, 8079, "1"))), std::vector<std::string>{"goaway"});
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.error(), "stream 1 opened out of order");
  // A header block that is not zlib.
  PortForwardSession t(Backend());
  EXPECT_EQ(client.Read(t.Feed(SpdyControlFrame(
                kSpdySynStream, 0, Word(1) + Word(0) + std::string("\0\0garbage", 9)))),
            std::vector<std::string>{"goaway"});
  EXPECT_EQ(t.error(), "the header block does not inflate: incorrect header check");
}

TEST(PortForwardTest, OversizedRequestsAreRefusedAndTheConnectionClosed) {
  Client client;
  PortForwardSession s(Backend());
  client.Read(s.Feed(client.Pair(1, 8079, "0")));
  std::vector<std::string> got = client.Read(
      s.Feed(SpdyDataFrame(3, 0, "POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0],
            "data 3: HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain; "
            "charset=utf-8\r\nContent-Length: 28\r\nConnection: close\r\n\r\n413 Request Entity "
            "Too Large");
  EXPECT_EQ(got[1], "fin 3");
  EXPECT_EQ(got[2], "fin 1");
  // Headers that never end.
  PortForwardSession t(Backend());
  Client c2;
  c2.Read(t.Feed(c2.Pair(1, 8079, "0")));
  got = c2.Read(t.Feed(SpdyDataFrame(3, 0, "GET / HTTP/1.1\r\n" + std::string(70000, 'x'))));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].substr(0, 52), "data 3: HTTP/1.1 431 Request Header Fields Too Large");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
