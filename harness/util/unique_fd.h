// An owned file descriptor, closed on destruction.
#ifndef SRE_EVAL_UTIL_UNIQUE_FD_H_
#define SRE_EVAL_UTIL_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace sre_eval {

// Move-only. Not thread-safe; one owner at a time.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Close(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes the descriptor now; returns close()'s result (0 when there was nothing to close).
  int Close() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_ = -1;
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_UNIQUE_FD_H_
