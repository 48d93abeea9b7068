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

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  UniqueFd fd(open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open /dev/urandom");
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    const ssize_t n = read(fd.get(), raw.data() + got, bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus(n < 0 ? errno : EIO, "read /dev/urandom");
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
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

}  // namespace

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

absl::StatusOr<UniqueFd> MakeTempFileBeside(const std::string& path, absl::string_view suffix,
                                            std::string* name) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  std::string tmpl = absl::StrCat(dir, "/.", base, ".", suffix, ".XXXXXX");
  std::vector<char> chars(tmpl.begin(), tmpl.end());
  chars.push_back('\0');
  UniqueFd fd(mkostemp(chars.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("creating a temporary file for ", path));
  *name = chars.data();
  return fd;
}

AtomicFile::AtomicFile(std::string path, std::string tmp_path, UniqueFd fd)
    : path_(std::move(path)), tmp_path_(std::move(tmp_path)), fd_(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_path_(std::move(other.tmp_path_)),
      fd_(std::move(other.fd_)),
      done_(other.done_) {
  other.done_ = true;
}

AtomicFile::~AtomicFile() {
  if (!done_) unlink(tmp_path_.c_str());
}

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  std::string tmp_path;
  absl::StatusOr<UniqueFd> fd = MakeTempFileBeside(path, "tmp", &tmp_path);
  if (!fd.ok()) return fd.status();
  return AtomicFile(path, std::move(tmp_path), *std::move(fd));
}

absl::Status AtomicFile::Append(absl::string_view data) {
  return WriteAll(fd_.get(), data, tmp_path_);
}

absl::Status AtomicFile::Commit() {
  absl::Status status = absl::OkStatus();
  // New files get the usual 0644 rather than mkstemp's 0600: results are meant to be read.
  if (fchmod(fd_.get(), 0644) != 0) status = ErrnoStatus(errno, tmp_path_);
  if (status.ok() && fsync(fd_.get()) != 0) status = ErrnoStatus(errno, tmp_path_);
  if (status.ok() && fd_.Close() != 0) status = ErrnoStatus(errno, tmp_path_);
  if (status.ok() && rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    status = ErrnoStatus(errno, absl::StrCat("renaming ", tmp_path_, " to ", path_));
  }
  if (!status.ok()) return status;  // The destructor removes the temporary file.
  done_ = true;
  // Make the rename itself durable.
  std::string dir, base;
  SplitPath(path_, &dir, &base);
  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.valid()) fsync(dir_fd.get());
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  if (absl::Status s = file->Append(data); !s.ok()) return s;
  return file->Commit();
}

}  // namespace sre_eval
