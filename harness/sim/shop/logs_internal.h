// Internal to the containers' logs (logs.cc writes them, logs_format.cc formats their lines):
// the services' identities both halves read. Not part of the sim's interface.
#ifndef SRE_EVAL_SIM_SHOP_LOGS_INTERNAL_H_
#define SRE_EVAL_SIM_SHOP_LOGS_INTERNAL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/shop/logs.h"

namespace sre_eval {
namespace sim {
namespace logs_internal {

struct SpringApp {
  const char* name;                                           // Sleuth's application name.
  const char* main_class;                                     // Fully qualified.
  const char* mongo_host;                                     // "" when the service has no MongoDB.
  std::vector<std::pair<const char*, const char*>> mappings;  // Request mapping, handler.
};

// The Spring Boot service `app` (a pod's "name" label), or null.
const SpringApp* FindSpringApp(const std::string& app);

struct GoApp {
  const char* name;
  int main_line;              // caller of the "transport=HTTP" line.
  const char* health_caller;  // caller of the "method=Health" lines.
  int health_result;          // Components the health check reports.
  int64_t took_min_ns, took_max_ns;
};

// The go-kit service `app`, or null.
const GoApp* FindGoApp(const std::string& app);

// Whether `app` is one of the MongoDB 3.6 databases.
bool IsMongo(const std::string& app);

// `t` in UTC by absl::FormatTime's `format`.
std::string Utc(absl::Time t, const char* format);

// A line of an image with no log style of its own.
std::string GenericLine(absl::Time t, LogLevel level, const std::string& message);

}  // namespace logs_internal
}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOGS_INTERNAL_H_
