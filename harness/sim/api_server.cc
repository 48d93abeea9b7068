#include "sim/api_server.h"

#include <httplib.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "sim/discovery.h"
#include "sim/log_book.h"
#include "sim/logs.h"
#include "sim/metrics.h"
#include "sim/patch.h"
#include "sim/resources.h"
#include "sim/selector.h"
#include "sim/service_proxy.h"
#include "sim/sockshop.h"
#include "sim/table.h"
#include "util/yaml_json.h"

namespace sre_eval {
namespace sim {

namespace {

// The API server's request body limit (etcd's object limit is about the same).
constexpr size_t kMaxBody = size_t{3} << 20;
// A watch with no timeoutSeconds ends after this much wall-clock time, as the real server's
// --min-request-timeout does.
constexpr absl::Duration kMaxWatch = absl::Minutes(30);

// An API error, rendered as a Status object.
struct ApiError {
  int code;
  std::string reason;
  std::string message;
};

ApiError FromStatus(const absl::Status& s) {
  std::string m(s.message());
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return {404, "NotFound", m};
    case absl::StatusCode::kAlreadyExists:
      return {409, "AlreadyExists", m};
    case absl::StatusCode::kAborted:
      return {409, "Conflict", m};
    case absl::StatusCode::kInvalidArgument:
      return {400, "BadRequest", m};
    case absl::StatusCode::kFailedPrecondition:
      return {422, "Invalid", m};
    case absl::StatusCode::kOutOfRange:
      return {410, "Expired", m};
    case absl::StatusCode::kUnimplemented:
      return {405, "MethodNotAllowed", m};
    default:
      return {500, "InternalError", m};
  }
}

nlohmann::json StatusJson(const ApiError& e, const std::string& name = "",
                          const std::string& kind = "") {
  nlohmann::json s = {
      {"kind", "Status"},    {"apiVersion", "v1"},   {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", e.message}, {"reason", e.reason},
      {"code", e.code}};
  if (!name.empty() || !kind.empty()) {
    s["details"] = nlohmann::json::object();
    if (!name.empty()) s["details"]["name"] = name;
    if (!kind.empty()) s["details"]["kind"] = kind;
  }
  return s;
}

// A request body as JSON: JSON, or YAML (apply-patch+yaml, or a person's curl).
absl::StatusOr<nlohmann::json> ParseBody(const std::string& body) {
  if (body.empty()) return absl::InvalidArgumentError("the request body is empty");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded()) return j;
  absl::StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson("the body", body);
  if (!docs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is neither JSON nor YAML: ", docs.status().message()));
  }
  if (docs->size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body holds ", docs->size(), " YAML documents, not one"));
  }
  return (*docs)[0];
}

std::string Param(const httplib::Request& req, const std::string& name) {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : "";
}

bool ParamTrue(const httplib::Request& req, const std::string& name) {
  std::string v = Param(req, name);
  return v == "true" || v == "1";
}

std::string MetaString(const nlohmann::json& o, const char* field) {
  auto m = o.find("metadata");
  if (m == o.end() || !m->is_object()) return "";
  auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : "";
}

// What a request names: /api/v1/namespaces/sock-shop/pods/NAME/log, and so on.
struct Target {
  const ResourceInfo* info = nullptr;
  std::string ns;
  std::string name;
  std::string sub;
  std::string rest;  // After a proxy subresource: the path to forward.
};

}  // namespace

class ApiServer::Handler {
 public:
  explicit Handler(Sim* sim) : sim_(sim) {}

  void set_port(int port) { port_ = port; }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    try {
      Dispatch(req, res);
    } catch (const std::exception& e) {
      Error(res, {500, "InternalError", absl::StrCat("internal error: ", e.what())});
    }
  }

  void Stop() { stopping_ = true; }

 private:
  void Json(httplib::Response& res, int code, const nlohmann::json& body) {
    res.status = code;
    res.set_content(body.dump(), "application/json");
  }

  void Error(httplib::Response& res, const ApiError& e, const std::string& name = "",
             const std::string& kind = "") {
    Json(res, e.code, StatusJson(e, name, kind));
  }

  void NotFoundPath(httplib::Response& res) {
    Error(res, {404, "NotFound", "the server could not find the requested resource"});
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path == "/version" || path == "/version/") return Json(res, 200, VersionInfo());
    if (path == "/healthz" || path == "/readyz" || path == "/livez") {
      res.set_content("ok", "text/plain");
      return;
    }
    if (path == "/api" || path == "/api/") {
      return Json(res, 200, CoreApiVersions(absl::StrCat("127.0.0.1:", port_)));
    }
    if (path == "/apis" || path == "/apis/") return Json(res, 200, ApiGroupList());
    if (path == "/openapi/v2") {
      // An empty protobuf Document: kubectl then has no client-side schema.
      res.status = 200;
      res.set_content("", kOpenApiV2Protobuf);
      return;
    }
    if (path == "/openapi/v3") return Json(res, 200, OpenApiV3Index());
    if (absl::StartsWith(path, "/openapi/v3/")) {
      auto doc = OpenApiV3Document(path.substr(12));
      if (!doc.has_value()) return NotFoundPath(res);
      return Json(res, 200, *doc);
    }
    if (absl::StartsWith(path, "/sim/v1/")) return Control(req, res, path.substr(8));

