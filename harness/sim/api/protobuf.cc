#include "sim/api/protobuf.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sim/store/object_store.h"
#include "util/utf8.h"

namespace sre_eval {
namespace sim {

namespace {

enum class Type {
  kString,
  kInt,
  kBool,
  kMessage,
  kMessages,  // repeated message: a JSON array
  kStringMap,
  kBytesMap,
  kQuantityMap,  // map<string, resource.Quantity {string = 1}>: quantities as strings
  kStrings,
  kTime,
  kIntOrString,  // intstr.IntOrString {type = 1, intVal = 2, strVal = 3}
};

struct Message;

struct Field {
  int number;
  const char* name;
  Type type;
  const Message* message = nullptr;  // kMessage.
  bool keep_zero = false;            // A pointer in Go: an explicit 0 or "" is a value.
};

struct Message {
  const char* name;
  std::vector<Field> fields;
};

// generated.proto's messages, as far as the sim decodes them.
const Message kObjectMeta{"ObjectMeta",
                          {{1, "name", Type::kString},
                           {2, "generateName", Type::kString},
                           {3, "namespace", Type::kString},
                           {4, "selfLink", Type::kString},
                           {5, "uid", Type::kString},
                           {6, "resourceVersion", Type::kString},
                           {7, "generation", Type::kInt},
                           {8, "creationTimestamp", Type::kTime},
                           {11, "labels", Type::kStringMap},
                           {12, "annotations", Type::kStringMap},
                           {14, "finalizers", Type::kStrings}}};
const Message kConfigMap{"ConfigMap",
                         {{1, "metadata", Type::kMessage, &kObjectMeta},
                          {2, "data", Type::kStringMap},
                          {3, "binaryData", Type::kBytesMap},
                          {4, "immutable", Type::kBool, nullptr, true}}};
const Message kSecret{"Secret",
                      {{1, "metadata", Type::kMessage, &kObjectMeta},
                       {2, "data", Type::kBytesMap},
                       {3, "type", Type::kString},
                       {4, "stringData", Type::kStringMap},
                       {5, "immutable", Type::kBool, nullptr, true}}};
const Message kNamespaceSpec{"NamespaceSpec", {{1, "finalizers", Type::kStrings}}};
const Message kNamespaceStatus{"NamespaceStatus", {{1, "phase", Type::kString}}};
const Message kNamespace{"Namespace",
                         {{1, "metadata", Type::kMessage, &kObjectMeta},
                          {2, "spec", Type::kMessage, &kNamespaceSpec},
                          {3, "status", Type::kMessage, &kNamespaceStatus}}};
const Message kCrossVersionObjectReference{
    "CrossVersionObjectReference",
    {{1, "kind", Type::kString}, {2, "name", Type::kString}, {3, "apiVersion", Type::kString}}};
const Message kHpaSpecV1{"HorizontalPodAutoscalerSpec",
                         {{1, "scaleTargetRef", Type::kMessage, &kCrossVersionObjectReference},
                          {2, "minReplicas", Type::kInt, nullptr, true},
                          {3, "maxReplicas", Type::kInt, nullptr, true},
                          {4, "targetCPUUtilizationPercentage", Type::kInt, nullptr, true}}};
const Message kHpaStatusV1{"HorizontalPodAutoscalerStatus",
                           {{1, "observedGeneration", Type::kInt},
                            {2, "lastScaleTime", Type::kTime},
                            {3, "currentReplicas", Type::kInt},
                            {4, "desiredReplicas", Type::kInt},
                            {5, "currentCPUUtilizationPercentage", Type::kInt}}};
const Message kHpaV1{"HorizontalPodAutoscaler",
                     {{1, "metadata", Type::kMessage, &kObjectMeta},
                      {2, "spec", Type::kMessage, &kHpaSpecV1},
                      {3, "status", Type::kMessage, &kHpaStatusV1}}};
// The workloads `kubectl create deployment|job` and `kubectl run` send: the fields those
// commands set and the ones an agent's client commonly adds (ports, env, resources).
const Message kLabelSelectorRequirement{
    "LabelSelectorRequirement",
    {{1, "key", Type::kString}, {2, "operator", Type::kString}, {3, "values", Type::kStrings}}};
const Message kLabelSelector{
    "LabelSelector",
    {{1, "matchLabels", Type::kStringMap},
     {2, "matchExpressions", Type::kMessages, &kLabelSelectorRequirement}}};
const Message kContainerPort{"ContainerPort",
                             {{1, "name", Type::kString},
                              {2, "hostPort", Type::kInt},
                              {3, "containerPort", Type::kInt},
                              {4, "protocol", Type::kString},
                              {5, "hostIP", Type::kString}}};
const Message kEnvVar{"EnvVar", {{1, "name", Type::kString}, {2, "value", Type::kString}}};
const Message kResourceRequirements{
    "ResourceRequirements",
    {{1, "limits", Type::kQuantityMap}, {2, "requests", Type::kQuantityMap}}};
const Message kContainer{"Container",
                         {{1, "name", Type::kString},
                          {2, "image", Type::kString},
                          {3, "command", Type::kStrings},
                          {4, "args", Type::kStrings},
                          {5, "workingDir", Type::kString},
                          {6, "ports", Type::kMessages, &kContainerPort},
                          {7, "env", Type::kMessages, &kEnvVar},
                          {8, "resources", Type::kMessage, &kResourceRequirements},
                          {13, "terminationMessagePath", Type::kString},
                          {14, "imagePullPolicy", Type::kString},
                          {16, "stdin", Type::kBool},
                          {17, "stdinOnce", Type::kBool},
                          {18, "tty", Type::kBool},
                          {20, "terminationMessagePolicy", Type::kString}}};
const Message kPodSpec{"PodSpec",
                       {{2, "containers", Type::kMessages, &kContainer},
                        {3, "restartPolicy", Type::kString},
                        {4, "terminationGracePeriodSeconds", Type::kInt, nullptr, true},
                        {5, "activeDeadlineSeconds", Type::kInt, nullptr, true},
                        {6, "dnsPolicy", Type::kString},
                        {7, "nodeSelector", Type::kStringMap},
                        {8, "serviceAccountName", Type::kString},
                        {10, "nodeName", Type::kString},
                        {19, "schedulerName", Type::kString},
                        {20, "initContainers", Type::kMessages, &kContainer}}};
const Message kPodTemplateSpec{
    "PodTemplateSpec",
    {{1, "metadata", Type::kMessage, &kObjectMeta}, {2, "spec", Type::kMessage, &kPodSpec}}};
// Status messages are empty in a create: one with content is refused like any unknown field.
const Message kEmptyStatus{"Status", {}};
const Message kPod{"Pod",
                   {{1, "metadata", Type::kMessage, &kObjectMeta},
                    {2, "spec", Type::kMessage, &kPodSpec},
                    {3, "status", Type::kMessage, &kEmptyStatus}}};
const Message kRollingUpdateDeployment{
    "RollingUpdateDeployment",
    {{1, "maxUnavailable", Type::kIntOrString}, {2, "maxSurge", Type::kIntOrString}}};
const Message kDeploymentStrategy{
    "DeploymentStrategy",
    {{1, "type", Type::kString}, {2, "rollingUpdate", Type::kMessage, &kRollingUpdateDeployment}}};
const Message kDeploymentSpec{"DeploymentSpec",
                              {{1, "replicas", Type::kInt, nullptr, true},
                               {2, "selector", Type::kMessage, &kLabelSelector},
                               {3, "template", Type::kMessage, &kPodTemplateSpec},
                               {4, "strategy", Type::kMessage, &kDeploymentStrategy},
                               {5, "minReadySeconds", Type::kInt},
                               {6, "revisionHistoryLimit", Type::kInt, nullptr, true},
                               {7, "paused", Type::kBool},
                               {9, "progressDeadlineSeconds", Type::kInt, nullptr, true}}};
const Message kDeployment{"Deployment",
                          {{1, "metadata", Type::kMessage, &kObjectMeta},
                           {2, "spec", Type::kMessage, &kDeploymentSpec},
                           {3, "status", Type::kMessage, &kEmptyStatus}}};
const Message kJobSpec{"JobSpec",
                       {{1, "parallelism", Type::kInt, nullptr, true},
                        {2, "completions", Type::kInt, nullptr, true},
                        {3, "activeDeadlineSeconds", Type::kInt, nullptr, true},
                        {4, "selector", Type::kMessage, &kLabelSelector},
                        {5, "manualSelector", Type::kBool, nullptr, true},
                        {6, "template", Type::kMessage, &kPodTemplateSpec},
                        {7, "backoffLimit", Type::kInt, nullptr, true},
                        {8, "ttlSecondsAfterFinished", Type::kInt, nullptr, true},
                        {9, "completionMode", Type::kString},
                        {10, "suspend", Type::kBool, nullptr, true}}};
const Message kJob{"Job",
                   {{1, "metadata", Type::kMessage, &kObjectMeta},
                    {2, "spec", Type::kMessage, &kJobSpec},
                    {3, "status", Type::kMessage, &kEmptyStatus}}};
const Message kTypeMeta{"TypeMeta", {{1, "apiVersion", Type::kString}, {2, "kind", Type::kString}}};
struct Kind {
  const char* api_version;
  const char* kind;
  const Message* message;
};
constexpr Kind kKinds[] = {{"v1", "ConfigMap", &kConfigMap},
                           {"v1", "Secret", &kSecret},
                           {"v1", "Namespace", &kNamespace},
                           {"v1", "Pod", &kPod},
                           {"apps/v1", "Deployment", &kDeployment},
                           {"batch/v1", "Job", &kJob},
                           {"autoscaling/v1", "HorizontalPodAutoscaler", &kHpaV1}};

constexpr int kMaxDepth = 8;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("the protobuf request body is malformed: ", what));
}

class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  bool Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        return true;
      }
    }
    return false;
  }

  bool Bytes(absl::string_view* out) {
    uint64_t n = 0;
    if (!Varint(&n) || n > data_.size() - pos_) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  bool Skip(int wire) {
    uint64_t ignored = 0;
    absl::string_view bytes;
    switch (wire) {
      case 0:
        return Varint(&ignored);
      case 1:
        if (data_.size() - pos_ < 8) return false;
        pos_ += 8;
        return true;
      case 2:
        return Bytes(&bytes);
      case 5:
        if (data_.size() - pos_ < 4) return false;
        pos_ += 4;
        return true;
      default:
        return false;
    }
  }

 private:
  absl::string_view data_;
  size_t pos_ = 0;
};

