#include "util/external_sort.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

struct Rec {
  uint32_t key = 0;
  uint32_t seq = 0;  // Makes the order total.
  bool operator<(const Rec& o) const { return key != o.key ? key < o.key : seq < o.seq; }
  bool operator==(const Rec& o) const { return key == o.key && seq == o.seq; }
};

std::vector<Rec> Shuffled(size_t n) {
  std::mt19937 rng(7);
  std::vector<Rec> v;
  for (uint32_t i = 0; i < n; ++i) v.push_back({static_cast<uint32_t>(rng() % 500), i});
  return v;
}

std::vector<Rec> ReadAll(ExternalSorter<Rec>* sorter) {
  std::vector<Rec> out;
  Rec r;
  while (sorter->Next(&r)) out.push_back(r);
  EXPECT_TRUE(sorter->status().ok()) << sorter->status();
  return out;
}

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

TEST(ExternalSortTest, OneChunkStaysInMemory) {
  TempDir dir;
  ExternalSorter<Rec> sorter(dir.path() + "/x", ExternalSortLimits());
  std::vector<Rec> input = Shuffled(1000);
  for (const Rec& r : input) sorter.Add(r);
  ASSERT_TRUE(sorter.Sort().ok());
  std::sort(input.begin(), input.end());
  EXPECT_EQ(ReadAll(&sorter), input);
  EXPECT_EQ(sorter.runs(), 0u);
  EXPECT_EQ(sorter.size(), 1000u);
  sorter.Rewind();
  EXPECT_EQ(ReadAll(&sorter), input);
}

TEST(ExternalSortTest, RunsOnDiskAreMergedInPassesAndLeaveNoFile) {
  TempDir dir;
  ExternalSortLimits limits;
  limits.chunk_records = 64;
  limits.fan_in = 3;
  limits.read_records = 5;
  ExternalSorter<Rec> sorter(dir.path() + "/x", limits);
  std::vector<Rec> input = Shuffled(10000);
  for (const Rec& r : input) sorter.Add(r);
  // The runs' files are unlinked as soon as they are made.
  EXPECT_EQ(FilesIn(dir.path()), 0u);
  ASSERT_TRUE(sorter.Sort().ok());
  // 157 runs of at most 64, merged 3 at a time: 53, 18, 6, 2.
  EXPECT_EQ(sorter.runs(), 2u);
  std::sort(input.begin(), input.end());
  EXPECT_EQ(ReadAll(&sorter), input);
  sorter.Rewind();
  EXPECT_EQ(ReadAll(&sorter), input);
  EXPECT_EQ(FilesIn(dir.path()), 0u);
}

TEST(ExternalSortTest, NothingToSort) {
  TempDir dir;
  ExternalSorter<Rec> sorter(dir.path() + "/x", ExternalSortLimits());
  ASSERT_TRUE(sorter.Sort().ok());
  Rec r;
  EXPECT_FALSE(sorter.Next(&r));
}

TEST(ExternalSortTest, AFolderThatCannotBeWrittenIsAnError) {
  TempDir dir;
  ExternalSortLimits limits;
  limits.chunk_records = 2;
  ExternalSorter<Rec> sorter(dir.path() + "/nope/x", limits);
  for (const Rec& r : Shuffled(5)) sorter.Add(r);
  absl::Status s = sorter.Sort();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_EQ(s.message(),
            "creating a temporary file for " + dir.path() + "/nope/x: No such file or directory");
  Rec r;
  EXPECT_FALSE(sorter.Next(&r));
}

}  // namespace
}  // namespace sre_eval