    std::vector<std::string> segs = absl::StrSplit(path, '/', absl::SkipEmpty());
    std::string group, version;
    size_t i;
    if (segs.size() >= 2 && segs[0] == "api") {
      version = segs[1];
      i = 2;
    } else if (segs.size() >= 2 && segs[0] == "apis") {
      group = segs[1];
      if (segs.size() == 2) {
        auto g = ApiGroup(group);
        if (!g.has_value()) return NotFoundPath(res);
        return Json(res, 200, *g);
      }
      version = segs[2];
      i = 3;
    } else {
      return NotFoundPath(res);
    }
    std::string gv = group.empty() ? version : absl::StrCat(group, "/", version);
    if (i == segs.size()) {
      auto list = ApiResourceList(gv);
      if (!list.has_value()) return NotFoundPath(res);
      return Json(res, 200, *list);
    }
    Target t;
    std::vector<std::string> rest(segs.begin() + i, segs.end());
    if (rest.size() >= 3 && rest[0] == "namespaces") {
      const ResourceInfo* r = FindResource(group, version, rest[2]);
      if (r != nullptr && r->namespaced) {
        t.ns = rest[1];
        rest.erase(rest.begin(), rest.begin() + 2);
      }
    }
    t.info = FindResource(group, version, rest[0]);
    if (t.info == nullptr) return NotFoundPath(res);
    if (rest.size() >= 2) t.name = rest[1];
    if (rest.size() >= 3) t.sub = rest[2];
    if (rest.size() >= 4) {
      t.rest = "/" + absl::StrJoin(std::vector<std::string>(rest.begin() + 3, rest.end()), "/");
    }
    if (t.info->namespaced && t.ns.empty() && !t.name.empty()) return NotFoundPath(res);
    if (!t.sub.empty() && t.sub != "proxy" &&
        std::find(t.info->subresources.begin(), t.info->subresources.end(), t.sub) ==
            t.info->subresources.end()) {
      return NotFoundPath(res);
    }
    if (t.sub == "proxy") {
      if (t.info->resource != "services") return NotFoundPath(res);
      if (t.rest.empty() && path.back() == '/') t.rest = "/";
      return Proxy(req, res, t);
    }
    if (!t.info->stored) return Metrics(req, res, t);

