#include "agent/config.h"

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace agent {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Loads `yaml` as agent.yaml in a fresh folder.
struct Loaded {
  absl::StatusOr<AgentConfig> config;
  std::vector<std::string> errors;  // With the folder taken out of every path.
};

Loaded Load(const std::string& yaml, const EnvLookup& env, bool expand = true) {
  TempDir dir;
  std::string path = dir.WriteFile("agent.yaml", yaml);
  Diagnostics diags;
  Loaded out{LoadAgentConfig(path, env, expand, &diags), {}};
  for (const std::string& s : DiagnosticStrings(diags)) {
    out.errors.push_back(absl::StrReplaceAll(s, {{dir.path() + "/", ""}}));
  }
  if (out.config.ok()) out.config->file = "agent.yaml";
  return out;
}

Loaded Load(const std::string& yaml) { return Load(yaml, FakeEnv({})); }

struct ErrorCase {
  const char* name;
  const char* yaml;
  std::vector<std::string> errors;
};

std::vector<ErrorCase> ErrorCases() {
  return {
      {"missing_kind", "name: x\n", {"agent.yaml:1:1: agent file is missing required key 'kind'"}},
      {"unknown_kind",
       "kind: opnai\n",
       {"agent.yaml:1:7: 'kind' must be http, openai or command, got 'opnai' (did you mean "
        "'openai'?)"}},
      {"reference_kind",
       "kind: reference\n",
       {"agent.yaml:1:7: 'kind' must be http, openai or command, got 'reference' (the reference "
        "agent is built in: --agent reference)"}},
      {"unknown_key_and_missing_section",
       "kind: command\ncomand:\n  argv: [x]\n",
       {"agent.yaml:1:1: agent file of kind 'command' is missing required key 'command'",
        "agent.yaml:2:1: unknown key 'comand' in agent file (did you mean 'command'?)"}},
      {"section_of_another_kind",
       "kind: command\ncommand: {argv: [x]}\nhttp: {url: http://x}\n",
       {"agent.yaml:3:1: 'http' does not apply to kind 'command'"}},
      {"section_not_a_mapping",
       "kind: command\ncommand: [x]\n",
       {"agent.yaml:2:10: 'command' must be a mapping, got a list"}},
      {"bad_context",
       "kind: command\ncontext: evidnce\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'context' must be none, evidence or tools, got 'evidnce' (did you mean "
        "'evidence'?)"}},
      {"bad_durations",
       "kind: command\ntimeout: 60\nbudget: -5m\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'timeout' must be a duration like 60s, 30m or 1h30m, got '60'",
        "agent.yaml:3:9: 'budget' must be more than 0s, got '-5m'"}},
      {"duration_of_wrong_type",
       "kind: command\ntimeout: [1s]\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'timeout' must be a string, got a list"}},
      {"retries_out_of_range",
       "kind: command\nretries: 11\nmax_answer_bytes: 0\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'retries' must be a whole number from 0 to 10, got '11'",
        "agent.yaml:3:19: 'max_answer_bytes' must be a whole number from 1 to 67108864, got "
        "'0'"}},
      {"retries_not_whole",
       "kind: command\nretries: 1.5\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'retries' must be a whole number from 0 to 10, got '1.5'"}},
      {"openai_missing_model_bad_values",
       "kind: openai\nopenai:\n  base_url: ftp://example.com\n  temperature: 3\n"
       "  max_tokens: 0\n  modle: x\n",
       {"agent.yaml:3:3: 'openai' is missing required key 'model'",
        "agent.yaml:3:13: 'base_url' must start with http:// or https://, got "
        "'ftp://example.com'",
        "agent.yaml:4:16: 'temperature' must be a number from 0 to 2, got '3'",
        "agent.yaml:5:15: 'max_tokens' must be a whole number from 1 to 1000000, got '0'",
        "agent.yaml:6:3: unknown key 'modle' in 'openai' (did you mean 'model'?)"}},
      {"http_missing_url",
       "kind: http\nhttp:\n  method: POST\n",
       {"agent.yaml:3:3: 'http' is missing required key 'url'"}},
      {"http_url_without_host",
       "kind: http\nhttp:\n  url: http:///ask\n",
       {"agent.yaml:3:8: 'url' has no host: 'http:///ask'"}},
      {"http_url_with_space",
       "kind: http\nhttp:\n  url: \"http://a b/\"\n",
       {"agent.yaml:3:8: 'url' must not contain spaces or control characters"}},
      {"http_bad_method",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  method: PSOT\n",
       {"agent.yaml:4:11: 'method' must be POST, PUT, PATCH or GET, got 'PSOT' (did you mean "
        "'POST'?)"}},
      {"pointer_without_slash",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  answer: answer\n",
       {"agent.yaml:4:11: 'answer' must be a JSON Pointer (RFC 6901) starting with '/', like "
        "/answer or /choices/0/text, or \"\" for the whole text; got 'answer'"}},
      {"pointer_bad_escape",
       "kind: command\ncommand:\n  argv: [x]\n  answer: /a~2b\n",
       {"agent.yaml:4:11: 'answer' is not a valid JSON Pointer: '~' must be followed by 0 or 1 "
        "(~0 stands for '~', ~1 for '/'); got '/a~2b'"}},
      {"pointer_trailing_tilde",
       "kind: command\ncommand:\n  argv: [x]\n  answer: /a~\n",
       {"agent.yaml:4:11: 'answer' is not a valid JSON Pointer: '~' must be followed by 0 or 1 "
        "(~0 stands for '~', ~1 for '/'); got '/a~'"}},
      {"pointer_not_a_string",
       "kind: command\ncommand:\n  argv: [x]\n  answer: [a]\n",
       {"agent.yaml:4:11: 'answer' must be a string, got a list"}},
      {"headers_problems",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  headers:\n    X Bad: a\n"
       "    Accept: a\n    accept: b\n    X-List: [a]\n",
       {"agent.yaml:5:5: 'X Bad' is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
        "agent.yaml:7:5: duplicate header 'accept'",
        "agent.yaml:8:13: header 'X-List' must be a string, got a list"}},
      {"headers_not_a_mapping",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  headers: [a]\n",
       {"agent.yaml:4:12: 'headers' must be a mapping, got a list"}},
      {"query_value_not_a_string",
       "kind: openai\nopenai:\n  model: m\n  query: {api-version: {a: b}}\n",
       {"agent.yaml:4:24: query parameter 'api-version' must be a string, got a mapping"}},
      {"body_not_a_mapping",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  body: [1]\n",
       {"agent.yaml:4:9: 'body' must be a mapping, got a list"}},
      {"body_unknown_placeholder",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  body:\n    q: \"{{mesage}}\"\n",
       {"agent.yaml:5:8: unknown placeholder '{{mesage}}' in http.body.q (did you mean "
        "'{{message}}'?); placeholders are {{message}}, {{history}}, {{incident}}, "
        "{{prompt_id}}, {{window}}, {{cluster}}, {{monitoring}}, {{evidence}}"}},
      {"body_with_get",
       "kind: http\nhttp:\n  url: http://127.0.0.1/\n  method: GET\n  body: {a: 1}\n",
       {"agent.yaml:5:9: 'body' cannot be sent with method GET"}},
      {"argv_problems",
       "kind: command\ncommand:\n  argv: []\n",
       {"agent.yaml:3:9: 'argv' must not be empty"}},
      {"argv_not_a_list",
       "kind: command\ncommand:\n  argv: my-agent --json\n",
       {"agent.yaml:3:9: 'argv' must be a list, got a string"}},
      {"unterminated_reference",
       "kind: command\ncommand:\n  argv: [x, \"${TOKEN\"]\n",
       {"agent.yaml:3:13: unterminated '${' in command.argv[1] (write ${NAME}, or $${ for a "
        "literal '${')"}},
      {"bad_variable_names",
       "kind: command\ncommand:\n  argv: [\"${1X}\", \"${}\"]\n",
       {"agent.yaml:3:10: '${1X}' in command.argv[0] is not a variable name (letters, digits "
        "and '_', not starting with a digit)",
        "agent.yaml:3:19: '${}' in command.argv[1] is not a variable name (letters, digits and "
        "'_', not starting with a digit)"}},
      {"yaml_syntax_error",
       "kind: [\n",
       {"agent.yaml:2:1: YAML syntax error: end of sequence flow not found"}},
      {"empty_file", "# nothing\n", {"agent.yaml: file is empty"}},
      {"not_a_mapping", "- kind\n", {"agent.yaml:1:1: agent file must be a mapping, got a list"}},
      {"tools_for_a_command",
       "kind: command\ncontext: tools\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:10: 'context: tools' is the built-in tool-calling loop of kind openai; an "
        "agent of kind 'command' calls tools on its own (sre-eval mcp serves them: "
        "agents/mcp.yaml)"}},
      {"loop_values",
       "kind: openai\ncontext: tools\ntools: {max_turns: 0, max_calls: x, time: -1s, "
       "max_output_bytes: 10, max_tokenz: 5}\nopenai: {model: m}\n",
       {"agent.yaml:3:20: 'max_turns' must be a whole number from 1 to 1000, got '0'",
        "agent.yaml:3:34: 'max_calls' must be a whole number from 1 to 10000, got 'x'",
        "agent.yaml:3:43: 'time' must be more than 0s, got '-1s'",
        "agent.yaml:3:66: 'max_output_bytes' must be a whole number from 256 to 16777216, got "
        "'10'",
        "agent.yaml:3:70: unknown key 'max_tokenz' in 'tools' (did you mean 'max_tokens'?)"}},
      {"tools_without_the_loop",
       "kind: openai\ntools: {max_turns: 3}\nopenai: {model: m}\n",
       {"agent.yaml:2:8: 'tools' sets the bounds of 'context: tools' and applies to nothing "
        "else"}},
      {"prices",
       "kind: openai\nprices: {input: -1}\nopenai: {model: m}\n",
       {"agent.yaml:2:9: 'prices' is missing required key 'output' (USD per million tokens)",
        "agent.yaml:2:17: 'input' must be a number from 0 to 1e+06, got '-1'"}},
      {"expose",
       "kind: command\nexpose: [incident, prompt]\ncommand: {argv: [x]}\n",
       {"agent.yaml:2:20: 'expose' lists incident and prompt_id only, got 'prompt'"}},
  };
}

class AgentConfigErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(AgentConfigErrorTest, ReportsExactErrors) {
  const ErrorCase& c = GetParam();
  Loaded loaded = Load(c.yaml);
  EXPECT_EQ(loaded.errors, c.errors);
  EXPECT_TRUE(absl::IsInvalidArgument(loaded.config.status())) << loaded.config.status();
}

INSTANTIATE_TEST_SUITE_P(Cases, AgentConfigErrorTest, testing::ValuesIn(ErrorCases()),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

TEST(AgentConfigTest, ErrorsBecomeTheStatusToo) {
  Loaded loaded = Load("kind: command\nretries: 11\ncommand: {argv: [x]}\n");
  ASSERT_FALSE(loaded.config.ok());
  EXPECT_NE(loaded.config.status().message().find(
                "agent.yaml:2:10: 'retries' must be a whole number from 0 to 10, got '11'"),
            std::string::npos)
      << loaded.config.status();
}

TEST(AgentConfigTest, MissingFileIsNotFound) {
  TempDir dir;
  std::string path = dir.path() + "/missing.yaml";
  Diagnostics diags;
  absl::StatusOr<AgentConfig> config = LoadAgentConfig(path, FakeEnv({}), true, &diags);
  EXPECT_TRUE(absl::IsNotFound(config.status())) << config.status();
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{path + ": No such file or directory"});
}

