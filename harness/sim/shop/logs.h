// The simulated containers' output, as `kubectl logs` shows it: each Sock Shop image's real
// start-up lines in its own format, then the quiet baseline the real service writes when nobody
// uses the shop. Pure functions of their arguments (no clock, no global state): thread-safe.
//
// The per-style line formatters below are public so that incident code can add lines (OOM,
// "connection refused", slow queries) that look like the rest of the container's output.
#ifndef SRE_EVAL_SIM_SHOP_LOGS_H_
#define SRE_EVAL_SIM_SHOP_LOGS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace sre_eval {
namespace sim {

struct LogLine {
  absl::Time time;
  std::string text;  // Without the trailing newline.
};

struct ContainerRef {
  // The Deployment name: front-end, carts, carts-db, catalogue, catalogue-db, orders, orders-db,
  // payment, queue-master, rabbitmq, session-db, shipping, user, user-db. Any other name gets
  // the generic style.
  std::string app;
  std::string container;  // rabbitmq has two: "rabbitmq" and "rabbitmq-exporter".
  std::string pod;        // Also the container's hostname.
  std::string pod_ip;
  absl::Time started;  // When this container instance started.
};

// Everything the container wrote from `c.started` until `until` (inclusive), in time order
// (ties keep the order the process wrote them): the service's start-up output, then its baseline.
// At most the newest `max_lines` lines; the cost is proportional to `max_lines`, not to the
// time span. Empty when `until` is before `c.started`. Deterministic: `seed`, the pod name, the
// container and `started` choose the small variations (ms jitter, ids, hashes).
//
// Baselines (what an idle shop writes after start-up):
//   catalogue, payment, user: one go-kit "method=Health" line per kubelet probe: readiness from
//     180 s after start, liveness from 300 s, each every 3 s (about 40 lines a minute).
//   carts-db, orders-db, user-db: MongoDB 3.6 creates config.system.sessions 5 minutes after
//     start (4 lines), then nothing.
//   front-end (its probes hit static files, which morgan does not log), carts, orders,
//   shipping, queue-master, catalogue-db, session-db, rabbitmq, rabbitmq-exporter, generic:
//   nothing.
std::vector<LogLine> ContainerLogs(const ContainerRef& c, absl::Time until, uint64_t seed,
                                   size_t max_lines = 5000);

// ---- Formatting, one function per image family. All times are printed in UTC. ----

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// The process id the image's main process has in its container (Java 6, others 1).
int ContainerPid(const std::string& app, const std::string& container);

// Spring Boot 1.x with Sleuth (carts, orders, shipping, queue-master):
// "2026-11-24 10:23:05.123  INFO [carts,,,] 6 --- [           main] o.s.boot.SpringApplication
// : message". `logger` is the full class name; it is abbreviated and padded to 40 columns as
// logback's %-40.40logger{39} does, and `thread` right-aligned to 15 (left-truncated).
std::string SpringLine(absl::Time t, LogLevel level, const std::string& app, int pid,
                       const std::string& thread, const std::string& logger,
                       const std::string& message);
// logback's %logger{39} abbreviation: "org.springframework.boot.SpringApplication" ->
// "o.s.boot.SpringApplication".
std::string AbbreviateLogger(const std::string& fqcn, size_t target = 39);

// go-kit logfmt (catalogue, payment, user): "ts=2026-11-24T10:23:05.123456789Z caller=main.go:75
// transport=HTTP port=80". `ts` is Go's RFC3339Nano (trailing zeros dropped); values holding
// spaces, quotes, '=' or non-printables are quoted as go-logfmt does.
std::string GoKitLine(absl::Time t, const std::string& caller,
                      const std::vector<std::pair<std::string, std::string>>& fields);
// A time.Duration as Go prints it: "574.757µs", "1.5s", "2m3.4s".
std::string GoDuration(absl::Duration d);

// MongoDB 3.6 text log (carts-db, orders-db, user-db): "2026-11-24T10:23:05.123+0000 I NETWORK
// [initandlisten] waiting for connections on port 27017". `component` is padded to 8.
std::string MongoLine(absl::Time t, LogLevel level, const std::string& component,
                      const std::string& context, const std::string& message);

// MySQL 5.7 error log (catalogue-db): "2026-11-24T10:23:05.123456Z 0 [Note] mysqld: ready for
// connections." (kInfo "Note", kWarning "Warning", kError "ERROR").
std::string MysqlLine(absl::Time t, int thread, LogLevel level, const std::string& message);

// RabbitMQ 3.6 report (rabbitmq): a blank line, "=INFO REPORT==== 24-Nov-2026::10:23:05 ===",
// then one line per line of `message` ("WARNING REPORT", "ERROR REPORT" for those levels).
std::vector<std::string> RabbitReport(absl::Time t, LogLevel level, const std::string& message);

// Redis (session-db): "1:M 24 Nov 2026 10:23:05.123 * Ready to accept connections tcp". `role`
// is 'M' (master), 'C' (before the role is known) or 'S'; level marks '.', '*', '#', '#'.
std::string RedisLine(absl::Time t, int pid, char role, LogLevel level, const std::string& message);

// logrus text (rabbitmq-exporter): time="2026-11-24T10:23:05Z" level=info msg="..." k=v.
std::string LogrusLine(absl::Time t, LogLevel level, const std::string& message,
                       const std::vector<std::pair<std::string, std::string>>& fields = {});

// One event in `c`'s style with that style's usual context, as the lines the process writes:
// Spring on thread "main" with the application class as logger; go-kit with caller
// "main.go:<line of its startup log>" and the message as msg="..."; MongoDB component "-"
// context "conn1"; MySQL thread 0; a RabbitMQ report; Redis "1:M"; rabbitmq-exporter logrus;
// front-end and generic: the bare message (console.log has no timestamp or level), prefixed
// "Error: " for kError. For context these defaults do not fit, call the style's own function.
std::vector<std::string> FormatLine(const ContainerRef& c, absl::Time t, LogLevel level,
                                    const std::string& message);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOGS_H_
