#include "score/scores_file.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "score/scores_json.h"
#include "util/file_util.h"

namespace sre_eval {

namespace {

// Buffered bytes are written out past this size.
constexpr size_t kBufferBytes = size_t{1} << 20;

}  // namespace

ScoresFileWriter::ScoresFileWriter(std::string path)
    : path_(std::move(path)), spill_(path_, "answers") {}

uint64_t ScoresFileWriter::Add(const ScoredAnswer& answer) {
  if (!status_.ok()) return 0;
  std::string entry;
  Render(answer, &entry);
  return AddRendered(entry);
}

void ScoresFileWriter::Render(const ScoredAnswer& answer, std::string* entry) {
  entry->assign(4, '\0');
  AppendAnswerJson(answer, entry);
  uint64_t size = entry->size() - 4;
  if (size > UINT32_MAX) {
    entry->clear();  // AddRendered reports it.
    return;
  }
  for (int i = 0; i < 4; ++i) (*entry)[i] = static_cast<char>((size >> (8 * i)) & 0xff);
}

uint64_t ScoresFileWriter::AddRendered(absl::string_view entry) {
  if (!status_.ok()) return 0;
  if (entry.size() < 4) {
    status_ = absl::ResourceExhaustedError(
        absl::StrCat("writing ", path_, ": an answer's entry is over 4 GiB"));
    return 0;
  }
  uint64_t token = spill_.size() + buffer_.size();
  buffer_.append(entry.data(), entry.size());
  if (buffer_.size() >= kBufferBytes) status_ = FlushSpill();
  return token;
}

absl::Status ScoresFileWriter::FlushSpill() {
  if (buffer_.empty()) return absl::OkStatus();
  uint64_t offset = 0;
  absl::Status written = spill_.Append(buffer_, &offset);
  buffer_.clear();
  return written;
}

absl::Status ScoresFileWriter::Commit(const RunScores& scores, AnswerOrder* order) {
  if (status_.ok()) status_ = FlushSpill();
  if (!status_.ok()) return status_;
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(path_);
  if (!out.ok()) return out.status();

  std::string text = ScoresJsonHead(scores);
  absl::Status status = absl::OkStatus();
  size_t written = 0;
  uint64_t token = 0;
  while (status.ok() && order->Next(&token)) {
    unsigned char size_bytes[4];
    if (token + 4 > spill_.size()) {
      status = absl::InternalError(absl::StrCat("writing ", path_, ": no answer at ", token));
      break;
    }
    status = spill_.Read(token, 4, reinterpret_cast<char*>(size_bytes));
    if (!status.ok()) break;
    size_t size = 0;
    for (int i = 0; i < 4; ++i) size |= size_t{size_bytes[i]} << (8 * i);
    text.append(ScoresJsonAnswerSeparator(written++));
    size_t at = text.size();
    text.resize(at + size);
    status = spill_.Read(token + 4, size, &text[at]);
    if (status.ok() && text.size() >= kBufferBytes) {
      status = out->Append(text);
      text.clear();
    }
  }
  if (status.ok()) status = order->status();
  if (status.ok()) {
    text.append(ScoresJsonTail(scores, written));
    status = out->Append(text);
  }
  if (!status.ok()) return status;  // `out` removes its temporary file.
  return out->Commit();
}

}  // namespace sre_eval
