#include "sim/api/table.h"

#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

using nlohmann::json;

// Every test looks at the cluster at this instant.
absl::Time Now() {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-11-24T10:30:00Z", &t, &err)) << err;
  return t;
}

// (name, type, format, priority) of each column.
std::vector<std::tuple<std::string, std::string, std::string, int>> Columns(const json& table) {
  std::vector<std::tuple<std::string, std::string, std::string, int>> out;
  for (const json& c : table.at("columnDefinitions")) {
    out.emplace_back(c.at("name"), c.at("type"), c.at("format"), c.at("priority"));
  }
  return out;
}

json Cells(const std::string& resource, const json& item) {
  json table = MakeTable(resource, {item}, Now(), "1042", IncludeObject::kNone);
  return table.at("rows").at(0).at("cells");
}

// A one-container pod of the front-end deployment created at 10:23:00 (7m before Now()).
json Pod(const std::string& name, const json& status) {
  json pod = R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "", "namespace": "sock-shop", "uid": "u-1", "resourceVersion": "977",
                 "creationTimestamp": "2026-11-24T10:23:00Z", "labels": {"name": "front-end"}},
    "spec": {"nodeName": "kind-worker",
             "containers": [{"name": "front-end", "image": "weaveworksdemos/front-end:0.3.12"}]}
  })"_json;
  pod["metadata"]["name"] = name;
  pod["status"] = status;
  return pod;
}

TEST(SimTableHumanDuration, MatchesApimachinery) {
  struct Case {
    absl::Duration d;
    std::string want;
  };
  const Case cases[] = {
      {absl::ZeroDuration(), "0s"},
      {absl::Milliseconds(-1500), "0s"},  // Up to 2s of clock skew is "now".
      {absl::Seconds(-2), "<invalid>"},
      {absl::Seconds(45), "45s"},
      {absl::Seconds(59), "59s"},
      {absl::Minutes(1), "60s"},  // Seconds up to two minutes.
      {absl::Seconds(119), "119s"},
      {absl::Minutes(2), "2m"},
      {absl::Minutes(5) + absl::Seconds(2), "5m2s"},
      {absl::Minutes(9) + absl::Seconds(59), "9m59s"},
      {absl::Minutes(10), "10m"},
      {absl::Minutes(10) + absl::Seconds(30), "10m"},
      {absl::Hours(1), "60m"},  // Minutes up to three hours.
      {absl::Minutes(179), "179m"},
      {absl::Hours(3), "3h"},
      {absl::Hours(3) + absl::Minutes(4), "3h4m"},
      {absl::Hours(7) + absl::Minutes(59), "7h59m"},
      {absl::Hours(8), "8h"},
      {absl::Hours(47) + absl::Minutes(59), "47h"},
      {absl::Hours(48), "2d"},
      {absl::Hours(51), "2d3h"},
      {absl::Hours(7 * 24 + 23), "7d23h"},
      {absl::Hours(8 * 24), "8d"},
      {absl::Hours(400 * 24), "400d"},  // Days up to two years, not "1y35d".
      {absl::Hours(729 * 24), "729d"},
      {absl::Hours(730 * 24), "2y"},
      {absl::Hours(760 * 24), "2y30d"},
      {absl::Hours(8 * 365 * 24), "8y"},
      {absl::Hours(20 * 365 * 24 + 100 * 24), "20y"},
      {absl::InfiniteDuration(), "<unknown>"},  // Now() - InfinitePast: a missing timestamp.
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HumanDuration(c.d), c.want) << absl::FormatDuration(c.d);
  }
}

TEST(SimTableIncludeObject, Parses) {
  EXPECT_EQ(*ParseIncludeObject(""), IncludeObject::kMetadata);
  EXPECT_EQ(*ParseIncludeObject("Metadata"), IncludeObject::kMetadata);
  EXPECT_EQ(*ParseIncludeObject("None"), IncludeObject::kNone);
  EXPECT_EQ(*ParseIncludeObject("Object"), IncludeObject::kObject);
  absl::StatusOr<IncludeObject> bad = ParseIncludeObject("metadata");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "includeObject: unsupported value \"metadata\": must be None, Metadata or Object");
}

