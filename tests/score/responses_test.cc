#include "score/responses.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(ResponsesTest, ParsesEveryField) {
  Response r;
  Diagnostics diags;
  ASSERT_TRUE(ParseResponseLine(
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.restarts","trial":2,)"
      R"("prompt":"How many?","answer":"5 restarts","status":"ok","latency_ms":1234})",
      "responses.jsonl", 7, &r, &diags));
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  EXPECT_EQ(r.line, 7);
  EXPECT_EQ(r.incident, "crash");
  EXPECT_EQ(r.prompt_id, "i1.restarts");
  EXPECT_EQ(r.trial, 2);
  EXPECT_EQ(r.prompt, "How many?");
  EXPECT_EQ(r.answer, "5 restarts");
  EXPECT_EQ(r.status, ResponseStatus::kOk);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.latency_ms, 1234);
}

TEST(ResponsesTest, FailedCallsNeedAnErrorAndNoAnswer) {
  Response r;
  r.answer = "left over from the previous line";
  Diagnostics diags;
  ASSERT_TRUE(
      ParseResponseLine(R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,)"
                        R"("status":"timeout","error":"no answer within 120s"})",
                        "r.jsonl", 1, &r, &diags));
  EXPECT_EQ(r.status, ResponseStatus::kTimeout);
  EXPECT_EQ(r.error, "no answer within 120s");
  EXPECT_EQ(r.answer, "");
  EXPECT_EQ(r.prompt, "");
  EXPECT_FALSE(r.latency_ms.has_value());
}

TEST(ResponsesTest, RecordsWhatTheCallCost) {
  Response r;
  Diagnostics diags;
  ASSERT_TRUE(ParseResponseLine(
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"answer":"x",)"
      R"("status":"ok","agent":"gpt","attempts":3,"http_status":200,"truncated":true,)"
      R"("repaired":["invalid_utf8"],)"
      R"("usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15},"cost_usd":0.25,)"
      R"("loop":{"turns":4,"tool_calls":6,"malformed_calls":1,"failed_calls":2,"stop":"answer"}})",
      "r.jsonl", 1, &r, &diags));
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.prompt_tokens, 10);
  EXPECT_EQ(r.completion_tokens, 5);
  EXPECT_EQ(r.cost_usd, 0.25);
  EXPECT_EQ(r.turns, 4);
  EXPECT_EQ(r.tool_calls, 6);
  EXPECT_EQ(r.malformed_calls, 1);
  EXPECT_EQ(r.failed_calls, 2);
  ASSERT_FALSE(ParseResponseLine(
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"answer":"x",)"
      R"("status":"ok","agent":"","attempts":0,"http_status":-1,"truncated":"yes",)"
      R"("repaired":["latin1"],"usage":{"tokens":1},"cost_usd":-1,"loop":{"turns":-1}})",
      "r.jsonl", 2, &r, &diags));
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "r.jsonl:2: 'attempts' must be an integer of at least 1, got 0",
                "r.jsonl:2: 'http_status' must be an integer of at least 0, got -1",
                "r.jsonl:2: 'agent' must not be empty",
                "r.jsonl:2: 'truncated' must be true or false, got a string",
                "r.jsonl:2: 'repaired' must be an array of \"invalid_utf8\"",
                "r.jsonl:2: 'usage' must be an object of prompt_tokens, completion_tokens and "
                "total_tokens, each an integer of at least 0",
                "r.jsonl:2: 'cost_usd' must be a number of at least 0",
                "r.jsonl:2: 'loop' must be an object of turns, tool_calls, malformed_calls and "
                "failed_calls (integers of at least 0) and stop (a string)"}));
}

struct BadLine {
  std::string line;
  std::vector<std::string> problems;
};

