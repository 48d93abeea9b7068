#include "sim/store/patch.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

using nlohmann::json;

// RFC 7386, appendix A.
TEST(SimPatchMergeTest, Rfc7386Examples) {
  struct {
    const char* target;
    const char* patch;
    const char* want;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
      // kubectl scale on /scale.
      {R"({"spec":{"replicas":3},"status":{"replicas":3}})", R"({"spec":{"replicas":0}})",
       R"({"spec":{"replicas":0},"status":{"replicas":3}})"},
  };
  for (const auto& c : cases) {
    auto got = ApplyMergePatch(json::parse(c.target), json::parse(c.patch));
    ASSERT_TRUE(got.ok()) << c.patch << ": " << got.status();
    EXPECT_EQ(*got, json::parse(c.want)) << c.target << " + " << c.patch;
  }
}

TEST(SimPatchMergeTest, NonObjectPatchIsRejected) {
  struct {
    const char* patch;
    const char* want;
  } cases[] = {
      {R"(["c","d"])", "merge patch must be a JSON object, got array"},
      {R"(null)", "merge patch must be a JSON object, got null"},
      {R"("bar")", "merge patch must be a JSON object, got string"},
  };
  for (const auto& c : cases) {
    auto got = ApplyMergePatch(json{{"a", "foo"}}, json::parse(c.patch));
    ASSERT_FALSE(got.ok()) << c.patch;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.want);
  }
}

json Deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "carts", "namespace": "sock-shop", "labels": {"name": "carts"},
                 "finalizers": ["a"]},
    "spec": {
      "replicas": 1,
      "selector": {"matchLabels": {"name": "carts"}},
      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
      "template": {
        "metadata": {"labels": {"name": "carts"}},
        "spec": {
          "containers": [
            {"name": "carts", "image": "weaveworksdemos/carts:0.4.8",
             "args": ["-Xmx64m", "-Xms64m"],
             "env": [{"name": "JAVA_OPTS", "value": "-Xmx64m"}, {"name": "ZIPKIN", "value": "off"}],
             "ports": [{"containerPort": 80}],
             "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-volume"}]},
            {"name": "sidecar", "image": "envoy:1.0"}
          ],
          "volumes": [{"name": "tmp-volume", "emptyDir": {"medium": "Memory"}}],
          "tolerations": [{"key": "a", "operator": "Exists"}]
        }
      }
    },
    "status": {"conditions": [{"type": "Available", "status": "True"},
                              {"type": "Progressing", "status": "True"}]}
  })");
}

// Applies `patch` to Deployment() and returns the result; fails the test on error.
json Patched(const char* patch) {
  auto got = ApplyStrategicMergePatch(Deployment(), json::parse(patch), "deployments");
  EXPECT_TRUE(got.ok()) << patch << ": " << got.status();
  return got.ok() ? *got : json();
}

TEST(SimPatchStrategicTest, ScaleAndRestart) {
  json want = Deployment();
  want["spec"]["replicas"] = 0;
  EXPECT_EQ(Patched(R"({"spec":{"replicas":0}})"), want);

  want = Deployment();
  want["spec"]["template"]["metadata"]["annotations"] = {
      {"kubectl.kubernetes.io/restartedAt", "2026-11-24T10:23:05Z"}};
  EXPECT_EQ(Patched(R"({"spec":{"template":{"metadata":{"annotations":{
                "kubectl.kubernetes.io/restartedAt":"2026-11-24T10:23:05Z"}}}}})"),
            want);
}

TEST(SimPatchStrategicTest, ContainerImageByNameKeepsOtherContainers) {
  json want = Deployment();
  want["spec"]["template"]["spec"]["containers"][0]["image"] = "weaveworksdemos/carts:0.4.9";
  EXPECT_EQ(Patched(R"({"spec":{"template":{"spec":{"containers":[
                {"name":"carts","image":"weaveworksdemos/carts:0.4.9"}]}}}})"),
            want);
}

TEST(SimPatchStrategicTest, NestedKeyedListsMergeByTheirKeys) {
  json got = Patched(R"({"spec":{"template":{"spec":{"containers":[{"name":"carts",
      "env":[{"name":"ZIPKIN","value":"on"},{"name":"NEW","value":"1"}],
      "ports":[{"containerPort":8080}],
      "volumeMounts":[{"mountPath":"/tmp","readOnly":true}],
      "args":["-Xmx128m"]}]}}}})");
  const json& c = got["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"JAVA_OPTS","value":"-Xmx64m"},
      {"name":"ZIPKIN","value":"on"},{"name":"NEW","value":"1"}])"));
  EXPECT_EQ(c["ports"], json::parse(R"([{"containerPort":80},{"containerPort":8080}])"));
  EXPECT_EQ(c["volumeMounts"],
            json::parse(R"([{"mountPath":"/tmp","name":"tmp-volume","readOnly":true}])"));
  EXPECT_EQ(c["args"], json::parse(R"(["-Xmx128m"])"));  // No merge key: replaced.
}

