// Python's "%r", int() and float(), as Locust's argparse uses them on its arguments.
#ifndef SRE_EVAL_SIM_SHOP_PYTHON_TEXT_H_
#define SRE_EVAL_SIM_SHOP_PYTHON_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace sre_eval {
namespace sim {

// Python's "%r" of a str, as argparse's messages quote values.
std::string PyRepr(absl::string_view s);

// An ASCII digit.
bool IsDigit(char c);

// Python's int(text) (base 10), limited to int64.
bool ParsePyInt(absl::string_view text, int64_t* out);

// Python's float(text).
bool ParsePyFloat(absl::string_view text, double* out);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_PYTHON_TEXT_H_
