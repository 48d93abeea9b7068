// The guide's incident matrix (DESIGN.md, "What the sim must reproduce"), driven through the
// sim's Kubernetes API the way a user drives a cluster: create a ConfigMap and a Locust Job,
// scale payment, advance the virtual clock, then read pods, metrics, logs, the Locust report in
// the Job's log and the orders through the services proxy. Every band is checked for 20 seeds.
#include <httplib.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {
namespace {

using json = nlohmann::json;

constexpr char kNs[] = "/api/v1/namespaces/sock-shop";
constexpr char kLocustfile[] =
    "from locust import HttpUser, task, between\n"
    "class SockShopUser(HttpUser):\n"
    "    wait_time = between(1, 3)\n"
    "    @task\n"
    "    def journey(self):\n"
    "        self.client.get('/catalogue')\n";

// What the Locust report's Aggregated rows say.
struct Report {
  int64_t requests = -1, failures = -1, p95 = -1;
  std::map<std::string, int64_t> failures_by_name;  // "POST /orders" -> count.
};

Report ParseReport(const std::string& log) {
  Report r;
  // The last stats table and percentile table are the final summary.
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    std::string l(line);
    int64_t reqs, fails;
    if (RE2::FullMatch(l, R"(\s+Aggregated\s+(\d+)\s+(\d+)\(\S+\)\s+\|.*)", &reqs, &fails)) {
      r.requests = reqs;
      r.failures = fails;
    }
    std::vector<std::string> cols = absl::StrSplit(l, ' ', absl::SkipEmpty());
    if (cols.size() == 13 && cols[0] == "Aggregated") absl::SimpleAtoi(cols[6], &r.p95);
    std::string method, name;
    int64_t n;
    if (RE2::FullMatch(l, R"((\d+)\s+(GET|POST|DELETE) (\S+): .*)", &n, &method, &name)) {
      r.failures_by_name[method + " " + name] += n;
    }
  }
  return r;
}

// A resource.Quantity as a number: "260671841n" cores, "5m", "729756Ki" bytes, "711Mi".
double Quantity(const std::string& q) {
  static const std::pair<const char*, double> kSuffixes[] = {
      {"n", 1e-9},    {"u", 1e-6},       {"m", 1e-3},
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}};
  for (const auto& [suffix, factor] : kSuffixes) {
    double v;
    if (absl::EndsWith(q, suffix) && absl::SimpleAtod(q.substr(0, q.size() - strlen(suffix)), &v)) {
      return v * factor;
    }
  }
  double v = 0;
  EXPECT_TRUE(absl::SimpleAtod(q, &v)) << q;
  return v;
}

class Cluster {
 public:
  explicit Cluster(uint64_t seed) {
    SimOptions options;
    options.seed = seed;
    auto made = Sim::Create(options);
    EXPECT_TRUE(made.ok()) << made.status();
    sim_ = *std::move(made);
    server_ = std::make_unique<ApiServer>(sim_.get());
    auto port = server_->Start(0);
    EXPECT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(30, 0);
  }

