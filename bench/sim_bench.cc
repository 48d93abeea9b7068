// How fast the simulated cluster answers. Target (issue 4): a pod list in under 1 ms, so that
// kubectl's own start-up, not the server, dominates `kubectl get pods` (bench/sim_kubectl.sh
// measures that end to end).
//
// The requests go over one keep-alive httplib::Client on loopback to an ApiServer on port 0,
// so each time includes the HTTP round trip but not a TCP handshake, as with kubectl's own
// connection reuse. The server works on its own thread, so these use real time (the CPU
// column is the client's alone). Also timed: building the cluster (Sim::Create) and 30 idle
// virtual minutes (Sim::AdvanceBy), the cost of `POST /sim/v1/advance?by=30m`.
#include <httplib.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {
namespace {

// What kubectl sends for `kubectl get pods`: a server-side printed Table, else plain JSON.
constexpr char kTableAccept[] = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
constexpr char kPods[] = "/api/v1/namespaces/sock-shop/pods";

// One cluster behind one server, shared by the read-only benchmarks; torn down at exit.
struct Served {
  std::unique_ptr<Sim> sim;
  std::unique_ptr<ApiServer> server;
  std::unique_ptr<httplib::Client> client;
  std::string pod;  // The first pod's name, for the single GET.
  std::string error;

  Served() {
    SimOptions options;
    auto made = Sim::Create(options);
    if (!made.ok()) {
      error = std::string(made.status().message());
      return;
    }
    sim = *std::move(made);
    server = std::make_unique<ApiServer>(sim.get());
    absl::StatusOr<int> port = server->Start(0);
    if (!port.ok()) {
      error = std::string(port.status().message());
      return;
    }
    client = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // As kubectl's: Go sets TCP_NODELAY on every connection.
    client->set_read_timeout(10, 0);
    auto r = client->Get(kPods);
    if (!r || r->status != 200) {
      error = "the pod list failed";
      return;
    }
    nlohmann::json list = nlohmann::json::parse(r->body);
    if (list["items"].empty()) {
      error = "the cluster has no pods";
      return;
    }
    pod = list["items"][0]["metadata"]["name"].get<std::string>();
  }

  ~Served() {
    client.reset();
    if (server != nullptr) server->Stop();
  }
};

Served& GetServed() {
  static Served served;
  return served;
}

// Times GET `path` with `accept` (none when empty); every answer must be a 200.
void TimeGet(benchmark::State& state, const std::string& path, const char* accept) {
  Served& s = GetServed();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  httplib::Headers headers;
  if (accept[0] != '\0') headers.emplace("Accept", accept);
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = s.client->Get(path.c_str(), headers);
    if (!r || r->status != 200) {
      state.SkipWithError(("GET " + path + " failed").c_str());
      break;
    }
    bytes = r->body.size();
    benchmark::DoNotOptimize(r->body.data());
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
}

void BM_SimListPodsJson(benchmark::State& state) { TimeGet(state, kPods, ""); }
BENCHMARK(BM_SimListPodsJson)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SimListPodsTable(benchmark::State& state) {
  TimeGet(state, std::string(kPods) + "?limit=500", kTableAccept);
}
BENCHMARK(BM_SimListPodsTable)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SimGetPod(benchmark::State& state) {
  TimeGet(state, std::string(kPods) + "/" + GetServed().pod, "");
}
BENCHMARK(BM_SimGetPod)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SimListDeployments(benchmark::State& state) {
  TimeGet(state, "/apis/apps/v1/namespaces/sock-shop/deployments", "");
}
BENCHMARK(BM_SimListDeployments)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Seeding Sock Shop and running it second by second through the 50 minutes since it was
// deployed, as `sre-eval sim` does before it answers.
void BM_SimCreate(benchmark::State& state) {
  SimOptions options;
  for (auto _ : state) {
    auto made = Sim::Create(options);
    if (!made.ok()) {
      state.SkipWithError(std::string(made.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(made->get());
  }
}
BENCHMARK(BM_SimCreate)->Unit(benchmark::kMillisecond);

// 30 virtual minutes of a cluster nobody touches: 1,800 controller passes. Each iteration
// starts from a fresh cluster (built outside the timing), so every one times the same work.
void BM_SimAdvanceIdle30m(benchmark::State& state) {
  SimOptions options;
  for (auto _ : state) {
    state.PauseTiming();
    auto made = Sim::Create(options);
    if (!made.ok()) {
      state.SkipWithError(std::string(made.status().message()).c_str());
      break;
    }
    state.ResumeTiming();
    (*made)->AdvanceBy(absl::Minutes(30));
    state.PauseTiming();
    made->reset();  // Not timed: freeing the store.
    state.ResumeTiming();
  }
}
BENCHMARK(BM_SimAdvanceIdle30m)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sim
}  // namespace sre_eval
