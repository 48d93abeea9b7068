// The sim's API over plain HTTP: discovery, Status errors, and 200 malformed requests that
// must each get a Kubernetes Status (or an HTTP error) while the server keeps answering.
#include "sim/api/api_server.h"

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server_internal.h"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {
namespace {

using ::testing::HasSubstr;

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.seed = 3;
    auto made = Sim::Create(options);
    ASSERT_TRUE(made.ok()) << made.status();
    sim_ = *std::move(made);
    server_ = std::make_unique<ApiServer>(sim_.get());
    auto port = server_->Start(0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(5, 0);
  }

  std::unique_ptr<Sim> sim_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiServerTest, DiscoveryListsTheServedGroups) {
  auto r = client_->Get("/apis");
  ASSERT_TRUE(r);
  nlohmann::json groups = nlohmann::json::parse(r->body);
  std::vector<std::string> names;
  for (const auto& g : groups["groups"]) names.push_back(g["name"]);
  EXPECT_EQ(names,
            (std::vector<std::string>{"apps", "batch", "autoscaling", "discovery.k8s.io",
                                      "events.k8s.io", "authorization.k8s.io", "metrics.k8s.io"}));
  r = client_->Get("/version");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["gitVersion"], "v1.32.4");
}

// Boolean query parameters as the API server reads them: absent, "0" and "false" in any case
// are false, anything else (the Python client's "True", an empty value) is true.
TEST_F(ApiServerTest, BooleanParametersAreReadAsTheApiServerReadsThem) {
  auto pods = client_->Get("/api/v1/namespaces/sock-shop/pods?labelSelector=name%3Dfront-end");
  ASSERT_TRUE(pods);
  nlohmann::json list = nlohmann::json::parse(pods->body);
  ASSERT_EQ(list["items"].size(), 1u);
  std::string log = "/api/v1/namespaces/sock-shop/pods/" +
                    list["items"][0]["metadata"]["name"].get<std::string>() + "/log?previous=";
  // The front-end never restarted: asking for its previous container is a 400.
  for (const char* v : {"True", "true", "TRUE", "1", "yes", ""}) {
    auto r = client_->Get(log + v);
    ASSERT_TRUE(r) << v;
    EXPECT_EQ(r->status, 400) << v;
    EXPECT_THAT(r->body, HasSubstr(R"(previous terminated container \"front-end\" in pod)")) << v;
  }
  for (const char* v : {"False", "false", "FALSE", "0"}) {
    auto r = client_->Get(log + v);
    ASSERT_TRUE(r) << v;
    EXPECT_EQ(r->status, 200) << v;
  }
  // watch=True streams events; watch=False lists.
  auto listed = client_->Get("/api/v1/namespaces/sock-shop/pods?watch=False");
  ASSERT_TRUE(listed);
  EXPECT_EQ(nlohmann::json::parse(listed->body)["kind"], "PodList");
  std::string first_event;
  client_->Get("/api/v1/namespaces/sock-shop/pods?watch=True&timeoutSeconds=1",
               [&](const char* data, size_t n) {
                 first_event.append(data, n);
                 return first_event.find('\n') == std::string::npos;
               });
  nlohmann::json event =
      nlohmann::json::parse(first_event.substr(0, first_event.find('\n')), nullptr, false);
  ASSERT_FALSE(event.is_discarded()) << first_event;
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["kind"], "Pod");
}

