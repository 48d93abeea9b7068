#include "sim/shop/service_proxy.h"

#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "sim/store/selector.h"

namespace sre_eval {
namespace sim {

namespace {
// The catalogue's socks (facts from the catalogue-db image's dump).
constexpr CatalogueSock kSocks[] = {
    {"03fef6ac-1896-4ce8-bd69-b798f85c6e0b", "Holy",
     "Socks fit for a Messiah. You too can experience walking in water with these special "
     "edition beauties. Each hole is lovingly proggled to leave smooth edges. The only sock "
     "approved by a higher power.",
     99.99, 1, "/catalogue/images/holy_1.jpeg", "/catalogue/images/holy_2.jpeg"},
    {"3395a43e-2d88-40de-b95f-e00e1502085b", "Colourful",
     "proident occaecat irure et excepteur labore minim nisi amet irure", 18, 438,
     "/catalogue/images/colourful_socks.jpg", "/catalogue/images/colourful_socks.jpg"},
    {"510a0d7e-8e83-4193-b483-e27e09ddc34d", "SuperSport XL",
     "Ready for action. Engineers: be ready to smash that next bug! Be ready, with these "
     "super-action-sport-masterpieces. This particular engineer was chased away from the "
     "office with a stick.",
     15, 820, "/catalogue/images/puma_1.jpeg", "/catalogue/images/puma_2.jpeg"},
    {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", "Crossed",
     "A mature sock, crossed, with an air of nonchalance.", 17.32, 738,
     "/catalogue/images/cross_1.jpeg", "/catalogue/images/cross_2.jpeg"},
    {"819e1fbf-8b7e-4f6d-811f-693534916a8b", "Figueroa",
     "enim officia aliqua excepteur esse deserunt quis aliquip nostrud anim", 14, 808,
     "/catalogue/images/WAT.jpg", "/catalogue/images/WAT2.jpg"},
    {"837ab141-399e-4c1f-9abc-bace40296bac", "Cat socks",
     "consequat amet cupidatat minim laborum tempor elit ex consequat in", 15, 175,
     "/catalogue/images/catsocks.jpg", "/catalogue/images/catsocks2.jpg"},
    {"a0a4f044-b040-410d-8ead-4de0446aec7e", "Nerd leg",
     "For all those leg lovers out there. A perfect example of a swivel chair trained calf. "
     "Meticulously trained on a diet of sitting and Pina Coladas. Phwarr...",
     7.99, 115, "/catalogue/images/bit_of_leg_1.jpeg", "/catalogue/images/bit_of_leg_2.jpeg"},
    {"d3588630-ad8e-49df-bbd7-3167f7efb246", "YouTube.sock",
     "We were not paid to sell this sock. It's just a bit geeky.", 10.99, 801,
     "/catalogue/images/youtube_1.jpeg", "/catalogue/images/youtube_2.jpeg"},
    {"zzz4f044-b040-410d-8ead-4de0446aec7e", "Classic", "Keep it simple.", 12, 127,
     "/catalogue/images/classic.jpg", "/catalogue/images/classic2.jpg"},
};

}  // namespace

const std::vector<CatalogueSock>& CatalogueSocks() {
  static const auto* socks = new std::vector<CatalogueSock>(std::begin(kSocks), std::end(kSocks));
  return *socks;
}

const std::vector<std::string>& CatalogueTags() {
  static const auto* tags =
      new std::vector<std::string>{"brown",  "geek",  "formal", "blue",  "skin", "red",
                                   "action", "sport", "black",  "magic", "green"};
  return *tags;
}

const std::vector<std::pair<std::string, int>>& CatalogueSockTags() {
  static const auto* pairs = new std::vector<std::pair<std::string, int>>{
      {"a0a4f044-b040-410d-8ead-4de0446aec7e", 4},  {"a0a4f044-b040-410d-8ead-4de0446aec7e", 5},
      {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", 4},  {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", 6},
      {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", 7},  {"808a2de1-1aaa-4c25-a9b9-6612e8f29a38", 3},
      {"510a0d7e-8e83-4193-b483-e27e09ddc34d", 8},  {"510a0d7e-8e83-4193-b483-e27e09ddc34d", 9},
      {"510a0d7e-8e83-4193-b483-e27e09ddc34d", 3},  {"03fef6ac-1896-4ce8-bd69-b798f85c6e0b", 10},
      {"03fef6ac-1896-4ce8-bd69-b798f85c6e0b", 7},  {"d3588630-ad8e-49df-bbd7-3167f7efb246", 2},
      {"d3588630-ad8e-49df-bbd7-3167f7efb246", 3},  {"819e1fbf-8b7e-4f6d-811f-693534916a8b", 3},
      {"819e1fbf-8b7e-4f6d-811f-693534916a8b", 11}, {"819e1fbf-8b7e-4f6d-811f-693534916a8b", 4},
      {"zzz4f044-b040-410d-8ead-4de0446aec7e", 1},  {"zzz4f044-b040-410d-8ead-4de0446aec7e", 11},
      {"3395a43e-2d88-40de-b95f-e00e1502085b", 1},  {"3395a43e-2d88-40de-b95f-e00e1502085b", 4},
      {"837ab141-399e-4c1f-9abc-bace40296bac", 1},  {"837ab141-399e-4c1f-9abc-bace40296bac", 11},
      {"837ab141-399e-4c1f-9abc-bace40296bac", 3}};
  return *pairs;
}

namespace {

nlohmann::json Catalogue() {
  nlohmann::json out = nlohmann::json::array();
  for (const CatalogueSock& s : CatalogueSocks()) {
    out.push_back({{"id", s.id},
                   {"name", s.name},
                   {"description", s.description},
                   {"imageUrl", {s.image1, s.image2}},
                   {"price", s.price},
                   {"count", s.count},
                   {"tag", nlohmann::json::array()}});
  }
  return out;
}

bool PodReady(const nlohmann::json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions")) return false;
  if (pod["metadata"].contains("deletionTimestamp")) return false;
  for (const nlohmann::json& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace

ProxyResponse ServeProxy(Sim* sim, const std::string& ns, const std::string& service,
                         const ProxyRequest& request) {
  ProxyResponse out;
  auto svc = sim->store()->Get("services", ns, service);
  bool ready = false;
  if (svc.ok() && (*svc)["spec"].contains("selector")) {
    nlohmann::json selector = {{"matchLabels", (*svc)["spec"]["selector"]}};
    auto match = LabelSelector::FromJson(selector);
    for (const nlohmann::json& pod : sim->store()->List("pods", ns)) {
      const nlohmann::json& meta = pod["metadata"];
      if (match.ok() && match->Matches(meta.contains("labels") ? meta["labels"] : nullptr) &&
          PodReady(pod)) {
        ready = true;
      }
    }
  }
  if (!ready) {
    out.status = 503;
    out.status_error = true;
    out.reason = "ServiceUnavailable";
    out.body = absl::StrCat("no endpoints available for service \"", service, "\"");
    return out;
  }
  const std::string& path = request.path;
  std::string now = ApiTime(sim->Now());
  if (path == "/health") {
    out.body = nlohmann::json{{"health", {{{"service", service}, {"status", "OK"}, {"time", now}}}}}
                   .dump();
    return out;
  }
  if ((service == "catalogue" || service == "front-end") && path == "/catalogue") {
    out.body = Catalogue().dump();
    return out;
  }
  if ((service == "catalogue" || service == "front-end") && path == "/catalogue/size") {
    out.body = R"({"size":9,"err":null})";
    return out;
  }
  if (service == "orders" && (path == "/orders" || path == "/orders/search/customerId")) {
    int64_t page = 0, size = 20;
    std::string customer;
    for (const auto& [key, value] : request.query) {
      if (key == "page") absl::SimpleAtoi(value, &page);
      if (key == "size") absl::SimpleAtoi(value, &size);
      if (key == "custId") customer = value;
    }
    out.content_type = "application/hal+json";
    out.body = sim->orders().List(page, size, customer).dump();
    return out;
  }
  if (service == "orders" && absl::StartsWith(path, "/orders/")) {
    nlohmann::json order = sim->orders().Get(path.substr(8));
    if (order.is_null()) {
      out.status = 404;
      out.body = absl::StrCat(
          R"({"timestamp":)", absl::ToUnixMillis(sim->Now()),
          R"(,"status":404,"error":"Not Found","message":"No message available","path":")", path,
          R"("})");
      return out;
    }
    out.content_type = "application/hal+json";
    out.body = order.dump();
    return out;
  }
  if (service == "front-end" && (path == "/" || path == "/index.html")) {
    out.content_type = "text/html; charset=UTF-8";
    out.body =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>WeaveSocks</title>\n</head>\n<body>\n<div id=\"hot\">Hot this week</div>\n"
        "</body>\n</html>\n";
    return out;
  }
  out.status = 404;
  out.content_type = "text/plain; charset=utf-8";
  out.body = "404 page not found\n";
  return out;
}

}  // namespace sim
}  // namespace sre_eval
