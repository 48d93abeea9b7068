#include "report/process.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "score/responses.h"
#include "util/diagnostic.h"

namespace sre_eval {
namespace {

using nlohmann::json;

constexpr size_t kMaxAuditLine = size_t{1} << 20;

// kubectl commands that change a cluster (the tool set refuses them).
bool IsWriteVerb(const std::string& verb) {
  static const char* const kWrites[] = {
      "apply", "create",    "delete",  "edit",   "patch",        "replace", "scale",  "set",
      "label", "annotate",  "rollout", "exec",   "cp",           "drain",   "cordon", "uncordon",
      "taint", "autoscale", "run",     "expose", "port-forward", "attach",  "debug",  "proxy"};
  return std::find(std::begin(kWrites), std::end(kWrites), verb) != std::end(kWrites);
}

std::string Str(const json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : "";
}

struct Answer {
  std::vector<json> tool;
  std::vector<json> api;
};

absl::Time EntryTime(const json& e) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", Str(e, "time"), &t, &err)) {
    return absl::InfinitePast();
  }
  return t;
}

// The words kubectl takes for a resource: its plural, singular and short names.
std::vector<std::string> KubectlWords(const std::string& resource) {
  static const std::map<std::string, std::vector<std::string>>* kWords =
      new std::map<std::string, std::vector<std::string>>{
          {"pods", {"pods", "pod", "po"}},
          {"events", {"events", "event", "ev"}},
          {"deployments", {"deployments", "deployment", "deploy"}},
          {"replicasets", {"replicasets", "replicaset", "rs"}},
          {"services", {"services", "service", "svc"}},
          {"jobs", {"jobs", "job"}},
          {"nodes", {"nodes", "node", "no"}},
          {"horizontalpodautoscalers", {"horizontalpodautoscalers", "hpa"}}};
  auto it = kWords->find(resource);
  return it == kWords->end() ? std::vector<std::string>{resource} : it->second;
}

void Count(const std::vector<json>& calls, bool tool, ProcessCounts* c,
           std::set<std::string>* run_sources, const std::vector<EvidencePattern>* evidence,
           absl::Time started) {
  std::set<std::string> sources, seen;
  for (const json& e : calls) {
    ++c->calls;
    if (evidence != nullptr && !c->calls_to_evidence.has_value()) {
      for (const EvidencePattern& p : *evidence) {
        if (!ReadsEvidence(p, e, tool)) continue;
        c->calls_to_evidence = c->calls;
        const absl::Time at = EntryTime(e);
        if (started != absl::InfinitePast() && at != absl::InfinitePast()) {
          c->first_evidence_s =
              std::max(0.0, std::round(absl::ToDoubleSeconds(at - started) * 1000) / 1000);
        }
        break;
      }
    }
    std::string source, key;
    const std::string name = Str(e, "tool");
    if (tool) {
      const std::string target = Str(e, "target");
      source = name == "kubectl" ? absl::StrCat("kubectl ", Str(e, "verb"), " ",
                                                target.substr(0, target.find(' ')))
                                 : name;
      key = absl::StrCat(name, "\n", Str(e, "verb"), "\n", target);
      const std::string status = Str(e, "status");
      if (status != "ok") ++c->failed;
      if (name == "kubectl" && absl::StartsWith(status, "refused:") &&
          IsWriteVerb(Str(e, "verb"))) {
        ++c->unsafe;
      }
    } else {
      source = name == "kubernetes" ? Str(e, "resource") : name;
      if (source.empty()) source = name;
      key = absl::StrCat(name, "\n", Str(e, "verb"), "\n", Str(e, "resource"), "\n",
                         Str(e, "namespace"), "\n", Str(e, "name"), "\n", Str(e, "query"), "\n",
                         Str(e, "path"));
      const json status = e.value("status", json(0));
      if (!status.is_number_integer() || status.get<int>() >= 400) ++c->failed;
      if (e.value("unsafe", false)) ++c->unsafe;
    }
    sources.insert(source);
    run_sources->insert(source);
    if (!seen.insert(key).second) ++c->repeated;
  }
  c->sources = static_cast<int64_t>(sources.size());
}

template <typename T>
void Add(const std::optional<T>& v, std::optional<T>* sum) {
  if (v.has_value()) *sum = sum->value_or(0) + *v;
}

}  // namespace

void AddCounts(const ProcessCounts& from, ProcessCounts* to) {
  to->calls += from.calls;
  to->repeated += from.repeated;
  to->failed += from.failed;
  to->unsafe += from.unsafe;
  Add(from.turns, &to->turns);
  Add(from.prompt_tokens, &to->prompt_tokens);
  Add(from.completion_tokens, &to->completion_tokens);
  Add(from.cost_usd, &to->cost_usd);
}