    const std::string& m = req.method;
    if (m == "GET" && t.name.empty()) {
      if (ParamTrue(req, "watch")) return Watch(req, res, t);
      return List(req, res, t);
    }
    if (m == "GET" && t.sub == "log") return Logs(req, res, t);
    if (m == "GET" && t.sub == "scale") return GetScale(res, t);
    if (m == "GET") return Get(req, res, t);
    if (m == "POST" && t.name.empty()) return Create(req, res, t);
    if ((m == "PUT" || m == "PATCH") && t.sub == "scale") return ChangeScale(req, res, t);
    if (m == "PUT" && !t.name.empty()) return Replace(req, res, t);
    if (m == "PATCH" && !t.name.empty()) return Patch(req, res, t);
    if (m == "DELETE" && !t.name.empty() && t.sub.empty()) return Delete(req, res, t);
    Error(res, {405, "MethodNotAllowed",
                absl::StrCat("the server does not allow this method on the requested resource")});
  }

  // Label and field selectors of a list or watch; false (with the error sent) when malformed.
  struct Filter {
    std::optional<LabelSelector> labels;
    std::optional<FieldSelector> fields;
    bool Matches(const nlohmann::json& o) const {
      if (labels.has_value()) {
        auto m = o.find("metadata");
        nlohmann::json none;
        const nlohmann::json& l = m != o.end() && m->contains("labels") ? (*m)["labels"] : none;
        if (!labels->Matches(l)) return false;
      }
      return !fields.has_value() || fields->Matches(o);
    }
  };

  bool MakeFilter(const httplib::Request& req, httplib::Response& res, const Target& t, Filter* f) {
    // Options every list and watch checks, as the real server's ListOptions decoding does.
    std::string limit = Param(req, "limit");
    int64_t n;
    if (!limit.empty() && (!absl::SimpleAtoi(limit, &n) || n < 0)) {
      Error(res, {400, "BadRequest", absl::StrCat("limit: invalid value \"", limit, "\"")});
      return false;
    }
    auto include = ParseIncludeObject(Param(req, "includeObject"));
    if (!include.ok()) {
      Error(res, {400, "BadRequest", std::string(include.status().message())});
      return false;
    }
    std::string ls = Param(req, "labelSelector");
    if (!ls.empty()) {
      auto parsed = LabelSelector::Parse(ls);
      if (!parsed.ok()) {
        Error(res, {400, "BadRequest", std::string(parsed.status().message())});
        return false;
      }
      f->labels = *parsed;
    }
    std::string fs = Param(req, "fieldSelector");
    if (!fs.empty()) {
      auto parsed = FieldSelector::Parse(fs, t.info->resource);
      if (!parsed.ok()) {
        Error(res, {400, "BadRequest", std::string(parsed.status().message())});
        return false;
      }
      f->fields = *parsed;
    }
    return true;
  }

  bool WantsTable(const httplib::Request& req) {
    return absl::StrContains(req.get_header_value("Accept"), "as=Table");
  }

  nlohmann::json WithKind(nlohmann::json o, const ResourceInfo& info) {
    o["kind"] = info.kind;
    o["apiVersion"] = info.GroupVersion();
    return o;
  }

  void List(const httplib::Request& req, httplib::Response& res, const Target& t) {
    Filter filter;
    if (!MakeFilter(req, res, t, &filter)) return;
    std::vector<nlohmann::json> items;
    uint64_t rv;
    absl::Time now;
    std::vector<std::shared_ptr<const nlohmann::json>> objects;
    {
      absl::MutexLock lock(sim_->mu());
      rv = sim_->store()->resource_version();
      now = sim_->Now();
      objects = sim_->store()->Snapshot(t.info->resource, t.ns);
    }
    // Each matching object is copied once, outside the model lock, to add its kind.
    for (const auto& o : objects) {
      if (filter.Matches(*o)) items.push_back(WithKind(*o, *t.info));
    }
    if (WantsTable(req)) {
      auto include = ParseIncludeObject(Param(req, "includeObject"));
      if (!include.ok()) {
        return Error(res, {400, "BadRequest", std::string(include.status().message())});
      }
      return Json(res, 200, MakeTable(t.info->resource, items, now, std::to_string(rv), *include));
    }
    nlohmann::json list = {{"kind", t.info->kind + "List"},
                           {"apiVersion", t.info->GroupVersion()},
                           {"metadata", {{"resourceVersion", std::to_string(rv)}}}};
    list["items"] = nlohmann::json::array();
    for (nlohmann::json& item : items) list["items"].push_back(std::move(item));
    Json(res, 200, list);
  }

  void Get(const httplib::Request& req, httplib::Response& res, const Target& t) {
    absl::StatusOr<nlohmann::json> o;
    absl::Time now;
    {
      absl::MutexLock lock(sim_->mu());
      o = sim_->store()->Get(t.info->resource, t.ns, t.name);
      now = sim_->Now();
    }
    if (!o.ok()) return Error(res, FromStatus(o.status()), t.name, t.info->resource);
    nlohmann::json obj = WithKind(*std::move(o), *t.info);
    if (WantsTable(req)) {
      auto include = ParseIncludeObject(Param(req, "includeObject"));
      if (!include.ok()) {
        return Error(res, {400, "BadRequest", std::string(include.status().message())});
      }
      return Json(
          res, 200,
          MakeTable(t.info->resource, {obj}, now, MetaString(obj, "resourceVersion"), *include));
    }
    Json(res, 200, obj);
  }

  void Watch(const httplib::Request& req, httplib::Response& res, const Target& t) {
    auto filter = std::make_shared<Filter>();
    if (!MakeFilter(req, res, t, filter.get())) return;
    bool table = WantsTable(req);
    auto include = ParseIncludeObject(Param(req, "includeObject"));
    if (!include.ok()) {
      return Error(res, {400, "BadRequest", std::string(include.status().message())});
    }
    std::string rv_text = Param(req, "resourceVersion");
    uint64_t rv = 0;
    if (!rv_text.empty() && !absl::SimpleAtoi(rv_text, &rv)) {
      return Error(res,
                   {400, "BadRequest", absl::StrCat("invalid resource version \"", rv_text, "\"")});
    }
    absl::Duration limit = kMaxWatch;
    std::string timeout_text = Param(req, "timeoutSeconds");
    if (!timeout_text.empty()) {
      int64_t seconds;
      if (!absl::SimpleAtoi(timeout_text, &seconds) || seconds < 0) {
        return Error(res, {400, "BadRequest",
                           absl::StrCat("invalid timeoutSeconds \"", timeout_text, "\"")});
      }
      limit = std::min(limit, absl::Seconds(seconds));
    }
    // resourceVersion "" or "0": start with the current objects as ADDED events.
    std::vector<nlohmann::json> initial;
    if (rv == 0) {
      absl::MutexLock lock(sim_->mu());
      rv = sim_->store()->resource_version();
      for (nlohmann::json& o : sim_->store()->List(t.info->resource, t.ns)) {
        if (filter->Matches(o)) initial.push_back(WithKind(std::move(o), *t.info));
      }
    }
    const ResourceInfo* info = t.info;
    std::string ns = t.ns;
    absl::Time deadline = absl::Now() + limit;
    auto state =
        std::make_shared<std::pair<uint64_t, std::vector<nlohmann::json>>>(rv, std::move(initial));
    IncludeObject inc = *include;
    res.status = 200;
    // The stream's media type parameter keeps cpp-httplib from gzipping it for clients that
    // accept gzip (kubectl does): its compressor would hold each event back until the end.
    res.set_chunked_content_provider(
        "application/json;stream=watch",
        [this, info, ns, filter, table, inc, deadline, state](size_t, httplib::DataSink& sink) {
          auto event = [&](const std::string& type, const nlohmann::json& o) {
            nlohmann::json object = o;
            if (table) {
              object = MakeTable(info->resource, {o}, sim_->Now(), MetaString(o, "resourceVersion"),
                                 inc);
            }
            std::string line = nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
            return sink.write(line.data(), line.size());
          };
          for (const nlohmann::json& o : state->second) {
            if (!event("ADDED", o)) return false;
          }
          state->second.clear();
          if (stopping_ || absl::Now() >= deadline) {
            sink.done();
            return true;
          }
          uint64_t seen = state->first;
          auto changes = sim_->store()->ChangesSince(
              info->resource, state->first,
              std::min(absl::Milliseconds(500), deadline - absl::Now()), &seen);
          if (!changes.ok()) {
            ApiError e = FromStatus(changes.status());
            std::string line =
                nlohmann::json{{"type", "ERROR"}, {"object", StatusJson(e)}}.dump() + "\n";
            sink.write(line.data(), line.size());
            sink.done();
            return true;
          }
          state->first = seen;
          for (const Change& c : *changes) {
            if (!ns.empty() && MetaString(c.object, "namespace") != ns) continue;
            if (!filter->Matches(c.object)) continue;
            if (!event(c.type, WithKind(c.object, *info))) return false;
          }
          return sink.is_writable();
        });
  }

  void Create(const httplib::Request& req, httplib::Response& res, const Target& t) {
    auto body = ParseBody(req.body);
    if (!body.ok()) return Error(res, FromStatus(body.status()));
    nlohmann::json obj = *std::move(body);
    if (!obj.is_object()) {
      return Error(res, {400, "BadRequest", "the request body is not an object"});
    }
    if (obj.contains("kind") && obj["kind"] != t.info->kind) {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("the kind of the object (", obj["kind"].dump(),
                                      ") does not match the resource (", t.info->kind, ")")});
    }
    if (t.info->namespaced) {
      std::string body_ns = MetaString(obj, "namespace");
      if (!body_ns.empty() && body_ns != t.ns) {
        return Error(res, {400, "BadRequest",
                           "the namespace of the provided object does not match the namespace "
                           "sent on the request"});
      }
      obj["metadata"]["namespace"] = t.ns;
    }
    obj = WithKind(std::move(obj), *t.info);
    absl::MutexLock lock(sim_->mu());
    if (t.info->namespaced && !sim_->store()->Get("namespaces", "", t.ns).ok()) {
      return Error(res, {404, "NotFound", absl::StrCat("namespaces \"", t.ns, "\" not found")},
                   t.ns, "namespaces");
    }
    if (Param(req, "dryRun") == "All") return Json(res, 201, obj);
    auto created = sim_->store()->Create(t.info->resource, std::move(obj));
    if (!created.ok()) {
      return Error(res, FromStatus(created.status()), MetaString(obj, "name"), t.info->resource);
    }
    sim_->Reconcile();
    if (t.info->resource == "jobs") {
      // The job as defaulted on create (its selector needs the uid).
      auto defaulted = sim_->store()->Get("jobs", t.ns, MetaString(*created, "name"));
      if (defaulted.ok()) created = WithKind(*std::move(defaulted), *t.info);
    }
    Json(res, 201, *created);
  }

  void Replace(const httplib::Request& req, httplib::Response& res, const Target& t) {
    auto body = ParseBody(req.body);
    if (!body.ok()) return Error(res, FromStatus(body.status()));
    nlohmann::json obj = *std::move(body);
    if (!obj.is_object()) {
      return Error(res, {400, "BadRequest", "the request body is not an object"});
    }
    if (MetaString(obj, "name") != t.name) {
      return Error(
          res, {400, "BadRequest", "the name of the object does not match the name on the URL"});
    }
    if (t.info->namespaced) obj["metadata"]["namespace"] = t.ns;
    obj = WithKind(std::move(obj), *t.info);
    absl::MutexLock lock(sim_->mu());
    auto updated = sim_->store()->Update(t.info->resource, std::move(obj));
    if (!updated.ok()) return Error(res, FromStatus(updated.status()), t.name, t.info->resource);
    sim_->Reconcile();
    Json(res, 200, *updated);
  }

  void Patch(const httplib::Request& req, httplib::Response& res, const Target& t) {
    std::string type = req.get_header_value("Content-Type");
    type = type.substr(0, type.find(';'));
    auto body = ParseBody(req.body);
    if (!body.ok()) return Error(res, FromStatus(body.status()));
    absl::MutexLock lock(sim_->mu());
    auto existing = sim_->store()->Get(t.info->resource, t.ns, t.name);
    absl::StatusOr<nlohmann::json> patched;
    if (type == "application/apply-patch+yaml") {
      nlohmann::json applied = *body;
      if (!applied.is_object()) {
        return Error(res, {400, "BadRequest", "the applied configuration is not an object"});
      }
      if (t.info->namespaced) applied["metadata"]["namespace"] = t.ns;
      std::string manager = Param(req, "fieldManager");
      if (manager.empty()) {
        return Error(res, {400, "BadRequest",
                           "PATCH, application/apply-patch+yaml requires fieldManager to be set"});
      }
      nlohmann::json none;
      patched = ApplyServerSide(existing.ok() ? *existing : none, applied, t.info->resource,
                                manager, ApiTime(sim_->Now()));
      if (patched.ok() && !existing.ok()) {
        if (t.info->namespaced && !sim_->store()->Get("namespaces", "", t.ns).ok()) {
          return Error(res, {404, "NotFound", absl::StrCat("namespaces \"", t.ns, "\" not found")},
                       t.ns, "namespaces");
        }
        auto created = sim_->store()->Create(t.info->resource, WithKind(*patched, *t.info));
        if (!created.ok()) {
          return Error(res, FromStatus(created.status()), t.name, t.info->resource);
        }
        sim_->Reconcile();
        return Json(res, 201, *created);
      }
    } else {
      if (!existing.ok())
        return Error(res, FromStatus(existing.status()), t.name, t.info->resource);
      if (type == "application/merge-patch+json") {
        patched = ApplyMergePatch(*existing, *body);
      } else if (type == "application/strategic-merge-patch+json") {
        patched = ApplyStrategicMergePatch(*existing, *body, t.info->resource);
      } else if (type == "application/json-patch+json") {
        try {
          patched = existing->patch(*body);
        } catch (const nlohmann::json::exception& e) {
          patched = absl::InvalidArgumentError(absl::StrCat("invalid JSON patch: ", e.what()));
        }
      } else {
        return Error(res,
                     {415, "UnsupportedMediaType",
                      absl::StrCat("the body of the request was in an unknown format - "
                                   "accepted media types include: "
                                   "application/json-patch+json, application/merge-patch+json, "
                                   "application/apply-patch+yaml, "
                                   "application/strategic-merge-patch+json")});
      }
    }
    if (!patched.ok()) {
      return Error(res, {422, "Invalid", std::string(patched.status().message())}, t.name,
                   t.info->resource);
    }
    nlohmann::json obj = *std::move(patched);
    if (!obj.is_object() || MetaString(obj, "name") != t.name) {
      return Error(res, {422, "Invalid", "a patch cannot change the object's name"}, t.name,
                   t.info->resource);
    }
    if (obj.value("kind", t.info->kind) != t.info->kind ||
        obj.value("apiVersion", t.info->GroupVersion()) != t.info->GroupVersion()) {
      return Error(res,
                   {400, "BadRequest",
                    absl::StrCat("a patch cannot change the object's kind or apiVersion (",
                                 t.info->GroupVersion(), ", ", t.info->kind, ")")},
                   t.name, t.info->resource);
    }
    if (t.info->namespaced) obj["metadata"]["namespace"] = t.ns;
    if (type != "application/apply-patch+yaml" || !Param(req, "force").empty()) {
      obj["metadata"].erase("resourceVersion");
    }
    if (Param(req, "dryRun") == "All") return Json(res, 200, WithKind(obj, *t.info));
    auto updated = sim_->store()->Update(t.info->resource, WithKind(std::move(obj), *t.info));
    if (!updated.ok()) return Error(res, FromStatus(updated.status()), t.name, t.info->resource);
    sim_->Reconcile();
    Json(res, 200, *updated);
  }

  void Delete(const httplib::Request& req, httplib::Response& res, const Target& t) {
    std::optional<int64_t> grace;
    std::string propagation = Param(req, "propagationPolicy");
    if (!req.body.empty()) {
      auto opts = ParseBody(req.body);
      if (!opts.ok() || !opts->is_object()) {
        return Error(res, {400, "BadRequest", "the DeleteOptions in the body are not an object"});
      }
      if (opts->contains("gracePeriodSeconds") && (*opts)["gracePeriodSeconds"].is_number()) {
        grace = (*opts)["gracePeriodSeconds"].get<int64_t>();
      }
      if (opts->contains("propagationPolicy") && (*opts)["propagationPolicy"].is_string()) {
        propagation = (*opts)["propagationPolicy"].get<std::string>();
      }
    }
    std::string grace_text = Param(req, "gracePeriodSeconds");
    if (!grace_text.empty()) {
      int64_t g;
      if (!absl::SimpleAtoi(grace_text, &g)) {
        return Error(res, {400, "BadRequest", "gracePeriodSeconds must be an integer"});
      }
      grace = g;
    }
    if (!propagation.empty() && propagation != "Background" && propagation != "Foreground" &&
        propagation != "Orphan") {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("propagationPolicy: Unsupported value: \"", propagation,
                                      "\": supported values: \"Background\", \"Foreground\", "
                                      "\"Orphan\"")});
    }
    absl::MutexLock lock(sim_->mu());
    auto existing = sim_->store()->Get(t.info->resource, t.ns, t.name);
    if (!existing.ok()) return Error(res, FromStatus(existing.status()), t.name, t.info->resource);
    if (t.info->resource == "pods" && (!grace.has_value() || *grace > 0)) {
      absl::Status s = sim_->controllers()->DeletePodGracefully(t.ns, t.name, grace);
      if (!s.ok()) return Error(res, FromStatus(s), t.name, t.info->resource);
      auto pod = sim_->store()->Get("pods", t.ns, t.name);
      sim_->Reconcile();
      return Json(res, 200, pod.ok() ? WithKind(*pod, *t.info) : *existing);
    }
    auto deleted = sim_->store()->Delete(t.info->resource, t.ns, t.name);
    if (!deleted.ok()) return Error(res, FromStatus(deleted.status()), t.name, t.info->resource);
    sim_->Reconcile();
    nlohmann::json details = {
        {"name", t.name}, {"kind", t.info->resource}, {"uid", MetaString(*deleted, "uid")}};
    if (!t.info->group.empty()) details["group"] = t.info->group;
    Json(res, 200,
         {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", nlohmann::json::object()},
          {"status", "Success"},
          {"details", details}});
  }

  nlohmann::json ScaleOf(const nlohmann::json& o) {
    nlohmann::json meta = {{"name", MetaString(o, "name")},
                           {"namespace", MetaString(o, "namespace")},
                           {"uid", MetaString(o, "uid")},
                           {"resourceVersion", MetaString(o, "resourceVersion")},
                           {"creationTimestamp", MetaString(o, "creationTimestamp")}};
    int64_t want = o["spec"].value("replicas", 1);
    int64_t have = o.contains("status") ? o["status"].value("replicas", 0) : 0;
    std::string selector;
    if (o["spec"].contains("selector")) {
      auto s = LabelSelector::FromJson(o["spec"]["selector"]);
      if (s.ok()) selector = s->ToString();
    }
    return {{"kind", "Scale"},
            {"apiVersion", "autoscaling/v1"},
            {"metadata", meta},
            {"spec", {{"replicas", want}}},
            {"status", {{"replicas", have}, {"selector", selector}}}};
  }

  void GetScale(httplib::Response& res, const Target& t) {
    absl::MutexLock lock(sim_->mu());
    auto o = sim_->store()->Get(t.info->resource, t.ns, t.name);
    if (!o.ok()) return Error(res, FromStatus(o.status()), t.name, t.info->resource);
    Json(res, 200, ScaleOf(*o));
  }

  void ChangeScale(const httplib::Request& req, httplib::Response& res, const Target& t) {
    auto body = ParseBody(req.body);
    if (!body.ok()) return Error(res, FromStatus(body.status()));
    absl::MutexLock lock(sim_->mu());
    auto o = sim_->store()->Get(t.info->resource, t.ns, t.name);
    if (!o.ok()) return Error(res, FromStatus(o.status()), t.name, t.info->resource);
    absl::StatusOr<nlohmann::json> scale = *body;
    if (req.method == "PATCH") {
      std::string type = req.get_header_value("Content-Type");
      if (absl::StartsWith(type, "application/json-patch+json")) {
        try {
          scale = ScaleOf(*o).patch(*body);
        } catch (const nlohmann::json::exception& e) {
          scale = absl::InvalidArgumentError(absl::StrCat("invalid JSON patch: ", e.what()));
        }
      } else {
        scale = ApplyMergePatch(ScaleOf(*o), *body);
      }
    }
    if (!scale.ok()) {
      return Error(res, {422, "Invalid", std::string(scale.status().message())});
    }
    if (!scale->is_object() || scale->value("kind", "Scale") != "Scale" ||
        !(*scale)["metadata"].is_object() || MetaString(*scale, "name") != t.name) {
      return Error(res,
                   {400, "BadRequest",
                    "the Scale must keep kind Scale and the metadata of \"" + t.name + "\""},
                   t.name, "Scale");
    }
    const nlohmann::json& spec = (*scale)["spec"];
    if (!spec.is_object() || !spec.contains("replicas") || !spec["replicas"].is_number_integer() ||
        spec["replicas"].get<int64_t>() < 0) {
      return Error(res,
                   {422, "Invalid",
                    absl::StrCat("Scale.autoscaling \"", t.name,
                                 "\" is invalid: spec.replicas: Invalid value: must be "
                                 "greater than or equal to 0")},
                   t.name, "Scale");
    }
    nlohmann::json obj = *o;
    obj["spec"]["replicas"] = spec["replicas"];
    obj["metadata"].erase("resourceVersion");
    auto updated = sim_->store()->Update(t.info->resource, std::move(obj));
    if (!updated.ok()) return Error(res, FromStatus(updated.status()), t.name, t.info->resource);
    sim_->Reconcile();
    Json(res, 200, ScaleOf(*updated));
  }

  void Logs(const httplib::Request& req, httplib::Response& res, const Target& t) {
    nlohmann::json pod;
    absl::Time now;
    {
      absl::MutexLock lock(sim_->mu());
      auto p = sim_->store()->Get("pods", t.ns, t.name);
      if (!p.ok()) return Error(res, FromStatus(p.status()), t.name, "pods");
      pod = *std::move(p);
      now = sim_->Now();
    }
    const std::string uid = MetaString(pod, "uid");
    std::vector<std::string> names;
    for (const nlohmann::json& c : pod["spec"]["containers"]) names.push_back(c.value("name", ""));
    std::string container = Param(req, "container");
    if (container.empty()) {
      if (names.size() != 1) {
        return Error(res, {400, "BadRequest",
                           absl::StrCat("a container name must be specified for pod ", t.name,
                                        ", choose one of: [", absl::StrJoin(names, " "), "]")});
      }
      container = names[0];
    }
    if (std::find(names.begin(), names.end(), container) == names.end()) {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("container ", container, " is not valid for pod ", t.name)});
    }
    const nlohmann::json* status = nullptr;
    if (pod.contains("status") && pod["status"].contains("containerStatuses")) {
      for (const nlohmann::json& cs : pod["status"]["containerStatuses"]) {
        if (cs.value("name", "") == container) status = &cs;
      }
    }
    bool previous = ParamTrue(req, "previous");
    absl::Time started = absl::InfinitePast();
    absl::Time until = now;
    if (status != nullptr) {
      const nlohmann::json& state = previous ? (*status)["lastState"] : (*status)["state"];
      if (state.contains("running")) started = ParseApiTime(state["running"]["startedAt"]);
      if (state.contains("terminated")) {
        started = ParseApiTime(state["terminated"]["startedAt"]);
        until = ParseApiTime(state["terminated"]["finishedAt"]);
      }
      if (!previous && state.contains("waiting") && (*status)["lastState"].contains("terminated")) {
        started = ParseApiTime((*status)["lastState"]["terminated"]["startedAt"]);
        until = ParseApiTime((*status)["lastState"]["terminated"]["finishedAt"]);
      }
    }
    if (started == absl::InfinitePast()) {
      if (previous) {
        return Error(res, {400, "BadRequest",
                           absl::StrCat("previous terminated container \"", container,
                                        "\" in pod \"", t.name, "\" not found")});
      }
      std::string reason = "ContainerCreating";
      if (status != nullptr && (*status)["state"].contains("waiting")) {
        reason = (*status)["state"]["waiting"].value("reason", reason);
      }
      return Error(res, {400, "BadRequest",
                         absl::StrCat("container \"", container, "\" in pod \"", t.name,
                                      "\" is waiting to start: ", reason)});
    }
    ContainerRef ref;
    ref.app = pod["metadata"].contains("labels") ? pod["metadata"]["labels"].value("name", "") : "";
    if (ref.app.empty()) ref.app = container;
    ref.container = container;
    ref.pod = t.name;
    ref.pod_ip = pod.contains("status") ? pod["status"].value("podIP", "") : "";
    ref.started = started;
    std::vector<LogLine> incident;
    {
      absl::MutexLock lock(sim_->mu());
      incident = sim_->log_book().Lines(uid, container, started, until);
    }
    std::vector<LogLine> lines =
        MergeLogLines(ContainerLogs(ref, until, sim_->seed()), std::move(incident));
    // sinceSeconds / sinceTime, then tailLines, then limitBytes, as the kubelet applies them.
    absl::Time since = absl::InfinitePast();
    std::string since_seconds = Param(req, "sinceSeconds");
    if (!since_seconds.empty()) {
      int64_t s;
      if (!absl::SimpleAtoi(since_seconds, &s) || s < 1) {
        return Error(res, {422, "Invalid", "sinceSeconds: Invalid value: must be greater than 0"});
      }
      since = now - absl::Seconds(s);
    }
    std::string since_time = Param(req, "sinceTime");
    if (!since_time.empty()) {
      since = ParseApiTime(since_time);
      if (since == absl::InfinitePast()) {
        return Error(
            res, {400, "BadRequest", absl::StrCat("sinceTime: invalid time \"", since_time, "\"")});
      }
    }
    size_t first = 0;
    while (first < lines.size() && lines[first].time < since) ++first;
    std::string tail = Param(req, "tailLines");
    if (!tail.empty()) {
      int64_t n;
      if (!absl::SimpleAtoi(tail, &n) || n < 0) {
        return Error(res, {400, "BadRequest", "tailLines must be a non-negative integer"});
      }
      if (lines.size() - first > static_cast<size_t>(n)) first = lines.size() - n;
    }
    bool timestamps = ParamTrue(req, "timestamps");
    std::string out;
    for (size_t i = first; i < lines.size(); ++i) {
      if (timestamps) {
        absl::StrAppend(
            &out, absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", lines[i].time, absl::UTCTimeZone()),
            " ");
      }
      absl::StrAppend(&out, lines[i].text, "\n");
    }
    std::string limit = Param(req, "limitBytes");
    int64_t limit_bytes;
    if (!limit.empty() && absl::SimpleAtoi(limit, &limit_bytes) && limit_bytes >= 0 &&
        out.size() > static_cast<size_t>(limit_bytes)) {
      out.resize(limit_bytes);
    }
    res.status = 200;
    res.set_content(out, "text/plain");
  }

  // A pod's containers' usage at a scrape time, for PodMetrics. Requires the model lock while
  // it is called.
  std::function<Usage(const std::string&, absl::Time)> UsageOf(const nlohmann::json& pod) {
    return [this, &pod](const std::string& container, absl::Time at) {
      return sim_->ContainerUsage(pod, container, at);
    };
  }

  void Metrics(const httplib::Request& req, httplib::Response& res, const Target& t) {
    if (req.method != "GET") {
      return Error(res, {405, "MethodNotAllowed",
                         "the server does not allow this method on the requested resource"});
    }
    Filter filter;
    if (!MakeFilter(req, res, t, &filter)) return;
    absl::MutexLock lock(sim_->mu());
    absl::Time now = sim_->Now();
    auto running = [](const nlohmann::json& pod) {
      return pod.contains("status") && pod["status"].value("phase", "") == "Running";
    };
    if (t.info->resource == "pods") {
      std::vector<nlohmann::json> pods;
      if (t.name.empty()) {
        pods = sim_->store()->List("pods", t.ns);
      } else {
        auto p = sim_->store()->Get("pods", t.ns, t.name);
        if (!p.ok() || !running(*p)) {
          return Error(
              res,
              {404, "NotFound",
               absl::StrCat("podmetrics.metrics.k8s.io \"", t.ns, "/", t.name, "\" not found")},
              t.name, "pods");
        }
        return Json(res, 200, PodMetrics(*p, now, sim_->seed(), UsageOf(*p)));
      }
      nlohmann::json items = nlohmann::json::array();
      for (const nlohmann::json& p : pods) {
        if (running(p) && filter.Matches(p)) {
          items.push_back(PodMetrics(p, now, sim_->seed(), UsageOf(p)));
        }
      }
      return Json(res, 200,
                  {{"kind", "PodMetricsList"},
                   {"apiVersion", "metrics.k8s.io/v1beta1"},
                   {"metadata", nlohmann::json::object()},
                   {"items", items}});
    }
    // Nodes: the sum of the pods' usage.
    Usage total{0, 0};
    for (const nlohmann::json& p : sim_->store()->List("pods", "")) {
      if (!running(p)) continue;
      for (const nlohmann::json& c : p["spec"]["containers"]) {
        Usage u =
            sim_->ContainerUsage(p, c.value("name", ""), PodScrapeTime(MetaString(p, "name"), now));
        total.cpu_nanocores += u.cpu_nanocores;
        total.memory_bytes += u.memory_bytes;
      }
    }
    // The node's own daemons: kubelet, containerd, the control plane.
    total.cpu_nanocores += 180000000;
    total.memory_bytes += int64_t{900} << 20;
    nlohmann::json items = nlohmann::json::array();
    for (const nlohmann::json& n : sim_->store()->List("nodes", "")) {
      if (!t.name.empty() && MetaString(n, "name") != t.name) continue;
      items.push_back(NodeMetrics(n, now, total));
    }
    if (!t.name.empty()) {
      if (items.empty()) {
        return Error(res,
                     {404, "NotFound",
                      absl::StrCat("nodemetrics.metrics.k8s.io \"", t.name, "\" not found")},
                     t.name, "nodes");
      }
      return Json(res, 200, items[0]);
    }
    Json(res, 200,
         {{"kind", "NodeMetricsList"},
          {"apiVersion", "metrics.k8s.io/v1beta1"},
          {"metadata", nlohmann::json::object()},
          {"items", items}});
  }

  void Proxy(const httplib::Request& req, httplib::Response& res, const Target& t) {
    std::string service = t.name.substr(0, t.name.find(':'));
    absl::MutexLock lock(sim_->mu());
    auto svc = sim_->store()->Get("services", t.ns, service);
    if (!svc.ok()) return Error(res, FromStatus(svc.status()), service, "services");
    ProxyRequest preq;
    preq.method = req.method;
    preq.path = t.rest.empty() ? "/" : t.rest;
    preq.body = req.body;
    for (const auto& [k, v] : req.params) preq.query.emplace_back(k, v);
    ProxyResponse pres = ServeProxy(sim_, t.ns, service, preq);
    if (pres.status_error) {
      return Error(res, {pres.status, pres.reason, pres.body}, service, "services");
    }
    res.status = pres.status;
    res.set_content(pres.body, pres.content_type.c_str());
  }

  void Control(const httplib::Request& req, httplib::Response& res, const std::string& what) {
    if (what == "clock" && req.method == "GET") {
      return Json(res, 200, {{"now", ApiTime(sim_->Now())}, {"seed", sim_->seed()}});
    }
    if (what == "advance" && req.method == "POST") {
      std::string by = Param(req, "by");
      std::string to = Param(req, "to");
      if (by.empty() == to.empty()) {
        return Error(res, {400, "BadRequest", "give exactly one of ?by=DURATION or ?to=TIME"});
      }
      absl::Time target;
      if (!by.empty()) {
        absl::Duration d;
        if (!absl::ParseDuration(by, &d) || d < absl::ZeroDuration() || d > absl::Hours(24 * 7)) {
          return Error(res,
                       {400, "BadRequest",
                        absl::StrCat("by: \"", by,
                                     "\" is not a duration between 0s and 168h (e.g. 90s, 5m)")});
        }
        target = sim_->Now() + d;
      } else {
        target = ParseApiTime(to);
        if (target == absl::InfinitePast()) {
          return Error(
              res, {400, "BadRequest", absl::StrCat("to: \"", to, "\" is not an RFC 3339 time")});
        }
        if (target > sim_->Now() + absl::Hours(24 * 7)) {
          return Error(res, {400, "BadRequest", "to: more than 168h ahead"});
        }
      }
      sim_->AdvanceTo(target);
      return Json(res, 200, {{"now", ApiTime(sim_->Now())}});
    }
    Error(res, {404, "NotFound",
                absl::StrCat("no control endpoint /sim/v1/", what,
                             " (there are GET clock and POST advance)")});
  }

  Sim* sim_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