TEST(AgentConfigTest, KeepsDiagnosticsAlreadyCollected) {
  Diagnostics diags;
  diags.Add("other.yaml", 1, 1, "earlier");
  TempDir dir;
  std::string path = dir.WriteFile("a.yaml", "kind: nope\n");
  EXPECT_FALSE(LoadAgentConfig(path, FakeEnv({}), true, &diags).ok());
  EXPECT_EQ(diags.size(), 2u);
}

TEST(AgentConfigTest, CommandDefaults) {
  Loaded loaded = Load("kind: command\ncommand:\n  argv: [my-agent, --json]\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  const AgentConfig& c = *loaded.config;
  EXPECT_EQ(c.kind, "command");
  EXPECT_EQ(c.name, "agent");  // The file's stem.
  EXPECT_EQ(c.context_mode, "none");
  EXPECT_EQ(c.argv, (std::vector<std::string>{"my-agent", "--json"}));
  EXPECT_EQ(c.answer_pointer, "");
  EXPECT_EQ(c.policy.timeout, absl::Seconds(60));
  EXPECT_EQ(c.policy.retries, 3);
  EXPECT_EQ(c.policy.max_answer_bytes, 262144u);
  EXPECT_EQ(c.policy.budget, absl::Minutes(30));
  EXPECT_TRUE(c.secrets.empty());
}

TEST(AgentConfigTest, PolicyAndContextAreRead) {
  Loaded loaded = Load(
      "kind: http\nname: my agent\ncontext: evidence\ntimeout: 1m30s\nretries: 0\n"
      "max_answer_bytes: 1000\nbudget: 2h\nhttp:\n  url: https://agent.example/ask\n"
      "  method: put\n  answer: \"\"\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  const AgentConfig& c = *loaded.config;
  EXPECT_EQ(c.name, "my agent");
  EXPECT_EQ(c.context_mode, "evidence");
  EXPECT_EQ(c.policy.timeout, absl::Seconds(90));
  EXPECT_EQ(c.policy.retries, 0);
  EXPECT_EQ(c.policy.max_answer_bytes, 1000u);
  EXPECT_EQ(c.policy.budget, absl::Hours(2));
  EXPECT_EQ(c.url, "https://agent.example/ask");
  EXPECT_EQ(c.method, "PUT");
  EXPECT_EQ(c.answer_pointer, "");
  EXPECT_FALSE(c.body.has_value());
}

TEST(AgentConfigTest, OpenAiDefaultsToEvidenceAndTheOpenAiUrl) {
  Loaded loaded = Load("kind: openai\nopenai: {model: gpt-4o-mini}\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  EXPECT_EQ(loaded.config->context_mode, "evidence");
  EXPECT_EQ(loaded.config->base_url, "https://api.openai.com/v1");
  EXPECT_EQ(loaded.config->model, "gpt-4o-mini");
  EXPECT_EQ(loaded.config->temperature, 0);
  EXPECT_EQ(loaded.config->max_tokens, 1024);

  loaded = Load("kind: openai\ncontext: none\nopenai: {model: m, base_url: http://h:1/v1/}\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  EXPECT_EQ(loaded.config->context_mode, "none");
  EXPECT_EQ(loaded.config->base_url, "http://h:1/v1");  // Without the trailing '/'.
}

TEST(AgentConfigTest, ExpandsEveryStringAndRecordsSecrets) {
  Loaded loaded = Load(
      "kind: openai\n"
      "name: ${WHO} run\n"
      "openai:\n"
      "  base_url: ${BASE}/v1\n"
      "  model: ${MODEL}\n"
      "  api_key: ${MY_CRED}\n"
      "  temperature: ${TEMP}\n"
      "  headers:\n"
      "    api-key: ${AZURE_KEY}\n"
      "    X-Org: org-${ORG}\n"
      "    X-Short: ${SHORT}\n"
      "  query: {api-version: \"${API_VERSION}\"}\n"
      "  system: \"Costs $ ${PRICE}; ${GITHUB_TOKEN}; literal $${HOME}; $5\"\n",
      FakeEnv({{"WHO", "ops"},
               {"BASE", "http://127.0.0.1:8000"},
               {"MODEL", "llama"},
               {"MY_CRED", "cred-value"},
               {"TEMP", "0.5"},
               {"AZURE_KEY", "azure-secret"},
               {"ORG", "acme-org"},
               {"SHORT", "abc"},
               {"API_VERSION", "2024-06-01"},
               {"PRICE", "10"},
               {"GITHUB_TOKEN", "gh-token"},
               {"HOME", "/root"}}));
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  const AgentConfig& c = *loaded.config;
  EXPECT_EQ(c.name, "ops run");
  EXPECT_EQ(c.base_url, "http://127.0.0.1:8000/v1");
  EXPECT_EQ(c.model, "llama");
  EXPECT_EQ(c.api_key, "cred-value");
  EXPECT_EQ(c.temperature, 0.5);
  EXPECT_EQ(c.headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"api-key", "azure-secret"}, {"X-Org", "org-acme-org"}, {"X-Short", "abc"}}));
  EXPECT_EQ(c.query,
            (std::vector<std::pair<std::string, std::string>>{{"api-version", "2024-06-01"}}));
  EXPECT_EQ(c.system, "Costs $ 10; gh-token; literal ${HOME}; $5");
  // api_key and header values whatever their names; secret-looking names anywhere; never a
  // value shorter than 4 bytes; never a value of other variables (ORG is only in a header).
  EXPECT_EQ(c.secrets,
            (std::vector<std::string>{"cred-value", "azure-secret", "acme-org", "gh-token"}));
}

TEST(AgentConfigTest, SecretNamesAreMatchedByTheirEnd) {
  Loaded loaded = Load(
      "kind: command\ncommand:\n  argv: [\"${A_KEY}\", \"${B_TOKEN}\", \"${C_SECRET}\",\n"
      "         \"${D_PASSWORD}\", \"${KEYRING}\", \"${E_KEY}\", \"${F_KEY}\"]\n",
      FakeEnv({{"A_KEY", "aaaa"},
               {"B_TOKEN", "bbbb"},
               {"C_SECRET", "cccc"},
               {"D_PASSWORD", "dddd"},
               {"KEYRING", "not-secret"},
               {"E_KEY", "aaaa"},  // The same value is recorded once.
               {"F_KEY", "fff"}}));
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  EXPECT_EQ(loaded.config->secrets, (std::vector<std::string>{"aaaa", "bbbb", "cccc", "dddd"}));
}

TEST(AgentConfigTest, UnsetVariablesAreErrorsNamingTheKey) {
  Loaded loaded = Load(
      "kind: http\nhttp:\n  url: http://127.0.0.1/\n  headers:\n"
      "    Authorization: Bearer ${AGENT_TOKEN}\n"
      "  body:\n    model: x\n    messages: [{content: \"${PREFIX} {{message}}\"}]\n",
      FakeEnv({}));
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                "agent.yaml:5:20: environment variable AGENT_TOKEN is not set (agent.yaml uses "
                "it for http.headers.Authorization)",
                "agent.yaml:8:26: environment variable PREFIX is not set (agent.yaml uses it "
                "for http.body.messages[0].content)"}));
}

