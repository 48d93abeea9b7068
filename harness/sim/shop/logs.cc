#include "sim/shop/logs.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/shop/logs_internal.h"

namespace sre_eval {
namespace sim {

using namespace logs_internal;  // The services' identities, from logs_format.cc.

namespace {

// ---- Determinism: a small PRNG of our own, so the output does not depend on the standard
// library's distributions. ----

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashString(uint64_t h, const std::string& s) {
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;  // FNV-1a.
  return SplitMix(h ^ s.size());
}

class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  uint64_t Next() { return state_ = SplitMix(state_); }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  std::string Hex(int digits) {
    std::string out;
    while (static_cast<int>(out.size()) < digits) out += absl::StrFormat("%016x", Next());
    return out.substr(0, digits);
  }
  std::string Uuid() {
    std::string h = Hex(32);
    h[12] = '4';
    h[16] = "89ab"[Next() % 4];
    return absl::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                        h.substr(16, 4), "-", h.substr(20, 12));
  }

 private:
  uint64_t state_;
};

// Lines written at a cursor that moves forward by small random steps.
class Script {
 public:
  Script(absl::Time start, uint64_t seed) : now_(start), rng_(seed) {}
  void Wait(int64_t min_ms, int64_t max_ms) {
    now_ += absl::Nanoseconds(rng_.Range(min_ms * 1000000, max_ms * 1000000));
  }
  void Add(std::string text) { lines_.push_back({now_, std::move(text)}); }
  void AddAll(const std::vector<std::string>& texts) {
    for (const std::string& t : texts) Add(t);
  }
  absl::Time now() const { return now_; }
  Rng& rng() { return rng_; }
  std::vector<LogLine> Take() { return std::move(lines_); }

 private:
  absl::Time now_;
  Rng rng_;
  std::vector<LogLine> lines_;
};

// A periodic source of baseline lines: event i happens at first + i * period + jitter(i), with
// jitter below the period so that the events stay in order.
struct Stream {
  absl::Time first;
  absl::Duration period;
  int64_t jitter_ns = 0;
  uint64_t seed = 0;
  int64_t limit = -1;  // Number of events, -1 for unbounded.
  std::function<std::string(absl::Time, int64_t, Rng&)> text;

