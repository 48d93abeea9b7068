#include "sim/api/protobuf.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

// Protobuf's wire format, written by hand: a varint, a varint field, a length-delimited field.
std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(static_cast<char>(b | (v != 0 ? 0x80 : 0)));
  } while (v != 0);
  return out;
}
std::string IntField(int number, uint64_t v) { return Varint(number << 3) + Varint(v); }
std::string Field(int number, const std::string& bytes) {
  return Varint((number << 3) | 2) + Varint(bytes.size()) + bytes;
}

// The envelope kubectl sends: "k8s\0" and a runtime.Unknown around the object's message.
std::string Envelope(const std::string& api_version, const std::string& kind,
                     const std::string& raw) {
  std::string type_meta = Field(1, api_version) + Field(2, kind);
  return std::string("k8s\0", 4) + Field(1, type_meta) + Field(2, raw) + Field(3, "") +
         Field(4, "");
}

// ObjectMeta as Go's generated code writes it: every string field, empty or not, and the
// zero creationTimestamp.
std::string Meta(const std::string& name) {
  return Field(1, name) + Field(2, "") + Field(3, "") + Field(4, "") + Field(5, "") + Field(6, "") +
         IntField(7, 0) + Field(8, "");
}

std::string Map(int number, const std::string& key, const std::string& value) {
  return Field(number, Field(1, key) + Field(2, value));
}

TEST(ProtobufTest, DecodesAConfigMapAsKubectlCreateSendsIt) {
  std::string raw = Field(1, Meta("x")) + Map(2, "a", "b") + Map(2, "c", "d") +
                    Map(3, "bin", std::string("\0\xff", 2));
  absl::StatusOr<nlohmann::json> got = DecodeProtobufObject(Envelope("v1", "ConfigMap", raw));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, nlohmann::json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "x"}, "data": {"a": "b", "c": "d"}, "binaryData": {"bin": "AP8="}})"));
}

TEST(ProtobufTest, DecodesAnAutoscalingV1HpaKeepingExplicitZeros) {
  std::string ref = Field(1, "Deployment") + Field(2, "front-end") + Field(3, "apps/v1");
  std::string spec = Field(1, ref) + IntField(2, 0) + IntField(3, 5) + IntField(4, 50);
  std::string status = IntField(3, 0) + IntField(4, 0);
  std::string raw = Field(1, Meta("front-end")) + Field(2, spec) + Field(3, status);
  absl::StatusOr<nlohmann::json> got =
      DecodeProtobufObject(Envelope("autoscaling/v1", "HorizontalPodAutoscaler", raw));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, nlohmann::json::parse(R"({"apiVersion": "autoscaling/v1",
      "kind": "HorizontalPodAutoscaler", "metadata": {"name": "front-end"},
      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "front-end",
                                  "apiVersion": "apps/v1"},
               "minReplicas": 0, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50},
      "status": {}})"));
}

// A Deployment as `kubectl create deployment web --image=nginx --replicas=2 --port=80` sends
// it: Go's generated code writes every plain field, so zeros of fields the sim does not read
// (hostNetwork = false, an empty securityContext) come along and are skipped; a quantity map,
// a repeated message and an IntOrString decode to their JSON.
TEST(ProtobufTest, DecodesADeploymentWithItsPodTemplate) {
  std::string port = IntField(3, 80) + Field(4, "TCP");
  std::string resources = Field(1, Field(1, "cpu") + Field(2, Field(1, "100m"))) +
                          Field(2, Field(1, "memory") + Field(2, Field(1, "64Mi")));
  std::string container = Field(1, "nginx") + Field(2, "nginx") + Field(6, port) +
                          Field(7, Field(1, "A") + Field(2, "b")) + Field(8, resources) +
                          IntField(16, 0) + IntField(18, 0);
  std::string pod_spec =
      Field(2, container) + IntField(11, 0) + IntField(12, 0) + Field(14, "") + Field(3, "");
  std::string labels = Map(11, "app", "web");
  std::string tmpl = Field(1, Meta("") + labels) + Field(2, pod_spec);
  std::string selector = Map(1, "app", "web");
  std::string surge = IntField(1, 1) + Field(3, "30%");  // type 1: a string
  std::string unavailable = IntField(2, 2);              // type 0: an int
  std::string strategy =
      Field(1, "RollingUpdate") + Field(2, Field(1, unavailable) + Field(2, surge));
  std::string spec = IntField(1, 2) + Field(2, selector) + Field(3, tmpl) + Field(4, strategy) +
                     IntField(5, 0) + IntField(7, 0);
  std::string raw = Field(1, Meta("web") + labels) + Field(2, spec) + Field(3, "");
  absl::StatusOr<nlohmann::json> got = DecodeProtobufObject(Envelope("apps/v1", "Deployment", raw));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, nlohmann::json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "labels": {"app": "web"}},
      "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                "env": [{"name": "A", "value": "b"}],
                                "resources": {"limits": {"cpu": "100m"},
                                              "requests": {"memory": "64Mi"}}}]}},
               "strategy": {"type": "RollingUpdate",
                            "rollingUpdate": {"maxUnavailable": 2, "maxSurge": "30%"}}},
      "status": {}})"));
  // A field the sim does not read with a value is refused, never dropped.
  std::string hostnet = Field(1, Meta("p")) + Field(2, Field(2, Field(1, "c")) + IntField(11, 1));
  got = DecodeProtobufObject(Envelope("v1", "Pod", hostnet));
  EXPECT_EQ(got.status().message(),
            "the simulated cluster does not decode field 11 of PodSpec in protobuf: write the "
            "object as a manifest and use kubectl apply -f");
}

TEST(ProtobufTest, RefusesWhatItCannotDecodeWithAClearError) {
  auto error = [](const std::string& body) {
    absl::StatusOr<nlohmann::json> got = DecodeProtobufObject(body);
    return got.ok() ? std::string("ok") : std::string(got.status().message());
  };
  const std::string apply = ": write the object as a manifest and use kubectl apply -f";
  EXPECT_EQ(error("{\"kind\": \"ConfigMap\"}"),
            "the protobuf request body is malformed: it does not start with \"k8s\\0\"");
  EXPECT_EQ(error(Envelope("v1", "ConfigMap", Field(1, Meta("x")) + IntField(9, 1))),
            "the simulated cluster does not decode field 9 of ConfigMap in protobuf" + apply);
  EXPECT_EQ(error(Envelope("apps/v1", "StatefulSet", Field(1, Meta("x")))),
            "the simulated cluster decodes protobuf request bodies of ConfigMaps, Secrets, "
            "Namespaces, Pods, Deployments, Jobs and autoscaling/v1 HorizontalPodAutoscalers "
            "only, not apps/v1 StatefulSet" +
                apply);
  std::string cut = Envelope("v1", "ConfigMap", Field(1, Meta("x")) + Map(2, "a", "b"));
  EXPECT_EQ(error(cut.substr(0, cut.size() - 12)),
            "the protobuf request body is malformed: Unknown.raw is cut");
  EXPECT_EQ(error(Envelope("v1", "ConfigMap", Field(1, Field(1, "\xff")))),
            "the protobuf request body is malformed: ObjectMeta.name is not valid UTF-8");
  EXPECT_EQ(error(Envelope("v1", "ConfigMap", IntField(1, 7))),
            "the protobuf request body is malformed: ConfigMap.metadata has wire type 0");
  // A length past the end of its message.
  EXPECT_EQ(error(std::string("k8s\0", 4) + std::string(20, '\x0a')),
            "the protobuf request body is malformed: TypeMeta.apiVersion is cut");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