  json Call(const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& type = "application/json") {
    httplib::Result r = method == "GET"     ? client_->Get(path)
                        : method == "POST"  ? client_->Post(path, body.dump(), type)
                        : method == "PATCH" ? client_->Patch(path, body.dump(), type)
                                            : client_->Delete(path);
    EXPECT_TRUE(r) << method << " " << path;
    if (!r) return nullptr;
    EXPECT_LT(r->status, 300) << method << " " << path << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  std::string Text(const std::string& path) {
    httplib::Result r = client_->Get(path);
    EXPECT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
    return r ? r->body : "";
  }
  void Advance(int seconds) {
    httplib::Result r =
        client_->Post(absl::StrCat("/sim/v1/advance?by=", seconds, "s"), "", "text/plain");
    ASSERT_TRUE(r && r->status == 200);
  }
  // kubectl create -f of the ConfigMap and the Job, as the incidents apply them.
  void StartLoad(const std::string& name, int users, int rate, const std::string& run_time) {
    StartLocust(name, {"-f", "/mnt/locust/locustfile.py", "--headless", "-u", std::to_string(users),
                       "-r", std::to_string(rate), "-t", run_time, "--only-summary", "--host",
                       "http://front-end.sock-shop.svc"});
  }
  void StartLocust(const std::string& name, const std::vector<std::string>& args) {
    Call("POST", absl::StrCat(kNs, "/configmaps"),
         {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "locustfile-" + name}}},
          {"data", {{"locustfile.py", kLocustfile}}}});
    json container = {{"name", "locust"},
                      {"image", "locustio/locust:2.12.1"},
                      {"args", args},
                      {"volumeMounts", {{{"name", "locustfile"}, {"mountPath", "/mnt/locust"}}}}};
    Call("POST", "/apis/batch/v1/namespaces/sock-shop/jobs",
         {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", "locust-" + name}}},
          {"spec",
           {{"backoffLimit", 0},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers", {container}},
                {"volumes",
                 {{{"name", "locustfile"},
                   {"configMap", {{"name", "locustfile-" + name}}}}}}}}}}}}});
  }
  void Scale(const std::string& deployment, int replicas) {
    Call("PATCH",
         absl::StrCat("/apis/apps/v1/namespaces/sock-shop/deployments/", deployment, "/scale"),
         {{"spec", {{"replicas", replicas}}}}, "application/merge-patch+json");
  }
  json Pods() { return Call("GET", absl::StrCat(kNs, "/pods")); }
  json Pod(const std::string& app) {
    const json pods = Pods();
    for (const json& p : pods["items"]) {
      if (p["metadata"]["labels"].value("name", "") == app) return p;
    }
    return nullptr;
  }
  std::string JobLog(const std::string& name) {
    const json pods = Pods();
    for (const json& p : pods["items"]) {
      if (p["metadata"]["labels"].value("job-name", "") == name) {
        return Text(absl::StrCat(kNs, "/pods/", p["metadata"]["name"].get<std::string>(), "/log"));
      }
    }
    return "";
  }
  json Job(const std::string& name) {
    return Call("GET", "/apis/batch/v1/namespaces/sock-shop/jobs/" + name);
  }
  json Orders() {
    return Call("GET", absl::StrCat(kNs, "/services/orders/proxy/orders?size=1000"));
  }
  // CPU (millicores) and memory (MiB) of an app's pod, as kubectl top reads them.
  std::pair<double, double> Top(const std::string& app) {
    json pod = Pod(app);
    json m = Call("GET", absl::StrCat("/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods/",
                                      pod["metadata"]["name"].get<std::string>()));
    const std::string cpu = m["containers"][0]["usage"]["cpu"];
    const std::string mem = m["containers"][0]["usage"]["memory"];
    return {Quantity(cpu) * 1000, Quantity(mem) / (1 << 20)};
  }

  Sim* sim() { return sim_.get(); }

 private:
  std::unique_ptr<Sim> sim_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

int64_t Restarts(const json& pods) {
  int64_t n = 0;
  for (const json& p : pods["items"]) {
    for (const json& cs : p["status"]["containerStatuses"]) n += cs["restartCount"].get<int64_t>();
  }
  return n;
}

bool AllReady(const json& pods) {
  for (const json& p : pods["items"]) {
    if (p["status"]["phase"] != "Running") continue;
    for (const json& c : p["status"]["conditions"]) {
      if (c["type"] == "Ready" && c["status"] != "True") return false;
    }
  }
  return true;
}

constexpr int kSeeds = 20;

// What one seed's crash incident showed, for the comparisons across seeds.
struct CrashResult {
  std::vector<std::string> oom_times;
  int64_t requests = 0;
  std::string log;
};