  absl::Time At(int64_t i) const {
    Rng rng(SplitMix(seed ^ static_cast<uint64_t>(i)));
    int64_t jitter = jitter_ns > 0 ? rng.Range(0, jitter_ns) : 0;
    return first + period * i + absl::Nanoseconds(jitter);
  }
  std::string Text(int64_t i) const {
    Rng rng(SplitMix(seed ^ static_cast<uint64_t>(i) ^ 0x5bd1e995ULL));
    rng.Next();
    return text(At(i), i, rng);
  }
  // The index of the last event at or before `until`, or -1.
  int64_t LastIndex(absl::Time until) const {
    if (until < first) return -1;
    absl::Duration rem;
    int64_t i = absl::IDivDuration(until - first, period, &rem);
    if (limit >= 0) i = std::min(i, limit - 1);
    while (i >= 0 && At(i) > until) --i;
    return i;
  }
};

// ---- Spring Boot ----

std::string ClassName(const std::string& fqcn) {
  size_t dot = fqcn.rfind('.');
  return dot == std::string::npos ? fqcn : fqcn.substr(dot + 1);
}

void SpringStartup(const SpringApp& app, Script& s) {
  const int pid = 6;
  auto line = [&](const char* sleuth, LogLevel level, const char* thread, const std::string& lg,
                  const std::string& msg) {
    s.Add(SpringLine(s.now(), level, sleuth, pid, thread, lg, msg));
  };
  const std::string parent = absl::StrFormat("%08x", s.rng().Next() & 0x7fffffff);
  const std::string context = absl::StrFormat("%08x", s.rng().Next() & 0x7fffffff);
  const std::string date_fmt = "%a %b %d %H:%M:%S GMT %Y";
  s.Wait(5000, 8000);
  line("bootstrap", LogLevel::kInfo, "main",
       "org.springframework.context.annotation.AnnotationConfigApplicationContext",
       absl::StrCat("Refreshing org.springframework.context.annotation."
                    "AnnotationConfigApplicationContext@",
                    parent, ": startup date [", Utc(s.now(), date_fmt.c_str()),
                    "]; root of context hierarchy"));
  s.Wait(3000, 5000);
  line("bootstrap", LogLevel::kInfo, "main",
       "org.springframework.context.support.PostProcessorRegistrationDelegate$"
       "BeanPostProcessorChecker",
       "Bean 'configurationPropertiesRebinderAutoConfiguration' of type [class "
       "org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration$$"
       "EnhancerBySpringCGLIB$$b894f39] is not eligible for getting processed by all "
       "BeanPostProcessors (for example: not eligible for auto-proxying)");
  s.Wait(200, 600);
  s.AddAll({"", "  .   ____          _            __ _ _",
            " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
            "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
            " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
            "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
            " =========|_|==============|___/=/_/_/_/",
            " :: Spring Boot ::        (v1.4.4.RELEASE)", ""});
  s.Wait(2000, 3000);
  line(app.name, LogLevel::kInfo, "main", app.main_class,
       "No active profile set, falling back to default profiles: default");
  s.Wait(50, 150);
  const std::string web_context = absl::StrCat(
      "org.springframework.boot.context.embedded."
      "AnnotationConfigEmbeddedWebApplicationContext@",
      context, ": startup date [", Utc(s.now(), date_fmt.c_str()),
      "]; parent: org.springframework.context.annotation."
      "AnnotationConfigApplicationContext@",
      parent);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.boot.context.embedded.AnnotationConfigEmbeddedWebApplicationContext",
       absl::StrCat("Refreshing ", web_context));
  s.Wait(5000, 7000);
  line(app.name, LogLevel::kWarning, "main",
       "org.springframework.context.annotation.ConfigurationClassPostProcessor",
       "Cannot enhance @Configuration bean definition 'refreshScope' since its singleton "
       "instance has been created too early. The typical cause is a non-static @Bean method "
       "with a BeanDefinitionRegistryPostProcessor return type: Consider declaring such methods "
       "as 'static'.");
  s.Wait(600, 1200);
  line(app.name, LogLevel::kInfo, "main", "org.springframework.cloud.context.scope.GenericScope",
       absl::StrCat("BeanFactory id=", s.rng().Uuid()));
  s.Wait(3000, 5000);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.boot.context.embedded.tomcat.TomcatEmbeddedServletContainer",
       "Tomcat initialized with port(s): 80 (http)");
  s.Wait(30, 80);
  line(app.name, LogLevel::kInfo, "main", "org.apache.catalina.core.StandardService",
       "Starting service Tomcat");
  s.Wait(3, 10);
  line(app.name, LogLevel::kInfo, "main", "org.apache.catalina.core.StandardEngine",
       "Starting Servlet Engine: Apache Tomcat/8.5.11");
  s.Wait(300, 500);
  const absl::Time refresh_start = s.now();
  line(app.name, LogLevel::kInfo, "ost-startStop-1",
       "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]",
       "Initializing Spring embedded WebApplicationContext");
  s.Wait(5, 12);
  line(app.name, LogLevel::kInfo, "ost-startStop-1",
       "org.springframework.web.context.ContextLoader",
       absl::StrCat(
           "Root WebApplicationContext: initialization completed in ",
           absl::ToInt64Milliseconds(s.now() - refresh_start) + 12000 + s.rng().Range(0, 2000),
           " ms"));
  s.Wait(1500, 2500);
  line(app.name, LogLevel::kInfo, "ost-startStop-1",
       "org.springframework.boot.web.servlet.ServletRegistrationBean",
       "Mapping servlet: 'dispatcherServlet' to [/]");
  s.Wait(5, 15);
  for (const char* filter : {"metricsFilter", "characterEncodingFilter", "hiddenHttpMethodFilter",
                             "httpPutFormContentFilter", "requestContextFilter", "traceFilter"}) {
    line(app.name, LogLevel::kInfo, "ost-startStop-1",
         "org.springframework.boot.web.servlet.FilterRegistrationBean",
         absl::StrCat("Mapping filter: '", filter, "' to: [/*]"));
  }
  if (app.mongo_host[0] != '\0') {
    s.Wait(2000, 4000);
    const std::string host = absl::StrCat(app.mongo_host, ":27017");
    line(app.name, LogLevel::kInfo, "main", "org.mongodb.driver.cluster",
         absl::StrCat("Cluster created with settings {hosts=[", host,
                      "], mode=SINGLE, requiredClusterType=UNKNOWN, serverSelectionTimeout='30000 "
                      "ms', maxWaitQueueSize=500}"));
    s.Wait(40, 120);
    const std::string monitor = absl::StrCat("-", host);
    line(app.name, LogLevel::kInfo, monitor.c_str(), "org.mongodb.driver.connection",
         absl::StrCat("Opened connection [connectionId{localValue:1, serverValue:1}] to ", host));
    s.Wait(2, 8);
    line(app.name, LogLevel::kInfo, monitor.c_str(), "org.mongodb.driver.cluster",
         absl::StrCat("Monitor thread successfully connected to server with description "
                      "ServerDescription{address=",
                      host,
                      ", type=STANDALONE, state=CONNECTED, ok=true, "
                      "version=ServerVersion{versionList=[3, 6, 5]}, minWireVersion=0, "
                      "maxWireVersion=6, maxDocumentSize=16777216, roundTripTimeNanos=",
                      s.rng().Range(900000, 4000000), "}"));
  }
  s.Wait(3000, 5000);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter",
       absl::StrCat("Looking for @ControllerAdvice: ", web_context));
  s.Wait(400, 800);
  for (const auto& [mapping, handler] : app.mappings) {
    line(app.name, LogLevel::kInfo, "main",
         "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping",
         absl::StrCat("Mapped \"", mapping, "\" onto public ", handler));
    s.Wait(1, 4);
  }
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping",
       "Mapped \"{[/error]}\" onto public org.springframework.http.ResponseEntity<java.util.Map<"
       "java.lang.String, java.lang.Object>> org.springframework.boot.autoconfigure.web."
       "BasicErrorController.error(javax.servlet.http.HttpServletRequest)");
  s.Wait(3000, 6000);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.jmx.export.annotation.AnnotationMBeanExporter",
       "Registering beans for JMX exposure on startup");
  s.Wait(50, 200);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.context.support.DefaultLifecycleProcessor",
       "Starting beans in phase 0");
  s.Wait(500, 1500);
  line(app.name, LogLevel::kInfo, "main",
       "org.springframework.boot.context.embedded.tomcat.TomcatEmbeddedServletContainer",
       "Tomcat started on port(s): 80 (http)");
  s.Wait(10, 40);
  const int64_t since_spring_ms = s.rng().Range(36000, 48000);
  line(app.name, LogLevel::kInfo, "main", app.main_class,
       absl::StrFormat("Started %s in %.3f seconds (JVM running for %.3f)",
                       ClassName(app.main_class), since_spring_ms / 1000.0,
                       (since_spring_ms + s.rng().Range(2500, 4000)) / 1000.0));
}

