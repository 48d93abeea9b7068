#include "sim/shop/logs.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace sim {
namespace {

const absl::Time kStart = At("2026-11-24T10:23:05Z");

ContainerRef Ref(const std::string& app, const std::string& container = "") {
  return {app, container.empty() ? app : container, app + "-6bd9d4b5c8-x7k2p", "10.244.0.12",
          kStart};
}

std::vector<std::string> Texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> out;
  for (const LogLine& l : lines) out.push_back(l.text);
  return out;
}

std::string Ms(absl::Time t) { return absl::FormatTime("%H:%M:%E3S", t, absl::UTCTimeZone()); }

const char* const kApps[] = {"front-end",    "carts",    "carts-db",      "catalogue",
                             "catalogue-db", "orders",   "orders-db",     "payment",
                             "queue-master", "rabbitmq", "session-db",    "shipping",
                             "user",         "user-db",  "something-else"};

TEST(SimLogsStartupTest, FrontEndExact) {
  std::vector<LogLine> lines = ContainerLogs(Ref("front-end"), kStart + absl::Hours(1), 42);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(Texts(lines), (std::vector<std::string>{
                              "",
                              "> microservices-demo-front-end@0.0.1 start /usr/src/app",
                              "> node server.js",
                              "",
                              "Using the redis based session manager",
                              "App now running in production mode on port 8079",
                          }));
  EXPECT_EQ(Ms(lines[0].time), "10:23:05.300");
  EXPECT_EQ(Ms(lines[4].time), "10:23:06.565");
  EXPECT_EQ(Ms(lines[5].time), "10:23:06.608");
}

TEST(SimLogsStartupTest, CatalogueExactAndItsFirstHealthChecks) {
  std::vector<LogLine> lines = ContainerLogs(Ref("catalogue"), kStart + absl::Seconds(190), 42);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0].text, "images: \"./images/\"");
  EXPECT_EQ(lines[1].text, "Abs(images): \"/images\" (<nil>)");
  EXPECT_EQ(lines[2].text, "Getwd: \"/\" (<nil>)");
  EXPECT_EQ(lines[3].text,
            "ls: [\"images/bit_of_leg_1.jpeg\" \"images/bit_of_leg_2.jpeg\" "
            "\"images/catsocks.jpg\" \"images/catsocks2.jpg\" \"images/classic.jpg\" "
            "\"images/classic2.jpg\" \"images/colourful_socks.jpg\" \"images/cross_1.jpeg\" "
            "\"images/cross_2.jpeg\" \"images/holy_1.jpeg\" \"images/holy_2.jpeg\" "
            "\"images/puma_1.jpeg\" \"images/puma_2.jpeg\" \"images/youtube_1.jpeg\" "
            "\"images/youtube_2.jpeg\"]");
  EXPECT_EQ(lines[4].text,
            "ts=2026-11-24T10:23:05.032540846Z caller=main.go:148 transport=HTTP port=80");
  // Readiness probes from 180 s, every 3 s.
  EXPECT_EQ(lines[5].text,
            "ts=2026-11-24T10:26:05.40610816Z caller=logging.go:81 method=Health result=2 "
            "took=390.261µs");
  EXPECT_EQ(lines[6].text,
            "ts=2026-11-24T10:26:08.413296685Z caller=logging.go:81 method=Health result=2 "
            "took=758.016µs");
  for (size_t i = 5; i < lines.size(); ++i) {
    EXPECT_TRUE(absl::StrContains(lines[i].text, " caller=logging.go:81 method=Health result=2 "))
        << lines[i].text;
  }
}

