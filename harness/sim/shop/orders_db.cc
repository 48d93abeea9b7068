#include "sim/shop/orders_db.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sre_eval {
namespace sim {

namespace {

uint64_t Mix(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A float32 as Jackson writes it (Java's Float.toString): the fewest digits that read back as
// the same float, e.g. 15.98 or 58.989998, returned as the double with that decimal text.
double Float32(float v) {
  for (int digits = 1; digits <= 9; ++digits) {
    const std::string text = absl::StrFormat("%.*g", digits, v);
    if (std::strtof(text.c_str(), nullptr) == v) return std::strtod(text.c_str(), nullptr);
  }
  return v;
}

}  // namespace

const std::vector<Customer>& SeedCustomers() {
  static const std::vector<Customer>* customers = new std::vector<Customer>{
      {"57a98d98e4b00679b4a830b2", "user", "User", "Name"},
      {"57a98d98e4b00679b4a830b5", "user1", "User1", "Name1"},
      {"57a98d98e4b00679b4a830af", "Eve_Berger", "Eve", "Berger"},
  };
  return *customers;
}

const Order& OrdersDb::Add(absl::Time t, const std::string& process_key, int customer,
                           const std::string& item_id, double unit_price,
                           const std::string& status) {
  if (process_key != process_key_) {
    process_key_ = process_key;
    uint64_t x = state_ ^ Hash(process_key);
    process_random_ = absl::StrFormat("%010x", Mix(&x) & 0xFFFFFFFFFFull);
    counter_ = static_cast<uint32_t>(Mix(&x) & 0xFFFFFF);
  }
  Order o;
  o.id = absl::StrFormat("%08x%s%06x", static_cast<uint32_t>(absl::ToUnixSeconds(t)),
                         process_random_, counter_);
  counter_ = (counter_ + 1) & 0xFFFFFF;
  o.customer = customer;
  o.item_id = item_id;
  o.unit_price = unit_price;
  // orders adds the shipping in float arithmetic.
  o.total = Float32(static_cast<float>(unit_price) + 4.99f);
  o.date = t;
  o.status = status;
  orders_.push_back(std::move(o));
  return orders_.back();
}

nlohmann::json OrdersDb::Render(const Order& o) const {
  const Customer& c = SeedCustomers()[o.customer];
  const std::string href = absl::StrCat("http://orders/orders/", o.id);
  return {{"id", o.id},
          {"customerId", c.id},
          {"customer",
           {{"firstName", c.first_name},
            {"lastName", c.last_name},
            {"username", c.username},
            {"addresses", nlohmann::json::array()},
            {"cards", nlohmann::json::array()}}},
          {"address",
           {{"number", "246"},
            {"street", "Whitelees Road"},
            {"city", "Glasgow"},
            {"postcode", "G67 3DL"},
            {"country", "United Kingdom"}}},
          {"card", {{"longNum", "5544154011345918"}, {"expires", "08/19"}, {"ccv", "958"}}},
          {"items", {{{"itemId", o.item_id}, {"quantity", 1}, {"unitPrice", o.unit_price}}}},
          {"shipment", {{"name", c.id}}},
          {"date", absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000", o.date, absl::UTCTimeZone())},
          {"total", o.total},
          {"status", o.status},
          {"_links", {{"self", {{"href", href}}}, {"order", {{"href", href}}}}}};
}

nlohmann::json OrdersDb::List(int64_t page, int64_t size, const std::string& customer_id) const {
  size = std::clamp<int64_t>(size, 1, 1000);
  page = std::max<int64_t>(page, 0);
  std::vector<const Order*> matching;
  for (const Order& o : orders_) {
    if (customer_id.empty() || SeedCustomers()[o.customer].id == customer_id) {
      matching.push_back(&o);
    }
  }
  nlohmann::json items = nlohmann::json::array();
  const size_t begin = static_cast<size_t>(page * size);
  for (size_t i = begin; i < matching.size() && i < begin + static_cast<size_t>(size); ++i) {
    items.push_back(Render(*matching[i]));
  }
  const int64_t total = static_cast<int64_t>(matching.size());
  return {{"_embedded", {{"customerOrders", items}}},
          {"_links",
           {{"self", {{"href", "http://orders/orders{?page,size,sort}"}, {"templated", true}}},
            {"profile", {{"href", "http://orders/profile/orders"}}},
            {"search", {{"href", "http://orders/orders/search"}}}}},
          {"page",
           {{"size", size},
            {"totalElements", total},
            {"totalPages", (total + size - 1) / size},
            {"number", page}}}};
}

nlohmann::json OrdersDb::Get(const std::string& id) const {
  for (const Order& o : orders_) {
    if (o.id == id) return Render(o);
  }
  return nullptr;
}

}  // namespace sim
}  // namespace sre_eval
