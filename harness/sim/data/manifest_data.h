// The Sock Shop manifest the sim serves (harness/sim/data/complete-demo.yaml, a copy of the
// upstream microservices-demo `complete-demo.yaml`) and the OpenAPI schemas of its kinds,
// compiled into the binary.
#ifndef SRE_EVAL_SIM_DATA_MANIFEST_DATA_H_
#define SRE_EVAL_SIM_DATA_MANIFEST_DATA_H_

namespace sre_eval {
namespace sim {

// The whole multi-document YAML text; static storage.
const char* SockShopManifest();

// harness/sim/data/openapi_schemas.json (written by scripts/gen_openapi.py): the OpenAPI v3
// component schemas of the served kinds, by name; static storage.
const char* OpenApiSchemasJson();

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_DATA_MANIFEST_DATA_H_
