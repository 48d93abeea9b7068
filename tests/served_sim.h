// A simulated cluster served on 127.0.0.1 for tests: the in-process Sim, its API server on a
// free port and a kubeconfig for it (context "sre-eval-sim", namespace sock-shop) in a fresh
// TempDir. Tests that drive it through kubectl or the sim's control endpoint share it.
//
//   absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
//   ASSERT_TRUE(served.ok()) << served.status();
#ifndef SRE_EVAL_TESTS_SERVED_SIM_H_
#define SRE_EVAL_TESTS_SERVED_SIM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {

// Runs the installed kubectl with `kubeconfig`, its discovery cache and HOME in `dir`.
inline SubprocessResult RunKubectl(const std::string& kubeconfig, const std::string& dir,
                                   std::vector<std::string> args,
                                   absl::Duration timeout = absl::Seconds(30),
                                   std::optional<std::string> stdin_data = std::nullopt,
                                   std::vector<std::pair<std::string, std::string>> env = {}) {
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.stdin_data = std::move(stdin_data);
  o.argv = {"kubectl", "--kubeconfig", kubeconfig};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"KUBECACHEDIR", dir + "/cache"}, {"HOME", dir}};
  o.env.insert(o.env.end(), env.begin(), env.end());
  o.timeout = timeout;
  auto r = runner.Run(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SubprocessResult();
}

class ServedSim {
 public:
  // Creates the sim with `seed` (the other SimOptions at their defaults) and starts serving.
  static absl::StatusOr<std::unique_ptr<ServedSim>> Start(uint64_t seed) {
    sim::SimOptions options;
    options.seed = seed;
    absl::StatusOr<std::unique_ptr<sim::Sim>> made = sim::Sim::Create(options);
    if (!made.ok()) return made.status();
    std::unique_ptr<ServedSim> served(new ServedSim(std::move(*made)));
    absl::StatusOr<int> port = served->server_->Start(0);
    if (!port.ok()) return port.status();
    served->port_ = *port;
    served->kubeconfig_ = served->dir_.WriteFile("kubeconfig", served->server_->Kubeconfig());
    return served;
  }

  ~ServedSim() = default;  // Members go in reverse: the server stops before the sim goes.
  ServedSim(const ServedSim&) = delete;
  ServedSim& operator=(const ServedSim&) = delete;

  sim::Sim* sim() const { return sim_.get(); }
  int port() const { return port_; }
  // "http://127.0.0.1:PORT"
  std::string base_url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  // The kubeconfig file's path.
  const std::string& kubeconfig() const { return kubeconfig_; }
  // A scratch directory removed with this (holds the kubeconfig).
  const TempDir& dir() const { return dir_; }
  // Stops serving (idempotent); the sim stays readable.
  void StopServer() { server_->Stop(); }

 private:
  explicit ServedSim(std::unique_ptr<sim::Sim> sim)
      : sim_(std::move(sim)), server_(std::make_unique<sim::ApiServer>(sim_.get())) {}

  std::unique_ptr<sim::Sim> sim_;
  std::unique_ptr<sim::ApiServer> server_;
  TempDir dir_;
  int port_ = 0;
  std::string kubeconfig_;
};

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_SERVED_SIM_H_
