// Issue 4's promise, over HTTP: the same seed and the same requests at the same virtual times
// give byte-identical responses. Two Sims with one seed, each behind its own ApiServer, get one
// sequence of reads and writes with the clock advanced between them; every status, content
// type and body must match. A Sim with another seed must differ where the seed is used.
#include <httplib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {
namespace {

using json = nlohmann::json;

constexpr char kTableAccept[] = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
constexpr char kPods[] = "/api/v1/namespaces/sock-shop/pods";
constexpr char kPaymentScale[] = "/apis/apps/v1/namespaces/sock-shop/deployments/payment/scale";
constexpr char kMergePatch[] = "application/merge-patch+json";

struct Request {
  std::string method;
  std::string target;
  std::string accept = "";
  std::string content_type = "";
  std::string body = "";
};

// One answer as compared: status, content type and body.
struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

// A Sim and its ApiServer on a free port, with a keep-alive client.
class Cluster {
 public:
  explicit Cluster(uint64_t seed) {
    SimOptions options;
    options.seed = seed;
    auto made = Sim::Create(options);
    if (!made.ok()) {
      error_ = std::string(made.status().message());
      return;
    }
    sim_ = *std::move(made);
    server_ = std::make_unique<ApiServer>(sim_.get());
    auto port = server_->Start(0);
    if (!port.ok()) {
      error_ = std::string(port.status().message());
      return;
    }
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_keep_alive(true);
    client_->set_read_timeout(10, 0);
  }

  const std::string& error() const { return error_; }

  // Status 0 when the request got no answer.
  Answer Send(const Request& r) {
    httplib::Headers headers;
    if (!r.accept.empty()) headers.emplace("Accept", r.accept);
    auto send = [&]() {
      if (r.method == "POST") return client_->Post(r.target, headers, r.body, r.content_type);
      if (r.method == "PATCH") return client_->Patch(r.target, headers, r.body, r.content_type);
      if (r.method == "DELETE") return client_->Delete(r.target, headers, r.body, r.content_type);
      return client_->Get(r.target, headers);
    };
    httplib::Result res = send();
    if (!res) return {};
    Answer a{res->status, res->get_header_value("Content-Type"), res->body};
    // /api names the address clients should use (serverAddressByClientCIDRs), which holds
    // each server's own port: the one legitimate difference, so the port alone is replaced.
    if (r.target == "/api") {
      absl::StrReplaceAll({{absl::StrCat("\"127.0.0.1:", port_, "\""), "\"127.0.0.1:PORT\""}},
                          &a.body);
    }
    return a;
  }

 private:
  std::string error_;
  std::unique_ptr<Sim> sim_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

// "" when equal, else where the first difference is, with a little context on both sides.
std::string Difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i < 60 ? 0 : i - 60;
  return absl::StrCat("first difference at byte ", i, " of ", a.size(), " and ", b.size(), ":\n  ",
                      a.substr(from, 120), "\n  ", b.substr(from, 120));
}

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  for (const json& o : list["items"]) names.push_back(o["metadata"]["name"]);
  return names;
}

std::string PodOf(const json& list, const std::string& app) {
  for (const json& o : list["items"]) {
    if (o["metadata"]["labels"].value("name", "") == app) return o["metadata"]["name"];
  }
  return "";
}

class ApiDeterminismTest : public ::testing::Test {
 protected:
  // Sends `r` to both same-seed clusters and expects the same answer; returns the first's.
  Answer Both(const Request& r) {
    Answer a = a_.Send(r);
    Answer b = b_.Send(r);
    EXPECT_NE(a.status, 0) << r.method << " " << r.target << ": no answer";
    EXPECT_EQ(a.status, b.status) << r.method << " " << r.target;
    EXPECT_EQ(a.content_type, b.content_type) << r.method << " " << r.target;
    EXPECT_EQ(Difference(a.body, b.body), "") << r.method << " " << r.target;
    return a;
  }
  Answer Get(const std::string& target, const std::string& accept = "") {
    return Both({"GET", target, accept});
  }
  Answer Advance(const std::string& by) {
    return Both({"POST", "/sim/v1/advance?by=" + by, "", "text/plain", ""});
  }

  Cluster a_{11};
  Cluster b_{11};
};

