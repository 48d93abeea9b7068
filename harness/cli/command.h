// What every subcommand provides to the dispatcher.
#ifndef SRE_EVAL_CLI_COMMAND_H_
#define SRE_EVAL_CLI_COMMAND_H_

#include <iosfwd>
#include <memory>
#include <string>

#include <map>
#include <vector>

#include "cli/arg_parser.h"
#include "report/process.h"
#include "score/engine.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "util/diagnostic.h"
#include "util/http_client.h"

namespace sre_eval {

struct Command {
  const CommandSpec& (*spec)();
  // Runs with parsed arguments; returns the exit code.
  int (*run)(const ParsedArgs& args, std::ostream& out, std::ostream& err);
};

// The validate command (validate_command.cc).
const CommandSpec& ValidateSpec();
int RunValidate(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The score command (score_command.cc).
const CommandSpec& ScoreSpec();
int RunScore(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// Unless --no-judge was given, the judge the environment configures (null when none is);
// false, after printing why as "sre-eval COMMAND: ...", when the configuration is bad.
// Shared by score and calibrate (defined in score_command.cc).
bool JudgeForCommand(const ParsedArgs& args, const char* command, HttpClient* http,
                     std::ostream& err, std::unique_ptr<Judge>* judge);

// The calibrate command (calibrate_command.cc).
const CommandSpec& CalibrateSpec();
int RunCalibrate(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The run command (run_command.cc).
const CommandSpec& RunSpec();
int RunRun(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The record command (record_command.cc).
const CommandSpec& RecordSpec();
int RunRecord(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The sim command (sim_command.cc).
const CommandSpec& SimSpec();
int RunSim(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The mcp command (mcp_command.cc).
const CommandSpec& McpSpec();
int RunMcp(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The compare command (compare_command.cc).
const CommandSpec& CompareSpec();
int RunCompare(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// The report command (report_command.cc).
const CommandSpec& ReportSpec();
int RunReport(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// "1 error", "3 files".
std::string Plural(size_t n, const std::string& word);

// Prints every diagnostic as FILE:LINE:COLUMN: MESSAGE, then
// "COMMAND: N errors in M files" + `where`.
void PrintDiagnostics(const Diagnostics& diags, const std::string& command,
                      const std::string& where, std::ostream& err);

// The suite to use: --suite if given, else $SRE_EVAL_SUITE, else the current directory when
// it has a prompts/ folder, else the suite in the source tree the binary was built from.
std::string ResolveSuiteRoot(const ParsedArgs& args);

// The paragraph of --help that says so (ends with a newline).
extern const char kSuiteHelp[];

// Loads the suite at `root` into `suite` and compiles its rubrics into `rubrics` (which refers
// to `suite`: keep both where they are). On any problem prints every diagnostic and
// "COMMAND: N errors in M files of the suite 'ROOT'" + `nothing_done`, and returns false.
bool LoadCompiledSuite(const std::string& root, const std::string& command,
                       const std::string& nothing_done, Suite* suite, RubricSet* rubrics,
                       std::ostream& err);

// Each incident's evidence sources (its file's `evidence`), by incident id, from the suite at
// `root` (report/process.h times an agent's first read of one). Incident files that do not
// load give none (validate reports them).
std::map<std::string, std::vector<EvidencePattern>> SuiteEvidence(const std::string& root);

// Whether progress lines may redraw in place ("\r" and erase-to-end-of-line): stdout is a
// terminal and TERM is not "dumb". Otherwise progress is plain lines, a line a minute of
// waiting at most.
bool RedrawsInPlace();

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_COMMAND_H_
