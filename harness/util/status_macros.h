// Early-return helpers for absl::Status and absl::StatusOr.
//
// The Debian Abseil (20220623) ships no ABSL_RETURN_IF_ERROR, so the project keeps these two.
//
//   RETURN_IF_ERROR(WriteFileAtomically(path, data));
//   ASSIGN_OR_RETURN(std::string text, ReadFile(path));
#ifndef SRE_EVAL_UTIL_STATUS_MACROS_H_
#define SRE_EVAL_UTIL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SRE_EVAL_CONCAT_INNER(a, b) a##b
#define SRE_EVAL_CONCAT(a, b) SRE_EVAL_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function when not ok.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status sre_eval_status_ = (expr);            \
    if (!sre_eval_status_.ok()) return sre_eval_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise moves the
// value into `lhs`, which may be a declaration: ASSIGN_OR_RETURN(auto x, F());
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  SRE_EVAL_ASSIGN_OR_RETURN_IMPL(SRE_EVAL_CONCAT(sre_eval_statusor_, __LINE__), lhs, rexpr)

#define SRE_EVAL_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // SRE_EVAL_UTIL_STATUS_MACROS_H_
