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

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, path);
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory"));
  }
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": file is ", st.st_size, " bytes, more than the limit of ", max_bytes));
  }
  std::string data;
  if (S_ISREG(st.st_mode)) data.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
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