CrashResult RunCrash(uint64_t seed) {
  Cluster c(seed);
  CrashResult out;
  EXPECT_TRUE(AllReady(c.Pods()));
  EXPECT_EQ(Restarts(c.Pods()), 0);
  c.StartLoad("crash", 3000, 100, "5m");
  bool crashloop = false;
  std::set<std::string> ooms;
  double peak_cpu = 0;
  for (int s = 0; s < 330; s += 5) {
    c.Advance(5);
    json fe = c.Pod("front-end");
    const json& cs = fe["status"]["containerStatuses"][0];
    if (cs["state"].contains("waiting") && cs["state"]["waiting"]["reason"] == "CrashLoopBackOff") {
      crashloop = true;
    }
    for (const char* which : {"state", "lastState"}) {
      if (cs[which].contains("terminated") && cs[which]["terminated"]["reason"] == "OOMKilled") {
        EXPECT_EQ(cs[which]["terminated"]["exitCode"], 137);
        ooms.insert(cs[which]["terminated"]["finishedAt"].get<std::string>());
      }
    }
    if (cs["state"].contains("running")) peak_cpu = std::max(peak_cpu, c.Top("front-end").first);
  }
  // Recovery: no one touches the cluster; the kubelet brings the front-end back.
  for (int s = 0; s < 900 && !AllReady(c.Pods()); s += 10) c.Advance(10);
  EXPECT_TRUE(AllReady(c.Pods())) << "seed " << seed;
  const int64_t restarts = Restarts(c.Pods());
  c.Advance(300);
  EXPECT_TRUE(AllReady(c.Pods())) << "seed " << seed;
  EXPECT_EQ(Restarts(c.Pods()), restarts) << "seed " << seed << ": restarts after recovery";

  Report r = ParseReport(c.JobLog("locust-crash"));
  EXPECT_TRUE(crashloop) << "seed " << seed;
  EXPECT_GE(ooms.size(), 2u) << "seed " << seed;
  EXPECT_GE(restarts, 2) << "seed " << seed;
  EXPECT_GE(peak_cpu, 285) << "seed " << seed << ": front-end CPU at its 300m limit";
  EXPECT_LE(peak_cpu, 301) << "seed " << seed;
  EXPECT_GT(r.requests, 0) << "seed " << seed;
  EXPECT_GE(r.failures * 100, r.requests * 60) << "seed " << seed;
  EXPECT_GT(r.failures_by_name["GET /catalogue"], 0) << "seed " << seed;
  json job = c.Job("locust-crash");
  EXPECT_EQ(job["status"]["failed"], 1) << "Locust exits 1 after failures";
  EXPECT_EQ(job["status"]["conditions"].back()["type"], "Failed");
  out.oom_times.assign(ooms.begin(), ooms.end());
  out.requests = r.requests;
  out.log = c.JobLog("locust-crash");
  return out;
}

TEST(IncidentMatrixTest, CrashOomKillsTheFrontEndWhichRecoversByItself) {
  std::set<int64_t> requests;
  std::set<std::string> first_ooms;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    CrashResult r = RunCrash(seed);
    requests.insert(r.requests);
    if (!r.oom_times.empty()) first_ooms.insert(r.oom_times[0] + r.oom_times.back());
  }
  EXPECT_EQ(requests.size(), static_cast<size_t>(kSeeds)) << "request counts differ by seed";
  EXPECT_GE(first_ooms.size(), 5u) << "OOM kill times differ by seed";
}

TEST(IncidentMatrixTest, TheSameSeedGivesTheSameIncident) {
  CrashResult a = RunCrash(11);
  CrashResult b = RunCrash(11);
  EXPECT_EQ(a.oom_times, b.oom_times);
  EXPECT_EQ(a.log, b.log);
}

