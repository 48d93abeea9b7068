// sre-eval validate: checks the suite's files and reports every problem at once.
#include <sys/stat.h>

#include <cstdlib>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "suite/fact_schema.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Plural(size_t n, const std::string& word) {
  return absl::StrCat(n, " ", word, n == 1 ? "" : "s");
}

}  // namespace

std::string ResolveSuiteRoot(const ParsedArgs& args) {
  if (args.Has("suite")) return args.Get("suite");
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the harness never modifies its environment.
  if (const char* env = std::getenv("SRE_EVAL_SUITE"); env != nullptr && *env != '\0') {
    return env;
  }
  if (IsDirectory("prompts")) return ".";
  return SRE_EVAL_SOURCE_SUITE;
}

const CommandSpec& ValidateSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "validate",
      "check the suite's prompt files and report every problem",
      "",
      0,
      0,
      "Reads prompts/*.yaml in the suite and checks each file and all of them together:\n"
      "YAML syntax, unknown keys (with a suggestion), wrong types, missing fields, duplicate\n"
      "ids, template references to facts that are not declared, 'continues' naming a\n"
      "prompt that does not exist. Every problem is printed as FILE:LINE:COLUMN: MESSAGE.\n"
      "\n"
      "The suite is --suite DIR, else $SRE_EVAL_SUITE, else the current directory when it\n"
      "has a prompts/ folder, else the suite shipped with sre-eval.\n"
      "\n"
      "Exit code 0 when the suite is clean, 2 when any problem was found.",
      {
          {"suite", "DIR", "the suite folder (holding prompts/)"},
          {"facts", "", "print the declared ground-truth facts templates may use, and exit"},
      }};
  return *spec;
}

int RunValidate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (args.Has("facts")) {
    out << FactSchemaMarkdown();
    return kExitOk;
  }
  std::string root = ResolveSuiteRoot(args);
  if (!IsDirectory(root)) {
    err << "sre-eval validate: suite folder '" << root << "' does not exist\n";
    return kExitBadInput;
  }
  Diagnostics diags;
  Suite suite = LoadSuite(root, &diags);
  if (!diags.empty()) {
    for (const Diagnostic& d : diags.Sorted()) err << d.ToString() << "\n";
    err << "validate: " << Plural(diags.size(), "error") << " in "
        << Plural(diags.FileCount(), "file") << "\n";
    return kExitBadInput;
  }
  out << Plural(suite.prompt_count(), "prompt") << ": ok\n";
  return kExitOk;
}

}  // namespace sre_eval
