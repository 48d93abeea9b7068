// Fuzzes the sim's monitoring query languages (sim/monitoring/): the first byte picks PromQL
// (through the Prometheus API, instant and range), LogQL (through the Loki API) or Datadog's
// log search and metric query syntax, the rest is the query. Parsing and evaluation over a small
// history and two container instances must answer without crashing, within the query bounds, with a
// body that is JSON when the status is 200.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/datadog_api.h"
#include "sim/monitoring/history.h"
#include "sim/monitoring/log_streams.h"
#include "sim/monitoring/loki_api.h"
#include "sim/monitoring/prometheus_api.h"
#include "sim/shop/log_book.h"
#include "sim/store/object_store.h"

namespace {

using namespace sre_eval::sim;

absl::Time At(int s) { return absl::FromUnixSeconds(1800000000 + s); }

struct World {
  History history;
  LogStreams streams;
  LogBook book;
};

World& TheWorld() {
  static World* w = [] {
    auto* world = new World;
    for (int i = 0; i <= 40; ++i) {
      world->history.Add("c", {{"job", "a"}, {"pod", "p1"}}, At(15 * i), 3.0 * i);
      world->history.Add("c", {{"job", "b"}, {"pod", "p2"}}, At(15 * i), i % 7);
      world->history.Add("g", {{"pod", "p1"}}, At(15 * i), i * 0.5 - 3);
      for (const char* le : {"0.1", "1", "+Inf"}) {
        world->history.Add("h_bucket", {{"le", le}}, At(15 * i), i * (le[0] == '+' ? 3 : 1));
      }
    }
    nlohmann::json pod = {
        {"metadata",
         {{"name", "app-1"}, {"namespace", "ns"}, {"uid", "u1"}, {"labels", {{"name", "app"}}}}},
        {"status",
         {{"containerStatuses",
           {{{"name", "app"},
             {"state", {{"running", {{"startedAt", ApiTime(At(300))}}}}},
             {"lastState",
              {{"terminated",
                {{"startedAt", ApiTime(At(0))}, {"finishedAt", ApiTime(At(200))}}}}}}}}}}};
    world->streams.Observe(pod);
    for (int i = 0; i < 50; ++i) {
      world->book.Add("u1", "app", At(i < 25 ? 0 : 300), At(i < 25 ? 5 * i : 300 + 5 * i),
                      i % 2 == 0 ? "level=error msg=\"x y\" n=" + std::to_string(i)
                                 : R"({"level":"info","n":)" + std::to_string(i) + "}");
    }
    return world;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 2048) return 0;
  World& w = TheWorld();
  const std::string query(sre_eval::fuzz::AsText(data + 1, size - 1));
  std::vector<MonitoringReply> replies;
  if (data[0] % 3 == 2) {
    replies.push_back(DatadogApi(
        w.history, w.streams, w.book, 1, "POST", "/api/v2/logs/events/search", {},
        nlohmann::json{{"filter", {{"query", query}, {"from", "1800000000"}, {"to", "1800000600"}}}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
        At(600)));
    replies.push_back(DatadogApi(w.history, w.streams, w.book, 1, "GET", "/api/v1/query",
                                 {{"query", query}, {"from", "1800000000"}, {"to", "1800000600"}},
                                 "", At(600)));
  } else if (data[0] % 2 == 0) {
    replies.push_back(PrometheusApi(w.history, "query", {{"query", query}}, At(600)));
    replies.push_back(PrometheusApi(
        w.history, "query_range",
        {{"query", query}, {"start", "1800000000"}, {"end", "1800000600"}, {"step", "30"}},
        At(600)));
    replies.push_back(PrometheusApi(w.history, "series", {{"match[]", query}}, At(600)));
  } else {
    replies.push_back(LokiApi(w.streams, w.book, 1, "query_range",
                              {{"query", query}, {"start", "1800000000"}, {"end", "1800000600"}},
                              At(600)));
    replies.push_back(LokiApi(w.streams, w.book, 1, "query", {{"query", query}}, At(600)));
  }
  for (const MonitoringReply& r : replies) {
    FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 404 || r.status == 422);
    if (r.status == 200 || r.content_type == "application/json") {
      FUZZ_CHECK(nlohmann::json::accept(r.body));
    }
  }
  return 0;
}
