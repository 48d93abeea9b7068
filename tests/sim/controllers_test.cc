#include "sim/kube/controllers.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sre_eval {
namespace sim {
namespace {

using json = nlohmann::json;

const absl::Time kT0 =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 10, 0, 0), absl::UTCTimeZone());

json Deployment(const std::string& name, std::optional<int> readiness_delay) {
  json container = {{"name", name}, {"image", "weaveworksdemos/" + name + ":0.4.8"}};
  if (readiness_delay.has_value()) {
    container["readinessProbe"] = {{"httpGet", {{"path", "/health"}, {"port", 80}}},
                                   {"initialDelaySeconds", *readiness_delay}};
  }
  json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}, {"namespace", "ns"}, {"labels", {{"name", name}}}}},
            {"spec",
             {{"replicas", 1},
              {"selector", {{"matchLabels", {{"name", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"name", name}}}}},
                {"spec", {{"containers", json::array({container})}}}}}}}};
  ApplyDeploymentDefaults(&d);
  return d;
}

// A cluster in virtual time: Run() reconciles every second up to kT0 + `at`.
class Cluster {
 public:
  Cluster() : store_(1, kT0), controllers_(&store_) {}
  ObjectStore& store() { return store_; }
  Controllers& controllers() { return controllers_; }
  void Run(absl::Duration at) {
    absl::Time t = store_.Now();
    do {
      t = std::min(kT0 + at, t + absl::Seconds(1));
      store_.SetNow(t);
      controllers_.Reconcile(t);
    } while (t < kT0 + at);
  }
  void Create(const std::string& resource, const json& object) {
    ASSERT_TRUE(store_.Create(resource, object).ok());
    controllers_.Reconcile(store_.Now());
  }
  json Get(const std::string& resource, const std::string& name) {
    auto o = store_.Get(resource, "ns", name);
    return o.ok() ? *o : json();
  }
  std::vector<json> List(const std::string& resource) { return store_.List(resource, "ns"); }
  // "<reason>: <message>" of every event about `name`, oldest first.
  std::vector<std::string> Events(const std::string& name) {
    std::vector<json> events = List("events");
    std::stable_sort(events.begin(), events.end(), [](const json& a, const json& b) {
      return a["firstTimestamp"].get<std::string>() < b["firstTimestamp"].get<std::string>();
    });
    std::vector<std::string> out;
    for (const json& e : events) {
      if (e["involvedObject"]["name"] != name) continue;
      out.push_back(e["reason"].get<std::string>() + ": " + e["message"].get<std::string>());
    }
    return out;
  }

 private:
  ObjectStore store_;
  Controllers controllers_;
};

std::string Name(const json& o) { return o["metadata"]["name"]; }

TEST(SimControllersTest, DeploymentCreatesReplicaSetAndPod) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  std::vector<json> rss = c.List("replicasets");
  ASSERT_EQ(rss.size(), 1u);
  const json& rs = rss[0];
  std::string hash = rs["metadata"]["labels"]["pod-template-hash"];
  EXPECT_GE(hash.size(), 9u);
  EXPECT_LE(hash.size(), 10u);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
  EXPECT_EQ(Name(rs), "carts-" + hash);
  EXPECT_EQ(rs["spec"]["selector"]["matchLabels"],
            json({{"name", "carts"}, {"pod-template-hash", hash}}));
  EXPECT_EQ(rs["metadata"]["annotations"], json({{"deployment.kubernetes.io/desired-replicas", "1"},
                                                 {"deployment.kubernetes.io/max-replicas", "2"},
                                                 {"deployment.kubernetes.io/revision", "1"}}));
  json d = c.Get("deployments", "carts");
  EXPECT_EQ(rs["metadata"]["ownerReferences"], json::array({{{"apiVersion", "apps/v1"},
                                                             {"kind", "Deployment"},
                                                             {"name", "carts"},
                                                             {"uid", d["metadata"]["uid"]},
                                                             {"controller", true},
                                                             {"blockOwnerDeletion", true}}}));
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  std::string pod = Name(pods[0]);
  ASSERT_EQ(pod.size(), Name(rs).size() + 6);
  EXPECT_EQ(pod.substr(0, Name(rs).size() + 1), Name(rs) + "-");
  EXPECT_EQ(pods[0]["metadata"]["labels"]["pod-template-hash"], hash);
  EXPECT_EQ(pods[0]["spec"]["nodeName"], kNodeName);
  EXPECT_EQ(pods[0]["spec"]["tolerations"].size(), 2u);
  EXPECT_EQ(pods[0]["spec"]["volumes"][0]["name"].get<std::string>().rfind("kube-api-access-", 0),
            0u);
  EXPECT_EQ(
      c.Events("carts"),
      std::vector<std::string>{"ScalingReplicaSet: Scaled up replica set " + Name(rs) + " to 1"});
  EXPECT_EQ(c.Events(Name(rs)), std::vector<std::string>{"SuccessfulCreate: Created pod: " + pod});
}