absl::StatusOr<nlohmann::json> Decode(const Message& m, absl::string_view data, int depth);

absl::StatusOr<std::string> Text(absl::string_view bytes, const Message& m, const Field& f) {
  if (!IsValidUtf8(bytes)) {
    return Malformed(absl::StrCat(m.name, ".", f.name, " is not valid UTF-8"));
  }
  return std::string(bytes);
}

// A map entry {key = 1, value = 2}.
absl::Status MapEntry(absl::string_view data, const Message& m, const Field& f,
                      nlohmann::json* map) {
  Reader r(data);
  std::string key, value;
  while (!r.done()) {
    uint64_t tag = 0;
    absl::string_view bytes;
    if (!r.Varint(&tag) || (tag & 7) != 2 || !r.Bytes(&bytes)) {
      return Malformed(absl::StrCat("an entry of ", m.name, ".", f.name));
    }
    if ((tag >> 3) == 1) {
      absl::StatusOr<std::string> k = Text(bytes, m, f);
      if (!k.ok()) return k.status();
      key = *std::move(k);
    } else if ((tag >> 3) == 2) {
      if (f.type == Type::kBytesMap) {
        value = absl::Base64Escape(bytes);
      } else if (f.type == Type::kQuantityMap) {
        // resource.Quantity {string = 1}
        Reader q(bytes);
        while (!q.done()) {
          uint64_t key = 0;
          absl::string_view text;
          if (!q.Varint(&key) || key != ((1 << 3) | 2) || !q.Bytes(&text)) {
            return Malformed(absl::StrCat("a quantity of ", m.name, ".", f.name));
          }
          absl::StatusOr<std::string> v = Text(text, m, f);
          if (!v.ok()) return v.status();
          value = *std::move(v);
        }
      } else {
        absl::StatusOr<std::string> v = Text(bytes, m, f);
        if (!v.ok()) return v.status();
        value = *std::move(v);
      }
    }
  }
  (*map)[key] = value;
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> Decode(const Message& m, absl::string_view data, int depth) {
  if (depth > kMaxDepth) return Malformed("nested too deeply");
  nlohmann::json out = nlohmann::json::object();
  Reader r(data);
  while (!r.done()) {
    uint64_t tag = 0;
    if (!r.Varint(&tag)) return Malformed(absl::StrCat("a field key of ", m.name));
    const int number = static_cast<int>(tag >> 3);
    const int wire = static_cast<int>(tag & 7);
    const Field* f = nullptr;
    for (const Field& candidate : m.fields) {
      if (candidate.number == number) f = &candidate;
    }
    if (f == nullptr) {
      // A field at its zero value carries nothing (Go's generated code sends every plain
      // field: a false hostNetwork, an empty securityContext); anything else is data the sim
      // would lose.
      absl::string_view bytes;
      uint64_t zero = 1;
      Reader probe = r;
      if ((wire == 2 && probe.Bytes(&bytes) && bytes.empty()) ||
          (wire == 0 && probe.Varint(&zero) && zero == 0)) {
        r = probe;
        continue;
      }
      return absl::UnimplementedError(
          absl::StrCat("the simulated cluster does not decode field ", number, " of ", m.name,
                       " in protobuf: write the object as a manifest and use kubectl apply -f"));
    }
    const bool varint = f->type == Type::kInt || f->type == Type::kBool;
    if ((varint && wire != 0) || (!varint && wire != 2)) {
      return Malformed(absl::StrCat(m.name, ".", f->name, " has wire type ", wire));
    }
    uint64_t v = 0;
    absl::string_view bytes;
    if (varint ? !r.Varint(&v) : !r.Bytes(&bytes)) {
      return Malformed(absl::StrCat(m.name, ".", f->name, " is cut"));
    }
    switch (f->type) {
      case Type::kString: {
        absl::StatusOr<std::string> s = Text(bytes, m, *f);
        if (!s.ok()) return s.status();
        if (!s->empty() || f->keep_zero) out[f->name] = *std::move(s);
        break;
      }
      case Type::kInt:
        if (v != 0 || f->keep_zero) out[f->name] = static_cast<int64_t>(v);
        break;
      case Type::kBool:
        if (v != 0 || f->keep_zero) out[f->name] = v != 0;
        break;
      case Type::kMessage: {
        absl::StatusOr<nlohmann::json> inner = Decode(*f->message, bytes, depth + 1);
        if (!inner.ok()) return inner.status();
        out[f->name] = *std::move(inner);
        break;
      }
      case Type::kMessages: {
        absl::StatusOr<nlohmann::json> inner = Decode(*f->message, bytes, depth + 1);
        if (!inner.ok()) return inner.status();
        out[f->name].push_back(*std::move(inner));
        break;
      }
      case Type::kQuantityMap: {
        nlohmann::json& map = out[f->name];
        if (!map.is_object()) map = nlohmann::json::object();
        absl::Status s = MapEntry(bytes, m, *f, &map);
        if (!s.ok()) return s;
        break;
      }
      case Type::kIntOrString: {
        // {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}
        Reader v(bytes);
        uint64_t kind = 0, number = 0;
        std::string text;
        while (!v.done()) {
          uint64_t key = 0;
          if (!v.Varint(&key)) return Malformed(absl::StrCat(m.name, ".", f->name));
          if ((key >> 3) == 3 && (key & 7) == 2) {
            absl::string_view b;
            if (!v.Bytes(&b)) return Malformed(absl::StrCat(m.name, ".", f->name));
            absl::StatusOr<std::string> t = Text(b, m, *f);
            if (!t.ok()) return t.status();
            text = *std::move(t);
          } else if (((key >> 3) == 1 || (key >> 3) == 2) && (key & 7) == 0) {
            if (!v.Varint((key >> 3) == 1 ? &kind : &number)) {
              return Malformed(absl::StrCat(m.name, ".", f->name));
            }
          } else {
            return Malformed(absl::StrCat(m.name, ".", f->name));
          }
        }
        if (kind == 1) {
          out[f->name] = text;
        } else {
          out[f->name] = static_cast<int64_t>(static_cast<int32_t>(number));
        }
        break;
      }
      case Type::kStringMap:
      case Type::kBytesMap: {
        nlohmann::json& map = out[f->name];
        if (!map.is_object()) map = nlohmann::json::object();
        absl::Status s = MapEntry(bytes, m, *f, &map);
        if (!s.ok()) return s;
        break;
      }
      case Type::kStrings: {
        absl::StatusOr<std::string> s = Text(bytes, m, *f);
        if (!s.ok()) return s.status();
        out[f->name].push_back(*std::move(s));
        break;
      }
      case Type::kTime: {
        // metav1.Time {seconds = 1, nanos = 2}; the zero time is no time.
        Reader t(bytes);
        int64_t seconds = 0;
        while (!t.done()) {
          uint64_t key = 0, value = 0;
          if (!t.Varint(&key) || (key & 7) != 0 || !t.Varint(&value)) {
            return Malformed(absl::StrCat(m.name, ".", f->name));
          }
          if ((key >> 3) == 1) seconds = static_cast<int64_t>(value);
        }
        if (seconds != 0) out[f->name] = ApiTime(absl::FromUnixSeconds(seconds));
        break;
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<nlohmann::json> DecodeProtobufObject(absl::string_view body) {
  constexpr absl::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return Malformed("it does not start with \"k8s\\0\"");
  // runtime.Unknown {typeMeta = 1, raw = 2, contentEncoding = 3, contentType = 4}.
  nlohmann::json type_meta = nlohmann::json::object();
  absl::string_view raw;
  Reader r(body.substr(4));
  while (!r.done()) {
    uint64_t tag = 0;
    absl::string_view bytes;
    if (!r.Varint(&tag)) return Malformed("a field key of Unknown");
    static constexpr const char* kFields[] = {"?", "typeMeta", "raw", "contentEncoding",
                                              "contentType"};
    const char* field = (tag >> 3) < 5 ? kFields[tag >> 3] : "?";
    if ((tag & 7) != 2) {
      return Malformed(absl::StrCat("Unknown.", field, " has wire type ", tag & 7));
    }
    if (!r.Bytes(&bytes)) return Malformed(absl::StrCat("Unknown.", field, " is cut"));
    if ((tag >> 3) == 1) {
      absl::StatusOr<nlohmann::json> decoded = Decode(kTypeMeta, bytes, 0);
      if (!decoded.ok()) return decoded.status();
      type_meta = *std::move(decoded);
    } else if ((tag >> 3) == 2) {
      raw = bytes;
    } else if ((tag >> 3) == 3 && !bytes.empty()) {
      return Malformed("a content encoding (the sim reads plain protobuf only)");
    }
  }
  const std::string api_version = type_meta.value("apiVersion", "");
  const std::string kind = type_meta.value("kind", "");
  for (const Kind& k : kKinds) {
    if (api_version != k.api_version || kind != k.kind) continue;
    absl::StatusOr<nlohmann::json> object = Decode(*k.message, raw, 0);
    if (!object.ok()) return object.status();
    (*object)["apiVersion"] = api_version;
    (*object)["kind"] = kind;
    return object;
  }
  return absl::UnimplementedError(absl::StrCat(
      "the simulated cluster decodes protobuf request bodies of ConfigMaps, Secrets, Namespaces, "
      "Pods, Deployments, Jobs and autoscaling/v1 HorizontalPodAutoscalers only, not ",
      api_version.empty() ? "this one" : absl::StrCat(api_version, " ", kind),
      ": write the object as a manifest and use kubectl apply -f"));
}

}  // namespace sim
}  // namespace sre_eval