TEST(AgentConfigTest, WithoutExpansionOnlySyntaxIsChecked) {
  const char* yaml =
      "kind: http\ntimeout: ${TIMEOUT}\nhttp:\n  url: ${AGENT_URL}/ask\n"
      "  headers: {Authorization: \"Bearer ${AGENT_TOKEN}\"}\n  answer: ${POINTER}\n";
  Loaded loaded = Load(yaml, FakeEnv({}), /*expand=*/false);
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  EXPECT_EQ(loaded.config->url, "${AGENT_URL}/ask");
  EXPECT_EQ(loaded.config->headers, (std::vector<std::pair<std::string, std::string>>{
                                        {"Authorization", "Bearer ${AGENT_TOKEN}"}}));
  EXPECT_EQ(loaded.config->answer_pointer, "${POINTER}");
  EXPECT_EQ(loaded.config->policy.timeout, absl::Seconds(60));
  EXPECT_TRUE(loaded.config->secrets.empty());

  loaded = Load("kind: command\ncommand: {argv: [\"${A-B}\"]}\n", FakeEnv({}), false);
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                "agent.yaml:2:18: '${A-B}' in command.argv[0] is not a variable name (letters, "
                "digits and '_', not starting with a digit)"}));
}

TEST(AgentConfigTest, ExpandedValuesAreCheckedAfterExpansion) {
  Loaded loaded = Load("kind: http\ntimeout: ${T}\nhttp:\n  url: ${U}\n",
                       FakeEnv({{"T", "soon"}, {"U", "ftp://x"}}));
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                "agent.yaml:2:10: 'timeout' must be a duration like 60s, 30m or 1h30m, got "
                "'soon'",
                "agent.yaml:4:8: 'url' must start with http:// or https://, got 'ftp://x'"}));
}