TEST(SimTableIncludeObject, RowObjectPerMode) {
  json pod = Pod("front-end-6bd9d4b5c8-x7k2p", R"({"phase": "Pending"})"_json);

  json none = MakeTable("pods", {pod}, Now(), "1042", IncludeObject::kNone);
  EXPECT_EQ(none.at("kind"), "Table");
  EXPECT_EQ(none.at("apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(none.at("metadata"), R"({"resourceVersion": "1042"})"_json);
  ASSERT_EQ(none.at("rows").size(), 1u);
  EXPECT_TRUE(none.at("rows")[0].at("object").is_null());

  json metadata = MakeTable("pods", {pod}, Now(), "1042", IncludeObject::kMetadata);
  json want_partial = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", pod.at("metadata")}};
  EXPECT_EQ(metadata.at("rows")[0].at("object"), want_partial);

  json object = MakeTable("pods", {pod}, Now(), "1042", IncludeObject::kObject);
  EXPECT_EQ(object.at("rows")[0].at("object"), pod);
}

TEST(SimTableIncludeObject, EmptyListHasColumnsAndNoRows) {
  json table = MakeTable("pods", {}, Now(), "", IncludeObject::kMetadata);
  EXPECT_EQ(table.at("metadata"), json::object());
  EXPECT_EQ(table.at("rows"), json::array());
  EXPECT_EQ(table.at("columnDefinitions").size(), 9u);
}

TEST(SimTablePods, ColumnsMatchTheServer) {
  json table = MakeTable("pods", {}, Now(), "1", IncludeObject::kNone);
  using C = std::tuple<std::string, std::string, std::string, int>;
  std::vector<C> want = {
      C{"Name", "string", "name", 0},
      C{"Ready", "string", "", 0},
      C{"Status", "string", "", 0},
      C{"Restarts", "string", "", 0},
      C{"Age", "string", "", 0},
      C{"IP", "string", "", 1},
      C{"Node", "string", "", 1},
      C{"Nominated Node", "string", "", 1},
      C{"Readiness Gates", "string", "", 1},
  };
  EXPECT_EQ(Columns(table), want);
  EXPECT_EQ(table.at("columnDefinitions")[1].at("description"),
            "The aggregate readiness state of this pod for accepting traffic.");
}

TEST(SimTablePods, RunningPod) {
  json pod = Pod("front-end-6bd9d4b5c8-x7k2p", R"({
    "phase": "Running", "podIP": "10.244.0.12", "podIPs": [{"ip": "10.244.0.12"}],
    "conditions": [{"type": "Ready", "status": "True"}],
    "containerStatuses": [{"name": "front-end", "ready": true, "restartCount": 0,
                           "state": {"running": {"startedAt": "2026-11-24T10:23:04Z"}}}]
  })"_json);
  EXPECT_EQ(Cells("pods", pod),
            json::array({"front-end-6bd9d4b5c8-x7k2p", "1/1", "Running", "0", "7m", "10.244.0.12",
                         "kind-worker", "<none>", "<none>"}));
  json table = MakeTable("pods", {pod}, Now(), "1", IncludeObject::kNone);
  EXPECT_FALSE(table.at("rows")[0].contains("conditions"));
}

TEST(SimTablePods, CrashLoopBackOffWithFourRestarts) {
  json pod = Pod("carts-5f7c8d9b6d-x2k4p", R"({
    "phase": "Running", "podIP": "10.244.0.17",
    "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
    "containerStatuses": [{
      "name": "carts", "ready": false, "started": false, "restartCount": 4,
      "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s"}},
      "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                   "startedAt": "2026-11-24T10:28:50Z",
                                   "finishedAt": "2026-11-24T10:29:23Z"}}}]
  })"_json);
  EXPECT_EQ(Cells("pods", pod),
            json::array({"carts-5f7c8d9b6d-x2k4p", "0/1", "CrashLoopBackOff", "4 (37s ago)", "7m",
                         "10.244.0.17", "kind-worker", "<none>", "<none>"}));
}

