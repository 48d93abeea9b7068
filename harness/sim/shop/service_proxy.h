// What the Sock Shop services answer through the API server's services proxy
// (/api/v1/namespaces/sock-shop/services/<name>[:port]/proxy/<path>): the front-end's page,
// the catalogue, the orders list and every service's /health, from the model's state.
#ifndef SRE_EVAL_SIM_SHOP_SERVICE_PROXY_H_
#define SRE_EVAL_SIM_SHOP_SERVICE_PROXY_H_

#include <string>
#include <utility>
#include <vector>

#include "sim/sim.h"

namespace sre_eval {
namespace sim {

struct ProxyRequest {
  std::string method = "GET";
  std::string path = "/";  // Within the service.
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
};

struct ProxyResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // True when the API server itself fails the request (no endpoints): send a Status with
  // `reason` and `body` as its message.
  bool status_error = false;
  std::string reason;
};

// The catalogue's socks, as the catalogue-db image's dump.sql inserts them (sorted by id, the
// table's primary key), and its tags: tag ids count from 1 in `CatalogueTags()`' order, and
// `CatalogueSockTags()` pairs a sock id with a tag id in insertion order.
struct CatalogueSock {
  const char* id;
  const char* name;
  const char* description;
  double price;
  int count;
  const char* image1;
  const char* image2;
};
const std::vector<CatalogueSock>& CatalogueSocks();
const std::vector<std::string>& CatalogueTags();
const std::vector<std::pair<std::string, int>>& CatalogueSockTags();

// Requires sim->mu(). `service` exists in `ns`.
ProxyResponse ServeProxy(Sim* sim, const std::string& ns, const std::string& service,
                         const ProxyRequest& request);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_SERVICE_PROXY_H_
