// sre-eval sim: serves the simulated Sock Shop cluster until Ctrl-C, its virtual clock
// following the wall clock, so that a person can drive it with kubectl.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "util/file_util.h"

namespace sre_eval {

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

}  // namespace

const CommandSpec& SimSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "sim",
      "serve the simulated Sock Shop cluster until Ctrl-C",
      "",
      0,
      0,
      "Serves a Kubernetes API on 127.0.0.1 backed by a model of Sock Shop in namespace\n"
      "sock-shop: 14 deployments with their replica sets, pods, services and events, one\n"
      "node, logs for every container and metrics for `kubectl top`, and each service's\n"
      "endpoints. Stock kubectl and the official client libraries work against it: get,\n"
      "describe, logs, top, events, scale, set resources, apply, delete, rollout, auth\n"
      "can-i, logs -f, autoscale, create configmap|namespace|deployment|job, run, explain,\n"
      "and HorizontalPodAutoscalers (autoscaling/v2 and v1; the HPA controller syncs every\n"
      "15 s with kube-controller-manager's defaults), the kubelet's /stats/summary through the\n"
      "node proxy (kubectl get --raw), and kubectl exec into a simulated userland (env,\n"
      "cat of the cgroup files, ps, df, nslookup, curl/wget to the services, mongo counts\n"
      "on the orders, mysql queries on the catalogue, grep/head/tail/wc in pipes; anything\n"
      "else is \"not found\", 127), and kubectl port-forward to the shop's HTTP ports\n"
      "(front-end, catalogue, orders, ...: what the services proxy answers). Its monitoring\n"
      "history is served as Prometheus' API under /prometheus, Loki's under /loki and a\n"
      "subset of Datadog's under /datadog (README, \"Monitoring in the sim\"). Not served:\n"
      "attach, cp, debug, and kubectl create of other kinds (protobuf the sim does not\n"
      "decode; apply -f works).\n"
      "\n"
      "The incidents of the guide happen as on a real cluster: apply a Job running the\n"
      "locustio/locust image headless (-u USERS -r RATE -t TIME --host\n"
      "http://front-end.sock-shop.svc) and simulated users load the shop: at 3000 users the\n"
      "front-end is OOMKilled and crash-loops, at 750 it slows down; scale payment to 0 and\n"
      "checkouts leave PAYMENT_FAILED orders (GET .../services/orders/proxy/orders). The\n"
      "Job's log ends with Locust's report.\n"
      "\n"
      "Writes a kubeconfig with the context sre-eval-sim (default namespace sock-shop) and\n"
      "prints how to use it. The cluster's clock is virtual: here it follows the wall clock,\n"
      "times --speed, so that what you do plays out as on a real cluster (pods start,\n"
      "terminate, roll out). Above 1x it runs ahead of your clock, so the API shows every\n"
      "time moved back by how far ahead it is: ages read the same in `kubectl get`,\n"
      "`describe` and `events`, and no time is in your future (the /sim/v1 API below speaks\n"
      "virtual time). With --speed 0 it moves only when told:\n"
      "  GET  /sim/v1/clock                    the virtual time and the seed\n"
      "  POST /sim/v1/advance?by=5m            run the model 5 minutes forward\n"
      "  POST /sim/v1/advance?to=RFC3339_TIME  run it to that time\n"
      "\n"
      "The same --seed gives the same names, uids and IPs; with --speed 0 and the same\n"
      "requests at the same virtual times, byte-identical responses.\n"
      "\n"
      "Exit code 0 after Ctrl-C or SIGTERM; 2 for bad options; 3 when the port cannot be\n"
      "bound or the kubeconfig cannot be written.",
      {
          {"seed", "N", "seed of the model's randomness (default 1)"},
          {"port", "P", "port on 127.0.0.1 (default 0: any free port, printed)"},
          {"speed", "X", "virtual seconds per wall-clock second (default 1; 0 freezes it)"},
          {"kubeconfig", "FILE",
           "where to write the kubeconfig (default: sre-eval-sim-PORT.kubeconfig in $TMPDIR "
           "or /tmp, removed on exit)"},
      }};
  return *spec;
}

