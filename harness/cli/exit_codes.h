// The process exit codes every command uses (documented in --help and the README).
#ifndef SRE_EVAL_CLI_EXIT_CODES_H_
#define SRE_EVAL_CLI_EXIT_CODES_H_

namespace sre_eval {

inline constexpr int kExitOk = 0;
inline constexpr int kExitGateFailed = 1;   // Scores under a threshold, or a regression.
inline constexpr int kExitBadInput = 2;     // Usage, configuration or suite file errors.
inline constexpr int kExitEnvironment = 3;  // Cluster or agent unreachable, a step failed.

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_EXIT_CODES_H_
