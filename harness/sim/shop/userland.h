// What `kubectl exec` runs inside a simulated container: a small userland that answers what
// SRE agents actually run, from the model's state, and nothing else. No process runs: each
// command is computed. A shell (`sh -c`, `bash -c`, or a script on stdin) runs lists
// (`;`, `&&`, `||`), pipelines, quotes, `$VAR` and redirections to /dev/null.
//
// Commands (README.md, "The simulated cluster", lists them too):
//   env, printenv [NAME...]    the container's environment: PATH, HOSTNAME, the spec's env,
//                              the service links (FRONT_END_SERVICE_HOST, ...), HOME
//   cat FILE...                /sys/fs/cgroup/{memory.max, memory.current, memory.events,
//                              memory.peak, cpu.max, cpu.stat}, /etc/{hostname, hosts,
//                              resolv.conf}; stdin without a file
//   ls [DIR]                   /, /sys/fs/cgroup, /etc, /tmp
//   ps [aux|-ef]               the container's process (busybox's format)
//   df [-h]                    the container's filesystems
//   hostname, date, uname [-a], echo, true, false, exit [N], sleep N (returns at once)
//   nslookup NAME, getent hosts NAME   service names (NAME, NAME.NS, NAME.NS.svc[.cluster.local])
//   curl URL, wget -O- URL     http:// to a service (or localhost: the container's own), as the
//                              services proxy answers; the usual flags (-s -S -f -i -I -X -d -o
//                              -w '%{http_code}'; -q -O)
//   mongo, mongosh --eval JS   in the mongo containers: db.C.count(F), countDocuments(F),
//                              find(F).count(), find(F) and distinct("field") on the orders
//                              (database "data", collection "customerOrder"; F is {} or
//                              {field: "value"}), getCollectionNames(); other collections read
//                              as empty
//   mysql [-u -p -D -e -N -s -t -E] in catalogue-db: a SQL subset over socksdb
//                              (sim/shop/mysql_shell.h)
//   grep [-i -v -c -E -F -q] PATTERN, head/tail [-n N], wc [-l -w -c], sort, uniq   in pipes
// Anything else answers as a shell does when it has no such program: "sh: NAME: not found",
// exit 127. Memory counters are the current container instance's: after an OOM kill the
// container runs in a new cgroup, so memory.events counts from 0 again, as on a node.
#ifndef SRE_EVAL_SIM_SHOP_USERLAND_H_
#define SRE_EVAL_SIM_SHOP_USERLAND_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/sim.h"

namespace sre_eval {
namespace sim {

struct ExecResult {
  std::string out;
  std::string err;
  int exit_code = 0;
};

// Runs `argv` in `container` of `pod` (a full Pod JSON whose container runs) with `input` on
// its stdin. `shift` moves the times shown (`date`), as ApiServer::set_time_shift. Requires
// sim->mu(). Deterministic; output bounded to a few MiB.
ExecResult RunInContainer(Sim* sim, const nlohmann::json& pod, const std::string& container,
                          const std::vector<std::string>& argv, const std::string& input,
                          absl::Duration shift = absl::ZeroDuration());

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_USERLAND_H_
