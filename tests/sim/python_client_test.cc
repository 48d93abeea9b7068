// The sim against the official Kubernetes Python client (Debian's python3-kubernetes), run by
// /usr/bin/python3: what an agent written in Python does while investigating (lists, a
// watch, previous logs after an OOM kill, a Job created through the client, scaling, a patch
// the API server refuses, exec into the simulated userland). tests/sim/python_client.py
// prints one line per check.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "served_sim.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace sim {
namespace {

// Debian's interpreter, which python3-kubernetes installs into (scripts/install-deps.sh).
constexpr char kPython[] = "/usr/bin/python3";

TEST(PythonClientTest, AnAgentWrittenInPythonSeesWhatKindWouldShowIt) {
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(42);
  ASSERT_TRUE(served.ok()) << served.status();
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {kPython, absl::StrCat(SRE_EVAL_SOURCE_DIR, "/tests/sim/python_client.py"),
            (*served)->kubeconfig(), (*served)->base_url()};
  o.env = {{"HOME", (*served)->dir().path()}};
  o.timeout = absl::Seconds(120);
  auto r = runner.Run(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->stderr_data;
  // The watch streams the 14 pods (watch=True is a bool, as strconv.ParseBool reads it); the
  // previous log is refused before any restart and served after the OOM kills, as kind does.
  EXPECT_EQ(r->stdout_data,
            "pods: 14\n"
            "front-end pods: ['front-end']\n"
            "watch added: 14\n"
            "previous log before the crash: 400 previous terminated container \"front-end\" in "
            "pod \"front-end-8986b6599-8b48x\" not found\n"
            "restarts after 2 minutes: 2\n"
            "last termination: OOMKilled\n"
            "current log lines: 6\n"
            "previous log ends with: App now running in production mode on port 8079\n"
            "payment scaled to: 0\n"
            "payment endpoints after the scale-down: None\n"
            "service accounts: ['default']\n"
            "limit under the request: 422 Invalid: Deployment.apps \"front-end\" is invalid: "
            "spec.template.spec.containers[0].resources.requests: Invalid value: \"300Mi\": must "
            "be less than or equal to memory limit of 200Mi\n"
            "front-end pod events: ['BackOff', 'Created', 'Pulled', 'Scheduled', 'Started']\n"
            "hpa defaults: (1, 'Utilization', 80)\n"
            "hpa status: (1, 1, [('AbleToScale', 'True', 'ReadyForNewScale'), ('ScalingActive', "
            "'True', 'ValidMetricFound'), ('ScalingLimited', 'False', 'DesiredWithinRange')])\n"
            "carts cpu.max: '30000 100000\\n'\n"
            "PAYMENT_FAILED orders (mongo, orders API): (571, 571, 870)\n"
            "curl to payment at 0 replicas: ('', \"curl: (7) Failed to connect to payment port 80 "
            "after 0 ms: Couldn't connect to server\\n\", 7)\n");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
