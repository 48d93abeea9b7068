#include "sim/shop/logs.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "sim/shop/logs_internal.h"

namespace sre_eval {
namespace sim {
namespace logs_internal {

std::string Utc(absl::Time t, const char* format) {
  return absl::FormatTime(format, t, absl::UTCTimeZone());
}

const SpringApp* FindSpringApp(const std::string& app) {
  static const SpringApp* const kApps = new SpringApp[4]{
      {"carts",
       "works.weave.socks.cart.CartApplication",
       "carts-db",
       {{"{[/carts/{customerId}],methods=[GET],produces=[application/json]}",
         "works.weave.socks.cart.entities.Cart "
         "works.weave.socks.cart.controllers.CartsController.get(java.lang.String)"},
        {"{[/carts/{customerId}],methods=[DELETE]}",
         "void works.weave.socks.cart.controllers.CartsController.delete(java.lang.String)"},
        {"{[/carts/{customerId}/merge],methods=[GET]}",
         "void works.weave.socks.cart.controllers.CartsController.mergeCarts(java.lang.String,"
         "java.lang.String)"},
        {"{[/carts/{customerId}/items],methods=[POST],consumes=[application/json]}",
         "works.weave.socks.cart.entities.Item "
         "works.weave.socks.cart.controllers.ItemsController.addToCart(java.lang.String,"
         "works.weave.socks.cart.entities.Item)"}}},
      {"orders",
       "works.weave.socks.orders.OrderApplication",
       "orders-db",
       {{"{[/orders],methods=[POST],consumes=[application/json]}",
         "works.weave.socks.orders.entities.CustomerOrder "
         "works.weave.socks.orders.controllers.OrdersController.newOrder("
         "works.weave.socks.orders.resources.NewOrderResource)"},
        {"{[/health],methods=[GET]}",
         "java.util.Map<java.lang.String, "
         "java.util.List<works.weave.socks.orders.entities.Health>> "
         "works.weave.socks.orders.controllers.HealthCheckController.getHealth()"}}},
      {"shipping",
       "works.weave.socks.shipping.ShippingServiceApplication",
       "",
       {{"{[/shipping],methods=[POST]}",
         "works.weave.socks.shipping.entities.Shipment "
         "works.weave.socks.shipping.controllers.ShippingController.postShipping("
         "works.weave.socks.shipping.entities.Shipment)"},
        {"{[/health],methods=[GET]}",
         "java.util.Map<java.lang.String, java.util.List<works.weave.socks.shipping.entities."
         "HealthCheck>> works.weave.socks.shipping.controllers.ShippingController.getHealth()"}}},
      {"queue-master",
       "works.weave.socks.queuemaster.QueueMasterApplication",
       "",
       {{"{[/health],methods=[GET]}",
         "java.util.Map<java.lang.String, java.util.List<works.weave.socks.queuemaster.entities."
         "HealthCheck>> works.weave.socks.queuemaster.controllers.HealthCheckController."
         "getHealth()"}}},
  };
  for (int i = 0; i < 4; ++i) {
    if (app == kApps[i].name) return &kApps[i];
  }
  return nullptr;
}

const GoApp* FindGoApp(const std::string& app) {
  static const GoApp kApps[] = {
      {"catalogue", 148, "logging.go:81", 2, 150000, 1800000},
      {"payment", 68, "logging.go:36", 1, 2000, 9000},
      {"user", 99, "middlewares.go:153", 2, 60000, 900000},
  };
  for (const GoApp& g : kApps) {
    if (app == g.name) return &g;
  }
  return nullptr;
}

bool IsMongo(const std::string& app) {
  return app == "carts-db" || app == "orders-db" || app == "user-db";
}

std::string GenericLine(absl::Time t, LogLevel level, const std::string& message) {
  const char* names[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  return absl::StrCat(Utc(t, "%Y-%m-%dT%H:%M:%E3SZ"), " ", names[static_cast<int>(level)], " ",
                      message);
}

}  // namespace logs_internal

using namespace logs_internal;  // The services' identities, shared with logs.cc.

// ---- Formatting ----

int ContainerPid(const std::string& app, const std::string& container) {
  (void)container;
  return FindSpringApp(app) != nullptr ? 6 : 1;
}

std::string AbbreviateLogger(const std::string& fqcn, size_t target) {
  if (fqcn.size() <= target) return fqcn;
  // logback's TargetLengthBasedClassNameAbbreviator: shorten packages to one letter, leftmost
  // first, until the name fits; the class name itself is never shortened.
  std::vector<std::string> parts = absl::StrSplit(fqcn, '.');
  int64_t to_trim = static_cast<int64_t>(fqcn.size()) - static_cast<int64_t>(target);
  std::string out;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (to_trim > 0 && parts[i].size() > 1) {
      to_trim -= static_cast<int64_t>(parts[i].size()) - 1;
      out += parts[i].substr(0, 1);
    } else {
      out += parts[i];
    }
    out += '.';
  }
  return out + parts.back();
}

std::string SpringLine(absl::Time t, LogLevel level, const std::string& app, int pid,
                       const std::string& thread, const std::string& logger,
                       const std::string& message) {
  const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  std::string th = thread.size() > 15 ? thread.substr(thread.size() - 15) : thread;
  std::string lg = AbbreviateLogger(logger, 39);
  if (lg.size() > 40) lg = lg.substr(lg.size() - 40);
  return absl::StrFormat("%s %5s [%s,,,] %d --- [%15s] %-40s : %s", Utc(t, "%Y-%m-%d %H:%M:%E3S"),
                         names[static_cast<int>(level)], app, pid, th, lg, message);
}

std::string GoDuration(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-ns) : static_cast<uint64_t>(ns);
  auto frac = [](uint64_t whole, uint64_t rest, int digits) {
    std::string f = absl::StrFormat("%0*d", digits, rest);
    while (!f.empty() && f.back() == '0') f.pop_back();
    return f.empty() ? absl::StrCat(whole) : absl::StrCat(whole, ".", f);
  };
  if (u < 1000) return absl::StrCat(sign, u, "ns");
  if (u < 1000000) return absl::StrCat(sign, frac(u / 1000, u % 1000, 3), "µs");
  if (u < 1000000000) return absl::StrCat(sign, frac(u / 1000000, u % 1000000, 6), "ms");
  uint64_t secs = u / 1000000000, rest = u % 1000000000;
  std::string out = sign;
  if (secs >= 3600) absl::StrAppend(&out, secs / 3600, "h");
  if (secs >= 60) absl::StrAppend(&out, (secs / 60) % 60, "m");
  absl::StrAppend(&out, frac(secs % 60, rest, 9), "s");
  return out;
}

std::string GoKitLine(absl::Time t, const std::string& caller,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  auto value = [](const std::string& v) {
    bool quote = false;
    for (unsigned char ch : v) {
      if (ch <= ' ' || ch == '=' || ch == '"' || ch == 0x7f) quote = true;
    }
    if (!quote) return v;
    std::string out = "\"";
    for (char ch : v) {
      switch (ch) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += ch;
      }
    }
    return out + "\"";
  };
  std::string out = absl::StrCat("ts=", Utc(t, "%Y-%m-%dT%H:%M:%E*SZ"), " caller=", value(caller));
  for (const auto& [k, v] : fields) absl::StrAppend(&out, " ", k, "=", value(v));
  return out;
}

