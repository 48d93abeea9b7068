// sre-eval validate: checks the suite's files and reports every problem at once.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/config.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "incident/incident.h"
#include "suite/fact_schema.h"
#include "suite/suite.h"
#include "util/diagnostic.h"
#include "util/edit_distance.h"

namespace sre_eval {

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Every incident has a prompt file and every prompt file names an incident. Like LoadSuite's
// checks between files, a direction a broken file could have caused is left out.
void CheckIncidentsAgainstPrompts(const Suite& suite,
                                  const std::vector<incident::Incident>& incidents,
                                  bool prompts_clean, bool incidents_clean, Diagnostics* diags) {
  std::vector<std::string> ids;
  for (const incident::Incident& i : incidents) ids.push_back(i.id);
  if (incidents_clean) {
    for (const PromptFile& f : suite.prompt_files) {
      if (f.incident.empty() || std::find(ids.begin(), ids.end(), f.incident) != ids.end()) {
        continue;
      }
      diags->Add(f.path, 0, 0,
                 absl::StrCat("incident '", f.incident, "' has no file in incidents/",
                              DidYouMean(f.incident, ids)));
    }
  }
  if (!prompts_clean) return;
  for (const incident::Incident& i : incidents) {
    bool asked = false;
    for (const PromptFile& f : suite.prompt_files) asked = asked || f.incident == i.id;
    if (!asked) {
      diags->Add(i.file, 0, 0,
                 absl::StrCat("incident '", i.id,
                              "' has no prompt file (add one to prompts/ with "
                              "'incident: ",
                              i.id, "')"));
    }
  }
}

// "agent 'gpt-4o-mini' (openai): ok".
std::string AgentSummary(const agent::AgentConfig& config) {
  return absl::StrCat("agent '", config.name, "' (", config.kind, "): ok");
}

int ValidateAgent(const std::string& path, std::ostream& out, std::ostream& err) {
  Diagnostics diags;
  absl::StatusOr<agent::AgentConfig> config =
      agent::LoadAgentConfig(path, agent::ProcessEnv(), /*expand=*/false, &diags);
  if (!diags.empty()) {
    PrintDiagnostics(diags, "validate", "", err);
    return kExitBadInput;
  }
  out << AgentSummary(*config) << "\n";
  return kExitOk;
}

}  // namespace

std::string Plural(size_t n, const std::string& word) {
  return absl::StrCat(n, " ", word, n == 1 ? "" : "s");
}

void PrintDiagnostics(const Diagnostics& diags, const std::string& command,
                      const std::string& where, std::ostream& err) {
  for (const Diagnostic& d : diags.Sorted()) err << d.ToString() << "\n";
  err << command << ": " << Plural(diags.size(), "error") << " in "
      << Plural(diags.FileCount(), "file") << where << "\n";
}

const char kSuiteHelp[] =
    "The suite is --suite DIR, else $SRE_EVAL_SUITE, else the current directory when it\n"
    "has a prompts/ folder, else the suite shipped with sre-eval.\n";

bool LoadCompiledSuite(const std::string& root, const std::string& command,
                       const std::string& nothing_done, Suite* suite, RubricSet* rubrics,
                       std::ostream& err) {
  Diagnostics problems;
  *suite = LoadSuite(root, &problems);
  *rubrics = RubricSet::Compile(*suite, &problems);
  if (problems.empty()) return true;
  PrintDiagnostics(problems, command, absl::StrCat(" of the suite '", root, "'", nothing_done),
                   err);
  return false;
}