TEST(IncidentMatrixTest, LatencyIsSlowButNothingRestarts) {
  std::set<int64_t> p95s, requests;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Cluster c(seed);
    c.StartLoad("latency", 750, 50, "8m");
    for (int s = 0; s < 60; s += 10) c.Advance(10);
    for (int s = 60; s < 470; s += 15) {
      c.Advance(15);
      auto [cpu, mem] = c.Top("front-end");
      EXPECT_GE(cpu, 240) << "seed " << seed << " at +" << s << "s: CPU 80% of 300m";
      EXPECT_LE(cpu, 285) << "seed " << seed << " at +" << s << "s: CPU 95% of 300m";
      EXPECT_GE(mem, 600) << "seed " << seed << " at +" << s << "s: memory 60% of 1000Mi";
      EXPECT_LE(mem, 850) << "seed " << seed << " at +" << s << "s: memory 85% of 1000Mi";
    }
    c.Advance(30);
    Report r = ParseReport(c.JobLog("locust-latency"));
    EXPECT_GE(r.p95, 3000) << "seed " << seed;
    EXPECT_LE(r.p95, 5000) << "seed " << seed;
    EXPECT_LT(r.failures * 100, r.requests * 5) << "seed " << seed;
    EXPECT_EQ(Restarts(c.Pods()), 0) << "seed " << seed;
    EXPECT_TRUE(AllReady(c.Pods())) << "seed " << seed;
    const std::string db = c.Text(absl::StrCat(
        kNs, "/pods/", c.Pod("catalogue-db")["metadata"]["name"].get<std::string>(), "/log"));
    const std::string orders = c.Text(absl::StrCat(
        kNs, "/pods/", c.Pod("orders")["metadata"]["name"].get<std::string>(), "/log"));
    EXPECT_TRUE(absl::StrContains(db, "[Warning] Slow query: ")) << "seed " << seed;
    EXPECT_TRUE(absl::StrContains(orders, "Connection pool exhausted")) << "seed " << seed;
    json orders_list = c.Orders();
    EXPECT_GT(orders_list["page"]["totalElements"].get<int64_t>(), 1000) << "orders placed";
    EXPECT_EQ(orders_list["_embedded"]["customerOrders"][0]["status"], "PAID");
    p95s.insert(r.p95);
    requests.insert(r.requests);
  }
  EXPECT_GE(p95s.size(), 3u);
  EXPECT_EQ(requests.size(), static_cast<size_t>(kSeeds));
}

TEST(IncidentMatrixTest, PaymentAtZeroLeavesPaymentFailedOrdersUntilScaledBack) {
  std::set<std::string> ids;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Cluster c(seed);
    c.Scale("payment", 0);
    c.Advance(40);  // payment's pod terminates (30 s grace).
    EXPECT_TRUE(c.Pod("payment").is_null()) << "seed " << seed;
    c.StartLoad("payment", 10, 10, "2m");
    c.Advance(150);
    Report r = ParseReport(c.JobLog("locust-payment"));
    json orders = c.Orders()["_embedded"]["customerOrders"];
    ASSERT_GT(orders.size(), 10u) << "seed " << seed;
    for (const json& o : orders) {
      EXPECT_EQ(o["status"], "PAYMENT_FAILED") << "seed " << seed;
      EXPECT_TRUE(RE2::FullMatch(o["id"].get<std::string>(), "[0-9a-f]{24}"));
      ids.insert(o["id"].get<std::string>());
    }
    // Every checkout Locust saw fail is one PAYMENT_FAILED order.
    EXPECT_EQ(r.failures_by_name["POST /orders"], static_cast<int64_t>(orders.size()))
        << "seed " << seed;
    EXPECT_EQ(r.failures, r.failures_by_name["POST /orders"]) << "only checkouts fail";
    EXPECT_EQ(Restarts(c.Pods()), 0);
    const std::string log = c.Text(absl::StrCat(
        kNs, "/pods/", c.Pod("orders")["metadata"]["name"].get<std::string>(), "/log"));
    EXPECT_TRUE(absl::StrContains(log, "Connection refused"));
    EXPECT_TRUE(absl::StrContains(log, absl::StrCat("Order ", orders[0]["id"].get<std::string>(),
                                                    " saved with status PAYMENT_FAILED")));
    // The ObjectId's first 4 bytes are its creation second.
    const std::string id = orders[0]["id"];
    const int64_t secs = std::stoll(id.substr(0, 8), nullptr, 16);
    EXPECT_EQ(
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(secs), absl::UTCTimeZone()),
        orders[0]["date"].get<std::string>().substr(0, 19));

    // Nothing heals by itself: a later checkout fails the same way.
    c.Advance(300);
    const size_t before = orders.size();
    c.StartLoad("payment-again", 10, 10, "1m");
    c.Advance(70);
    json after = c.Orders()["_embedded"]["customerOrders"];
    ASSERT_GT(after.size(), before);
    EXPECT_EQ(after.back()["status"], "PAYMENT_FAILED");
    // Scaled back, payment is ready after its 180 s readiness delay and orders are PAID.
    c.Scale("payment", 1);
    c.Advance(200);
    c.StartLoad("payment-fixed", 10, 10, "1m");
    c.Advance(70);
    json fixed = c.Orders()["_embedded"]["customerOrders"];
    ASSERT_GT(fixed.size(), after.size());
    EXPECT_EQ(fixed.back()["status"], "PAID") << "seed " << seed;
  }
  EXPECT_GT(ids.size(), 20u * 10);
}

