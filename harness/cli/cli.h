// The sre-eval command line: dispatch to subcommands, global --help and --version.
#ifndef SRE_EVAL_CLI_CLI_H_
#define SRE_EVAL_CLI_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace sre_eval {

// Runs the command line `args` (args[0] is the program name) and returns the exit code.
// Normal output goes to `out`, errors and diagnostics to `err`.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_CLI_H_
