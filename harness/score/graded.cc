#include "score/graded.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/yaml_reader.h"

namespace sre_eval {

const std::vector<std::string>& GradedKinds() {
  static const std::vector<std::string>* kinds = new std::vector<std::string>{
      "excellent",       "terse",       "wrong_cause", "wrong_numbers",
      "keyword_stuffed", "boilerplate", "refusal",     "confidently_wrong"};
  return *kinds;
}

namespace {

std::string Folder(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::optional<GradedAnswer> ParseAnswer(const YAML::Node& node, const std::string& path,
                                        std::set<std::string>* ids, Diagnostics* diags) {
  size_t before = diags->size();
  YamlMap map(node, path, "answer", {"id", "kind", "grades", "text"}, diags);
  if (!map.valid()) return std::nullopt;
  GradedAnswer a;
  a.line = YamlLine(node);
  a.column = YamlColumn(node);
  if (auto id = map.String("id", true)) {
    a.id = id->value;
    if (!ids->insert(a.id).second) {
      map.ErrorAt(id->line, id->column, absl::StrCat("duplicate answer id '", a.id, "'"));
    }
  }
  if (auto kind = map.String("kind", true)) {
    a.kind = kind->value;
    const std::vector<std::string>& kinds = GradedKinds();
    if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) {
      map.ErrorAt(kind->line, kind->column,
                  absl::StrCat("unknown kind '", a.kind, "'", DidYouMean(a.kind, kinds),
                               "; kinds are ", absl::StrJoin(kinds, ", ")));
    }
  }
  if (auto text = map.String("text", true)) a.text = text->value;
  YAML::Node grades = map.Find("grades");
  if (!grades.IsDefined()) {
    map.ErrorAt(node, "answer is missing required key 'grades'");
  } else {
    a.grades_line = YamlLine(grades);
    a.grades_column = YamlColumn(grades);
    YamlMap grade_map(grades, path, "'grades'", AllDimensions(), diags);
    if (grade_map.valid()) {
      if (grades.size() == 0) map.ErrorAt(grades, "'grades' must not be empty");
      for (auto it = grades.begin(); it != grades.end(); ++it) {
        YAML::Node key = it->first;
        if (!key.IsScalar()) continue;
        const std::vector<std::string>& dims = AllDimensions();
        if (std::find(dims.begin(), dims.end(), key.Scalar()) == dims.end()) continue;
        std::optional<double> value = grade_map.Number(key.Scalar(), true);
        if (!value.has_value()) continue;
        if (*value < 0 || *value > 1) {
          grade_map.ErrorAt(it->second, absl::StrCat("grade for '", key.Scalar(),
                                                     "' must be from 0 to 1, got ", *value));
          continue;
        }
        a.grades.push_back(Grade{key.Scalar(), *value, YamlLine(key), YamlColumn(key)});
      }
    }
  }
  if (diags->size() != before) return std::nullopt;
  return a;
}

}  // namespace

std::optional<GradedFile> ParseGradedFile(const std::string& path, absl::string_view text,
                                          Diagnostics* diags) {
  size_t before = diags->size();
  std::optional<YAML::Node> root = ParseYaml(path, text, diags);
  if (!root.has_value()) return std::nullopt;
  YamlMap map(*root, path, "graded file", {"prompt", "truth", "answers"}, diags);
  if (!map.valid()) return std::nullopt;
  GradedFile file;
  file.path = path;
  if (auto prompt = map.String("prompt", true)) {
    file.prompt_id = prompt->value;
    file.prompt_line = prompt->line;
    file.prompt_column = prompt->column;
  }
  if (auto truth = map.String("truth", true)) {
    file.truth = truth->value;
    file.truth_path = !truth->value.empty() && truth->value[0] == '/' ? truth->value
                                                                      : Folder(path) + truth->value;
    file.truth_line = truth->line;
    file.truth_column = truth->column;
  }
  if (std::optional<YAML::Node> answers = map.List("answers", true)) {
    if (answers->size() == 0) map.ErrorAt(*answers, "'answers' must not be empty");
    std::set<std::string> ids;
    for (const YAML::Node& node : *answers) {
      std::optional<GradedAnswer> a = ParseAnswer(node, path, &ids, diags);
      if (a.has_value()) file.answers.push_back(*std::move(a));
    }
  }
  if (diags->size() != before) return std::nullopt;
  return file;
}

std::optional<GradedFile> LoadGradedFile(const std::string& path, Diagnostics* diags) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{4} << 20);
  if (!text.ok()) {
    std::string message(text.status().message());
    if (message.rfind(path + ": ", 0) == 0) message = message.substr(path.size() + 2);
    diags->Add(path, 0, 0, message);
    return std::nullopt;
  }
  return ParseGradedFile(path, *text, diags);
}

void CheckGradedFile(const GradedFile& file, const Suite& suite, Diagnostics* diags) {
  const Prompt* prompt = suite.FindPrompt(file.prompt_id);
  if (prompt == nullptr) {
    std::vector<std::string> ids;
    for (const Prompt* p : suite.AllPrompts()) ids.push_back(p->id);
    diags->Add(
        file.path, file.prompt_line, file.prompt_column,
        absl::StrCat("unknown prompt '", file.prompt_id, "'", DidYouMean(file.prompt_id, ids)));
    return;
  }
  if (suite.FindRubric(file.prompt_id) == nullptr) {
    diags->Add(file.path, file.prompt_line, file.prompt_column,
               absl::StrCat("prompt '", file.prompt_id, "' has no rubric in the suite"));
  }
  const std::vector<std::string>& want = prompt->dimensions;
  for (const GradedAnswer& a : file.answers) {
    std::set<std::string> given;
    for (const Grade& g : a.grades) {
      given.insert(g.dimension);
      if (std::find(want.begin(), want.end(), g.dimension) == want.end()) {
        diags->Add(file.path, g.line, g.column,
                   absl::StrCat("prompt '", prompt->id, "' has no dimension '", g.dimension,
                                "'; its dimensions are ", absl::StrJoin(want, ", ")));
      }
    }
    std::vector<std::string> missing;
    for (const std::string& d : want) {
      if (given.count(d) == 0) missing.push_back(d);
    }
    if (!missing.empty()) {
      diags->Add(file.path, a.grades_line, a.grades_column,
                 absl::StrCat("answer '", a.id, "' has no grade for ",
                              missing.size() == 1 ? "dimension " : "dimensions ",
                              absl::StrJoin(missing, ", "), " of prompt '", prompt->id, "'"));
    }
  }
}

}  // namespace sre_eval