TEST(IncidentsTest, ADownServiceMakesTheFrontEndAnswer500AndLogTheRefusal) {
  Cluster c(5);
  c.Scale("catalogue", 0);
  c.Advance(40);
  c.StartLoad("no-catalogue", 20, 20, "1m");
  c.Advance(70);
  const std::string log = c.JobLog("locust-no-catalogue");
  Report r = ParseReport(log);
  EXPECT_GT(r.failures_by_name["GET /catalogue"], 0);
  EXPECT_GT(r.failures_by_name["POST /cart"], 0);
  EXPECT_EQ(r.failures_by_name["GET /login"], 0);
  EXPECT_EQ(r.failures_by_name["GET /"], 0);
  EXPECT_TRUE(absl::StrContains(
      log,
      "GET /catalogue: HTTPError('500 Server Error: Internal Server Error for url: "
      "http://front-end.sock-shop.svc/catalogue')"))
      << log;
  const std::string fe = c.Text(absl::StrCat(
      kNs, "/pods/", c.Pod("front-end")["metadata"]["name"].get<std::string>(), "/log"));
  EXPECT_TRUE(absl::StrContains(fe, "Error: connect ECONNREFUSED catalogue:80\n")) << fe;
  EXPECT_EQ(Restarts(c.Pods()), 0);
}

TEST(IncidentsTest, LocustRejectsBadArgumentsAndTheJobFails) {
  Cluster c(5);
  c.StartLocust("bad", {"--headless", "-u", "10", "-t", "5 minutes"});
  c.Advance(30);
  const std::string log = c.JobLog("locust-bad");
  EXPECT_TRUE(absl::StrContains(
      log, "Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."))
      << log;
  json job = c.Job("locust-bad");
  EXPECT_EQ(job["status"]["failed"], 1);
  EXPECT_EQ(job["status"]["conditions"].back()["type"], "Failed");
  EXPECT_EQ(job["status"]["conditions"].back()["reason"], "BackoffLimitExceeded");
  json pods = c.Pods();
  int seen = 0;
  for (const json& p : pods["items"]) {
    if (p["metadata"]["labels"].value("job-name", "") != "locust-bad") continue;
    ++seen;
    EXPECT_EQ(p["status"]["phase"], "Failed");
    EXPECT_EQ(p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 1);
    EXPECT_EQ(p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Error");
  }
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
