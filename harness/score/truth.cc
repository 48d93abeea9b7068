// Reading truth.json files.
#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "score/engine.h"
#include "suite/fact_schema.h"
#include "util/file_util.h"
#include "util/json_parse.h"

namespace sre_eval {

namespace {

void Collect(const nlohmann::json& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->push_back(absl::AsciiStrToLower(v.get<std::string>()));
  } else if (v.is_structured()) {
    for (const nlohmann::json& item : v) Collect(item, out);
  }
}

}  // namespace

std::vector<std::string> TruthStrings(const nlohmann::json& facts) {
  std::vector<std::string> out;
  Collect(facts, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<Truth> ParseTruth(const std::string& path, absl::string_view text) {
  absl::StatusOr<nlohmann::json> parsed = ParseJson(text, path);
  if (!parsed.ok()) return parsed.status();
  nlohmann::json& doc = *parsed;
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object"));
  }
  auto version = doc.find("schema_version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": 'schema_version' must be 1 (the only version this build reads)"));
  }
  auto incident = doc.find("incident");
  if (incident == doc.end() || !incident->is_string() || incident->get<std::string>().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": 'incident' must be a non-empty string"));
  }
  auto facts = doc.find("facts");
  if (facts == doc.end() || !facts->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": 'facts' must be an object"));
  }
  std::vector<std::string> problems = CheckFactValues(*facts);
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", absl::StrJoin(problems, "; ")));
  }
  Truth truth;
  truth.incident = incident->get<std::string>();
  truth.facts = std::move(*facts);
  truth.strings = TruthStrings(truth.facts);
  return truth;
}

absl::StatusOr<Truth> LoadTruth(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{16} << 20);
  if (!text.ok()) return text.status();
  return ParseTruth(path, *text);
}

}  // namespace sre_eval