// ---- go-kit services ----

void GoStartup(const GoApp& app, Script& s) {
  s.Wait(20, 80);
  if (std::string(app.name) == "catalogue") {
    // cmd/cataloguesvc prints its image folder to stderr before the logger exists.
    s.Add("images: \"./images/\"");
    s.Add("Abs(images): \"/images\" (<nil>)");
    s.Add("Getwd: \"/\" (<nil>)");
    std::string ls = "ls: [";
    const char* files[] = {"bit_of_leg_1.jpeg",   "bit_of_leg_2.jpeg", "catsocks.jpg",
                           "catsocks2.jpg",       "classic.jpg",       "classic2.jpg",
                           "colourful_socks.jpg", "cross_1.jpeg",      "cross_2.jpeg",
                           "holy_1.jpeg",         "holy_2.jpeg",       "puma_1.jpeg",
                           "puma_2.jpeg",         "youtube_1.jpeg",    "youtube_2.jpeg"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); ++i) {
      absl::StrAppend(&ls, i == 0 ? "" : " ", "\"images/", files[i], "\"");
    }
    s.Add(ls + "]");
    s.Wait(3, 30);
  }
  s.Add(GoKitLine(s.now(), absl::StrCat("main.go:", app.main_line),
                  {{"transport", "HTTP"}, {"port", "80"}}));
}

