#include "util/external_sort.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "util/file_util.h"

namespace sre_eval {

absl::Status SpillFile::Append(absl::string_view data, uint64_t* offset) {
  if (!fd_.valid()) {
    std::string name;
    absl::StatusOr<UniqueFd> fd = MakeTempFileBeside(beside_, suffix_, &name);
    if (!fd.ok()) return fd.status();
    fd_ = *std::move(fd);
    // Only the descriptor is needed from now on.
    unlink(name.c_str());
  }
  *offset = size_;
  absl::Status written =
      WriteAll(fd_.get(), data, absl::StrCat("writing a temporary file for ", beside_));
  if (written.ok()) size_ += data.size();
  return written;
}

absl::Status SpillFile::Read(uint64_t offset, size_t size, char* out) const {
  while (size > 0) {
    ssize_t n = pread(fd_.get(), out, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrCat("reading a temporary file for ", beside_));
    }
    if (n == 0) {
      return absl::InternalError(
          absl::StrCat("reading a temporary file for ", beside_, ": ended early"));
    }
    out += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace sre_eval