TEST(SimTablePods, RestartAgeUsesTheNewestTermination) {
  json pod = Pod("two", R"({
    "phase": "Running",
    "containerStatuses": [
      {"name": "a", "ready": true, "restartCount": 1, "state": {"running": {}},
       "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-24T09:30:00Z"}}},
      {"name": "b", "ready": true, "restartCount": 2, "state": {"running": {}},
       "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-24T10:25:00Z"}}}]
  })"_json);
  pod["spec"]["containers"].push_back({{"name", "b"}, {"image", "b:1"}});
  json cells = Cells("pods", pod);
  EXPECT_EQ(cells[1], "2/2");
  EXPECT_EQ(cells[2], "Running");
  EXPECT_EQ(cells[3], "3 (5m ago)");
}

TEST(SimTablePods, StatusColumn) {
  struct Case {
    const char* what;
    const char* status;
    const char* want;
  };
  const Case cases[] = {
      {"no container status yet", R"({"phase": "Pending"})", "Pending"},
      {"creating",
       R"({"phase": "Pending", "containerStatuses": [{"name": "c", "restartCount": 0,
           "state": {"waiting": {"reason": "ContainerCreating"}}}]})",
       "ContainerCreating"},
      {"image pull",
       R"({"phase": "Pending", "containerStatuses": [{"name": "c", "restartCount": 0,
           "state": {"waiting": {"reason": "ImagePullBackOff"}}}]})",
       "ImagePullBackOff"},
      {"oom killed now",
       R"({"phase": "Running", "containerStatuses": [{"name": "c", "restartCount": 2,
           "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]})",
       "OOMKilled"},
      {"killed without reason",
       R"({"phase": "Running", "containerStatuses": [{"name": "c", "restartCount": 0,
           "state": {"terminated": {"exitCode": 137, "signal": 9}}}]})",
       "Signal:9"},
      {"exit code without reason",
       R"({"phase": "Running", "containerStatuses": [{"name": "c", "restartCount": 0,
           "state": {"terminated": {"exitCode": 1}}}]})",
       "ExitCode:1"},
      {"completed",
       R"({"phase": "Succeeded", "containerStatuses": [{"name": "c", "restartCount": 0,
           "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]})",
       "Completed"},
      {"evicted", R"({"phase": "Failed", "reason": "Evicted"})", "Evicted"},
      {"scheduling gated",
       R"({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
           "reason": "SchedulingGated"}]})",
       "SchedulingGated"},
      {"init container running",
       R"({"phase": "Pending", "initContainerStatuses": [{"name": "i", "restartCount": 0,
           "state": {"running": {}}}]})",
       "Init:0/1"},
      {"init container crash looping",
       R"({"phase": "Pending", "initContainerStatuses": [{"name": "i", "restartCount": 3,
           "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]})",
       "Init:CrashLoopBackOff"},
  };
  for (const Case& c : cases) {
    json pod = Pod("p", json::parse(c.status));
    pod["spec"]["initContainers"] = json::array({{{"name", "i"}, {"image", "busybox"}}});
    EXPECT_EQ(Cells("pods", pod)[2], c.want) << c.what;
  }
}

