#include "cluster/orders.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cluster/types.h"

namespace sre_eval {
namespace cluster {
namespace {

absl::StatusOr<nlohmann::json> Page(Kubectl* k, int page) {
  absl::StatusOr<std::string> body =
      k->ProxyGet("orders", 80, absl::StrCat("/orders?page=", page, "&size=1000"));
  if (!body.ok()) return body.status();
  nlohmann::json doc = nlohmann::json::parse(*body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::DataLossError(absl::StrCat("the orders API answered page ", page,
                                            " with something that is not a JSON object"));
  }
  return doc;
}

int TotalPages(const nlohmann::json& doc) {
  auto pg = doc.find("page");
  if (pg != doc.end() && pg->is_object()) {
    auto n = pg->find("totalPages");
    if (n != pg->end() && n->is_number_integer()) return std::max(1, n->get<int>());
  }
  return 1;
}

nlohmann::json Orders(nlohmann::json* doc) {
  auto emb = doc->find("_embedded");
  if (emb != doc->end() && emb->is_object()) {
    auto orders = emb->find("customerOrders");
    if (orders != emb->end() && orders->is_array()) return std::move(*orders);
  }
  return nlohmann::json::array();
}

}  // namespace

absl::Time OrderTime(const nlohmann::json& order) {
  if (!order.is_object()) return absl::InfinitePast();
  auto d = order.find("date");
  if (d == order.end() || !d->is_string()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%z", d->get<std::string>(), &t, &err)) return t;
  absl::StatusOr<absl::Time> api = ParseApiTime(d->get<std::string>());
  return api.ok() ? *api : absl::InfinitePast();
}

absl::StatusOr<std::vector<nlohmann::json>> ReadOrders(Kubectl* k, absl::Time since,
                                                       int max_pages) {
  std::vector<nlohmann::json> pages;  // newest first when `since` is set
  int total = -1;
  const bool all = since == absl::InfinitePast();
  for (int page = 0; page >= 0 && static_cast<int>(pages.size()) < max_pages;) {
    absl::StatusOr<nlohmann::json> doc = Page(k, page);
    if (!doc.ok()) return doc.status();
    if (total < 0) {
      total = TotalPages(*doc);
      if (!all && total > 1) {
        page = total - 1;  // start again from the newest page
        continue;
      }
    }
    nlohmann::json list = Orders(&*doc);
    bool older = false;
    for (const nlohmann::json& o : list) {
      absl::Time created = OrderTime(o);
      if (created != absl::InfinitePast() && created < since) older = true;
    }
    pages.push_back(std::move(list));
    if (all) {
      page = page + 1 < total ? page + 1 : -1;
    } else {
      if (older) break;
      --page;
    }
  }
  if (!all) std::reverse(pages.begin(), pages.end());
  std::vector<nlohmann::json> out;
  for (nlohmann::json& list : pages) {
    for (nlohmann::json& o : list) {
      absl::Time created = OrderTime(o);
      if (all || created == absl::InfinitePast() || created >= since) out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace cluster
}  // namespace sre_eval
