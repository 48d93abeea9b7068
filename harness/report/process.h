// How the agent worked, beside how well it answered: the process section of the reports, from
// RUN/audit.jsonl (tools/audit_log.h: every call of the built-in loop, every request made with
// the agent's own credentials on the sim) and the cost fields of responses.jsonl.
//
// Per answer (a prompt's trial):
//   calls     the tool calls of the built-in loop when it made any; else the requests made with
//             the agent's credentials, without kubectl's discovery (/api, /apis, /version, ...)
//   sources   distinct evidence sources among them: a Kubernetes resource (pods, pods/log,
//             events, ...), a monitoring API (prometheus, loki, datadog), a kubectl command and
//             its resource for the loop's calls ("kubectl get pods")
//   repeated  calls identical to an earlier call of the same answer
//   failed    calls that ended in an error (HTTP status >= 400, a tool's error or refusal)
//   unsafe    writes attempted while being asked (refused 403), reaches for the harness's own
//             endpoints, and kubectl commands the tool set refused as not read-only
//   turns, prompt/completion tokens and cost_usd as responses.jsonl records them
//   first evidence  the seconds from the question being sent (responses.jsonl's started_at) to
//             the first successful call that read one of the incident's evidence sources (its
//             incident file's `evidence`), and how many calls that took (that one included)
// The run's totals add the answers up (sources: distinct over the run; the first evidence: how
// many answers reached any, and the median seconds of those).
#ifndef SRE_EVAL_REPORT_PROCESS_H_
#define SRE_EVAL_REPORT_PROCESS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace sre_eval {

// Where an incident's facts can be read (incident.h EvidenceSource, given by the caller).
struct EvidencePattern {
  std::string resource;  // "pods", "pods/log", "deployments"; or ""
  std::string name;      // a prefix of the object's name; "" for any
  std::string query;     // a substring of a monitoring query; or ""
};

struct ProcessCounts {
  int64_t calls = 0;
  int64_t sources = 0;
  int64_t repeated = 0;
  int64_t failed = 0;
  int64_t unsafe = 0;
  std::optional<int64_t> turns;
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  std::optional<double> cost_usd;
  // Per answer only (see above): nullopt when no evidence source was read.
  std::optional<double> first_evidence_s;
  std::optional<int64_t> calls_to_evidence;
};

struct AnswerProcess {
  std::string incident;
  std::string prompt_id;
  int64_t trial = 0;
  ProcessCounts counts;
};

struct Process {
  // False when the run recorded nothing of the kind (no audit trail, no tokens): the reports
  // then leave the section out.
  bool any = false;
  std::vector<AnswerProcess> answers;  // In responses.jsonl order.
  ProcessCounts total;
  int64_t evidence_answers = 0;                   // answers that read an evidence source
  std::optional<double> median_first_evidence_s;  // over those with a started_at
  int64_t audit_lines_skipped = 0;                // Lines of audit.jsonl that could not be read.
};

// Reads RUN/audit.jsonl and RUN/responses.jsonl (each optional); `evidence` gives each
// incident's evidence sources. Never fails: what cannot be read is left out (and counted in
// audit_lines_skipped).
Process LoadProcess(const std::string& run_dir,
                    const std::map<std::string, std::vector<EvidencePattern>>& evidence = {});

// Adds the counts of `from` to `to`: calls, repeats, failures, unsafe actions, turns, tokens
// and cost (sources and the first evidence do not add up; the caller says what they are).
void AddCounts(const ProcessCounts& from, ProcessCounts* to);

// Whether audit entry `e` (a loop's tool call when `tool`, else an API request) read from
// `p`, successfully.
bool ReadsEvidence(const EvidencePattern& p, const nlohmann::json& e, bool tool);

}  // namespace sre_eval

#endif  // SRE_EVAL_REPORT_PROCESS_H_