TEST(SimTablePods, TerminatingUnlessTerminal) {
  json running = Pod("front-end-6bd9d4b5c8-x7k2p", R"({
    "phase": "Running",
    "containerStatuses": [{"name": "front-end", "ready": true, "restartCount": 0,
                           "state": {"running": {}}}]
  })"_json);
  running["metadata"]["deletionTimestamp"] = "2026-11-24T10:30:30Z";
  running["metadata"]["deletionGracePeriodSeconds"] = 30;
  EXPECT_EQ(Cells("pods", running),
            json::array({"front-end-6bd9d4b5c8-x7k2p", "1/1", "Terminating", "0", "7m", "<none>",
                         "kind-worker", "<none>", "<none>"}));

  json done = Pod("job-x", R"({"phase": "Succeeded", "containerStatuses": [{"name": "c",
      "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]})"_json);
  done["metadata"]["deletionTimestamp"] = "2026-11-24T10:30:30Z";
  EXPECT_EQ(Cells("pods", done)[2], "Completed");

  json lost = Pod("lost", R"({"phase": "Running", "reason": "NodeLost"})"_json);
  lost["metadata"]["deletionTimestamp"] = "2026-11-24T10:30:30Z";
  EXPECT_EQ(Cells("pods", lost)[2], "Unknown");
}

TEST(SimTablePods, CompletedRowsCarryACondition) {
  json pod = Pod("done", R"({"phase": "Succeeded"})"_json);
  json table = MakeTable("pods", {pod}, Now(), "1", IncludeObject::kNone);
  EXPECT_EQ(table.at("rows")[0].at("conditions"), R"([{"type": "Completed", "status": "True",
      "reason": "Succeeded", "message": "The pod has completed successfully."}])"_json);
}

TEST(SimTablePods, ReadinessGatesAndNominatedNode) {
  json pod = Pod("p", R"({"phase": "Pending", "nominatedNodeName": "kind-worker2",
      "conditions": [{"type": "example.com/feature-1", "status": "True"},
                     {"type": "example.com/feature-2", "status": "False"}]})"_json);
  pod["spec"]["readinessGates"] = R"([{"conditionType": "example.com/feature-1"},
      {"conditionType": "example.com/feature-2"}])"_json;
  pod["spec"].erase("nodeName");
  json cells = Cells("pods", pod);
  EXPECT_EQ(cells[6], "<none>");
  EXPECT_EQ(cells[7], "kind-worker2");
  EXPECT_EQ(cells[8], "1/2");
}

TEST(SimTableDeployments, MissingReadyReplicasCountsAsZero) {
  json deployment = R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "carts", "namespace": "sock-shop",
                 "creationTimestamp": "2026-11-22T07:30:00Z"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"name": "carts"}},
             "template": {"spec": {"containers": [
               {"name": "carts", "image": "weaveworksdemos/carts:0.4.8"}]}}},
    "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
               "unavailableReplicas": 1}
  })"_json;
  EXPECT_EQ(Cells("deployments", deployment),
            json::array({"carts", "0/1", 1, 0, "2d3h", "carts", "weaveworksdemos/carts:0.4.8",
                         "name=carts"}));
  json table = MakeTable("deployments", {}, Now(), "1", IncludeObject::kNone);
  using C = std::tuple<std::string, std::string, std::string, int>;
  std::vector<C> want = {C{"Name", "string", "name", 0},   C{"Ready", "string", "", 0},
                         C{"Up-to-date", "string", "", 0}, C{"Available", "string", "", 0},
                         C{"Age", "string", "", 0},        C{"Containers", "string", "", 1},
                         C{"Images", "string", "", 1},     C{"Selector", "string", "", 1}};
  EXPECT_EQ(Columns(table), want);
}

TEST(SimTableReplicaSets, CellsAndSelector) {
  json rs = R"({
    "metadata": {"name": "carts-5f7c8d9b6d", "creationTimestamp": "2026-11-24T10:00:00Z"},
    "spec": {"replicas": 2,
             "selector": {"matchLabels": {"pod-template-hash": "5f7c8d9b6d", "name": "carts"},
                          "matchExpressions": [{"key": "tier", "operator": "In",
                                                "values": ["web", "backend"]}]},
             "template": {"spec": {"containers": [{"name": "carts", "image": "carts:1"},
                                                  {"name": "proxy", "image": "envoy:1"}]}}},
    "status": {"replicas": 2, "readyReplicas": 1}
  })"_json;
  EXPECT_EQ(Cells("replicasets", rs),
            json::array({"carts-5f7c8d9b6d", 2, 2, 1, "30m", "carts,proxy", "carts:1,envoy:1",
                         "name=carts,pod-template-hash=5f7c8d9b6d,tier in (backend,web)"}));
}

