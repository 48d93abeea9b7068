#include "sim/shop/load_model.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"

namespace sre_eval {
namespace sim {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// The shop's apps a request may need, as bits.
enum App : uint32_t {
  kCatalogue = 1 << 0,
  kCatalogueDb = 1 << 1,
  kCarts = 1 << 2,
  kCartsDb = 1 << 3,
  kUser = 1 << 4,
  kUserDb = 1 << 5,
  kOrders = 1 << 6,
  kOrdersDb = 1 << 7,
  kPayment = 1 << 8,
  kShipping = 1 << 9,
  kSessionDb = 1 << 10,
};

struct AppName {
  App bit;
  const char* name;
};
constexpr AppName kApps[] = {{kCatalogue, "catalogue"}, {kCatalogueDb, "catalogue-db"},
                             {kCarts, "carts"},         {kCartsDb, "carts-db"},
                             {kUser, "user"},           {kUserDb, "user-db"},
                             {kOrders, "orders"},       {kOrdersDb, "orders-db"},
                             {kPayment, "payment"},     {kShipping, "shipping"},
                             {kSessionDb, "session-db"}};

// One step of the Sock Shop journey (the locustfile the incidents apply): 9 requests, of which
// the 5 API calls go past the front-end. `cost` is CPU in ms per request in each service.
struct JourneyStep {
  const char* method;
  const char* name;
  bool api;
  double base_ms;  // Latency of an idle shop.
  uint32_t needs;  // Apps that must answer, besides the front-end.
  double cpu_ms_catalogue, cpu_ms_carts, cpu_ms_user, cpu_ms_orders, cpu_ms_other;
};
constexpr JourneyStep kJourney[] = {
    {"GET", "/catalogue", true, 110, kCatalogue | kCatalogueDb, 2.0, 0, 0, 0, 0.3},
    {"GET", "/", false, 52, 0, 0, 0, 0, 0, 0},
    {"GET", "/login", true, 120, kUser | kUserDb | kSessionDb, 0, 0.6, 2.5, 0, 0.4},
    {"GET", "/category.html", false, 53, 0, 0, 0, 0, 0, 0},
    {"GET", "/detail.html", false, 52, 0, 0, 0, 0, 0, 0},
    {"DELETE", "/cart", true, 90, kCarts | kCartsDb | kSessionDb, 0, 1.5, 0, 0, 0.3},
    {"POST", "/cart", true, 140, kCatalogue | kCarts | kCartsDb | kSessionDb, 1.0, 2.0, 0, 0, 0.3},
    {"GET", "/basket.html", false, 53, 0, 0, 0, 0, 0, 0},
    {"POST", "/orders", true, 260,
     kOrders | kOrdersDb | kUser | kUserDb | kCarts | kCartsDb | kShipping | kSessionDb, 0, 0.5,
     0.8, 4.0, 1.2},
};
constexpr int kSteps = sizeof(kJourney) / sizeof(kJourney[0]);
constexpr int kCheckout = 8;
constexpr int kDetail = 4;

// The catalogue's socks: id and price (catalogue-db's dump).
struct SockPrice {
  const char* id;
  double price;
};
constexpr SockPrice kSocks[] = {
    {"03fef6ac-1896-4ce8-bd69-b798f85c6e0b", 99.99},
    {"3395a43e-2d88-40de-b95f-e00e1502085b", 18},
    {"510a0d7e-8e83-4193-b483-e27e09ddc34d", 15},
    {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", 17.32},
    {"819e1fbf-8b7e-4f6d-811f-693534916a8b", 14},
    {"837ab141-399e-4c1f-9abc-bace40296bac", 15},
    {"a0a4f044-b040-410d-8ead-4de0446aec7e", 7.99},
    {"d3588630-ad8e-49df-bbd7-3167f7efb246", 10.99},
    {"zzz4f044-b040-410d-8ead-4de0446aec7e", 12},
};
constexpr int kSockCount = sizeof(kSocks) / sizeof(kSocks[0]);
// payment 0.4.3's -decline default.
constexpr double kDeclineOver = 100;

// Standard normal quantiles at (k + 0.5) / 16: the shape of a second's response times.
constexpr int kBuckets = 16;
constexpr double kNormal16[kBuckets] = {-1.863, -1.318, -1.010, -0.776, -0.579, -0.402,
                                        -0.237, -0.078, 0.078,  0.237,  0.402,  0.579,
                                        0.776,  1.010,  1.318,  1.863};

std::string RunKey(const std::string& uid, absl::Time started) {
  return absl::StrCat(uid, "@", absl::ToUnixNanos(started));
}

// The locustfile's mean wait_time: between(a, b), constant(c), constant_throughput(r)
// (1/r), or the default when none is found.
double MeanWait(const std::string& locustfile, double fallback) {
  double a, b;
  if (RE2::PartialMatch(locustfile, R"(wait_time\s*=\s*between\(\s*([\d.]+)\s*,\s*([\d.]+)\s*\))",
                        &a, &b)) {
    return (a + b) / 2;
  }
  if (RE2::PartialMatch(locustfile, R"(wait_time\s*=\s*constant\(\s*([\d.]+)\s*\))", &a)) {
    return a;
  }
  if (RE2::PartialMatch(locustfile, R"(wait_time\s*=\s*constant_throughput\(\s*([\d.]+)\s*\))",
                        &a) &&
      a > 0) {
    return 1 / a;
  }
  return fallback;
}

std::string UserClass(const std::string& locustfile) {
  std::string name;
  if (RE2::PartialMatch(locustfile, R"(class\s+(\w+)\s*\(\s*(?:Fast)?HttpUser\s*\))", &name)) {
    return name;
  }
  return "SockShopUser";
}

// Whether Locust's --host reaches the shop's front-end service.
bool HostIsFrontEnd(const std::string& host, const std::string& ns) {
  std::string h = host;
  for (const char* scheme : {"http://", "https://"}) {
    if (absl::StartsWith(h, scheme)) h = h.substr(strlen(scheme));
  }
  h = h.substr(0, h.find_first_of(":/"));
  return h == "front-end" || h == absl::StrCat("front-end.", ns) ||
         h == absl::StrCat("front-end.", ns, ".svc") ||
         h == absl::StrCat("front-end.", ns, ".svc.cluster.local");
}

}  // namespace

// A splitmix64 stream.
class LoadModel::Rng {
 public:
  explicit Rng(uint64_t seed) : x_(seed) {}
  uint64_t Next() {
    uint64_t z = (x_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
  // Uniform in [-1, 1).
  double Signed() { return 2 * Uniform() - 1; }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t x_;
};

struct LoadModel::Run {
  std::string ns, pod, uid, container;
  absl::Time started;
  LocustOptions options;
  std::unique_ptr<LocustStats> stats;
  std::string user_class;
  double think_seconds = 2;
  bool reaches_shop = true;
  bool all_spawned = false;
  absl::Time end = absl::InfiniteFuture();
  absl::Time next_table;
  double users = 0;     // Spawned so far; -1 while the web UI waits.
  bool done = false;    // Stopped (or never started); the process exits at `end`.
  int exit_status = 0;  // Of a run that never started.
  void Log(LogBook* logs, absl::Time t, const std::string& logger, const std::string& message,
           const char* level = "INFO") {
    Text(logs, t, LocustLog(options, t, pod, level, logger, message));
  }
  // Adds `text`, lines ending in "\n", as written at `t`.
  void Text(LogBook* logs, absl::Time t, const std::string& text) {
    absl::string_view rest = text;
    if (absl::EndsWith(rest, "\n")) rest.remove_suffix(1);
    if (text.empty()) return;
    for (absl::string_view line : absl::StrSplit(rest, '\n')) {
      logs->Add(uid, container, started, t, std::string(line));
    }
  }
};

struct LoadModel::FrontEnd {
  double queued = 0;      // Requests waiting for the event loop.
  double downstream = 0;  // API requests waiting for the services behind.
  double mib = 0;         // Memory held for requests in flight.
  absl::Time started;
};

LoadModel::LoadModel(uint64_t seed, LogBook* logs, OrdersDb* orders)
    : seed_(seed), logs_(logs), orders_(orders), rng_(std::make_unique<Rng>(seed * 7919 + 17)) {
  Rng r(seed ^ 0x5EED5EED5EEDull);
  params_.think_seconds *= 1 + 0.03 * r.Signed();
  params_.fe_cpu_ms *= 1 + 0.02 * r.Signed();
  params_.fe_heap_growth_mib_per_second *= 1 + 0.2 * r.Signed();
  params_.fe_mib_per_request *= 1 + 0.02 * r.Signed();
  params_.pool_rps *= 1 + 0.02 * r.Signed();
}

LoadModel::~LoadModel() = default;

bool LoadModel::Idle() const { return idle_; }

bool LoadModel::IsJavaService(const std::string& service) {
  return service == "carts" || service == "orders" || service == "shipping" ||
         service == "queue-master";
}

const std::vector<double>& LoadModel::RequestBuckets(const std::string& service) {
  // prom-client's and client_golang's defaults are the same 11 bounds; simpleclient's add 4.
  static const std::vector<double> kDefault = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10};
  static const std::vector<double> kJava = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                            0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  return IsJavaService(service) ? kJava : kDefault;
}

void LoadModel::CountRequests(const char* service, const char* method, const char* route,
                              const char* code, double count, double seconds, double sigma) {
  if (count <= 0) return;
  RequestHistogram& h = requests_[{service, method, route, code}];
  const std::vector<double>& bounds = RequestBuckets(service);
  h.count += count;
  for (int b = 0; b < kBuckets; ++b) {
    const double took =
        std::max(0.001, seconds * std::exp(sigma * kNormal16[b] - sigma * sigma / 2));
    h.sum_seconds += count / kBuckets * took;
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (took <= bounds[i]) h.buckets[i] += count / kBuckets;
    }
  }
}

void LoadModel::StartRun(const PodView& pod, absl::Time t) {
  auto run = std::make_unique<Run>();
  run->ns = pod.ns;
  run->pod = pod.name;
  run->uid = pod.uid;
  run->container = pod.container;
  run->started = pod.started;
  run->stats = std::make_unique<LocustStats>(pod.started);
  LocustContext context;
  context.env = pod.env;
  context.now = t;
  context.hostname = pod.name;
  LocustArgs args = ParseLocustArgs(pod.argv, context);
  const std::string key = RunKey(pod.uid, pod.started);
  run->Text(logs_, t, args.stdout_text);
  run->Text(logs_, t, args.stderr_text);
  if (!args.ok) {
    // Locust exits at start-up (a bad flag, --help, --version).
    run->done = true;
    run->end = t + absl::Seconds(1);
    run->exit_status = args.exit_code;
    runs_[key] = std::move(run);
    return;
  }
  run->options = args.options;
  run->user_class = UserClass(pod.locustfile);
  // Real users never wait exactly what the locustfile says on average: the seed's variation of
  // the default applies to the locustfile's mean too.
  const LoadParams defaults;
  run->think_seconds = MeanWait(pod.locustfile, defaults.think_seconds) * params_.think_seconds /
                       defaults.think_seconds;
  run->reaches_shop = HostIsFrontEnd(run->options.host, pod.ns);
  if (run->options.run_time.has_value() && (run->options.headless || run->options.autostart)) {
    run->end = t + *run->options.run_time;
  }
  if (!run->options.headless && !run->options.autostart) {
    // The web UI waits for someone to press start: no users.
    run->users = -1;
  } else {
    if (LocustPrintsPeriodicStats(run->options)) run->Text(logs_, t, run->stats->PeriodicStats());
    run->Log(logs_, t, "locust.runners",
             RampingMessage(run->options.users, run->options.spawn_rate));
    if (run->options.spawn_rate > 100) {
      run->Log(logs_, t, "locust.runners", kHighSpawnRateWarning, "WARNING");
    }
  }
  run->next_table = t + absl::Seconds(2);
  runs_[key] = std::move(run);
}

void LoadModel::FinishRun(Run* run, absl::Time t, std::vector<ContainerExit>* exits) {
  int status;
  if (run->done) {
    status = run->exit_status;  // It never started.
  } else {
    run->Log(logs_, t, "locust.main", kRunTimeReachedMessage);
    const int code = LocustExitCode(run->options, *run->stats);
    run->Log(logs_, t, "locust.main", ShuttingDownMessage(code));
    if (LocustPrintsStats(run->options)) run->Text(logs_, t, run->stats->FinalSummary());
    status = LocustProcessExitStatus(code);
  }
  run->done = true;
  run->end = absl::InfiniteFuture();
  exits->push_back(
      {run->ns, run->pod, run->container, status, status == 0 ? "Completed" : "Error"});
}

void LoadModel::RecordUsage(const std::string& uid, absl::Time t, Usage u) {
  std::deque<Sample>& d = usage_[uid];
  d.push_back({t, u});
  while (!d.empty() && d.front().t < t - absl::Seconds(75)) d.pop_front();
}

Usage LoadModel::ExtraUsage(const std::string& pod_uid, absl::Time t) const {
  auto it = usage_.find(pod_uid);
  if (it == usage_.end()) return {};
  // The newest sample at or before t.
  const std::deque<Sample>& d = it->second;
  for (auto s = d.rbegin(); s != d.rend(); ++s) {
    if (s->t <= t) return s->t > t - absl::Seconds(2) ? s->u : Usage{};
  }
  return {};
}

std::vector<ContainerExit> LoadModel::Step(absl::Time t, const std::vector<PodView>& pods) {
  std::vector<ContainerExit> exits;
  Rng& rng = *rng_;
  bool generators = false;
  for (const PodView& p : pods) {
    if (p.running && absl::StrContains(p.image, "locustio/locust")) generators = true;
  }
  if (!generators && runs_.empty()) {
    // Nothing drives the shop: queues drain at once and nothing is recorded.
    front_ends_.clear();
    idle_ = true;
    return exits;
  }

  // The load generators: a locustio/locust container that runs is a Locust process.
  for (const PodView& p : pods) {
    if (!p.running || !absl::StrContains(p.image, "locustio/locust")) continue;
    const std::string key = RunKey(p.uid, p.started);
    if (runs_.count(key) == 0) StartRun(p, t);
  }
  // Runs whose pod is gone end without a report.
  for (auto it = runs_.begin(); it != runs_.end();) {
    bool alive = false;
    for (const PodView& p : pods) {
      if (p.uid == it->second->uid && p.running && p.started == it->second->started) alive = true;
    }
    if (!alive) {
      it = runs_.erase(it);
    } else {
      ++it;
    }
  }

  // Which apps answer: a Service has endpoints when one of its pods is ready.
  uint32_t up = 0;
  std::vector<const PodView*> fe_pods;
  const PodView* orders_pod = nullptr;
  std::map<std::string, const PodView*> by_app;
  // Ready replicas of the two services whose limits make the downstream pool: catalogue (its
  // queries on catalogue-db) and orders (its MongoDB connection pool, 100 per replica).
  int catalogue_ready = 0, orders_ready = 0;
  for (const PodView& p : pods) {
    if (p.app.empty()) continue;
    if (p.ready) {
      catalogue_ready += p.app == "catalogue";
      orders_ready += p.app == "orders";
      for (const AppName& a : kApps) {
        if (p.app == a.name) up |= a.bit;
      }
      if (p.app == "front-end") fe_pods.push_back(&p);
      if (p.app == "orders" && orders_pod == nullptr) orders_pod = &p;
    }
    if (p.running && by_app.count(p.app) == 0) by_app[p.app] = &p;
  }
  // Front-end state follows the container instance: a restarted container starts empty.
  for (auto it = front_ends_.begin(); it != front_ends_.end();) {
    bool keep = false;
    for (const PodView* p : fe_pods) {
      if (p->uid == it->first && p->started == it->second.started) keep = true;
    }
    it = keep ? std::next(it) : front_ends_.erase(it);
  }

  // Users: every headless run that has not ended, spawned at its rate.
  double users = 0;
  std::vector<Run*> active;
  for (auto& [key, run] : runs_) {
    if (run->done) {
      if (run->end <= t) FinishRun(run.get(), t, &exits);
      continue;
    }
    if (t >= run->end) {
      FinishRun(run.get(), t, &exits);
      continue;
    }
    if (run->users < 0) continue;
    const double elapsed = absl::ToDoubleSeconds(t - run->started);
    const double target = static_cast<double>(run->options.users);
    run->users = std::min(target, std::floor(run->options.spawn_rate * elapsed + 1e-9));
    if (run->options.spawn_rate <= 0) run->users = target;
    if (run->users >= target && !run->all_spawned) {
      run->all_spawned = true;
      run->Log(logs_, t, "locust.runners",
               AllUsersSpawnedMessage({{run->user_class, run->options.users}}));
    }
    if (run->reaches_shop) users += run->users;
    active.push_back(run.get());
  }
  const bool loaded = users > 0;
  idle_ = runs_.empty() && front_ends_.empty();

  // The front-end pods' queues, stepped one second.
  double in_flight = 0;
  for (const PodView* p : fe_pods) {
    FrontEnd& fe = front_ends_[p->uid];
    fe.started = p->started;
    in_flight += fe.queued + fe.downstream;
  }
  const double think = active.empty() ? params_.think_seconds : active[0]->think_seconds;
  // Users act independently: a second's new requests vary by a couple of percent.
  const double arrivals =
      loaded ? std::max(0.0, users - in_flight) / think * (1 + 0.02 * rng.Signed()) : 0;

  // Completions this second, per journey step: [ok, failed] counts and latencies.
  struct Outcome {
    double count;
    double latency_ms;
    std::string error;      // Empty for success.
    double backend_ms = 0;  // An API request's time in the services behind the front-end.
  };
  // Each step of the journey gets 1/kSteps of a user's requests.
  std::vector<std::vector<Outcome>> outcomes(kSteps);
  const std::string host = active.empty() ? "" : active[0]->options.host;
  auto url = [&](int step) {
    std::string h = host;
    while (!h.empty() && h.back() == '/') h.pop_back();
    return absl::StrCat(h, kJourney[step].name);
  };
  const uint32_t fe_count = static_cast<uint32_t>(fe_pods.size());
  // CPU (ms per second) each service behind the front-end spends on the requests it serves.
  std::map<std::string, double> cpu_by_app;
  double slow_wait_s = 0, pool_waiting = 0;
  if (loaded && fe_count == 0) {
    for (int s = 0; s < kSteps; ++s) {
      outcomes[s].push_back({arrivals / kSteps, 1 + 2 * rng.Uniform(),
                             "ConnectionRefusedError(111, 'Connection refused')"});
    }
  }
  for (const PodView* p : fe_pods) {
    FrontEnd& fe = front_ends_[p->uid];
    const double a = arrivals / fe_count;
    const double limit_m = p->cpu_limit_millis > 0 ? p->cpu_limit_millis : 4000;
    const double cpu_rate = limit_m / params_.fe_cpu_ms;
    const double processed = std::min(fe.queued + a, cpu_rate);
    fe.queued = fe.queued + a - processed;
    const double util = processed / cpu_rate;
    const double cpu_wait_ms = fe.queued / cpu_rate * 1000;
    // Each replica of catalogue and orders brings its own connections: the pool grows with
    // their mean ready replicas (exactly pool_rps with one each, as the shop is deployed).
    const double pool_scale = (std::max(1, catalogue_ready) + std::max(1, orders_ready)) / 2.0;
    const double pool_rate = params_.pool_rps * pool_scale / fe_count;
    double api_ok = 0;
    for (int s = 0; s < kSteps; ++s) {
      const JourneyStep& st = kJourney[s];
      const double n = processed / kSteps;
      if (!st.api) {
        outcomes[s].push_back({n, st.base_ms * (1 + 0.6 * util * util) + cpu_wait_ms, ""});
        continue;
      }
      if ((st.needs & ~up) != 0 && s != kCheckout) {
        // A service behind is down: the front-end's call is refused (the Service has no
        // endpoints), it logs the error and answers 500.
        outcomes[s].push_back(
            {n, st.base_ms / 3 + cpu_wait_ms,
             absl::StrCat("HTTPError('500 Server Error: Internal Server Error for url: ", url(s),
                          "')")});
        const char* down = "";
        for (const AppName& app : kApps) {
          if ((st.needs & app.bit) != 0 && (up & app.bit) == 0 && *down == '\0') down = app.name;
        }
        double& carry = carry_[absl::StrCat("refused ", p->uid, " ", down)];
        carry += std::min(n, 2.0);  // Node prints each error; keep the log to a few a second.
        for (; carry >= 1; carry -= 1) {
          for (const std::string& line :
               FormatLine({"front-end", p->container, p->name, p->ip, p->started}, t,
                          LogLevel::kError, absl::StrCat("connect ECONNREFUSED ", down, ":80"))) {
            logs_->Add(p->uid, p->container, p->started, t, line);
          }
        }
        continue;
      }
      api_ok += n;
    }
    fe.downstream += api_ok;
    const double served = std::min(fe.downstream, pool_rate);
    const double pool_wait_ms = (fe.downstream - served) / pool_rate * 1000;
    fe.downstream -= served;
    slow_wait_s = std::max(slow_wait_s, pool_wait_ms / 1000);
    pool_waiting += fe.downstream;
    const double served_share = api_ok > 0 ? served / api_ok : 0;
    for (int s = 0; s < kSteps; ++s) {
      const JourneyStep& st = kJourney[s];
      if (!st.api || ((st.needs & ~up) != 0 && s != kCheckout)) continue;
      const double n = processed / kSteps * served_share;
      outcomes[s].push_back(
          {n, st.base_ms + cpu_wait_ms + pool_wait_ms, "", st.base_ms * 0.6 + pool_wait_ms});
      cpu_by_app["catalogue"] += n * st.cpu_ms_catalogue;
      cpu_by_app["carts"] += n * st.cpu_ms_carts;
      cpu_by_app["user"] += n * st.cpu_ms_user;
      cpu_by_app["orders"] += n * st.cpu_ms_orders;
      // The databases, the session store, payment and shipping: cpu_ms_other each.
      for (const AppName& a : kApps) {
        if ((st.needs & a.bit) != 0 && a.bit != kCatalogue && a.bit != kCarts && a.bit != kUser &&
            a.bit != kOrders) {
          cpu_by_app[a.name] += n * st.cpu_ms_other;
        }
      }
    }
    // Usage of this front-end container, and the OOM check against its limit.
    // The heap follows the work in flight, but V8 grows it only so fast; freed memory is
    // returned within a few seconds.
    const double wanted = params_.fe_mib_per_request * (fe.queued + fe.downstream);
    const double growth = params_.fe_heap_growth_mib_per_second * (1 + 0.5 * rng.Signed());
    fe.mib = wanted > fe.mib ? std::min(wanted, fe.mib + growth) : std::max(wanted, fe.mib * 0.5);
    const double mib = fe.mib;
    Usage u;
    u.cpu_nanocores = static_cast<int64_t>(processed * params_.fe_cpu_ms * 1e6);
    u.memory_bytes = static_cast<int64_t>(mib * kMiB) / 4096 * 4096;
    const Usage base = BaselineUsage(p->name, p->container, t, seed_);
    if (p->cpu_limit_millis > 0) {
      u.cpu_nanocores =
          std::min<int64_t>(u.cpu_nanocores, p->cpu_limit_millis * 1000000 - base.cpu_nanocores);
    }
    if (p->memory_limit_bytes > 0 && base.memory_bytes + u.memory_bytes > p->memory_limit_bytes) {
      // The kernel's OOM killer: everything in flight is lost with the process.
      const double lost = fe.queued + fe.downstream;
      for (int s = 0; s < kSteps; ++s) {
        outcomes[s].push_back({lost / kSteps, cpu_wait_ms + 500 * rng.Uniform(),
                               "ConnectionResetError(104, 'Connection reset by peer')"});
      }
      exits.push_back({p->ns, p->name, p->container, 137, "OOMKilled"});
      fe.queued = fe.downstream = fe.mib = 0;
      u.memory_bytes = p->memory_limit_bytes - base.memory_bytes;
      // The services behind see the front-end's connections reset.
      for (const char* app : {"carts", "orders", "catalogue", "user"}) {
        auto b = by_app.find(app);
        if (b == by_app.end()) continue;
        const PodView& bp = *b->second;
        std::vector<std::string> lines;
        const std::string peer = absl::StrCat(p->ip, ":", 40000 + rng.Below(20000));
        if (std::string(app) == "catalogue" || std::string(app) == "user") {
          lines.push_back(GoKitLine(t, "server.go:3160",
                                    {{"err", absl::StrCat("write tcp ", bp.ip, ":80->", peer,
                                                          ": write: connection reset by peer")}}));
        } else {
          lines.push_back(SpringLine(
              t, LogLevel::kError, app, 6, absl::StrCat("nio-80-exec-", 1 + rng.Below(10)),
              "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]",
              "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
              "exception [Request processing failed; nested exception is "
              "org.apache.catalina.connector.ClientAbortException: java.io.IOException: "
              "Connection reset by peer] with root cause"));
        }
        for (std::string& l : lines) logs_->Add(bp.uid, bp.container, bp.started, t, l);
      }
    }
    RecordUsage(p->uid, t, u);
  }
  // The services behind the front-end.
  for (const auto& [app, cpu_ms] : cpu_by_app) {
    auto b = by_app.find(app);
    if (b == by_app.end() || !loaded) continue;
    Usage u;
    u.cpu_nanocores = static_cast<int64_t>(cpu_ms * 1e6);
    u.memory_bytes = static_cast<int64_t>(cpu_ms * 0.08 * kMiB) / 4096 * 4096;
    RecordUsage(b->second->uid, t, u);
  }

  // Checkouts: each one is an order (or not) in the orders service.
  std::vector<Outcome> checkout;
  for (const Outcome& o : outcomes[kCheckout]) {
    if (!o.error.empty()) {
      checkout.push_back(o);
      continue;
    }
    double& carry = carry_["checkout"];
    carry += o.count;
    const int n = static_cast<int>(std::floor(carry));
    carry -= n;
    for (int i = 0; i < n; ++i) {
      const SockPrice& sock = kSocks[rng.Below(kSockCount)];
      const int customer = rng.Below(static_cast<int>(SeedCustomers().size()));
      const absl::Time at = t - absl::Milliseconds(1000 - 1000 * (i + 1) / (n + 1));
      const double latency = o.latency_ms * std::exp(0.3 * kNormal16[rng.Below(kBuckets)]);
      if ((kOrders & up) == 0 || orders_pod == nullptr) {
        checkout.push_back({1, 3 + 5 * rng.Uniform(),
                            absl::StrCat("HTTPError('500 Server Error: Internal Server Error for "
                                         "url: ",
                                         url(kCheckout), "')")});
        continue;
      }
      const std::string process =
          absl::StrCat(orders_pod->uid, "@", absl::ToUnixNanos(orders_pod->started));
      const std::string thread = absl::StrCat("nio-80-exec-", 1 + rng.Below(10));
      // orders asks user for the customer, address and card and carts for the items.
      const double sub_s = latency * 0.08 / 1000;
      for (const char* route : {"customers_id", "addresses_id", "cards_id"}) {
        CountRequests("user", "GET", route, "200", 1, sub_s, 0.3);
      }
      CountRequests("carts", "GET", "/carts/{customerId}/items", "200", 1, sub_s, 0.3);
      if ((kPayment & up) == 0) {
        // The guide's orders service: the order is saved, marked PAYMENT_FAILED.
        const Order& saved =
            orders_->Add(at, process, customer, sock.id, sock.price, "PAYMENT_FAILED");
        logs_->Add(orders_pod->uid, orders_pod->container, orders_pod->started, at,
                   SpringLine(at, LogLevel::kError, "orders", 6, thread,
                              "works.weave.socks.orders.controllers.OrdersController",
                              absl::StrCat("Payment call failed for order ", saved.id,
                                           ": I/O error on POST request for "
                                           "\"http://payment/paymentAuth\": Connection refused "
                                           "(Connection refused); nested exception is "
                                           "java.net.ConnectException: Connection refused "
                                           "(Connection refused)")));
        logs_->Add(orders_pod->uid, orders_pod->container, orders_pod->started, at,
                   SpringLine(at, LogLevel::kWarning, "orders", 6, thread,
                              "works.weave.socks.orders.controllers.OrdersController",
                              absl::StrCat("Order ", saved.id,
                                           " saved with status PAYMENT_FAILED "
                                           "(customer ",
                                           SeedCustomers()[customer].id,
                                           absl::StrFormat(", total %.2f)", saved.total))));
        checkout.push_back({1, 40 + 30 * rng.Uniform(),
                            absl::StrCat("HTTPError('500 Server Error: Internal Server Error for "
                                         "url: ",
                                         url(kCheckout), "')")});
        continue;
      }
      if (latency > params_.order_timeout_seconds * 1000) {
        logs_->Add(orders_pod->uid, orders_pod->container, orders_pod->started, at,
                   SpringLine(at, LogLevel::kError, "orders", 6, thread,
                              "works.weave.socks.orders.controllers.OrdersController",
                              "Unable to create order due to timeout from one of the services."));
        checkout.push_back({1, latency,
                            absl::StrCat("HTTPError('500 Server Error: Internal Server Error for "
                                         "url: ",
                                         url(kCheckout), "')")});
        continue;
      }
      // payment answers 200 whether it authorises or declines.
      CountRequests("payment", "POST", "paymentauth", "200", 1, latency * 0.05 / 1000, 0.3);
      if (sock.price + 4.99 > kDeclineOver) {
        checkout.push_back({1, latency,
                            absl::StrCat("HTTPError('406 Client Error: Not Acceptable for url: ",
                                         url(kCheckout), "')")});
        continue;
      }
      orders_->Add(at, process, customer, sock.id, sock.price, "PAID");
      CountRequests("shipping", "POST", "/shipping", "201", 1, latency * 0.05 / 1000, 0.3);
      // Only a checkout that succeeded is in orders' histogram (see requests()).
      CountRequests("orders", "POST", "/orders", "201", 1, latency * 0.85 / 1000, 0.3);
      checkout.push_back({1, latency, ""});
    }
  }
  outcomes[kCheckout] = std::move(checkout);

  // The incident's signatures in the services' own logs.
  if (slow_wait_s > 1) {
    double& carry = carry_["slow query"];
    carry += std::min(3.0, slow_wait_s * 0.3);
    auto db = by_app.find("catalogue-db");
    while (carry >= 1 && db != by_app.end()) {
      carry -= 1;
      const absl::Time at = t - absl::Milliseconds(rng.Below(1000));
      const double took = slow_wait_s * (0.6 + 0.8 * rng.Uniform());
      logs_->Add(
          db->second->uid, db->second->container, db->second->started, at,
          MysqlLine(at, 20 + rng.Below(150), LogLevel::kWarning,
                    absl::StrFormat("Slow query: %.6f s on socksdb (lock wait %.6f s): SELECT "
                                    "sock.sock_id AS id, sock.name, sock.description, sock.price, "
                                    "sock.count, sock.image_url_1, sock.image_url_2, "
                                    "GROUP_CONCAT(tag.name) AS tag_name FROM sock JOIN sock_tag ON "
                                    "sock.sock_id=sock_tag.sock_id JOIN tag ON "
                                    "sock_tag.tag_id=tag.tag_id GROUP BY id ORDER BY ?",
                                    took, took * 0.7)));
    }
  }
  if (pool_waiting > 100 && orders_pod != nullptr) {
    double& carry = carry_["pool"];
    carry += 0.25;
    while (carry >= 1) {
      carry -= 1;
      const absl::Time at = t - absl::Milliseconds(rng.Below(1000));
      logs_->Add(
          orders_pod->uid, orders_pod->container, orders_pod->started, at,
          SpringLine(at, LogLevel::kWarning, "orders", 6,
                     absl::StrCat("nio-80-exec-", 1 + rng.Below(200)),
                     "org.mongodb.driver.connection",
                     absl::StrFormat("Connection pool exhausted: 100 of 100 connections to "
                                     "orders-db:27017 in use, %d threads waiting for a connection",
                                     static_cast<int>(pool_waiting / 4))));
    }
  }

  // The services' own histograms of what they answered (no random draws: the recordings stay
  // as they were). A request the front-end never answered (refused, or cut by a kill) is not
  // in its histogram; the services behind count the calls they served.
  if (fe_count > 0) {
    for (int s = 0; s < kSteps; ++s) {
      for (const Outcome& o : outcomes[s]) {
        std::string code = "200";
        if (!o.error.empty()) {
          if (!absl::StartsWith(o.error, "HTTPError('")) continue;
          code = o.error.substr(11, 3);
        }
        const double sigma = o.error.empty() ? (kJourney[s].api ? 0.3 : 0.2) : 0.3;
        CountRequests("front-end", absl::AsciiStrToLower(kJourney[s].method).c_str(),
                      kJourney[s].name, code.c_str(), o.count, o.latency_ms / 1000, sigma);
        if (o.backend_ms <= 0) continue;
        const double b = o.backend_ms / 1000;
        switch (s) {
          case 0:  // GET /catalogue
            CountRequests("catalogue", "GET", "catalogue", "200", o.count, b, 0.3);
            break;
          case 2:  // GET /login
            CountRequests("user", "GET", "login", "200", o.count, b, 0.3);
            break;
          case 5:  // DELETE /cart
            CountRequests("carts", "DELETE", "/carts/{customerId}", "202", o.count, b, 0.3);
            break;
          case 6:  // POST /cart: the sock from catalogue, then the item into the cart
            CountRequests("catalogue", "GET", "catalogue_id", "200", o.count, b * 0.3, 0.3);
            CountRequests("carts", "POST", "/carts/{customerId}/items", "201", o.count, b * 0.7,
                          0.3);
            break;
          default:
            break;
        }
      }
    }
  }

  // The Locust runs' statistics: each run gets its share of the users' requests, spread over
  // the second's response-time shape.
  for (Run* run : active) {
    if (run->users <= 0 || !run->reaches_shop) continue;
    const double part = run->users / users;
    for (int s = 0; s < kSteps; ++s) {
      for (const Outcome& o : outcomes[s]) {
        double& carry = carry_[absl::StrCat(run->uid, s, o.error)];
        carry += o.count * part;
        const int64_t n = static_cast<int64_t>(std::floor(carry));
        if (n <= 0) continue;
        carry -= static_cast<double>(n);
        const double sigma = o.error.empty() ? (kJourney[s].api ? 0.3 : 0.2) : 0.3;
        // Spread n requests over the buckets; the remainder goes to random buckets.
        const int64_t each = n / kBuckets;
        int64_t rest = n % kBuckets;
        const int first = rng.Below(kBuckets);
        for (int b = 0; b < kBuckets; ++b) {
          int64_t k = each + ((b - first + kBuckets) % kBuckets < rest ? 1 : 0);
          if (k == 0) continue;
          const double ms =
              std::max(1.0, o.latency_ms * std::exp(sigma * kNormal16[b] - sigma * sigma / 2));
          std::string name = kJourney[s].name;
          if (s == kDetail) name = absl::StrCat(name, "?id=", kSocks[rng.Below(kSockCount)].id);
          if (o.error.empty()) {
            run->stats->AddSuccess(kJourney[s].method, name, ms, s == 0 ? 3000 : 1200, k, t);
          } else {
            run->stats->AddFailure(kJourney[s].method, name, ms, o.error, k, t);
          }
        }
      }
    }
    if (LocustPrintsPeriodicStats(run->options) && t >= run->next_table) {
      run->Text(logs_, t, run->stats->PeriodicStats());
      run->next_table = t + absl::Seconds(2);
    }
  }
  return exits;
}

}  // namespace sim
}  // namespace sre_eval
