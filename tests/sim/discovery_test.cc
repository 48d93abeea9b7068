#include "sim/api/discovery.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/api/resources.h"

namespace sre_eval {
namespace sim {
namespace {

TEST(SimDiscoveryTest, GroupVersionsAreServedInOrder) {
  EXPECT_EQ(GroupVersions(),
            (std::vector<std::string>{"v1", "apps/v1", "batch/v1", "autoscaling/v2",
                                      "autoscaling/v1", "discovery.k8s.io/v1", "events.k8s.io/v1",
                                      "authorization.k8s.io/v1", "metrics.k8s.io/v1beta1"}));
  nlohmann::json list = ApiGroupList();
  std::vector<std::string> groups;
  for (const auto& g : list["groups"]) groups.push_back(g["name"]);
  EXPECT_EQ(groups,
            (std::vector<std::string>{"apps", "batch", "autoscaling", "discovery.k8s.io",
                                      "events.k8s.io", "authorization.k8s.io", "metrics.k8s.io"}));
  EXPECT_FALSE(ApiGroup("extensions").has_value());
}

TEST(SimDiscoveryTest, AppsListsDeploymentsAndTheirScaleSubresource) {
  auto list = ApiResourceList("apps/v1");
  ASSERT_TRUE(list.has_value());
  std::vector<std::string> names;
  for (const auto& r : (*list)["resources"]) names.push_back(r["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "deployments", "deployments/scale", "deployments/status", "replicasets",
                       "replicasets/scale", "replicasets/status", "daemonsets", "statefulsets"}));
  const auto& scale = (*list)["resources"][1];
  EXPECT_EQ(scale["group"], "autoscaling");
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ((*list)["resources"][0]["shortNames"], nlohmann::json({"deploy"}));
  EXPECT_EQ((*list)["resources"][0]["categories"], nlohmann::json({"all"}));
  auto core = ApiResourceList("v1");
  ASSERT_TRUE(core.has_value());
  std::vector<std::string> in_all;
  for (const auto& r : (*core)["resources"]) {
    if (r.contains("categories")) in_all.push_back(r["name"]);
  }
  // Not nodes, namespaces.
  EXPECT_EQ(in_all, (std::vector<std::string>{"pods", "services", "replicationcontrollers"}));
  EXPECT_FALSE(ApiResourceList("apps/v2").has_value());
}

TEST(SimDiscoveryTest, OpenApiV3LetsKubectlLeaveValidationToTheServer) {
  nlohmann::json index = OpenApiV3Index();
  ASSERT_EQ(index["paths"].size(), 9u);
  std::string url = index["paths"]["apis/batch/v1"]["serverRelativeURL"];
  EXPECT_EQ(url.rfind("/openapi/v3/apis/batch/v1?hash=", 0), 0u) << url;
  auto doc = OpenApiV3Document("apis/batch/v1");
  ASSERT_TRUE(doc.has_value());
  const nlohmann::json& patch =
      (*doc)["paths"]["/apis/batch/v1/namespaces/{namespace}/jobs/{name}"]["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"],
            nlohmann::json({{"group", "batch"}, {"version", "v1"}, {"kind", "Job"}}));
  bool field_validation = false;
  for (const auto& p : patch["parameters"]) {
    field_validation |= p["name"] == "fieldValidation" && p["in"] == "query";
  }
  EXPECT_TRUE(field_validation);
  EXPECT_FALSE(OpenApiV3Document("apis/metrics.k8s.io/v1beta1").has_value());  // No schemas.
}

// The schemas `kubectl explain` reads: the kinds of the document's group/version with their
// group/version/kind, and every schema they refer to, at any depth, and no other.
TEST(SimDiscoveryTest, OpenApiV3DocumentsCarryTheKindsSchemas) {
  auto doc = OpenApiV3Document("apis/batch/v1");
  ASSERT_TRUE(doc.has_value());
  const nlohmann::json& schemas = (*doc)["components"]["schemas"];
  const nlohmann::json& job = schemas["io.k8s.api.batch.v1.Job"];
  EXPECT_EQ(job["x-kubernetes-group-version-kind"],
            nlohmann::json::parse(R"([{"group":"batch","kind":"Job","version":"v1"}])"));
  EXPECT_EQ(job["properties"]["spec"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.batch.v1.JobSpec");
  EXPECT_EQ(schemas["io.k8s.api.batch.v1.JobSpec"]["required"],
            nlohmann::json::parse(R"(["template"])"));
  EXPECT_EQ(schemas["io.k8s.api.core.v1.Container"]["required"],
            nlohmann::json::parse(R"(["name"])"));
  const nlohmann::json& containers =
      schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(containers["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["format"], "date-time");
  EXPECT_FALSE(schemas.contains("io.k8s.api.apps.v1.Deployment"));
  // Every reference resolves within the document.
  std::vector<const nlohmann::json*> stack = {&schemas};
  size_t refs = 0;
  while (!stack.empty()) {
    const nlohmann::json* j = stack.back();
    stack.pop_back();
    if (j->is_object() && j->contains("$ref")) {
      ++refs;
      const std::string ref = (*j)["$ref"];
      EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
    }
    if (j->is_structured()) {
      for (const auto& v : *j) stack.push_back(&v);
    }
  }
  EXPECT_GT(refs, 100u);
  // A kind served read-only (derived from the store) is in its document too.
  auto core = OpenApiV3Document("api/v1");
  ASSERT_TRUE(core.has_value());
  EXPECT_TRUE((*core)["paths"].contains("/api/v1/namespaces/{namespace}/endpoints/{name}"));
  EXPECT_TRUE((*core)["components"]["schemas"].contains("io.k8s.api.core.v1.Endpoints"));
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