TEST(SimTableJobs, RunningAndComplete) {
  json running = R"({
    "metadata": {"name": "load-test", "creationTimestamp": "2026-11-24T10:27:00Z"},
    "spec": {"completions": 1, "parallelism": 1, "selector": {"matchLabels": {"job": "lt"}},
             "template": {"spec": {"containers": [{"name": "k6", "image": "grafana/k6"}]}}},
    "status": {"active": 1, "startTime": "2026-11-24T10:27:01Z"}
  })"_json;
  EXPECT_EQ(Cells("jobs", running), json::array({"load-test", "Running", "0/1", "2m59s", "3m", "k6",
                                                 "grafana/k6", "job=lt"}));

  json complete = running;
  complete["status"] = R"({"succeeded": 1, "startTime": "2026-11-24T10:27:01Z",
      "completionTime": "2026-11-24T10:27:46Z",
      "conditions": [{"type": "SuccessCriteriaMet", "status": "True"},
                     {"type": "Complete", "status": "True"}]})"_json;
  EXPECT_EQ(Cells("jobs", complete)[1], "Complete");
  EXPECT_EQ(Cells("jobs", complete)[2], "1/1");
  EXPECT_EQ(Cells("jobs", complete)[3], "45s");

  json columns = MakeTable("jobs", {}, Now(), "1", IncludeObject::kNone).at("columnDefinitions");
  std::vector<std::string> names;
  for (const json& c : columns) names.push_back(c.at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Status", "Completions", "Duration", "Age",
                                             "Containers", "Images", "Selector"}));
}

TEST(SimTableServices, NodePortAndClusterIp) {
  json node_port = R"({
    "metadata": {"name": "front-end", "creationTimestamp": "2026-11-24T10:00:00Z"},
    "spec": {"type": "NodePort", "clusterIP": "10.96.114.7", "clusterIPs": ["10.96.114.7"],
             "selector": {"name": "front-end"},
             "ports": [{"port": 80, "targetPort": 8079, "nodePort": 30001, "protocol": "TCP"}]}
  })"_json;
  EXPECT_EQ(Cells("services", node_port),
            json::array({"front-end", "NodePort", "10.96.114.7", "<none>", "80:30001/TCP", "30m",
                         "name=front-end"}));

  json headless = R"({
    "metadata": {"name": "carts-db", "creationTimestamp": "2026-11-24T10:00:00Z"},
    "spec": {"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"],
             "ports": [{"port": 27017, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}
  })"_json;
  EXPECT_EQ(Cells("services", headless), json::array({"carts-db", "ClusterIP", "None", "<none>",
                                                      "27017/TCP,53/UDP", "30m", "<none>"}));

  json lb = node_port;
  lb["spec"]["type"] = "LoadBalancer";
  EXPECT_EQ(Cells("services", lb)[3], "<pending>");
  lb["status"] = R"({"loadBalancer": {"ingress": [{"ip": "172.18.0.9"}]}})"_json;
  EXPECT_EQ(Cells("services", lb)[3], "172.18.0.9");
}

