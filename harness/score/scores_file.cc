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

absl::Status WriteAll(int fd, absl::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

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

// A temporary file next to the target: DIR/.BASE.SUFFIX.XXXXXX.
UniqueFd MakeTemp(const std::string& dir, const std::string& base, const char* suffix,
                  std::string* name) {
  std::string tmpl = absl::StrCat(dir, "/.", base, ".", suffix, ".XXXXXX");
  std::vector<char> chars(tmpl.begin(), tmpl.end());
  chars.push_back('\0');
  UniqueFd fd(mkostemp(chars.data(), O_CLOEXEC));
  *name = chars.data();
  return fd;
}

}  // namespace

ScoresFileWriter::ScoresFileWriter(std::string path) : path_(std::move(path)) {
  size_t slash = path_.rfind('/');
  dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
  base_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

void ScoresFileWriter::Add(const ScoredAnswer& answer) {
  if (!status_.ok()) return;
  if (!spill_.valid()) {
    std::string name;
    spill_ = MakeTemp(dir_, base_, "answers", &name);
    if (!spill_.valid()) {
      status_ = ErrnoStatus(errno, absl::StrCat("creating a temporary file for ", path_));
      return;
    }
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
  std::string tmp_path;
  UniqueFd out = MakeTemp(dir_, base_, "tmp", &tmp_path);
  if (!out.valid())
    return ErrnoStatus(errno, absl::StrCat("creating a temporary file for ", path_));

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
      status = WriteAll(out.get(), text, tmp_path);
      text.clear();
    }
  }
  if (status.ok()) {
    text.append(ScoresJsonTail(scores, order.size()));
    status = WriteAll(out.get(), text, tmp_path);
  }
  // New files get the usual 0644 rather than mkstemp's 0600: results are meant to be read.
  if (status.ok() && fchmod(out.get(), 0644) != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && fsync(out.get()) != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && out.Close() != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && rename(tmp_path.c_str(), path_.c_str()) != 0) {
    status = ErrnoStatus(errno, absl::StrCat("renaming ", tmp_path, " to ", path_));
  }
  if (!status.ok()) {
    unlink(tmp_path.c_str());
    return status;
  }
  // Make the rename itself durable.
  UniqueFd dir_fd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.valid()) fsync(dir_fd.get());
  return absl::OkStatus();
}

}  // namespace sre_eval