TEST(SimControllersTest, PodGoesThroughItsLifeInVirtualTime) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  json pod = c.List("pods")[0];
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ContainerCreating");
  EXPECT_FALSE(pod["status"].contains("podIP"));
  EXPECT_EQ(pod["status"]["conditions"][0]["status"], "False");  // PodReadyToStartContainers.
  c.Run(absl::Seconds(1));
  pod = c.List("pods")[0];
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["status"]["podIP"], "10.244.0.5");
  c.Run(absl::Seconds(2));
  pod = c.List("pods")[0];
  EXPECT_EQ(pod["status"]["phase"], "Running");
  const json& cs = pod["status"]["containerStatuses"][0];
  EXPECT_EQ(cs["state"]["running"]["startedAt"], "2026-11-24T10:00:02Z");
  EXPECT_EQ(cs["ready"], false);
  EXPECT_EQ(cs["image"], "docker.io/weaveworksdemos/carts:0.4.8");
  EXPECT_EQ(cs["imageID"].get<std::string>().size(),
            std::string("docker.io/weaveworksdemos/carts@sha256:").size() + 64);
  EXPECT_EQ(cs["containerID"].get<std::string>().size(), std::string("containerd://").size() + 64);
  EXPECT_EQ(c.Get("deployments", "carts")["status"].contains("readyReplicas"), false);
  c.Run(absl::Seconds(3));
  pod = c.List("pods")[0];
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["ready"], true);
  EXPECT_EQ(pod["status"]["qosClass"], "BestEffort");
  std::vector<std::string> types;
  for (const json& cond : pod["status"]["conditions"]) {
    types.push_back(cond["type"]);
    EXPECT_EQ(cond["status"], "True");
  }
  EXPECT_EQ(types, (std::vector<std::string>{"PodReadyToStartContainers", "Initialized", "Ready",
                                             "ContainersReady", "PodScheduled"}));
  const std::string name = Name(pod);
  EXPECT_EQ(c.Events(name),
            (std::vector<std::string>{
                "Scheduled: Successfully assigned ns/" + name + " to sre-eval-sim-control-plane",
                "Pulled: Container image \"weaveworksdemos/carts:0.4.8\" already present on "
                "machine",
                "Created: Created container carts", "Started: Started container carts"}));
  json started;
  for (const json& e : c.List("events")) {
    if (e["reason"] == "Started") started = e;
  }
  EXPECT_EQ(started["source"], json({{"component", "kubelet"}, {"host", kNodeName}}));
  EXPECT_EQ(started["involvedObject"]["fieldPath"], "spec.containers{carts}");
  EXPECT_EQ(started["firstTimestamp"], "2026-11-24T10:00:02Z");
  EXPECT_EQ(started["count"], 1);
  EXPECT_TRUE(started["eventTime"].is_null());
  EXPECT_EQ(started["reportingComponent"], "kubelet");
  EXPECT_EQ(started["reportingInstance"], kNodeName);
  EXPECT_EQ(Name(started).substr(0, name.size() + 1), name + ".");
  EXPECT_EQ(Name(started).size(), name.size() + 17);
}

