#include "suite/suite.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

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

namespace {

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

// Reads one suite file. On failure reports it at the file and returns nullopt.
std::optional<std::string> ReadSuiteFile(const std::string& path, Diagnostics* diags) {
  absl::StatusOr<std::string> text = ReadFile(path, kMaxSuiteFileBytes);
  if (text.ok()) return *std::move(text);
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
  return std::nullopt;
}

// The paths of the YAML files in `root`/`folder`, in name order. A folder that cannot be
// listed or holds no YAML file is reported ("no prompt files (*.yaml)" for `noun` "prompt").
std::vector<std::string> SuiteFiles(const std::string& root, const std::string& folder,
                                    const std::string& noun, Diagnostics* diags) {
  std::string dir = SuitePath(root, folder);
  std::string error;
  std::vector<std::string> names = ListYamlFiles(dir, &error);
  if (!error.empty()) {
    diags->Add(dir + "/", 0, 0, error);
    return {};
  }
  if (names.empty()) diags->Add(dir + "/", 0, 0, absl::StrCat("no ", noun, " files (*.yaml)"));
  std::vector<std::string> paths;
  for (const std::string& name : names) paths.push_back(SuitePath(root, folder + "/" + name));
  return paths;
}

std::string Position(const std::string& file, int line, int column) {
  return absl::StrCat(file, ":", line, ":", column);
}

// Checks each rubric against its prompt, and that every prompt has exactly one rubric.
// `prompts_clean` and `rubrics_clean` say whether those files loaded without error; the
// checks a broken file could have caused are skipped otherwise (see LoadSuite).
void CheckRubrics(const Suite& suite, bool prompts_clean, bool rubrics_clean, Diagnostics* diags) {
  std::vector<std::string> prompt_ids;
  for (const Prompt* p : suite.AllPrompts()) prompt_ids.push_back(p->id);
  std::map<std::string, const Rubric*> first;
  for (const Rubric& r : suite.rubrics) {
    const Prompt* prompt = suite.FindPrompt(r.prompt_id);
    if (prompt == nullptr) {
      if (prompts_clean) {
        diags->Add(r.file, r.prompt_line, r.prompt_column,
                   absl::StrCat("rubric for unknown prompt '", r.prompt_id, "'",
                                DidYouMean(r.prompt_id, prompt_ids)));
      }
      continue;
    }
    auto [it, inserted] = first.emplace(r.prompt_id, &r);
    if (!inserted) {
      const Rubric& f = *it->second;
      diags->Add(r.file, r.prompt_line, r.prompt_column,
                 absl::StrCat("duplicate rubric for prompt '", r.prompt_id, "'; first defined at ",
                              Position(f.file, f.prompt_line, f.prompt_column)));
      continue;
    }
    const std::vector<std::string>& want = prompt->dimensions;
    for (const RubricDimension& d : r.dimensions) {
      if (std::find(want.begin(), want.end(), d.name) == want.end()) {
        diags->Add(r.file, d.line, d.column,
                   absl::StrCat("prompt '", prompt->id, "' has no dimension '", d.name,
                                "'; its dimensions are ", absl::StrJoin(want, ", ")));
      }
    }
    for (const std::string& name : want) {
      if (r.FindDimension(name) == nullptr) {
        diags->Add(r.file, r.dimensions_line, r.dimensions_column,
                   absl::StrCat("rubric has no criteria for dimension '", name, "' of prompt '",
                                prompt->id, "'"));
      }
    }
  }
  if (!rubrics_clean) return;
  std::set<std::string> reported;
  for (const Prompt* p : suite.AllPrompts()) {
    if (first.count(p->id) == 0 && reported.insert(p->id).second) {
      diags->Add(p->file, p->line, p->column,
                 absl::StrCat("prompt '", p->id, "' has no rubric (add one to rubrics/)"));
    }
  }
}

}  // namespace

Suite LoadSuite(const std::string& root, Diagnostics* diags) {
  Suite suite;
  suite.root = root;
  size_t before = diags->size();
  std::vector<std::string> prompt_paths = SuiteFiles(root, "prompts", "prompt", diags);
  // Diagnostics of SuiteFiles come first for each folder, as they did when the files were
  // read one after the other; the rubric folder's are kept aside until the prompts' are in.
  Diagnostics rubric_listing;
  std::vector<std::string> rubric_paths = SuiteFiles(root, "rubrics", "rubric", &rubric_listing);

  // The files are read and parsed on a few threads (YAML parsing is most of the time of a
  // `score` of a few thousand answers); each file's results and diagnostics are then taken
  // in the order of the files, so the outcome is the same as one file after the other.
  struct Loaded {
    Diagnostics diags;
    std::optional<PromptFile> prompts;
    std::optional<Rubric> rubric;
  };
  const size_t files = prompt_paths.size() + rubric_paths.size();
  std::vector<Loaded> loaded(files);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < files; i = next++) {
      Loaded& l = loaded[i];
      bool is_prompt = i < prompt_paths.size();
      const std::string& path = is_prompt ? prompt_paths[i] : rubric_paths[i - prompt_paths.size()];
      std::optional<std::string> text = ReadSuiteFile(path, &l.diags);
      if (!text.has_value()) continue;
      if (is_prompt) {
        l.prompts = ParsePromptFile(path, *text, &l.diags);
      } else {
        l.rubric = ParseRubricFile(path, *text, &l.diags);
      }
    }
  };
  const size_t threads =
      std::min<size_t>(files, std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
  }

  auto take = [&](Loaded& l) {
    for (const Diagnostic& d : l.diags.list()) diags->Add(d);
  };
  for (size_t i = 0; i < prompt_paths.size(); ++i) {
    take(loaded[i]);
    if (loaded[i].prompts.has_value()) suite.prompt_files.push_back(*std::move(loaded[i].prompts));
  }
  bool prompts_clean = diags->size() == before;
  before = diags->size();
  for (const Diagnostic& d : rubric_listing.list()) diags->Add(d);
  for (size_t i = prompt_paths.size(); i < files; ++i) {
    take(loaded[i]);
    if (loaded[i].rubric.has_value()) suite.rubrics.push_back(*std::move(loaded[i].rubric));
  }
  bool rubrics_clean = diags->size() == before;
  CheckCrossFile(&suite, diags);
  CheckRubrics(suite, prompts_clean, rubrics_clean, diags);
  return suite;
}

}  // namespace sre_eval
