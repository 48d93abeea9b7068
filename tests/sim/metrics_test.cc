#include "sim/shop/metrics.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/store/object_store.h"
#include "test_util.h"

namespace sre_eval {
namespace sim {
namespace {

constexpr int64_t kMi = 1024 * 1024;

TEST(SimMetricsFormatTest, Cpu) {
  struct Case {
    int64_t nanocores;
    const char* text;
  };
  const Case cases[] = {
      {0, "0"},
      {4123456, "4123456n"},
      {5000000, "5m"},
      {5100000, "5100u"},
      {1500000000, "1500m"},
      {1000000000, "1"},
      {2000000000000, "2k"},
      {999, "999n"},
      {-3000000, "-3m"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatCpu(c.nanocores), c.text) << c.nanocores;
}

TEST(SimMetricsFormatTest, Memory) {
  struct Case {
    int64_t bytes;
    const char* text;
  };
  const Case cases[] = {
      {0, "0"},
      {126418944, "123456Ki"},
      {200 * kMi, "200Mi"},
      {1024 * kMi, "1Gi"},
      {1500, "1500"},
      {1000, "1k"},
      {512, "512"},
      {4096, "4Ki"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatMemory(c.bytes), c.text) << c.bytes;
}

const char* const kSockShopPods[][2] = {
    {"front-end-6f5fc69d6-kzr4r", "front-end"},
    {"carts-7bbbd7779d-gd5xl", "carts"},
    {"carts-db-84b777d9c-wd8g4", "carts-db"},
    {"catalogue-8684f655d9-m2gqh", "catalogue"},
    {"catalogue-db-5579f7f4cb-vhhcb", "catalogue-db"},
    {"orders-7ccf68495-mq4d7", "orders"},
    {"orders-db-77c46b9c85-8trt8", "orders-db"},
    {"payment-74976d749f-bsn5h", "payment"},
    {"queue-master-799b6b57d5-t2jrq", "queue-master"},
    {"rabbitmq-8458d7d4c-qwc8s", "rabbitmq"},
    {"session-db-6c7f8d9b5d-x2kq4", "session-db"},
    {"shipping-5c89f4886c-vvjdb", "shipping"},
    {"user-d6c48f668-6zm97", "user"},
    {"user-db-5cdfd6d44b-mnbbf", "user-db"},
};

TEST(SimMetricsBaselineTest, EveryPodStaysInTheGuideRangeOverADay) {
  const absl::Time start = At("2026-11-24T00:00:00Z");
  for (uint64_t seed : {1u, 42u, 7777u}) {
    for (const auto& pod : kSockShopPods) {
      std::vector<std::string> containers = {pod[1]};
      if (std::string(pod[1]) == "rabbitmq") containers.push_back("rabbitmq-exporter");
      for (absl::Duration d = absl::ZeroDuration(); d < absl::Hours(24); d += absl::Seconds(61)) {
        Usage sum;
        for (const std::string& c : containers) {
          Usage u = BaselineUsage(pod[0], c, start + d, seed);
          EXPECT_EQ(u.memory_bytes % 4096, 0);
          sum.cpu_nanocores += u.cpu_nanocores;
          sum.memory_bytes += u.memory_bytes;
        }
        ASSERT_GE(sum.cpu_nanocores, 3000000) << pod[0] << " " << d;
        ASSERT_LE(sum.cpu_nanocores, 8000000) << pod[0] << " " << d;
        ASSERT_GE(sum.memory_bytes, 50 * kMi) << pod[0] << " " << d;
        ASSERT_LE(sum.memory_bytes, 200 * kMi) << pod[0] << " " << d;
      }
    }
  }
}

TEST(SimMetricsBaselineTest, DeterministicSmoothAndPerPod) {
  const absl::Time t = At("2026-11-24T10:23:05Z");
  const Usage a = BaselineUsage("carts-7bbbd7779d-gd5xl", "carts", t, 42);
  const Usage again = BaselineUsage("carts-7bbbd7779d-gd5xl", "carts", t, 42);
  EXPECT_EQ(a.cpu_nanocores, again.cpu_nanocores);
  EXPECT_EQ(a.memory_bytes, again.memory_bytes);
  // 15 s later (one scrape) it moves by less than 3% of CPU and 1% of memory.
  const Usage next = BaselineUsage("carts-7bbbd7779d-gd5xl", "carts", t + absl::Seconds(15), 42);
  EXPECT_LT(std::llabs(next.cpu_nanocores - a.cpu_nanocores), a.cpu_nanocores * 3 / 100);
  EXPECT_LT(std::llabs(next.memory_bytes - a.memory_bytes), a.memory_bytes / 100);
  // Another seed or another pod gives another level.
  EXPECT_NE(BaselineUsage("carts-7bbbd7779d-gd5xl", "carts", t, 43).cpu_nanocores, a.cpu_nanocores);
  EXPECT_NE(BaselineUsage("carts-7bbbd7779d-abcde", "carts", t, 42).cpu_nanocores, a.cpu_nanocores);
  // The JVM services sit higher in memory than the Go ones.
  EXPECT_GT(a.memory_bytes,
            BaselineUsage("payment-74976d749f-bsn5h", "payment", t, 42).memory_bytes);
}

TEST(SimMetricsBaselineTest, RabbitmqPodIsSplitBetweenItsContainers) {
  const absl::Time t = At("2026-11-24T10:23:05Z");
  const Usage broker = BaselineUsage("rabbitmq-8458d7d4c-qwc8s", "rabbitmq", t, 5);
  const Usage exporter = BaselineUsage("rabbitmq-8458d7d4c-qwc8s", "rabbitmq-exporter", t, 5);
  EXPECT_NEAR(static_cast<double>(broker.cpu_nanocores) / exporter.cpu_nanocores, 3.0, 0.01);
  EXPECT_NEAR(static_cast<double>(broker.memory_bytes) / exporter.memory_bytes, 3.0, 0.01);
}

nlohmann::json RabbitPod() {
  return nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "rabbitmq-8458d7d4c-qwc8s", "namespace": "sock-shop",
                 "uid": "u-1", "resourceVersion": "1234",
                 "creationTimestamp": "2026-11-24T09:00:00Z",
                 "labels": {"name": "rabbitmq", "pod-template-hash": "8458d7d4c"}},
    "spec": {"containers": [{"name": "rabbitmq", "image": "rabbitmq:3.6.8-management"},
                            {"name": "rabbitmq-exporter", "image": "kbudde/rabbitmq-exporter"}]},
    "status": {"phase": "Running"}})");
}

TEST(SimMetricsPodTest, ExactObjectWithGivenUsage) {
  const absl::Time now = At("2026-11-24T10:23:05Z");
  nlohmann::json got =
      PodMetrics(RabbitPod(), now, 42, [](const std::string& container, absl::Time) {
        return container == "rabbitmq" ? Usage{4123456, 126418944} : Usage{1000000, 16 * kMi};
      });
  nlohmann::json want = nlohmann::json::parse(R"({
    "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
    "metadata": {"name": "rabbitmq-8458d7d4c-qwc8s", "namespace": "sock-shop",
                 "creationTimestamp": "2026-11-24T10:23:05Z",
                 "labels": {"name": "rabbitmq", "pod-template-hash": "8458d7d4c"}},
    "timestamp": "2026-11-24T10:22:57Z",
    "window": "15.033s",
    "containers": [{"name": "rabbitmq", "usage": {"cpu": "4123456n", "memory": "123456Ki"}},
                   {"name": "rabbitmq-exporter", "usage": {"cpu": "1m", "memory": "16Mi"}}]})");
  EXPECT_EQ(got, want) << got.dump(2);
}

TEST(SimMetricsPodTest, DefaultUsageIsTheBaselineAtTheScrapeTime) {
  const absl::Time now = At("2026-11-24T10:23:05Z");
  nlohmann::json got = PodMetrics(RabbitPod(), now, 42);
  const absl::Time scraped = ParseApiTime(got["timestamp"]);
  EXPECT_LE(scraped, now);
  EXPECT_GT(scraped, now - absl::Seconds(15));
  ASSERT_EQ(got["containers"].size(), 2u);
  EXPECT_EQ(got["containers"][0]["name"], "rabbitmq");
  EXPECT_EQ(got["containers"][1]["name"], "rabbitmq-exporter");
  // Exact: the baseline at the scrape instant, which lies in the whole second ApiTime shows.
  for (int i = 0; i < 2; ++i) {
    const std::string name = got["containers"][i]["name"];
    const std::string cpu = got["containers"][i]["usage"]["cpu"];
    const std::string memory = got["containers"][i]["usage"]["memory"];
    bool matched = false;
    for (int ms = 0; ms < 1000 && !matched; ++ms) {
      Usage u =
          BaselineUsage("rabbitmq-8458d7d4c-qwc8s", name, scraped + absl::Milliseconds(ms), 42);
      matched = FormatCpu(u.cpu_nanocores) == cpu && FormatMemory(u.memory_bytes) == memory;
    }
    EXPECT_TRUE(matched) << name << " " << cpu << " " << memory;
  }
  // The same instant gives the same object; a scrape later, another.
  EXPECT_EQ(PodMetrics(RabbitPod(), now, 42), got);
  EXPECT_NE(PodMetrics(RabbitPod(), now + absl::Seconds(15), 42)["containers"], got["containers"]);
}

TEST(SimMetricsNodeTest, ExactObject) {
  nlohmann::json node = nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "sockshop-control-plane", "uid": "n-1",
                 "labels": {"kubernetes.io/hostname": "sockshop-control-plane"}}})");
  nlohmann::json got =
      NodeMetrics(node, At("2026-11-24T10:23:05Z"), Usage{250000000, 3 * 1024 * kMi});
  nlohmann::json want = nlohmann::json::parse(R"({
    "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
    "metadata": {"name": "sockshop-control-plane", "creationTimestamp": "2026-11-24T10:23:05Z",
                 "labels": {"kubernetes.io/hostname": "sockshop-control-plane"}},
    "timestamp": "2026-11-24T10:22:56Z",
    "window": "15.028s",
    "usage": {"cpu": "250m", "memory": "3Gi"}})");
  EXPECT_EQ(got, want) << got.dump(2);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
