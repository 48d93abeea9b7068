// The orders service's MongoDB collection in the model: what checkouts saved, with the guide's
// modified orders service's status field, served by the orders API through the services
// proxy. Not thread-safe: the Sim's model lock serialises use. Deterministic.
#ifndef SRE_EVAL_SIM_SHOP_ORDERS_DB_H_
#define SRE_EVAL_SIM_SHOP_ORDERS_DB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// A Sock Shop customer of the user-db seed data.
struct Customer {
  const char* id;
  const char* username;
  const char* first_name;
  const char* last_name;
};
// user, user1 and Eve_Berger, as the user-db image seeds them.
const std::vector<Customer>& SeedCustomers();

struct Order {
  std::string id;    // A MongoDB ObjectId: 8 hex digits of Unix seconds, then 16 more.
  int customer = 0;  // Index into SeedCustomers().
  std::string item_id;
  double unit_price = 0;
  double total = 0;  // unit_price + 4.99 shipping, as float32 arithmetic gives it.
  absl::Time date;
  std::string status;  // "PAID" or "PAYMENT_FAILED".
};

class OrdersDb {
 public:
  explicit OrdersDb(uint64_t seed) : state_(seed) {}

  // Saves an order made at `t` and returns it. The id is an ObjectId as the Java driver
  // makes it: the creation second, 5 bytes random per orders process (`process_key`, e.g. the
  // pod uid and start), then a 3-byte counter starting at a random value.
  const Order& Add(absl::Time t, const std::string& process_key, int customer,
                   const std::string& item_id, double unit_price, const std::string& status);

  const std::vector<Order>& orders() const { return orders_; }

  // GET /orders?page=&size=&sort= as Spring Data REST answers it (HAL, application/hal+json):
  // _embedded.customerOrders (each with customerId, customer, address, card, items, shipment,
  // date, total, status and _links.self/order), _links, page{size,totalElements,totalPages,
  // number}. size defaults to 20 and is capped at 1000. `custId` filters
  // (/orders/search/customerId). Oldest first.
  nlohmann::json List(int64_t page, int64_t size, const std::string& customer_id) const;
  // GET /orders/{id}: the order, or null.
  nlohmann::json Get(const std::string& id) const;

 private:
  nlohmann::json Render(const Order& o) const;

  uint64_t state_;
  std::string process_key_;
  std::string process_random_;  // 10 hex digits.
  uint32_t counter_ = 0;
  std::vector<Order> orders_;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_ORDERS_DB_H_
