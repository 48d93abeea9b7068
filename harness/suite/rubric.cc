#include "suite/rubric.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "suite/fact_schema.h"
#include "suite/prompt.h"
#include "util/edit_distance.h"
#include "util/yaml_reader.h"

namespace sre_eval {

absl::string_view CriterionKindName(CriterionKind kind) {
  switch (kind) {
    case CriterionKind::kTerms:
      return "terms";
    case CriterionKind::kRegex:
      return "regex";
    case CriterionKind::kNumber:
      return "number";
    case CriterionKind::kIds:
      return "ids";
    case CriterionKind::kTime:
      return "time";
    case CriterionKind::kForbid:
      return "forbid";
    case CriterionKind::kJudge:
      return "judge";
    case CriterionKind::kOutcome:
      return "outcome";
    case CriterionKind::kGuard:
      return "guard";
  }
  return "?";
}

const std::map<std::string, std::string>& OutcomeMeasures() {
  static const auto* m = [] {
    auto* out = new std::map<std::string, std::string>;
    const std::pair<const char*, const char*> per_window[] = {
        {"requests", "requests the load made"},
        {"errors", "failed requests, the shop's payment declines (406) aside"},
        {"error_rate", "errors / requests"},
        {"refused", "requests refused or reset (no front-end to answer)"},
        {"refused_rate", "refused / requests"},
        {"checkout_requests", "checkouts (POST /orders)"},
        {"checkout_errors", "failed checkouts, declines aside"},
        {"checkout_error_rate", "checkout_errors / checkout_requests"},
        {"p50_ms", "the load's median response time"},
        {"p95_ms", "the load's 95th percentile response time"},
        {"oom_kills", "containers OOM-killed in the window"},
        {"unready_samples", "samples in which a `ready` deployment had no ready replica"}};
    for (const char* w : {"verify", "holds"}) {
      for (const auto& [k, v] : per_window) {
        (*out)[absl::StrCat(w, ".", k)] = absl::StrCat(
            v, std::string(w) == "verify" ? " (after the agent)" : " (after the restart)");
      }
    }
    (*out)["time_to_mitigate_s"] = "seconds from the task's start until the outcome held";
    return out;
  }();
  return *m;
}

const std::vector<std::string>& GuardNames() {
  static const auto* names =
      new std::vector<std::string>{"deleted",        "scaled_to_zero",     "load_generator",
                                   "orders_data",    "outside_allow_list", "other_namespaces",
                                   "refused_writes", "limits_beyond_node"};
  return *names;
}

const RubricDimension* Rubric::FindDimension(absl::string_view name) const {
  for (const RubricDimension& d : dimensions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const std::vector<std::string>& NumberUnits() {
  static const std::vector<std::string>* units =
      new std::vector<std::string>{"", "ms", "s", "percent", "MiB", "millicores"};
  return *units;
}

namespace {

const std::vector<std::string>& KindKeys() {
  static const std::vector<std::string>* keys = new std::vector<std::string>{
      "terms", "regex", "number", "ids", "time", "forbid", "judge", "outcome", "guard"};
  return *keys;
}

// Reads a list whose items are phrases or lists of synonymous phrases.
std::optional<std::vector<Synonyms>> Groups(YamlMap& map, const std::string& key, bool required) {
  std::optional<YAML::Node> list = map.List(key, required);
  if (!list.has_value()) return std::nullopt;
  if (list->size() == 0) {
    map.ErrorAt(*list, absl::StrCat("'", key, "' must not be empty"));
    return std::nullopt;
  }
  std::vector<Synonyms> groups;
  bool ok = true;
  for (YAML::Node item : *list) {  // By value: the iterator yields temporaries.
    Synonyms group;
    if (item.IsScalar()) {
      group.push_back(item.Scalar());
    } else if (item.IsSequence() && item.size() > 0) {
      for (YAML::Node s : item) {
        if (!s.IsScalar()) {
          map.ErrorAt(s, absl::StrCat("synonyms in '", key, "' must be strings, got ",
                                      DescribeYamlType(s)));
          ok = false;
          continue;
        }
        group.push_back(s.Scalar());
      }
    } else {
      map.ErrorAt(item,
                  absl::StrCat("items of '", key, "' must be phrases or lists of synonyms, got ",
                               DescribeYamlType(item)));
      ok = false;
      continue;
    }
    for (const std::string& phrase : group) {
      if (phrase.find_first_not_of(" \t") == std::string::npos) {
        map.ErrorAt(item, absl::StrCat("a phrase in '", key, "' is empty"));
        ok = false;
      }
    }
    groups.push_back(std::move(group));
  }
  if (!ok) return std::nullopt;
  return groups;
}

// Compiles `pattern` with RE2 and reports a failure at the pattern's position.
bool CheckRegex(YamlMap& map, const YamlString& pattern, const char* what) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern.value, options);
  if (re.ok()) return true;
  map.ErrorAt(pattern.line, pattern.column, absl::StrCat(what, " does not compile: ", re.error()));
  return false;
}

// "a", "a or b", "a, b or c".
std::string OneOf(const std::vector<std::string>& items) {
  if (items.size() < 2) return absl::StrJoin(items, "");
  return absl::StrCat(absl::StrJoin(items.begin(), items.end() - 1, ", "), " or ", items.back());
}

// Reads `fact` from a kind's mapping and checks its type is one of `types`.
bool ReadFact(YamlMap& map, const std::vector<std::string>& types, const char* kind, Criterion* c) {
  std::optional<YamlString> fact = map.String("fact", true);
  if (!fact.has_value()) return false;
  std::string error = ParseFactRef(fact->value, &c->fact);
  std::string type;
  if (error.empty()) error = CheckFactRef(c->fact, &type);
  // A list fact named bare is what an ids criterion wants; CheckFactRef objects to it only
  // because a template cannot print a list.
  if (!error.empty() && !c->fact.selects_item() && c->fact.filter.empty()) {
    const FactSpec* spec = FindFact(c->fact.fact);
    if (spec != nullptr && spec->type == FactType::kList) {
      error.clear();
      type = "list";
    }
  }
  if (error.empty() && std::find(types.begin(), types.end(), type) == types.end()) {
    error = absl::StrCat("a ", kind, " criterion needs a fact of type ", OneOf(types), ", but '",
                         fact->value, "' is of type ", type);
  }
  if (!error.empty()) {
    map.ErrorAt(fact->line, fact->column, error);
    return false;
  }
  return true;
}

// Checks that the list fact `c->fact` has a field `field` of type `type` ("text", "time").
void ReadField(YamlMap& map, const YamlString& field, FactType type, const char* type_name,
               const Criterion* c) {
  const FactSpec* fact = FindFact(c->fact.fact);
  const FieldSpec* spec = fact->FindField(field.value);
  if (spec != nullptr && spec->type == type) return;
  std::vector<std::string> names;
  for (const FieldSpec& f : fact->fields) {
    if (f.type == type) names.push_back(f.name);
  }
  map.ErrorAt(field.line, field.column,
              absl::StrCat("'", c->fact.fact, "' has no ", type_name, " field '", field.value, "'",
                           DidYouMean(field.value, names)));
}

// Reads a kind made of two optional lists of phrase groups, at least one of which is given
// ("terms": any/all, "forbid": claims/denies).
void GroupPair(YamlMap& map, const YAML::Node& value, const std::string& kind,
               const std::string& first_key, const std::string& second_key,
               std::vector<Synonyms>* first, std::vector<Synonyms>* second) {
  if (!map.Find(first_key).IsDefined() && !map.Find(second_key).IsDefined()) {
    map.ErrorAt(value, absl::StrCat("'", kind, "' needs '", first_key, "' or '", second_key, "'"));
  }
  if (auto g = Groups(map, first_key, false)) *first = *g;
  if (auto g = Groups(map, second_key, false)) *second = *g;
}

bool ParseKind(const std::string& kind, const YAML::Node& value, const std::string& file,
               YamlMap& criterion_map, Diagnostics* diags, Criterion* c) {
  if (kind == "guard") {
    c->kind = CriterionKind::kGuard;
    if (!value.IsScalar() || value.Scalar().empty()) {
      criterion_map.ErrorAt(
          value, absl::StrCat("'guard' must be a guard's name, got ", DescribeYamlType(value)));
      return false;
    }
    c->guard = value.Scalar();
    if (std::find(GuardNames().begin(), GuardNames().end(), c->guard) == GuardNames().end()) {
      criterion_map.ErrorAt(
          value, absl::StrCat("unknown guard '", c->guard, "'", DidYouMean(c->guard, GuardNames()),
                              "; guards are ", absl::StrJoin(GuardNames(), ", ")));
      return false;
    }
    return true;
  }
  if (kind == "outcome") {
    c->kind = CriterionKind::kOutcome;
    YamlMap map(value, file, "'outcome'", {"measure", "at_least", "at_most"}, diags);
    if (!map.valid()) return false;
    size_t before = diags->size();
    if (auto m = map.String("measure", true)) {
      c->measure = m->value;
      if (OutcomeMeasures().count(c->measure) == 0) {
        std::vector<std::string> names;
        for (const auto& [k, v] : OutcomeMeasures()) names.push_back(k);
        map.ErrorAt(
            m->line, m->column,
            absl::StrCat("unknown measure '", c->measure, "'", DidYouMean(c->measure, names),
                         "; measures are ", absl::StrJoin(names, ", ")));
      }
    }
    if (auto v = map.Number("at_least", false)) c->at_least = *v;
    if (auto v = map.Number("at_most", false)) c->at_most = *v;
    if (std::isnan(c->at_least) && std::isnan(c->at_most)) {
      map.ErrorAt(value, "'outcome' needs 'at_least' or 'at_most'");
    }
    return diags->size() == before;
  }
  if (kind == "regex" || kind == "judge") {
    if (!value.IsScalar() || value.Scalar().empty()) {
      criterion_map.ErrorAt(value, absl::StrCat("'", kind, "' must be a non-empty string, got ",
                                                DescribeYamlType(value)));
      return false;
    }
    if (kind == "judge") {
      c->kind = CriterionKind::kJudge;
      c->judge = value.Scalar();
      return true;
    }
    c->kind = CriterionKind::kRegex;
    c->pattern = value.Scalar();
    return CheckRegex(criterion_map, YamlString{c->pattern, YamlLine(value), YamlColumn(value), 0},
                      "regex");
  }
  std::vector<std::string> keys;
  if (kind == "terms") keys = {"any", "all", "reply"};
  if (kind == "number") keys = {"fact", "also", "cues", "tolerance", "unit"};
  if (kind == "ids") keys = {"fact", "field", "shape"};
  if (kind == "time") keys = {"fact", "field", "cues", "tolerance"};
  if (kind == "forbid") keys = {"claims", "denies"};
  YamlMap map(value, file, absl::StrCat("'", kind, "'"), keys, diags);
  if (!map.valid()) return false;
  size_t before = diags->size();
  if (kind == "terms") {
    c->kind = CriterionKind::kTerms;
    if (auto reply = map.String("reply", false)) {
      if (reply->value != "yes" && reply->value != "no") {
        map.ErrorAt(reply->line, reply->column,
                    absl::StrCat("'reply' must be 'yes' or 'no', got '", reply->value, "'"));
      } else {
        c->reply = reply->value;
      }
    }
    // A reply alone is a criterion: "No." answers "Is this the same issue?".
    if (!map.Find("any").IsDefined() && !map.Find("all").IsDefined() &&
        !map.Find("reply").IsDefined()) {
      map.ErrorAt(value, "'terms' needs 'any', 'all' or 'reply'");
    }
    if (auto g = Groups(map, "any", false)) c->any = *g;
    if (auto g = Groups(map, "all", false)) c->all = *g;
  } else if (kind == "forbid") {
    c->kind = CriterionKind::kForbid;
    GroupPair(map, value, kind, "claims", "denies", &c->claims, &c->denies);
  } else if (kind == "number") {
    c->kind = CriterionKind::kNumber;
    bool fact_ok = ReadFact(map, {"integer", "number", "duration", "quantity"}, "number", c);
    if (auto cues = map.StringList("cues", true)) {
      for (const YamlString& cue : *cues) c->cues.push_back(cue.value);
    }
    if (auto also = map.StringList("also", false)) {
      for (const YamlString& ref : *also) {
        FactRef alt;
        std::string type;
        std::string error = ParseFactRef(ref.value, &alt);
        if (error.empty()) error = CheckFactRef(alt, &type);
        if (error.empty() && type != "integer" && type != "number" && type != "duration" &&
            type != "quantity") {
          error = absl::StrCat(
              "'also' needs facts of type integer, number, duration or "
              "quantity, but '",
              ref.value, "' is of type ", type);
        }
        if (!error.empty()) {
          map.ErrorAt(ref.line, ref.column, error);
        } else {
          c->also.push_back(std::move(alt));
        }
      }
    }
    if (auto t = map.Number("tolerance", false)) {
      if (*t < 0) map.ErrorAt(map.Find("tolerance"), "'tolerance' must not be negative");
      c->tolerance = *t;
    }
    if (auto unit = map.String("unit", false)) {
      const std::vector<std::string>& units = NumberUnits();
      if (std::find(units.begin(), units.end(), unit->value) == units.end() ||
          unit->value.empty()) {
        map.ErrorAt(unit->line, unit->column,
                    absl::StrCat("unknown unit '", unit->value, "'; units are ",
                                 absl::StrJoin(units.begin() + 1, units.end(), ", "),
                                 DidYouMean(unit->value, units)));
      } else {
        c->unit = unit->value;
      }
    }
    std::string type;
    if (fact_ok && CheckFactRef(c->fact, &type).empty() && type == "quantity" && c->unit != "MiB" &&
        c->unit != "millicores") {
      YAML::Node fact = map.Find("fact");
      map.ErrorAt(fact, absl::StrCat("'", c->fact.source,
                                     "' is a quantity: give the criterion 'unit: MiB' or "
                                     "'unit: millicores'"));
    }
  } else if (kind == "time") {
    c->kind = CriterionKind::kTime;
    if (auto cues = map.StringList("cues", false)) {
      for (const YamlString& cue : *cues) c->cues.push_back(cue.value);
    }
    if (ReadFact(map, {"time", "list"}, "time", c)) {
      const FactSpec* spec = FindFact(c->fact.fact);
      std::optional<YamlString> field = map.String("field", spec->type == FactType::kList);
      if (field.has_value() && spec->type != FactType::kList) {
        map.ErrorAt(field->line, field->column,
                    absl::StrCat("'field' needs a list fact; '", c->fact.fact, "' is a time"));
      } else if (field.has_value()) {
        c->field = field->value;
        ReadField(map, *field, FactType::kTime, "time", c);
      }
    }
    if (auto t = map.String("tolerance", true)) {
      if (!absl::ParseDuration(t->value, &c->time_tolerance) ||
          c->time_tolerance < absl::ZeroDuration()) {
        map.ErrorAt(
            t->line, t->column,
            absl::StrCat("'tolerance' must be a duration such as 90s or 5m, got '", t->value, "'"));
      }
    }
  } else if (kind == "ids") {
    c->kind = CriterionKind::kIds;
    if (ReadFact(map, {"list"}, "ids", c)) {
      if (auto field = map.String("field", true)) {
        c->field = field->value;
        ReadField(map, *field, FactType::kString, "text", c);
      }
    }
    if (auto shape = map.String("shape", true)) {
      c->shape = shape->value;
      CheckRegex(map, *shape, "shape");
    }
  }
  return diags->size() == before;
}

void ParseCriterion(const YAML::Node& node, const std::string& file, Diagnostics* diags,
                    std::set<std::string>* ids, RubricDimension* dim) {
  std::vector<std::string> keys = {"id", "description", "points", "penalty", "core"};
  for (const std::string& k : KindKeys()) keys.push_back(k);
  YamlMap map(node, file, "criterion", keys, diags);
  if (!map.valid()) return;
  size_t before = diags->size();
  Criterion c;
  c.line = YamlLine(node);
  c.column = YamlColumn(node);
  if (auto id = map.String("id", true)) {
    c.id = id->value;
    if (!ids->insert(c.id).second) {
      map.ErrorAt(id->line, id->column, absl::StrCat("duplicate criterion id '", c.id, "'"));
    }
  }
  if (auto d = map.String("description", true)) c.description = d->value;
  std::vector<std::string> kinds;
  for (const std::string& k : KindKeys()) {
    if (map.Find(k).IsDefined()) kinds.push_back(k);
  }
  if (kinds.empty()) {
    map.ErrorAt(node, absl::StrCat("criterion needs one of: ", absl::StrJoin(KindKeys(), ", ")));
  } else if (kinds.size() > 1) {
    map.ErrorAt(map.Find(kinds[1]),
                absl::StrCat("criterion has more than one kind: ", absl::StrJoin(kinds, ", ")));
  } else {
    ParseKind(kinds[0], map.Find(kinds[0]), file, map, diags, &c);
  }
  bool forbid =
      (c.kind == CriterionKind::kForbid || c.kind == CriterionKind::kGuard) && kinds.size() == 1;
  bool acts = c.kind == CriterionKind::kOutcome || c.kind == CriterionKind::kGuard;
  if (kinds.size() == 1 && acts != (dim->name == "outcome")) {
    map.ErrorAt(map.Find(kinds[0]),
                acts ? absl::StrCat("'", kinds[0], "' criteria belong in the 'outcome' dimension")
                     : absl::StrCat("the 'outcome' dimension holds only outcome and guard "
                                    "criteria, not '",
                                    kinds[0], "'"));
  }
  if (auto p = map.Number("points", !forbid)) {
    if (*p < 0) map.ErrorAt(map.Find("points"), "'points' must not be negative");
    if (forbid)
      map.ErrorAt(map.Find("points"),
                  absl::StrCat("a ", CriterionKindName(c.kind),
                               " criterion earns no points; give it a 'penalty'"));
    c.points = *p;
  }
  if (auto p = map.Number("penalty", forbid)) {
    if (*p <= 0) map.ErrorAt(map.Find("penalty"), "'penalty' must be more than 0");
    bool allowed = c.kind == CriterionKind::kNumber || c.kind == CriterionKind::kIds ||
                   c.kind == CriterionKind::kTime || c.kind == CriterionKind::kForbid ||
                   c.kind == CriterionKind::kGuard;
    if (!allowed && kinds.size() == 1) {
      map.ErrorAt(map.Find("penalty"),
                  "'penalty' applies only to number, ids, time, forbid and guard criteria");
    }
    c.penalty = *p;
  }
  if (auto core = map.String("core", false)) {
    if (core->value == "true") {
      c.core = true;
    } else if (core->value != "false") {
      map.ErrorAt(core->line, core->column, "'core' must be true or false");
    }
    if (c.core && (forbid || c.points <= 0)) {
      map.ErrorAt(core->line, core->column, "a core criterion must earn points");
    }
  }
  if (diags->size() == before) dim->criteria.push_back(std::move(c));
}

}  // namespace

std::optional<Rubric> ParseRubricFile(const std::string& path, absl::string_view text,
                                      Diagnostics* diags) {
  size_t before = diags->size();
  std::optional<YAML::Node> root = ParseYaml(path, text, diags);
  if (!root.has_value()) return std::nullopt;
  YamlMap map(*root, path, "rubric", {"prompt", "dimensions"}, diags);
  if (!map.valid()) return std::nullopt;
  Rubric rubric;
  rubric.file = path;
  rubric.line = YamlLine(*root);
  rubric.column = YamlColumn(*root);
  if (auto p = map.String("prompt", true)) {
    rubric.prompt_id = p->value;
    rubric.prompt_line = p->line;
    rubric.prompt_column = p->column;
  }
  for (auto it = root->begin(); it != root->end(); ++it) {
    YAML::Node key = it->first;
    if (key.IsScalar() && key.Scalar() == "dimensions") {
      rubric.dimensions_line = YamlLine(key);
      rubric.dimensions_column = YamlColumn(key);
      break;
    }
  }
  YAML::Node dims = map.Find("dimensions");
  if (!dims.IsDefined()) {
    map.ErrorAt(*root, "rubric is missing required key 'dimensions'");
  } else {
    YamlMap dims_map(dims, path, "'dimensions'", AllDimensions(), diags);
    std::set<std::string> ids;
    if (dims_map.valid()) {
      if (dims.size() == 0) map.ErrorAt(dims, "'dimensions' must not be empty");
      for (auto it = dims.begin(); it != dims.end(); ++it) {
        YAML::Node key = it->first;  // Copies: `*it` is a temporary proxy.
        YAML::Node value = it->second;
        if (!key.IsScalar()) continue;
        RubricDimension dim;
        dim.name = key.Scalar();
        dim.line = YamlLine(key);
        dim.column = YamlColumn(key);
        YamlMap dim_map(value, path, absl::StrCat("dimension '", dim.name, "'"),
                        {"weight", "criteria"}, diags);
        if (!dim_map.valid()) continue;
        if (auto w = dim_map.Number("weight", false)) {
          if (*w <= 0) dim_map.ErrorAt(dim_map.Find("weight"), "'weight' must be more than 0");
          dim.weight = *w;
        }
        if (auto criteria = dim_map.List("criteria", true)) {
          if (criteria->size() == 0) dim_map.ErrorAt(*criteria, "'criteria' must not be empty");
          for (YAML::Node c : *criteria) ParseCriterion(c, path, diags, &ids, &dim);
        }
        rubric.dimensions.push_back(std::move(dim));
      }
    }
  }
  if (diags->size() != before) return std::nullopt;
  return rubric;
}

}  // namespace sre_eval
