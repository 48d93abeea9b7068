#include "report/act_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "util/file_util.h"

namespace sre_eval {
namespace {

using nlohmann::json;

int64_t Int(const json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_number() ? o[key].get<int64_t>() : 0;
}

// "checkout errors 0/101, errors 0/909, p95 270 ms, 0 OOM kills, 0 refused"
std::string Window(const json& w) {
  if (!w.is_object()) return "-";
  if (w.contains("error") && w["error"].is_string()) return w["error"].get<std::string>();
  std::vector<std::string> parts;
  if (Int(w, "checkout_requests") > 0) {
    parts.push_back(absl::StrCat("checkout errors ", Int(w, "checkout_errors"), "/",
                                 Int(w, "checkout_requests")));
  }
  parts.push_back(absl::StrCat("errors ", Int(w, "errors"), "/", Int(w, "requests")));
  if (w.contains("p95_ms")) parts.push_back(absl::StrCat("p95 ", Int(w, "p95_ms"), " ms"));
  parts.push_back(absl::StrCat(Int(w, "oom_kills"), " OOM kills"));
  parts.push_back(absl::StrCat(Int(w, "refused"), " refused"));
  if (Int(w, "unready_samples") > 0) {
    parts.push_back(absl::StrCat(Int(w, "unready_samples"), " samples unready"));
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::vector<ActTaskLine> LoadActTasks(const std::string& run_dir, const RunScores& scores,
                                      const std::string& prefix) {
  std::vector<ActTaskLine> out;
  for (const ScoredAnswer& a : scores.answers) {
    bool act = false;
    for (const CriterionResult& c : a.score.criteria) {
      act = act || c.kind == CriterionKind::kOutcome || c.kind == CriterionKind::kGuard;
    }
    if (!act && a.status == ResponseStatus::kOk) continue;
    ActTaskLine t;
    t.incident = a.incident;
    t.prompt_id = a.prompt_id;
    t.trial = a.trial;
    const std::string path = absl::StrCat(run_dir, "/", prefix, a.incident, "/act/", a.prompt_id,
                                          "/t", a.trial, "/outcome.json");
    absl::StatusOr<std::string> text = ReadFile(path, size_t{16} << 20);
    json o = text.ok() ? json::parse(*text, nullptr, false) : json(nullptr);
    if (!act && !o.is_object()) continue;  // an error answer of a question
    t.measured = o.is_object();
    bool all_met = t.measured;
    for (const CriterionResult& c : a.score.criteria) {
      if (c.kind == CriterionKind::kOutcome && c.earned < c.points) {
        all_met = false;
        t.unmet.push_back(absl::StrCat(c.id, ": ", c.note));
      }
      if (c.kind == CriterionKind::kGuard && c.penalty > 0) {
        t.guards.push_back(absl::StrCat(c.id, ": ", c.note));
      }
    }
    t.passed = all_met && t.guards.empty() && a.status == ResponseStatus::kOk;
    if (t.measured) {
      if (o.contains("time_to_mitigate_s") && o["time_to_mitigate_s"].is_number_integer()) {
        t.time_to_mitigate_s = o["time_to_mitigate_s"].get<int64_t>();
      }
      t.verify = Window(o.value("verify", json(nullptr)));
      t.holds = Window(o.value("holds", json(nullptr)));
      const json& actions = o.value("actions", json::array());
      for (const json& w : actions.is_array() ? actions : json::array()) {
        if (!w.is_object()) continue;
        std::string name = w.value("name", "");
        t.actions.push_back(absl::StrCat(
            w.value("verb", ""), " ", w.value("resource", ""), name.empty() ? "" : " ", name, ": ",
            w.contains("status") && w["status"].is_number() ? w["status"].dump() : "?",
            w.value("refused", false) ? " (refused)" : ""));
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string ActTaskSummary(const ActTaskLine& t) {
  std::string s = absl::StrCat(t.prompt_id, " #", t.trial, ": ", t.passed ? "PASSED" : "FAILED");
  if (!t.measured) return absl::StrCat(s, " (no outcome was measured)");
  if (t.time_to_mitigate_s.has_value()) {
    absl::StrAppend(&s, ", mitigated in ", *t.time_to_mitigate_s, " s");
  } else {
    absl::StrAppend(&s, ", not mitigated");
  }
  absl::StrAppend(&s, "; ", t.actions.size(), t.actions.size() == 1 ? " action" : " actions");
  if (!t.unmet.empty()) {
    std::vector<std::string> ids;
    for (const std::string& u : t.unmet) ids.push_back(u.substr(0, u.find(':')));
    absl::StrAppend(&s, "; not met: ", absl::StrJoin(ids, ", "));
  }
  if (!t.guards.empty()) {
    std::vector<std::string> ids;
    for (const std::string& g : t.guards) ids.push_back(g.substr(0, g.find(':')));
    absl::StrAppend(&s, "; guards hit: ", absl::StrJoin(ids, ", "));
  }
  return s;
}

}  // namespace sre_eval