TEST(AgentConfigTest, BodyBecomesJson) {
  Loaded loaded = Load(
      "kind: http\n"
      "http:\n"
      "  url: http://127.0.0.1:8080/ask\n"
      "  answer: /reply/text\n"
      "  body:\n"
      "    question: \"{{message}}\"\n"
      "    history: \"{{history}}\"\n"
      "    n: 3\n"
      "    t: 0.5\n"
      "    stream: false\n"
      "    quoted: \"7\"\n"
      "    none: null\n"
      "    tags: [a, 1, \"${USER_NAME}\"]\n"
      "    nested: {auth: \"Bearer ${SVC_TOKEN}\", empty: {}}\n",
      FakeEnv({{"USER_NAME", "sre"}, {"SVC_TOKEN", "tok-123"}}));
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  ASSERT_TRUE(loaded.config->body.has_value());
  EXPECT_EQ(loaded.config->body->dump(),
            R"({"history":"{{history}}","n":3,"nested":{"auth":"Bearer tok-123","empty":{}},)"
            R"("none":null,"question":"{{message}}","quoted":"7","stream":false,"t":0.5,)"
            R"("tags":["a",1,"sre"]})");
  EXPECT_EQ(loaded.config->answer_pointer, "/reply/text");
  EXPECT_EQ(loaded.config->secrets, std::vector<std::string>{"tok-123"});
}

