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

void ScoresFileWriter::Add(const ScoredAnswer& answer) {
  if (!status_.ok()) return;
  if (!spill_.valid()) {
    std::string name;
    absl::StatusOr<UniqueFd> spill = MakeTempFileBeside(path_, "answers", &name);
    if (!spill.ok()) {
      status_ = spill.status();
      return;
    }
    spill_ = *std::move(spill);
    // Only the descriptor is needed from now on.
    unlink(name.c_str());
  }
  offsets_.push_back(spilled_ + buffer_.size());
  AppendAnswerJson(answer, &buffer_);
  if (buffer_.size() >= kBufferBytes) status_ = FlushSpill();
}

absl::Status ScoresFileWriter::FlushSpill() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status written =
      WriteAll(spill_.get(), buffer_, absl::StrCat("writing a temporary file for ", path_));
  spilled_ += buffer_.size();
  buffer_.clear();
  return written;
}

absl::Status ScoresFileWriter::Commit(const RunScores& scores, const std::vector<uint32_t>& order) {
  if (status_.ok()) status_ = FlushSpill();
  if (!status_.ok()) return status_;
  if (order.size() != offsets_.size()) {
    return absl::InternalError(absl::StrCat("writing ", path_, ": ", order.size(),
                                            " answers in order, ", offsets_.size(), " added"));
  }
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(path_);
  if (!out.ok()) return out.status();

  std::string spill_name = absl::StrCat("reading a temporary file for ", path_);
  std::string text = ScoresJsonHead(scores);
  absl::Status status = absl::OkStatus();
  for (size_t i = 0; i < order.size() && status.ok(); ++i) {
    uint32_t k = order[i];
    uint64_t end = k + 1 < offsets_.size() ? offsets_[k + 1] : spilled_;
    text.append(ScoresJsonAnswerSeparator(i));
    status = AppendRange(spill_.get(), offsets_[k], static_cast<size_t>(end - offsets_[k]), &text,
                         spill_name);
    if (status.ok() && text.size() >= kBufferBytes) {
      status = out->Append(text);
      text.clear();
    }
  }
  if (status.ok()) {
    text.append(ScoresJsonTail(scores, order.size()));
    status = out->Append(text);
  }
  if (!status.ok()) return status;  // `out` removes its temporary file.
  return out->Commit();
}

}  // namespace sre_eval
