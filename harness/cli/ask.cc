#include "cli/ask.h"

#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/config.h"
#include "agent/evidence.h"
#include "agent/factory.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"
#include "score/engine.h"
#include "score/responses.h"
#include "util/diagnostic.h"
#include "util/file_util.h"
#include "util/utf8.h"

namespace sre_eval {
namespace {

// One question to ask: a prompt of an incident, in one trial.
struct Item {
  const Prompt* prompt = nullptr;
  int trial = 1;
  std::string text;  // rendered
  int depth = 0;     // 0, or 1 + the depth of the prompt it continues
  agent::AgentRequest request;
  agent::AgentAnswer answer;
  bool asked = false;
};

int Depth(const Suite& suite, const Prompt* p) {
  int depth = 0;
  std::set<std::string> seen;
  while (p != nullptr && !p->continues.empty() && seen.insert(p->id).second) {
    p = suite.FindPrompt(p->continues);
    ++depth;
  }
  return depth;
}

std::string ResponseLine(const Item& item, const std::string& agent_name, const AskOptions& o) {
  const std::vector<std::string>& secrets = o.secrets;
  const agent::AgentAnswer& a = item.answer;
  nlohmann::json j = {{"schema_version", 1},
                      {"incident", item.prompt->incident},
                      {"prompt_id", item.prompt->id},
                      {"trial", item.trial},
                      {"prompt", agent::Redact(item.text, secrets)}};
  if (a.ok()) {
    j["answer"] = agent::Redact(a.text, secrets);
    j["status"] = "ok";
  } else {
    j["status"] = absl::StartsWith(a.error, "timed out") ? "timeout" : "error";
    j["error"] = agent::Redact(a.error, secrets);
  }
  j["latency_ms"] = absl::ToInt64Milliseconds(a.latency);
  if (a.started != absl::InfinitePast()) {
    j["started_at"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", a.started, absl::UTCTimeZone());
  }
  if (!agent_name.empty()) j["agent"] = agent::Redact(agent_name, secrets);
  j["attempts"] = std::max(1, a.attempts);
  if (a.http_status > 0) j["http_status"] = a.http_status;
  if (a.truncated) j["truncated"] = true;
  if (a.invalid_utf8) j["repaired"] = nlohmann::json::array({"invalid_utf8"});
  nlohmann::json usage = nlohmann::json::object();
  if (a.usage.prompt_tokens >= 0) usage["prompt_tokens"] = a.usage.prompt_tokens;
  if (a.usage.completion_tokens >= 0) usage["completion_tokens"] = a.usage.completion_tokens;
  if (a.usage.total_tokens >= 0) usage["total_tokens"] = a.usage.total_tokens;
  if (!usage.empty()) j["usage"] = std::move(usage);
  if (o.input_price >= 0 && o.output_price >= 0 && a.usage.prompt_tokens >= 0 &&
      a.usage.completion_tokens >= 0) {
    const double cost = (static_cast<double>(a.usage.prompt_tokens) * o.input_price +
                         static_cast<double>(a.usage.completion_tokens) * o.output_price) /
                        1e6;
    j["cost_usd"] = std::round(cost * 1e6) / 1e6;  // to the micro-dollar
  }
  if (a.looped) {
    j["loop"] = {{"turns", a.loop.turns},
                 {"tool_calls", a.loop.tool_calls},
                 {"malformed_calls", a.loop.malformed_calls},
                 {"failed_calls", a.loop.failed_calls},
                 {"stop", a.loop.stop}};
  }
  // Agents repair their text (agent.h); `replace` keeps a line from ever failing on text that
  // came another way (a prompt rendered from a cluster's truth).
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The prompt and answer stored in `path` for (prompt_id, trial), if any.
std::optional<std::pair<std::string, std::string>> Stored(const std::string& path,
                                                          const std::string& prompt_id, int trial) {
  std::optional<std::pair<std::string, std::string>> found;
  Diagnostics ignored;
  int lines = 0;
  ReadResponses(
      path, path,
      [&](const Response& r) {
        if (r.prompt_id == prompt_id && r.trial == trial && !found.has_value()) {
          found.emplace(r.prompt, r.status == ResponseStatus::kOk ? r.answer : "");
        }
      },
      &ignored, &lines)
      .IgnoreError();
  return found;
}

// The agent, until an interrupt: from then on questions not yet sent are not asked (their
// answers carry kNotAsked and are not written), so an interrupted run keeps only real answers.
// An exception out of the agent (a bug, memory) becomes that answer's error, never the run's
// end: the other answers are still asked, written and scored.
constexpr char kNotAsked[] = "not asked: interrupted";

class Guarded final : public agent::Agent {
 public:
  Guarded(agent::Agent* inner, const std::atomic<int>* interrupts)
      : inner_(inner), interrupts_(interrupts) {}
  std::string kind() const override { return inner_->kind(); }
  std::string context_mode() const override { return inner_->context_mode(); }
  agent::AgentAnswer Ask(const agent::AgentRequest& request) override {
    agent::AgentAnswer a;
    if (interrupts_ != nullptr && interrupts_->load() > 0) {
      a.error = kNotAsked;
      return a;
    }
    try {
      const absl::Time started = absl::Now();
      agent::AgentAnswer answer = inner_->Ask(request);
      answer.started = started;
      return answer;
    } catch (const std::exception& e) {
      a.error = absl::StrCat("internal error while asking: ", e.what());
    } catch (...) {
      a.error = "internal error while asking: an unknown exception";
    }
    a.attempts = 1;
    a.invalid_utf8 = RepairUtf8(&a.error) > 0;
    return a;
  }

 private:
  agent::Agent* inner_;
  const std::atomic<int>* interrupts_;
};

}  // namespace

absl::StatusOr<AskSummary> AskSuite(agent::Agent* agent, const AskOptions& o,
                                    std::ostream* progress) {
  AskSummary summary;
  const Suite& suite = *o.suite;
  // The truths (and evidence packs) of the incidents asked about.
  std::map<std::string, Truth> truths;
  std::map<std::string, std::string> evidence;
  std::vector<const Prompt*> prompts;
  for (const Prompt* p : suite.AllPrompts()) {
    if (p->act.defined && !o.act_tasks) continue;
    if (!o.incidents.empty() &&
        std::find(o.incidents.begin(), o.incidents.end(), p->incident) == o.incidents.end()) {
      continue;
    }
    if (truths.count(p->incident) == 0) {
      absl::StatusOr<Truth> truth =
          LoadTruth(absl::StrCat(o.run_dir, "/", p->incident, "/truth.json"));
      if (!truth.ok()) {
        summary.problems.push_back(absl::StrCat(p->id, ": not asked: ", truth.status().message()));
        ++summary.skipped;
        continue;
      }
      truths.emplace(p->incident, *std::move(truth));
      if (agent->context_mode() == "evidence") {
        absl::StatusOr<incident::Timeline> t =
            incident::ReadTimeline(absl::StrCat(o.run_dir, "/", p->incident, "/timeline.jsonl"));
        agent::EvidenceOptions eo;
        eo.budget_bytes = o.evidence_budget;
        evidence[p->incident] = t.ok() ? agent::BuildEvidencePack(*t, eo) : "";
      }
    }
    prompts.push_back(p);
  }

  std::vector<Item> items;
  for (int trial = 1; trial <= o.trials; ++trial) {
    for (const Prompt* p : prompts) {
      if (o.skip.count({p->id, trial}) != 0) continue;
      const Truth& truth = truths.at(p->incident);
      absl::StatusOr<std::string> text = p->tmpl.Render(truth.facts);
      if (!text.ok()) {
        summary.problems.push_back(absl::StrCat(p->id, ": not asked: ", text.status().message()));
        ++summary.skipped;
        continue;
      }
      Item item;
      item.prompt = p;
      item.trial = trial;
      item.text = *text;
      item.depth = Depth(suite, p);
      agent::AgentRequest& r = item.request;
      r.incident = p->incident;
      r.prompt_id = p->id;
      r.message = *text;
      if (truth.facts.contains("window.start")) r.window_start = truth.facts["window.start"];
      if (truth.facts.contains("window.end")) r.window_end = truth.facts["window.end"];
      r.cluster = o.cluster;
      auto ev = evidence.find(p->incident);
      if (ev != evidence.end()) r.evidence = ev->second;
      r.trial = trial;
      if (p->act.defined) {
        // Prepared by the task itself, with writes scoped to it.
        items.push_back(std::move(item));
        continue;
      }
      if (o.prepare) {
        absl::Status prepared = o.prepare(&r);
        if (!prepared.ok()) {
          summary.problems.push_back(
              absl::StrCat(p->id, ": asked without credentials of its own: ", prepared.message()));
        }
      }
      items.push_back(std::move(item));
    }
  }

  const std::string path =
      o.responses_path.empty() ? absl::StrCat(o.run_dir, "/responses.jsonl") : o.responses_path;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "a"), &std::fclose);
  if (out == nullptr) return ErrnoStatus(errno, path);
  int max_depth = 0;
  std::vector<size_t> tasks;  // action tasks, performed after the questions
  for (size_t k = 0; k < items.size(); ++k) {
    if (items[k].prompt->act.defined) {
      tasks.push_back(k);
      items[k].depth = -1;
    }
    max_depth = std::max(max_depth, items[k].depth);
  }
  absl::Status write_status;
  auto keep = [&](size_t index, const agent::AgentAnswer& answer) {
    Item& item = items[index];
    if (answer.error == kNotAsked) {
      summary.problems.push_back(absl::StrCat(item.prompt->id, ": not asked: interrupted"));
      ++summary.skipped;
      return;
    }
    item.answer = answer;
    item.asked = true;
    std::string line;
    try {
      line = ResponseLine(item, o.agent_name, o);
    } catch (const std::exception& e) {
      // Kept as that answer's error: the line must be written, or the answer is lost.
      item.answer = agent::AgentAnswer();
      item.answer.attempts = answer.attempts;
      item.answer.latency = answer.latency;
      item.answer.error = absl::StrCat("internal error while storing the answer: ", e.what());
      RepairUtf8(&item.answer.error);
      line = ResponseLine(item, o.agent_name, o);
    }
    if (std::fwrite(line.data(), 1, line.size(), out.get()) != line.size() ||
        std::fflush(out.get()) != 0) {
      if (write_status.ok()) {
        write_status = ErrnoStatus(errno, "responses.jsonl");
      }
    }
    ++summary.asked;
    const agent::AgentAnswer& kept = item.answer;
    if (!kept.ok()) ++summary.errors;
    if (progress != nullptr) {
      *progress << item.prompt->id << " (trial " << item.trial
                << "): " << (kept.ok() ? "answered" : "ERROR") << " in "
                << absl::ToInt64Milliseconds(kept.latency) << " ms";
      if (kept.ok() && kept.reused) *progress << " (sharing one investigation of the incident)";
      if (!kept.ok()) *progress << ": " << EscapeControls(agent::Redact(kept.error, o.secrets));
      *progress << "\n" << std::flush;
    }
  };
  for (int depth = 0; depth <= max_depth; ++depth) {
    if (o.interrupts != nullptr && o.interrupts->load() > 0) break;
    std::vector<size_t> wave;
    std::vector<agent::AgentRequest> requests;
    for (size_t k = 0; k < items.size(); ++k) {
      Item& item = items[k];
      if (item.depth != depth) continue;
      if (!item.prompt->continues.empty()) {
        // The conversation so far: the prompt it continues, in the same trial.
        const Item* before = nullptr;
        for (const Item& b : items) {
          if (b.prompt->id == item.prompt->continues && b.trial == item.trial) before = &b;
        }
        if (before == nullptr) {
          // Asked in an earlier call (an earlier incident of this run): its line is stored.
          auto stored = Stored(path, item.prompt->continues, item.trial);
          if (stored.has_value()) {
            item.request.history.push_back({"user", stored->first});
            item.request.history.push_back({"assistant", stored->second});
            wave.push_back(k);
            requests.push_back(item.request);
            continue;
          }
        }
        if (before == nullptr || !before->asked) {
          summary.problems.push_back(absl::StrCat(item.prompt->id, ": not asked: it continues ",
                                                  item.prompt->continues, ", which was not asked"));
          ++summary.skipped;
          continue;
        }
        item.request.history = before->request.history;
        item.request.history.push_back({"user", before->text});
        item.request.history.push_back(
            {"assistant", before->answer.ok() ? before->answer.text : ""});
      }
      wave.push_back(k);
      requests.push_back(item.request);
    }
    Guarded guarded(agent, o.interrupts);
    agent::AskAll(&guarded, requests, std::max(1, o.jobs),
                  [&](size_t i, const agent::AgentAnswer& answer) { keep(wave[i], answer); });
  }
  for (size_t k : tasks) {
    if (o.interrupts != nullptr && o.interrupts->load() > 0) break;
    Item& item = items[k];
    if (!o.act) {
      summary.problems.push_back(
          absl::StrCat(item.prompt->id, ": not asked: an action task needs a cluster (run)"));
      ++summary.skipped;
      continue;
    }
    if (progress != nullptr) {
      *progress << item.prompt->id << " (trial " << item.trial << "): acting, "
                << absl::FormatDuration(item.prompt->act.budget) << " budget\n"
                << std::flush;
    }
    agent::AgentAnswer answer;
    try {
      answer = o.act(*item.prompt, item.request);
    } catch (const std::exception& e) {
      answer.attempts = 1;
      answer.error = absl::StrCat("internal error while performing the task: ", e.what());
    }
    keep(k, answer);
  }
  if (!write_status.ok()) return write_status;
  return summary;
}

}  // namespace sre_eval
