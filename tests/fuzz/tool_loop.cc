// Fuzzes the built-in tool-calling loop (tools/tool_loop.h) with what a model's server may
// send: the input is up to 6 response bodies separated by 0x01, one per turn (then the server
// answers 500). Tools reach nothing real: kubectl is a fake that echoes its arguments, HTTP
// is the fake server. Whatever comes back, the loop ends within its bounds with an answer or an
// error (never both), both valid UTF-8, and its counts add up.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "fuzz_input.h"
#include "tools/tool_loop.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  const std::vector<std::string> bodies =
      absl::StrSplit(std::string(reinterpret_cast<const char*>(data), size), '\x01');
  size_t turn = 0;
  sre_eval::FakeHttpClient http(
      [&](const sre_eval::HttpRequest&) -> absl::StatusOr<sre_eval::HttpResponse> {
        sre_eval::HttpResponse r;
        if (turn >= bodies.size() || turn >= 6) {
          r.status = 500;
          r.body = "script ended";
        } else {
          r.status = 200;
          r.headers.push_back({"content-type", "application/json"});
          r.body = bodies[turn];
        }
        ++turn;
        return r;
      });
  sre_eval::FakeProcessRunner runner(
      [](const sre_eval::SubprocessOptions& o) -> absl::StatusOr<sre_eval::SubprocessResult> {
        sre_eval::SubprocessResult r;
        r.exit_code = 0;
        r.stdout_data = absl::StrJoin(o.argv, " ");
        return r;
      });
  sre_eval::FakeClock clock(absl::FromUnixSeconds(1800000000));
  sre_eval::agent::AgentConfig config;
  config.kind = "openai";
  config.context_mode = "tools";
  config.base_url = "http://127.0.0.1:9/v1";
  config.model = "m";
  config.policy.retries = 0;
  config.loop.max_turns = 8;
  config.loop.max_calls = 12;
  config.loop.max_output_bytes = 512;
  int audited = 0;
  sre_eval::tools::ToolLoopAgent agent(
      config, &http, &runner, &clock, 1,
      [&](const sre_eval::agent::AgentRequest&, const sre_eval::tools::AuditEntry&) { ++audited; });
  sre_eval::agent::AgentRequest request;
  request.prompt_id = "i1.x";
  request.message = "What happened?";
  request.cluster.prometheus = "http://127.0.0.1:9/prometheus";
  sre_eval::agent::AgentAnswer a = agent.Ask(request);
  FUZZ_CHECK(a.ok() == !a.text.empty());
  FUZZ_CHECK(sre_eval::IsValidUtf8(a.text) && sre_eval::IsValidUtf8(a.error));
  FUZZ_CHECK(a.ok() ? a.error.empty() : a.text.empty());
  FUZZ_CHECK(a.loop.turns >= 1 && a.loop.turns <= config.loop.max_turns);
  FUZZ_CHECK(a.loop.tool_calls <= config.loop.max_calls);
  FUZZ_CHECK(audited == a.loop.tool_calls);
  FUZZ_CHECK(a.loop.failed_calls >= a.loop.malformed_calls);
  FUZZ_CHECK(!a.loop.stop.empty());
  return 0;
}
