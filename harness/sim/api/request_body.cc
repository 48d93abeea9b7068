#include "sim/api/request_body.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/json_limits.h"
#include "util/utf8.h"
#include "util/yaml_json.h"

namespace sre_eval {
namespace sim {

namespace {

constexpr char kWhat[] = "the body";

// The first byte that is not well-formed UTF-8 (NUL is fine), or npos.
size_t FindBadByte(absl::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    size_t bad = FindInvalidUtf8(text.substr(done));
    if (bad == absl::string_view::npos) return absl::string_view::npos;
    if (text[done + bad] != '\0') return done + bad;
    done += bad + 1;
  }
  return absl::string_view::npos;
}

}  // namespace

absl::Status BodyTooLarge() {
  return absl::ResourceExhaustedError(
      absl::StrCat("Request entity too large: limit is ", kMaxRequestBody));
}

absl::StatusOr<nlohmann::json> ParseRequestBody(absl::string_view body) {
  if (body.size() > kMaxRequestBody) return BodyTooLarge();
  if (body.empty()) return absl::InvalidArgumentError("the request body is empty");
  size_t bad = FindBadByte(body);
  if (bad != absl::string_view::npos) {
    int line, column;
    LineAndColumn(body, bad, &line, &column);
    return absl::InvalidArgumentError(absl::StrCat(
        "the body is not valid UTF-8: invalid byte at line ", line, ", column ", column));
  }
  absl::StatusOr<nlohmann::json> json = ParseJsonBounded(body, kWhat);
  if (json.ok() || IsDepthError(json.status())) return json;
  absl::StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(kWhat, std::string(body));
  if (!docs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is neither JSON nor YAML: ", docs.status().message()));
  }
  if (docs->size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body holds ", docs->size(), " YAML documents, not one"));
  }
  nlohmann::json value = std::move((*docs)[0]);
  absl::Status checked = CheckJsonValue(value, kWhat);
  if (!checked.ok()) return checked;
  return value;
}

absl::StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& target,
                                              const nlohmann::json& patch) {
  if (patch.is_array() && patch.size() > kMaxJsonPatchOperations) {
    return absl::ResourceExhaustedError(
        absl::StrCat("The allowed maximum operations in a JSON patch is ", kMaxJsonPatchOperations,
                     ", got ", patch.size()));
  }
  nlohmann::json doc = target;
  size_t copied = 0;
  try {
    // Not an array: nlohmann's own message says what a patch must be.
    if (!patch.is_array()) doc.patch_inplace(patch);
    for (const nlohmann::json& op : patch) {
      if (op.is_object() && op.value("op", "") == "copy") {
        auto from = op.find("from");
        if (from != op.end() && from->is_string()) {
          nlohmann::json::json_pointer pointer(from->get<std::string>());
          if (doc.contains(pointer)) copied += JsonDumpSize(doc.at(pointer));
          if (copied > kMaxObjectBytes) {
            return absl::InvalidArgumentError(
                absl::StrCat("Unable to complete the copy, the accumulated size increase of "
                             "copy is ",
                             copied, ", exceeding the limit ", kMaxObjectBytes));
          }
        }
      }
      doc.patch_inplace(nlohmann::json::array({op}));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON patch: ", e.what()));
  }
  return doc;
}

}  // namespace sim
}  // namespace sre_eval
