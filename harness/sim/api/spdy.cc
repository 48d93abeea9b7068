#include "sim/api/spdy.h"

#include <zlib.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sre_eval {
namespace sim {
namespace {

void PutWord(std::string* out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(bytes, 4);
}

std::string BuildDictionary() {
  // The draft's dictionary: these words, each after its length as a 32-bit big-endian
  // number, then the status lines, dates and media types as one run of text.
  static constexpr const char* kWords[] = {"options",
                                           "head",
                                           "post",
                                           "put",
                                           "delete",
                                           "trace",
                                           "accept",
                                           "accept-charset",
                                           "accept-encoding",
                                           "accept-language",
                                           "accept-ranges",
                                           "age",
                                           "allow",
                                           "authorization",
                                           "cache-control",
                                           "connection",
                                           "content-base",
                                           "content-encoding",
                                           "content-language",
                                           "content-length",
                                           "content-location",
                                           "content-md5",
                                           "content-range",
                                           "content-type",
                                           "date",
                                           "etag",
                                           "expect",
                                           "expires",
                                           "from",
                                           "host",
                                           "if-match",
                                           "if-modified-since",
                                           "if-none-match",
                                           "if-range",
                                           "if-unmodified-since",
                                           "last-modified",
                                           "location",
                                           "max-forwards",
                                           "pragma",
                                           "proxy-authenticate",
                                           "proxy-authorization",
                                           "range",
                                           "referer",
                                           "retry-after",
                                           "server",
                                           "te",
                                           "trailer",
                                           "transfer-encoding",
                                           "upgrade",
                                           "user-agent",
                                           "vary",
                                           "via",
                                           "warning",
                                           "www-authenticate",
                                           "method",
                                           "get",
                                           "status",
                                           "200 OK",
                                           "version",
                                           "HTTP/1.1",
                                           "url",
                                           "public",
                                           "set-cookie",
                                           "keep-alive",
                                           "origin"};
  std::string out;
  for (const char* w : kWords) {
    PutWord(&out, static_cast<uint32_t>(std::strlen(w)));
    out += w;
  }
  out +=
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504"
      "505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
      "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
      "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, "
      "Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
      "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
      "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  return out;
}

}  // namespace

const std::string& SpdyDictionary() {
  static const std::string* dictionary = new std::string(BuildDictionary());
  return *dictionary;
}

uint32_t SpdyWord(absl::string_view bytes, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

int SpdyReader::Next(SpdyFrame* out, std::string* error) {
  if (buffer_.size() - offset_ < 8) return 0;
  absl::string_view rest(buffer_.data() + offset_, buffer_.size() - offset_);
  const uint32_t first = SpdyWord(rest, 0);
  const uint32_t second = SpdyWord(rest, 4);
  const size_t length = second & 0xffffff;
  if (length > max_frame_) {
    *error = absl::StrCat("a SPDY frame of ", length, " bytes (at most ", max_frame_, ")");
    return -1;
  }
  if (rest.size() < 8 + length) return 0;
  SpdyFrame f;
  f.control = (first & 0x80000000u) != 0;
  f.flags = static_cast<uint8_t>(second >> 24);
  f.payload.assign(rest.data() + 8, length);
  if (f.control) {
    const uint16_t version = (first >> 16) & 0x7fff;
    if (version != 3) {
      *error = absl::StrCat("SPDY version ", version, " (the sim speaks 3)");
      return -1;
    }
    f.type = static_cast<uint16_t>(first & 0xffff);
    if (f.type == kSpdySynStream || f.type == kSpdySynReply || f.type == kSpdyRstStream ||
        f.type == kSpdyHeaders || f.type == kSpdyWindowUpdate) {
      if (length < 4) {
        *error = absl::StrCat("a SPDY control frame of type ", f.type, " with ", length, " bytes");
        return -1;
      }
      f.stream_id = SpdyWord(f.payload, 0) & 0x7fffffff;
    }
  } else {
    f.stream_id = first & 0x7fffffff;
  }
  offset_ += 8 + length;
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 65536) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  *out = std::move(f);
  return 1;
}

struct SpdyHeaderCodec::Streams {
  z_stream in{};
  z_stream out{};
  bool in_ok = false;
  bool out_ok = false;
};

SpdyHeaderCodec::SpdyHeaderCodec() : z_(new Streams) {
  z_->in_ok = inflateInit(&z_->in) == Z_OK;
  z_->out_ok = deflateInit(&z_->out, Z_DEFAULT_COMPRESSION) == Z_OK;
  if (z_->out_ok) {
    const std::string& d = SpdyDictionary();
    z_->out_ok = deflateSetDictionary(&z_->out, reinterpret_cast<const Bytef*>(d.data()),
                                      static_cast<uInt>(d.size())) == Z_OK;
  }
}

SpdyHeaderCodec::~SpdyHeaderCodec() {
  inflateEnd(&z_->in);
  deflateEnd(&z_->out);
}

bool SpdyHeaderCodec::Read(absl::string_view block, size_t max_bytes, SpdyHeaders* out,
                           std::string* error) {
  out->clear();
  if (!z_->in_ok) {
    *error = "the header decompressor failed before";
    return false;
  }
  z_stream& z = z_->in;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z.avail_in = static_cast<uInt>(block.size());
  std::string plain;
  char chunk[4096];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    int rc = inflate(&z, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      const std::string& d = SpdyDictionary();
      if (inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(d.data()),
                               static_cast<uInt>(d.size())) != Z_OK) {
        z_->in_ok = false;
        *error = "the header block asks for a dictionary other than SPDY/3's";
        return false;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR) break;  // Nothing more to do with this block.
    if (rc != Z_OK && rc != Z_STREAM_END) {
      z_->in_ok = false;
      *error = absl::StrCat("the header block does not inflate: ",
                            z.msg != nullptr ? z.msg : "zlib error");
      return false;
    }
    plain.append(chunk, sizeof(chunk) - z.avail_out);
    if (plain.size() > max_bytes) {
      z_->in_ok = false;
      *error = absl::StrCat("header blocks over ", max_bytes, " bytes");
      return false;
    }
    if (rc == Z_STREAM_END || (z.avail_in == 0 && z.avail_out != 0)) break;
  }
  // The block: a count, then each name and value after its length.
  auto bad = [&](const char* what) {
    z_->in_ok = false;
    *error = absl::StrCat("a malformed header block: ", what);
    return false;
  };
  if (plain.size() < 4) return bad("no count");
  const uint32_t count = SpdyWord(plain, 0);
  size_t at = 4;
  for (uint32_t i = 0; i < count; ++i) {
    std::string fields[2];
    for (std::string& field : fields) {
      if (plain.size() - at < 4) return bad("cut short");
      const uint32_t n = SpdyWord(plain, at);
      at += 4;
      if (plain.size() - at < n) return bad("cut short");
      field.assign(plain, at, n);
      at += n;
    }
    out->emplace_back(absl::AsciiStrToLower(fields[0]), std::move(fields[1]));
  }
  if (at != plain.size()) return bad("bytes after the last header");
  return true;
}

