// Command-line options for one subcommand, declared once: the same declaration parses the
// arguments and writes the command's --help.
#ifndef SRE_EVAL_CLI_ARG_PARSER_H_
#define SRE_EVAL_CLI_ARG_PARSER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sre_eval {

struct OptionSpec {
  std::string name;        // Without dashes: "suite" for --suite.
  std::string value_name;  // "DIR"; empty for a flag that takes no value.
  std::string help;
  bool repeated = false;  // May be given more than once.
};

struct CommandSpec {
  std::string name;         // "validate"
  std::string summary;      // One line for the command list.
  std::string positionals;  // Usage text for positional arguments: "RUN_DIR", or "".
  size_t min_positionals = 0;
  size_t max_positionals = 0;
  std::string description;  // Paragraphs after the usage line in --help.
  std::vector<OptionSpec> options;
};

struct ParsedArgs {
  bool help = false;
  std::map<std::string, std::vector<std::string>> values;  // Flags map to {""}.
  std::vector<std::string> positionals;

  bool Has(const std::string& name) const { return values.count(name) != 0; }
  // The last value given for `name`, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Parses `args` (the words after the command name). Accepts --name VALUE, --name=VALUE, and
// "--" to end options. -h and --help set `help` and skip all other checks. Errors are
// InvalidArgument with a one-line message: "unknown option '--sute' (did you mean
// '--suite'?)", "option '--suite' needs a value", "option '--suite' was given twice",
// "unexpected argument 'x'", "missing RUN_DIR".
absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args);

// "usage: sre-eval NAME [--opt VALUE]... POSITIONALS"
std::string UsageLine(const CommandSpec& spec);

// The whole --help text of a command.
std::string CommandHelp(const CommandSpec& spec);

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_ARG_PARSER_H_
