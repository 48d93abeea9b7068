#include "suite/prompt.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "util/edit_distance.h"
#include "util/utf8.h"
#include "util/yaml_reader.h"

namespace sre_eval {

const std::vector<std::string>& AllDimensions() {
  static const std::vector<std::string>* dims =
      new std::vector<std::string>{"detection", "diagnosis", "impact", "remediation", "outcome"};
  return *dims;
}

namespace {

// Lowercase letters, digits and '_' in dot-separated parts: "i1.why_crash".
bool IsValidId(absl::string_view id, bool allow_dots, bool allow_dash) {
  if (id.empty() || id.front() == '.' || id.back() == '.') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = absl::ascii_islower(static_cast<unsigned char>(c)) ||
              absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_' ||
              (allow_dots && c == '.') || (allow_dash && c == '-');
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

// Where byte `offset` of a string value stands in the file. The value's text is searched for
// in the file from the value's start, so the position is exact for plain, quoted and block
// scalars alike (short of escapes in front of it).
void PositionInFile(absl::string_view file_text, const YamlString& value, absl::string_view needle,
                    int* line, int* column) {
  size_t at = file_text.find(needle, value.offset);
  if (at == absl::string_view::npos || needle.empty()) {
    *line = value.line;
    *column = value.column;
    return;
  }
  LineAndColumn(file_text, at, line, column);
}

// The verbs an action task may allow: writes kubectl makes to fix a deployment (scale, set
// resources, rollout restart, autoscale).
const std::vector<std::string>& ActVerbs() {
  static const auto* verbs = new std::vector<std::string>{"create", "update", "patch", "delete"};
  return *verbs;
}

void ParseAct(const YAML::Node& node, const std::string& path, Diagnostics* diags, ActTask* act) {
  YamlMap map(node, path, "act",
              {"budget", "allow", "may_change", "ready", "restart", "latency_ms", "keep"}, diags);
  if (!map.valid()) return;
  act->defined = true;
  if (std::optional<YamlString> b = map.String("budget", false); b.has_value()) {
    absl::Duration d;
    if (!absl::ParseDuration(b->value, &d) || d <= absl::ZeroDuration() || d > absl::Hours(2) ||
        absl::Trunc(d, absl::Seconds(1)) != d) {
      map.ErrorAt(b->line, b->column,
                  absl::StrCat("'budget' must be whole seconds from 1s to 2h, like 10m, got '",
                               b->value, "'"));
    } else {
      act->budget = d;
    }
  }
  if (YAML::Node allow = map.Find("allow"); allow.IsDefined()) {
    YamlMap a(allow, path, "allow", {"verbs", "resources"}, diags);
    if (a.valid()) {
      if (auto verbs = a.StringList("verbs", true)) {
        for (const YamlString& v : *verbs) {
          if (std::find(ActVerbs().begin(), ActVerbs().end(), v.value) == ActVerbs().end()) {
            a.ErrorAt(v.line, v.column,
                      absl::StrCat("unknown verb '", v.value, "'", DidYouMean(v.value, ActVerbs()),
                                   "; an action task may allow ", absl::StrJoin(ActVerbs(), ", ")));
          } else {
            act->verbs.push_back(v.value);
          }
        }
      }
      if (auto resources = a.StringList("resources", true)) {
        for (const YamlString& r : *resources) act->resources.push_back(r.value);
      }
    }
  } else {
    map.ErrorAt(node, "'act' needs 'allow': the verbs and resources the agent may write");
  }
  if (YAML::Node may = map.Find("may_change"); may.IsDefined()) {
    if (!may.IsMap()) {
      map.ErrorAt(may, absl::StrCat("'may_change' must be a mapping of Kind/name to field lists, "
                                    "got ",
                                    DescribeYamlType(may)));
    } else {
      for (auto it = may.begin(); it != may.end(); ++it) {
        YAML::Node key = it->first;
        YAML::Node value = it->second;
        std::string object = key.IsScalar() ? key.Scalar() : "";
        if (object.find('/') == std::string::npos) {
          map.ErrorAt(key, absl::StrCat("'may_change' keys are Kind/name, like Deployment/payment, "
                                        "got '",
                                        object, "'"));
          continue;
        }
        std::vector<std::string> fields;
        bool ok = value.IsSequence() && value.size() > 0;
        if (ok) {
          for (YAML::Node f : value) {
            if (!f.IsScalar() || f.Scalar().empty()) ok = false;
            if (ok) fields.push_back(f.Scalar());
          }
        }
        if (!ok) {
          map.ErrorAt(value, absl::StrCat("'may_change' of '", object,
                                          "' must be a list of field paths, like [spec.replicas]"));
          continue;
        }
        act->may_change.emplace_back(object, std::move(fields));
      }
    }
  }
  for (const char* key : {"ready", "restart"}) {
    if (auto list = map.StringList(key, false)) {
      for (const YamlString& d : *list) {
        (std::string(key) == "ready" ? act->ready : act->restart).push_back(d.value);
      }
    }
  }
  if (auto keep = map.StringList("keep", false)) {
    for (const YamlString& k : *keep) {
      if (k.value == "failed_orders") {
        act->keep_failed_orders = true;
      } else {
        map.ErrorAt(k.line, k.column,
                    absl::StrCat("unknown 'keep' item '", k.value, "'",
                                 DidYouMean(k.value, {"failed_orders"}),
                                 "; what a task can keep is failed_orders"));
      }
    }
  }
  if (auto l = map.Number("latency_ms", false)) {
    if (*l <= 0) {
      map.ErrorAt(map.Find("latency_ms"), "'latency_ms' must be more than 0");
    } else {
      act->latency_ms = *l;
    }
  }
}

void ParsePrompt(const YAML::Node& node, absl::string_view file_text, PromptFile* file,
                 Diagnostics* diags) {
  YamlMap map(node, file->path, "prompt", {"id", "text", "dimensions", "continues", "note", "act"},
              diags);
  if (!map.valid()) return;
  Prompt p;
  p.file = file->path;
  p.line = YamlLine(node);
  p.column = YamlColumn(node);
  p.incident = file->incident;
  size_t errors_before = diags->size();

  std::optional<YamlString> id = map.String("id", true);
  if (id.has_value()) {
    p.id = id->value;
    if (!IsValidId(p.id, /*allow_dots=*/true, /*allow_dash=*/false)) {
      map.ErrorAt(id->line, id->column,
                  absl::StrCat("prompt id '", p.id,
                               "' must be lowercase letters, digits and '_' in parts joined by "
                               "'.', like 'i1.why_crash'"));
    }
  }

  std::optional<YamlString> text = map.String("text", true);
  if (text.has_value()) {
    p.text = text->value;
    std::vector<TemplateError> errors;
    p.tmpl = Template::Parse(p.text, &errors);
    for (const TemplateError& e : p.tmpl.Check()) errors.push_back(e);
    for (const TemplateError& e : errors) {
      int line, column;
      // Point at the reference itself: the two braces and what follows up to the closing ones.
      absl::string_view rest = absl::string_view(p.text).substr(e.offset);
      size_t end = rest.find("}}");
      absl::string_view needle = rest.substr(0, end == absl::string_view::npos ? 2 : end + 2);
      PositionInFile(file_text, *text, needle, &line, &column);
      map.ErrorAt(line, column, e.message);
    }
  }

  std::optional<std::vector<YamlString>> dims = map.StringList("dimensions", true);
  if (dims.has_value()) {
    std::set<std::string> seen;
    for (const YamlString& d : *dims) {
      bool known = false;
      for (const std::string& k : AllDimensions()) known = known || k == d.value;
      if (!known) {
        map.ErrorAt(
            d.line, d.column,
            absl::StrCat("unknown dimension '", d.value, "'", DidYouMean(d.value, AllDimensions()),
                         "; dimensions are ", absl::StrJoin(AllDimensions(), ", ")));
      } else if (!seen.insert(d.value).second) {
        map.ErrorAt(d.line, d.column, absl::StrCat("dimension '", d.value, "' is listed twice"));
      } else {
        p.dimensions.push_back(d.value);
      }
    }
  }

  if (std::optional<YamlString> c = map.String("continues", false); c.has_value()) {
    p.continues = c->value;
    p.continues_line = c->line;
    p.continues_column = c->column;
  }
  if (std::optional<YamlString> n = map.String("note", false); n.has_value()) {
    p.note = n->value;
  }
  if (YAML::Node act = map.Find("act"); act.IsDefined()) {
    ParseAct(act, file->path, diags, &p.act);
    if (!p.continues.empty()) {
      map.ErrorAt(act, "an action task ('act') cannot continue a conversation");
    }
    bool outcome =
        std::find(p.dimensions.begin(), p.dimensions.end(), "outcome") != p.dimensions.end();
    if (!outcome && dims.has_value()) {
      map.ErrorAt(act, "an action task ('act') is scored on the 'outcome' dimension: list it");
    }
  } else if (std::find(p.dimensions.begin(), p.dimensions.end(), "outcome") != p.dimensions.end()) {
    map.ErrorAt(node, "only an action task ('act') has the 'outcome' dimension");
  }
  if (diags->size() == errors_before) file->prompts.push_back(std::move(p));
}

}  // namespace

PromptFile ParsePromptFile(const std::string& path, absl::string_view text, Diagnostics* diags) {
  PromptFile file;
  file.path = path;
  std::optional<YAML::Node> root = ParseYaml(path, text, diags);
  if (!root.has_value()) return file;
  YamlMap map(*root, path, "prompt file", {"incident", "description", "prompts"}, diags);
  if (!map.valid()) return file;
  if (std::optional<YamlString> incident = map.String("incident", true); incident.has_value()) {
    file.incident = incident->value;
    if (!IsValidId(file.incident, /*allow_dots=*/false, /*allow_dash=*/true)) {
      map.ErrorAt(incident->line, incident->column,
                  absl::StrCat("incident id '", file.incident,
                               "' must be lowercase letters, digits, '_' and '-'"));
    }
  }
  if (std::optional<YamlString> d = map.String("description", false); d.has_value()) {
    file.description = d->value;
  }
  std::optional<YAML::Node> prompts = map.List("prompts", true);
  if (!prompts.has_value()) return file;
  if (prompts->size() == 0) {
    map.ErrorAt(*prompts, "'prompts' must not be empty");
    return file;
  }
  for (YAML::Node node : *prompts) ParsePrompt(node, text, &file, diags);
  return file;
}

}  // namespace sre_eval