std::string SpdyHeaderCodec::Write(const SpdyHeaders& headers) {
  std::string plain;
  PutWord(&plain, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    PutWord(&plain, static_cast<uint32_t>(name.size()));
    plain += name;
    PutWord(&plain, static_cast<uint32_t>(value.size()));
    plain += value;
  }
  std::string out;
  if (!z_->out_ok) return out;
  z_stream& z = z_->out;
  z.next_in = reinterpret_cast<Bytef*>(plain.data());
  z.avail_in = static_cast<uInt>(plain.size());
  char chunk[4096];
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    deflate(&z, Z_SYNC_FLUSH);
    out.append(chunk, sizeof(chunk) - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

std::string SpdyDataFrame(uint32_t stream_id, uint8_t flags, absl::string_view data) {
  std::string out;
  out.reserve(8 + data.size());
  PutWord(&out, stream_id & 0x7fffffff);
  PutWord(&out, (uint32_t{flags} << 24) | static_cast<uint32_t>(data.size()));
  out.append(data.data(), data.size());
  return out;
}

std::string SpdyControlFrame(uint16_t type, uint8_t flags, absl::string_view payload) {
  std::string out;
  PutWord(&out, 0x80000000u | (3u << 16) | type);
  PutWord(&out, (uint32_t{flags} << 24) | static_cast<uint32_t>(payload.size()));
  out.append(payload.data(), payload.size());
  return out;
}

std::string SpdySynReply(uint32_t stream_id, uint8_t flags, absl::string_view header_block) {
  std::string payload;
  PutWord(&payload, stream_id & 0x7fffffff);
  payload.append(header_block.data(), header_block.size());
  return SpdyControlFrame(kSpdySynReply, flags, payload);
}

std::string SpdyRstStream(uint32_t stream_id, uint32_t status) {
  std::string payload;
  PutWord(&payload, stream_id & 0x7fffffff);
  PutWord(&payload, status);
  return SpdyControlFrame(kSpdyRstStream, 0, payload);
}

std::string SpdyGoAway(uint32_t last_good_stream_id, uint32_t status) {
  std::string payload;
  PutWord(&payload, last_good_stream_id & 0x7fffffff);
  PutWord(&payload, status);
  return SpdyControlFrame(kSpdyGoAway, 0, payload);
}

bool ParseSynStream(absl::string_view payload, SpdySynStreamHead* out) {
  if (payload.size() < 10) return false;
  out->stream_id = SpdyWord(payload, 0) & 0x7fffffff;
  out->associated_id = SpdyWord(payload, 4) & 0x7fffffff;
  out->header_block = payload.substr(10);
  return true;
}

}  // namespace sim
}  // namespace sre_eval
