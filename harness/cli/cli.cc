#include "cli/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "util/edit_distance.h"

namespace sre_eval {

bool RedrawsInPlace() {
  if (isatty(STDOUT_FILENO) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

namespace {

const std::vector<Command>& Commands() {
  static const std::vector<Command>* commands = new std::vector<Command>{
      {&RunSpec, &RunRun},
      {&RecordSpec, &RunRecord},
      {&ReportSpec, &RunReport},
      {&CompareSpec, &RunCompare},
      {&ScoreSpec, &RunScore},
      {&ValidateSpec, &RunValidate},
      {&CalibrateSpec, &RunCalibrate},
      {&SimSpec, &RunSim},
      {&McpSpec, &RunMcp},
  };
  return *commands;
}

std::string MainHelp() {
  std::string out =
      "usage: sre-eval COMMAND [OPTIONS]\n"
      "\n"
      "Evaluates AI SRE agents on Sock Shop incidents: breaks the application on a\n"
      "Kubernetes cluster, records what really happened, asks the agent the incident\n"
      "guide's questions and scores its answers.\n"
      "\n"
      "commands:\n";
  size_t width = 0;
  for (const Command& c : Commands()) width = std::max(width, c.spec().name.size());
  for (const Command& c : Commands()) {
    const CommandSpec& s = c.spec();
    absl::StrAppend(&out, "  ", s.name, std::string(width - s.name.size() + 2, ' '), s.summary,
                    "\n");
  }
  absl::StrAppend(&out,
                  "\n"
                  "global options:\n"
                  "  -h, --help     show this help (or a command's, after its name)\n"
                  "  --version      print the version and exit\n"
                  "\n"
                  "exit codes:\n"
                  "  0  success\n"
                  "  1  the gate failed (scores under a threshold, or a regression)\n"
                  "  2  bad input (usage, configuration or suite files)\n"
                  "  3  the environment failed (cluster or agent unreachable, a step failed)\n"
                  "\n"
                  "Run 'sre-eval COMMAND --help' for a command's options.\n");
  return out;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) {
    err << "sre-eval: missing command\n"
        << "Run 'sre-eval --help' for the commands.\n";
    return kExitBadInput;
  }
  const std::string& first = args[1];
  if (first == "-h" || first == "--help" || first == "help") {
    if (first == "help" && args.size() > 2) {
      for (const Command& c : Commands()) {
        if (c.spec().name == args[2]) {
          out << CommandHelp(c.spec());
          return kExitOk;
        }
      }
      err << "sre-eval: unknown command '" << args[2] << "'\n";
      return kExitBadInput;
    }
    out << MainHelp();
    return kExitOk;
  }
  if (first == "--version") {
    out << "sre-eval " << SRE_EVAL_VERSION << "\n";
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const Command& c : Commands()) {
    const CommandSpec& spec = c.spec();
    names.push_back(spec.name);
    if (spec.name != first) continue;
    std::vector<std::string> rest(args.begin() + 2, args.end());
    absl::StatusOr<ParsedArgs> parsed = ParseArgs(spec, rest);
    if (!parsed.ok()) {
      err << "sre-eval " << spec.name << ": " << parsed.status().message() << "\n"
          << UsageLine(spec) << "\n";
      return kExitBadInput;
    }
    if (parsed->help) {
      out << CommandHelp(spec);
      return kExitOk;
    }
    return c.run(*parsed, out, err);
  }
  if (!first.empty() && first[0] == '-') {
    err << "sre-eval: unknown option '" << first << "'\n";
  } else {
    err << "sre-eval: unknown command '" << first << "'" << DidYouMean(first, names) << "\n";
  }
  err << "Run 'sre-eval --help' for the commands.\n";
  return kExitBadInput;
}

}  // namespace sre_eval