TEST(SimControllersTest, UnreadyDeploymentHasNoReadyKey) {
  Cluster c;
  c.Create("deployments", Deployment("user", 30));
  c.Run(absl::Seconds(10));
  json status = c.Get("deployments", "user")["status"];
  EXPECT_EQ(status, json::parse(R"({
    "observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "unavailableReplicas": 1,
    "conditions": [
      {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
       "lastUpdateTime": "2026-11-24T10:00:00Z", "lastTransitionTime": "2026-11-24T10:00:00Z",
       "message": "Deployment does not have minimum availability."},
      {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
       "lastUpdateTime": "2026-11-24T10:00:00Z", "lastTransitionTime": "2026-11-24T10:00:00Z",
       "message": "ReplicaSet \")" +
                                Name(c.List("replicasets")[0]) + R"(\" is progressing."}]})"));
  c.Run(absl::Seconds(32));
  status = c.Get("deployments", "user")["status"];
  EXPECT_EQ(status["readyReplicas"], 1);
  EXPECT_EQ(status["availableReplicas"], 1);
  EXPECT_FALSE(status.contains("unavailableReplicas"));
  EXPECT_EQ(status["conditions"][0]["type"], "Available");
  EXPECT_EQ(status["conditions"][0]["lastTransitionTime"], "2026-11-24T10:00:32Z");
  EXPECT_EQ(status["conditions"][1]["reason"], "NewReplicaSetAvailable");
  EXPECT_EQ(status["conditions"][1]["lastTransitionTime"], "2026-11-24T10:00:00Z");
}

TEST(SimControllersTest, ReconcileIsIdempotent) {
  Cluster c;
  c.Create("deployments", Deployment("carts", 5));
  c.Run(absl::Seconds(4));
  uint64_t version = c.store().resource_version();
  c.controllers().Reconcile(c.store().Now());
  c.controllers().Reconcile(c.store().Now());
  EXPECT_EQ(c.store().resource_version(), version);
}

TEST(SimControllersTest, ScaleToZeroAndBack) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  c.Run(absl::Seconds(10));
  json d = c.Get("deployments", "carts");
  d["spec"]["replicas"] = 0;
  ASSERT_TRUE(c.store().Update("deployments", d).ok());
  c.controllers().Reconcile(c.store().Now());
  const std::string rs = Name(c.List("replicasets")[0]);
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  const std::string old_pod = Name(pods[0]);
  EXPECT_EQ(pods[0]["metadata"]["deletionTimestamp"], "2026-11-24T10:00:40Z");
  EXPECT_EQ(pods[0]["metadata"]["deletionGracePeriodSeconds"], 30);
  json status = c.Get("deployments", "carts")["status"];
  EXPECT_FALSE(status.contains("replicas"));
  EXPECT_EQ(status["observedGeneration"], 2);
  EXPECT_EQ(c.Get("replicasets", rs)["status"],
            json::parse(R"({"observedGeneration":2,"replicas":0})"));
  c.Run(absl::Seconds(39));
  EXPECT_EQ(c.List("pods").size(), 1u);
  c.Run(absl::Seconds(40));
  EXPECT_EQ(c.List("pods").size(), 0u);
  EXPECT_EQ(c.Events(old_pod).back(), "Killing: Stopping container carts");
  EXPECT_EQ(c.Events(rs).back(), "SuccessfulDelete: Deleted pod: " + old_pod);
  EXPECT_EQ(c.Events("carts").back(),
            "ScalingReplicaSet: Scaled down replica set " + rs + " to 0 from 1");

  d = c.Get("deployments", "carts");
  d["spec"]["replicas"] = 1;
  ASSERT_TRUE(c.store().Update("deployments", d).ok());
  c.Run(absl::Seconds(45));
  pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_NE(Name(pods[0]), old_pod);
  EXPECT_EQ(pods[0]["status"]["containerStatuses"][0]["ready"], true);
  EXPECT_EQ(c.Events("carts").back(),
            "ScalingReplicaSet: Scaled up replica set " + rs + " to 1 from 0");
  EXPECT_EQ(c.List("replicasets").size(), 1u);
  EXPECT_EQ(c.Get("deployments", "carts")["status"]["availableReplicas"], 1);
}