void AddProbeStreams(const GoApp& app, const ContainerRef& c, uint64_t seed,
                     std::vector<Stream>& streams) {
  Rng rng(seed ^ 0xfeedULL);
  // Readiness from 180 s, liveness from 300 s, both every 3 s (the manifest's probes).
  for (int delay : {180, 300}) {
    Stream st;
    st.first = c.started + absl::Seconds(delay) + absl::Milliseconds(rng.Range(0, 900));
    st.period = absl::Seconds(3);
    st.jitter_ns = 40000000;
    st.seed = rng.Next();
    const GoApp* a = &app;
    st.text = [a](absl::Time t, int64_t, Rng& r) {
      return GoKitLine(
          t, a->health_caller,
          {{"method", "Health"},
           {"result", absl::StrCat(a->health_result)},
           {"took", GoDuration(absl::Nanoseconds(r.Range(a->took_min_ns, a->took_max_ns)))}});
    };
    streams.push_back(std::move(st));
  }
}

// ---- MongoDB 3.6 ----

void MongoStartup(const ContainerRef& c, Script& s, uint64_t seed, std::vector<Stream>& streams) {
  auto add = [&](const char* component, const std::string& msg) {
    s.Add(MongoLine(s.now(), LogLevel::kInfo, component, "initandlisten", msg));
  };
  s.Wait(50, 200);
  add("CONTROL",
      absl::StrCat("MongoDB starting : pid=1 port=27017 dbpath=/data/db 64-bit host=", c.pod));
  s.Wait(0, 1);
  for (const char* text :
       {"db version v3.6.5", "git version: a20ecd3e3a174162052ff99913bc2ca9a839d618",
        "OpenSSL version: OpenSSL 1.0.1t  3 May 2016", "allocator: tcmalloc", "modules: none",
        "build environment:", "    distmod: debian81", "    distarch: x86_64",
        "    target_arch: x86_64", "options: { net: { bindIpAll: true } }"}) {
    add("CONTROL", text);
  }
  add("STORAGE", "");
  add("STORAGE",
      "** WARNING: Using the XFS filesystem is strongly recommended with the WiredTiger storage "
      "engine");
  add("STORAGE", "**          See http://dochub.mongodb.org/core/prodnotes-filesystem");
  add("STORAGE",
      "wiredtiger_open config: create,cache_size=3473M,session_max=20000,eviction=(threads_min=4,"
      "threads_max=4),config_base=false,statistics=(fast),cache_cursors=false,log=(enabled=true,"
      "archive=true,path=journal,compressor=snappy),file_manager=(close_idle_time=100000),"
      "statistics_log=(wait=0),verbose=(recovery_progress),");
  s.Wait(150, 300);
  const int64_t usec = absl::ToUnixMicros(s.now());
  add("STORAGE",
      absl::StrFormat("WiredTiger message [%d:%d][1:0x7f%010x], txn-recover: Set global recovery "
                      "timestamp: 0",
                      usec / 1000000, usec % 1000000, s.rng().Next() & 0xfffffff000ULL));
  s.Wait(15, 40);
  add("CONTROL", "");
  add("CONTROL", "** WARNING: Access control is not enabled for the database.");
  add("CONTROL", "**          Read and write access to data and configuration is unrestricted.");
  add("CONTROL", "");
  s.Wait(5, 15);
  add("STORAGE",
      absl::StrCat("createCollection: admin.system.version with provided UUID: ", s.rng().Uuid()));
  s.Wait(5, 15);
  add("COMMAND", "setting featureCompatibilityVersion to 3.6");
  s.Wait(3, 8);
  add("STORAGE",
      absl::StrCat("createCollection: local.startup_log with generated UUID: ", s.rng().Uuid()));
  s.Wait(5, 15);
  add("FTDC",
      "Initializing full-time diagnostic data capture with directory "
      "'/data/db/diagnostic.data'");
  s.Wait(1, 4);
  add("NETWORK", "waiting for connections on port 27017");

  // The logical session cache's first refresh, five minutes later, creates its collection.
  Stream st;
  st.first = s.now() + absl::Minutes(5) + absl::Microseconds(s.rng().Range(0, 3000));
  st.period = absl::Milliseconds(1);
  st.limit = 4;
  st.seed = seed ^ 0x5e55ULL;
  const std::string uuid = s.rng().Uuid();
  st.text = [uuid](absl::Time t, int64_t i, Rng&) -> std::string {
    switch (i) {
      case 0:
        return MongoLine(t, LogLevel::kInfo, "STORAGE", "thread1",
                         "createCollection: config.system.sessions with generated UUID: " + uuid);
      case 1:
        return MongoLine(t, LogLevel::kInfo, "INDEX", "thread1",
                         "build index on: config.system.sessions properties: { v: 2, key: { "
                         "lastUse: 1 }, name: \"lsidTTLIndex\", ns: \"config.system.sessions\", "
                         "expireAfterSeconds: 1800 }");
      case 2:
        return MongoLine(t, LogLevel::kInfo, "INDEX", "thread1",
                         "\t building index using bulk method; build may temporarily use up to "
                         "500 megabytes of RAM");
      default:
        return MongoLine(t, LogLevel::kInfo, "INDEX", "thread1",
                         "build index done.  scanned 0 total records. 0 secs");
    }
  };
  streams.push_back(std::move(st));
}

