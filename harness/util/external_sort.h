// Sorting more fixed-size records than should be held in memory: records are gathered in
// chunks, each chunk is sorted and written to an unlinked temporary file as a sorted run, and
// the runs are merged as they are read back (in passes of at most `fan_in` runs). Memory is
// one chunk plus a read buffer per merged run, whatever the number of records; with no more
// records than one chunk nothing touches the disk.
//
//   ExternalSorter<Rec, ByKey> sorter(dir + "/scores.json", {});
//   for (...) sorter.Add(rec);
//   RETURN_IF_ERROR(sorter.Sort());
//   Rec r;
//   while (sorter.Next(&r)) ...;   // In order; Rewind() to read them again.
//   RETURN_IF_ERROR(sorter.status());
//
// `T` must be trivially copyable (its bytes are written and read back as they are). Equal
// records come out in no particular order: give `Less` a total order where that matters.
#ifndef SRE_EVAL_UTIL_EXTERNAL_SORT_H_
#define SRE_EVAL_UTIL_EXTERNAL_SORT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "util/unique_fd.h"

namespace sre_eval {

// An unlinked temporary file, appended to and read back by position (the sorter's runs,
// scores_file.h's answers).
class SpillFile {
 public:
  // `beside`: a path whose folder holds the file, created on the first Append as
  // MakeTempFileBeside(beside, suffix) makes it and unlinked at once, so that nothing is left
  // behind even by a crash.
  explicit SpillFile(std::string beside, std::string suffix = "sort")
      : beside_(std::move(beside)), suffix_(std::move(suffix)) {}

  // Appends `data`; returns the offset it was written at.
  absl::Status Append(absl::string_view data, uint64_t* offset);
  // Reads `size` bytes at `offset` into `out`.
  absl::Status Read(uint64_t offset, size_t size, char* out) const;
  uint64_t size() const { return size_; }
  const std::string& beside() const { return beside_; }

 private:
  std::string beside_;
  std::string suffix_;
  UniqueFd fd_;
  uint64_t size_ = 0;
};

struct ExternalSortLimits {
  size_t chunk_records = 65536;  // Sorted in memory at a time.
  size_t fan_in = 64;            // Runs merged at once.
  size_t read_records = 1024;    // Read at a time from each run being merged.
};

template <typename T, typename Less = std::less<T>>
class ExternalSorter {
  static_assert(std::is_trivially_copyable<T>::value, "records are written as bytes");

 public:
  ExternalSorter(const std::string& beside, ExternalSortLimits limits, Less less = Less())
      : limits_(Sanitized(limits)),
        less_(std::move(less)),
        files_{SpillFile(beside), SpillFile(beside)} {}
  ExternalSorter(const ExternalSorter&) = delete;
  ExternalSorter& operator=(const ExternalSorter&) = delete;

  // Adds a record. The first error (writing a run) is kept; Sort returns it.
  void Add(const T& record) {
    if (!status_.ok()) return;
    chunk_.push_back(record);
    ++count_;
    if (chunk_.size() >= limits_.chunk_records) status_ = SpillChunk();
  }

  // Ends the adding; Next then gives the records in order.
  absl::Status Sort() {
    if (!status_.ok()) return status_;
    if (runs_.empty()) {
      std::sort(chunk_.begin(), chunk_.end(), less_);
    } else {
      if (!chunk_.empty()) status_ = SpillChunk();
      while (status_.ok() && runs_.size() > limits_.fan_in) status_ = MergePass();
      std::vector<T>().swap(chunk_);
    }
    sorted_ = true;
    Rewind();
    return status_;
  }

  // Starts reading the sorted records again from the first.
  void Rewind() {
    next_in_chunk_ = 0;
    if (!runs_.empty() && status_.ok()) OpenMerge(0, runs_.size(), &merge_);
  }

  // The next record in order: false at the end or after an error (see status()).
  bool Next(T* out) {
    if (!sorted_ || !status_.ok()) return false;
    if (runs_.empty()) {
      if (next_in_chunk_ >= chunk_.size()) return false;
      *out = chunk_[next_in_chunk_++];
      return true;
    }
    return merge_.Next(out, &status_);
  }

  absl::Status status() const { return status_; }
  uint64_t size() const { return count_; }
  // Sorted runs written to disk (0 when every record fitted in one chunk).
  size_t runs() const { return runs_.size(); }

 private:
  struct Run {
    uint64_t offset = 0;  // In files_[current_], in bytes.
    uint64_t records = 0;
  };

  // Reads one run a buffer at a time.
  struct RunReader {
    const SpillFile* file = nullptr;
    uint64_t offset = 0;
    uint64_t left = 0;  // Records not yet read from the file.
    std::vector<T> buffer;
    size_t at = 0;