TEST(SimPatchStrategicTest, ListsWithoutStrategyAreReplaced) {
  json got = Patched(
      R"({"spec":{"template":{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}}})");
  EXPECT_EQ(got["spec"]["template"]["spec"]["tolerations"],
            json::parse(R"([{"key":"b","operator":"Exists"}])"));
}

TEST(SimPatchStrategicTest, DeleteDirectiveOnAContainer) {
  json want = Deployment();
  want["spec"]["template"]["spec"]["containers"].erase(1);
  EXPECT_EQ(Patched(R"({"spec":{"template":{"spec":{"containers":[
                {"name":"sidecar","$patch":"delete"}]}}}})"),
            want);
}

TEST(SimPatchStrategicTest, ReplaceDirectives) {
  json got = Patched(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"only","image":"busybox"},{"$patch":"replace"}]}}}})");
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"],
            json::parse(R"([{"name":"only","image":"busybox"}])"));

  got = Patched(R"({"metadata":{"labels":{"$patch":"replace","app":"x"}}})");
  EXPECT_EQ(got["metadata"]["labels"], json::parse(R"({"app":"x"})"));

  got = Patched(R"({"metadata":{"labels":{"$patch":"delete"}}})");
  EXPECT_EQ(got["metadata"]["labels"], json::object());
}

TEST(SimPatchStrategicTest, NullDeletesKeys) {
  json want = Deployment();
  want["metadata"]["labels"].erase("name");
  want["spec"]["template"]["spec"]["containers"][0].erase("args");
  EXPECT_EQ(Patched(R"({"metadata":{"labels":{"name":null}},
      "spec":{"template":{"spec":{"containers":[{"name":"carts","args":null}]}}}})"),
            want);
}

TEST(SimPatchStrategicTest, SetElementOrder) {
  // As kubectl apply sends it: a new container first, the order of the whole list given.
  json got = Patched(R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"init"},{"name":"sidecar"},{"name":"carts"}],
      "containers":[{"name":"init","image":"busybox"}]}}}})");
  json names = json::array();
  for (const json& c : got["spec"]["template"]["spec"]["containers"]) names.push_back(c["name"]);
  EXPECT_EQ(names, json::parse(R"(["init","sidecar","carts"])"));
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"][0],
            json::parse(R"({"name":"init","image":"busybox"})"));

  // Order alone, for a list the patch does not otherwise change.
  got = Patched(R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"sidecar"},{"name":"carts"}]}}}})");
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"][0]["name"], "sidecar");
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"][1]["name"], "carts");
}

TEST(SimPatchStrategicTest, RetainKeys) {
  // kubectl apply switching the strategy to Recreate.
  json got = Patched(R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate",
      "rollingUpdate":null}}})");
  EXPECT_EQ(got["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));

  got = Patched(R"({"spec":{"template":{"spec":{"volumes":[{"name":"tmp-volume",
      "$retainKeys":["configMap","name"],"configMap":{"name":"cfg"}}]}}}})");
  EXPECT_EQ(got["spec"]["template"]["spec"]["volumes"],
            json::parse(R"([{"name":"tmp-volume","configMap":{"name":"cfg"}}])"));
}

TEST(SimPatchStrategicTest, PrimitiveSets) {
  json got = Patched(R"({"metadata":{"finalizers":["b","a"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], json::parse(R"(["a","b"])"));

  got = Patched(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], json::array());
}

TEST(SimPatchStrategicTest, StatusConditionsMergeByType) {
  json got = Patched(R"({"status":{"conditions":[{"type":"Available","status":"False"}]}})");
  EXPECT_EQ(got["status"]["conditions"], json::parse(R"([{"type":"Available","status":"False"},
      {"type":"Progressing","status":"True"}])"));
}

TEST(SimPatchStrategicTest, OtherResources) {
  json svc = json::parse(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})");
  auto got = ApplyStrategicMergePatch(
      svc, json::parse(R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})"), "services");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["spec"]["ports"],
            json::parse(R"([{"port":80,"targetPort":9090},{"port":443}])"));

  json pod = json::parse(R"({"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]},
      "spec":{"containers":[{"name":"a","image":"x"}]}})");
  got = ApplyStrategicMergePatch(
      pod, json::parse(R"({"metadata":{"ownerReferences":[{"uid":"2","name":"b"}]}})"), "pods");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["metadata"]["ownerReferences"],
            json::parse(R"([{"uid":"1","name":"a"},{"uid":"2","name":"b"}])"));

  // Unknown resources merge maps and replace lists.
  got = ApplyStrategicMergePatch(pod, json::parse(R"({"spec":{"containers":[{"name":"b"}]}})"),
                                 "widgets");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["spec"]["containers"], json::parse(R"([{"name":"b"}])"));
}

TEST(SimPatchStrategicTest, Errors) {
  struct {
    const char* patch;
    const char* want;
  } cases[] = {
      {R"([1])", "strategic merge patch must be a JSON object, got array"},
      {R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})",
       "map: {\"image\":\"x\"} does not contain declared merge key: name"},
      {R"({"metadata":{"$patch":"frobnicate"}})", "Unknown patch type: \"frobnicate\" in map"},
      {R"({"metadata":{"$bogus":1}})", "unknown strategic merge directive: $bogus"},
  };
  for (const auto& c : cases) {
    auto got = ApplyStrategicMergePatch(Deployment(), json::parse(c.patch), "deployments");
    ASSERT_FALSE(got.ok()) << c.patch;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.want);
  }
}

