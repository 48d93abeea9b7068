// Fuzzes the simulated userland of `kubectl exec` (sim/shop/userland.h): each input is a shell
// script run by `sh -c` in carts' container, with the input also on its stdin. The shell's
// parser (quotes, variables, operators, redirections) and every command's argument handling
// must answer without crashing, with an exit code from 0 to 255 and bounded output.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_input.h"
#include "sim/shop/userland.h"
#include "sim/sim.h"

namespace {

struct World {
  std::unique_ptr<sre_eval::sim::Sim> sim;
  nlohmann::json pod;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    sre_eval::sim::SimOptions options;
    w->sim = *sre_eval::sim::Sim::Create(options);
    absl::MutexLock lock(w->sim->mu());
    for (const nlohmann::json& p : w->sim->store()->List("pods", "sock-shop")) {
      if (p["metadata"]["labels"].value("name", "") == "orders-db") w->pod = p;
    }
    return w;
  }();
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  World& w = TheWorld();
  std::string script(sre_eval::fuzz::AsText(data, size));
  const std::string container = w.pod["spec"]["containers"][0].value("name", "");
  absl::MutexLock lock(w.sim->mu());
  sre_eval::sim::ExecResult r =
      sre_eval::sim::RunInContainer(w.sim.get(), w.pod, container, {"sh", "-c", script}, script);
  FUZZ_CHECK(r.exit_code >= 0 && r.exit_code <= 255);
  FUZZ_CHECK(r.out.size() <= (size_t{4} << 20) && r.err.size() <= (size_t{4} << 20));
  return 0;
}