    // Whether a record is available at buffer[at], reading more when needed.
    bool Fill(size_t read_records, absl::Status* status) {
      if (at < buffer.size()) return true;
      if (left == 0) return false;
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, read_records));
      buffer.resize(n);
      absl::Status read = file->Read(offset, n * sizeof(T), reinterpret_cast<char*>(buffer.data()));
      if (!read.ok()) {
        *status = read;
        return false;
      }
      offset += n * sizeof(T);
      left -= n;
      at = 0;
      return true;
    }
  };

  // The smallest head of several runs, each read by its RunReader.
  struct Merge {
    ExternalSorter* sorter = nullptr;
    std::vector<RunReader> readers;
    // Indices in `readers`, the smallest head on top.
    std::vector<size_t> heap;

    bool Greater(size_t x, size_t y) const {
      const T& a = readers[x].buffer[readers[x].at];
      const T& b = readers[y].buffer[readers[y].at];
      if (sorter->less_(b, a)) return true;
      if (sorter->less_(a, b)) return false;
      return x > y;  // Equal records: the earlier run first, so merging is deterministic.
    }
    void Push(size_t i) {
      heap.push_back(i);
      std::push_heap(heap.begin(), heap.end(), [&](size_t x, size_t y) { return Greater(x, y); });
    }
    bool Next(T* out, absl::Status* status) {
      if (heap.empty()) return false;
      auto greater = [&](size_t x, size_t y) { return Greater(x, y); };
      std::pop_heap(heap.begin(), heap.end(), greater);
      size_t i = heap.back();
      heap.pop_back();
      RunReader& r = readers[i];
      *out = r.buffer[r.at++];
      if (r.Fill(sorter->limits_.read_records, status)) Push(i);
      return status->ok();
    }
  };

  static ExternalSortLimits Sanitized(ExternalSortLimits l) {
    l.chunk_records = std::max<size_t>(1, l.chunk_records);
    l.fan_in = std::max<size_t>(2, l.fan_in);
    l.read_records = std::max<size_t>(1, l.read_records);
    return l;
  }

  absl::Status SpillChunk() {
    std::sort(chunk_.begin(), chunk_.end(), less_);
    Run run;
    run.records = chunk_.size();
    absl::Status s = files_[current_].Append(
        absl::string_view(reinterpret_cast<const char*>(chunk_.data()), chunk_.size() * sizeof(T)),
        &run.offset);
    chunk_.clear();
    if (s.ok()) runs_.push_back(run);
    return s;
  }

  void OpenMerge(size_t begin, size_t end, Merge* merge) {
    merge->sorter = this;
    merge->readers.clear();
    merge->heap.clear();
    merge->readers.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      RunReader& r = merge->readers[i - begin];
      r.file = &files_[current_];
      r.offset = runs_[i].offset;
      r.left = runs_[i].records;
    }
    for (size_t i = 0; i < merge->readers.size(); ++i) {
      if (merge->readers[i].Fill(limits_.read_records, &status_)) merge->Push(i);
    }
  }

  // Merges every `fan_in` runs into one, in the other file, which then replaces this one.
  absl::Status MergePass() {
    SpillFile& out = files_[1 - current_];
    out = SpillFile(out.beside());
    std::vector<Run> merged;
    std::vector<T> buffer;
    for (size_t begin = 0; begin < runs_.size() && status_.ok(); begin += limits_.fan_in) {
      size_t end = std::min(runs_.size(), begin + limits_.fan_in);
      Run run;
      run.offset = out.size();
      Merge merge;
      OpenMerge(begin, end, &merge);
      T record;
      while (merge.Next(&record, &status_)) {
        buffer.push_back(record);
        ++run.records;
        if (buffer.size() >= limits_.chunk_records) status_ = Write(&out, &buffer);
      }
      if (status_.ok()) status_ = Write(&out, &buffer);
      merged.push_back(run);
    }
    if (!status_.ok()) return status_;
    files_[current_] = SpillFile(files_[current_].beside());  // Frees the old runs.
    current_ = 1 - current_;
    runs_ = std::move(merged);
    return absl::OkStatus();
  }

  static absl::Status Write(SpillFile* file, std::vector<T>* records) {
    uint64_t offset = 0;
    absl::Status s = file->Append(absl::string_view(reinterpret_cast<const char*>(records->data()),
                                                    records->size() * sizeof(T)),
                                  &offset);
    records->clear();
    return s;
  }

  const ExternalSortLimits limits_;
  Less less_;
  SpillFile files_[2];
  int current_ = 0;  // The file runs_ are in.
  std::vector<T> chunk_;
  std::vector<Run> runs_;
  uint64_t count_ = 0;
  bool sorted_ = false;
  size_t next_in_chunk_ = 0;
  Merge merge_;
  absl::Status status_ = absl::OkStatus();
};

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_EXTERNAL_SORT_H_