int RunSim(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  sim::SimOptions options;
  if (args.Has("seed") && !absl::SimpleAtoi(args.Get("seed"), &options.seed)) {
    err << "sre-eval sim: --seed must be a whole number, got '" << args.Get("seed") << "'\n";
    return kExitBadInput;
  }
  int port = 0;
  if (args.Has("port") &&
      (!absl::SimpleAtoi(args.Get("port"), &port) || port < 0 || port > 65535)) {
    err << "sre-eval sim: --port must be a number from 0 to 65535, got '" << args.Get("port")
        << "'\n";
    return kExitBadInput;
  }
  double speed = 1;
  if (args.Has("speed") &&
      (!absl::SimpleAtod(args.Get("speed"), &speed) || speed < 0 || speed > 10000)) {
    err << "sre-eval sim: --speed must be a number from 0 to 10000, got '" << args.Get("speed")
        << "'\n";
    return kExitBadInput;
  }
  absl::Time wall_start = absl::Now();
  options.start = absl::FromUnixSeconds(absl::ToUnixSeconds(wall_start));
  absl::StatusOr<std::unique_ptr<sim::Sim>> made = sim::Sim::Create(options);
  if (!made.ok()) {
    err << "sre-eval sim: " << made.status().message() << "\n";
    return kExitEnvironment;
  }
  sim::Sim& model = **made;
  // Above 1x the virtual clock runs ahead of the wall clock: the server shows every time
  // moved back by how far ahead it is (ApiServer::set_time_shift), so that clients, which
  // compute ages from their own clock, never see a time in their future.
  std::atomic<int64_t> shift_seconds{0};
  sim::ApiServer server(&model);
  if (speed > 1) server.set_time_shift(&shift_seconds);
  absl::StatusOr<int> bound = server.Start(port);
  if (!bound.ok()) {
    err << "sre-eval sim: " << bound.status().message() << "\n";
    return kExitEnvironment;
  }
  std::string kubeconfig = args.Get("kubeconfig");
  bool remove_kubeconfig = kubeconfig.empty();
  if (kubeconfig.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    kubeconfig = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/sre-eval-sim-",
                              *bound, ".kubeconfig");
  }
  absl::Status written = WriteFileAtomically(kubeconfig, server.Kubeconfig());
  if (!written.ok()) {
    err << "sre-eval sim: cannot write the kubeconfig: " << written.message() << "\n";
    return kExitEnvironment;
  }
  out << "sre-eval sim: the simulated Sock Shop cluster is at http://127.0.0.1:" << *bound
      << " (seed " << options.seed << ", speed " << speed << "x)\n"
      << "kubeconfig: " << kubeconfig << " (context sre-eval-sim, namespace sock-shop)\n"
      << "try:\n"
      << "  export KUBECONFIG=" << kubeconfig << "\n"
      << "  kubectl get pods -n sock-shop\n"
      << "  kubectl top pods\n"
      << "  kubectl scale deployment payment --replicas=0\n"
      << "virtual clock: curl http://127.0.0.1:" << *bound << "/sim/v1/clock\n"
      << "monitoring: Prometheus API at http://127.0.0.1:" << *bound
      << "/prometheus, Loki API at http://127.0.0.1:" << *bound
      << "/loki, Datadog API at http://127.0.0.1:" << *bound << "/datadog\n"
      << "Ctrl-C stops it.\n"
      << std::flush;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) {
    absl::SleepFor(absl::Milliseconds(100));
    if (speed > 0) {
      absl::Time wall = absl::Now();
      absl::Time target =
          options.start + absl::Trunc((wall - wall_start) * speed, absl::Seconds(1));
      if (speed > 1) {
        // Moved before the clock is: no response ever shows a time past the wall clock.
        absl::Duration ahead = target - wall;
        shift_seconds = ahead > absl::ZeroDuration()
                            ? -absl::ToInt64Seconds(absl::Ceil(ahead, absl::Seconds(1)))
                            : 0;
      }
      model.AdvanceTo(target);
    }
  }
  server.Stop();
  if (remove_kubeconfig) std::remove(kubeconfig.c_str());
  out << "sre-eval sim: stopped at virtual time " << sim::ApiTime(model.Now()) << "\n";
  return kExitOk;
}

}  // namespace sre_eval