TEST(ResponsesTest, ReportsEveryProblemOfAMalformedLine) {
  const std::string head = R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a",)";
  std::vector<BadLine> cases = {
      {"{bad", {"r.jsonl:3:2: not valid JSON: invalid literal"}},
      {R"({"a":1,})", {"r.jsonl:3:8: not valid JSON: unexpected '}'"}},
      // A number too large for a double is nlohmann's out_of_range, not a parse_error (found
      // by the fuzzer: it aborted the reader); it has no position.
      {(head + R"("trial":1e999,"status":"ok","answer":"x"})"),
       {"r.jsonl:3: not valid JSON: number overflow parsing '1e999'"}},
      {"[1, 2]", {"r.jsonl:3: expected a JSON object, got an array"}},
      {"\"text\"", {"r.jsonl:3: expected a JSON object, got a string"}},
      {"{}",
       {"r.jsonl:3: missing key 'schema_version'", "r.jsonl:3: missing key 'incident'",
        "r.jsonl:3: missing key 'prompt_id'", "r.jsonl:3: missing key 'trial'",
        "r.jsonl:3: missing key 'status'"}},
      {R"({"schema_version":2,"incident":"crash","prompt_id":"i1.a","trial":1,"status":"ok",)"
       R"("answer":"x"})",
       {"r.jsonl:3: 'schema_version' must be 1 (the only version this build reads), got 2"}},
      {R"({"schema_version":1,"incident":7,"prompt_id":"","trial":0,"status":"fine",)"
       R"("answer":["x"]})",
       {"r.jsonl:3: 'incident' must be a string, got a number",
        "r.jsonl:3: 'prompt_id' must not be empty",
        "r.jsonl:3: 'trial' must be an integer of at least 1, got 0",
        "r.jsonl:3: 'status' must be ok, error or timeout, got 'fine'",
        "r.jsonl:3: 'answer' must be a string, got an array"}},
      {(head + R"("trial":1.5,"status":"ok","answer":"x"})"),
       {"r.jsonl:3: 'trial' must be an integer of at least 1, got 1.5"}},
      {(head + R"("trial":"1","status":"ok","answer":"x"})"),
       {"r.jsonl:3: 'trial' must be an integer of at least 1, got a string"}},
      {(head + R"("trial":1,"status":"ok"})"),
       {"r.jsonl:3: missing key 'answer' (required when status is ok)"}},
      {(head + R"("trial":1,"status":"error","answer":""})"),
       {"r.jsonl:3: missing key 'error' (required when status is error)"}},
      {(head + R"("trial":1,"status":"ok","answer":"x","error":"boom"})"),
       {"r.jsonl:3: 'error' is not allowed when status is ok"}},
      {(head + R"("trial":1,"status":"timeot","error":"slow"})"),
       {"r.jsonl:3: 'status' must be ok, error or timeout, got 'timeot' (did you mean "
        "'timeout'?)"}},
      {(head + R"("trial":1,"status":"ok","answer":"x","latency_ms":-5})"),
       {"r.jsonl:3: 'latency_ms' must be an integer of at least 0, got -5"}},
      {(head + R"("trial":1,"status":"ok","answer":"x","promt":"typo"})"),
       {"r.jsonl:3: unknown key 'promt' (did you mean 'prompt'?)"}},
  };
  for (const BadLine& c : cases) {
    Response r;
    Diagnostics diags;
    EXPECT_FALSE(ParseResponseLine(c.line, "r.jsonl", 3, &r, &diags)) << c.line;
    EXPECT_EQ(DiagnosticStrings(diags), c.problems) << c.line;
  }
}

TEST(ResponsesTest, ReadsLineByLineSkippingBlankLinesAndReportingBadOnes) {
  TempDir dir;
  std::string path = dir.WriteFile(
      "responses.jsonl",
      "\xEF\xBB\xBF"
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":1,"status":"ok","answer":"one"})"
      "\r\n"
      "\n"
      "   \n"
      "{oops\n"
      R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a","trial":2,"status":"ok","answer":"two"})");
  std::vector<std::string> seen;
  Diagnostics problems;
  int lines = 0;
  absl::Status status = ReadResponses(
      path, "run/responses.jsonl",
      [&](const Response& r) { seen.push_back(absl::StrCat(r.line, ":", r.trial, ":", r.answer)); },
      &problems, &lines);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(seen, (std::vector<std::string>{"1:1:one", "5:2:two"}));
  EXPECT_EQ(DiagnosticStrings(problems),
            std::vector<std::string>{"run/responses.jsonl:4:2: not valid JSON: invalid literal"});
  EXPECT_EQ(lines, 5);
}

TEST(ResponsesTest, AMissingFileOrAFolderIsAnError) {
  TempDir dir;
  Diagnostics problems;
  int lines = 0;
  auto ignore = [](const Response&) {};
  absl::Status missing =
      ReadResponses(dir.path() + "/nope.jsonl", "run/responses.jsonl", ignore, &problems, &lines);
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
  EXPECT_EQ(missing.message(), "run/responses.jsonl: No such file or directory");
  absl::Status folder = ReadResponses(dir.path(), "run/responses.jsonl", ignore, &problems, &lines);
  EXPECT_TRUE(absl::IsFailedPrecondition(folder)) << folder;
  EXPECT_EQ(folder.message(), "run/responses.jsonl: is a directory");
}

