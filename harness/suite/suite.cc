#include "suite/suite.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "util/edit_distance.h"
#include "util/file_util.h"

namespace sre_eval {

std::string SuitePath(const std::string& root, const std::string& relative) {
  if (root.empty() || root == ".") return relative;
  if (root.back() == '/') return root + relative;
  return absl::StrCat(root, "/", relative);
}

const Prompt* Suite::FindPrompt(const std::string& id) const {
  for (const PromptFile& f : prompt_files) {
    for (const Prompt& p : f.prompts) {
      if (p.id == id) return &p;
    }
  }
  return nullptr;
}

const Rubric* Suite::FindRubric(const std::string& prompt_id) const {
  for (const Rubric& r : rubrics) {
    if (r.prompt_id == prompt_id) return &r;
  }
  return nullptr;
}

size_t Suite::prompt_count() const {
  size_t n = 0;
  for (const PromptFile& f : prompt_files) n += f.prompts.size();
  return n;
}

std::vector<const Prompt*> Suite::AllPrompts() const {
  std::vector<const Prompt*> out;
  for (const PromptFile& f : prompt_files) {
    for (const Prompt& p : f.prompts) out.push_back(&p);
  }
  return out;
}

namespace {

// The YAML files directly in `dir`, sorted; an error message when it cannot be listed.
std::vector<std::string> ListYamlFiles(const std::string& dir, std::string* error) {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    *error = ec == std::errc::no_such_file_or_directory ? "no such directory" : ec.message();
    return names;
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (absl::EndsWith(name, ".yaml") || absl::EndsWith(name, ".yml")) names.push_back(name);
  }
  if (ec) *error = ec.message();
  std::sort(names.begin(), names.end());
  return names;
}

void CheckCrossFile(Suite* suite, Diagnostics* diags) {
  std::map<std::string, const Prompt*> first;
  std::vector<std::string> ids;
  for (const Prompt* p : suite->AllPrompts()) {
    auto [it, inserted] = first.emplace(p->id, p);
    if (!inserted) {
      diags->Add(p->file, p->line, p->column,
                 absl::StrCat("duplicate prompt id '", p->id, "'; first defined at ",
                              it->second->file, ":", it->second->line, ":", it->second->column));
    } else {
      ids.push_back(p->id);
    }
  }
  for (const Prompt* p : suite->AllPrompts()) {
    if (p->continues.empty()) continue;
    if (first.count(p->continues) == 0) {
      diags->Add(p->file, p->continues_line, p->continues_column,
                 absl::StrCat("'continues' names unknown prompt '", p->continues, "'",
                              DidYouMean(p->continues, ids)));
      continue;
    }
    // Follow the chain; report a cycle once, at the prompt where it is first seen.
    std::vector<std::string> chain = {p->id};
    std::set<std::string> seen = {p->id};
    const Prompt* at = first.at(p->continues);
    while (at != nullptr) {
      chain.push_back(at->id);
      if (at->id == p->id) {
        // Every member of the cycle sees it; report it once, at its smallest id.
        if (*std::min_element(chain.begin(), chain.end()) != p->id) break;
        diags->Add(p->file, p->continues_line, p->continues_column,
                   absl::StrCat("'continues' makes a cycle: ", absl::StrJoin(chain, " -> ")));
        break;
      }
      if (!seen.insert(at->id).second || at->continues.empty()) break;
      auto next = first.find(at->continues);
      at = next == first.end() ? nullptr : next->second;
    }
  }
}

}  // namespace

Suite LoadSuite(const std::string& root, Diagnostics* diags) {
  Suite suite;
  suite.root = root;
  std::string prompts_dir = SuitePath(root, "prompts");
  std::string error;
  std::vector<std::string> names = ListYamlFiles(prompts_dir, &error);
  if (!error.empty()) {
    diags->Add(prompts_dir + "/", 0, 0, error);
    return suite;
  }
  if (names.empty()) {
    diags->Add(prompts_dir + "/", 0, 0, "no prompt files (*.yaml)");
    return suite;
  }
  for (const std::string& name : names) {
    std::string path = SuitePath(root, "prompts/" + name);
    absl::StatusOr<std::string> text = ReadFile(path, kMaxSuiteFileBytes);
    if (!text.ok()) {
      struct stat st;
      if (absl::IsResourceExhausted(text.status()) && stat(path.c_str(), &st) == 0) {
        diags->Add(path, 0, 0,
                   absl::StrCat("file is ", st.st_size, " bytes, over the limit of ",
                                kMaxSuiteFileBytes, " bytes for a suite file"));
      } else {
        // ReadFile's message already starts with the path.
        std::string message(text.status().message());
        if (absl::StartsWith(message, path + ": ")) message = message.substr(path.size() + 2);
        diags->Add(path, 0, 0, message);
      }
      continue;
    }
    suite.prompt_files.push_back(ParsePromptFile(path, *text, diags));
  }
  CheckCrossFile(&suite, diags);
  return suite;
}

}  // namespace sre_eval