std::string MongoLine(absl::Time t, LogLevel level, const std::string& component,
                      const std::string& context, const std::string& message) {
  const char severity[] = {'D', 'I', 'W', 'E'};
  return absl::StrFormat("%s %c %-8s [%s] %s", Utc(t, "%Y-%m-%dT%H:%M:%E3S+0000"),
                         severity[static_cast<int>(level)], component, context, message);
}

std::string MysqlLine(absl::Time t, int thread, LogLevel level, const std::string& message) {
  const char* names[] = {"Note", "Note", "Warning", "ERROR"};
  return absl::StrFormat("%s %d [%s] %s", Utc(t, "%Y-%m-%dT%H:%M:%E6SZ"), thread,
                         names[static_cast<int>(level)], message);
}

std::vector<std::string> RabbitReport(absl::Time t, LogLevel level, const std::string& message) {
  const char* names[] = {"INFO", "INFO", "WARNING", "ERROR"};
  std::vector<std::string> out = {
      "", absl::StrCat("=", names[static_cast<int>(level)],
                       " REPORT==== ", Utc(t, "%e-%b-%Y::%H:%M:%S"), " ===")};
  // Erlang prints the day without padding: "=INFO REPORT==== 4-Dec-2026::...".
  if (out[1].find("====  ") != std::string::npos) {
    out[1].replace(out[1].find("====  "), 6, "==== ");
  }
  for (absl::string_view part : absl::StrSplit(message, '\n')) out.emplace_back(part);
  return out;
}

std::string RedisLine(absl::Time t, int pid, char role, LogLevel level,
                      const std::string& message) {
  const char marks[] = {'.', '*', '#', '#'};
  return absl::StrFormat("%d:%c %s %c %s", pid, role, Utc(t, "%d %b %Y %H:%M:%E3S"),
                         marks[static_cast<int>(level)], message);
}

std::string LogrusLine(absl::Time t, LogLevel level, const std::string& message,
                       const std::vector<std::pair<std::string, std::string>>& fields) {
  const char* names[] = {"debug", "info", "warning", "error"};
  auto value = [](const std::string& v) {
    bool plain = !v.empty();
    for (char ch : v) {
      if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_' ||
            ch == '/' || ch == '@' || ch == '^' || ch == '+')) {
        plain = false;
      }
    }
    return plain ? v : absl::StrCat("\"", v, "\"");
  };
  std::string out =
      absl::StrCat("time=\"", Utc(t, "%Y-%m-%dT%H:%M:%SZ"),
                   "\" level=", names[static_cast<int>(level)], " msg=", value(message));
  for (const auto& [k, v] : fields) absl::StrAppend(&out, " ", k, "=", value(v));
  return out;
}

std::vector<std::string> FormatLine(const ContainerRef& c, absl::Time t, LogLevel level,
                                    const std::string& message) {
  if (const SpringApp* app = FindSpringApp(c.app)) {
    return {SpringLine(t, level, app->name, 6, "main", app->main_class, message)};
  }
  if (const GoApp* app = FindGoApp(c.app)) {
    return {GoKitLine(t, absl::StrCat("main.go:", app->main_line), {{"msg", message}})};
  }
  if (IsMongo(c.app)) return {MongoLine(t, level, "-", "conn1", message)};
  if (c.app == "catalogue-db") return {MysqlLine(t, 0, level, message)};
  if (c.app == "rabbitmq") {
    if (c.container == "rabbitmq-exporter") return {LogrusLine(t, level, message)};
    return RabbitReport(t, level, message);
  }
  if (c.app == "session-db") return {RedisLine(t, 1, 'M', level, message)};
  if (c.app == "front-end") {
    return {level == LogLevel::kError ? absl::StrCat("Error: ", message) : message};
  }
  return {GenericLine(t, level, message)};
}

}  // namespace sim
}  // namespace sre_eval