std::map<std::string, std::vector<EvidencePattern>> SuiteEvidence(const std::string& root) {
  std::map<std::string, std::vector<EvidencePattern>> out;
  Diagnostics ignored;
  absl::StatusOr<std::vector<incident::Incident>> incidents =
      incident::LoadIncidents(absl::StrCat(root, "/incidents"), &ignored);
  if (!incidents.ok()) return out;
  for (const incident::Incident& i : *incidents) {
    for (const incident::EvidenceSource& e : i.evidence) {
      out[i.id].push_back({e.resource, e.name, e.query});
    }
  }
  return out;
}

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
      "check the suite's prompts, rubrics and incidents (or an agent file); report every problem",
      "",
      0,
      0,
      "Reads prompts/*.yaml and rubrics/*.yaml in the suite and checks each file and all of\n"
      "them together: YAML syntax, unknown keys (with a suggestion), wrong types, missing\n"
      "fields, duplicate ids, template references and rubric criteria naming facts that are\n"
      "not declared or of the wrong type, rubric regexes that do not compile with RE2,\n"
      "'continues' naming a prompt that does not exist, a rubric for an unknown prompt, two\n"
      "rubrics for one prompt, a prompt with no rubric, and a rubric whose dimensions are not\n"
      "exactly its prompt's. When the suite has an incidents/ folder, every incidents/*.yaml\n"
      "is checked too: unknown or missing keys, steps without exactly one action, bad\n"
      "durations, marks set twice, manifests that are missing or are not Kubernetes objects,\n"
      "an id that differs from the file name, and an incident with no prompt file or a\n"
      "prompt file for an unknown incident. Every problem is printed as\n"
      "FILE:LINE:COLUMN: MESSAGE.\n"
      "\n" +
          std::string(kSuiteHelp) +
          "\n"
          "With --agent FILE, checks that agent configuration file instead (agents/*.yaml):\n"
          "unknown keys, wrong types, missing keys for its kind, durations, retries, URLs,\n"
          "JSON Pointers and the syntax of ${NAME} references, which are not expanded (their\n"
          "variables need not be set). The suite is checked too only when --suite is also given.\n"
          "\n"
          "Exit code 0 when everything checked is clean, 2 when any problem was found.",
      {
          {"suite", "DIR", "the suite folder (holding prompts/ and rubrics/)"},
          {"facts", "",
           "print the declared ground-truth facts templates and rubrics may use, and exit"},
          {"agent", "FILE", "check this agent configuration file (see agents/README.md)"},
      }};
  return *spec;
}

int RunValidate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (args.Has("facts")) {
    out << FactSchemaMarkdown();
    return kExitOk;
  }
  bool check_agent = args.Has("agent");
  if (check_agent && !args.Has("suite")) return ValidateAgent(args.Get("agent"), out, err);
  std::string root = ResolveSuiteRoot(args);
  if (!IsDirectory(root)) {
    err << "sre-eval validate: suite folder '" << root << "' does not exist\n";
    return kExitBadInput;
  }
  Diagnostics diags;
  Suite suite = LoadSuite(root, &diags);
  bool prompts_clean = diags.empty();
  std::string incidents_dir = SuitePath(root, "incidents");
  bool has_incidents = IsDirectory(incidents_dir);
  std::vector<incident::Incident> incidents;
  if (has_incidents) {
    absl::StatusOr<std::vector<incident::Incident>> loaded =
        incident::LoadIncidents(incidents_dir, &diags);
    if (loaded.ok()) incidents = *std::move(loaded);
    CheckIncidentsAgainstPrompts(suite, incidents, prompts_clean, loaded.ok(), &diags);
  }
  absl::StatusOr<agent::AgentConfig> agent_config;
  if (check_agent) {
    agent_config = agent::LoadAgentConfig(args.Get("agent"), agent::ProcessEnv(),
                                          /*expand=*/false, &diags);
  }
  if (!diags.empty()) {
    PrintDiagnostics(diags, "validate", "", err);
    return kExitBadInput;
  }
  if (check_agent) out << AgentSummary(*agent_config) << "\n";
  out << Plural(suite.prompt_count(), "prompt") << ", " << Plural(suite.rubrics.size(), "rubric");
  if (has_incidents) out << ", " << Plural(incidents.size(), "incident");
  out << ": ok\n";
  return kExitOk;
}

}  // namespace sre_eval
