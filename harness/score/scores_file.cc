#include "score/scores_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "score/scores_json.h"
#include "util/file_util.h"

namespace sre_eval {

namespace {

// Buffered bytes are written out past this size.
constexpr size_t kBufferBytes = size_t{1} << 20;

// Appends `size` bytes of `fd` at `offset` to `out`.
absl::Status AppendRange(int fd, uint64_t offset, size_t size, std::string* out,
                         const std::string& what) {
  size_t at = out->size();
  out->resize(at + size);
  while (size > 0) {
    ssize_t n = pread(fd, &(*out)[at], size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, what);
    }
    if (n == 0) return absl::InternalError(absl::StrCat(what, ": ended early"));
    at += static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

ScoresFileWriter::ScoresFileWriter(std::string path) : path_(std::move(path)) {}

uint64_t ScoresFileWriter::Add(const ScoredAnswer& answer) {
  if (!status_.ok()) return 0;
  if (!spill_.valid()) {
    std::string name;
    absl::StatusOr<UniqueFd> spill = MakeTempFileBeside(path_, "answers", &name);
    if (!spill.ok()) {
      status_ = spill.status();
      return 0;
    }
    spill_ = *std::move(spill);
    // Only the descriptor is needed from now on.
    unlink(name.c_str());
  }
  uint64_t token = spilled_ + buffer_.size();
  size_t at = buffer_.size();
  buffer_.append(4, '\0');
  AppendAnswerJson(answer, &buffer_);
  uint64_t size = buffer_.size() - at - 4;
  if (size > UINT32_MAX) {
    status_ = absl::ResourceExhaustedError(
        absl::StrCat("writing ", path_, ": an answer's entry is over 4 GiB"));
    return 0;
  }
  for (int i = 0; i < 4; ++i) buffer_[at + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  if (buffer_.size() >= kBufferBytes) status_ = FlushSpill();
  return token;
}

absl::Status ScoresFileWriter::FlushSpill() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status written =
      WriteAll(spill_.get(), buffer_, absl::StrCat("writing a temporary file for ", path_));
  spilled_ += buffer_.size();
  buffer_.clear();
  return written;
}

absl::Status ScoresFileWriter::Commit(const RunScores& scores, AnswerOrder* order) {
  if (status_.ok()) status_ = FlushSpill();
  if (!status_.ok()) return status_;
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(path_);
  if (!out.ok()) return out.status();

  std::string spill_name = absl::StrCat("reading a temporary file for ", path_);
  std::string text = ScoresJsonHead(scores);
  absl::Status status = absl::OkStatus();
  size_t written = 0;
  uint64_t token = 0;
  while (status.ok() && order->Next(&token)) {
    std::string size_bytes;
    if (token + 4 > spilled_) {
      status = absl::InternalError(absl::StrCat("writing ", path_, ": no answer at ", token));
      break;
    }
    status = AppendRange(spill_.get(), token, 4, &size_bytes, spill_name);
    if (!status.ok()) break;
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i)
      size |= uint64_t{static_cast<unsigned char>(size_bytes[i])} << (8 * i);
    text.append(ScoresJsonAnswerSeparator(written++));
    status = AppendRange(spill_.get(), token + 4, static_cast<size_t>(size), &text, spill_name);
    if (status.ok() && text.size() >= kBufferBytes) {
      status = out->Append(text);
      text.clear();
    }
  }
  if (status.ok()) status = order->status();
  if (status.ok()) {
    text.append(ScoresJsonTail(scores, written));
    status = out->Append(text);
  }
  if (!status.ok()) return status;  // `out` removes its temporary file.
  return out->Commit();
}

}  // namespace sre_eval
