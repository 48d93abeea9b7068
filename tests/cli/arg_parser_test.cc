#include "cli/arg_parser.h"

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

CommandSpec Spec() {
  return CommandSpec{"report",
                     "render a report",
                     "RUN_DIR",
                     1,
                     1,
                     "",
                     {{"format", "FMT", "output format"},
                      {"incident", "ID", "only this incident", true},
                      {"quiet", "", "say less"}}};
}

TEST(ArgParserTest, ParsesValuesFlagsRepeatsAndPositionals) {
  absl::StatusOr<ParsedArgs> a = ParseArgs(
      Spec(), {"--format=md", "run1", "--incident", "crash", "--incident=payment", "--quiet"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->Get("format"), "md");
  EXPECT_EQ(a->values.at("incident"), (std::vector<std::string>{"crash", "payment"}));
  EXPECT_TRUE(a->Has("quiet"));
  EXPECT_EQ(a->Get("missing", "dflt"), "dflt");
  EXPECT_EQ(a->positionals, std::vector<std::string>{"run1"});
  a = ParseArgs(Spec(), {"--", "--format"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->positionals, std::vector<std::string>{"--format"});
}

TEST(ArgParserTest, ErrorsAreExact) {
  struct {
    std::vector<std::string> args;
    const char* want;
  } cases[] = {
      {{"run1", "--fromat", "md"}, "unknown option '--fromat' (did you mean '--format'?)"},
      {{"run1", "--format"}, "option '--format' needs a value (FMT)"},
      {{"run1", "--format", "a", "--format", "b"}, "option '--format' was given twice"},
      {{"run1", "--quiet=yes"}, "option '--quiet' takes no value"},
      {{}, "missing RUN_DIR"},
      {{"run1", "run2"}, "unexpected argument 'run2'"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<ParsedArgs> a = ParseArgs(Spec(), c.args);
    EXPECT_EQ(a.status(), absl::InvalidArgumentError(c.want));
  }
}

TEST(ArgParserTest, HelpWinsOverEverythingElse) {
  absl::StatusOr<ParsedArgs> a = ParseArgs(Spec(), {"--bogus", "-h"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->help);
}

TEST(ArgParserTest, HelpText) {
  EXPECT_EQ(UsageLine(Spec()),
            "usage: sre-eval report [--format FMT] [--incident ID]... [--quiet] RUN_DIR");
  EXPECT_EQ(CommandHelp(Spec()),
            "usage: sre-eval report [--format FMT] [--incident ID]... [--quiet] RUN_DIR\n"
            "\n"
            "render a report\n"
            "\n"
            "options:\n"
            "  --format FMT   output format\n"
            "  --incident ID  only this incident\n"
            "  --quiet        say less\n"
            "  -h, --help     show this help and exit\n");
}

}  // namespace
}  // namespace sre_eval