constexpr char kTime[] = "2026-11-24T10:23:05Z";

TEST(SimPatchApplyTest, CreateRecordsManagedFields) {
  json config = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg","namespace":"ns","labels":{"app":"x"}},
      "data":{"a":"1","gone":null}})");
  auto got = ApplyServerSide(json(), config, "configmaps", "kubectl", kTime);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg","namespace":"ns","labels":{"app":"x"},
        "managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"v1",
          "time":"2026-11-24T10:23:05Z","fieldsType":"FieldsV1",
          "fieldsV1":{"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}}]},
      "data":{"a":"1"}})"));
}

TEST(SimPatchApplyTest, UpdateKeepsOtherFieldsAndMergesListsByKey) {
  json existing = Deployment();
  json config = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"carts","namespace":"sock-shop"},
      "spec":{"replicas":2,"template":{"spec":{"containers":[
        {"name":"carts","image":"weaveworksdemos/carts:0.5.0",
         "env":[{"name":"ZIPKIN","value":"on"}]}]}}}})");
  auto got = ApplyServerSide(existing, config, "deployments", "kubectl", kTime);
  ASSERT_TRUE(got.ok()) << got.status();
  json want = Deployment();
  want["spec"]["replicas"] = 2;
  json& carts = want["spec"]["template"]["spec"]["containers"][0];
  carts["image"] = "weaveworksdemos/carts:0.5.0";
  carts["env"][1]["value"] = "on";
  want["metadata"]["managedFields"] = json::parse(R"([{"manager":"kubectl","operation":"Apply",
      "apiVersion":"apps/v1","time":"2026-11-24T10:23:05Z","fieldsType":"FieldsV1",
      "fieldsV1":{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{
        "k:{\"name\":\"carts\"}":{".":{},"f:name":{},"f:image":{},"f:env":{
          "k:{\"name\":\"ZIPKIN\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}}}])");
  EXPECT_EQ(*got, want);
}

TEST(SimPatchApplyTest, ReapplyRemovesFieldsTheManagerDropped) {
  json config = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg","namespace":"ns","labels":{"app":"x","tier":"web"},
                  "finalizers":["f1"]},
      "data":{"a":"1","b":"2"}})");
  auto first = ApplyServerSide(json(), config, "configmaps", "kubectl", kTime);
  ASSERT_TRUE(first.ok()) << first.status();
  json existing = *first;
  existing["data"]["c"] = "set by someone else";  // No managedFields entry claims it.
  existing["metadata"]["managedFields"].push_back(
      json::parse(R"({"manager":"helm","operation":"Apply","fieldsV1":{"f:data":{"f:b":{}}}})"));

  json second = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg","labels":{"app":"y"}},"data":{"a":"1"}})");
  auto got = ApplyServerSide(existing, second, "configmaps", "kubectl", "2026-11-24T11:00:00Z");
  ASSERT_TRUE(got.ok()) << got.status();
  // "tier" and finalizer f1 go (only kubectl held them); "b" stays (helm holds it); "c" stays.
  EXPECT_EQ((*got)["metadata"]["labels"], json::parse(R"({"app":"y"})"));
  EXPECT_FALSE((*got)["metadata"].contains("finalizers"));
  EXPECT_EQ((*got)["data"], json::parse(R"({"a":"1","b":"2","c":"set by someone else"})"));
  const json& managed = (*got)["metadata"]["managedFields"];
  ASSERT_EQ(managed.size(), 2u);
  EXPECT_EQ(managed[0]["manager"], "helm");
  EXPECT_EQ(managed[1]["manager"], "kubectl");
  EXPECT_EQ(managed[1]["time"], "2026-11-24T11:00:00Z");
}

TEST(SimPatchApplyTest, IdentityMismatches) {
  json existing = Deployment();
  struct {
    const char* applied;
    const char* want;
  } cases[] = {
      {R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"orders"}})",
       "the name of the object (orders) does not match the name on the URL (carts)"},
      {R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"carts",
          "namespace":"default"}})",
       "the namespace of the provided object does not match the namespace sent on the request"},
      {R"({"apiVersion":"v1","kind":"Deployment","metadata":{"name":"carts"}})",
       "apiVersion of the object (v1) does not match the existing object's (apps/v1)"},
      {R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"carts"}})",
       "kind of the object (StatefulSet) does not match the existing object's (Deployment)"},
      {R"({"kind":"Deployment","metadata":{"name":"carts"}})", "apiVersion must be set"},
      {R"([])", "apply patch must be an object, got array"},
  };
  for (const auto& c : cases) {
    auto got = ApplyServerSide(existing, json::parse(c.applied), "deployments", "kubectl", kTime);
    ASSERT_FALSE(got.ok()) << c.applied;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.want);
  }
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
