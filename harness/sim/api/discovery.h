// What kubectl reads before it does anything: the version, the API groups and resources,
// and the OpenAPI documents `kubectl apply` consults for field validation.
#ifndef SRE_EVAL_SIM_API_DISCOVERY_H_
#define SRE_EVAL_SIM_API_DISCOVERY_H_

#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// The Kubernetes version the sim reports (/version).
constexpr char kServerVersion[] = "v1.32.4";

nlohmann::json VersionInfo();
// /api: the core versions, with the address clients reach the server at.
nlohmann::json CoreApiVersions(const std::string& server_address);
// /apis: every named group.
nlohmann::json ApiGroupList();
// /apis/<group>: one group; nullopt when not served.
std::optional<nlohmann::json> ApiGroup(const std::string& group);
// /api/v1 or /apis/<group>/<version>: the APIResourceList; nullopt when not served.
std::optional<nlohmann::json> ApiResourceList(const std::string& group_version);

// /openapi/v3: the index of group-version documents.
nlohmann::json OpenApiV3Index();
// /openapi/v3/api/v1 or /openapi/v3/apis/<group>/<version> (`path` without the prefix, e.g.
// "apis/apps/v1"): an OpenAPI 3 document whose PATCH operations carry the GVK extension and
// the fieldValidation parameter, so that kubectl leaves field validation to the server.
std::optional<nlohmann::json> OpenApiV3Document(const std::string& path);

// The content type kubectl asks /openapi/v2 for; the sim answers with an empty document in
// it (kubectl then has no client-side schema and validates nothing itself).
constexpr char kOpenApiV2Protobuf[] = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_DISCOVERY_H_