TEST(SimControllersTest, DeletedPodIsReplacedAtOnce) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  c.Run(absl::Seconds(10));
  const std::string old_pod = Name(c.List("pods")[0]);
  ASSERT_TRUE(c.controllers().DeletePodGracefully("ns", old_pod, 5).ok());
  c.controllers().Reconcile(c.store().Now());
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 2u);
  json replacement = Name(pods[0]) == old_pod ? pods[1] : pods[0];
  EXPECT_EQ(replacement["status"]["phase"], "Pending");
  EXPECT_EQ(c.Get("pods", old_pod)["metadata"]["deletionGracePeriodSeconds"], 5);
  EXPECT_EQ(c.Get("replicasets", Name(c.List("replicasets")[0]))["status"]["replicas"], 1);
  c.Run(absl::Seconds(15));
  pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Name(pods[0]), Name(replacement));
  EXPECT_EQ(c.controllers().DeletePodGracefully("ns", "nope", std::nullopt).code(),
            absl::StatusCode::kNotFound);
}

TEST(SimControllersTest, RolloutRestartReplacesThePod) {
  Cluster c;
  c.Create("deployments", Deployment("carts", 10));
  c.Run(absl::Seconds(20));
  const std::string old_rs = Name(c.List("replicasets")[0]);
  const std::string old_pod = Name(c.List("pods")[0]);
  json d = c.Get("deployments", "carts");
  d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
      "2026-11-24T10:00:20Z";
  ASSERT_TRUE(c.store().Update("deployments", d).ok());
  c.controllers().Reconcile(c.store().Now());
  ASSERT_EQ(c.List("replicasets").size(), 2u);
  std::string new_rs;
  for (const json& rs : c.List("replicasets")) {
    if (Name(rs) != old_rs) new_rs = Name(rs);
  }
  EXPECT_EQ(
      c.Get("replicasets", new_rs)["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
      "2");
  EXPECT_EQ(c.Get("replicasets", old_rs)["spec"]["replicas"], 1);  // Surge: the new pod first.
  EXPECT_EQ(c.List("pods").size(), 2u);
  c.Run(absl::Seconds(31));  // The new pod is not ready before 20 + 2 + 10 s.
  EXPECT_EQ(c.Get("replicasets", old_rs)["spec"]["replicas"], 1);
  c.Run(absl::Seconds(32));
  EXPECT_EQ(c.Get("replicasets", old_rs)["spec"]["replicas"], 0);
  EXPECT_EQ(c.Get("replicasets", new_rs)["spec"]["replicas"], 1);
  EXPECT_TRUE(c.Get("pods", old_pod)["metadata"].contains("deletionTimestamp"));
  c.Run(absl::Seconds(70));
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["metadata"]["labels"]["pod-template-hash"],
            new_rs.substr(std::string("carts-").size()));
  EXPECT_EQ(pods[0]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-11-24T10:00:20Z");
  d = c.Get("deployments", "carts");
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
  EXPECT_EQ(d["metadata"]["generation"], 2);
  EXPECT_EQ(d["status"]["observedGeneration"], 2);
  EXPECT_EQ(d["status"]["replicas"], 1);
  EXPECT_EQ(d["status"]["updatedReplicas"], 1);
  EXPECT_EQ(d["status"]["availableReplicas"], 1);
  EXPECT_EQ(d["status"]["conditions"][1]["message"],
            "ReplicaSet \"" + new_rs + "\" has successfully progressed.");
  std::vector<std::string> scaling = c.Events("carts");
  ASSERT_EQ(scaling.size(), 3u);
  EXPECT_EQ(scaling[1], "ScalingReplicaSet: Scaled up replica set " + new_rs + " to 1");
  EXPECT_EQ(scaling[2], "ScalingReplicaSet: Scaled down replica set " + old_rs + " to 0 from 1");
}

TEST(SimControllersTest, DeletingADeploymentRemovesItsReplicaSetsAndPods) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  c.Create("deployments", Deployment("orders", std::nullopt));
  c.Run(absl::Seconds(10));
  ASSERT_TRUE(c.store().Delete("deployments", "ns", "carts").ok());
  c.controllers().Reconcile(c.store().Now());
  ASSERT_EQ(c.List("replicasets").size(), 1u);
  EXPECT_EQ(c.List("replicasets")[0]["metadata"]["labels"]["name"], "orders");
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 2u);
  for (const json& pod : pods) {
    EXPECT_EQ(pod["metadata"].contains("deletionTimestamp"),
              pod["metadata"]["labels"]["name"] == "carts");
  }
  c.Run(absl::Seconds(41));
  pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["metadata"]["labels"]["name"], "orders");
}

