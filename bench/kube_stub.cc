// kube_stub: the trivial API server bench/sim_kubectl.sh compares the sim with. At start it
// asks an in-process Sim for the exact answers (status, content type, body) to the requests
// `kubectl get pods -n sock-shop` makes (discovery with a cold cache, then the pod list as a
// Table), drops the model, and serves only those canned bytes, matched on path and query
// (without `timeout`, which kubectl sets from --request-timeout and the answer does not depend
// on). Anything else gets a 404 and a "no canned response" line on stderr, which the script
// checks.
//
// Prints "kube_stub: serving N responses at http://127.0.0.1:PORT" and runs until killed.
#include <httplib.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"

namespace {

// The Accept headers kubectl v1.32 sends (kubectl -v=8): aggregated discovery first, then
// the per-group-version lists, then the server-side printed pod list.
constexpr char kDiscoveryAccept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr char kJsonAccept[] = "application/json, */*";
constexpr char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

// "path?k=v&..." with the query in httplib's (sorted) order, `timeout` left out.
std::string Key(const std::string& path, const httplib::Params& params) {
  std::string key = path;
  char sep = '?';
  for (const auto& [k, v] : params) {
    if (k == "timeout") continue;
    key += sep + k + "=" + v;
    sep = '&';
  }
  return key;
}

constexpr char kNotFound[] =
    R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})";

struct Canned {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Key() of each request kubectl makes -> the sim's answer. Empty with a message on stderr
// when the sim does not answer.
std::map<std::string, Canned> Capture() {
  std::map<std::string, Canned> canned;
  auto made = sre_eval::sim::Sim::Create(sre_eval::sim::SimOptions());
  if (!made.ok()) {
    std::fprintf(stderr, "kube_stub: %s\n", std::string(made.status().message()).c_str());
    return {};
  }
  sre_eval::sim::ApiServer server(made->get());
  auto port = server.Start(0);
  if (!port.ok()) {
    std::fprintf(stderr, "kube_stub: %s\n", std::string(port.status().message()).c_str());
    return {};
  }
  httplib::Client client("127.0.0.1", *port);
  client.set_read_timeout(10, 0);
  auto fetch = [&](const std::string& path, const httplib::Params& params, const char* accept) {
    auto r = client.Get(path, params, {{"Accept", accept}});
    if (!r || r->status != 200) {
      std::fprintf(stderr, "kube_stub: the sim did not answer GET %s\n", Key(path, params).c_str());
      return false;
    }
    canned[Key(path, params)] = {r->status, r->get_header_value("Content-Type"), r->body};
    return true;
  };
  const httplib::Params timeout = {{"timeout", "32s"}};
  if (!fetch("/version", timeout, kJsonAccept) || !fetch("/api", timeout, kDiscoveryAccept) ||
      !fetch("/apis", timeout, kDiscoveryAccept) || !fetch("/api/v1", timeout, kJsonAccept) ||
      !fetch("/api/v1/namespaces/sock-shop/pods", {{"limit", "500"}}, kTableAccept)) {
    return {};
  }
  // Every group version /apis lists, as kubectl fetches each one without aggregated discovery.
  nlohmann::json groups = nlohmann::json::parse(canned["/apis"].body, nullptr, false);
  if (groups.is_discarded() || !groups.contains("groups")) {
    std::fprintf(stderr, "kube_stub: /apis is not an APIGroupList\n");
    return {};
  }
  for (const nlohmann::json& g : groups["groups"]) {
    for (const nlohmann::json& v : g["versions"]) {
      if (!fetch("/apis/" + v.value("groupVersion", ""), timeout, kJsonAccept)) return {};
    }
  }
  return canned;
}

}  // namespace

int main() {
  // The Sim and its server are gone when Capture returns: only the bytes stay.
  const std::map<std::string, Canned> canned = Capture();
  if (canned.empty()) return 1;
  httplib::Server server;
  // Headers and body go out in two writes; without TCP_NODELAY the body waits for the
  // client's delayed ACK (about 40 ms), which would be the stub's cost, not kubectl's.
  server.set_tcp_nodelay(true);
  server.Get(".*", [&canned](const httplib::Request& req, httplib::Response& res) {
    std::string target = Key(req.path, req.params);
    auto it = canned.find(target);
    if (it == canned.end()) {
      std::fprintf(stderr, "kube_stub: no canned response for GET %s\n", target.c_str());
      res.status = 404;
      res.set_content(kNotFound, "application/json");
      return;
    }
    res.status = it->second.status;
    res.set_content(it->second.body, it->second.content_type.c_str());
  });
  int port = server.bind_to_any_port("127.0.0.1");
  if (port < 0) {
    std::fprintf(stderr, "kube_stub: cannot bind a port on 127.0.0.1\n");
    return 1;
  }
  std::printf("kube_stub: serving %zu responses at http://127.0.0.1:%d\n", canned.size(), port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