TEST(SimLogsStartupTest, StylesOfTheOtherImages) {
  struct Case {
    const char* app;
    const char* container;
    const char* first_with;  // Substring of the first line containing it.
  };
  const Case cases[] = {
      {"carts", "", "INFO [bootstrap,,,] 6 --- [           main] s.c.a.AnnotationConfigApplicat"},
      {"carts", "",
       "  INFO [carts,,,] 6 --- [           main] works.weave.socks.cart.CartApplication   : "
       "Started CartApplication in "},
      {"orders", "", "[orders,,,] 6 --- [orders-db:27017] org.mongodb.driver.connection    "},
      {"shipping", "", "Started ShippingServiceApplication in "},
      {"queue-master", "", "Started QueueMasterApplication in "},
      {"payment", "", " caller=main.go:68 transport=HTTP port=80"},
      {"user", "", " caller=main.go:99 transport=HTTP port=80"},
      {"carts-db", "", "+0000 I NETWORK  [initandlisten] waiting for connections on port 27017"},
      {"user-db", "",
       "I CONTROL  [initandlisten] MongoDB starting : pid=1 port=27017 dbpath=/data/db 64-bit "
       "host=user-db-6bd9d4b5c8-x7k2p"},
      {"catalogue-db", "", "Z 0 [Note] mysqld: ready for connections."},
      {"catalogue-db", "", "Version: '5.7.20'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306"},
      {"rabbitmq", "", "=INFO REPORT==== 24-Nov-2026::10:23:0"},
      {"rabbitmq", "", "started TCP Listener on [::]:5672"},
      {"rabbitmq", "", "node           : rabbit@rabbitmq-6bd9d4b5c8-x7k2p"},
      {"rabbitmq", "rabbitmq-exporter", "level=info msg=\"Starting server\" addr=\":9090\""},
      {"session-db", "", "1:M 24 Nov 2026 10:23:05.0"},
      {"session-db", "", " * Ready to accept connections tcp"},
      {"something-else", "",
       "INFO  Starting something-else on something-else-6bd9d4b5c8-x7k2p (10.244.0.12)"},
  };
  for (const Case& c : cases) {
    std::vector<LogLine> lines =
        ContainerLogs(Ref(c.app, c.container), kStart + absl::Minutes(2), 42);
    bool found = false;
    for (const LogLine& l : lines) found = found || absl::StrContains(l.text, c.first_with);
    EXPECT_TRUE(found) << c.app << ": " << c.first_with;
  }
}

TEST(SimLogsDeterminismTest, SameArgumentsSameLinesOtherSeedOtherIds) {
  for (const char* app : kApps) {
    std::vector<LogLine> a = ContainerLogs(Ref(app), kStart + absl::Minutes(10), 42);
    std::vector<LogLine> b = ContainerLogs(Ref(app), kStart + absl::Minutes(10), 42);
    ASSERT_EQ(a.size(), b.size()) << app;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].time, b[i].time) << app;
      EXPECT_EQ(a[i].text, b[i].text) << app;
    }
  }
  // Ids depend on the seed: MongoDB's collection UUIDs, Spring's BeanFactory id, the cookie hash.
  for (const char* app : {"carts-db", "carts", "rabbitmq", "catalogue-db"}) {
    EXPECT_NE(Texts(ContainerLogs(Ref(app), kStart + absl::Minutes(10), 42)),
              Texts(ContainerLogs(Ref(app), kStart + absl::Minutes(10), 43)))
        << app;
  }
}

TEST(SimLogsOrderTest, EveryContainerWritesInTimeOrderFromItsStart) {
  for (const char* app : kApps) {
    std::vector<LogLine> lines = ContainerLogs(Ref(app), kStart + absl::Minutes(20), 7);
    ASSERT_FALSE(lines.empty()) << app;
    EXPECT_GE(lines.front().time, kStart) << app;
    EXPECT_LE(lines.back().time, kStart + absl::Minutes(20)) << app;
    for (size_t i = 1; i < lines.size(); ++i) {
      ASSERT_LE(lines[i - 1].time, lines[i].time) << app << " line " << i;
    }
  }
}

TEST(SimLogsBoundTest, MaxLinesKeepsTheNewest) {
  const absl::Time week = kStart + absl::Hours(24 * 7);
  std::vector<LogLine> all = ContainerLogs(Ref("payment"), week, 42);
  ASSERT_EQ(all.size(), 5000u);
  std::vector<LogLine> few = ContainerLogs(Ref("payment"), week, 42, 10);
  ASSERT_EQ(few.size(), 10u);
  for (size_t i = 0; i < few.size(); ++i) {
    EXPECT_EQ(few[i].text, all[all.size() - 10 + i].text);
  }
  EXPECT_LE(all.back().time, week);
  EXPECT_GT(all.back().time, week - absl::Seconds(3));
  EXPECT_TRUE(ContainerLogs(Ref("payment"), week, 42, 0).empty());
  // Before the container started there is nothing; mid-start-up, only what was written so far.
  EXPECT_TRUE(ContainerLogs(Ref("carts"), kStart - absl::Seconds(1), 42).empty());
  std::vector<LogLine> early = ContainerLogs(Ref("carts"), kStart + absl::Seconds(20), 42);
  EXPECT_GT(early.size(), 0u);
  EXPECT_LT(early.size(), ContainerLogs(Ref("carts"), kStart + absl::Minutes(2), 42).size());
}