// ---- MySQL 5.7 (docker entrypoint: initialise, load the dump, restart) ----

void MysqlStartup(Script& s) {
  auto add = [&](int thread, LogLevel level, const std::string& msg) {
    s.Add(MysqlLine(s.now(), thread, level, msg));
  };
  const char* kVersion = "5.7.20";
  s.Wait(20, 60);
  s.Add("Initializing database");
  s.Wait(100, 300);
  add(0, LogLevel::kWarning,
      "TIMESTAMP with implicit DEFAULT value is deprecated. Please use "
      "--explicit_defaults_for_timestamp server option (see documentation for more details).");
  s.Wait(1500, 3000);
  add(0, LogLevel::kWarning, "InnoDB: New log files created, LSN=45790");
  s.Wait(100, 300);
  add(0, LogLevel::kWarning, "InnoDB: Creating foreign key constraint system tables.");
  s.Wait(50, 150);
  add(0, LogLevel::kWarning,
      absl::StrCat("No existing UUID has been found, so we assume that this is the first time "
                   "that this server has been started. Generating a new UUID: ",
                   s.rng().Uuid(), "."));
  s.Wait(5, 20);
  add(0, LogLevel::kWarning,
      "Gtid table is not ready to be used. Table 'mysql.gtid_executed' cannot be opened.");
  s.Wait(10, 40);
  add(1, LogLevel::kWarning,
      "root@localhost is created with an empty password ! Please consider switching off the "
      "--initialize-insecure option.");
  s.Wait(3000, 6000);
  s.Add("Database initialized");
  s.Add("MySQL init process in progress...");
  s.Wait(20, 60);
  const int temp_pid = static_cast<int>(s.rng().Range(60, 90));
  add(0, LogLevel::kWarning,
      "TIMESTAMP with implicit DEFAULT value is deprecated. Please use "
      "--explicit_defaults_for_timestamp server option (see documentation for more details).");
  add(0, LogLevel::kInfo,
      absl::StrFormat("mysqld (mysqld %s) starting as process %d ...", kVersion, temp_pid));
  s.Wait(200, 400);
  add(0, LogLevel::kInfo,
      absl::StrCat("InnoDB: Buffer pool(s) load completed at ", Utc(s.now(), "%y%m%d %H:%M:%S")));
  s.Wait(100, 200);
  add(0, LogLevel::kInfo, "mysqld: ready for connections.");
  s.Add(absl::StrFormat(
      "Version: '%s'  socket: '/var/run/mysqld/mysqld.sock'  port: 0  MySQL Community Server "
      "(GPL)",
      kVersion));
  s.Wait(1500, 2500);
  for (const char* zone : {"iso3166.tab", "leap-seconds.list", "zone.tab", "zone1970.tab"}) {
    s.Add(absl::StrCat("Warning: Unable to load '/usr/share/zoneinfo/", zone,
                       "' as time zone. Skipping it."));
  }
  s.Wait(500, 1000);
  s.Add("mysql: [Warning] Using a password on the command line interface can be insecure.");
  s.Add("");
  s.Add("/usr/local/bin/docker-entrypoint.sh: running /docker-entrypoint-initdb.d/dump.sql");
  s.Wait(400, 900);
  s.Add("");
  s.Add("");
  add(0, LogLevel::kInfo, "Giving 0 client threads a chance to die gracefully");
  add(0, LogLevel::kInfo, "Shutting down slave threads");
  add(0, LogLevel::kInfo, "Forcefully disconnecting 0 remaining clients");
  add(0, LogLevel::kInfo, "Event Scheduler: Purging the queue. 0 events");
  s.Wait(1000, 2000);
  add(0, LogLevel::kInfo, "mysqld: Shutdown complete");
  s.Add("");
  s.Add("");
  s.Add("MySQL init process done. Ready for start up.");
  s.Add("");
  s.Wait(50, 150);
  add(0, LogLevel::kWarning,
      "TIMESTAMP with implicit DEFAULT value is deprecated. Please use "
      "--explicit_defaults_for_timestamp server option (see documentation for more details).");
  add(0, LogLevel::kInfo,
      absl::StrFormat("mysqld (mysqld %s) starting as process 1 ...", kVersion));
  s.Wait(5, 15);
  for (const char* msg :
       {"InnoDB: PUNCH HOLE support available",
        "InnoDB: Mutexes and rw_locks use GCC atomic builtins", "InnoDB: Uses event mutexes",
        "InnoDB: Compressed tables use zlib 1.2.3", "InnoDB: Using Linux native AIO",
        "InnoDB: Number of pools: 1", "InnoDB: Using CPU crc32 instructions"}) {
    add(0, LogLevel::kInfo, msg);
  }
  s.Wait(10, 30);
  add(0, LogLevel::kInfo,
      "InnoDB: Initializing buffer pool, total size = 128M, instances = 1, chunk size = 128M");
  s.Wait(10, 30);
  add(0, LogLevel::kInfo, "InnoDB: Completed initialization of buffer pool");
  s.Wait(50, 150);
  add(0, LogLevel::kInfo, "InnoDB: 5.7.20 started; log sequence number 12153474");
  add(0, LogLevel::kInfo, "Plugin 'FEDERATED' is disabled.");
  s.Wait(20, 60);
  add(0, LogLevel::kInfo, "Server hostname (bind-address): '*'; port: 3306");
  add(0, LogLevel::kInfo, "IPv6 is available.");
  add(0, LogLevel::kInfo, "  - '::' resolves to '::';");
  add(0, LogLevel::kInfo, "Server socket created on IP: '::'.");
  s.Wait(20, 60);
  add(0, LogLevel::kInfo, "Event Scheduler: Loaded 0 events");
  add(0, LogLevel::kInfo, "mysqld: ready for connections.");
  s.Add(absl::StrFormat(
      "Version: '%s'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server "
      "(GPL)",
      kVersion));
}

