#include "util/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/unique_fd.h"

namespace sre_eval {

std::string StrError(int err) {
  char buf[256];
  // The GNU strerror_r returns the message, in `buf` or in static storage.
  return strerror_r(err, buf, sizeof buf);
}

absl::Status ErrnoStatus(int err, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", StrError(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EISDIR:
      return absl::FailedPreconditionError(message);
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

namespace {

// What a file of mode `mode` is, for an error message.
const char* KindOfFile(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

// OkStatus for a regular file; the error ReadFile gives for anything else.
absl::Status CheckRegular(const std::string& path, mode_t mode) {
  if (S_ISREG(mode)) return absl::OkStatus();
  if (S_ISDIR(mode)) return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory"));
  return absl::FailedPreconditionError(
      absl::StrCat(path, ": not a regular file (", KindOfFile(mode), ")"));
}

absl::Status OpenError(int err, const std::string& path) {
  if (err == ELOOP) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": too many levels of symbolic links"));
  }
  return ErrnoStatus(err, path);
}

}  // namespace

absl::StatusOr<UniqueFd> OpenRegularFile(const std::string& path, off_t* size) {
  // Checked before opening, so that a device is never opened (opening one can have effects),
  // and again on the open descriptor, in case the path was replaced in between. O_NONBLOCK
  // keeps even that open from waiting for a FIFO's writer.
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return OpenError(errno, path);
  if (absl::Status s = CheckRegular(path, st.st_mode); !s.ok()) return s;
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return OpenError(errno, path);
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, path);
  if (absl::Status s = CheckRegular(path, st.st_mode); !s.ok()) return s;
  if (size != nullptr) *size = st.st_size;
  return fd;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  off_t size = 0;
  absl::StatusOr<UniqueFd> fd = OpenRegularFile(path, &size);
  if (!fd.ok()) return fd.status();
  if (static_cast<size_t>(size) > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": file is ", size, " bytes, more than the limit of ", max_bytes));
  }
  std::string data;
  data.reserve(static_cast<size_t>(size));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, path);
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": file is more than the limit of ", max_bytes, " bytes"));
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

namespace {

// Splits "a/b/c.json" into "a/b" and "c.json"; a bare name lives in ".".
void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  size_t slash = path.rfind('/');
  *dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  *base = slash == std::string::npos ? path : path.substr(slash + 1);
}

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

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  std::string tmpl = absl::StrCat(dir, "/.", base, ".tmp.XXXXXX");
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  UniqueFd fd(mkostemp(name.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("creating a temporary file for ", path));
  std::string tmp_path(name.data());

  absl::Status status = WriteAll(fd.get(), data, tmp_path);
  // New files get the usual 0644 rather than mkstemp's 0600: results are meant to be read.
  if (status.ok() && fchmod(fd.get(), 0644) != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && fsync(fd.get()) != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && fd.Close() != 0) status = ErrnoStatus(errno, tmp_path);
  if (status.ok() && rename(tmp_path.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, absl::StrCat("renaming ", tmp_path, " to ", path));
  }
  if (!status.ok()) {
    unlink(tmp_path.c_str());
    return status;
  }
  // Make the rename itself durable.
  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.valid()) fsync(dir_fd.get());
  return absl::OkStatus();
}

}  // namespace sre_eval