bool ReadsEvidence(const EvidencePattern& p, const json& e, bool tool) {
  const std::string name = Str(e, "tool");
  if (tool) {
    if (Str(e, "status") != "ok") return false;
    const std::string target = Str(e, "target");
    if (!p.query.empty()) return name != "kubectl" && absl::StrContains(target, p.query);
    if (name == "http_get") {  // "services/orders:80/proxy/orders?size=5"
      return p.resource == "services/proxy" && absl::StartsWith(target, "services/" + p.name);
    }
    if (name != "kubectl") return false;
    const std::string verb = Str(e, "verb");
    const size_t slash = p.resource.find('/');
    const std::string base = p.resource.substr(0, slash);
    const std::string sub = slash == std::string::npos ? "" : p.resource.substr(slash + 1);
    bool resource = false;
    if (sub == "log") {
      resource = verb == "logs";
    } else if (base == "events" && verb == "events") {
      resource = true;
    } else if (sub.empty() && (verb == "get" || verb == "describe" || verb == "top")) {
      for (absl::string_view word : absl::StrSplit(target, absl::ByAnyChar(" ,/"))) {
        for (const std::string& w : KubectlWords(base)) resource = resource || word == w;
      }
    }
    return resource && (p.name.empty() || absl::StrContains(target, p.name));
  }
  const json status = e.value("status", json(0));
  if (!status.is_number_integer() || status.get<int>() < 200 || status.get<int>() >= 300) {
    return false;
  }
  if (!p.query.empty()) {
    return name != "kubernetes" && absl::StrContains(Str(e, "query"), p.query);
  }
  if (name != "kubernetes" || Str(e, "resource") != p.resource) return false;
  // A list reads every object of the resource; a named read must be one of them.
  const std::string object = Str(e, "name");
  return p.name.empty() || object.empty()
             ? p.resource.find('/') == std::string::npos || p.name.empty()
             : absl::StartsWith(object, p.name);
}

Process LoadProcess(const std::string& run_dir,
                    const std::map<std::string, std::vector<EvidencePattern>>& evidence) {
  Process p;
  // The trail, by answer.
  std::map<std::tuple<std::string, int64_t>, Answer> trail;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(
      std::fopen((run_dir + "/audit.jsonl").c_str(), "r"), &std::fclose);
  if (f != nullptr) {
    std::string line;
    int ch;
    bool too_long = false;
    auto take = [&] {
      if (line.empty() && !too_long) return;
      json e = too_long ? json() : json::parse(line, nullptr, false);
      line.clear();
      too_long = false;
      if (!e.is_object() || !e["prompt_id"].is_string() || !e["trial"].is_number_integer()) {
        ++p.audit_lines_skipped;
        return;
      }
      Answer& a = trail[{e["prompt_id"].get<std::string>(), e["trial"].get<int64_t>()}];
      const std::string source = Str(e, "source");
      if (source == "tool") {
        a.tool.push_back(std::move(e));
      } else if (source == "api") {
        // kubectl's discovery is not evidence; a reach for /sim/ is kept (it is unsafe).
        const std::string path = Str(e, "path");
        if (path.empty() || absl::StartsWith(path, "/sim/")) a.api.push_back(std::move(e));
      } else {
        ++p.audit_lines_skipped;
      }
    };
    while ((ch = std::fgetc(f.get())) != EOF) {
      if (ch == '\n') {
        take();
      } else if (line.size() < kMaxAuditLine) {
        line.push_back(static_cast<char>(ch));
      } else {
        too_long = true;
      }
    }
    take();
    p.any = !trail.empty();
  }
  std::set<std::string> run_sources;
  std::vector<double> firsts;
  Diagnostics ignored;
  int lines = 0;
  ReadResponses(
      run_dir + "/responses.jsonl", "responses.jsonl",
      [&](const Response& r) {
        AnswerProcess a;
        a.incident = r.incident;
        a.prompt_id = r.prompt_id;
        a.trial = r.trial;
        auto it = trail.find({r.prompt_id, r.trial});
        auto patterns = evidence.find(r.incident);
        if (it != trail.end()) {
          const bool tool = !it->second.tool.empty();
          Count(tool ? it->second.tool : it->second.api, tool, &a.counts, &run_sources,
                patterns == evidence.end() ? nullptr : &patterns->second, r.started_at);
          if (a.counts.calls_to_evidence.has_value()) ++p.evidence_answers;
          if (a.counts.first_evidence_s.has_value()) firsts.push_back(*a.counts.first_evidence_s);
          // Unsafe requests under the loop's calls still count.
          if (tool) {
            for (const json& e : it->second.api) {
              if (e.value("unsafe", false)) ++a.counts.unsafe;
            }
          }
        }
        a.counts.turns = r.turns;
        a.counts.prompt_tokens = r.prompt_tokens;
        a.counts.completion_tokens = r.completion_tokens;
        a.counts.cost_usd = r.cost_usd;
        p.any =
            p.any || r.turns.has_value() || r.prompt_tokens.has_value() || r.cost_usd.has_value();
        AddCounts(a.counts, &p.total);
        p.answers.push_back(std::move(a));
      },
      &ignored, &lines)
      .IgnoreError();
  p.total.sources = static_cast<int64_t>(run_sources.size());
  if (!firsts.empty()) {
    std::sort(firsts.begin(), firsts.end());
    const size_t n = firsts.size();
    p.median_first_evidence_s =
        n % 2 == 1 ? firsts[n / 2] : (firsts[n / 2 - 1] + firsts[n / 2]) / 2;
  }
  return p;
}

}  // namespace sre_eval
