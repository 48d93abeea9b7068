// Fuzzes agent file loading (agent/config.h ParseAgentConfig), with ${NAME} expanded from a
// fixed environment and checked for syntax only.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/config.h"
#include "fuzz_input.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  agent::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OPENAI_API_KEY" || name == "AGENT_TOKEN") return "sk-fuzz-secret";
    if (name == "EMPTY") return "";
    if (name == "AGENT_URL") return "http://127.0.0.1:8080/ask";
    return std::nullopt;
  };
  for (bool expand : {true, false}) {
    Diagnostics diags;
    absl::StatusOr<agent::AgentConfig> config =
        agent::ParseAgentConfig("agents/fuzz.yaml", fuzz::AsText(data, size), env, expand, &diags);
    FUZZ_CHECK(config.ok() == diags.empty());
    if (config.ok()) {
      for (const std::string& secret : config->secrets) {
        std::string shown = agent::Redact("a " + secret + " b", config->secrets);
        FUZZ_CHECK(shown.find(secret) == std::string::npos);
      }
    }
  }
  return 0;
}
