#include "cli/cli.h"

#include <sstream>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunSreEval(std::vector<std::string> args) {
  args.insert(args.begin(), "sre-eval");
  std::ostringstream out, err;
  int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliTest, UsageErrorsExitTwoWithAShortMessage) {
  Outcome o = RunSreEval({});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "sre-eval: missing command\nRun 'sre-eval --help' for the commands.\n");
  o = RunSreEval({"valdate"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err,
            "sre-eval: unknown command 'valdate' (did you mean 'validate'?)\n"
            "Run 'sre-eval --help' for the commands.\n");
  o = RunSreEval({"--frobnicate"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err,
            "sre-eval: unknown option '--frobnicate'\nRun 'sre-eval --help' for the commands.\n");
  o = RunSreEval({"validate", "--sute", "x"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err,
            "sre-eval validate: unknown option '--sute' (did you mean '--suite'?)\n"
            "usage: sre-eval validate [--suite DIR] [--facts] [--agent FILE]\n");
  EXPECT_EQ(o.out, "");
}

TEST(CliTest, HelpListsCommandsAndExitCodes) {
  Outcome o = RunSreEval({"--help"});
  EXPECT_EQ(o.code, 0);
  // The summary column's width depends on the longest command name.
  EXPECT_NE(o.out.find("\n  validate  "), std::string::npos);
  EXPECT_NE(o.out.find(" check the suite's prompts, rubrics and incidents (or an agent file); "
                       "report every problem\n"),
            std::string::npos);
  EXPECT_NE(o.out.find("  2  bad input (usage, configuration or suite files)\n"),
            std::string::npos);
  Outcome per_command = RunSreEval({"validate", "--help"});
  EXPECT_EQ(per_command.code, 0);
  EXPECT_EQ(
      per_command.out.rfind("usage: sre-eval validate [--suite DIR] [--facts] [--agent FILE]\n", 0),
      0u);
  EXPECT_EQ(RunSreEval({"help", "validate"}).out, per_command.out);
  EXPECT_EQ(RunSreEval({"help", "nope"}).code, 2);
  EXPECT_EQ(RunSreEval({"--version"}).out, "sre-eval 0.1.0\n");
}

TEST(CliTest, SimRejectsBadOptionsBeforeServing) {
  Outcome o = RunSreEval({"sim", "--speed", "x"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "sre-eval sim: --speed must be a number from 0 to 10000, got 'x'\n");
  o = RunSreEval({"sim", "--port", "70000"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "sre-eval sim: --port must be a number from 0 to 65535, got '70000'\n");
  o = RunSreEval({"sim", "--seed", "-1"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "sre-eval sim: --seed must be a whole number, got '-1'\n");
  EXPECT_EQ(o.out, "");
}

// The monitoring APIs handed to an agent: a real cluster's are the user's; the sim serves its
// own, so giving them there is a mistake said at once.
TEST(CliTest, RunRejectsMonitoringOptionsThatCannotBeRight) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const Case cases[] = {
      {{"run", "--prometheus", "http://prom:9090"},
       "sre-eval run: --prometheus and --loki are for --env kube; the sim serves its own\n"},
      {{"run", "--datadog-site", "datadoghq.eu"},
       "sre-eval run: --datadog-site is for --env kube; the sim serves its own\n"},
      {{"run", "--env", "kube", "--loki", "ftp://loki"},
       "sre-eval run: --loki must be an http:// or https:// URL, got 'ftp://loki'\n"},
      {{"run", "--env", "kube", "--datadog-site", "https://api.datadoghq.eu"},
       "sre-eval run: --datadog-site must be a site such as datadoghq.eu, got "
       "'https://api.datadoghq.eu'\n"},
  };
  for (const Case& c : cases) {
    Outcome o = RunSreEval(c.args);
    EXPECT_EQ(o.code, 2) << c.args[1];
    EXPECT_EQ(o.err, c.err);
    EXPECT_EQ(o.out, "");
  }
}

TEST(CliTest, ValidateFactsPrintsTheSchema) {
  Outcome o = RunSreEval({"validate", "--facts"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out.rfind("| fact | type | definition |\n", 0), 0u);
  EXPECT_NE(o.out.find("| `restarts.total` | integer |"), std::string::npos);
}

TEST(CliTest, MissingSuiteFolder) {
  Outcome o = RunSreEval({"validate", "--suite", "/nonexistent/suite"});
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err, "sre-eval validate: suite folder '/nonexistent/suite' does not exist\n");
}

}  // namespace
}  // namespace sre_eval