// ---- RabbitMQ 3.6.8 and its exporter ----

void RabbitStartup(const ContainerRef& c, Script& s) {
  const std::string node = absl::StrCat("rabbit@", c.pod);
  s.Wait(1500, 2500);
  s.AddAll({"", "              RabbitMQ 3.6.8. Copyright (C) 2007-2016 Pivotal Software, Inc.",
            "  ##  ##      Licensed under the MPL.  See http://www.rabbitmq.com/", "  ##  ##",
            "  ##########  Logs: tty", "  ######  ##        tty", "  ##########",
            "              Starting broker..."});
  auto report = [&](const std::string& msg) {
    s.AddAll(RabbitReport(s.now(), LogLevel::kInfo, msg));
  };
  s.Wait(5, 20);
  report(
      "Starting RabbitMQ 3.6.8 on Erlang 19.3\nCopyright (C) 2007-2016 Pivotal Software, "
      "Inc.\nLicensed under the MPL.  See http://www.rabbitmq.com/");
  report(absl::StrCat("node           : ", node,
                      "\nhome dir       : /var/lib/rabbitmq\nconfig file(s) : "
                      "/etc/rabbitmq/rabbitmq.config\ncookie hash    : ",
                      s.rng().Hex(22),
                      "==\nlog            : tty\nsasl log       : tty\ndatabase dir   : "
                      "/var/lib/rabbitmq/mnesia/",
                      node));
  s.Wait(100, 300);
  report("Memory limit set to 3100MB of 7751MB total.");
  s.Wait(5, 20);
  report("Disk free limit set to 50MB");
  report("Limiting to approx 1048476 file handles (943626 sockets)");
  report("FHC read buffering:  OFF\nFHC write buffering: ON");
  s.Wait(30, 80);
  report(absl::StrCat("Database directory at /var/lib/rabbitmq/mnesia/", node,
                      " is empty. Initialising from scratch..."));
  s.Wait(300, 700);
  report("Waiting for Mnesia tables for 30000 ms, 9 retries left");
  report("Waiting for Mnesia tables for 30000 ms, 9 retries left");
  report("Priority queues enabled, real BQ is rabbit_variable_queue");
  s.Wait(50, 150);
  report("Starting rabbit_node_monitor");
  report("Management plugin: using rates mode 'basic'");
  s.Wait(20, 60);
  report("msg_store_transient: using rabbit_msg_store_ets_index to provide index");
  report("msg_store_persistent: using rabbit_msg_store_ets_index to provide index");
  report("Rebuilding indices from scratch\nmsg_store_persistent: rebuilding indices from scratch");
  s.Wait(100, 300);
  report("Adding vhost '/'");
  report("Creating user 'guest'");
  report("Setting user tags for user 'guest' to [administrator]");
  report("Setting permissions for 'guest' in '/' to '.*', '.*', '.*'");
  s.Wait(20, 60);
  report("started TCP Listener on [::]:5672");
  s.Wait(100, 300);
  report("Management plugin started. Port: 15672");
  report("Statistics database started.");
  s.Wait(5, 20);
  s.Add(" completed with 6 plugins.");
  report(
      "Server startup complete; 6 plugins started.\n * rabbitmq_management\n * "
      "rabbitmq_web_dispatch\n * rabbitmq_management_agent\n * amqp_client\n * cowboy\n * cowlib");
}

