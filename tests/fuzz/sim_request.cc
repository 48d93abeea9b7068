// Fuzzes the sim's request handling in-process (sim/api/api_server.h ApiServer::Handle, no
// socket): routing, query parameters, label and field selectors, request bodies (JSON and
// YAML), merge, strategic merge and JSON patches, server-side apply, scale, logs, the proxy,
// watches and /sim/v1. Each input is up to 4 requests in a row, so that what one request
// stores is read by the next, written like HTTP without the version:
//
//   PATCH /api/v1/namespaces/sock-shop/configmaps/x?fieldManager=kubectl
//   Content-Type: application/merge-patch+json
//
//   {"data": {"a": "b"}}
//   ---REQ---
//   GET /api/v1/namespaces/sock-shop/configmaps?labelSelector=app%3Dx
//
// Every response must be a valid HTTP status, an error a Status JSON object, a watch
// stream JSON lines.
// One sim serves every input of a run (one takes seconds to create under the sanitizers), so a
// crash may need the inputs before it: replay it alone first, then after the run's corpus.
// Requests the harness changes to keep each input fast (a real client could send them as
// they are): POST /sim/v1/advance runs at most 30 virtual seconds (its ?to= is dropped), and
// a watch sends what it has and stops instead of waiting up to 30 minutes for changes.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "fuzz_input.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "util/utf8.h"

namespace {

using namespace sre_eval;

constexpr size_t kMaxRequests = 4;

// Parses one request of the input; false when it has no request line.
bool ParseRequest(absl::string_view text, httplib::Request* req) {
  size_t line_end = text.find('\n');
  absl::string_view line = text.substr(0, line_end);
  size_t space = line.find(' ');
  if (space == absl::string_view::npos || space == 0) return false;
  req->method = std::string(line.substr(0, space));
  std::string target(line.substr(space + 1));
  if (target.empty() || target[0] != '/') return false;
  size_t q = target.find('?');
  req->path = httplib::detail::decode_url(target.substr(0, q), false);
  if (q != std::string::npos) httplib::detail::parse_query_text(target.substr(q + 1), req->params);
  req->target = target;
  if (line_end == absl::string_view::npos) return true;
  absl::string_view rest = text.substr(line_end + 1);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    absl::string_view header = rest.substr(0, end);
    rest = end == absl::string_view::npos ? absl::string_view() : rest.substr(end + 1);
    if (header.empty()) break;
    size_t colon = header.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view value = header.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    req->headers.emplace(std::string(header.substr(0, colon)), std::string(value));
  }
  req->body = std::string(rest);
  return true;
}

// The harness's changes for speed (see the top of the file).
void Bound(httplib::Request* req) {
  if (absl::StartsWith(req->path, "/sim/v1/advance")) {
    req->params.erase("to");
    auto by = req->params.find("by");
    absl::Duration d;
    if (by != req->params.end() && absl::ParseDuration(by->second, &d) && d > absl::Seconds(30)) {
      by->second = "30s";
    }
  }
  auto watch = req->params.find("watch");
  if (watch != req->params.end()) {
    req->params.erase("timeoutSeconds");
    req->params.emplace("timeoutSeconds", req->params.count("resourceVersion") ? "1" : "0");
  }
}

// With SRE_EVAL_FUZZ_SIM_500 set, a 500 (an exception the handler caught) is a crash too.
void Check(const httplib::Response& res) {
  FUZZ_CHECK(res.status >= 200 && res.status < 600);
  static const bool no_500 = std::getenv("SRE_EVAL_FUZZ_SIM_500") != nullptr;
  if (no_500 && res.status == 500) {
    std::fprintf(stderr, "500: %s\n", res.body.c_str());
    std::abort();
  }
  if (res.status >= 400 &&
      absl::StartsWith(res.get_header_value("Content-Type"), "application/json")) {
    nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
    FUZZ_CHECK(!j.is_discarded());
  }
}

// Reads a stream (a watch, a followed log) once, as a client would until it ends: at most
// three calls of its provider.
void ReadStream(httplib::Response& res) {
  if (!res.content_provider_) return;
  std::string out;
  bool done = false;
  httplib::DataSink sink;
  sink.write = [&out](const char* data, size_t n) {
    out.append(data, n);
    return true;
  };
  sink.done = [&done] { done = true; };
  sink.is_writable = [] { return true; };
  for (int call = 0; call < 3 && !done; ++call) {
    if (!res.content_provider_(out.size(), 0, sink)) break;
  }
  // A watch sends JSON lines; `logs?follow=true` streams the container's text.
  if (!absl::StartsWith(res.get_header_value("Content-Type"), "application/json")) return;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    FUZZ_CHECK(!nlohmann::json::parse(line, nullptr, false).is_discarded());
  }
}

// Creating a sim takes seconds under the sanitizers: one, made before the first input (out of
// libFuzzer's per-input timeout), serves every input.
sim::Sim* g_sim = nullptr;
sim::ApiServer* g_server = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  absl::StatusOr<std::unique_ptr<sim::Sim>> created = sim::Sim::Create(sim::SimOptions());
  FUZZ_CHECK(created.ok());
  g_sim = created->release();
  g_server = new sim::ApiServer(g_sim);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<absl::string_view> parts = absl::StrSplit(fuzz::AsText(data, size), "\n---REQ---\n");
  if (parts.size() > kMaxRequests) return -1;  // Not added to the corpus.
  std::vector<httplib::Request> requests;
  for (absl::string_view part : parts) {
    httplib::Request req;
    if (!ParseRequest(part, &req)) continue;
    Bound(&req);
    requests.push_back(std::move(req));
  }
  // Every other request comes in on an agent's port: it may read, never write.
  static const sim::AgentIdentity kAgent = {"fuzz", {}};
  for (size_t i = 0; i < requests.size(); ++i) {
    const httplib::Request& req = requests[i];
    httplib::Response res;
    const bool agent = i % 2 == 1;
    g_server->Handle(req, res, agent ? &kAgent : nullptr);
    Check(res);
    ReadStream(res);
    const std::string& m = req.method;
    if (agent && absl::StartsWith(req.path, "/api") &&
        (m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") &&
        !absl::StrContains(req.path, "selfsubject")) {
      FUZZ_CHECK(res.status == 403);
    }
  }
  g_server->TakeAudit();  // bounded anyway; kept small
  return 0;
}
