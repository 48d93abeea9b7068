#include "util/file_util.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(FileUtilTest, WriteAtomicallyReplacesAndLeavesNoTemporaryFile) {
  TempDir dir;
  std::string path = dir.path() + "/truth.json";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string("new\0data", 8)).ok());
  EXPECT_EQ(*ReadFile(path), std::string("new\0data", 8));
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "truth.json");
  }
  EXPECT_EQ(entries, 1u);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(FileUtilTest, WriteIntoMissingFolderFailsAndKeepsNothing) {
  TempDir dir;
  absl::Status s = WriteFileAtomically(dir.path() + "/missing/x.json", "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "creating a temporary file for " + dir.path() +
                             "/missing/x.json: No such file or directory");
}

TEST(FileUtilTest, ReadErrors) {
  TempDir dir;
  EXPECT_EQ(ReadFile(dir.path() + "/nope").status(),
            absl::NotFoundError(dir.path() + "/nope: No such file or directory"));
  EXPECT_EQ(ReadFile(dir.path()).status(),
            absl::FailedPreconditionError(dir.path() + ": is a directory"));
  std::string big = dir.WriteFile("big", std::string(2000, 'x'));
  EXPECT_EQ(
      ReadFile(big, 1000).status(),
      absl::ResourceExhaustedError(big + ": file is 2000 bytes, more than the limit of 1000"));
  EXPECT_EQ(ReadFile(big, 2000)->size(), 2000u);
}

// Finding 8 of issue 16: a FIFO blocked the reader forever, /dev/zero behind a symlink was read
// until the cap, a symlink loop gave strerror's words.
TEST(FileUtilTest, ReadRefusesWhatIsNotARegularFile) {
  TempDir dir;
  UnblockedFifo fifo(dir.path() + "/truth.json");
  EXPECT_EQ(ReadFile(fifo.path()).status(),
            absl::FailedPreconditionError(fifo.path() + ": not a regular file (a FIFO)"));

  std::string zero = dir.path() + "/responses.jsonl";
  ASSERT_EQ(symlink("/dev/zero", zero.c_str()), 0);
  EXPECT_EQ(ReadFile(zero).status(),
            absl::FailedPreconditionError(zero + ": not a regular file (a character device)"));

  std::string loop = dir.path() + "/loop.yaml";
  ASSERT_EQ(symlink(loop.c_str(), loop.c_str()), 0);
  EXPECT_EQ(ReadFile(loop).status(),
            absl::FailedPreconditionError(loop + ": too many levels of symbolic links"));

  std::string sock = dir.path() + "/s";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(ReadFile(sock).status(),
            absl::FailedPreconditionError(sock + ": not a regular file (a socket)"));
  close(fd);

  // A symlink to a regular file is read as that file.
  std::string real = dir.WriteFile("real.json", "{}");
  std::string link = dir.path() + "/link.json";
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  EXPECT_EQ(*ReadFile(link), "{}");
  off_t size = -1;
  absl::StatusOr<UniqueFd> opened = OpenRegularFile(link, &size);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(size, 2);
  EXPECT_EQ(OpenRegularFile(fifo.path()).status(),
            absl::FailedPreconditionError(fifo.path() + ": not a regular file (a FIFO)"));
}

TEST(FileUtilTest, ErrnoStatusMapsCodes) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrnoStatus(EACCES, "x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus(ENOSPC, "x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoStatus(EIO, "x"), absl::InternalError("x: Input/output error"));
}

}  // namespace
}  // namespace sre_eval
