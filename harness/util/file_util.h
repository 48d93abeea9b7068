// Reading and writing whole files.
#ifndef SRE_EVAL_UTIL_FILE_UTIL_H_
#define SRE_EVAL_UTIL_FILE_UTIL_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "util/unique_fd.h"

namespace sre_eval {

// Opens `path` for reading, only if it is (or a symlink leads to) a regular file; stores its
// size in `*size` unless null. Never blocks, never opens a device. Errors, each starting with
// the path: NotFound when it does not exist; FailedPrecondition "PATH: is a directory",
// "PATH: not a regular file (a FIFO)" (or a character device, a block device, a socket) and
// "PATH: too many levels of symbolic links"; PermissionDenied.
absl::StatusOr<UniqueFd> OpenRegularFile(const std::string& path, off_t* size = nullptr);

// `bytes` random bytes from /dev/urandom as lower-case hex: session ids and tokens.
// Internal error when /dev/urandom cannot be read.
absl::StatusOr<std::string> RandomHex(size_t bytes);

// Reads the whole of a regular file, opened as OpenRegularFile does, with its errors.
// ResourceExhausted when it is larger than `max_bytes` (the file is not read), or grows past
// it while being read.
absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = size_t{64} << 20);

// Replaces `path` with `data` atomically: writes a temporary file in the same folder, fsyncs
// it, renames it over `path` and fsyncs the folder. A reader sees the old content or the new,
// never a mix; on any error the old file is untouched and the temporary file is removed.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data);

// Writes all of `data` to `fd`, retrying short writes and EINTR; errors name `what`.
absl::Status WriteAll(int fd, absl::string_view data, const std::string& what);

// A new temporary file beside `path`: DIR/.BASE.SUFFIX.XXXXXX, its name in `*name`.
absl::StatusOr<UniqueFd> MakeTempFileBeside(const std::string& path, absl::string_view suffix,
                                            std::string* name);

// A file written in pieces and put in place atomically, as WriteFileAtomically does with a
// whole text: Create makes the temporary file, Append writes to it, Commit fsyncs it, renames
// it over `path` and fsyncs the folder. Destroyed without a successful Commit, it removes the
// temporary file and leaves `path` untouched. Not thread-safe.
class AtomicFile {
 public:
  static absl::StatusOr<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();
  absl::Status Append(absl::string_view data);
  absl::Status Commit();

 private:
  AtomicFile(std::string path, std::string tmp_path, UniqueFd fd);
  std::string path_;
  std::string tmp_path_;
  UniqueFd fd_;
  bool done_ = false;
};

// strerror(err), thread-safe.
std::string StrError(int err);

// An absl::Status for a failed system call: "<what>: <strerror(err)>", with the code that
// matches errno (ENOENT -> NotFound, EACCES -> PermissionDenied, ...).
absl::Status ErrnoStatus(int err, absl::string_view what);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_FILE_UTIL_H_
