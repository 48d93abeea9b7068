#include "sim/store/object_store.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1795515000);  // 2026-11-24T10:10:00Z

nlohmann::json ConfigMap(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "sock-shop"}}},
          {"data", {{"a", "1"}}}};
}

TEST(SimObjectStoreTest, CreateFillsTheServersBookkeeping) {
  ObjectStore store(1, kStart);
  auto made = store.Create("configmaps", ConfigMap("one"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ((*made)["metadata"]["resourceVersion"], "1001");
  EXPECT_EQ((*made)["metadata"]["creationTimestamp"], "2026-11-24T10:10:00Z");
  EXPECT_EQ((*made)["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE((*made)["metadata"].contains("generation"));  // Not a workload.
  auto pod = store.Create("pods", {{"metadata", {{"name", "p"}, {"namespace", "sock-shop"}}},
                                   {"spec", {{"containers", nlohmann::json::array()}}}});
  ASSERT_TRUE(pod.ok());
  EXPECT_FALSE((*pod)["metadata"].contains("generation"));  // Pods have a spec but none.
  auto again = store.Create("configmaps", ConfigMap("one"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "configmaps \"one\" already exists");
}

TEST(SimObjectStoreTest, TheSameSeedGivesTheSameUids) {
  ObjectStore a(5, kStart), b(5, kStart), c(6, kStart);
  auto ua = a.Create("configmaps", ConfigMap("x"));
  auto ub = b.Create("configmaps", ConfigMap("x"));
  auto uc = c.Create("configmaps", ConfigMap("x"));
  EXPECT_EQ((*ua)["metadata"]["uid"], (*ub)["metadata"]["uid"]);
  EXPECT_NE((*ua)["metadata"]["uid"], (*uc)["metadata"]["uid"]);
}

TEST(SimObjectStoreTest, UpdateChecksTheResourceVersionAndCountsGenerations) {
  ObjectStore store(1, kStart);
  nlohmann::json d = {{"metadata", {{"name", "carts"}, {"namespace", "sock-shop"}}},
                      {"spec", {{"replicas", 1}}}};
  auto made = store.Create("deployments", d);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ((*made)["metadata"]["generation"], 1);
  nlohmann::json changed = *made;
  changed["spec"]["replicas"] = 0;
  auto updated = store.Update("deployments", changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);
  EXPECT_EQ((*updated)["metadata"]["resourceVersion"], "1002");
  auto stale = store.Update("deployments", changed);  // Still carries version 1001.
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  nlohmann::json status_only = *updated;
  status_only["status"] = {{"replicas", 0}};
  auto s = store.Update("deployments", status_only);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["metadata"]["generation"], 2);  // Status is not the spec.
}

TEST(SimObjectStoreTest, ListIsSortedAndFilteredByNamespace) {
  ObjectStore store(1, kStart);
  for (const char* n : {"b", "a", "c"}) ASSERT_TRUE(store.Create("configmaps", ConfigMap(n)).ok());
  nlohmann::json other = ConfigMap("z");
  other["metadata"]["namespace"] = "default";
  ASSERT_TRUE(store.Create("configmaps", other).ok());
  std::vector<std::string> names;
  for (const auto& o : store.List("configmaps", "sock-shop")) {
    names.push_back(o["metadata"]["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(store.List("configmaps", "").size(), 4u);
  EXPECT_EQ(store.List("pods", "").size(), 0u);
}

TEST(SimObjectStoreTest, ChangesSinceReportsEveryChangeInOrder) {
  ObjectStore store(1, kStart);
  uint64_t before = store.resource_version();
  ASSERT_TRUE(store.Create("configmaps", ConfigMap("a")).ok());
  ASSERT_TRUE(store.Delete("configmaps", "sock-shop", "a").ok());
  auto changes = store.ChangesSince("configmaps", before, absl::ZeroDuration());
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].type, "ADDED");
  EXPECT_EQ((*changes)[1].type, "DELETED");
  EXPECT_EQ((*changes)[1].resource_version, 1002u);
  uint64_t seen = 0;
  auto none = store.ChangesSince("pods", before, absl::ZeroDuration(), &seen);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(seen, 1002u);  // A pod watch resumes after the config map changes.
  auto later = store.ChangesSince("configmaps", 1001, absl::ZeroDuration());
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].type, "DELETED");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