TEST(SimControllersTest, JobGetsOnePod) {
  Cluster c;
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", "load"}, {"namespace", "ns"}}},
      {"spec",
       {{"template",
         {{"spec",
           {{"restartPolicy", "Never"},
            {"containers", json::array({{{"name", "load"}, {"image", "busybox:1.36"}}})}}}}}}}};
  c.Create("jobs", job);
  c.Run(absl::Seconds(5));
  std::vector<json> pods = c.List("pods");
  ASSERT_EQ(pods.size(), 1u);
  json j = c.Get("jobs", "load");
  const std::string uid = j["metadata"]["uid"];
  EXPECT_EQ(pods[0]["metadata"]["labels"], json({{"batch.kubernetes.io/controller-uid", uid},
                                                 {"batch.kubernetes.io/job-name", "load"},
                                                 {"controller-uid", uid},
                                                 {"job-name", "load"}}));
  EXPECT_EQ(pods[0]["metadata"]["ownerReferences"][0]["kind"], "Job");
  EXPECT_EQ(pods[0]["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(Name(pods[0]).size(), std::string("load-").size() + 5);
  EXPECT_EQ(pods[0]["status"]["phase"], "Running");
  EXPECT_EQ(j["status"]["active"], 1);
  EXPECT_EQ(j["status"]["ready"], 1);
  EXPECT_EQ(j["status"]["startTime"], "2026-11-24T10:00:00Z");
  EXPECT_EQ(c.Events("load"),
            std::vector<std::string>{"SuccessfulCreate: Created pod: " + Name(pods[0])});
}

TEST(SimControllersTest, EventsExpireAfterAnHour) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  c.Run(absl::Seconds(10));
  // ScalingReplicaSet, SuccessfulCreate and Scheduled at +0 s; Pulled, Created, Started at +2 s.
  EXPECT_EQ(c.List("events").size(), 6u);
  c.Run(absl::Minutes(60) - absl::Seconds(1));
  EXPECT_EQ(c.List("events").size(), 6u);
  c.Run(absl::Minutes(60));
  EXPECT_EQ(c.List("events").size(), 3u);
  c.Run(absl::Minutes(60) + absl::Seconds(2));
  EXPECT_EQ(c.List("events").size(), 0u);
}

TEST(SimControllersTest, RepeatedEventIsAggregated) {
  Cluster c;
  c.Create("deployments", Deployment("carts", std::nullopt));
  c.Run(absl::Seconds(5));
  for (int replicas : {0, 1, 0}) {
    json d = c.Get("deployments", "carts");
    d["spec"]["replicas"] = replicas;
    ASSERT_TRUE(c.store().Update("deployments", d).ok());
    c.Run(c.store().Now() - kT0 + absl::Seconds(40));
  }
  const std::string rs = Name(c.List("replicasets")[0]);
  int found = 0;
  for (const json& e : c.List("events")) {
    if (e["message"] == "Scaled down replica set " + rs + " to 0 from 1") {
      EXPECT_EQ(e["count"], 2);
      EXPECT_EQ(e["firstTimestamp"], "2026-11-24T10:00:06Z");
      EXPECT_EQ(e["lastTimestamp"], "2026-11-24T10:01:26Z");
      ++found;
    }
  }
  EXPECT_EQ(found, 1);
}

TEST(SimControllersTest, ApplyPodSpecDefaultsFillsOnlyMissingFields) {
  json spec = json::parse(R"({"containers": [
      {"name": "a", "image": "mongo", "ports": [{"containerPort": 1}]},
      {"name": "b", "image": "redis:alpine", "imagePullPolicy": "Never"}],
      "restartPolicy": "OnFailure"})");
  ApplyPodSpecDefaults(&spec);
  EXPECT_EQ(spec, json::parse(R"({"containers": [
      {"name": "a", "image": "mongo", "imagePullPolicy": "Always", "ports": [
        {"containerPort": 1, "protocol": "TCP"}], "resources": {},
       "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
      {"name": "b", "image": "redis:alpine", "imagePullPolicy": "Never", "resources": {},
       "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
      "dnsPolicy": "ClusterFirst", "restartPolicy": "OnFailure",
      "schedulerName": "default-scheduler", "securityContext": {},
      "terminationGracePeriodSeconds": 30})"));
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
