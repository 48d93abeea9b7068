#include "sim/shop/sockshop.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sre_eval {
namespace sim {
namespace {

using json = nlohmann::json;

const absl::Time kDeployed =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 9, 10, 0), absl::UTCTimeZone());

// Every object of the store, as one text.
std::string Dump(const ObjectStore& store) {
  std::string out;
  for (const char* r :
       {"namespaces", "nodes", "deployments", "replicasets", "pods", "services", "events"}) {
    for (const json& o : store.List(r, "")) out += o.dump() + "\n";
  }
  return out;
}

TEST(SimSockShopTest, SeedsFourteenRunningReadyPods) {
  ObjectStore store(1, kDeployed);
  Controllers controllers(&store);
  ASSERT_TRUE(SeedSockShop(&store, &controllers, SeedOptions{kDeployed}).ok());
  // catalogue, payment and user wait 180 s for their readiness probe after starting at +2 s.
  EXPECT_EQ(store.Now(), kDeployed + absl::Seconds(182));
  EXPECT_EQ(store.List("deployments", kNamespace).size(), 14u);
  EXPECT_EQ(store.List("replicasets", kNamespace).size(), 14u);
  EXPECT_EQ(store.List("services", kNamespace).size(), 14u);
  std::vector<json> pods = store.List("pods", kNamespace);
  ASSERT_EQ(pods.size(), 14u);
  int containers = 0;
  for (const json& pod : pods) {
    EXPECT_EQ(pod["status"]["phase"], "Running") << pod["metadata"]["name"];
    for (const json& c : pod["status"]["containerStatuses"]) {
      ++containers;
      EXPECT_EQ(c["ready"], true) << c["name"];
      EXPECT_EQ(c["restartCount"], 0) << c["name"];
    }
  }
  EXPECT_EQ(containers, 15);  // rabbitmq has its exporter alongside.
  for (const json& d : store.List("deployments", kNamespace)) {
    EXPECT_EQ(d["status"]["availableReplicas"], 1) << d["metadata"]["name"];
    EXPECT_EQ(d["status"].contains("unavailableReplicas"), false) << d["metadata"]["name"];
    EXPECT_EQ(d["status"]["conditions"][1]["reason"], "NewReplicaSetAvailable");
  }
  std::vector<std::string> namespaces;
  for (const json& ns : store.List("namespaces", "")) {
    namespaces.push_back(ns["metadata"]["name"]);
    EXPECT_EQ(ns["status"]["phase"], "Active");
  }
  EXPECT_EQ(namespaces, (std::vector<std::string>{"default", "kube-node-lease", "kube-public",
                                                  "kube-system", "sock-shop"}));
  std::vector<json> nodes = store.List("nodes", "");
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0]["metadata"]["name"], kNodeName);
  EXPECT_EQ(nodes[0]["metadata"]["labels"]["node-role.kubernetes.io/control-plane"], "");
  EXPECT_EQ(nodes[0]["status"]["addresses"][0]["address"], "172.18.0.2");
  EXPECT_EQ(nodes[0]["status"]["nodeInfo"]["kubeletVersion"], "v1.32.0");
}

TEST(SimSockShopTest, PodIpsAreUniqueAndSequential) {
  ObjectStore store(1, kDeployed);
  Controllers controllers(&store);
  ASSERT_TRUE(SeedSockShop(&store, &controllers, SeedOptions{kDeployed}).ok());
  std::vector<std::string> ips;
  for (const json& pod : store.List("pods", kNamespace)) ips.push_back(pod["status"]["podIP"]);
  std::sort(ips.begin(), ips.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::vector<std::string> want;
  for (int i = 5; i < 19; ++i) want.push_back("10.244.0." + std::to_string(i));
  EXPECT_EQ(ips, want);
}

TEST(SimSockShopTest, SameSeedSameClusterOtherSeedOtherNames) {
  ObjectStore a(7, kDeployed), b(7, kDeployed), c(8, kDeployed);
  Controllers ca(&a), cb(&b), cc(&c);
  ASSERT_TRUE(SeedSockShop(&a, &ca, SeedOptions{kDeployed}).ok());
  ASSERT_TRUE(SeedSockShop(&b, &cb, SeedOptions{kDeployed}).ok());
  ASSERT_TRUE(SeedSockShop(&c, &cc, SeedOptions{kDeployed}).ok());
  EXPECT_EQ(Dump(a), Dump(b));
  EXPECT_NE(Dump(a), Dump(c));
  // The ReplicaSet names hash the template, so they do not depend on the seed.
  EXPECT_EQ(a.List("replicasets", kNamespace)[0]["metadata"]["name"],
            c.List("replicasets", kNamespace)[0]["metadata"]["name"]);
  EXPECT_NE(a.List("pods", kNamespace)[0]["metadata"]["name"],
            c.List("pods", kNamespace)[0]["metadata"]["name"]);
}

TEST(SimSockShopTest, ServicesHaveApiDefaults) {
  ObjectStore store(1, kDeployed);
  Controllers controllers(&store);
  ASSERT_TRUE(SeedSockShop(&store, &controllers, SeedOptions{kDeployed}).ok());
  json fe = *store.Get("services", kNamespace, "front-end");
  EXPECT_EQ(fe["spec"]["type"], "NodePort");
  EXPECT_EQ(fe["spec"]["ports"],
            json::parse(R"([{"nodePort":30001,"port":80,"protocol":"TCP","targetPort":8079}])"));
  EXPECT_EQ(fe["spec"]["externalTrafficPolicy"], "Cluster");
  json carts = *store.Get("services", kNamespace, "carts");
  EXPECT_EQ(carts["spec"]["type"], "ClusterIP");
  EXPECT_EQ(carts["spec"]["clusterIP"].get<std::string>().rfind("10.96.", 0), 0u);
  EXPECT_EQ(carts["spec"]["clusterIPs"], json::array({carts["spec"]["clusterIP"]}));
  EXPECT_EQ(carts["spec"]["ipFamilies"], json::array({"IPv4"}));
  EXPECT_EQ(carts["spec"]["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(carts["spec"]["sessionAffinity"], "None");
  EXPECT_EQ(carts["spec"]["internalTrafficPolicy"], "Cluster");
  EXPECT_EQ(carts["metadata"]["annotations"]["prometheus.io/scrape"], "true");
  json rabbit = *store.Get("services", kNamespace, "rabbitmq");
  EXPECT_EQ(rabbit["spec"]["ports"][1]["targetPort"], "exporter");
  EXPECT_EQ(rabbit["spec"]["ports"][0]["protocol"], "TCP");
}

TEST(SimSockShopTest, DeploymentsHaveApiDefaultsAndRevision) {
  ObjectStore store(1, kDeployed);
  Controllers controllers(&store);
  ASSERT_TRUE(SeedSockShop(&store, &controllers, SeedOptions{kDeployed}).ok());
  json d = *store.Get("deployments", kNamespace, "carts-db");
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(d["spec"]["strategy"],
            json::parse(R"({"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},)"
                        R"("type":"RollingUpdate"})"));
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 600);
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  const json& c = d["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["imagePullPolicy"], "Always");  // "mongo" has no tag.
  EXPECT_EQ(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
  json fe = *store.Get("deployments", kNamespace, "front-end");
  EXPECT_EQ(fe["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(fe["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["timeoutSeconds"], 1);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