// A FIFO, a device or a symlink loop is refused at once, unread: a FIFO with no writer used
// to block forever, a symlink to /dev/zero to read until memory ran out.
TEST(ResponsesTest, AnythingButARegularFileIsRefusedUnread) {
  TempDir dir;
  ASSERT_EQ(mkfifo((dir.path() + "/fifo").c_str(), 0600), 0);
  ASSERT_EQ(symlink("/dev/zero", (dir.path() + "/zero").c_str()), 0);
  ASSERT_EQ(symlink("loop2", (dir.path() + "/loop1").c_str()), 0);
  ASSERT_EQ(symlink("loop1", (dir.path() + "/loop2").c_str()), 0);
  std::string real = dir.WriteFile("real.jsonl", "");
  ASSERT_EQ(symlink("real.jsonl", (dir.path() + "/link").c_str()), 0);
  struct Case {
    const char* name;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"fifo", "run/responses.jsonl: not a regular file (a FIFO)"},
           {"zero", "run/responses.jsonl: not a regular file (a character device)"},
           {"loop1", "run/responses.jsonl: too many levels of symbolic links"},
       }) {
    Diagnostics problems;
    int lines = -1;
    int calls = 0;
    absl::Status status = ReadResponses(
        dir.path() + "/" + c.name, "run/responses.jsonl", [&](const Response&) { ++calls; },
        &problems, &lines);
    EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
    EXPECT_EQ(status.message(), c.message);
    EXPECT_EQ(lines, 0);
    EXPECT_EQ(calls, 0);
    EXPECT_TRUE(problems.empty());
  }
  Diagnostics problems;
  int lines = -1;
  EXPECT_TRUE(
      ReadResponses(
          dir.path() + "/link", "run/responses.jsonl", [](const Response&) {}, &problems, &lines)
          .ok())
      << "a symlink to a regular file is followed";
}

// A line longer than the cap is a problem at its line; it is skipped as it is read (never held
// whole) and the lines after it are read.
TEST(ResponsesTest, ALineOverTheCapIsAProblemAndTheRestIsRead) {
  TempDir dir;
  auto line = [](int trial, size_t bytes) {
    std::string head = absl::StrCat(R"({"schema_version":1,"incident":"crash","prompt_id":"i1.a",)",
                                    R"("trial":)", trial, R"(,"status":"ok","answer":")");
    std::string tail = "\"}";
    return head + std::string(bytes - head.size() - tail.size(), 'x') + tail;
  };
  // The cap is 200,000 bytes: the long lines span several reads of 64 KiB.
  std::string path = dir.WriteFile("r.jsonl", line(1, 200000) + "\n" + line(2, 200001) + "\r\n" +
                                                  line(3, 100) + "\n" + line(4, 1000000) + "\n" +
                                                  line(5, 200000) + "\n" + line(6, 200001));
  std::vector<int64_t> trials;
  Diagnostics problems;
  int lines = 0;
  ASSERT_TRUE(ReadResponses(
                  path, "r.jsonl", [&](const Response& r) { trials.push_back(r.trial); }, &problems,
                  &lines, 200000)
                  .ok());
  EXPECT_EQ(trials, (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(DiagnosticStrings(problems),
            (std::vector<std::string>{
                "r.jsonl:2: line is longer than the limit of 200000 bytes; skipped",
                "r.jsonl:4: line is longer than the limit of 200000 bytes; skipped",
                "r.jsonl:6: line is longer than the limit of 200000 bytes; skipped"}));
  EXPECT_EQ(lines, 6);
  EXPECT_EQ(kMaxResponseLineBytes, size_t{128} << 20);
}

TEST(ResponsesTest, NulAndInvalidUtf8AreMalformedLines) {
  TempDir dir;
  std::string path =
      dir.WriteFile("r.jsonl", std::string("{\"a\":\"x\0y\"}\n", 12) + "{\"a\":\"\xff\"}\n");
  Diagnostics problems;
  int lines = 0;
  int calls = 0;
  ASSERT_TRUE(ReadResponses(
                  path, "r.jsonl", [&](const Response&) { ++calls; }, &problems, &lines)
                  .ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(DiagnosticStrings(problems),
            (std::vector<std::string>{
                "r.jsonl:1:8: not valid JSON: invalid string: control character U+0000 (NUL) "
                "must be escaped to \\u0000",
                "r.jsonl:2:7: not valid JSON: invalid string: ill-formed UTF-8 byte"}));
}

}  // namespace
}  // namespace sre_eval