ApiServer::ApiServer(Sim* sim) : sim_(sim), handler_(std::make_unique<Handler>(sim)) {}

ApiServer::~ApiServer() { Stop(); }

absl::StatusOr<int> ApiServer::Start(int port) {
  http_ = std::make_unique<httplib::Server>();
  http_->set_payload_max_length(kMaxBody);
  http_->set_read_timeout(30, 0);
  // Responses go out in more than one write; without TCP_NODELAY the second waits for the
  // client's delayed ACK (40 ms on Linux).
  http_->set_tcp_nodelay(true);
  http_->set_write_timeout(30, 0);
  auto serve = [this](const httplib::Request& req, httplib::Response& res) {
    handler_->Serve(req, res);
  };
  http_->Get(".*", serve);
  http_->Post(".*", serve);
  http_->Put(".*", serve);
  http_->Patch(".*", serve);
  http_->Delete(".*", serve);
  http_->Options(".*", serve);
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(StatusJson({500, "InternalError", "internal error"}).dump(),
                        "application/json");
      });
  if (port == 0) {
    port_ = http_->bind_to_any_port("127.0.0.1");
    if (port_ < 0) return absl::UnavailableError("cannot bind a port on 127.0.0.1");
  } else {
    if (!http_->bind_to_port("127.0.0.1", port)) {
      return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port,
                                                 " (in use? try --port 0 for any free port)"));
    }
    port_ = port;
  }
  handler_->set_port(port_);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  return port_;
}

void ApiServer::Stop() {
  if (http_ == nullptr) return;
  handler_->Stop();
  http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
}

std::string ApiServer::Kubeconfig() const {
  return absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: ", kContext,
                      "\n  cluster:\n    server: http://127.0.0.1:", port_,
                      "\ncontexts:\n- name: ", kContext, "\n  context:\n    cluster: ", kContext,
                      "\n    namespace: ", kNamespace, "\n    user: ", kContext,
                      "\ncurrent-context: ", kContext, "\nusers:\n- name: ", kContext,
                      "\n  user: {}\npreferences: {}\n");
}

}  // namespace sim
}  // namespace sre_eval