TEST(SimLogsBaselineTest, QuietServicesWriteNothingAfterStartUp) {
  for (const char* app : {"front-end", "carts", "orders", "shipping", "queue-master",
                          "catalogue-db", "session-db", "rabbitmq", "something-else"}) {
    EXPECT_EQ(Texts(ContainerLogs(Ref(app), kStart + absl::Minutes(2), 42)),
              Texts(ContainerLogs(Ref(app), kStart + absl::Hours(1), 42)))
        << app;
  }
  const std::vector<LogLine> exporter =
      ContainerLogs(Ref("rabbitmq", "rabbitmq-exporter"), kStart + absl::Hours(1), 42);
  EXPECT_EQ(exporter.size(), 3u);
}

TEST(SimLogsBaselineTest, MongoCreatesTheSessionsCollectionOnceAfterFiveMinutes) {
  const size_t startup = ContainerLogs(Ref("orders-db"), kStart + absl::Minutes(4), 42).size();
  std::vector<LogLine> hour = ContainerLogs(Ref("orders-db"), kStart + absl::Hours(1), 42);
  ASSERT_EQ(hour.size(), startup + 4);
  EXPECT_TRUE(absl::StrContains(hour[startup].text,
                                " I STORAGE  [thread1] createCollection: config.system.sessions "
                                "with generated UUID: "));
  EXPECT_TRUE(absl::EndsWith(hour.back().text,
                             " I INDEX    [thread1] build index done.  scanned 0 total records. "
                             "0 secs"));
  EXPECT_GE(hour[startup].time, kStart + absl::Minutes(5));
  EXPECT_LT(hour[startup].time, kStart + absl::Minutes(5) + absl::Seconds(2));
}

TEST(SimLogsBaselineTest, GoServicesLogEveryProbe) {
  // Readiness from 180 s and liveness from 300 s, every 3 s: over the first hour about
  // (3600-180)/3 + (3600-300)/3 = 2240 health lines after the start-up line.
  std::vector<LogLine> hour = ContainerLogs(Ref("user"), kStart + absl::Hours(1), 42);
  EXPECT_GE(hour.size(), 1u + 2237);
  EXPECT_LE(hour.size(), 1u + 2240);
  size_t health = 0;
  for (const LogLine& l : hour) {
    if (absl::StrContains(l.text, " caller=middlewares.go:153 method=Health result=2 took=")) {
      ++health;
      EXPECT_GE(l.time, kStart + absl::Seconds(180));
    }
  }
  EXPECT_EQ(health, hour.size() - 1);
}

TEST(SimLogsFormatTest, Spring) {
  EXPECT_EQ(SpringLine(At("2026-11-24T10:23:05.123456Z"), LogLevel::kInfo, "carts", 6, "main",
                       "org.springframework.boot.SpringApplication", "Started"),
            "2026-11-24 10:23:05.123  INFO [carts,,,] 6 --- [           main] "
            "o.s.boot.SpringApplication               : Started");
  EXPECT_EQ(
      SpringLine(At("2026-11-24T10:23:05Z"), LogLevel::kError, "orders", 6, "http-nio-80-exec-10",
                 "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]."
                 "[dispatcherServlet]",
                 "Servlet.service() failed"),
      "2026-11-24 10:23:05.000 ERROR [orders,,,] 6 --- [-nio-80-exec-10] "
      "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() failed");
  struct Case {
    const char* fqcn;
    const char* abbreviated;
  };
  const Case cases[] = {
      {"works.weave.socks.cart.CartApplication", "works.weave.socks.cart.CartApplication"},
      {"org.springframework.boot.SpringApplication", "o.s.boot.SpringApplication"},
      {"org.springframework.boot.context.embedded.tomcat.TomcatEmbeddedServletContainer",
       "o.s.b.c.e.t.TomcatEmbeddedServletContainer"},
      {"org.mongodb.driver.cluster", "org.mongodb.driver.cluster"},
      {"org.springframework.web.context.ContextLoader", "o.s.web.context.ContextLoader"},
  };
  for (const Case& c : cases) EXPECT_EQ(AbbreviateLogger(c.fqcn), c.abbreviated);
}