void ExporterStartup(Script& s) {
  s.Wait(200, 600);
  s.Add(LogrusLine(
      s.now(), LogLevel::kInfo, "Starting RabbitMQ exporter",
      {{"BUILD_DATE", "20171106-21:26:57"}, {"REVISION", "1d11c5c"}, {"VERSION", "0.26.0"}}));
  s.Add(LogrusLine(s.now(), LogLevel::kInfo, "Active Configuration",
                   {{"CAFILE", "ca.pem"},
                    {"INCLUDE_QUEUES", ".*"},
                    {"INCLUDE_VHOST", ".*"},
                    {"OUTPUT_FORMAT", "TTY"},
                    {"PUBLISH_PORT", "9090"},
                    {"RABBIT_CAPABILITIES", ""},
                    {"RABBIT_EXPORTERS", "[exchange node overview queue]"},
                    {"RABBIT_URL", "http://localhost:15672"},
                    {"RABBIT_USER", "guest"},
                    {"SKIPVERIFY", "false"},
                    {"SKIP_QUEUES", "^$"},
                    {"SKIP_VHOST", "^$"}}));
  s.Wait(5, 20);
  s.Add(LogrusLine(s.now(), LogLevel::kInfo, "Starting server", {{"addr", ":9090"}}));
}

// ---- Redis 7.2 (redis:alpine) ----