TEST_F(ApiDeterminismTest, SameSeedAndRequestsGiveByteIdenticalResponses) {
  ASSERT_EQ(a_.error(), "");
  ASSERT_EQ(b_.error(), "");

  // Discovery, and /api with the port normalised.
  for (const char* path : {"/version", "/api", "/apis", "/api/v1", "/apis/apps/v1",
                           "/apis/batch/v1", "/apis/metrics.k8s.io/v1beta1", "/openapi/v3"}) {
    EXPECT_EQ(Get(path).status, 200) << path;
  }
  EXPECT_TRUE(absl::StrContains(Get("/api").body, "\"serverAddress\":\"127.0.0.1:PORT\""));

  // Reads of the fresh cluster.
  json pods = Get(kPods).Json();
  ASSERT_EQ(pods["items"].size(), 14u);
  for (const json& p : pods["items"]) EXPECT_EQ(p["status"]["phase"], "Running");
  json table = Get(std::string(kPods) + "?limit=500", kTableAccept).Json();
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["rows"].size(), 14u);
  EXPECT_EQ(Get("/apis/apps/v1/namespaces/sock-shop/deployments").Json()["items"].size(), 14u);
  EXPECT_EQ(Get("/apis/apps/v1/namespaces/sock-shop/deployments", kTableAccept).status, 200);
  for (const char* path :
       {"/apis/apps/v1/namespaces/sock-shop/replicasets", "/api/v1/namespaces/sock-shop/services",
        "/api/v1/nodes", "/api/v1/namespaces", "/api/v1/namespaces/sock-shop/configmaps",
        "/apis/apps/v1/replicasets", "/api/v1/pods"}) {
    EXPECT_EQ(Get(path).status, 200) << path;
  }
  const std::string payment = PodOf(pods, "payment");
  const std::string carts = PodOf(pods, "carts");
  ASSERT_TRUE(absl::StartsWith(payment, "payment-")) << payment;
  ASSERT_TRUE(absl::StartsWith(carts, "carts-")) << carts;
  EXPECT_EQ(Get(absl::StrCat(kPods, "/", payment)).Json()["metadata"]["name"], payment);
  EXPECT_EQ(Get(absl::StrCat(kPods, "/", payment), kTableAccept).Json()["rows"].size(), 1u);
  EXPECT_EQ(Get(absl::StrCat(kPods, "?labelSelector=name%3Dcarts")).Json()["items"].size(), 1u);

  // Logs, events, metrics and the services proxy.
  EXPECT_FALSE(Get(absl::StrCat(kPods, "/", carts, "/log")).body.empty());
  EXPECT_EQ(Get(absl::StrCat(kPods, "/", payment, "/log?tailLines=5&timestamps=true")).status, 200);
  EXPECT_FALSE(Get("/api/v1/namespaces/sock-shop/events").Json()["items"].empty());
  EXPECT_EQ(Get("/api/v1/namespaces/sock-shop/events", kTableAccept).status, 200);
  EXPECT_EQ(Get("/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods").Json()["items"].size(),
            14u);
  EXPECT_EQ(Get("/apis/metrics.k8s.io/v1beta1/nodes").Json()["items"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/namespaces/sock-shop/services/catalogue/proxy/catalogue").status, 200);

  // Scale payment to 0 through the scale subresource; its pod terminates within its 30 s
  // grace period and is gone after 45 s.
  EXPECT_EQ(Get(kPaymentScale).Json()["spec"]["replicas"], 1);
  Answer scaled = Both({"PATCH", kPaymentScale, "", kMergePatch, R"({"spec":{"replicas":0}})"});
  EXPECT_EQ(scaled.status, 200);
  EXPECT_EQ(scaled.Json()["spec"]["replicas"], 0);
  EXPECT_TRUE(
      Get(absl::StrCat(kPods, "/", payment)).Json()["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(Advance("45s").Json()["now"], "2026-11-24T10:00:45Z");
  pods = Get(kPods).Json();
  EXPECT_EQ(pods["items"].size(), 13u);
  EXPECT_EQ(PodOf(pods, "payment"), "");
  EXPECT_EQ(Get(std::string(kPods) + "?limit=500", kTableAccept).Json()["rows"].size(), 13u);
  Get("/api/v1/namespaces/sock-shop/events");

  // And back to 1: a new pod with a new name.
  EXPECT_EQ(Both({"PATCH", kPaymentScale, "", kMergePatch, R"({"spec":{"replicas":1}})"}).status,
            200);
  EXPECT_EQ(Advance("90s").Json()["now"], "2026-11-24T10:02:15Z");
  pods = Get(kPods).Json();
  EXPECT_EQ(pods["items"].size(), 14u);
  const std::string payment2 = PodOf(pods, "payment");
  EXPECT_TRUE(absl::StartsWith(payment2, "payment-")) << payment2;
  EXPECT_NE(payment2, payment);
  Get(absl::StrCat(kPods, "/", payment2, "/log"));
  Get("/apis/apps/v1/namespaces/sock-shop/deployments/payment");
  Get("/apis/apps/v1/namespaces/sock-shop/replicasets");

  // Server-side apply of a ConfigMap: created, then changed.
  const std::string cm = "/api/v1/namespaces/sock-shop/configmaps/bench-settings";
  const std::string apply = "?fieldManager=kubectl&fieldValidation=Strict&force=true";
  Answer created = Both({"PATCH", cm + apply, "", "application/apply-patch+yaml",
                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-settings\n"
                         "data:\n  mode: fast\n"});
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.Json()["data"]["mode"], "fast");
  Advance("5s");
  Answer changed = Both({"PATCH", cm + apply, "", "application/apply-patch+yaml",
                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-settings\n"
                         "data:\n  mode: slow\n  retries: \"3\"\n"});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.Json()["data"], json({{"mode", "slow"}, {"retries", "3"}}));
  Get(cm);

  // Delete the carts pod: it terminates, and its replica set makes another.
  Answer deleted = Both({"DELETE", absl::StrCat(kPods, "/", carts), "", "application/json",
                         R"({"propagationPolicy":"Background"})"});
  EXPECT_EQ(deleted.status, 200);
  EXPECT_TRUE(deleted.Json()["metadata"].contains("deletionTimestamp"));
  Get(std::string(kPods) + "?limit=500", kTableAccept);
  Advance("60s");
  pods = Get(kPods).Json();
  EXPECT_EQ(pods["items"].size(), 14u);
  EXPECT_NE(PodOf(pods, "carts"), carts);
  EXPECT_EQ(Get(absl::StrCat(kPods, "/", carts)).status, 404);

  // Later: ages, events, metrics and logs after more virtual time; then past the events' TTL.
  EXPECT_EQ(Advance("10m").Json()["now"], "2026-11-24T10:13:20Z");
  EXPECT_EQ(Get("/sim/v1/clock").Json(), json({{"now", "2026-11-24T10:13:20Z"}, {"seed", 11}}));
  Get(std::string(kPods) + "?limit=500", kTableAccept);
  Get("/api/v1/namespaces/sock-shop/events");
  Get("/api/v1/namespaces/sock-shop/events", kTableAccept);
  Get("/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods");
  Get("/apis/metrics.k8s.io/v1beta1/nodes");
  Get(absl::StrCat(kPods, "/", PodOf(pods, "carts"), "/log?sinceSeconds=300"));
  Get("/api/v1/namespaces/sock-shop/services/front-end/proxy/");
  Advance("2h");
  Get("/api/v1/namespaces/sock-shop/events");
  Get(std::string(kPods) + "?limit=500", kTableAccept);
  Get("/apis/apps/v1/namespaces/sock-shop/deployments");
}

// What the seed decides: the pods' random name suffixes and every uid. The replica sets'
// pod-template-hash comes from the template, as in Kubernetes, so names differ only in the
// last five characters. Pod IPs do not come from the seed: the sim hands them out in order
// from 10.244.0.5 (as kind's host-local IPAM would), so both seeds give the same ones.
TEST(ApiDeterminismSeedTest, AnotherSeedGivesOtherNamesAndUids) {
  Cluster one(11);
  Cluster other(12);
  ASSERT_EQ(one.error(), "");
  ASSERT_EQ(other.error(), "");
  json a = one.Send({"GET", kPods}).Json();
  json b = other.Send({"GET", kPods}).Json();
  ASSERT_EQ(a["items"].size(), 14u);
  ASSERT_EQ(b["items"].size(), 14u);

  std::vector<std::string> names_a = Names(a), names_b = Names(b);
  std::set<std::string> all_names(names_a.begin(), names_a.end());
  all_names.insert(names_b.begin(), names_b.end());
  EXPECT_EQ(all_names.size(), 28u) << "a pod name is the same under both seeds";
  for (size_t i = 0; i < names_a.size(); ++i) {
    std::string prefix = names_a[i].substr(0, names_a[i].rfind('-'));
    EXPECT_EQ(names_b[i].substr(0, names_b[i].rfind('-')), prefix) << names_b[i];
    EXPECT_EQ(names_a[i].size(), prefix.size() + 6) << names_a[i];
  }

  std::set<std::string> uids;
  for (const json* list : {&a, &b}) {
    for (const json& p : (*list)["items"]) uids.insert(p["metadata"]["uid"].get<std::string>());
  }
  EXPECT_EQ(uids.size(), 28u) << "a pod uid is the same under both seeds";
  json ns_a = one.Send({"GET", "/api/v1/namespaces/sock-shop"}).Json();
  json ns_b = other.Send({"GET", "/api/v1/namespaces/sock-shop"}).Json();
  EXPECT_NE(ns_a["metadata"]["uid"], ns_b["metadata"]["uid"]);

  std::map<std::string, std::string> ip_a, ip_b;
  for (const json& p : a["items"]) ip_a[p["metadata"]["labels"]["name"]] = p["status"]["podIP"];
  for (const json& p : b["items"]) ip_b[p["metadata"]["labels"]["name"]] = p["status"]["podIP"];
  EXPECT_EQ(ip_a, ip_b);
  EXPECT_EQ(ip_a["carts"], "10.244.0.5");
  EXPECT_EQ(ip_a["user-db"], "10.244.0.18");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