TEST(SimTableEvents, ColumnsAndCells) {
  json event = R"({
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "carts-5f7c8d9b6d-x2k4p.17cb1a2e3f4d5a6b", "namespace": "sock-shop",
                 "creationTimestamp": "2026-11-24T10:25:00Z"},
    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "carts-5f7c8d9b6d-x2k4p",
                       "namespace": "sock-shop", "fieldPath": "spec.containers{carts}"},
    "reason": "BackOff",
    "message": "Back-off restarting failed container carts in pod carts-5f7c8d9b6d-x2k4p\n",
    "source": {"component": "kubelet", "host": "kind-control-plane"},
    "firstTimestamp": "2026-11-24T10:25:00Z", "lastTimestamp": "2026-11-24T10:29:23Z",
    "count": 6, "type": "Warning", "eventTime": null,
    "reportingComponent": "kubelet", "reportingInstance": "kind-control-plane"
  })"_json;
  EXPECT_EQ(Cells("events", event),
            json::array({"37s", "Warning", "BackOff", "pod/carts-5f7c8d9b6d-x2k4p",
                         "spec.containers{carts}", "kubelet, kind-control-plane",
                         "Back-off restarting failed container carts in pod carts-5f7c8d9b6d-x2k4p",
                         "5m", 6, "carts-5f7c8d9b6d-x2k4p.17cb1a2e3f4d5a6b"}));

  json table = MakeTable("events", {}, Now(), "1", IncludeObject::kNone);
  using C = std::tuple<std::string, std::string, std::string, int>;
  std::vector<C> want = {
      C{"Last Seen", "string", "", 0}, C{"Type", "string", "", 0},
      C{"Reason", "string", "", 0},    C{"Object", "string", "", 0},
      C{"Subobject", "string", "", 1}, C{"Source", "string", "", 1},
      C{"Message", "string", "", 0},   C{"First Seen", "string", "", 1},
      C{"Count", "string", "", 1},     C{"Name", "string", "name", 1},
  };
  EXPECT_EQ(Columns(table), want);
}

TEST(SimTableEvents, NewStyleEventFallsBackToEventTimeAndReporter) {
  json event = R"({
    "metadata": {"name": "carts.1"},
    "involvedObject": {"kind": "Deployment", "name": "carts"},
    "reason": "ScalingReplicaSet", "message": "Scaled up replica set carts-5f7c8d9b6d to 1",
    "type": "Normal", "eventTime": "2026-11-24T10:19:59.500000Z",
    "reportingComponent": "deployment-controller"
  })"_json;
  json cells = Cells("events", event);
  EXPECT_EQ(cells[0], "10m");
  EXPECT_EQ(cells[3], "deployment/carts");
  EXPECT_EQ(cells[5], "deployment-controller");
  EXPECT_EQ(cells[7], "10m");
  EXPECT_EQ(cells[8], 1);
}

TEST(SimTableNodes, ControlPlaneNode) {
  json node = R"json({
    "metadata": {"name": "kind-control-plane", "creationTimestamp": "2026-11-16T10:30:00Z",
                 "labels": {"kubernetes.io/hostname": "kind-control-plane",
                            "node-role.kubernetes.io/control-plane": ""}},
    "spec": {},
    "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                              {"type": "Ready", "status": "True"}],
               "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                             {"type": "Hostname", "address": "kind-control-plane"}],
               "nodeInfo": {"kubeletVersion": "v1.32.2", "osImage": "Debian GNU/Linux 12 (bookworm)",
                            "kernelVersion": "6.8.0-45-generic",
                            "containerRuntimeVersion": "containerd://2.0.2"}}
  })json"_json;
  EXPECT_EQ(Cells("nodes", node),
            json::array({"kind-control-plane", "Ready", "control-plane", "8d", "v1.32.2",
                         "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)",
                         "6.8.0-45-generic", "containerd://2.0.2"}));

  node["metadata"]["labels"].erase("node-role.kubernetes.io/control-plane");
  node["spec"]["unschedulable"] = true;
  node["status"]["conditions"][1]["status"] = "Unknown";
  json cells = Cells("nodes", node);
  EXPECT_EQ(cells[1], "NotReady,SchedulingDisabled");
  EXPECT_EQ(cells[2], "<none>");
}

