#include "sim/api/api_server.h"

#include <httplib.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sim/api/api_server_internal.h"
#include "sim/api/request_body.h"
#include "sim/api/resources.h"
#include "sim/api/table.h"
#include "sim/kube/autoscaler.h"
#include "sim/kube/controllers.h"
#include "sim/kube/derived.h"
#include "sim/sim.h"
#include "sim/store/object_store.h"
#include "sim/store/patch.h"
#include "sim/store/selector.h"

namespace sre_eval {
namespace sim {

namespace {

// A watch with no timeoutSeconds ends after this much wall-clock time, as the real server's
// --min-request-timeout does.
constexpr absl::Duration kMaxWatch = absl::Minutes(30);

}  // namespace

using namespace api_internal;  // The helpers this file shares with api_server.cc.

bool ApiServer::Handler::MakeFilter(const httplib::Request& req, httplib::Response& res,
                                    const Target& t, Filter* f) {
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

bool ApiServer::Handler::WantsTable(const httplib::Request& req) {
  return absl::StrContains(req.get_header_value("Accept"), "as=Table");
}

namespace {

// HPAs are stored as autoscaling/v2 and served as autoscaling/v1 too.
bool IsHpaV1(const ResourceInfo& info) {
  return info.resource == "horizontalpodautoscalers" && info.version == "v1";
}

}  // namespace

// A stored object as a client of `info` sees it.
nlohmann::json ApiServer::Handler::WithKind(nlohmann::json o, const ResourceInfo& info) {
  if (IsHpaV1(info)) return HpaToV1(std::move(o));
  o["kind"] = info.kind;
  o["apiVersion"] = info.GroupVersion();
  return o;
}

// The API server's decoding of a write: defaults (an HPA's, a namespace's) on every write.
nlohmann::json ApiServer::Handler::ForStorage(nlohmann::json o, const ResourceInfo& info) {
  if (info.resource == "horizontalpodautoscalers") {
    nlohmann::json v2 = IsHpaV1(info) ? HpaFromV1(std::move(o)) : WithKind(std::move(o), info);
    ApplyHpaDefaults(&v2);
    return v2;
  }
  if (info.resource == "deployments" && o.is_object() && o.contains("spec") &&
      o["spec"].is_object()) {
    // The API server's defaults (replicas, strategy, the pod template's), as on every
    // deployment the sim starts with. A malformed spec is left to validation to refuse.
    nlohmann::json defaulted = o;
    try {
      ApplyDeploymentDefaults(&defaulted);
      o = std::move(defaulted);
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (info.resource == "namespaces" && o.is_object()) {
    // The namespace registry's defaults: its name label, the kubernetes finalizer, Active.
    nlohmann::json& meta = o["metadata"];
    if (meta.is_object() && meta.contains("name") && meta["name"].is_string() &&
        (!meta.contains("labels") || meta["labels"].is_null() || meta["labels"].is_object())) {
      meta["labels"]["kubernetes.io/metadata.name"] = meta["name"];
    }
    nlohmann::json& spec = o["spec"];
    if (spec.is_null()) spec = nlohmann::json::object();
    if (spec.is_object() && !spec.contains("finalizers")) spec["finalizers"] = {"kubernetes"};
    o["status"] = {{"phase", "Active"}};
  }
  return WithKind(std::move(o), info);
}

void ApiServer::Handler::List(const httplib::Request& req, httplib::Response& res,
                              const Target& t) {
  Filter filter;
  if (!MakeFilter(req, res, t, &filter)) return;
  // resourceVersion and resourceVersionMatch, checked as the real server's ListOptions
  // validation does. The sim keeps no past states: a list is served at the current version
  // only, so "Exact" on an older version is 410 Expired, as a compacted one is on a real
  // server.
  std::string rv_text = Param(req, "resourceVersion");
  std::string match = Param(req, "resourceVersionMatch");
  uint64_t want = 0;
  if (!rv_text.empty() && !absl::SimpleAtoi(rv_text, &want)) {
    return Error(res,
                 {400, "BadRequest", absl::StrCat("invalid resource version \"", rv_text, "\"")});
  }
  if (!match.empty()) {
    if (match != "Exact" && match != "NotOlderThan") {
      return Error(res, {400, "BadRequest",
                         absl::StrCat("resourceVersionMatch: Unsupported value: \"", match,
                                      "\": supported values: \"Exact\", \"NotOlderThan\", "
                                      "\"\"")});
    }
    if (rv_text.empty()) {
      return Error(res, {400, "BadRequest",
                         "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden "
                         "unless resourceVersion is provided"});
    }
    if (match == "Exact" && want == 0) {
      return Error(res, {400, "BadRequest",
                         "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is "
                         "forbidden for resourceVersion \"0\""});
    }
  }
  std::vector<nlohmann::json> items;
  uint64_t rv;
  absl::Time now;
  std::vector<std::shared_ptr<const nlohmann::json>> objects;
  {
    absl::MutexLock lock(sim_->mu());
    rv = sim_->store()->resource_version();
    now = sim_->Now();
    if (want > rv) {
      return Error(res, {504, "Timeout",
                         absl::StrCat("Too large resource version: ", want, ", current: ", rv)});
    }
    if (match == "Exact" && want < rv) {
      return Error(res, {410, "Expired", "The resourceVersion for the provided list is too old."});
    }
    objects = sim_->store()->Snapshot(t.info->resource, t.ns);
  }
  // Each matching object is copied once, outside the model lock, to add its kind.
  for (const auto& o : objects) {
    if (filter.Matches(*o)) items.push_back(WithKind(*o, *t.info));
  }
  ServeList(req, res, t, std::move(items), now, rv);
}

void ApiServer::Handler::ServeList(const httplib::Request& req, httplib::Response& res,
                                   const Target& t, std::vector<nlohmann::json> items,
                                   absl::Time now, uint64_t rv) {
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

void ApiServer::Handler::Derived(const httplib::Request& req, httplib::Response& res,
                                 const Target& t) {
  if (req.method != "GET" || !t.sub.empty() || ParamTrue(req, "watch")) {
    return Error(res, {405, "MethodNotAllowed",
                       absl::StrCat("the sim computes ", t.info->resource,
                                    " from the cluster's state: only get and list are served")});
  }
  Filter filter;
  if (t.name.empty() && !MakeFilter(req, res, t, &filter)) return;
  std::vector<nlohmann::json> items;
  uint64_t rv;
  absl::Time now;
  {
    absl::MutexLock lock(sim_->mu());
    rv = sim_->store()->resource_version();
    now = sim_->Now();
    for (nlohmann::json& o :
         DerivedObjects(*sim_->store(), t.info->group, t.info->resource, t.ns)) {
      if (!t.name.empty() ? MetaString(o, "name") == t.name : filter.Matches(o)) {
        items.push_back(std::move(o));
      }
    }
  }
  if (!t.name.empty() && items.empty()) {
    return Error(res,
                 {404, "NotFound", absl::StrCat(t.info->resource, " \"", t.name, "\" not found")},
                 t.name, t.info->resource);
  }
  if (!t.name.empty() && !WantsTable(req)) return Json(res, 200, items[0]);
  ServeList(req, res, t, std::move(items), now, rv);
}

void ApiServer::Handler::AccessReview(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "POST") {
    return Error(res, {405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource"});
  }
  // kubectl sends the review as protobuf, which the sim does not read: every answer is "yes"
  // whatever was asked, so only a JSON or YAML review's spec is echoed back.
  nlohmann::json spec = nlohmann::json::object();
  if (!absl::StartsWith(req.get_header_value("Content-Type"),
                        "application/vnd.kubernetes.protobuf")) {
    auto body = ParseRequestBody(req.body);
    if (!body.ok()) return Error(res, FromStatus(body.status()));
    if (!body->is_object() || !(*body)["spec"].is_object()) {
      return Error(res, {400, "BadRequest", "a SelfSubjectAccessReview needs a spec"});
    }
    spec = (*body)["spec"];
  }
  nlohmann::json review = {{"kind", "SelfSubjectAccessReview"},
                           {"apiVersion", "authorization.k8s.io/v1"},
                           {"metadata", {{"creationTimestamp", nullptr}}},
                           {"spec", spec},
                           {"status", {{"allowed", true}}}};
  Json(res, 201, review);
}

void ApiServer::Handler::Get(const httplib::Request& req, httplib::Response& res, const Target& t) {
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

void ApiServer::Handler::Watch(const httplib::Request& req, httplib::Response& res,
                               const Target& t) {
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
      return Error(
          res, {400, "BadRequest", absl::StrCat("invalid timeoutSeconds \"", timeout_text, "\"")});
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
  res.set_chunked_content_provider(
      // The stream's media type parameter keeps cpp-httplib from gzipping it for clients that
      // accept gzip (kubectl does): its compressor would hold each event back until the end.
      "application/json;stream=watch",
      [this, info, ns, filter, table, inc, deadline, state](size_t, httplib::DataSink& sink) {
        auto event = [&](const std::string& type, const nlohmann::json& o) {
          nlohmann::json object = o;
          if (table) {
            object =
                MakeTable(info->resource, {o}, sim_->Now(), MetaString(o, "resourceVersion"), inc);
          }
          if (absl::Duration shift = Shift(); shift != absl::ZeroDuration()) {
            ShiftTimes(&object, shift);
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
            info->resource, state->first, std::min(absl::Milliseconds(500), deadline - absl::Now()),
            &seen);
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

void ApiServer::Handler::Create(const httplib::Request& req, httplib::Response& res,
                                const Target& t) {
  auto body = ParseRequestBody(req.body);
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
  obj = ForStorage(std::move(obj), *t.info);
  absl::MutexLock lock(sim_->mu());
  if (t.info->namespaced && !sim_->store()->Get("namespaces", "", t.ns).ok()) {
    return Error(res, {404, "NotFound", absl::StrCat("namespaces \"", t.ns, "\" not found")}, t.ns,
                 "namespaces");
  }
  if (Param(req, "dryRun") == "All") {
    absl::Status storable = CheckStorable(t.info->resource, obj);
    if (!storable.ok()) return Error(res, FromStatus(storable), MetaString(obj, "name"));
    return Json(res, 201, WithKind(std::move(obj), *t.info));
  }
  const std::string name = MetaString(obj, "name");
  auto created = sim_->store()->Create(t.info->resource, std::move(obj));
  if (!created.ok()) return Error(res, FromStatus(created.status()), name, t.info->resource);
  sim_->Reconcile();
  if (t.info->resource == "jobs") {
    // The job as defaulted on create (its selector needs the uid).
    auto defaulted = sim_->store()->Get(t.info->resource, t.ns, MetaString(*created, "name"));
    if (defaulted.ok()) created = *std::move(defaulted);
  }
  Json(res, 201, WithKind(*std::move(created), *t.info));
}

void ApiServer::Handler::Replace(const httplib::Request& req, httplib::Response& res,
                                 const Target& t) {
  auto body = ParseRequestBody(req.body);
  if (!body.ok()) return Error(res, FromStatus(body.status()));
  nlohmann::json obj = *std::move(body);
  if (!obj.is_object()) {
    return Error(res, {400, "BadRequest", "the request body is not an object"});
  }
  if (MetaString(obj, "name") != t.name) {
    return Error(res,
                 {400, "BadRequest", "the name of the object does not match the name on the URL"});
  }
  if (t.info->namespaced) obj["metadata"]["namespace"] = t.ns;
  obj = ForStorage(std::move(obj), *t.info);
  absl::MutexLock lock(sim_->mu());
  auto updated = sim_->store()->Update(t.info->resource, std::move(obj));
  if (!updated.ok()) return Error(res, FromStatus(updated.status()), t.name, t.info->resource);
  sim_->Reconcile();
  Json(res, 200, WithKind(*std::move(updated), *t.info));
}

void ApiServer::Handler::Patch(const httplib::Request& req, httplib::Response& res,
                               const Target& t) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  auto body = ParseRequestBody(req.body);
  if (!body.ok()) return Error(res, FromStatus(body.status()));
  absl::MutexLock lock(sim_->mu());
  // The patch applies to the object as the client sees it (an HPA in autoscaling/v1).
  auto existing = sim_->store()->Get(t.info->resource, t.ns, t.name);
  if (existing.ok()) existing = WithKind(*std::move(existing), *t.info);
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
    patched = ApplyServerSide(existing.ok() ? *existing : none, applied, t.info->resource, manager,
                              ApiTime(sim_->Now()));
    if (patched.ok() && !existing.ok()) {
      if (t.info->namespaced && !sim_->store()->Get("namespaces", "", t.ns).ok()) {
        return Error(res, {404, "NotFound", absl::StrCat("namespaces \"", t.ns, "\" not found")},
                     t.ns, "namespaces");
      }
      auto created = sim_->store()->Create(t.info->resource, ForStorage(*patched, *t.info));
      if (!created.ok()) {
        return Error(res, FromStatus(created.status()), t.name, t.info->resource);
      }
      sim_->Reconcile();
      return Json(res, 201, WithKind(*std::move(created), *t.info));
    }
  } else {
    if (!existing.ok()) return Error(res, FromStatus(existing.status()), t.name, t.info->resource);
    if (type == "application/merge-patch+json") {
      patched = ApplyMergePatch(*existing, *body);
    } else if (type == "application/strategic-merge-patch+json") {
      patched = ApplyStrategicMergePatch(*existing, *body, t.info->resource);
    } else if (type == "application/json-patch+json") {
      patched = ApplyJsonPatch(*existing, *body);
    } else {
      return Error(res, {415, "UnsupportedMediaType",
                         absl::StrCat("the body of the request was in an unknown format - "
                                      "accepted media types include: "
                                      "application/json-patch+json, application/merge-patch+json, "
                                      "application/apply-patch+yaml, "
                                      "application/strategic-merge-patch+json")});
    }
  }
  if (!patched.ok()) {
    ApiError e = patched.status().code() == absl::StatusCode::kResourceExhausted
                     ? FromStatus(patched.status())
                     : ApiError{422, "Invalid", std::string(patched.status().message())};
    return Error(res, e, t.name, t.info->resource);
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
  obj = ForStorage(std::move(obj), *t.info);
  if (Param(req, "dryRun") == "All") {
    absl::Status storable = CheckStorable(t.info->resource, obj);
    if (!storable.ok()) return Error(res, FromStatus(storable), t.name, t.info->resource);
    return Json(res, 200, WithKind(std::move(obj), *t.info));
  }
  auto updated = sim_->store()->Update(t.info->resource, std::move(obj));
  if (!updated.ok()) return Error(res, FromStatus(updated.status()), t.name, t.info->resource);
  sim_->Reconcile();
  Json(res, 200, WithKind(*std::move(updated), *t.info));
}

void ApiServer::Handler::Delete(const httplib::Request& req, httplib::Response& res,
                                const Target& t) {
  std::optional<int64_t> grace;
  std::string propagation = Param(req, "propagationPolicy");
  if (!req.body.empty()) {
    auto opts = ParseRequestBody(req.body);
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

nlohmann::json ApiServer::Handler::ScaleOf(const nlohmann::json& o) {
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

void ApiServer::Handler::GetScale(httplib::Response& res, const Target& t) {
  absl::MutexLock lock(sim_->mu());
  auto o = sim_->store()->Get(t.info->resource, t.ns, t.name);
  if (!o.ok()) return Error(res, FromStatus(o.status()), t.name, t.info->resource);
  Json(res, 200, ScaleOf(*o));
}

void ApiServer::Handler::ChangeScale(const httplib::Request& req, httplib::Response& res,
                                     const Target& t) {
  auto body = ParseRequestBody(req.body);
  if (!body.ok()) return Error(res, FromStatus(body.status()));
  absl::MutexLock lock(sim_->mu());
  auto o = sim_->store()->Get(t.info->resource, t.ns, t.name);
  if (!o.ok()) return Error(res, FromStatus(o.status()), t.name, t.info->resource);
  absl::StatusOr<nlohmann::json> scale = *body;
  if (req.method == "PATCH") {
    std::string type = req.get_header_value("Content-Type");
    if (absl::StartsWith(type, "application/json-patch+json")) {
      scale = ApplyJsonPatch(ScaleOf(*o), *body);
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

}  // namespace sim
}  // namespace sre_eval