TEST(AgentConfigTest, ShippedExamplesExpand) {
  std::string dir = std::string(SRE_EVAL_SOURCE_DIR) + "/agents/";
  Diagnostics diags;
  absl::StatusOr<AgentConfig> openai = LoadAgentConfig(
      dir + "openai.yaml", FakeEnv({{"OPENAI_API_KEY", "sk-test-0123456789"}}), true, &diags);
  ASSERT_TRUE(openai.ok()) << openai.status();
  EXPECT_EQ(openai->api_key, "sk-test-0123456789");
  EXPECT_EQ(openai->secrets, std::vector<std::string>{"sk-test-0123456789"});
  EXPECT_EQ(openai->context_mode, "evidence");

  absl::StatusOr<AgentConfig> azure = LoadAgentConfig(
      dir + "azure.yaml", FakeEnv({{"AZURE_OPENAI_KEY", "azure-0123"}}), true, &diags);
  ASSERT_TRUE(azure.ok()) << azure.status();
  EXPECT_EQ(azure->headers,
            (std::vector<std::pair<std::string, std::string>>{{"api-key", "azure-0123"}}));
  EXPECT_EQ(azure->query,
            (std::vector<std::pair<std::string, std::string>>{{"api-version", "2024-06-01"}}));
  EXPECT_EQ(azure->secrets, std::vector<std::string>{"azure-0123"});

  absl::StatusOr<AgentConfig> http =
      LoadAgentConfig(dir + "http.yaml", FakeEnv({{"AGENT_TOKEN", "tok-0123"}}), true, &diags);
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_EQ(
      http->headers,
      (std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer tok-0123"}}));
  EXPECT_EQ(http->secrets, std::vector<std::string>{"tok-0123"});
  EXPECT_TRUE(diags.empty());

  // The message agents/README.md shows.
  std::string path = dir + "openai.yaml";
  EXPECT_FALSE(LoadAgentConfig(path, FakeEnv({}), true, &diags).ok());
  EXPECT_EQ(
      DiagnosticStrings(diags),
      std::vector<std::string>{path + ":15:12: environment variable OPENAI_API_KEY is not set (" +
                               path + " uses it for openai.api_key)"});
}

TEST(AgentConfigTest, TheToolLoopAndItsBoundsPricesAndExposure) {
  Loaded loaded = Load(
      "kind: openai\ncontext: tools\nexpose: [prompt_id]\n"
      "tools: {max_turns: 5, max_calls: 7, max_tokens: 9000, time: 90s, max_output_bytes: 4096}\n"
      "prices: {input: 2.5, output: 10}\nopenai: {model: m}\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  const AgentConfig& c = *loaded.config;
  EXPECT_EQ(c.context_mode, "tools");
  EXPECT_EQ(c.loop.max_turns, 5);
  EXPECT_EQ(c.loop.max_calls, 7);
  EXPECT_EQ(c.loop.max_tokens, 9000);
  EXPECT_EQ(c.loop.time, absl::Seconds(90));
  EXPECT_EQ(c.loop.max_output_bytes, 4096u);
  EXPECT_EQ(c.input_price, 2.5);
  EXPECT_EQ(c.output_price, 10);
  EXPECT_FALSE(c.expose_incident);
  EXPECT_TRUE(c.expose_prompt_id);
  // The defaults: nothing exposed, no prices, the loop's own bounds.
  loaded = Load("kind: openai\ncontext: tools\nopenai: {model: m}\n");
  ASSERT_TRUE(loaded.config.ok()) << loaded.config.status();
  EXPECT_EQ(loaded.config->loop.max_turns, 20);
  EXPECT_EQ(loaded.config->loop.max_calls, 40);
  EXPECT_EQ(loaded.config->loop.max_tokens, 0);
  EXPECT_EQ(loaded.config->loop.time, absl::Minutes(10));
  EXPECT_EQ(loaded.config->input_price, -1);
  EXPECT_FALSE(loaded.config->expose_incident);
  // The shipped example.
  Diagnostics diags;
  absl::StatusOr<AgentConfig> shipped =
      LoadAgentConfig(std::string(SRE_EVAL_SOURCE_DIR) + "/agents/openai-tools.yaml",
                      FakeEnv({{"OPENAI_API_KEY", "sk-test-0123456789"}}), true, &diags);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_EQ(shipped->context_mode, "tools");
  EXPECT_EQ(shipped->loop.max_tokens, 400000);
  EXPECT_EQ(shipped->output_price, 0.6);
}

TEST(AgentConfigTest, ReferenceAgentConfig) {
  AgentConfig c = ReferenceAgentConfig();
  EXPECT_EQ(c.kind, "reference");
  EXPECT_EQ(c.name, "reference");
  EXPECT_EQ(c.context_mode, "none");
  EXPECT_TRUE(c.secrets.empty());
}

TEST(AgentConfigTest, ProcessEnvReadsTheEnvironment) {
  EnvLookup env = ProcessEnv();
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(env("PATH"), std::optional<std::string>(path));
  EXPECT_EQ(env("SRE_EVAL_SURELY_UNSET_VARIABLE_42"), std::nullopt);
}

TEST(RedactTest, ReplacesEverySecret) {
  EXPECT_EQ(Redact("key sk-abc and sk-abc again", {"sk-abc"}),
            "key [REDACTED] and [REDACTED] again");
  EXPECT_EQ(Redact("nothing here", {"sk-abc"}), "nothing here");
  EXPECT_EQ(Redact("no secrets", {}), "no secrets");
  EXPECT_EQ(Redact("empty secrets are ignored", {""}), "empty secrets are ignored");
}

TEST(RedactTest, LongestFirst) {
  // "abcd" is a prefix of "abcdef": the whole longer secret goes, no tail "ef" is left.
  EXPECT_EQ(Redact("x abcdef y abcd z", {"abcd", "abcdef"}), "x [REDACTED] y [REDACTED] z");
}

TEST(RedactTest, NeverRedactsInsideAReplacement) {
  EXPECT_EQ(Redact("ACTE 1234", {"1234", "ACTE"}), "[REDACTED] [REDACTED]");
  EXPECT_EQ(Redact("1234", {"1234", "DACT"}), "[REDACTED]");
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