TEST(SimTableConfigMaps, DataCountsBothMaps) {
  json cm = R"({"metadata": {"name": "carts-config", "creationTimestamp": "2026-11-24T10:29:15Z"},
                "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}})"_json;
  EXPECT_EQ(Cells("configmaps", cm), json::array({"carts-config", 3, "45s"}));
}

TEST(SimTableNamespaces, Cells) {
  json ns = R"({"metadata": {"name": "sock-shop", "creationTimestamp": "2026-11-24T10:00:00Z"},
                "status": {"phase": "Active"}})"_json;
  EXPECT_EQ(Cells("namespaces", ns), json::array({"sock-shop", "Active", "30m"}));
}

TEST(SimTableComputed, EndpointsSlicesAccountsSecretsAndStatefulSets) {
  json e = R"({"metadata": {"name": "rabbitmq", "creationTimestamp": "2026-11-24T09:10:00Z"},
               "subsets": [{"addresses": [{"ip": "10.244.0.14"}, {"ip": "10.244.0.20"}],
                            "notReadyAddresses": [{"ip": "10.244.0.30"}],
                            "ports": [{"port": 5672}, {"port": 9090}]}]})"_json;
  EXPECT_EQ(Cells("endpoints", e),
            json::array({"rabbitmq",
                         "10.244.0.14:5672,10.244.0.20:5672,10.244.0.14:9090 + 1 more...", "80m"}));
  e.erase("subsets");
  EXPECT_EQ(Cells("endpoints", e), json::array({"rabbitmq", "<none>", "80m"}));
  json slice =
      R"({"metadata": {"name": "payment-vwcsl", "creationTimestamp": "2026-11-24T09:10:00Z"},
                   "addressType": "IPv4", "ports": [{"name": "", "port": 80, "protocol": "TCP"}]})"_json;
  EXPECT_EQ(Cells("endpointslices", slice),
            json::array({"payment-vwcsl", "IPv4", "80", "<unset>", "80m"}));
  json sa =
      R"({"metadata": {"name": "default", "creationTimestamp": "2026-11-24T09:10:00Z"}})"_json;
  EXPECT_EQ(Cells("serviceaccounts", sa), json::array({"default", 0, "80m"}));
  json secret = R"({"metadata": {"name": "db", "creationTimestamp": "2026-11-24T09:10:00Z"},
                    "type": "Opaque", "data": {"a": "", "b": ""}})"_json;
  EXPECT_EQ(Cells("secrets", secret), json::array({"db", "Opaque", 2, "80m"}));
  json sts = R"({"metadata": {"name": "db", "creationTimestamp": "2026-11-24T09:10:00Z"},
                 "spec": {"replicas": 3, "template": {"spec": {"containers": [
                   {"name": "mongo", "image": "mongo:4"}]}}},
                 "status": {"readyReplicas": 2}})"_json;
  EXPECT_EQ(Cells("statefulsets", sts), json::array({"db", "2/3", "80m", "mongo", "mongo:4"}));
}

TEST(SimTableGeneric, NameAndCreatedAt) {
  EXPECT_TRUE(HasTableColumns("pods"));
  EXPECT_TRUE(HasTableColumns("namespaces"));
  EXPECT_FALSE(HasTableColumns("leases"));
  EXPECT_FALSE(HasTableColumns("pod"));

  json secret = R"({"metadata": {"name": "db-password",
                                  "creationTimestamp": "2026-11-24T10:23:05Z"}})"_json;
  json table = MakeTable("leases", {secret}, Now(), "7", IncludeObject::kMetadata);
  using C = std::tuple<std::string, std::string, std::string, int>;
  EXPECT_EQ(Columns(table),
            (std::vector<C>{C{"Name", "string", "name", 0}, C{"Created At", "date", "", 0}}));
  EXPECT_EQ(table.at("rows")[0].at("cells"), json::array({"db-password", "2026-11-24T10:23:05Z"}));
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