TEST_F(ApiServerTest, NotFoundIsAStatus) {
  auto r = client_->Get("/api/v1/namespaces/sock-shop/pods/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  nlohmann::json s = nlohmann::json::parse(r->body);
  EXPECT_EQ(s["kind"], "Status");
  EXPECT_EQ(s["reason"], "NotFound");
  EXPECT_EQ(s["message"], "pods \"nope\" not found");
  EXPECT_EQ(s["code"], 404);
}

// As the real API server and Prometheus do, the sim answers gzip (or nothing) whatever else
// a client lists: never brotli, which cost 0.7 ms a response.
TEST_F(ApiServerTest, ResponsesAreGzipOrPlainNeverBrotli) {
  client_->set_decompress(false);
  for (const char* path : {"/api/v1/namespaces/sock-shop/pods", "/prometheus/api/v1/labels"}) {
    auto r = client_->Get(path, {{"Accept-Encoding", "br, zstd, gzip"}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip") << path;
    r = client_->Get(path, {{"Accept-Encoding", "br;q=1.0"}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "") << path;
  }
}

// With a control token (what record and run set), the clock's endpoints answer only the
// harness: an agent using the cluster gets 403.
// A sim served with a control token, as record and run serve it.
class GuardedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.start = absl::FromUnixSeconds(1795514400);  // 2026-11-24T10:00:00Z
    absl::StatusOr<std::unique_ptr<Sim>> made = Sim::Create(options);
    ASSERT_TRUE(made.ok()) << made.status();
    sim_ = *std::move(made);
    server_ = std::make_unique<ApiServer>(sim_.get());
    server_->set_control_token("s3cret");
    absl::StatusOr<int> port = server_->Start(0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  std::unique_ptr<Sim> sim_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(GuardedServerTest, TheControlEndpointsNeedTheTokenWhenOneIsSet) {
  ApiServer& server = *server_;
  httplib::Client client("127.0.0.1", port_);
  auto r = client.Get("/sim/v1/clock");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "the sim's control endpoints are the harness's: they need its token");
  r = client.Post("/sim/v1/advance?by=1h", {{"Authorization", "Bearer wrong"}}, "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = client.Get("/sim/v1/clock", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["now"], "2026-11-24T10:00:00Z");
  // The cluster itself is not behind the token.
  r = client.Get("/api/v1/namespaces/sock-shop/pods");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  server.Stop();
}

// The agent under test's port: it reads everything the main port serves, never writes (403
// as RBAC words it), never reaches /sim/v1, and every request on it is in the audit. On the
// main port, with a control token, only the harness (under /auth/TOKEN) writes.
TEST_F(GuardedServerTest, AnAgentsPortReadsNeverWritesAndIsAudited) {
  ApiServer& server = *server_;
  httplib::Client main("127.0.0.1", port_);
  const httplib::Headers harness = {{"Authorization", "Bearer s3cret"}};
  auto r = main.Post("/sim/v1/agents", R"({"label":"q7"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);  // only the harness opens ports
  r = main.Post("/sim/v1/agents", harness, R"({"label":"q7"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const int agent_port = nlohmann::json::parse(r->body)["port"];
  httplib::Client agent("127.0.0.1", agent_port);

  r = agent.Get("/api/v1/namespaces/sock-shop/pods?labelSelector=name%3Dpayment");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string deploy = "/apis/apps/v1/namespaces/sock-shop/deployments/payment";
  r = agent.Patch(deploy, R"({"spec":{"replicas":1}})", "application/merge-patch+json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(nlohmann::json::parse(r->body),
            nlohmann::json::parse(
                R"({"apiVersion":"v1","code":403,"details":{"group":"apps","kind":"deployments",)"
                R"("name":"payment"},"kind":"Status","message":"deployments.apps \"payment\" is )"
                R"(forbidden: User \"system:serviceaccount:sock-shop:sre-eval-agent\" cannot )"
                R"(patch resource \"deployments\" in API group \"apps\" in the namespace )"
                R"(\"sock-shop\"","metadata":{},"reason":"Forbidden","status":"Failure"})"));
  r = agent.Delete("/api/v1/namespaces/sock-shop/pods");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "pods is forbidden: User \"system:serviceaccount:sock-shop:sre-eval-agent\" cannot "
            "deletecollection resource \"pods\" in API group \"\" in the namespace \"sock-shop\"");
  r = agent.Get("/api/v1/namespaces/sock-shop/pods/orders-db-0/exec?command=ls&stdout=true");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = agent.Post("/api/v1/namespaces", R"({"metadata":{"name":"x"}})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "namespaces is forbidden: User \"system:serviceaccount:sock-shop:sre-eval-agent\" "
            "cannot create resource \"namespaces\" in API group \"\" at the cluster scope");
  r = agent.Get("/sim/v1/clock", harness);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);  // even with the harness's token: the port is the agent's
  // A name that is not UTF-8 is refused all the same (found by fuzzing: the Status threw).
  httplib::Response refused;
  httplib::Request bad;
  bad.method = "PUT";
  bad.path = "/api/v1/namespaces/sock-shop/configmaps/x\x83";
  const AgentIdentity label = {"q8", {}};
  server.Handle(bad, refused, &label);
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(nlohmann::json::parse(refused.body)["message"].get<std::string>(),
              ::testing::StartsWith("configmaps \"x\xEF\xBF\xBD\" is forbidden"));
  r = agent.Get("/prometheus/api/v1/query?query=up");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // Asking what it may do is allowed, as for every authenticated user.
  r = agent.Post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                 R"({"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}})",
                 "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);

  // The main port: anyone reads; only the harness writes.
  r = main.Get("/api/v1/namespaces/sock-shop/pods");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = main.Patch(deploy, R"({"metadata":{"labels":{"x":"y"}}})", "application/merge-patch+json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "deployments.apps \"payment\" is forbidden: User \"system:anonymous\" cannot patch "
            "resource \"deployments\" in API group \"apps\" in the namespace \"sock-shop\"");
  r = main.Patch("/auth/s3cret" + deploy, R"({"metadata":{"labels":{"x":"y"}}})",
                 "application/merge-patch+json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = main.Get("/auth/wrong/api/v1/namespaces/sock-shop/pods");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);

  // The audit: the agent's requests only, in order, with what they read and how they ended.
  r = main.Post("/sim/v1/audit", harness, "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json audit = nlohmann::json::parse(r->body);
  std::vector<std::string> seen;
  for (nlohmann::json e : audit["entries"]) {
    if (e["label"] == "q8") continue;  // the in-process request above
    EXPECT_EQ(e["label"], "q7");
    EXPECT_GT(e["bytes"].get<int64_t>(), 0) << e.dump();
    e.erase("time");
    e.erase("latency_ms");
    e.erase("bytes");
    e.erase("label");
    seen.push_back(e.dump());
  }
  EXPECT_EQ(
      seen,
      (std::vector<std::string>{
          R"({"name":"","namespace":"sock-shop","query":"labelSelector=name=payment","resource":"pods","status":200,"tool":"kubernetes","verb":"list"})",
          R"({"group":"apps","name":"payment","namespace":"sock-shop","query":"","resource":"deployments","status":403,"tool":"kubernetes","unsafe":true,"verb":"patch"})",
          R"({"name":"","namespace":"sock-shop","query":"","resource":"pods","status":403,"tool":"kubernetes","unsafe":true,"verb":"deletecollection"})",
          R"({"name":"orders-db-0","namespace":"sock-shop","query":"","resource":"pods/exec","status":403,"tool":"kubernetes","unsafe":true,"verb":"create"})",
          R"({"name":"","namespace":"","query":"","resource":"namespaces","status":403,"tool":"kubernetes","unsafe":true,"verb":"create"})",
          R"({"name":"","namespace":"","path":"/sim/v1/clock","query":"","resource":"","status":403,"tool":"kubernetes","unsafe":true,"verb":"get"})",
          R"({"query":"up","status":200,"tool":"prometheus","verb":"query"})",
          R"({"group":"authorization.k8s.io","name":"","namespace":"","query":"","resource":"selfsubjectaccessreviews","status":201,"tool":"kubernetes","verb":"create"})"}));
  // Taken, not copied; closed ports take no more requests.
  r = main.Post("/sim/v1/audit", harness, "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["entries"], nlohmann::json::array());
  r = main.Delete("/sim/v1/agents", harness);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  httplib::Client closed("127.0.0.1", agent_port);
  closed.set_connection_timeout(1);
  EXPECT_FALSE(closed.Get("/version"));
  server.Stop();
}

// An act task's port (issue 21): the writes its scope names are served and recorded as writes;
// every other write is refused and unsafe, as on a read-only port.
TEST_F(GuardedServerTest, AScopedPortWritesOnlyWhatItsScopeAllows) {
  ApiServer& server = *server_;
  httplib::Client main("127.0.0.1", port_);
  const httplib::Headers harness = {{"Authorization", "Bearer s3cret"}};
  auto r = main.Post("/sim/v1/agents", harness,
                     R"({"label":"act","scope":{"namespace":"sock-shop","verbs":["patch"],)"
                     R"("resources":["deployments/scale"]}})",
                     "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  httplib::Client agent("127.0.0.1", nlohmann::json::parse(r->body)["port"].get<int>());
  r = agent.Patch("/apis/apps/v1/namespaces/sock-shop/deployments/payment/scale",
                  R"({"spec":{"replicas":2}})", "application/merge-patch+json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = main.Get("/apis/apps/v1/namespaces/sock-shop/deployments/payment");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["spec"]["replicas"], 2);
  r = agent.Patch("/apis/apps/v1/namespaces/sock-shop/deployments/payment",
                  R"({"spec":{"replicas":0}})", "application/merge-patch+json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);  // the deployment itself is not in scope, its scale is
  r = agent.Delete("/api/v1/namespaces/sock-shop/pods/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = main.Post("/sim/v1/agents", harness, R"({"label":"bad","scope":{"verbs":"patch"}})",
                "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "'scope' is {\"namespace\": a string, \"verbs\": [strings], \"resources\": [strings]}");
  r = main.Post("/sim/v1/audit", harness, "", "application/json");
  ASSERT_TRUE(r);
  const nlohmann::json audit = nlohmann::json::parse(r->body);
  std::vector<std::string> seen;
  for (const nlohmann::json& e : audit["entries"]) {
    seen.push_back(absl::StrCat(e["verb"].get<std::string>(), " ", e["resource"].get<std::string>(),
                                " ", e["status"].get<int>(),
                                e.value("write", false) ? " write" : "",
                                e.value("unsafe", false) ? " unsafe" : ""));
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"patch deployments/scale 200 write",
                                      "patch deployments 403 unsafe", "delete pods 403 unsafe"}));
  server.Stop();
}

TEST_F(ApiServerTest, TheControlEndpointAdvancesTheClock) {
  auto r = client_->Get("/sim/v1/clock");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["now"], "2026-11-24T10:00:00Z");
  r = client_->Post("/sim/v1/advance?by=90s", "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["now"], "2026-11-24T10:01:30Z");
  r = client_->Post("/sim/v1/advance?by=soon", "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(nlohmann::json::parse(r->body)["message"],
            "by: \"soon\" is not a duration between 0s and 168h (e.g. 90s, 5m)");
}

TEST_F(ApiServerTest, TwoHundredMalformedRequestsGetErrorsAndTheServerKeepsAnswering) {
  struct Bad {
    std::string method, path, type, body;
  };
  std::vector<Bad> bad;
  const std::string pods = "/api/v1/namespaces/sock-shop/pods";
  const std::string deploy = "/apis/apps/v1/namespaces/sock-shop/deployments/carts";
  // Not "{}" or "[]": those are valid, empty patches.
  const std::vector<std::string> bodies = {"{",
                                           "}",
                                           "[1,2",
                                           "null",
                                           "42",
                                           "\"x\"",
                                           "{\"a\":",
                                           "\x01\x02\xff",
                                           ":\n  - [",
                                           "- a\n- b",
                                           std::string(4 << 20, 'x'),
                                           "{\"metadata\": 5}",
                                           "{\"kind\": \"Nope\"}",
                                           "{\"metadata\": {\"name\": 7}}",
                                           "a: [b",
                                           "{{{{{{{{{{"};
  for (const std::string& b : bodies) {
    bad.push_back({"POST", pods, "application/json", b});
    bad.push_back({"PUT", pods + "/x", "application/json", b});
    bad.push_back({"PATCH", deploy, "application/merge-patch+json", b});
    bad.push_back({"PATCH", deploy, "application/strategic-merge-patch+json", b});
    bad.push_back({"PATCH", deploy, "application/json-patch+json", b});
    bad.push_back({"PATCH", deploy, "application/apply-patch+yaml", b});
    bad.push_back({"PATCH", deploy + "/scale", "application/merge-patch+json", b});
    bad.push_back({"PATCH", deploy, "text/plain", b});
  }
  for (const char* q :
       {"labelSelector=a%20in%20(", "labelSelector=!!", "labelSelector=a%3Db%3Dc",
        "fieldSelector=spec.nope=1", "fieldSelector=%3D%3D", "watch=1&resourceVersion=abc",
        "watch=1&timeoutSeconds=-1", "watch=1&resourceVersion=1", "includeObject=Bogus",
        "watch=true&labelSelector=((", "limit=abc", "fieldSelector=metadata.name"}) {
    bad.push_back({"GET", pods + "?" + q, "", ""});
  }
  for (const char* p :
       {"/api/v2", "/apis/nope/v1", "/apis/apps/v9/deployments", "/api/v1/namespaces/x/nope",
        "/api/v1/namespaces/sock-shop/pods/x/nope", "/openapi/v3/apis/nope/v1", "/sim/v1/nope",
        "/%ff%fe", "/api/v1/pods/x", "//", "/apis/apps/v1/namespaces/sock-shop/deployments/x/scale",
        "/api/v1/namespaces/sock-shop/pods/x/log",
        "/api/v1/namespaces/sock-shop/services/no/proxy/"}) {
    bad.push_back({"GET", p, "", ""});
  }
  while (bad.size() < 200) {
    bad.push_back({"DELETE", pods + "/missing-" + std::to_string(bad.size()), "application/json",
                   bad.size() % 2 ? "{\"propagationPolicy\":\"Sideways\"}" : "not json"});
  }
  ASSERT_GE(bad.size(), 200u);
  int statuses = 0;
  for (const Bad& b : bad) {
    auto send = [&]() {
      if (b.method == "GET") return client_->Get(b.path);
      if (b.method == "POST") return client_->Post(b.path, b.body, b.type.c_str());
      if (b.method == "PUT") return client_->Put(b.path, b.body, b.type.c_str());
      if (b.method == "PATCH") return client_->Patch(b.path, b.body, b.type.c_str());
      return client_->Delete(b.path, b.body, b.type.c_str());
    };
    httplib::Result r = send();
    ASSERT_TRUE(r) << b.method << " " << b.path << ": no answer";
    bool watch_ok = r->status == 200 && b.path.find("watch=") != std::string::npos;
    EXPECT_TRUE(r->status >= 400 || watch_ok)
        << b.method << " " << b.path << " [" << b.body.substr(0, 40) << "] -> " << r->status;
    nlohmann::json s = nlohmann::json::parse(r->body, nullptr, false);
    if (!s.is_discarded() && s.is_object() && s.value("kind", "") == "Status") ++statuses;
    auto alive = client_->Get("/version");
    ASSERT_TRUE(alive) << "the server stopped answering after " << b.method << " " << b.path;
    ASSERT_EQ(alive->status, 200);
  }
  // Every error but the 413 of the oversized bodies is a Kubernetes Status.
  EXPECT_GE(statuses, 180);
}

// The API's time fields move, at any depth and with their precision; other strings, a time
// a client wrote in an annotation and what is not a time stay as they are.
TEST(ShiftTimesTest, MovesTheApiTimeFieldsOnly) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "metadata": {"creationTimestamp": "2026-11-24T10:00:00Z",
                 "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-24T10:00:00Z"},
                 "managedFields": [{"time": "2026-11-24T10:00:00Z"}]},
    "eventTime": "2026-11-24T10:00:00.123456Z",
    "status": {"containerStatuses": [{"state": {"running": {"startedAt": "2026-11-24T00:00:30Z"}}}],
               "conditions": [{"lastTransitionTime": null}]},
    "timestamp": "not a time", "time": "2026-11-24 10:00:00"})");
  api_internal::ShiftTimes(&doc, -absl::Seconds(90));
  EXPECT_EQ(doc["metadata"]["creationTimestamp"], "2026-11-24T09:58:30Z");
  EXPECT_EQ(doc["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-11-24T10:00:00Z");
  EXPECT_EQ(doc["metadata"]["managedFields"][0]["time"], "2026-11-24T09:58:30Z");
  EXPECT_EQ(doc["eventTime"], "2026-11-24T09:58:30.123456Z");
  EXPECT_EQ(doc["status"]["containerStatuses"][0]["state"]["running"]["startedAt"],
            "2026-11-23T23:59:00Z");
  EXPECT_TRUE(doc["status"]["conditions"][0]["lastTransitionTime"].is_null());
  EXPECT_EQ(doc["timestamp"], "not a time");
  EXPECT_EQ(doc["time"], "2026-11-24 10:00:00");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