void RedisStartup(Script& s) {
  s.Wait(10, 40);
  s.Add(
      RedisLine(s.now(), 1, 'C', LogLevel::kInfo, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"));
  s.Add(
      RedisLine(s.now(), 1, 'C', LogLevel::kInfo,
                "Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started"));
  s.Add(RedisLine(s.now(), 1, 'C', LogLevel::kWarning,
                  "Warning: no config file specified, using the default config. In order to "
                  "specify a config file use redis-server /path/to/redis.conf"));
  s.Wait(0, 2);
  s.Add(RedisLine(s.now(), 1, 'M', LogLevel::kInfo, "monotonic clock: POSIX clock_gettime"));
  s.Wait(0, 2);
  s.Add(RedisLine(s.now(), 1, 'M', LogLevel::kInfo, "Running mode=standalone, port=6379."));
  s.Add(RedisLine(
      s.now(), 1, 'M', LogLevel::kWarning,
      "WARNING Memory overcommit must be enabled! Without it, a background save or replication "
      "may fail under low memory condition. Being disabled, it can also cause failures without "
      "low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this "
      "issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the "
      "command 'sysctl vm.overcommit_memory=1' for this to take effect."));
  s.Add(RedisLine(s.now(), 1, 'M', LogLevel::kInfo, "Server initialized"));
  s.Wait(0, 2);
  s.Add(RedisLine(s.now(), 1, 'M', LogLevel::kInfo, "Ready to accept connections tcp"));
}

// ---- front-end (npm start; node's console.log has no timestamp) ----

void FrontEndStartup(Script& s) {
  s.Wait(300, 700);
  s.AddAll({"", "> microservices-demo-front-end@0.0.1 start /usr/src/app", "> node server.js", ""});
  s.Wait(800, 1600);
  s.Add("Using the redis based session manager");
  s.Wait(20, 80);
  s.Add("App now running in production mode on port 8079");
}

void GenericStartup(const ContainerRef& c, Script& s) {
  s.Wait(100, 400);
  s.Add(GenericLine(s.now(), LogLevel::kInfo,
                    absl::StrCat("Starting ", c.container, " on ", c.pod, " (", c.pod_ip, ")")));
  s.Wait(200, 900);
  s.Add(GenericLine(s.now(), LogLevel::kInfo, "Ready"));
}

}  // namespace

// ---- The whole log ----

std::vector<LogLine> ContainerLogs(const ContainerRef& c, absl::Time until, uint64_t seed,
                                   size_t max_lines) {
  if (until < c.started || max_lines == 0) return {};
  uint64_t key = HashString(seed, c.app);
  key = HashString(key, c.container);
  key = HashString(key, c.pod);
  key = SplitMix(key ^ static_cast<uint64_t>(absl::ToUnixNanos(c.started)));

  Script s(c.started, key);
  std::vector<Stream> streams;
  if (const SpringApp* app = FindSpringApp(c.app)) {
    SpringStartup(*app, s);
  } else if (const GoApp* app = FindGoApp(c.app)) {
    GoStartup(*app, s);
    AddProbeStreams(*app, c, key, streams);
  } else if (IsMongo(c.app)) {
    MongoStartup(c, s, key, streams);
  } else if (c.app == "catalogue-db") {
    MysqlStartup(s);
  } else if (c.app == "rabbitmq") {
    if (c.container == "rabbitmq-exporter") {
      ExporterStartup(s);
    } else {
      RabbitStartup(c, s);
    }
  } else if (c.app == "session-db") {
    RedisStartup(s);
  } else if (c.app == "front-end") {
    FrontEndStartup(s);
  } else {
    GenericStartup(c, s);
  }

  // The start-up lines are one more (finite) stream; merge all streams newest first, keeping
  // only what is needed, so a week of health checks costs no more than `max_lines` lines.
  const std::vector<LogLine> startup = s.Take();
  struct Cursor {
    absl::Time time;
    size_t stream;  // streams.size() stands for the start-up lines.
    int64_t index;
  };
  auto later = [](const Cursor& a, const Cursor& b) {  // Heap order: latest on top.
    return std::tie(a.time, a.stream, a.index) < std::tie(b.time, b.stream, b.index);
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  int64_t last_startup = -1;
  for (size_t i = 0; i < startup.size() && startup[i].time <= until; ++i) {
    last_startup = static_cast<int64_t>(i);
  }
  // Start-up lines precede every baseline line written at the same instant.
  if (last_startup >= 0) heap.push({startup[last_startup].time, 0, last_startup});
  for (size_t i = 0; i < streams.size(); ++i) {
    int64_t last = streams[i].LastIndex(until);
    if (last >= 0) heap.push({streams[i].At(last), i + 1, last});
  }
  std::vector<LogLine> out;
  while (!heap.empty() && out.size() < max_lines) {
    Cursor cur = heap.top();
    heap.pop();
    if (cur.stream == 0) {
      out.push_back(startup[cur.index]);
      if (cur.index > 0) heap.push({startup[cur.index - 1].time, 0, cur.index - 1});
    } else {
      const Stream& st = streams[cur.stream - 1];
      out.push_back({cur.time, st.Text(cur.index)});
      if (cur.index > 0) heap.push({st.At(cur.index - 1), cur.stream, cur.index - 1});
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace sim
}  // namespace sre_eval