TEST(SimLogsFormatTest, GoKit) {
  EXPECT_EQ(GoKitLine(At("2026-11-24T10:23:05.1234567Z"), "main.go:75",
                      {{"transport", "HTTP"}, {"port", "80"}}),
            "ts=2026-11-24T10:23:05.1234567Z caller=main.go:75 transport=HTTP port=80");
  EXPECT_EQ(GoKitLine(At("2026-11-24T10:23:05Z"), "main.go:111",
                      {{"Error", "Unable to connect to Database"}, {"q", "a\"b"}, {"e", ""}}),
            "ts=2026-11-24T10:23:05Z caller=main.go:111 Error=\"Unable to connect to Database\" "
            "q=\"a\\\"b\" e=");
  struct Case {
    absl::Duration d;
    const char* text;
  };
  const Case cases[] = {
      {absl::Nanoseconds(574757), "574.757µs"},
      {absl::Nanoseconds(5372), "5.372µs"},
      {absl::Nanoseconds(16000), "16µs"},
      {absl::Nanoseconds(999), "999ns"},
      {absl::Nanoseconds(1760150), "1.76015ms"},
      {absl::Milliseconds(1500), "1.5s"},
      {absl::Seconds(123), "2m3s"},
      {absl::Seconds(3725), "1h2m5s"},
      {absl::ZeroDuration(), "0s"},
  };
  for (const Case& c : cases) EXPECT_EQ(GoDuration(c.d), c.text);
}

TEST(SimLogsFormatTest, DatabasesBrokerAndCache) {
  const absl::Time t = At("2026-11-04T10:23:05.123456Z");
  EXPECT_EQ(MongoLine(t, LogLevel::kInfo, "NETWORK", "initandlisten",
                      "waiting for connections on port 27017"),
            "2026-11-04T10:23:05.123+0000 I NETWORK  [initandlisten] waiting for connections on "
            "port 27017");
  EXPECT_EQ(MysqlLine(t, 0, LogLevel::kInfo, "mysqld: ready for connections."),
            "2026-11-04T10:23:05.123456Z 0 [Note] mysqld: ready for connections.");
  EXPECT_EQ(MysqlLine(t, 12, LogLevel::kWarning, "x"),
            "2026-11-04T10:23:05.123456Z 12 [Warning] x");
  EXPECT_EQ(RabbitReport(t, LogLevel::kError, "closing AMQP connection\nreason"),
            (std::vector<std::string>{"", "=ERROR REPORT==== 4-Nov-2026::10:23:05 ===",
                                      "closing AMQP connection", "reason"}));
  EXPECT_EQ(RedisLine(t, 1, 'M', LogLevel::kInfo, "Ready to accept connections tcp"),
            "1:M 04 Nov 2026 10:23:05.123 * Ready to accept connections tcp");
  EXPECT_EQ(LogrusLine(t, LogLevel::kError, "Error while retrieving data", {{"host", "x y"}}),
            "time=\"2026-11-04T10:23:05Z\" level=error msg=\"Error while retrieving data\" "
            "host=\"x y\"");
}

TEST(SimLogsFormatTest, FormatLinePicksTheContainersStyle) {
  const absl::Time t = At("2026-11-24T10:23:05.5Z");
  EXPECT_EQ(
      FormatLine(Ref("orders"), t, LogLevel::kError, "boom"),
      std::vector<std::string>{"2026-11-24 10:23:05.500 ERROR [orders,,,] 6 --- [           main] "
                               "w.weave.socks.orders.OrderApplication    : boom"});
  EXPECT_EQ(FormatLine(Ref("payment"), t, LogLevel::kError, "connection refused"),
            std::vector<std::string>{
                "ts=2026-11-24T10:23:05.5Z caller=main.go:68 msg=\"connection refused\""});
  EXPECT_EQ(FormatLine(Ref("carts-db"), t, LogLevel::kInfo, "slow query"),
            std::vector<std::string>{"2026-11-24T10:23:05.500+0000 I -        [conn1] slow query"});
  EXPECT_EQ(FormatLine(Ref("front-end"), t, LogLevel::kError, "connect ECONNREFUSED"),
            std::vector<std::string>{"Error: connect ECONNREFUSED"});
  EXPECT_EQ(FormatLine(Ref("rabbitmq"), t, LogLevel::kWarning, "w").size(), 3u);
  EXPECT_EQ(ContainerPid("carts", "carts"), 6);
  EXPECT_EQ(ContainerPid("session-db", "session-db"), 1);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
