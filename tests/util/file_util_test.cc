#include "util/file_util.h"

#include <sys/stat.h>

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

TEST(FileUtilTest, ErrnoStatusMapsCodes) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrnoStatus(EACCES, "x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus(ENOSPC, "x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoStatus(EIO, "x"), absl::InternalError("x: Input/output error"));
}

}  // namespace
}  // namespace sre_eval
