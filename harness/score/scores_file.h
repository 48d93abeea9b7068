// Writing scores.json without holding every answer in memory (`sre-eval score` on a run of
// any length): each answer's JSON is appended to a spill file as soon as it is scored, and
// Commit assembles the file, in the order scores.json lists the answers, from the spill.
// The bytes are exactly ScoresJson's (score/scores_json.h) for the same answers.
//
// Both temporary files live in the target's folder. The spill is unlinked as soon as it is
// created, so nothing is left behind even by a crash; the result replaces the target as
// WriteFileAtomically does (temporary file, fsync, rename, fsync of the folder): a reader sees
// the old file or the new one, and on any error the old one is untouched.
#ifndef SRE_EVAL_SCORE_SCORES_FILE_H_
#define SRE_EVAL_SCORE_SCORES_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "score/run_scores.h"
#include "util/external_sort.h"

namespace sre_eval {

// Memory: about 1 MiB of buffer, whatever the number of answers. Not thread-safe.
class ScoresFileWriter {
 public:
  // `path`: the file to replace, e.g. RUN_DIR/scores.json.
  explicit ScoresFileWriter(std::string path);

  // Appends one answer; returns its token for Commit (ScoreRunStreaming's on_answer). The first
  // error (creating or writing the spill) is kept and returned by Commit; later answers are
  // then dropped.
  uint64_t Add(const ScoredAnswer& answer);

  // Add in two steps, so that the costly one can run on the scoring threads: Render (thread-
  // safe, ScoreRunStreaming's render) makes an answer's entry, AddRendered appends it.
  static void Render(const ScoredAnswer& answer, std::string* entry);
  uint64_t AddRendered(absl::string_view entry);

  // Writes the file: the head and tail from `scores` (its `answers` are not read), then the
  // answers added, in the order `order` gives their tokens (ScoreRunStreaming's on_scores).
  // An answer may be left out, not given twice. The error message names the file or the
  // temporary file that failed.
  absl::Status Commit(const RunScores& scores, AnswerOrder* order);

 private:
  absl::Status FlushSpill();

  std::string path_;
  SpillFile spill_;  // The answers' entries, created beside path_ on the first write.
  // Not yet written. Each answer is its size (4 bytes, little-endian) and its JSON, and its
  // token is where that starts in the spill.
  std::string buffer_;
  absl::Status status_ = absl::OkStatus();
};

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_SCORES_FILE_H_
